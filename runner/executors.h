// Chooses and owns the executors of a run: local, sandbox cell, QEMU for foreign binaries,
// ssh/batch for %{exec} commands, from each directory's config and the command line.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "emulation/batch_executor.h"
#include "runner/diagnostics.h"
#include "runner/executor_factory.h"
#include "runner/options.h"
#include "runner/run_context.h"

namespace litbox::runner {

/// The run's ExecutorProvider, plus the machine facts it adds to every suite config.
class Executors : public ExecutorProvider {
 public:
  /// Adds features every suite gets: target=<triple>, host=<triple>, can-run=<arch>,
  /// sandbox (when tests run sandboxed), and %{exec}. Called again on a directory's config
  /// (lit.local.yaml), it replaces the facts its parent's config got.
  virtual void finish_suite_config(config::SuiteConfig& cfg) = 0;

  /// What each batch target of the run did (`-v` summary, --time-trace-output).
  struct BatchTarget {
    std::string host;  ///< "local" for a batch run here under QEMU
    emulation::BatchStats stats;
  };
  virtual std::vector<BatchTarget> batch_targets() const = 0;
  /// Batches started on any batch target that have not ended yet.
  virtual size_t batches_in_flight() const = 0;
};

/// Builds the provider for `options` (--sandbox). With --sandbox=require and no usable
/// sandbox, an error; with auto, one warning and local execution.
Expected<std::unique_ptr<Executors>> make_executor_provider(boost::asio::io_context& io, const Options& options,
                                                            Diagnostics& diag);

/// The provider make_executor_provider builds, given whether sandbox cells can be made here
/// (`sandbox_usable`) and what makes the executors it chooses: executors with equal options
/// are made once and shared; a target executor (ssh, batch) is shared by every directory with
/// the same target. `options` must outlive it.
std::unique_ptr<Executors> make_executors(const Options& options, bool sandbox_usable,
                                          std::unique_ptr<ExecutorFactory> factory);

}  // namespace litbox::runner

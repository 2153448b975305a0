// ExecutorFactory: how the run's executor choice (runner/executors.h) makes the executors it
// chose. The run's factory makes real ones; the choice's tests substitute one that records.
#pragma once

#include <utility>  // before Asio (Boost 1.74)
#include <boost/asio/io_context.hpp>
#include <memory>

#include "emulation/batch_executor.h"
#include "emulation/qemu.h"
#include "emulation/ssh_plan.h"
#include "executor/executor.h"
#include "sandbox/sandbox_executor.h"
#include "support/error.h"

namespace litbox::runner {

/// Makes one executor of each kind the choice can pick; every call makes a new one.
class ExecutorFactory {
 public:
  virtual ~ExecutorFactory() = default;
  /// Processes run on this machine, unsandboxed.
  virtual std::unique_ptr<exec::Executor> local() = 0;
  /// A sandbox cell per test.
  virtual Expected<std::unique_ptr<exec::Executor>> sandbox(const sandbox::SandboxSpec& spec) = 0;
  /// `inner`, with foreign binaries run through QEMU.
  virtual Expected<std::unique_ptr<exec::Executor>> qemu(std::unique_ptr<exec::Executor> inner,
                                                         emulation::QemuOptions options) = 0;
  /// %{exec} commands on a remote machine, one ssh command each.
  virtual Expected<std::unique_ptr<exec::Executor>> ssh(emulation::SshSettings settings) = 0;
  /// %{exec} commands collected into batches (deferred).
  virtual Expected<std::unique_ptr<exec::Executor>> batch(emulation::BatchSettings settings) = 0;
};

/// The factory of a real run: its executors run on `io`.
std::unique_ptr<ExecutorFactory> make_executor_factory(boost::asio::io_context& io);

}  // namespace litbox::runner

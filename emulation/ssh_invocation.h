// One run of the local ssh client, driven from the io_context: bytes for its stdin, its
// stderr relayed to the test's stderr up to the wrapper's status marker, and a callback once
// the process has exited and its output is delivered. Never blocks the io_context thread
// beyond the fork/exec of spawn_local.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <vector>

#include "executor/executor.h"

namespace litbox::emulation {

/// How an ssh invocation ended.
struct InvocationResult {
  exec::ExitStatus local;  ///< the ssh client's own exit status (255: ssh failed)
  bool marker_found = false;
  std::string trailer;      ///< bytes after the marker: " <status>\n" then a tar archive
  std::string stderr_tail;  ///< the last few KiB of stderr before the marker (error messages)
};

/// What to start.
struct InvocationSpec {
  std::vector<std::string> argv;  ///< the ssh command line
  std::vector<std::string> env;   ///< the ssh client's environment (litbox's own)
  /// Bytes written to ssh's stdin, chunk after chunk (as TarWriter::finish_chunks() gives
  /// them), then EOF. Used when `stdin_fd` is -1 and a chunk is not empty.
  std::vector<std::string> stdin_payload;
  int stdin_fd = -1;   ///< borrowed, only used inside start(); -1: the payload or /dev/null
  int stdout_fd = -1;  ///< borrowed, only used inside start(); -1: /dev/null
  int stderr_fd = -1;  ///< borrowed (a private copy is kept); stderr before the marker is
                       ///< copied here; -1: dropped
  /// Marker that ends the command's stderr ("" = no marker: all stderr is relayed/kept).
  std::string marker;
};

/// A started ssh process. Keeps itself alive until `done` has run.
class Invocation : public std::enable_shared_from_this<Invocation> {
 public:
  using Done = std::function<void(InvocationResult)>;

  /// Starts the process. `done` runs later on `io`, exactly once, after the process has
  /// exited and everything it wrote to stderr has been relayed. A failed fork is reported
  /// through `done` too (code 127, error set).
  static std::shared_ptr<Invocation> start(boost::asio::io_context& io, InvocationSpec spec, Done done);

  /// Kills the local ssh process (SIGKILL to its process group). `done` still runs.
  void kill();
  /// Drops `done` unrun: for an owner that goes first (`done` may hold it, and kept, that
  /// cycle would outlive them both).
  void drop_done();
  /// The local pid, or -1 once the process has been reaped or never started.
  int pid() const { return pid_; }

  ~Invocation();
  Invocation(const Invocation&) = delete;
  Invocation& operator=(const Invocation&) = delete;

 private:
  struct Impl;
  explicit Invocation(boost::asio::io_context& io);
  void begin(InvocationSpec spec, Done done);
  void read_loop();
  void on_exit(exec::ExitStatus s);
  void maybe_finish();
  void call_done();
  std::unique_ptr<Impl> impl_;
  int pid_ = -1;
};

}  // namespace litbox::emulation

// One run of a batch: the process that carries it (ssh to the target, or a local sh), the tar
// stream written to its stdin, and its stdout parsed as the result stream while it arrives.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <vector>

#include "emulation/batch_protocol.h"
#include "executor/executor.h"

namespace litbox::emulation {

/// What to start.
struct BatchRunSpec {
  std::vector<std::string> argv;  ///< ssh ... 'exec sh -c <script>', or /bin/sh -c <script>
  std::vector<std::string> env;   ///< the process's environment
  std::vector<std::string> payload;  ///< written to its stdin, chunk after chunk, then EOF
  std::string token;              ///< the batch token (BatchStreamParser)
};

/// How the run ended.
struct BatchRunEnd {
  exec::ExitStatus local;    ///< the process's own status (ssh: 255 when the connection failed)
  std::string stderr_tail;   ///< the last few KiB of its stderr (ssh's and the driver's messages)
  std::string stream_error;  ///< the result stream was malformed (the run was then killed)
  bool partial = false;      ///< the stream stopped inside a line or a result
};

/// A started run; keeps itself alive until `on_end` has run.
class BatchRun : public std::enable_shared_from_this<BatchRun> {
 public:
  using OnEvent = std::function<void(BatchEvent)>;
  using OnEnd = std::function<void(BatchRunEnd)>;
  /// Starts the process. `on_event` runs on `io` for each event of the stream, in order;
  /// `on_end` once, after the process exited and its output was read (a failed start is
  /// reported through it too: local code 127 and error set). Neither runs inside start().
  static std::shared_ptr<BatchRun> start(boost::asio::io_context& io, BatchRunSpec spec, OnEvent on_event,
                                         OnEnd on_end);
  /// Kills the process (SIGKILL to its process group); `on_end` still runs.
  void kill();
  /// Kills the process and drops both callbacks unrun: for an owner that goes before the run
  /// has ended (the callbacks hold the owner, which holds this run: kept, that cycle would
  /// outlive them both).
  void abandon();

  ~BatchRun();
  BatchRun(const BatchRun&) = delete;
  BatchRun& operator=(const BatchRun&) = delete;

 private:
  struct Impl;
  explicit BatchRun(boost::asio::io_context& io);
  void read_loop();
  void consume(const char* data, size_t n);
  void drain();
  void maybe_end();
  std::unique_ptr<Impl> impl_;
};

}  // namespace litbox::emulation

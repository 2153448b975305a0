// Test helpers for the batch executor: many requests spawned at once on many sessions, their
// outputs captured through pipes, the io_context run until every one is back.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <vector>

#include "emulation/test_util.h"
#include "executor/executor.h"

namespace litbox::emulation::testing {

/// One spawned request and what came back.
struct Outcome {
  exec::ExitStatus status;
  std::string out, err;
  bool exited = false;  ///< the handler ran
  int out_eof = 0;      ///< pipes at EOF (2 = both)
  bool done() const { return exited && out_eof == 2; }
};

/// Spawns requests with captured stdout/stderr and optional stdin, and runs the io_context
/// until all are done (within a safety limit, not a timing assertion).
class Spawner {
 public:
  explicit Spawner(boost::asio::io_context& io) : io_(io) {}
  /// Spawns `req` on `session`; stdin is `stdin_data` given as `kind`. Returns its outcome,
  /// filled in as the io_context runs.
  std::shared_ptr<Outcome> spawn(exec::Session& session, exec::SpawnRequest req, StdinKind kind = StdinKind::none,
                                 const std::string& stdin_data = "");
  /// Runs the io_context until every outcome spawned so far is done; false on the limit.
  bool wait_all(int limit_seconds = 120);
  /// Runs the io_context until `pred` holds; false on the limit.
  bool wait_for(const std::function<bool()>& pred, int limit_seconds = 120);

 private:
  boost::asio::io_context& io_;
  std::vector<std::shared_ptr<Outcome>> all_;
};


}  // namespace litbox::emulation::testing

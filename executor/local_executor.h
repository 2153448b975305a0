// The local executor: runs processes directly on the host, no sandbox.
#pragma once

#include <boost/asio/io_context.hpp>

#include "executor/executor.h"

namespace litbox::exec {

/// Runs each process as a child of litbox in its own process group; terminate() kills the
/// groups of every process the session started.
class LocalExecutor : public Executor {
 public:
  explicit LocalExecutor(boost::asio::io_context& io) : io_(io) {}
  Expected<std::unique_ptr<Session>> open(const SessionSpec& spec) override;
  std::string name() const override { return "local"; }

 private:
  boost::asio::io_context& io_;
};

}  // namespace litbox::exec

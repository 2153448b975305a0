#include "runner/executors.h"

#include <sys/utsname.h>

#include <map>

#include "executor/local_executor.h"

namespace litbox::runner {

namespace {

std::string host_triple() {
  struct utsname u;
  if (uname(&u) != 0) return "";
  return std::string(u.machine) + "-unknown-linux-gnu";
}

class RunExecutors : public Executors {
 public:
  RunExecutors(boost::asio::io_context& io, const Options& options, Diagnostics& diag)
      : io_(io), options_(options), diag_(diag), local_(io) {}

  void finish_suite_config(config::SuiteConfig& cfg) override {
    if (cfg.target_triple.empty()) cfg.target_triple = cfg.target.triple;
    if (cfg.host_triple.empty()) cfg.host_triple = host_triple();
    if (!cfg.target_triple.empty()) cfg.features.insert("target=" + cfg.target_triple);
    if (!cfg.host_triple.empty()) cfg.features.insert("host=" + cfg.host_triple);
  }

  Expected<exec::Executor*> executor_for(const config::SuiteConfig&) override { return &local_; }
  Expected<exec::Executor*> target_executor_for(const config::SuiteConfig&) override {
    return static_cast<exec::Executor*>(nullptr);
  }
  bool sandboxed(const config::SuiteConfig&) const override { return false; }

 private:
  boost::asio::io_context& io_;
  const Options& options_;
  Diagnostics& diag_;
  exec::LocalExecutor local_;
};

}  // namespace

Expected<std::unique_ptr<Executors>> make_executor_provider(boost::asio::io_context& io, const Options& options,
                                                            Diagnostics& diag) {
  return std::unique_ptr<Executors>(std::make_unique<RunExecutors>(io, options, diag));
}

}  // namespace litbox::runner

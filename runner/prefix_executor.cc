#include "runner/prefix_executor.h"

namespace litbox::runner {

namespace {

class PrefixSession : public exec::Session {
 public:
  PrefixSession(std::unique_ptr<exec::Session> inner, const std::vector<std::string>& prefix)
      : inner_(std::move(inner)), prefix_(prefix) {}
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    std::vector<std::string> argv = prefix_;
    argv.push_back(req.executable.empty() ? req.argv[0] : req.executable);
    argv.insert(argv.end(), req.argv.begin() + 1, req.argv.end());
    req.argv = std::move(argv);
    req.executable.clear();
    inner_->spawn(std::move(req), std::move(on_exit));
  }
  void terminate() override { inner_->terminate(); }
  void async_wait_ready(std::function<void(Status)> on_ready) override { inner_->async_wait_ready(std::move(on_ready)); }
  exec::FileSystem& fs() override { return inner_->fs(); }
  std::map<std::string, std::string> environment_overrides() const override { return inner_->environment_overrides(); }
  void close() override { inner_->close(); }
  void async_close(std::function<void(exec::CloseReport)> done) override { inner_->async_close(std::move(done)); }

 private:
  std::unique_ptr<exec::Session> inner_;
  const std::vector<std::string>& prefix_;
};

class PrefixExecutor : public exec::Executor {
 public:
  PrefixExecutor(std::unique_ptr<exec::Executor> inner, std::vector<std::string> prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override {
    auto s = inner_->open(spec);
    if (!s) return s.error();
    return std::unique_ptr<exec::Session>(std::make_unique<PrefixSession>(std::move(*s), prefix_));
  }
  std::string name() const override { return inner_->name() + "+prefix"; }

 private:
  std::unique_ptr<exec::Executor> inner_;
  std::vector<std::string> prefix_;
};

}  // namespace

std::unique_ptr<exec::Executor> make_prefix_executor(std::unique_ptr<exec::Executor> inner,
                                                     std::vector<std::string> prefix) {
  return std::make_unique<PrefixExecutor>(std::move(inner), std::move(prefix));
}

std::vector<std::string> valgrind_prefix(const std::string& valgrind, bool leak_check,
                                         const std::vector<std::string>& extra_args) {
  std::vector<std::string> v = {valgrind,          "-q", "--run-libc-freeres=no", "--tool=memcheck", "--trace-children=yes",
                                "--error-exitcode=123"};
  v.push_back(leak_check ? "--leak-check=full" : "--leak-check=no");
  v.insert(v.end(), extra_args.begin(), extra_args.end());
  return v;
}

}  // namespace litbox::runner

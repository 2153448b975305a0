#include "emulation/test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "executor/filesystem.h"

extern char** environ;

namespace litbox::emulation::testing {

void write_file(const std::string& path, const std::string& data, int mode) {
  std::ofstream(path, std::ios::binary) << data;
  chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_command(const std::vector<std::string>& argv, std::string* output) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int p[2];
  if (pipe(p) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_adddup2(&fa, p[1], 2);
  posix_spawn_file_actions_addclose(&fa, p[0]);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  if (output) *output = out;
  if (rc != 0) return -1000;
  int ws = 0;
  waitpid(pid, &ws, 0);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
}

std::string probe(const std::string& name) { return std::string(LITBOX_EMULATION_TESTDATA) + "/probe-" + name; }

bool have_probe(const std::string& name) { return access(probe(name).c_str(), X_OK) == 0; }

std::vector<std::string> test_env() { return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C"}; }

namespace {

struct Reader : std::enable_shared_from_this<Reader> {
  boost::asio::posix::stream_descriptor sd;
  std::string* sink;
  bool* eof;
  std::array<char, 4096> buf;
  Reader(boost::asio::io_context& io, int fd, std::string* s, bool* e) : sd(io, fd), sink(s), eof(e) {}
  void go() {
    sd.async_read_some(boost::asio::buffer(buf), [self = shared_from_this()](auto ec, size_t n) {
      self->sink->append(self->buf.data(), n);
      if (ec) {
        *self->eof = true;
        return;
      }
      self->go();
    });
  }
};

}  // namespace

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> out;
  if (DIR* d = opendir(path.c_str())) {
    while (auto* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Live processes whose /proc/<pid>/<file> contains every one of `texts`.
int processes_whose(const char* file, const std::vector<std::string>& texts) {
  int n = 0;
  for (const auto& entry : list_dir("/proc")) {
    if (entry.find_first_not_of("0123456789") != std::string::npos) continue;
    auto text = read_file("/proc/" + entry + "/" + file);
    auto stat = read_file("/proc/" + entry + "/stat");
    if (!text || !stat || stat->find(") Z ") != std::string::npos) continue;
    if (std::all_of(texts.begin(), texts.end(), [&](const std::string& t) { return text->find(t) != std::string::npos; }))
      ++n;
  }
  return n;
}

}  // namespace

int processes_mentioning(const std::vector<std::string>& texts) { return processes_whose("cmdline", texts); }

int processes_with_environment(const std::vector<std::string>& texts) { return processes_whose("environ", texts); }

int settled(const std::function<int()>& count) {
  for (int i = 0; i < 200 && count() > 0; ++i) usleep(50 * 1000);
  return count();
}

int processes_mentioning_settled(const std::vector<std::string>& texts) {
  return settled([&] { return processes_mentioning(texts); });
}

TestStdin open_test_stdin(boost::asio::io_context& io, StdinKind kind, const std::string& data) {
  TestStdin in;
  if (kind == StdinKind::pipe) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return in;
    in.fd = p[0];
    in.writer = std::make_shared<boost::asio::posix::stream_descriptor>(io, p[1]);
  } else if (kind == StdinKind::file) {
    char tmpl[] = "/tmp/litbox-emu-stdin-XXXXXX";
    in.fd = mkstemp(tmpl);
    unlink(tmpl);
    (void)!write(in.fd, data.data(), data.size());
    lseek(in.fd, 0, SEEK_SET);
  }
  return in;
}

void feed_test_stdin(TestStdin& in, const std::string& data) {
  if (in.fd >= 0) close(in.fd);
  in.fd = -1;
  if (!in.writer) return;
  auto copy = std::make_shared<std::string>(data);
  auto writer = in.writer;
  boost::asio::async_write(*writer, boost::asio::buffer(*copy), [writer, copy](auto, size_t) { writer->close(); });
}

Captured run_captured(boost::asio::io_context& io, exec::Session& session, exec::SpawnRequest req, StdinKind kind,
                      const std::string& stdin_data, int limit_seconds) {
  Captured c;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return c;
  TestStdin in = open_test_stdin(io, kind, stdin_data);
  if (kind == StdinKind::pipe && !in.writer) return c;
  req.stdin_fd = in.fd;
  req.stdout_fd = out[1];
  req.stderr_fd = err[1];
  bool exited = false, out_eof = false, err_eof = false;
  session.spawn(req, [&](exec::ExitStatus s) {
    c.status = s;
    exited = true;
  });
  close(out[1]);
  close(err[1]);
  feed_test_stdin(in, stdin_data);
  std::make_shared<Reader>(io, out[0], &c.out, &out_eof)->go();
  std::make_shared<Reader>(io, err[0], &c.err, &err_eof)->go();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
  io.restart();
  while (!(exited && out_eof && err_eof) && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(50));
    io.restart();
  }
  c.finished = exited && out_eof && err_eof;
  return c;
}

namespace {

class FakeSession : public exec::Session {
 public:
  FakeSession(boost::asio::io_context& io, std::vector<exec::SpawnRequest>& log, int root_fd)
      : io_(io), log_(log), rooted_(root_fd), use_root_(root_fd >= 0) {}
  exec::FileSystem& fs() override { return use_root_ ? rooted_ : exec::host_filesystem(); }
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    log_.push_back(std::move(req));
    boost::asio::post(io_, [on_exit = std::move(on_exit)] { on_exit(exec::ExitStatus{}); });
  }
  void terminate() override {}

 private:
  boost::asio::io_context& io_;
  std::vector<exec::SpawnRequest>& log_;
  exec::RootedFileSystem rooted_;
  bool use_root_;
};

}  // namespace

Expected<std::unique_ptr<exec::Session>> FakeExecutor::open(const exec::SessionSpec&) {
  return std::unique_ptr<exec::Session>(std::make_unique<FakeSession>(io_, requests, root_fd_));
}

}  // namespace litbox::emulation::testing

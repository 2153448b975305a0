#include "sandbox/test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

namespace litbox::sandbox::testing {

using boost::asio::posix::stream_descriptor;

const char* testcase() { return LITBOX_TESTCASE; }

int unknown_syscall_the_kernel_has() {
  // The same numbers in x86-64's table and the generic one (aarch64, riscv64, ...). With zero
  // arguments each only fails (EFAULT, EINVAL) or does nothing (mseal of no bytes).
  for (int nr : {458 /* listmount */, 461 /* lsm_list_modules */, 462 /* mseal */}) {
    char* name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
    const bool named = name != nullptr;
    free(name);
    if (named) continue;
    pid_t pid = fork();
    if (pid == 0) _exit(syscall(nr, 0, 0, 0, 0, 0, 0) < 0 && errno == ENOSYS ? 1 : 0);
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) return nr;
  }
  return -1;
}

namespace {

// The tests' scratch dirs (TempDir, under $TMPDIR) go to the build tree, as ctest sets it, also
// when the binary is run by hand without TMPDIR: a suite under the host's /tmp gets cells whose
// /tmp is writable only in their own directories (MountPlan::tmp_dir), and most tests here
// write /tmp itself. CellTestBelowTmp tests that case on purpose.
const bool kScratchInBuildTree = [] {
  const char* t = getenv("TMPDIR");
  if (!t || !*t) setenv("TMPDIR", LITBOX_SANDBOX_TEST_TMP, 1);
  return true;
}();

struct Reader : std::enable_shared_from_this<Reader> {
  Reader(boost::asio::io_context& io, int fd, std::string* sink) : sd(io, fd), out(sink) {}
  void start() {
    sd.async_read_some(boost::asio::buffer(buf), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
      self->out->append(self->buf, n);
      if (ec) {
        self->done = true;
        return;
      }
      self->start();
    });
  }
  stream_descriptor sd;
  std::string* out;
  char buf[4096];
  bool done = false;
};

}  // namespace

RunResult run(boost::asio::io_context& io, exec::Session& session, std::vector<std::string> argv,
              const RunOptions& opts) {
  RunResult r;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) abort();
  exec::SpawnRequest req;
  req.argv = std::move(argv);
  req.executable = opts.executable;
  req.env = opts.env;
  req.cwd = opts.cwd;
  req.stdin_fd = opts.stdin_fd;
  req.stdout_fd = out[1];
  req.stderr_fd = err[1];
  req.limits = opts.limits;
  req.last = opts.last;
  bool exited = false;
  session.spawn(req, [&](exec::ExitStatus s) {
    r.status = s;
    exited = true;
  });
  close(out[1]);
  close(err[1]);
  auto ro = std::make_shared<Reader>(io, out[0], &r.out);
  auto re = std::make_shared<Reader>(io, err[0], &r.err);
  ro->start();
  re->start();
  io.restart();
  while (!exited || (opts.wait_for_eof && (!ro->done || !re->done))) io.run_one();
  if (!opts.wait_for_eof) {
    // Take what is already there; the daemon may keep the pipes open.
    io.poll();
    ro->sd.cancel();
    re->sd.cancel();
    io.poll();
  }
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace litbox::sandbox::testing

#include "executor/process.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace litbox::exec {
namespace {

SpawnRequest sh(const std::string& script) {
  SpawnRequest r;
  r.argv = {"/bin/sh", "-c", script};
  r.env = {"PATH=/usr/bin:/bin"};
  return r;
}

// Runs `io` until `done` holds a status, at most 10 s.
std::optional<ExitStatus> wait_for(boost::asio::io_context& io, pid_t pid) {
  std::optional<ExitStatus> got;
  io.restart();  // after an earlier wait ran out of work
  async_wait_pid(io, pid, [&](ExitStatus s) { got = s; });
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!got && io.run_one_until(until) > 0) {
  }
  return got;
}

TEST(AsyncWaitPid, ReportsTheExitCodeAndTheSignal) {
  boost::asio::io_context io;
  auto a = spawn_local(sh("exit 7"));
  ASSERT_TRUE(a);
  auto s = wait_for(io, *a);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->code, 7);
  auto b = spawn_local(sh("kill -TERM $$"));
  ASSERT_TRUE(b);
  s = wait_for(io, *b);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->signal, SIGTERM);
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "both were reaped";
}

TEST(AsyncWaitPid, TheLoopRunsWhileTheChildWaitsForIt) {
  // The child fills a pipe (64 KiB) many times over and can only exit once the loop drains it.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  SpawnRequest r = sh("head -c 1048576 /dev/zero");
  r.stdout_fd = p[1];
  auto pid = spawn_local(r);
  ASSERT_TRUE(pid);
  close(p[1]);
  boost::asio::io_context io;
  boost::asio::posix::stream_descriptor out(io, p[0]);
  std::string data;
  boost::asio::async_read(out, boost::asio::dynamic_buffer(data), [](const boost::system::error_code&, size_t) {});
  auto s = wait_for(io, *pid);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->code, 0);
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(data.size(), 1048576u);
}

TEST(AsyncWaitPid, WithoutPidfdsItPollsAndStillReports) {
  // In a child of the test: pidfd_open fails with ENOSYS there, as on a kernel before 5.3.
  pid_t t = fork();
  ASSERT_GE(t, 0);
  if (t == 0) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) != 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) != 0)
      _exit(100);
    boost::asio::io_context io;
    auto pid = spawn_local(sh("sleep 0.1; exit 9"));
    if (!pid) _exit(101);
    // The loop goes on while the child lives: a timer fires before the child is reported.
    std::optional<ExitStatus> s;
    bool timer_first = false;
    boost::asio::steady_timer timer(io, std::chrono::milliseconds(20));
    timer.async_wait([&](const boost::system::error_code&) { timer_first = !s; });
    async_wait_pid(io, *pid, [&](ExitStatus st) { s = st; });
    io.run_for(std::chrono::seconds(10));
    if (!s) _exit(102);
    if (!timer_first) _exit(103);
    _exit(s->code);
  }
  int ws = 0;
  ASSERT_EQ(waitpid(t, &ws, 0), t);
  ASSERT_TRUE(WIFEXITED(ws));
  EXPECT_EQ(WEXITSTATUS(ws), 9) << "100: no filter, 101: no spawn, 102: no status, 103: the loop was blocked";
}

}  // namespace
}  // namespace litbox::exec

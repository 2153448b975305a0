// Waiting for child processes on an io_context, and starting plain child processes.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <functional>

#include "executor/executor.h"

namespace litbox::exec {

/// Converts a waitpid() status into an ExitStatus.
ExitStatus status_from_wait(int wstatus);

/// Calls `done` on `io` once process `pid` (a child of this process) has exited, and reaps it.
/// Uses a pidfd, so no thread blocks and no SIGCHLD handler is needed; never blocks in
/// waitpid() (without pidfds, or when waiting on one fails, it polls every 10 ms).
void async_wait_pid(boost::asio::io_context& io, pid_t pid, std::function<void(ExitStatus)> done);

/// fork()s and execs `req` in a new process group. Returns the pid, or an error for a failed
/// fork. A failed exec is reported through the exit status (code 127 and `error` set).
Expected<pid_t> spawn_local(const SpawnRequest& req);

}  // namespace litbox::exec

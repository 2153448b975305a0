// The Executor seam: the shell interpreter never forks itself. It hands a fully resolved
// command to a Session (one per test) and is called back, on the io_context, when the
// process has exited. Implementations: local, sandbox cell, QEMU prefixing, ssh, batch.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "executor/filesystem.h"
#include "support/error.h"

namespace litbox::exec {

/// Resource limits applied to a spawned process (setrlimit). 0 means "leave as is".
struct Limits {
  uint64_t address_space = 0;  ///< bytes, RLIMIT_AS (ulimit -v, in KiB, is converted)
  uint64_t cpu_seconds = 0;    ///< RLIMIT_CPU
  uint64_t file_size = 0;      ///< bytes, RLIMIT_FSIZE
  uint64_t open_files = 0;     ///< RLIMIT_NOFILE
  uint64_t processes = 0;      ///< RLIMIT_NPROC
  uint64_t stack = 0;          ///< bytes, RLIMIT_STACK
};

/// One process to start. Everything is resolved by the caller: no PATH lookup happens here.
struct SpawnRequest {
  std::vector<std::string> argv;  ///< argv[0] as the program sees it
  std::string executable;         ///< the file to execute (absolute); empty: argv[0], which is
                                  ///< then the absolute path of the executable. Executors that
                                  ///< rewrite argv (a QEMU prefix) must rewrite this too.
  std::vector<std::string> env;   ///< the complete environment, "NAME=value"
  std::string cwd;                ///< absolute working directory
  int stdin_fd = -1;              ///< borrowed fds, dup2'ed onto 0/1/2 in the child;
  int stdout_fd = -1;             ///< the caller closes its copies after spawn() returns
  int stderr_fd = -1;
  mode_t umask = 022;
  Limits limits;
  bool last = false;  ///< no other process of the session starts after this one: the executor
                      ///< may clean up once it and all before it ended (a cell resets at once)
};

/// How a process ended.
struct ExitStatus {
  int code = 0;        ///< exit code when signal == 0
  int signal = 0;      ///< terminating signal number, 0 if the process exited
  std::string error;   ///< why: with signal == 0, the process never ran ("exec: Permission
                       ///< denied"); with a signal, why it was killed (denied_syscall)
  bool setup_failure = false;  ///< the executor itself failed (sandbox step + errno): UNRESOLVED
  int exec_errno = 0;          ///< the process never ran: the errno of the step that failed
                               ///< (exec, chdir, ...), which `error` describes
  bool target_timeout = false;  ///< killed (SIGKILL) by a target executor for the test's timeout
  std::string denied_syscall;   ///< killed (SIGSYS) by the sandbox's seccomp policy for this
                                ///< system call (its name, or its number); `error` says so

  /// lit's view of the status: exit code, or -signal for a death by signal.
  int lit_code() const { return signal ? -signal : code; }
};

using ExitHandler = std::function<void(ExitStatus)>;

/// What the end of a session settled (Session::async_close).
struct CloseReport {
  Status status;                   ///< an error: the test's outputs could not all be published (UNRESOLVED)
  std::vector<std::string> notes;  ///< lines for the test's report: what was not published, and where it is
};

/// The processes of one test. Every process a session starts shares its fate: terminate()
/// kills them all (and, where the executor can, everything they started).
class Session {
 public:
  virtual ~Session() = default;
  /// Starts `req`; `on_exit` runs later on the io_context, exactly once.
  virtual void spawn(SpawnRequest req, ExitHandler on_exit) = 0;
  /// Calls `on_ready` (on the io_context, or at once) when the session can run commands and
  /// its fs() reflects the test's view; an error is a setup failure (UNRESOLVED). Lets the
  /// runner wait for a sandbox cell without blocking its thread. Default: ready at once.
  virtual void async_wait_ready(std::function<void(Status)> on_ready) { on_ready(Status()); }
  /// Kills every process the session started (timeout, interrupt). Pending handlers still run.
  virtual void terminate() = 0;
  /// The filesystem as this session's processes see it. The shell does its own file work
  /// (redirections, mkdir, rm, cd, globs, executable lookup) through it, never on host paths.
  virtual FileSystem& fs() { return host_filesystem(); }
  /// Environment variables the session forces (e.g. TMPDIR and HOME inside a sandbox).
  virtual std::map<std::string, std::string> environment_overrides() const { return {}; }
  /// Called once when the test is over. Kills what is left and releases resources.
  virtual void close() {}
  /// Instead of close(): the same, then calls `done` (on the io_context, or at once) once what
  /// the test left is where the runner reports it from (a sandbox cell: its outputs published).
  virtual void async_close(std::function<void(CloseReport)> done) {
    close();
    done({});
  }
};

/// What a session needs to know about its test.
struct SessionSpec {
  std::string test_name;    ///< "<suite> :: <path>", for messages
  std::string source_path;  ///< %s
  std::string source_dir;   ///< %S
  std::string output_dir;   ///< %T: the Output directory that holds %t
  std::string tmp_prefix;   ///< Output/<file name>: %t is tmp_prefix + ".tmp"; the test owns
                            ///< every path that starts with this prefix
  /// libc++'s layout (format: libcxx): the test's %T is its own directory,
  /// `tmp_prefix + ".dir"`, which it owns too (a sandbox publishes it).
  bool owns_tmp_dir = false;
  /// For target executors: output_dir is the test's own directory (libc++'s --execdir);
  /// everything in it is shipped before each command, which runs there.
  bool ship_output_dir = false;
  /// Called by executors that defer work (batch): +1 when a request of this session is
  /// queued to run later, -1 when its result has been delivered. The runner frees the test's
  /// slot while it waits and shows it as DEFERRED. May be empty.
  std::function<void(int delta)> deferred;
};

/// A way of running processes. One instance serves many tests, one Session each.
class Executor {
 public:
  virtual ~Executor() = default;
  /// Opens a session for one test. An error is a setup failure (the test is UNRESOLVED).
  virtual Expected<std::unique_ptr<Session>> open(const SessionSpec& spec) = 0;
  /// A short name for messages ("local", "sandbox", "qemu", "ssh", "batch").
  virtual std::string name() const = 0;
  /// The runner has nothing else to do until the requests this executor deferred are done
  /// (every test in flight waits for one): an executor that collects requests into batches
  /// ships what it has now instead of waiting for more. The others have nothing to do.
  virtual void flush() {}
};

}  // namespace litbox::exec

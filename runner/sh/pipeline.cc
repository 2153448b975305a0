#include "runner/sh/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "runner/sh/builtin_tool.h"
#include "runner/sh/fd.h"
#include "runner/sh/glob.h"
#include "runner/sh/inproc_builtins.h"
#include "runner/sh/prefix_words.h"
#include "runner/sh/py_os.h"
#include "runner/sh/py_path.h"
#include "runner/sh/py_text.h"
#include "runner/sh/redirects.h"
#include "runner/sh/scoped_umask.h"
#include "runner/sh/which.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace asio = boost::asio;

namespace {

// A wake-up for the coroutine that waits on a pipeline: exit handlers and pipe readers call
// notify(); the waiter re-checks its condition. Single-threaded, so no wake-up is lost
// between the check and the wait.
class Signal {
 public:
  explicit Signal(asio::any_io_executor ex) : timer_(ex) {}
  void notify() { timer_.cancel(); }
  asio::awaitable<void> wait() {
    timer_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

 private:
  asio::steady_timer timer_;
};

// State a process shares with its exit handler and its pipe readers, which may outlive the
// pipeline when it is abandoned after an error.
struct ProcSlot {
  std::optional<exec::ExitStatus> status;
  std::string out, err;
  uint64_t out_dropped = 0, err_dropped = 0;  // bytes read past the cap, not kept
  int readers = 0;
};

struct Proc {
  size_t index = 0;  // of the command in the pipeline
  int not_count = 0;
  bool local_not_crash = false;  // `not --crash` of a target command, evaluated here
  std::string executable;
  std::shared_ptr<ProcSlot> slot = std::make_shared<ProcSlot>();
  Fd stdout_read;   // our end of its stdout pipe
  Fd stderr_read;   // our end of its stderr pipe
  bool stderr_as_file = false;  // not the last command: lit sends its stderr to a temporary
                                // file, read in binary (no universal newlines)
};

// What lit keeps of a pipe it drains at the end: everything. A writer that never stops
// (`yes | head -1`) would make it grow without bound, so litbox keeps the first 16 MiB.
constexpr size_t kLeftoverCap = 16u << 20;

// `shared`: a child got the same pipe end as its stdin.
asio::awaitable<void> drain(Fd fd, std::shared_ptr<ProcSlot> slot, bool to_err, size_t cap, std::shared_ptr<Signal> sig,
                            bool shared) {
  auto ex = co_await asio::this_coro::executor;
  // Our own open file description, so that O_NONBLOCK (which Asio sets) cannot leak into a
  // child that reads the same pipe as its stdin.
  if (shared) {
    std::string proc_path = "/proc/self/fd/" + std::to_string(fd.get());
    Fd own(open(proc_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (own.valid()) fd = std::move(own);
  }
  asio::posix::stream_descriptor sd(ex, fd.release());
  constexpr size_t kBuf = 65536;
  auto buf = std::make_unique_for_overwrite<char[]>(kBuf);  // not zeroed: two per command
  std::string& dst = to_err ? slot->err : slot->out;
  uint64_t& dropped = to_err ? slot->err_dropped : slot->out_dropped;
  for (;;) {
    boost::system::error_code ec;
    size_t n = co_await sd.async_read_some(asio::buffer(buf.get(), kBuf), asio::redirect_error(asio::use_awaitable, ec));
    size_t keep = dst.size() < cap ? std::min(n, cap - dst.size()) : 0;
    dst.append(buf.get(), keep);
    dropped += n - keep;
    if (ec) break;
  }
  --slot->readers;
  sig->notify();
}

void start_drain(asio::any_io_executor ex, Fd& fd, const std::shared_ptr<ProcSlot>& slot, bool to_err, size_t cap,
                 const std::shared_ptr<Signal>& sig, bool shared) {
  if (!fd.valid()) return;
  ++slot->readers;
  asio::co_spawn(ex, drain(std::move(fd), slot, to_err, cap, sig, shared), asio::detached);
}

// What the log shows of a file a failed command wrote: lit prints its first 1024 characters
// (at most 4 bytes each), or nothing when it is blank. A file of any size costs this much.
constexpr size_t kOutputFileHead = 8192;

int read_output_file(exec::FileSystem& fs, const std::string& path, OutputFile* f) {
  int r = fs.open(path, O_RDONLY);
  if (r < 0) return -r;
  Fd fd(r);
  struct stat st;
  if (fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) return EISDIR;
  char buf[65536];
  bool blank = true;
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) {
      if (blank) *f = {f->name_repr, "", false};  // all blank: lit leaves it out
      return 0;
    }
    size_t keep = f->data.size() < kOutputFileHead ? std::min<size_t>(n, kOutputFileHead - f->data.size()) : 0;
    f->data.append(buf, keep);
    blank = blank && py_bytes_blank(std::string_view(buf, n));
    if (keep < static_cast<size_t>(n)) {
      f->more = true;
      if (!blank) return 0;  // a blank head followed by text still shows
    }
  }
}

std::vector<std::string> texts(const std::vector<Word>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) out.push_back(w.text);
  return out;
}

// lit's text-mode pipes: decoded with replacement characters, universal newlines.
std::string decode_text_pipe(const std::string& bytes) { return universal_newlines(utf8_decode_replace(bytes)); }

// lit runs `executable` with argv[0] as written (Popen(args, executable=...)), so `ls` says
// "ls: ..." and not "/usr/bin/ls: ...". SpawnRequest::executable is only set when the two
// differ: decorators that rewrite argv (QEMU's prefix) keep working on the common case of a
// program named by its absolute path.
void set_executable(exec::SpawnRequest& req, std::vector<std::string> argv, const std::string& executable) {
  if (argv[0] != executable) req.executable = executable;
  req.argv = std::move(argv);
}

struct Pending {
  std::vector<Proc> procs;
  std::vector<std::shared_ptr<OpenedFile>> opened;
};


// lit's InternalShellError: the command's result says why (exit 127) and the script stops.
ExecStatus shell_error(ShellContext& ctx, const std::vector<std::string>& args, std::string message) {
  CommandResult r;
  r.args = args;
  r.err = message;
  r.exit_code = 127;
  ctx.results.push_back(std::move(r));
  ctx.abort = {Abort::Kind::kShellError, std::move(message)};
  return ExecStatus::aborted();
}

// A Python exception in lit: the test is UNRESOLVED.
ExecStatus exception(ShellContext& ctx, std::string message) {
  ctx.abort = {Abort::Kind::kException, std::move(message)};
  return ExecStatus::aborted();
}

ExecStatus fail(ShellContext& ctx, const std::vector<std::string>& args, StepError e) {
  return e.exception ? exception(ctx, std::move(e.message)) : shell_error(ctx, args, std::move(e.message));
}

StepError os_exception(int err) { return {true, py_oserror_class(err) + ": " + py_oserror(err, "")}; }

// The executable as lit finds it: a ./relative name against the shell's cwd, else PATH; then
// Python's Popen checks (a bad cwd, a file that is not executable) before anything runs.
std::optional<StepError> resolve_executable(exec::FileSystem& fs, const std::string& name, const std::string& cwd,
                                            const std::map<std::string, std::string>& env, std::string* executable) {
  if (starts_with(name, ".")) {
    std::string in_cwd = py_join(cwd, name);
    struct stat st;
    if (fs.stat(in_cwd, &st) == 0 && S_ISREG(st.st_mode)) *executable = in_cwd;
  }
  if (executable->empty()) {
    auto path = env.find("PATH");
    if (path == env.end()) return StepError{true, "KeyError: 'PATH'"};
    *executable = lit_which(fs, name, path->second).value_or("");
  }
  if (executable->empty()) return StepError{false, py_repr(name) + ": command not found"};
  struct stat st;
  int err = fs.stat(cwd, &st);
  if (!err && !S_ISDIR(st.st_mode)) err = ENOTDIR;
  std::string what = py_repr(cwd);
  if (!err && (err = py_access(fs, *executable, X_OK))) what = py_repr(*executable);
  if (err) return StepError{false, "Could not create process (" + *executable + ") due to " + py_oserror(err, what)};
  return std::nullopt;
}

// The child's ends of the pipes made for one process, open until it has been spawned.
struct ChildEnds {
  Fd stdin_read, stdout_write, stderr_write;
};

// Wires the process's stdin, stdout and stderr from its redirections: pipes the shell reads,
// the previous command's pipe, or files. `stderr_is_stdout`: its stderr pipe stands in for
// stdout (2>&1 while stdout is a file).
std::optional<StepError> wire_stdio(const RedirectResult& rr, bool last, bool stderr_is_stdout, Proc& proc,
                                    exec::SpawnRequest& req, ChildEnds& ends) {
  int fds[2];
  // stdin: a pipe the shell closes at once, the previous command's pipe, or a file.
  if (rr.in.kind == Stream::Kind::kPipe) {
    if (pipe2(fds, O_CLOEXEC) != 0) return os_exception(errno);
    ends.stdin_read = Fd(fds[0]);
    ::close(fds[1]);
    req.stdin_fd = ends.stdin_read.get();
  } else {
    req.stdin_fd = rr.in.fd;
  }
  if (rr.out.kind == Stream::Kind::kPipe) {
    if (pipe2(fds, O_CLOEXEC) != 0) return os_exception(errno);
    proc.stdout_read = Fd(fds[0]);
    ends.stdout_write = Fd(fds[1]);
    req.stdout_fd = ends.stdout_write.get();
  } else {
    req.stdout_fd = rr.out.fd;
  }
  switch (rr.err.kind) {
    case Stream::Kind::kStdout:
      req.stderr_fd = req.stdout_fd;
      break;
    case Stream::Kind::kPipe:
      if (pipe2(fds, O_CLOEXEC) != 0) return os_exception(errno);
      proc.stderr_read = Fd(fds[0]);
      ends.stderr_write = Fd(fds[1]);
      req.stderr_fd = ends.stderr_write.get();
      // Not the last command: lit's temporary file, so that nobody blocks on a full pipe.
      // Here a pipe drained from the start does that, keeping at most the cap (a file would
      // hold all of it, in memory for a memfd).
      proc.stderr_as_file = !last && !stderr_is_stdout;
      break;
    default:
      req.stderr_fd = rr.err.fd;
      break;
  }
  return std::nullopt;
}

// The environment a process starts with: the command's (after `env`), with a target
// session's own variables, or run.py's empty one for `litbox-exec --execdir` run locally.
std::map<std::string, std::string> spawn_environment(std::map<std::string, std::string> env, const exec::Session& session,
                                                     const exec::Session& test_session, bool exec_dir) {
  // The test's session set its variables (TMPDIR, HOME) in the environment the script started
  // with, where `env` and `export` may change them as under lit. A target session's own ones
  // are for the commands it runs.
  if (&session != &test_session)
    for (const auto& [k, v] : session.environment_overrides()) env[k] = v;
  if (exec_dir && &session == &test_session) {
    // run.py's empty environment, but for the emulation's QEMU_LD_PREFIX: a foreign program
    // that a native one starts (a script) runs under a QEMU that binfmt_misc starts, which
    // finds the program's loader only through it.
    auto qemu = env.find("QEMU_LD_PREFIX");
    std::map<std::string, std::string> kept;
    if (qemu != env.end()) kept.insert(*qemu);
    return kept;
  }
  return env;
}

// lit's communicate() on the last process (its stdout and stderr until EOF, and its exit),
// then whatever the earlier commands left in the pipes lit still holds, and their exits.
asio::awaitable<void> wait_for_all(Pending& pending, size_t cap, const std::shared_ptr<Signal>& sig) {
  auto ex = co_await asio::this_coro::executor;
  Proc& last = pending.procs.back();
  // (The last command's pipes are the shell's alone: no command follows to read them.)
  start_drain(ex, last.stdout_read, last.slot, false, cap, sig, false);
  start_drain(ex, last.stderr_read, last.slot, true, cap, sig, false);
  while (!last.slot->status || last.slot->readers > 0) co_await sig->wait();
  for (size_t k = 0; k + 1 < pending.procs.size(); ++k) {
    Proc& pr = pending.procs[k];
    start_drain(ex, pr.stdout_read, pr.slot, false, std::min(cap, kLeftoverCap), sig, true);
    start_drain(ex, pr.stderr_read, pr.slot, true, std::min(cap, kLeftoverCap), sig, true);
  }
  auto all_done = [&] {
    for (const Proc& pr : pending.procs)
      if (!pr.slot->status || pr.slot->readers > 0) return false;
    return true;
  };
  while (!all_done()) co_await sig->wait();
}

// Every file the pipeline wrote, in lit's sorted order, as it is now: shown for a failed command.
std::vector<OutputFile> written_files(exec::FileSystem& fs, const Pending& pending) {
  std::vector<const OpenedFile*> files;
  for (const auto& f : pending.opened)
    if (f->mode != "r") files.push_back(f.get());
  std::stable_sort(files.begin(), files.end(), [](const OpenedFile* a, const OpenedFile* b) {
    return std::tie(a->name.word.text, a->mode) < std::tie(b->name.word.text, b->mode);
  });
  std::vector<OutputFile> out;
  for (const OpenedFile* f : files) {
    OutputFile of;
    of.name_repr = repr(f->name);
    if (read_output_file(fs, f->path, &of) == 0) out.push_back(std::move(of));
  }
  return out;
}

// The results of the pipeline's processes once all ended, and the pipeline's status.
ExecStatus collect(const Pipeline& p, const Pending& pending, ShellContext& ctx) {
  const ShellOptions& opts = ctx.opts;
  for (const Proc& pr : pending.procs) {
    const exec::ExitStatus& st = *pr.slot->status;
    if (st.setup_failure) {
      ctx.abort = {Abort::Kind::kSetup, st.error};
      return ExecStatus::aborted();
    }
    if (!st.error.empty() && st.signal == 0) {
      std::string why = st.exec_errno ? py_oserror(st.exec_errno, py_repr(pr.executable)) : st.error;
      return shell_error(ctx, texts(p.commands[pr.index].args),
                         "Could not create process (" + pr.executable + ") due to " + why);
    }
  }
  std::optional<ExecStatus> exit_code;
  for (const Proc& pr : pending.procs) {
    const exec::ExitStatus& st = *pr.slot->status;
    int res = st.lit_code();
    // LLVM's `not --crash`: success exactly when the program died of a signal.
    if (pr.local_not_crash) res = st.signal != 0 ? 0 : 1;
    if (res == -SIGINT) {
      ctx.abort = {Abort::Kind::kInterrupted, "KeyboardInterrupt"};
      return ExecStatus::aborted();
    }
    ExecStatus s{ExecStatus::Kind::kCode, res, false};
    if (pr.not_count % 2) {
      s = {ExecStatus::Kind::kCode, res == 0 ? 1 : 0, true};
    } else if (pr.not_count > 1) {
      s.code = res != 0 ? 1 : 0;
    }
    CommandResult r;
    r.args = texts(p.commands[pr.index].args);
    r.out = decode_text_pipe(pr.slot->out);
    r.out_dropped = pr.slot->out_dropped;
    r.err_dropped = pr.slot->err_dropped;
    r.err = pr.stderr_as_file ? utf8_decode_replace(pr.slot->err) : decode_text_pipe(pr.slot->err);
    // A process killed with a reason (a denied system call, the target's timeout): say why.
    if (st.signal != 0 && !st.error.empty()) r.err += st.error + "\n";
    r.exit_code = s.code;
    r.exit_code_is_bool = s.is_bool;
    r.timeout_reached = opts.timed_out && *opts.timed_out;
    if (s.code != 0) r.output_files = written_files(ctx.opts.session->fs(), pending);
    ctx.results.push_back(std::move(r));
    if (p.pipefail) {
      // Take the last failing exit code from the pipeline.
      if (!exit_code || exit_code->code == 0 || s.code != 0) exit_code = s;
    } else {
      exit_code = s;
    }
  }
  return *exit_code;
}

}  // namespace

ReadfileResult expand_readfile(exec::FileSystem& fs, const std::string& word, const std::string& cwd) {
  static const std::string kOpen = "%{readfile:";
  ReadfileResult r;
  size_t pos = 0;
  for (;;) {
    size_t start = word.find(kOpen, pos);
    size_t close = start == std::string::npos ? start : word.find('}', start + kOpen.size());
    if (start == std::string::npos || close == std::string::npos) {
      r.text += word.substr(pos);
      return r;
    }
    r.text += word.substr(pos, start - pos);
    std::string path = word.substr(start + kOpen.size(), close - start - kOpen.size());
    if (!py_isabs(path)) path = py_join(cwd, path);
    std::string data;
    int err = read_whole_file(fs, path, &data);
    if (err == ENOENT) {
      r.error = "File specified in readfile substitution does not exist: " + path;
      return r;
    }
    if (err) {
      r.error = py_oserror_class(err) + ": " + py_oserror(err, py_repr(path));
      r.is_exception = true;
      return r;
    }
    r.text += universal_newlines(data);
    pos = close + 1;
  }
}

asio::awaitable<ExecStatus> run_pipeline(const Pipeline& p, ShellContext& ctx) {
  auto ex = co_await asio::this_coro::executor;
  ShellState& shenv = ctx.state;
  const ShellOptions& opts = ctx.opts;
  // The test's view of the filesystem. Commands sent to the target session (litbox-exec)
  // still have their redirections, globs and program resolved here, where their files are.
  exec::FileSystem& fs = opts.session->fs();
  Pending pending;
  auto sig = std::make_shared<Signal>(ex);
  // What is kept for the report is capped (output_limit); the rest is read and counted.
  const size_t cap = opts.output_limit ? opts.output_limit : SIZE_MAX;

  // lit raises InternalShellError (or crashes) in the middle of the loop, leaving the processes
  // it already started to themselves; the session reaps them when the test ends.
  Stream default_stdin{Stream::Kind::kPipe, -1};
  for (size_t i = 0; i < p.commands.size(); ++i) {
    const Command& j = p.commands[i];
    const auto j_args = texts(j.args);
    std::vector<Word> args = j.args;
    for (Word& w : args) {
      if (w.glob) continue;
      ReadfileResult rf = expand_readfile(fs, w.text, shenv.cwd);
      if (!rf.error.empty()) co_return fail(ctx, j_args, {rf.is_exception, rf.error});
      w.text = std::move(rf.text);
    }

    PrefixWords prefix;
    if (auto e = strip_prefix_words(args, shenv.env, shenv.cwd, &prefix)) co_return fail(ctx, j_args, std::move(*e));
    if (args[0].glob) co_return exception(ctx, "TypeError: unhashable type: 'GlobItem'");
    const std::string name = args[0].text;
    const std::map<std::string, std::string>& cmd_env = prefix.env ? *prefix.env : shenv.env;

    if (is_inproc_builtin(name) && (name != "echo" || p.commands.size() == 1)) {
      // env calling an in-process builtin is useless, so lit complains.
      if (prefix.env) co_return shell_error(ctx, j_args, "Error: 'env' cannot call '" + name + "'");
      if (prefix.not_crash) co_return shell_error(ctx, j_args, "Error: 'not --crash' cannot call '" + name + "'");
      if (p.commands.size() != 1)
        co_return shell_error(ctx, j_args, "Unsupported: '" + name + "' cannot be part of a pipeline");
      BuiltinOutcome b = [&] {
        ScopedUmask mask(shenv.umask);
        return run_inproc_builtin(fs, args, j.redirects, shenv);
      }();
      if (b.exception) co_return exception(ctx, *b.exception);
      if (b.shell_error) co_return shell_error(ctx, texts(args), *b.shell_error);
      CommandResult r;
      r.args = j_args;
      r.out = std::move(b.out);
      r.err = std::move(b.err);
      r.exit_code = prefix.not_count % 2 ? (b.exit_code == 0 ? 1 : 0) : b.exit_code;
      ctx.results.push_back(std::move(r));
      co_return ExecStatus{ExecStatus::Kind::kCode, ctx.results.back().exit_code, false};
    }

    if (is_builtin_tool(name)) {
      args.insert(args.begin(), {Word{opts.builtin_exe, false}, Word{"--litbox-builtin", false}});
    }
    // `not --crash` runs LLVM's `not` around the program, except for a command bound for the
    // target: only the program goes there (the target may have no `not`, or another
    // architecture), and the crash check is made here from its exit status.
    const bool on_target = prefix.on_target && opts.target_session;
    const bool local_not_crash = prefix.not_crash && on_target;
    int not_count = prefix.not_count;
    if (prefix.not_crash) {
      if (!local_not_crash) args.insert(args.begin(), prefix.not_words.begin(), prefix.not_words.end());
      not_count = 0;
    }

    RedirectResult rr = [&] {
      ScopedUmask mask(shenv.umask);
      return process_redirects(fs, j.redirects, default_stdin, shenv.cwd, pending.opened);
    }();
    if (rr.failure == RedirectResult::Failure::kShellError) co_return shell_error(ctx, j_args, rr.message);
    if (rr.failure == RedirectResult::Failure::kException) co_return exception(ctx, rr.message);
    bool last = i + 1 == p.commands.size();
    // stderr wanting stdout while stdout is not a pipe gets a pipe of its own, treated as the
    // command's stdout for the next command.
    bool stderr_is_stdout = false;
    if (rr.err.kind == Stream::Kind::kStdout && rr.out.kind != Stream::Kind::kPipe) {
      rr.err.kind = Stream::Kind::kPipe;
      stderr_is_stdout = true;
    }

    std::string executable;
    if (auto e = resolve_executable(fs, args[0].text, shenv.cwd, cmd_env, &executable))
      co_return fail(ctx, j_args, std::move(*e));
    // The run record's tool log (a command bound for the target is not found in this fs).
    if (opts.on_executable && !on_target) opts.on_executable(fs, executable);
    std::vector<std::string> argv = expand_glob_expressions(fs, args, shenv.cwd);

    Proc proc;
    proc.index = i;
    proc.not_count = not_count;
    proc.local_not_crash = local_not_crash;
    proc.executable = executable;
    exec::SpawnRequest req;
    ChildEnds ends;
    if (auto e = wire_stdio(rr, last, stderr_is_stdout, proc, req, ends)) co_return fail(ctx, j_args, std::move(*e));

    exec::Session* session = on_target ? opts.target_session : opts.session;
    set_executable(req, std::move(argv), executable);
    for (const auto& [k, v] : spawn_environment(cmd_env, *session, *opts.session, prefix.exec_dir.has_value()))
      req.env.push_back(k + "=" + v);
    req.cwd = prefix.exec_dir ? *prefix.exec_dir : shenv.cwd;
    req.umask = shenv.umask;
    req.limits = shenv.limits;
    // The script's last process: its session may clean up once it ended. Only if no command
    // of the pipeline (a builtin, a `cd`) follows it in the session.
    req.last = ctx.tail && last && session == opts.session;
    if (proc.stderr_as_file) start_drain(ex, proc.stderr_read, proc.slot, true, cap, sig, false);
    session->spawn(std::move(req), [slot = proc.slot, sig](exec::ExitStatus s) {
      slot->status = std::move(s);
      sig->notify();
    });
    // Like lit's TimeoutHelper.addProcess: a process started after the timeout fired is
    // killed at once.
    if (opts.timed_out && *opts.timed_out) session->terminate();

    if (rr.out.kind == Stream::Kind::kPipe) {
      default_stdin = Stream{Stream::Kind::kInherit, proc.stdout_read.get()};
    } else if (stderr_is_stdout) {
      default_stdin = Stream{Stream::Kind::kInherit, proc.stderr_read.get()};
    } else {
      default_stdin = Stream{Stream::Kind::kPipe, -1};
    }
    pending.procs.push_back(std::move(proc));
  }
  // The children hold their own copies of the redirection files now.
  for (auto& f : pending.opened) f->fd.reset();

  co_await wait_for_all(pending, cap, sig);
  co_return collect(p, pending, ctx);
}

}  // namespace litbox::runner::sh

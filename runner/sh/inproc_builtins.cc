#include "runner/sh/inproc_builtins.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runner/sh/py_path.h"
#include "runner/sh/py_text.h"
#include "runner/sh/redirects.h"

namespace litbox::runner::sh {

namespace {

BuiltinOutcome shell_error(std::string message) {
  BuiltinOutcome o;
  o.shell_error = std::move(message);
  return o;
}

BuiltinOutcome exception(std::string message) {
  BuiltinOutcome o;
  o.exception = std::move(message);
  return o;
}

// ShellEnvironment.change_dir: absolute paths are taken verbatim, relative ones resolved.
std::optional<std::string> change_dir(exec::FileSystem& fs, ShellState& state, const Word& dir) {
  if (dir.glob) return "TypeError: expected str, bytes or os.PathLike object, not GlobItem";
  state.cwd = py_isabs(dir.text) ? dir.text : py_realpath(fs, py_join(state.cwd, dir.text));
  return std::nullopt;
}

BuiltinOutcome builtin_cd(exec::FileSystem& fs, const std::vector<Word>& args, ShellState& state) {
  if (args.size() != 2) return shell_error("'cd' supports only one argument");
  if (auto e = change_dir(fs, state, args[1])) return exception(*e);
  return {};
}

BuiltinOutcome builtin_pushd(exec::FileSystem& fs, const std::vector<Word>& args, ShellState& state) {
  if (args.size() != 2) return shell_error("'pushd' supports only one argument");
  state.dir_stack.push_back(state.cwd);
  if (auto e = change_dir(fs, state, args[1])) return exception(*e);
  return {};
}

BuiltinOutcome builtin_popd(const std::vector<Word>& args, ShellState& state) {
  if (args.size() != 1) return shell_error("'popd' does not support arguments");
  if (state.dir_stack.empty()) return shell_error("popd: directory stack empty");
  state.cwd = state.dir_stack.back();
  state.dir_stack.pop_back();
  return {};
}

BuiltinOutcome builtin_export(const std::vector<Word>& args, ShellState& state) {
  // lit 15 constructs InternalShellError with one argument here and crashes with a TypeError.
  if (args.size() != 2)
    return exception("TypeError: InternalShellError.__init__() missing 1 required positional argument: 'message'");
  bool glob_error = false;
  update_env(state.env, args, &glob_error);
  if (glob_error) return exception("AttributeError: 'GlobItem' object has no attribute 'partition'");
  return {};
}

BuiltinOutcome builtin_echo(exec::FileSystem& fs, const std::vector<Word>& args, const std::vector<Redirect>& redirects,
                            ShellState& state) {
  std::vector<std::shared_ptr<OpenedFile>> opened;
  RedirectResult r = process_redirects(fs, redirects, Stream{Stream::Kind::kPipe, -1}, state.cwd, opened);
  if (r.failure == RedirectResult::Failure::kShellError) return shell_error(r.message);
  if (r.failure == RedirectResult::Failure::kException) return exception(r.message);
  if (r.in.kind != Stream::Kind::kPipe || r.err.kind != Stream::Kind::kPipe)
    return shell_error("stdin and stderr redirects not supported for echo");
  bool is_redirected = r.out.kind != Stream::Kind::kPipe;

  // Only -e and -n, as leading words, in any number and order; anything else is printed.
  size_t i = 1;
  bool interpret_escapes = false, write_newline = true;
  for (; i < args.size() && !args[i].glob && (args[i].text == "-e" || args[i].text == "-n"); ++i) {
    if (args[i].text == "-e") interpret_escapes = true;
    if (args[i].text == "-n") write_newline = false;
  }
  std::string text;
  for (size_t k = i; k < args.size(); ++k) {
    if (args[k].glob) {
      if (interpret_escapes) return exception("AttributeError: 'GlobItem' object has no attribute 'encode'");
      return exception(is_redirected ? "TypeError: write() argument must be str, not GlobItem"
                                     : "TypeError: string argument expected, got 'GlobItem'");
    }
    if (k > i) text += ' ';
    if (interpret_escapes) {
      auto unescaped = unicode_escape_decode(args[k].text);
      if (!unescaped) return exception(unescaped.error().message);
      text += *unescaped;
    } else {
      text += args[k].text;
    }
  }
  if (write_newline) text += '\n';
  BuiltinOutcome o;
  if (!is_redirected) {
    o.out = std::move(text);
    return o;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t n = write(r.out.fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return exception(py_oserror_class(errno) + ": " + py_oserror(errno, ""));
    }
    rest.remove_prefix(n);
  }
  return o;
}

BuiltinOutcome builtin_umask(const std::vector<Word>& args, ShellState& state) {
  if (args.size() != 2) return shell_error("'umask' supports only one argument");
  auto v = py_int(args[1].text, 8);
  if (!v) return shell_error("Error: 'umask': " + v.error().message);
  state.umask = static_cast<mode_t>(*v) & 07777;
  return {};
}

BuiltinOutcome builtin_ulimit(const std::vector<Word>& args, ShellState& state) {
  if (args.size() != 3) return shell_error("'ulimit' requires two arguments");
  uint64_t limit;
  const uint64_t infinity = RLIM_INFINITY;
  if (args[2].text == "unlimited") {
    limit = infinity;
  } else {
    auto v = py_int(args[2].text, 10);
    if (!v) return shell_error("Error: 'ulimit': " + v.error().message);
    // exec::Limits has no way to say "0", which means "leave as is" there.
    limit = *v < 0 ? 0 : static_cast<uint64_t>(*v);
  }
  const std::string& opt = args[1].text;
  auto kib = [&](uint64_t v) { return v == infinity ? v : v * 1024; };
  if (opt == "-v") {
    state.limits.address_space = kib(limit);
  } else if (opt == "-n") {
    state.limits.open_files = limit;
  } else if (opt == "-s") {
    state.limits.stack = kib(limit);
  } else if (opt == "-f") {
    state.limits.file_size = limit;
  } else {
    return shell_error("'ulimit' does not support option: " + opt);
  }
  return {};
}

}  // namespace

bool is_inproc_builtin(const std::string& name) {
  return name == "cd" || name == "export" || name == "echo" || name == "mkdir" || name == "popd" || name == "pushd" ||
         name == "rm" || name == ":" || name == "umask" || name == "ulimit";
}

size_t update_env(std::map<std::string, std::string>& env, const std::vector<Word>& args, bool* glob_error) {
  bool unset_next = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const Word& w = args[i];
    if (w.glob) {
      *glob_error = true;
      return args.size();
    }
    if (w.text == "-u") {
      unset_next = true;
      continue;
    }
    if (unset_next) {
      unset_next = false;
      env.erase(w.text);
      continue;
    }
    size_t eq = w.text.find('=');
    if (eq == std::string::npos) return i;
    env[w.text.substr(0, eq)] = w.text.substr(eq + 1);
  }
  return args.size();
}

BuiltinOutcome run_inproc_builtin(exec::FileSystem& fs, const std::vector<Word>& args,
                                  const std::vector<Redirect>& redirects, ShellState& state) {
  const std::string& name = args[0].text;
  if (name == "cd") return builtin_cd(fs, args, state);
  if (name == "pushd") return builtin_pushd(fs, args, state);
  if (name == "popd") return builtin_popd(args, state);
  if (name == "export") return builtin_export(args, state);
  if (name == "echo") return builtin_echo(fs, args, redirects, state);
  if (name == "mkdir") return builtin_mkdir(fs, args, state);
  if (name == "rm") return builtin_rm(fs, args, state);
  if (name == "umask") return builtin_umask(args, state);
  if (name == "ulimit") return builtin_ulimit(args, state);
  return {};  // ':'
}

}  // namespace litbox::runner::sh

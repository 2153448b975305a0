#include "runner/sh/prefix_words.h"

#include "runner/sh/inproc_builtins.h"
#include "runner/sh/py_path.h"

namespace litbox::runner::sh {

namespace {

bool is_word(const std::vector<Word>& args, const char* text) {
  return !args.empty() && !args[0].glob && args[0].text == text;
}

StepError shell_error(std::string message) { return {false, std::move(message)}; }

}  // namespace

std::optional<StepError> strip_prefix_words(std::vector<Word>& args, const std::map<std::string, std::string>& shell_env,
                                            const std::string& cwd, PrefixWords* out) {
  for (;;) {
    if (args[0].glob) return std::nullopt;
    const std::string a0 = args[0].text;
    if (a0 == "env") {
      if (!out->env) out->env = shell_env;
      bool glob_error = false;
      size_t next = update_env(*out->env, args, &glob_error);
      if (glob_error) return StepError{true, "AttributeError: 'GlobItem' object has no attribute 'partition'"};
      args.erase(args.begin(), args.begin() + next);
      if (args.empty()) return shell_error("Error: 'env' requires a subcommand");
    } else if (a0 == "not" || a0 == "!") {
      out->not_words.push_back(args[0]);
      args.erase(args.begin());
      ++out->not_count;
      if (a0 == "not" && is_word(args, "--crash")) {
        out->not_words.push_back(args[0]);
        args.erase(args.begin());
        out->not_crash = true;
      }
      if (args.empty()) return shell_error("Error: '" + a0 + "' requires a subcommand");
    } else if (a0 == "litbox-exec") {
      // litbox's own prefix: run this command on the target (remote %{exec}) session.
      // `--execdir DIR --` (libc++'s %{exec}) runs it in DIR with an empty environment, as
      // libc++'s run.py does; a target runs it in the test's directory, which is DIR.
      args.erase(args.begin());
      out->on_target = true;
      if (is_word(args, "--execdir")) {
        if (args.size() < 2) return shell_error("Error: 'litbox-exec --execdir' requires a directory");
        out->exec_dir = py_normpath(py_join(cwd, args[1].text));
        args.erase(args.begin(), args.begin() + 2);
        if (is_word(args, "--")) args.erase(args.begin());
      }
      if (args.empty()) return shell_error("Error: 'litbox-exec' requires a subcommand");
    } else {
      return std::nullopt;
    }
  }
}

}  // namespace litbox::runner::sh

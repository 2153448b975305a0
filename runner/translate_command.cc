#include "runner/translate_command.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <string>
#include <vector>

namespace litbox::runner {

namespace {

// The translator script: LITBOX_TRANSLATOR, else next to the source tree this binary was
// built from (build/bin/litbox → scripts/lit-to-yaml), else an installed copy.
std::string find_translator() {
  if (const char* env = std::getenv("LITBOX_TRANSLATOR")) return env;
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::vector<std::string> candidates;
  if (n > 0) {
    std::string exe(buf, static_cast<size_t>(n));
    std::string dir = exe.substr(0, exe.rfind('/'));
    candidates.push_back(dir + "/../../scripts/lit-to-yaml");
    candidates.push_back(dir + "/../share/litbox/lit-to-yaml");
    candidates.push_back(dir + "/../scripts/lit-to-yaml");
  }
  candidates.push_back(LITBOX_SOURCE_DIR "/scripts/lit-to-yaml");
  for (const auto& c : candidates)
    if (access(c.c_str(), R_OK) == 0) return c;
  return "";
}

}  // namespace

int translate_main(int argc, char** argv) {
  std::string script = find_translator();
  if (script.empty()) {
    std::fprintf(stderr, "litbox translate: cannot find the translator script (scripts/lit-to-yaml); set LITBOX_TRANSLATOR\n");
    return 2;
  }
  // Run the script itself, so its #!/usr/bin/python3 line picks the interpreter (as lit is
  // run): the translator records sys.executable as %python.
  std::vector<std::string> args = {script};
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  setenv("LIT_TO_YAML_PROG", "litbox translate", 1);  // its usage names the command the user typed
  execv(script.c_str(), cargs.data());
  std::perror(("litbox translate: " + script).c_str());
  return 2;
}

}  // namespace litbox::runner

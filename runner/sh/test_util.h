// Helpers shared by the shell's tests: files, running a process (their TempDir is
// support/testing/temp_dir.h).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/testing/temp_dir.h"

namespace litbox::runner::sh::testing {

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct ProcessOutput {
  std::string out, err;
  int code = -1;
};

/// Runs argv[0] (a path) in `cwd` with `input` on stdin; blocking, for tests only.
inline ProcessOutput run_process(const std::vector<std::string>& argv, const std::string& cwd,
                                 const std::string& input = "") {
  litbox::testing::TempDir io;
  write_file(io / "in", input);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open((io / "in").c_str(), O_RDONLY);
    int out = open((io / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open((io / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int ws = 0;
  waitpid(pid, &ws, 0);
  ProcessOutput r;
  r.out = read_file(io / "out");
  r.err = read_file(io / "err");
  r.code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
  return r;
}

/// Replaces every occurrence of `from` in `s`.
inline std::string replace_all_in(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

}  // namespace litbox::runner::sh::testing

// Helpers shared by the shell's tests: temporary directories, files, running a process.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace litbox::runner::sh::testing {

/// A fresh directory (realpath'ed), removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/litbox-sh-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    path_ = std::filesystem::canonical(p).string();
  }
  ~TempDir() {
    std::error_code ec;
    // Tests may leave read-only directories behind; make everything writable first.
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      chmod(it->path().c_str(), 0755);
    }
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

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
  TempDir io;
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

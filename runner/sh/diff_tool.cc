// lit 15's builtin_commands/diff.py.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "runner/sh/builtin_tool.h"
#include "runner/sh/difflib.h"
#include "runner/sh/getopt.h"
#include "runner/sh/py_path.h"
#include "runner/sh/py_text.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

struct Flags {
  bool ignore_all_space = false;
  bool ignore_space_change = false;
  bool unified_diff = false;
  size_t num_context_lines = 3;
  bool recursive_diff = false;
  bool strip_trailing_cr = false;
};

// Python buffers stdout until exit but writes stderr at once; keeping that order matters when
// both go to the same file (2>&1).
struct Output {
  std::string out;
  void err(std::string_view s) const {
    while (!s.empty()) {
      ssize_t n = write(2, s.data(), s.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      s.remove_prefix(n);
    }
  }
  void flush() {
    std::string_view s = out;
    while (!s.empty()) {
      ssize_t n = write(1, s.data(), s.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      s.remove_prefix(n);
    }
    out.clear();
  }
};

// An OSError escaping compareTwoFiles: main() prints it as "Error: 'diff' command failed, ...".
struct IoError {
  std::string text;
};

// file.readlines() in binary mode: split after every '\n'.
std::vector<std::string> split_lines(const std::string& data) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    size_t end = nl == std::string::npos ? data.size() : nl + 1;
    lines.push_back(data.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::optional<IoError> read_lines(const std::string& path, std::vector<std::string>* lines) {
  int fd = path == "-" ? dup(0) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError{py_oserror(errno, py_repr(path))};
  struct stat st;
  if (path != "-" && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return IoError{py_oserror(EISDIR, py_repr(path))};
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return IoError{py_oserror(e, py_repr(path))};
    }
    if (n == 0) break;
    data.append(buf, n);
  }
  close(fd);
  *lines = split_lines(data);
  return std::nullopt;
}

int compare_text(const Flags& flags, const std::vector<std::string>& paths, std::vector<std::string> files[2],
                 Output& o) {
  for (int k = 0; k < 2; ++k) {
    for (auto& line : files[k]) {
      if (flags.strip_trailing_cr) line = replace_all(line, "\r\n", "\n");
      if (flags.ignore_all_space || flags.ignore_space_change)
        line = join(py_split_whitespace(line), flags.ignore_all_space ? "" : " ") + "\n";
    }
  }
  std::string d = flags.unified_diff ? unified_diff(files[0], files[1], paths[0], paths[1], flags.num_context_lines)
                                     : context_diff(files[0], files[1], paths[0], paths[1], flags.num_context_lines);
  o.out += d;
  return d.empty() ? 0 : 1;
}

std::optional<IoError> compare_two_files(const Flags& flags, const std::vector<std::string>& paths, Output& o,
                                         int* exit_code) {
  std::vector<std::string> files[2];
  for (int k = 0; k < 2; ++k)
    if (auto e = read_lines(paths[k], &files[k])) return e;
  bool text = true;
  for (int k = 0; k < 2 && text; ++k)
    for (const auto& l : files[k])
      if (!utf8_valid(l)) {
        text = false;
        break;
      }
  if (text) {
    *exit_code = compare_text(flags, paths, files, o);
    return std::nullopt;
  }
  // Undecodable input: difflib.diff_bytes(unified_diff, ...) whatever the flags, each line
  // shown with backslashreplace.
  std::string d = unified_diff(files[0], files[1], paths[0], paths[1], flags.num_context_lines);
  o.out += utf8_decode_backslashreplace(d);
  *exit_code = d.empty() ? 0 : 1;
  return std::nullopt;
}

struct DirTree {
  std::string name;
  bool is_file = false;
  std::vector<DirTree> children;
};

bool is_dir_follow(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// getDirTree(): None (nullopt) when the path cannot be listed, as os.walk yields nothing then.
std::optional<DirTree> get_dir_tree(const std::string& path, const std::string& basedir = "") {
  std::string top = py_join(basedir, path);
  DIR* d = opendir(top.c_str());
  if (!d) return std::nullopt;
  DirTree tree{path, false, {}};
  std::vector<std::string> dirs, files;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    (is_dir_follow(py_join(top, name)) ? dirs : files).push_back(name);
  }
  closedir(d);
  for (const auto& c : dirs) {
    auto sub = get_dir_tree(c, top);
    // An unlistable subdirectory makes lit crash; an empty one is the closest sane reading.
    tree.children.push_back(sub ? std::move(*sub) : DirTree{c, false, {}});
  }
  for (const auto& f : files) tree.children.push_back(DirTree{f, true, {}});
  std::sort(tree.children.begin(), tree.children.end(),
            [](const DirTree& x, const DirTree& y) { return x.name < y.name; });
  return tree;
}

off_t file_size(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? st.st_size : 0;
}

std::optional<IoError> compare_dir_trees(const Flags& flags, const DirTree& left, const DirTree& right,
                                         const std::string& left_base, const std::string& right_base, Output& o,
                                         int* exit_code) {
  std::string lpath = py_join(left_base, left.name), rpath = py_join(right_base, right.name);
  if (left.is_file && right.is_file) return compare_two_files(flags, {lpath, rpath}, o, exit_code);
  if (left.is_file) {
    o.out += "File " + lpath + (file_size(lpath) ? " is a regular file" : " is a regular empty file") + " while file " +
             rpath + " is a directory\n";
    *exit_code = 1;
    return std::nullopt;
  }
  if (right.is_file) {
    o.out += "File " + lpath + " is a directory while file " + rpath +
             (file_size(rpath) ? " is a regular file" : " is a regular empty file") + "\n";
    *exit_code = 1;
    return std::nullopt;
  }
  int code = 0;
  size_t l = 0, r = 0;
  auto only_in = [&](const std::string& base, const DirTree& t, const std::string& name) {
    o.out += "Only in " + py_join(base, t.name) + ": " + name + "\n";
  };
  while (l < left.children.size() && r < right.children.size()) {
    const std::string& ln = left.children[l].name;
    const std::string& rn = right.children[r].name;
    if (ln < rn) {
      code = 1;
      only_in(left_base, left, ln);
      ++l;
    } else if (ln > rn) {
      code = 1;
      only_in(right_base, right, rn);
      ++r;
    } else {
      int sub = 0;
      if (auto e = compare_dir_trees(flags, left.children[l], right.children[r], lpath, rpath, o, &sub)) return e;
      code |= sub;
      ++l;
      ++r;
    }
  }
  for (; l < left.children.size(); ++l) {
    code = 1;
    only_in(left_base, left, left.children[l].name);
  }
  for (; r < right.children.size(); ++r) {
    code = 1;
    only_in(right_base, right, right.children[r].name);
  }
  *exit_code = code;
  return std::nullopt;
}

}  // namespace

int diff_main(const std::vector<std::string>& argv_args) {
  Output o;
  const char* posix = getenv("POSIXLY_CORRECT");
  auto parsed = gnu_getopt(argv_args, "wbuU:r", {"strip-trailing-cr"}, posix && *posix);
  if (!parsed) {
    o.err("Unsupported: 'diff': " + parsed.error().message + "\n");
    return 1;
  }
  Flags flags;
  for (const auto& [opt, value] : parsed->opts) {
    if (opt == "-w") {
      flags.ignore_all_space = true;
    } else if (opt == "-b") {
      flags.ignore_space_change = true;
    } else if (opt == "-u") {
      flags.unified_diff = true;
    } else if (opt == "-U") {
      flags.unified_diff = true;
      auto n = py_int(value, 10);
      if (!n || *n < 0) {
        o.err("Error: invalid '-U' argument: " + value + "\n");
        return 1;
      }
      flags.num_context_lines = static_cast<size_t>(*n);
    } else if (opt == "-r") {
      flags.recursive_diff = true;
    } else if (opt == "--strip-trailing-cr") {
      flags.strip_trailing_cr = true;
    }
  }
  const auto& args = parsed->args;
  if (args.size() != 2) {
    o.err("Error: missing or extra operand\n");
    return 1;
  }
  int exit_code = 0;
  std::vector<std::string> paths;
  std::vector<std::optional<DirTree>> trees;
  char cwd_buf[PATH_MAX];
  std::string cwd = getcwd(cwd_buf, sizeof cwd_buf) ? cwd_buf : ".";
  // diff runs as a process of the session: this process's own view is the test's view.
  exec::FileSystem& fs = exec::host_filesystem();
  for (std::string file : args) {
    if (file != "-" && !py_isabs(file)) file = py_realpath(fs, py_join(cwd, file));
    if (flags.recursive_diff) {
      if (file == "-") {
        o.err("Error: cannot recursively compare '-'\n");
        o.flush();
        return 1;
      }
      trees.push_back(get_dir_tree(file));
    } else {
      paths.push_back(file);
    }
  }
  std::optional<IoError> error;
  if (!flags.recursive_diff) {
    error = compare_two_files(flags, paths, o, &exit_code);
  } else if (!trees[0] || !trees[1]) {
    // os.walk() of something that is not a directory yields nothing and lit's diff crashes.
    o.flush();
    o.err("TypeError: 'NoneType' object is not subscriptable\n");
    return 1;
  } else {
    error = compare_dir_trees(flags, *trees[0], *trees[1], "", "", o, &exit_code);
  }
  if (error) {
    o.err("Error: 'diff' command failed, " + error->text + "\n");
    exit_code = 1;
  }
  o.flush();
  return exit_code;
}

}  // namespace litbox::runner::sh

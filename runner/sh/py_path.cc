#include "runner/sh/py_path.h"

#include "support/strings.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <optional>
#include <vector>

namespace litbox::runner::sh {

bool py_isabs(std::string_view p) { return !p.empty() && p[0] == '/'; }

std::string py_join(std::string_view a, std::string_view b) {
  if (py_isabs(b)) return std::string(b);
  std::string r(a);
  if (r.empty() || r.back() == '/') {
    r += b;
  } else {
    r += '/';
    r += b;
  }
  return r;
}

std::pair<std::string, std::string> py_split(std::string_view p) {
  size_t i = p.rfind('/');
  i = i == std::string_view::npos ? 0 : i + 1;
  std::string head(p.substr(0, i)), tail(p.substr(i));
  if (!head.empty() && head.find_first_not_of('/') != std::string::npos) {
    while (!head.empty() && head.back() == '/') head.pop_back();
  }
  return {head, tail};
}

std::string py_normpath(std::string_view p) {
  if (p.empty()) return ".";
  int initial = p[0] == '/' ? 1 : 0;
  if (initial && p.substr(0, 2) == "//" && p.substr(0, 3) != "///") initial = 2;
  std::vector<std::string_view> comps;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view c = p.substr(start, end - start);
    start = end + 1;
    if (c.empty() || c == ".") continue;
    if (c != ".." || (!initial && comps.empty()) || (!comps.empty() && comps.back() == "..")) {
      comps.push_back(c);
    } else if (!comps.empty()) {
      comps.pop_back();
    }
  }
  std::string r(initial, '/');
  for (size_t i = 0; i < comps.size(); ++i) {
    if (i) r += '/';
    r += comps[i];
  }
  return r.empty() ? "." : r;
}

std::string py_abspath(std::string_view p) {
  if (py_isabs(p)) return py_normpath(p);
  char buf[PATH_MAX];
  std::string cwd = getcwd(buf, sizeof buf) ? buf : "/";
  return py_normpath(py_join(cwd, p));
}

namespace {

// posixpath._joinrealpath. Returns the resolved path; *ok is false on a symlink loop.
std::string join_realpath(exec::FileSystem& fs, std::string path, std::string_view rest,
                          std::map<std::string, std::optional<std::string>>& seen, bool* ok) {
  std::string rest_s(rest);
  if (py_isabs(rest_s)) {
    rest_s.erase(0, 1);
    path = "/";
  }
  std::string_view r = rest_s;
  while (!r.empty()) {
    size_t slash = r.find('/');
    std::string name(r.substr(0, slash));
    r = slash == std::string_view::npos ? std::string_view() : r.substr(slash + 1);
    if (name.empty() || name == ".") continue;
    if (name == "..") {
      if (!path.empty()) {
        auto [head, tail] = py_split(path);
        path = head;
        if (tail == "..") path = py_join(py_join(path, ".."), "..");
      } else {
        path = "..";
      }
      continue;
    }
    std::string newpath = py_join(path, name);
    struct stat st;
    bool is_link = fs.stat(newpath, &st, false) == 0 && S_ISLNK(st.st_mode);
    if (!is_link) {
      path = newpath;
      continue;
    }
    auto it = seen.find(newpath);
    if (it != seen.end()) {
      if (it->second) {
        path = *it->second;
        continue;
      }
      *ok = false;
      return py_join(newpath, r);
    }
    seen[newpath] = std::nullopt;
    std::string target;
    if (fs.readlink(newpath, &target) != 0) target.clear();
    bool inner_ok = true;
    path = join_realpath(fs, path, target, seen, &inner_ok);
    if (!inner_ok) {
      *ok = false;
      return py_join(path, r);
    }
    seen[newpath] = path;
  }
  return path;
}

}  // namespace

std::string py_realpath(exec::FileSystem& fs, std::string_view p) {
  std::map<std::string, std::optional<std::string>> seen;
  bool ok = true;
  return py_abspath(join_realpath(fs, "", p, seen, &ok));
}

std::string py_bytes_repr(std::string_view s) { return litbox::py_bytes_repr(s); }

std::string py_oserror(int err, const std::string& filename_repr) {
  std::string s = "[Errno " + std::to_string(err) + "] " + strerror(err);
  if (!filename_repr.empty()) s += ": " + filename_repr;
  return s;
}

std::string py_oserror_class(int err) {
  switch (err) {
    case ENOENT: return "FileNotFoundError";
    case EEXIST: return "FileExistsError";
    case EISDIR: return "IsADirectoryError";
    case ENOTDIR: return "NotADirectoryError";
    case EACCES: case EPERM: return "PermissionError";
    case EINTR: return "InterruptedError";
    case ESRCH: return "ProcessLookupError";
    case ECHILD: return "ChildProcessError";
    case ETIMEDOUT: return "TimeoutError";
    case EPIPE: case ESHUTDOWN: return "BrokenPipeError";
    case EAGAIN: case EALREADY: case EINPROGRESS: return "BlockingIOError";
    case ECONNREFUSED: return "ConnectionRefusedError";
    case ECONNRESET: return "ConnectionResetError";
    case ECONNABORTED: return "ConnectionAbortedError";
    default: return "OSError";
  }
}

}  // namespace litbox::runner::sh

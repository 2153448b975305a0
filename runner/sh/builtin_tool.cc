#include "runner/sh/builtin_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "runner/sh/getopt.h"
#include "runner/sh/py_path.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s.remove_prefix(n);
  }
}

// open(name, 'rb').read(); on failure returns the errno.
int read_file(const std::string& name, std::string* out) {
  int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st;
  // Python's open() refuses directories itself.
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return EISDIR;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return e;
    }
    if (n == 0) break;
    out->append(buf, n);
  }
  close(fd);
  return 0;
}

// cat.py's convertToCaretAndMNotation.
std::string caret_and_m_notation(std::string_view data) {
  std::string out;
  for (unsigned char c : data) {
    unsigned v = c;
    if (v == 9 || v == 10) {
      out += static_cast<char>(v);
      continue;
    }
    if (v > 127) {
      v -= 128;
      out += "M-";
    }
    if (v < 32) {
      out += '^';
      out += static_cast<char>(v + 64);
    } else if (v == 127) {
      out += "^?";
    } else {
      out += static_cast<char>(v);
    }
  }
  return out;
}

}  // namespace

bool is_builtin_tool(const std::string& name) { return name == "cat" || name == "diff"; }

int cat_main(const std::vector<std::string>& args) {
  const char* posix = getenv("POSIXLY_CORRECT");
  auto parsed = gnu_getopt(args, "v", {"show-nonprinting"}, posix && *posix);
  if (!parsed) {
    write_all(2, "Unsupported: 'cat':  " + parsed.error().message + "\n");
    return 1;
  }
  bool show_nonprinting = false;
  for (const auto& [opt, value] : parsed->opts)
    if (opt == "-v" || opt == "--show-nonprinting") show_nonprinting = true;
  // lit 15's cat reads only the files it is given: no operand means no output, and `-` is a
  // file named "-".
  for (const auto& name : parsed->args) {
    std::string contents;
    if (int err = read_file(name, &contents)) {
      write_all(2, py_oserror(err, py_repr(name)));
      return 1;
    }
    write_all(1, show_nonprinting ? caret_and_m_notation(contents) : contents);
  }
  return 0;
}

int run_builtin_tool(int argc, char** argv) {
  if (argc < 1) {
    write_all(2, "litbox: --litbox-builtin needs a builtin name\n");
    return 2;
  }
  std::string name = argv[0];
  std::vector<std::string> args(argv + 1, argv + argc);
  if (name == "cat") return cat_main(args);
  if (name == "diff") return diff_main(args);
  write_all(2, "litbox: unknown builtin '" + name + "'\n");
  return 2;
}

}  // namespace litbox::runner::sh

#include "runner/sh/redirects.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "runner/sh/glob.h"
#include "runner/sh/py_path.h"

namespace litbox::runner::sh {

namespace {

// A redirection to or from a file, shared between slots exactly as lit shares its
// [filename, mode, fd] lists (`&> f` and `> f 2>&1` open the file once).
struct FileSpec {
  Token name;
  std::string mode;
  std::shared_ptr<OpenedFile> opened;
};

// lit's redirects[] entry: the sentinel (0,), (1,), (2,) or a file.
struct Slot {
  int sentinel = -1;
  std::shared_ptr<FileSpec> file;
};

std::string python_type_name(const Token& t) { return t.is_word() ? "GlobItem" : "tuple"; }

RedirectResult fail(RedirectResult::Failure f, std::string message) {
  RedirectResult r;
  r.failure = f;
  r.message = std::move(message);
  return r;
}

}  // namespace

RedirectResult process_redirects(exec::FileSystem& fs, const std::vector<Redirect>& redirects, Stream stdin_source,
                                 const std::string& cwd, std::vector<std::shared_ptr<OpenedFile>>& opened) {
  using F = RedirectResult::Failure;
  Slot slots[3] = {{0, nullptr}, {1, nullptr}, {2, nullptr}};
  auto file = [](const Token& name, const char* mode) {
    return Slot{-1, std::make_shared<FileSpec>(FileSpec{name, mode, nullptr})};
  };
  for (const Redirect& r : redirects) {
    const Token& target = r.target;
    bool plain = target.is_word() && !target.word.glob;
    if (r.op == ">" && r.fd == 2) {
      slots[2] = file(target, "w");
    } else if (r.op == ">>" && r.fd == 2) {
      slots[2] = file(target, "a");
    } else if (r.op == ">&" && r.fd == 2 && (!plain || std::string_view("012").find(target.word.text) != std::string_view::npos)) {
      // lit tests `filename in '012'`: a substring test, which raises for non-strings.
      if (!plain)
        return fail(F::kException, "TypeError: 'in <string>' requires string as left operand, not " + python_type_name(target));
      const std::string& t = target.word.text;
      if (t.empty()) return fail(F::kException, "ValueError: invalid literal for int() with base 10: ''");
      int index = std::stoi(t);
      if (index > 2) return fail(F::kException, "IndexError: list index out of range");
      slots[2] = slots[index];
    } else if ((r.op == ">&" || r.op == "&>") && r.fd == -1) {
      slots[1] = slots[2] = file(target, "w");
    } else if (r.op == ">" && r.fd == -1) {
      slots[1] = file(target, "w");
    } else if (r.op == ">>" && r.fd == -1) {
      slots[1] = file(target, "a");
    } else if (r.op == "<" && r.fd == -1) {
      slots[0] = file(target, "r");
    } else {
      return fail(F::kShellError, "Unsupported redirect: (" + repr(Token::make_op(r.op, r.fd)) + ", " + repr(target) + ")");
    }
  }

  RedirectResult result;
  Stream* std_streams[3] = {&result.in, &result.out, &result.err};
  for (int index = 0; index < 3; ++index) {
    Slot& s = slots[index];
    Stream& st = *std_streams[index];
    if (!s.file) {
      if (s.sentinel == 0) {
        st = stdin_source;
      } else if (s.sentinel == 1) {
        if (index == 0) return fail(F::kShellError, "Unsupported redirect for stdin");
        st.kind = index == 1 ? Stream::Kind::kPipe : Stream::Kind::kStdout;
      } else {
        if (index != 2) return fail(F::kShellError, "Unsupported redirect on stdout");
        st.kind = Stream::Kind::kPipe;
      }
      continue;
    }
    FileSpec& spec = *s.file;
    if (!spec.opened) {
      if (!spec.name.is_word())
        return fail(F::kException, "TypeError: join() argument must be str, bytes, or os.PathLike object, not 'tuple'");
      auto names = expand_glob(fs, spec.name.word, cwd);
      if (names.size() != 1) return fail(F::kShellError, "Unsupported: glob in redirect expanded to multiple files");
      std::string path = py_join(cwd, names[0]);
      int flags = spec.mode == "r" ? O_RDONLY : spec.mode == "w" ? O_WRONLY | O_CREAT | O_TRUNC : O_WRONLY | O_CREAT | O_APPEND;
      int opened_fd = fs.open(path, flags, 0666);
      int err = opened_fd < 0 ? -opened_fd : 0;
      Fd fd(opened_fd < 0 ? -1 : opened_fd);
      struct stat sb;
      // Python's open() refuses to read a directory itself.
      if (!err && spec.mode == "r" && fstat(fd.get(), &sb) == 0 && S_ISDIR(sb.st_mode)) err = EISDIR;
      if (err) return fail(F::kException, py_oserror_class(err) + ": " + py_oserror(err, py_bytes_repr(path)));
      spec.opened = std::make_shared<OpenedFile>(OpenedFile{spec.name, spec.mode, std::move(fd), path});
      opened.push_back(spec.opened);
    }
    st.kind = Stream::Kind::kFile;
    st.fd = spec.opened->fd.get();
  }
  return result;
}

}  // namespace litbox::runner::sh

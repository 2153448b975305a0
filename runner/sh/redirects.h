// lit 15's processRedirects(): the standard streams of one command after its redirections,
// processed left to right with lit's sharing rules (`2>&1` takes stdout's *current* target).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "executor/filesystem.h"
#include "runner/sh/ast.h"
#include "runner/sh/fd.h"

namespace litbox::runner::sh {

/// A file some redirection of the pipeline opened (lit's opened_files entry).
struct OpenedFile {
  Token name;        ///< the target as written (its repr() is what the log shows)
  std::string mode;  ///< "r", "w" or "a"
  Fd fd;
  std::string path;  ///< cwd joined with the expanded name
};

/// Where one standard stream of a child goes, in lit's subprocess terms.
struct Stream {
  enum class Kind {
    kPipe,     ///< subprocess.PIPE: a new pipe to/from the shell
    kStdout,   ///< subprocess.STDOUT: stderr shares stdout
    kInherit,  ///< an fd from the previous command of the pipeline (its stdout pipe)
    kFile,     ///< an opened redirection file
  };
  Kind kind = Kind::kPipe;
  int fd = -1;  ///< kInherit, kFile: borrowed fd
};

/// The outcome of processRedirects(): either the three streams, or what lit raised.
struct RedirectResult {
  Stream in, out, err;
  enum class Failure { kNone, kShellError, kException } failure = Failure::kNone;
  std::string message;  ///< InternalShellError message, or "<ExceptionClass>: <text>"
};

/// Applies `redirects` for a command whose default stdin is `stdin_source` (kPipe or
/// kInherit). Files are opened in `fs` (the view of the session the command runs in; symlinks
/// are followed, as lit does, but only inside that view), relative to `cwd`, and appended to
/// `opened` (they stay open until the caller drops them). Errors: "Unsupported redirect: (('>', 1), 'f')",
/// "Unsupported: glob in redirect expanded to multiple files", or a Python exception for a
/// file that cannot be opened (lit 15 crashes there: the test is UNRESOLVED).
RedirectResult process_redirects(exec::FileSystem& fs, const std::vector<Redirect>& redirects, Stream stdin_source,
                                 const std::string& cwd, std::vector<std::shared_ptr<OpenedFile>>& opened);

}  // namespace litbox::runner::sh

// Python's posixpath and OSError text, as lit's shell uses them: os.path.join/normpath/
// realpath (non-strict) and "[Errno 2] No such file or directory: b'/x'" messages.
#pragma once

#include <string>
#include <string_view>

#include "executor/filesystem.h"

namespace litbox::runner::sh {

/// os.path.isabs.
bool py_isabs(std::string_view p);
/// os.path.join(a, b) for two components.
std::string py_join(std::string_view a, std::string_view b);
/// os.path.split: (head, tail) with trailing slashes of head stripped unless it is all slashes.
std::pair<std::string, std::string> py_split(std::string_view p);
/// os.path.normpath (POSIX; a leading "//" is kept, three or more become "/").
std::string py_normpath(std::string_view p);
/// os.path.abspath: normpath(join(getcwd(), p)).
std::string py_abspath(std::string_view p);
/// os.path.realpath(p) with strict=False: symlinks resolved in the parts that exist, each
/// component looked up with lstat/readlink in `fs` (the view the test's processes have).
/// A relative `p` is made absolute against this process's cwd, as Python does.
std::string py_realpath(exec::FileSystem& fs, std::string_view p);

/// Python repr() of a bytes object: b'...' with \xNN for bytes outside printable ASCII.
std::string py_bytes_repr(std::string_view s);

/// str(OSError(errno, strerror, filename)): "[Errno 2] No such file or directory: <filename_repr>".
/// `filename_repr` is already quoted (py_repr or py_bytes_repr); empty means no filename.
std::string py_oserror(int err, const std::string& filename_repr);

/// The class Python raises for errno `err`: FileNotFoundError, PermissionError, ..., OSError.
std::string py_oserror_class(int err);

}  // namespace litbox::runner::sh

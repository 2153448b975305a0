#include "runner/sh/which.h"

#include <sys/stat.h>

#include "runner/sh/py_path.h"
#include "support/strings.h"

namespace litbox::runner::sh {

std::optional<std::string> lit_which(exec::FileSystem& fs, const std::string& command, const std::string& paths) {
  // One switch of the test's file-system ids for the whole search (a cell's view checks each
  // lookup with the cell user's permissions).
  auto held = fs.hold_ids();
  struct stat st;
  if (py_isabs(command) && fs.stat(command, &st) == 0 && S_ISREG(st.st_mode)) return py_normpath(command);
  std::string search = paths.empty() ? "/bin:/usr/bin" : paths;
  for (const auto& dir : split(search, ':')) {
    std::string p = py_join(dir, command);
    if (fs.stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) return py_abspath(p);
  }
  return std::nullopt;
}

}  // namespace litbox::runner::sh

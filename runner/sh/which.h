// lit.util.which(): how lit's shell finds a command.
#pragma once

#include <optional>
#include <string>

#include "executor/filesystem.h"

namespace litbox::runner::sh {

/// lit.util.which(command, paths), looking at the files of `fs`: an absolute command that is
/// a file is returned normalized; otherwise each entry of `paths` (':'-separated; empty means
/// os.defpath "/bin:/usr/bin") is joined with the command and the first existing non-directory
/// wins, made absolute. Note that lit does not check the execute bit.
std::optional<std::string> lit_which(exec::FileSystem& fs, const std::string& command, const std::string& paths);

}  // namespace litbox::runner::sh

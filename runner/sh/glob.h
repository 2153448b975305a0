// Globbing as lit 15 does it: GlobItem.resolve() over Python's glob.glob and fnmatch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "executor/filesystem.h"
#include "runner/sh/ast.h"

namespace litbox::runner::sh {

/// fnmatch.fnmatchcase(name, pattern): `*`, `?`, `[seq]`, `[!seq]`; everything else literal.
bool py_fnmatch(std::string_view name, std::string_view pattern);

/// glob.glob(pattern) without recursion, over the directories of `fs`: names starting with
/// '.' only match a pattern component starting with '.'; a pattern without magic is returned
/// if the path exists. Results are in directory order (callers sort).
std::vector<std::string> py_glob(exec::FileSystem& fs, const std::string& pattern);

/// lit's expand_glob(): a plain word is returned as-is; a glob word is joined to `cwd` (unless
/// absolute) and expanded to its sorted matches in `fs`, or to the pattern itself (unjoined)
/// when nothing matches.
std::vector<std::string> expand_glob(exec::FileSystem& fs, const Word& word, const std::string& cwd);

/// lit's expand_glob_expressions(): like expand_glob on every word but the first.
std::vector<std::string> expand_glob_expressions(exec::FileSystem& fs, const std::vector<Word>& args,
                                                 const std::string& cwd);

}  // namespace litbox::runner::sh

#include "runner/tool_lookup.h"

#include <sys/stat.h>

#include <filesystem>

namespace litbox::runner {

namespace {

// os.path.normpath: lexical, and no trailing '/'.
std::string normpath(const std::string& p) {
  if (p.empty()) return ".";
  std::string n = std::filesystem::path(p).lexically_normal().string();
  while (n.size() > 1 && n.back() == '/') n.pop_back();
  return n.empty() ? "." : n;
}

// lit.util.which over `dirs` (':'-separated): the first DIR/NAME that exists and is not a
// directory. lit does not ask for the execute bit.
std::string which(const std::string& name, const std::string& dirs) {
  size_t start = 0;
  for (;;) {
    size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string p = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st;
    if (stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) return normpath(p);
    if (colon == std::string::npos) return "";
    start = colon + 1;
  }
}

}  // namespace

std::vector<FoundTool> look_up_tools(const config::SuiteConfig& config, const std::map<std::string, std::string>& env,
                                     Diagnostics& diag) {
  std::vector<FoundTool> found;
  for (const config::ToolLookup& t : config.tools) {
    std::string tool;
    if (!t.search_env.empty())
      if (auto it = env.find(t.search_env); it != env.end()) tool = it->second;
    if (tool.empty() && !t.search_paths.empty()) {
      std::string dirs;
      for (const auto& d : t.search_paths) dirs += (dirs.empty() ? "" : ":") + d;
      tool = which(t.name, dirs);
    }
    if (tool.empty() && t.use_installed)
      if (auto it = env.find("PATH"); it != env.end()) tool = which(t.name, it->second);
    if (tool.empty()) {
      if (t.required) {
        std::string msg = "couldn't find '" + t.name + "' program";
        if (!t.search_env.empty()) msg += ", try setting " + t.search_env + " in your environment";
        diag.fatal_at(t.where, msg);
        break;  // lit stops at the first
      }
      continue;
    }
    tool = normpath(tool);
    if (!t.quiet) diag.note_at(t.where, "using " + t.name + ": " + tool);
    found.push_back({t.name, tool});
  }
  return found;
}

}  // namespace litbox::runner

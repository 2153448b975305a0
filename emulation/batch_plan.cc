#include "emulation/batch_plan.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "emulation/elf.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

bool under(const std::string& path, const std::string& root) {
  return !root.empty() && path.size() > root.size() + 1 && starts_with(path, root) && path[root.size()] == '/';
}

std::string parent_of(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

// Every ancestor of `rel` (not `rel` itself), parents first.
void add_parents(const std::string& rel, std::vector<std::string>& dirs) {
  for (size_t pos = rel.find('/'); pos != std::string::npos; pos = rel.find('/', pos + 1)) {
    std::string d = rel.substr(0, pos);
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  }
}

void add_file(PlannedRequest& p, const std::string& local, const std::string& rel) {
  PlannedFile f{local, rel};
  if (std::find(p.files.begin(), p.files.end(), f) == p.files.end()) p.files.push_back(f);
  add_parents(rel, p.dirs);
}

// A shipped directory: its regular files, recursively, in a stable order.
void add_tree(PlannedRequest& p, const std::string& local, const std::string& rel) {
  if (std::find(p.dirs.begin(), p.dirs.end(), rel) == p.dirs.end()) {
    add_parents(rel, p.dirs);
    p.dirs.push_back(rel);
  }
  DIR* d = opendir(local.c_str());
  if (!d) return;
  std::vector<std::string> children;
  while (struct dirent* e = readdir(d)) {
    std::string c = e->d_name;
    if (c != "." && c != "..") children.push_back(c);
  }
  closedir(d);
  std::sort(children.begin(), children.end());
  for (const auto& c : children) {
    std::string child = local + "/" + c;
    struct stat st;
    if (lstat(child.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      add_tree(p, child, rel + "/" + c);
    } else if (S_ISREG(st.st_mode)) {
      add_file(p, child, rel + "/" + c);
    }
  }
}

std::vector<std::string> sysroot_dirs(const std::string& sysroot) {
  if (sysroot.empty()) return {};
  return {sysroot + "/lib", sysroot + "/lib64", sysroot + "/usr/lib", sysroot + "/usr/lib64"};
}

}  // namespace

PlannedRequest plan_remote_request(const exec::SpawnRequest& req, const RemoteLayout& layout,
                                   const LibraryOptions& libs) {
  PlannedRequest p;
  std::vector<std::string> argv = req.argv;
  if (!argv.empty() && !req.executable.empty() && argv[0].find('/') == std::string::npos) argv[0] = req.executable;
  MappedCommand mc = map_command(argv, layout);
  p.argv = std::move(mc.argv);
  for (const auto& u : mc.uploads) {
    struct stat st;
    if (stat(u.local.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      add_tree(p, u.local, u.remote);
    } else if (S_ISREG(st.st_mode)) {
      add_file(p, u.local, u.remote);
    }
  }

  // Shared libraries of the ELF files shipped (the program, a plugin named as an argument).
  std::vector<std::string> extra = libs.library_dirs;
  std::vector<std::string> sysdirs = sysroot_dirs(libs.sysroot);
  size_t shipped = p.files.size();
  for (size_t i = 0; i < shipped; ++i) {
    std::string local = p.files[i].local;
    if (!read_elf_header(local)) continue;
    std::vector<std::string> search = {parent_of(local)};
    if (!layout.output_dir.empty()) search.push_back(layout.output_dir);
    search.insert(search.end(), extra.begin(), extra.end());
    search.insert(search.end(), sysdirs.begin(), sysdirs.end());
    auto needed = resolve_needed(local, search);
    if (!needed) continue;
    // The dynamic loader is the target's (the kernel finds it by its absolute PT_INTERP path),
    // even when libc names it among its DT_NEEDED.
    std::string loader;
    if (auto dyn = read_elf_dynamic(local)) loader = dyn->interpreter.substr(dyn->interpreter.rfind('/') + 1);
    for (const auto& lib : *needed) {
      if (lib.path.empty() || (!loader.empty() && lib.name == loader)) continue;
      std::string rel;
      if (auto r = remote_relative(lib.path, layout)) {
        rel = *r;
      } else {
        bool listed = std::any_of(extra.begin(), extra.end(), [&](const std::string& d) { return under(lib.path, d); });
        bool in_sysroot = under(lib.path, libs.sysroot);
        if (!listed && !(in_sysroot && libs.ship_sysroot_libraries)) continue;  // the target's own
        rel = ".litbox/lib/" + lib.name;
      }
      add_file(p, lib.path, rel);
      std::string dir = layout.remote_dir + (parent_of(rel).empty() ? "" : "/" + parent_of(rel));
      if (std::find(p.library_paths.begin(), p.library_paths.end(), dir) == p.library_paths.end())
        p.library_paths.push_back(dir);
    }
  }

  p.cwd = layout.remote_dir;
  if (req.cwd == layout.output_dir && !req.cwd.empty()) {
    p.cwd = layout.remote_dir;
  } else if (auto r = remote_relative(req.cwd, layout)) {
    p.cwd = layout.remote_dir + "/" + *r;
    add_parents(*r + "/", p.dirs);
  }
  return p;
}

std::vector<std::pair<std::string, std::string>> remote_environment(const std::vector<std::string>& env,
                                                                    const std::vector<std::string>& names,
                                                                    const std::vector<std::string>& library_paths) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string ld = join(library_paths, ":");
  std::set<std::string> done;
  for (const auto& name : names) {
    if (!done.insert(name).second) continue;
    std::string prefix = name + "=";
    for (const auto& e : env) {
      if (!starts_with(e, prefix)) continue;
      std::string value = e.substr(prefix.size());
      if (name == "LD_LIBRARY_PATH" && !ld.empty()) {
        value = ld + (value.empty() ? "" : ":" + value);
        ld.clear();
      }
      out.emplace_back(name, value);
    }
  }
  if (!ld.empty()) out.emplace_back("LD_LIBRARY_PATH", ld);
  return out;
}

}  // namespace litbox::emulation

// What one deferred request needs on the target: its command line rewritten for the test's
// directory there, the local files to place in that directory (the program, the inputs its
// arguments name, the shared libraries the test built), and the environment it gets.
// Pure apart from looking at local files (existence, ELF dynamic sections).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emulation/ssh_plan.h"
#include "executor/executor.h"

namespace litbox::emulation {

/// Where shared libraries are looked for, beyond a binary's RUNPATH/RPATH, its own directory
/// and the test's output directory.
struct LibraryOptions {
  /// Directories of libraries the tests need that are not the target's (a build tree's
  /// lib/); libraries found here are shipped to <test dir>/.litbox/lib.
  std::vector<std::string> library_dirs;
  /// The target's sysroot on this machine (e.g. /usr/aarch64-linux-gnu); its lib, lib64,
  /// usr/lib and usr/lib64 are searched last.
  std::string sysroot;
  /// Ship the libraries found in the sysroot too (a target without the toolchain's runtime);
  /// by default they are taken to be the target's own and stay behind.
  bool ship_sysroot_libraries = false;
};

/// A local file placed in the test's directory on the target.
struct PlannedFile {
  std::string local;  ///< absolute local path (a regular file)
  std::string rel;    ///< path relative to RemoteLayout::remote_dir
  bool operator==(const PlannedFile&) const = default;
};

/// One request, ready to be put in a batch.
struct PlannedRequest {
  std::vector<std::string> argv;           ///< as the target runs it
  std::string cwd;                         ///< absolute, on the target
  std::vector<PlannedFile> files;          ///< deduplicated; directories expanded
  std::vector<std::string> dirs;           ///< relative directories to create, parents first
  std::vector<std::string> library_paths;  ///< remote directories for LD_LIBRARY_PATH
};

/// Plans `req` for the test directory described by `layout` (see map_command() for the
/// rewriting of arguments). The program is SpawnRequest::executable when argv[0] has no
/// slash (a name the shell found on PATH): a system program stays a bare name for the
/// target's PATH, another one is shipped. The working directory is the test's remote
/// directory (as with the ssh executor), or the remote counterpart of req.cwd when that is
/// below %T or %S. Directories an argument names are shipped recursively (symlinks inside
/// are skipped). The dynamic loader (PT_INTERP) is never shipped.
PlannedRequest plan_remote_request(const exec::SpawnRequest& req, const RemoteLayout& layout,
                                   const LibraryOptions& libs);

/// The environment a remote command gets on top of the login environment: each variable of
/// `names` that `env` ("NAME=value" entries) sets, and LD_LIBRARY_PATH with `library_paths`
/// first (before the value `env` gives it, when LD_LIBRARY_PATH is among `names`).
std::vector<std::pair<std::string, std::string>> remote_environment(const std::vector<std::string>& env,
                                                                    const std::vector<std::string>& names,
                                                                    const std::vector<std::string>& library_paths);

}  // namespace litbox::emulation

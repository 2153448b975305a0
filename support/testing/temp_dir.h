// TempDir: the scratch directory of one unit test, shared by every test binary of the project
// (target litbox_test_support).
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace litbox::testing {

/// A fresh directory under std::filesystem::temp_directory_path() ($TMPDIR, else /tmp), never
/// in the source or build tree, removed with everything in it at destruction. Its path is
/// canonical (symlink-free), since tests compare messages that contain paths, and its mode is
/// 0755, as a checkout's is, so that a root runner's unprivileged cell user can read it.
class TempDir {
 public:
  /// `prefix` starts the directory's name, to tell whose leftovers are whose.
  explicit TempDir(std::string_view prefix = "litbox-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
    path_ = std::filesystem::canonical(tmpl).string();
    chmod(path_.c_str(), 0755);
  }
  /// Removes the tree, after making its directories writable (tests leave read-only ones).
  ~TempDir() {
    std::error_code ec;
    namespace fs = std::filesystem;
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      // Never through a symlink: chmod would change its target, which may be outside.
      if (it->is_directory(ec) && !it->is_symlink(ec)) chmod(it->path().c_str(), 0755);
    }
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory, absolute and canonical.
  const std::string& path() const { return path_; }
  /// path() + "/" + rel.
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  /// Writes `content` to `rel` (creating its parent directories), with permission bits `mode`
  /// when >= 0; returns the absolute path.
  std::string write(const std::string& rel, std::string_view content, int mode = -1) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << content;
      if (!out) throw std::runtime_error("cannot write " + p.string());
    }
    if (mode >= 0) chmod(p.c_str(), static_cast<mode_t>(mode));
    return p.string();
  }

  /// The contents of `rel` ("" if it cannot be read).
  std::string read(const std::string& rel) const {
    std::ifstream in(std::filesystem::path(path_) / rel, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// Creates directory `rel` and its parents; returns its absolute path.
  std::string mkdir(const std::string& rel) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p);
    return p.string();
  }

 private:
  std::string path_;
};

}  // namespace litbox::testing

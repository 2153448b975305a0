// Helpers for the litbox_config unit tests: a temporary directory to write config files in.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/error.h"

namespace litbox::config::testing {

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    std::string base = std::filesystem::temp_directory_path().string() + "/litbox-config-XXXXXX";
    char* made = mkdtemp(base.data());
    if (!made) throw std::runtime_error("mkdtemp failed");
    // Tests compare messages containing paths, so use the symlink-free spelling.
    path_ = std::filesystem::canonical(made).string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  /// Writes `content` to `relative` (creating parent directories); returns the absolute path.
  std::string write(const std::string& relative, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  /// Creates directory `relative`; returns its absolute path.
  std::string mkdir(const std::string& relative) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p);
    return p.string();
  }

 private:
  std::string path_;
};

/// The error text of a failed Expected, or "<no error>" so a success fails the comparison.
template <typename T>
std::string error_of(const Expected<T>& e) {
  return e.ok() ? std::string("<no error>") : e.error().str();
}

}  // namespace litbox::config::testing

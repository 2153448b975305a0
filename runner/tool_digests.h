// The tools a run's tests ran: each executable the internal shell resolved (its PATH search,
// or ./relative names), with the SHA-256 of its contents, computed once per distinct path
// and run, the first time a test runs it, through that test's view of the filesystem (a
// sandbox cell's). For the run record (runner/run_record.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "executor/filesystem.h"

namespace litbox::runner {

/// The run's tool log.
class ToolDigests {
 public:
  /// Paths under any of `ignored` (directories, e.g. the run's temp dir), and paths under one
  /// of `exec_roots` (the suites') in an "Output" directory (what tests build for themselves,
  /// in their %t), are not tools.
  explicit ToolDigests(std::vector<std::string> ignored = {}, std::vector<std::string> exec_roots = {})
      : ignored_(std::move(ignored)), exec_roots_(std::move(exec_roots)) {}

  /// Records that a test ran `path` as `fs` shows it. The first time a path is seen, its
  /// contents are digested: a regular file is read (opened without blocking, so a FIFO
  /// cannot stall the run); anything else records why not ("unreadable: ...").
  void note(exec::FileSystem& fs, const std::string& path);

  /// path → "sha256:..." or "unreadable: <why>".
  const std::map<std::string, std::string>& digests() const { return digests_; }

 private:
  bool ignored(const std::string& path) const;

  std::vector<std::string> ignored_;
  std::vector<std::string> exec_roots_;
  std::map<std::string, std::string> digests_;
};

}  // namespace litbox::runner

// Capturing a process's output without pipes: an anonymous memory file the child writes to
// and the runner reads after the child exited (no deadlock, no reader coroutine).
#pragma once

#include <string>

#include "support/error.h"

namespace litbox::runner {

/// An anonymous in-memory file (memfd). Move-only; closes on destruction.
class CaptureFile {
 public:
  static Expected<CaptureFile> create(const char* name);
  CaptureFile(CaptureFile&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  CaptureFile& operator=(CaptureFile&& o) noexcept;
  CaptureFile(const CaptureFile&) = delete;
  ~CaptureFile();
  int fd() const { return fd_; }
  /// Everything written so far.
  std::string read_all() const;

 private:
  explicit CaptureFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// A pipe whose write end is closed at once: a stdin that reads as empty (lit's stdin).
Expected<int> empty_stdin();

}  // namespace litbox::runner

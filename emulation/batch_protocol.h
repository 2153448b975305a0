// The result stream a batch driver writes to its stdout (format in emulation/batch_driver.sh),
// parsed as it arrives, so that each request's result is delivered as soon as it is complete
// and a broken connection loses only the requests that had no result yet.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace litbox::emulation {

/// One thing the driver reported.
struct BatchEvent {
  enum class Kind {
    ready,    ///< the archive is unpacked: the store holds this batch's files
    started,  ///< request `id` was handed to a worker
    result,   ///< request `id` ran: status, timed_out, elapsed_ms, out, err, archive
    failed,   ///< request `id` could not run or its result not be recorded: message
    error,    ///< the batch could not start; nothing ran: message
    end,      ///< every request has a result
  };
  Kind kind = Kind::ready;
  int id = 0;
  int status = 0;  ///< the shell's $? for the command (128+N: signal N)
  bool timed_out = false;
  int64_t elapsed_ms = 0;
  std::string out, err;
  std::string archive;  ///< a tar of the files to copy back ("" = none)
  std::string message;
};

/// Incremental parser of one batch's stream. Lines before the driver's READY or E line that
/// do not carry the token (a login shell's chatter) are ignored.
class BatchStreamParser {
 public:
  explicit BatchStreamParser(std::string token) : token_(std::move(token)) {}
  /// Consumes `data` and appends the events it completes to `events`. After an error the
  /// parser stays failed. Errors: "malformed result stream: '<line>'".
  Status feed(std::string_view data, std::vector<BatchEvent>& events);
  /// True if the stream stopped inside a line or a result's bytes.
  bool partial() const { return !buf_.empty() || need_ > 0; }

 private:
  Status line(std::string_view l, std::vector<BatchEvent>& events);
  std::string token_;
  std::string buf_;
  bool ready_ = false;
  bool failed_ = false;
  // A result whose bytes are still arriving.
  BatchEvent pending_;
  uint64_t out_len_ = 0, err_len_ = 0, tar_len_ = 0;
  uint64_t need_ = 0;
};

}  // namespace litbox::emulation

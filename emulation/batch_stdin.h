// A deferred request's standard input, read completely before the request is queued: it may
// be a pipe fed by an earlier stage of the same pipeline, which runs meanwhile.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers

#include "support/error.h"

namespace litbox::emulation {

/// What a request reads on stdin.
struct StdinData {
  bool null = true;  ///< no stdin (-1 or /dev/null): the command gets /dev/null
  std::string data;  ///< the bytes, when !null
};

/// Reads the borrowed descriptor `fd` to its end without blocking `io` and calls `done` on
/// `io` (never from inside this call). A regular file is read from its current offset; a pipe
/// through a private non-blocking open file description (/proc/self/fd), so the flags of the
/// description others share do not change; a socket with MSG_DONTWAIT; -1, /dev/null and
/// other devices (a terminal) give StdinData{null=true}. `fd` may be closed by the caller
/// once this returns. Errors: "cannot read stdin: <strerror>".
void read_stdin_async(boost::asio::io_context& io, int fd, std::function<void(Expected<StdinData>)> done);

}  // namespace litbox::emulation

// Errors as values: Error{message, location} and Expected<T>.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace litbox {

/// Where an error was found. line/column are 1-based; 0 means unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:col", "file:line" or "file" depending on what is known.
  std::string str() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    if (line > 0 && column > 0) s += ":" + std::to_string(column);
    return s;
  }
};

/// An error with a message that survives to the user, and optionally where it happened.
struct Error {
  std::string message;
  Location location;
  int errno_value = 0;  ///< the system error behind it, where there is one

  Error() = default;
  explicit Error(std::string msg, Location loc = {}) : message(std::move(msg)), location(std::move(loc)) {}
  /// An error caused by the system call that set `err` (errno).
  static Error from_errno(std::string msg, int err) {
    Error e(std::move(msg));
    e.errno_value = err;
    return e;
  }

  /// "file:line:col: message", or just the message when no location is known.
  std::string str() const {
    std::string loc = location.str();
    return loc.empty() ? message : loc + ": " + message;
  }
};

/// Either a T or an Error. Minimal stand-in for C++23 std::expected.
template <typename T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Expected<void>: success or an Error.
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}
  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace litbox

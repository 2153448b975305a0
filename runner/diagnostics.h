// Notes, warnings and errors printed while loading and discovering, lit-style:
// "litbox: <where>: warning: <message>" on stderr, with counts for the exit code.
#pragma once

#include <string>

#include "support/error.h"

namespace litbox::runner {

/// Collects and prints diagnostics. errors() > 0 makes the run exit with status 2.
class Diagnostics {
 public:
  void note(const std::string& msg);
  void warning(const std::string& msg);
  void error(const std::string& msg);
  /// An Error with a location prints as "file:line:col: message".
  void error(const Error& e) { error(e.str()); }
  /// lit-style, the location first: "litbox: <where>: note: <message>" (unless quiet).
  void note_at(const std::string& where, const std::string& msg);
  /// lit's fatal error ("litbox: <where>: fatal: <message>"): counted as an error, and the run
  /// stops after discovery without running a test.
  void fatal_at(const std::string& where, const std::string& msg);
  bool fatal() const { return fatal_; }
  int errors() const { return errors_; }
  int warnings() const { return warnings_; }
  bool quiet = false;  ///< suppress notes
  /// Warnings are also appended here, one per line (Bazel's TEST_WARNINGS_OUTPUT_FILE).
  std::string warnings_file;

 private:
  int errors_ = 0;
  int warnings_ = 0;
  bool fatal_ = false;
};

}  // namespace litbox::runner

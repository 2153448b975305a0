// Splits a byte stream at the first occurrence of a marker: the ssh executor's remote wrapper
// writes "<marker> <status>\n<tar of changed files>" to the same stderr as the command, and
// everything before the marker is the command's own stderr.
#pragma once

#include <string>
#include <string_view>

namespace litbox::emulation {

/// Finds the first occurrence of a fixed marker in a stream fed in chunks.
class MarkerSplitter {
 public:
  explicit MarkerSplitter(std::string marker) : marker_(std::move(marker)) {}

  /// Consumes `data`; returns the bytes that certainly precede the marker and can be
  /// forwarded now. Up to marker.size()-1 bytes are held back while they could be the start
  /// of the marker. After the marker, everything goes to trailer().
  std::string feed(std::string_view data);
  /// End of stream: returns the bytes still held back (the marker never came).
  std::string finish();
  /// True once the marker has been seen.
  bool found() const { return found_; }
  /// The bytes after the marker.
  const std::string& trailer() const { return trailer_; }

 private:
  std::string marker_;
  std::string pending_;
  std::string trailer_;
  bool found_ = false;
};

/// The status line at the start of a trailer: " <decimal>\n". Returns the status and sets
/// `rest` to what follows the line, or returns -1 if the line is missing or malformed.
int parse_status_line(std::string_view trailer, std::string_view* rest);

}  // namespace litbox::emulation

#include "emulation/marker_splitter.h"

namespace litbox::emulation {

std::string MarkerSplitter::feed(std::string_view data) {
  if (found_) {
    trailer_.append(data);
    return {};
  }
  pending_.append(data);
  size_t at = pending_.find(marker_);
  if (at != std::string::npos) {
    found_ = true;
    std::string before = pending_.substr(0, at);
    trailer_ = pending_.substr(at + marker_.size());
    pending_.clear();
    return before;
  }
  // Keep the longest suffix that could still grow into the marker.
  size_t keep = 0;
  for (size_t k = std::min(pending_.size(), marker_.size() - 1); k > 0; --k) {
    if (std::string_view(pending_).substr(pending_.size() - k) == std::string_view(marker_).substr(0, k)) {
      keep = k;
      break;
    }
  }
  std::string out = pending_.substr(0, pending_.size() - keep);
  pending_.erase(0, pending_.size() - keep);
  return out;
}

std::string MarkerSplitter::finish() {
  std::string out;
  out.swap(pending_);
  return out;
}

int parse_status_line(std::string_view t, std::string_view* rest) {
  if (t.empty() || t[0] != ' ') return -1;
  size_t nl = t.find('\n');
  if (nl == std::string_view::npos || nl == 1 || nl > 12) return -1;
  int v = 0;
  for (size_t i = 1; i < nl; ++i) {
    if (t[i] < '0' || t[i] > '9') return -1;
    v = v * 10 + (t[i] - '0');
  }
  if (rest) *rest = t.substr(nl + 1);
  return v;
}

}  // namespace litbox::emulation

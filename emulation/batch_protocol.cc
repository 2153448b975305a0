#include "emulation/batch_protocol.h"

#include <charconv>

#include "support/strings.h"

namespace litbox::emulation {

namespace {

template <typename T>
bool number(std::string_view s, T& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits off the first space-separated word of `s`.
std::string_view word(std::string_view& s) {
  size_t sp = s.find(' ');
  std::string_view w = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  return w;
}

}  // namespace

Status BatchStreamParser::line(std::string_view l, std::vector<BatchEvent>& events) {
  auto bad = [&] {
    failed_ = true;
    return Error("malformed result stream: " + py_repr(l.substr(0, 200)));
  };
  std::string mark = "LITBOX-" + token_ + " ";
  BatchEvent e;
  if (starts_with(l, mark)) {
    std::string_view rest = l.substr(mark.size());
    std::string_view w = word(rest);
    if (w == "READY" && !ready_) {
      ready_ = true;
      e.kind = BatchEvent::Kind::ready;
    } else if (w == "E" && !ready_) {
      e.kind = BatchEvent::Kind::error;
      e.message = std::string(rest);
    } else if (w == "END" && ready_) {
      e.kind = BatchEvent::Kind::end;
    } else {
      return bad();
    }
    events.push_back(std::move(e));
    return {};
  }
  if (!ready_) return {};  // chatter before the driver started
  std::string_view rest = l;
  std::string_view tag = word(rest);
  if (!number(word(rest), e.id)) return bad();
  if (tag == "S") {
    if (!rest.empty()) return bad();
    e.kind = BatchEvent::Kind::started;
    events.push_back(std::move(e));
    return {};
  }
  if (tag == "F") {
    e.kind = BatchEvent::Kind::failed;
    e.message = std::string(rest);
    events.push_back(std::move(e));
    return {};
  }
  if (tag != "R") return bad();
  int timed_out = 0;
  e.kind = BatchEvent::Kind::result;
  if (!number(word(rest), e.status) || !number(word(rest), timed_out) || !number(word(rest), e.elapsed_ms) ||
      !number(word(rest), out_len_) || !number(word(rest), err_len_) || !number(word(rest), tar_len_) || !rest.empty())
    return bad();
  e.timed_out = timed_out != 0;
  pending_ = std::move(e);
  need_ = out_len_ + err_len_ + tar_len_;
  if (need_ == 0) events.push_back(std::move(pending_));
  return {};
}

Status BatchStreamParser::feed(std::string_view data, std::vector<BatchEvent>& events) {
  if (failed_) return Error("malformed result stream");
  while (!data.empty()) {
    if (need_ > 0) {
      // A result's bytes: stdout, then stderr, then the archive.
      size_t take = static_cast<size_t>(std::min<uint64_t>(need_, data.size()));
      std::string_view chunk = data.substr(0, take);
      data.remove_prefix(take);
      while (!chunk.empty()) {
        std::string* dst = pending_.out.size() < out_len_   ? &pending_.out
                           : pending_.err.size() < err_len_ ? &pending_.err
                                                            : &pending_.archive;
        uint64_t cap = dst == &pending_.out ? out_len_ : dst == &pending_.err ? err_len_ : tar_len_;
        size_t n = static_cast<size_t>(std::min<uint64_t>(cap - dst->size(), chunk.size()));
        dst->append(chunk.substr(0, n));
        chunk.remove_prefix(n);
      }
      need_ -= take;
      if (need_ == 0) events.push_back(std::move(pending_));
      continue;
    }
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      buf_.append(data);
      return {};
    }
    std::string l = buf_ + std::string(data.substr(0, nl));
    buf_.clear();
    data.remove_prefix(nl + 1);
    if (Status s = line(l, events); !s) return s;
  }
  return {};
}

}  // namespace litbox::emulation

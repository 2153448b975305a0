#include "configs/size.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "support/strings.h"

namespace litbox::config {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Returns the multiplier's power of 1024 for a unit, or -1 if the unit is unknown.
int unit_power(std::string_view unit) {
  std::string u = lower(unit);
  if (u.empty() || u == "b") return 0;
  static constexpr std::string_view kLetters = "kmgt";
  size_t p = kLetters.find(u[0]);
  if (p == std::string_view::npos) return -1;
  std::string_view rest = std::string_view(u).substr(1);
  if (rest.empty() || rest == "b" || rest == "ib") return static_cast<int>(p) + 1;
  return -1;
}

}  // namespace

Expected<uint64_t> parse_size(std::string_view text) {
  std::string_view s = strip(text);
  if (s == "unlimited") return uint64_t{0};
  size_t end = 0;
  while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.')) ++end;
  std::string_view number = s.substr(0, end);
  std::string_view unit = strip(s.substr(end));
  int power = unit_power(unit);
  if (number.empty() || power < 0) return Error("invalid size '" + std::string(text) + "'");

  if (number.find('.') == std::string_view::npos) {
    uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec == std::errc::result_out_of_range) return Error("size '" + std::string(text) + "' is too large");
    if (ec != std::errc() || ptr != number.data() + number.size())
      return Error("invalid size '" + std::string(text) + "'");
    for (int i = 0; i < power; ++i) {
      if (value > UINT64_MAX / 1024) return Error("size '" + std::string(text) + "' is too large");
      value *= 1024;
    }
    return value;
  }
  // A fraction: only meaningful with a unit ("1.5GiB"); the result is rounded to bytes.
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size())
    return Error("invalid size '" + std::string(text) + "'");
  value *= std::pow(1024.0, power);
  if (value >= 18446744073709551615.0) return Error("size '" + std::string(text) + "' is too large");
  return static_cast<uint64_t>(std::round(value));
}

}  // namespace litbox::config

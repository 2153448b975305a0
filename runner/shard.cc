#include "runner/shard.h"

#include <charconv>
#include <optional>

#include "runner/gtest_format.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

// A decimal number without sign, spaces or leading '+'; nullopt if anything else.
std::optional<long long> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Expected<ShardSpec> parse_shard_spec(std::string_view text) {
  size_t slash = text.find('/');
  auto bad = [&](const std::string& why) {
    return Error("invalid value '" + std::string(text) + "': " + why);
  };
  if (slash == std::string_view::npos) return bad("expected I/N (e.g. 2/4) or auto");
  auto index = parse_decimal(text.substr(0, slash));
  auto count = parse_decimal(text.substr(slash + 1));
  if (!index || !count) return bad("expected I/N with I and N decimal numbers (e.g. 2/4)");
  if (*count < 1) return bad("the number of shards N must be at least 1");
  if (*index < 1 || *index > *count) return bad("the shard I must be between 1 and N (inclusive)");
  return ShardSpec{static_cast<int>(*index), static_cast<int>(*count)};
}

uint64_t stable_hash(std::string_view s) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;  // FNV-1a 64 prime
  }
  // fmix64: FNV-1a's low bits mix poorly for names that differ only at the end.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

int shard_of(std::string_view name, int count) {
  return static_cast<int>(stable_hash(name) % static_cast<uint64_t>(count)) + 1;
}

std::string shard_unit(const Test& t) {
  if (t.gtest && t.gtest->index >= 0 && t.path_in_suite.size() > 2) {
    std::vector<std::string> binary(t.path_in_suite.begin(), t.path_in_suite.end() - 2);
    return t.suite->name + " :: " + join(binary, "/");
  }
  return t.full_name();
}

std::vector<Test*> select_shard(const std::vector<Test*>& tests, ShardSpec spec) {
  std::vector<Test*> out;
  for (Test* t : tests)
    if (shard_of(shard_unit(*t), spec.count) == spec.index) out.push_back(t);
  return out;
}

}  // namespace litbox::runner

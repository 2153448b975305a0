// --shard=I/N: a stable partition of the selected tests by a hash of each test's name, the
// same on every machine, whatever the order, the recorded times or -j (lit's --num-shards
// takes every N-th test of the run's order, which depends on all three).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/test.h"
#include "support/error.h"

namespace litbox::runner {

/// One shard of N: index is 1-based (1 <= index <= count).
struct ShardSpec {
  int index = 1;
  int count = 1;
};

/// Parses "I/N" (decimal, 1 <= I <= N); the error says what is wrong with `text`.
Expected<ShardSpec> parse_shard_spec(std::string_view text);

/// FNV-1a (64 bit) of `s`, finished with MurmurHash3's fmix64 so that the low bits used by
/// the modulo depend on every byte. Fixed by this definition: never std::hash.
uint64_t stable_hash(std::string_view s);

/// The shard (1-based, of `count`) the test named `name` belongs to.
int shard_of(std::string_view name, int count);

/// The name a test is sharded (and listed in the report's "__litbox_shard__") by: its full name;
/// for a shard of a gtest binary, the binary's ("<suite> :: dir/binary"), so that a binary's
/// shards, whose number depends on the machine's cores, stay together.
std::string shard_unit(const Test& t);

/// The tests of `tests` in shard `spec`, in their order.
std::vector<Test*> select_shard(const std::vector<Test*>& tests, ShardSpec spec);

}  // namespace litbox::runner

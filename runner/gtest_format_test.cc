// The gtest format's pure parts: which files are test binaries and how many shards lit 15
// makes. (Listing and running real binaries: tests/e2e/gtest.test.)
#include "runner/gtest_format.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace litbox::runner {
namespace {

TEST(GtestShardCount, HalvesTheShardSizeUntilEveryCoreHasAShard) {
  EXPECT_EQ(gtest_shard_count(7, 2), 2);     // lit's own googletest-format input
  EXPECT_EQ(gtest_shard_count(1000, 2), 2);  // 512 per shard
  EXPECT_EQ(gtest_shard_count(1025, 1), 3);
  EXPECT_EQ(gtest_shard_count(10, 8), 10);   // down to one test per shard
  EXPECT_EQ(gtest_shard_count(3, 8), 3);
  EXPECT_EQ(gtest_shard_count(1, 1), 1);
  EXPECT_EQ(gtest_shard_count(0, 4), 0);     // nothing to run: no shard
}

TEST(GtestBinaries, FilesEndingInTheSuffixOrSuffixPyUnderEachSubDir) {
  namespace fs = std::filesystem;
  const char* base = std::getenv("TMPDIR");
  fs::path dir = fs::path(base && *base ? base : "/tmp") / ("gtest-binaries-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "unit" / "NestedTests");  // a directory: never a binary
  fs::create_directories(dir / "more");
  for (const char* f : {"unit/BTests", "unit/ATests", "unit/ATests.py", "unit/Tests.txt", "unit/notes", "more/CTests"})
    std::ofstream(dir / f) << "x";
  config::SuiteConfig cfg;
  cfg.gtest_suffix = "Tests";
  cfg.gtest_sub_dirs = "unit;missing;more";
  auto found = gtest_binaries(dir.string(), cfg);
  std::vector<std::pair<std::string, std::string>> want = {
      {"unit", "ATests"}, {"unit", "ATests.py"}, {"unit", "BTests"}, {"more", "CTests"}};
  EXPECT_EQ(found, want);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace litbox::runner

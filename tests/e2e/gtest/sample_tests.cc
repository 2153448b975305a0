// A real GoogleTest binary for the e2e test of the gtest format (tests/e2e/gtest.test): cases
// that pass, fail, are skipped, disabled, parameterized and typed, and (with
// SAMPLE_CRASH=1 in the environment) one that crashes the binary halfway.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstdio>
#include <fstream>

TEST(FirstTest, Passes) { EXPECT_EQ(1 + 1, 2); }

TEST(FirstTest, Fails) {
  std::printf("output of the failing test\n");
  EXPECT_EQ(1 + 1, 3) << "one and one are not three";
}

TEST(FirstTest, IsSkipped) { GTEST_SKIP() << "not today"; }

TEST(FirstTest, DISABLED_NeverRuns) { FAIL(); }

TEST(FirstTest, WritesItsWorkingDirectory) {
  // A shard runs in its test's Output dir, which the sandbox leaves writable.
  std::ofstream out("sample-scratch.txt");
  EXPECT_TRUE(out.good());
}

TEST(FirstTest, CrashesWhenAsked) {
  if (std::getenv("SAMPLE_CRASH")) std::abort();
}

class Param : public ::testing::TestWithParam<int> {};
TEST_P(Param, IsSmall) { EXPECT_LT(GetParam(), 10); }
INSTANTIATE_TEST_SUITE_P(Values, Param, ::testing::Values(1, 2, 30));

template <typename T>
class Typed : public ::testing::Test {};
using Types = ::testing::Types<int, double>;
TYPED_TEST_SUITE(Typed, Types);
TYPED_TEST(Typed, DefaultIsZero) { EXPECT_EQ(TypeParam(), TypeParam(0)); }

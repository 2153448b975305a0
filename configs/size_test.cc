#include "configs/size.h"

#include <gtest/gtest.h>

#include "configs/test_support.h"

namespace litbox::config {
namespace {

using testing::error_of;

TEST(ParseSize, PlainIntegersAreBytes) {
  EXPECT_EQ(*parse_size("1048576"), 1048576u);
  EXPECT_EQ(*parse_size("0"), 0u);
}

TEST(ParseSize, UnitsArePowersOf1024InAnyCase) {
  EXPECT_EQ(*parse_size("64MiB"), 64ull << 20);
  EXPECT_EQ(*parse_size("4GiB"), 4ull << 30);
  EXPECT_EQ(*parse_size("4G"), 4ull << 30);
  EXPECT_EQ(*parse_size("4gb"), 4ull << 30);
  EXPECT_EQ(*parse_size("512k"), 512ull << 10);
  EXPECT_EQ(*parse_size("2 TiB"), 2ull << 40);
  EXPECT_EQ(*parse_size("100B"), 100u);
}

TEST(ParseSize, FractionsRoundToBytes) { EXPECT_EQ(*parse_size("1.5GiB"), 3ull << 29); }

TEST(ParseSize, UnlimitedIsZero) { EXPECT_EQ(*parse_size("unlimited"), 0u); }

TEST(ParseSize, RejectsWhatIsNotASize) {
  EXPECT_EQ(error_of(parse_size("4 gigs")), "invalid size '4 gigs'");
  EXPECT_EQ(error_of(parse_size("-1")), "invalid size '-1'");
  EXPECT_EQ(error_of(parse_size("")), "invalid size ''");
  EXPECT_EQ(error_of(parse_size("MiB")), "invalid size 'MiB'");
  EXPECT_EQ(error_of(parse_size("1.2.3M")), "invalid size '1.2.3M'");
}

TEST(ParseSize, RejectsOverflow) {
  EXPECT_EQ(error_of(parse_size("99999999999999999999")), "size '99999999999999999999' is too large");
  EXPECT_EQ(error_of(parse_size("100000000TiB")), "size '100000000TiB' is too large");
}

}  // namespace
}  // namespace litbox::config

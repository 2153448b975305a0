#include "configs/suggest.h"

#include <gtest/gtest.h>

namespace litbox::config {
namespace {

const std::vector<std::string> kKeys = {"suffixes", "excludes", "features", "format", "timeout"};

TEST(ClosestName, FindsAOneLetterTypo) { EXPECT_EQ(closest_name("sufixes", kKeys), "suffixes"); }

TEST(ClosestName, FindsSwappedLetters) { EXPECT_EQ(closest_name("fromat", kKeys), "format"); }

TEST(ClosestName, GivesNothingForAnUnrelatedName) { EXPECT_EQ(closest_name("sandbox", kKeys), ""); }

TEST(ClosestName, ShortNamesAllowOneEdit) {
  EXPECT_EQ(closest_name("ad", {"add", "remove"}), "add");
  EXPECT_EQ(closest_name("x", {"add", "remove"}), "");
}

TEST(DidYouMean, FormatsTheSuggestion) {
  EXPECT_EQ(did_you_mean("timout", kKeys), " (did you mean 'timeout'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", kKeys), "");
}

}  // namespace
}  // namespace litbox::config

#include "runner/sh/getopt.h"

#include <gtest/gtest.h>

namespace litbox::runner::sh {
namespace {

using Opts = std::vector<std::pair<std::string, std::string>>;
using Args = std::vector<std::string>;

TEST(GetoptTest, MixesOptionsAndOperandsLikeGnuGetopt) {
  auto r = gnu_getopt({"a", "-p", "b", "-fr", "--", "-c"}, "frp", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->opts, (Opts{{"-p", ""}, {"-f", ""}, {"-r", ""}}));
  EXPECT_EQ(r->args, (Args{"a", "b", "-c"}));
}

TEST(GetoptTest, ArgumentsAndLongPrefixes) {
  auto r = gnu_getopt({"-U3", "-U", "4", "--strip", "x", "-"}, "U:", {"strip-trailing-cr"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->opts, (Opts{{"-U", "3"}, {"-U", "4"}, {"--strip-trailing-cr", ""}}));
  EXPECT_EQ(r->args, (Args{"x", "-"}));
}

TEST(GetoptTest, PosixlyCorrectStopsAtTheFirstOperand) {
  auto r = gnu_getopt({"a", "-p"}, "p", {}, /*posixly_correct=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->opts.empty());
  EXPECT_EQ(r->args, (Args{"a", "-p"}));
}

TEST(GetoptTest, PythonErrorTexts) {
  EXPECT_EQ(gnu_getopt({"-x"}, "p", {}).error().message, "option -x not recognized");
  EXPECT_EQ(gnu_getopt({"-U"}, "U:", {}).error().message, "option -U requires argument");
  EXPECT_EQ(gnu_getopt({"--nope"}, "", {"show"}).error().message, "option --nope not recognized");
  EXPECT_EQ(gnu_getopt({"--s"}, "", {"show", "strip"}).error().message, "option --s not a unique prefix");
  EXPECT_EQ(gnu_getopt({"--show=1"}, "", {"show"}).error().message, "option --show must not have an argument");
  EXPECT_EQ(gnu_getopt({"--out"}, "", {"out="}).error().message, "option --out requires argument");
  // lit's rm declares "--recursive" with its dashes, so the real option never matches.
  EXPECT_EQ(gnu_getopt({"--recursive"}, "frR", {"--recursive"}).error().message, "option --recursive not recognized");
}

}  // namespace
}  // namespace litbox::runner::sh

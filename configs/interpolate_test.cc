#include "configs/interpolate.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "configs/test_support.h"

namespace litbox::config {
namespace {

using testing::error_of;

const std::map<std::string, std::string> kParams = {{"llvm_tools_dir", "/b/bin"}, {"triple", "x86_64-linux"}};

TEST(Interpolate, ReplacesParameters) {
  EXPECT_EQ(*interpolate("${llvm_tools_dir}/FileCheck", kParams), "/b/bin/FileCheck");
  EXPECT_EQ(*interpolate("target=${triple} ${triple}", kParams), "target=x86_64-linux x86_64-linux");
}

TEST(Interpolate, ReadsTheEnvironmentAndUnsetIsEmpty) {
  setenv("LITBOX_INTERPOLATE_TEST", "value", 1);
  unsetenv("LITBOX_INTERPOLATE_UNSET");
  EXPECT_EQ(*interpolate("a${env:LITBOX_INTERPOLATE_TEST}b", kParams), "avalueb");
  EXPECT_EQ(*interpolate("a${env:LITBOX_INTERPOLATE_UNSET}b", kParams), "ab");
}

TEST(Interpolate, EnvironmentSetDefersPathToTheRunner) {
  setenv("LITBOX_INTERPOLATE_TEST", "value", 1);
  auto v = interpolate_deferring_path("${tools}:${env:PATH}:${env:LITBOX_INTERPOLATE_TEST}:$${env:PATH}",
                                      {{"tools", "/t"}});
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "/t:" + std::string(kBasePathMarker) + ":value:${env:PATH}");
  EXPECT_EQ(expand_base_path(*v, "/usr/bin:/bin"), "/t:/usr/bin:/bin:value:${env:PATH}");
  EXPECT_EQ(expand_base_path(std::string(kBasePathMarker) + std::string(kBasePathMarker), "x"), "xx");
  EXPECT_EQ(expand_base_path("plain", "x"), "plain");
}

TEST(Interpolate, DoubleDollarIsADollarAndOtherDollarsStay) {
  EXPECT_EQ(*interpolate("$${triple}", kParams), "${triple}");
  EXPECT_EQ(*interpolate("^foo$ costs $5", kParams), "^foo$ costs $5");
  EXPECT_EQ(*interpolate("end$", kParams), "end$");
}

TEST(Interpolate, DoesNotRescanExpandedText) {
  std::map<std::string, std::string> params = {{"a", "${b}"}, {"b", "no"}};
  EXPECT_EQ(*interpolate("${a}", params), "${b}");
}

TEST(Interpolate, UnknownParameterSuggestsAName) {
  EXPECT_EQ(error_of(interpolate("${llvm_tool_dir}/opt", kParams)),
            "unknown parameter 'llvm_tool_dir' in '${llvm_tool_dir}/opt' (did you mean 'llvm_tools_dir'?)");
  EXPECT_EQ(error_of(interpolate("${build}", kParams)),
            "unknown parameter 'build' in '${build}' (define it in params: or with -D build=VALUE)");
}

TEST(Interpolate, RejectsMalformedReferences) {
  EXPECT_EQ(error_of(interpolate("${triple", kParams)), "unterminated '${' in '${triple'");
  EXPECT_EQ(error_of(interpolate("${}", kParams)), "invalid parameter name in '${}'");
  EXPECT_EQ(error_of(interpolate("${a b}", kParams)), "invalid parameter name in '${a b}'");
  EXPECT_EQ(error_of(interpolate("${env:}", kParams)), "invalid environment variable name in '${env:}'");
}

TEST(ReferencedParameters, ListsParameterNamesButNotEnvOrEscapes) {
  EXPECT_EQ(referenced_parameters("${a}/x/${env:HOME}/$${c}/${b}"), (std::vector<std::string>{"a", "b"}));
}

TEST(NeedsInterpolation, OnlyDollarBraceAndDoubleDollar) {
  EXPECT_FALSE(needs_interpolation("plain $ text$"));
  EXPECT_TRUE(needs_interpolation("${a}"));
  EXPECT_TRUE(needs_interpolation("$$"));
}

}  // namespace
}  // namespace litbox::config

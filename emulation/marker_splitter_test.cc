#include "emulation/marker_splitter.h"

#include <gtest/gtest.h>

namespace litbox::emulation {
namespace {

TEST(MarkerSplitter, ForwardsEverythingWithoutMarker) {
  MarkerSplitter s("@@MARK@@");
  std::string out = s.feed("hello ");
  out += s.feed("world@");  // "@" could start the marker: held back
  EXPECT_EQ(out, "hello world");
  EXPECT_EQ(s.finish(), "@");
  EXPECT_FALSE(s.found());
}

TEST(MarkerSplitter, SplitsAtMarkerAcrossFeeds) {
  MarkerSplitter s("@@MARK@@");
  std::string out = s.feed("error text\n@@MA");
  EXPECT_EQ(out, "error text\n");
  out = s.feed("RK@@ 3\nTAR");
  EXPECT_EQ(out, "");
  EXPECT_TRUE(s.found());
  s.feed("MORE");
  EXPECT_EQ(s.trailer(), " 3\nTARMORE");
  EXPECT_EQ(s.finish(), "");
}

TEST(MarkerSplitter, PartialPrefixThatDoesNotMatchIsReleased) {
  MarkerSplitter s("@@MARK@@");
  EXPECT_EQ(s.feed("a@@MA"), "a");
  EXPECT_EQ(s.feed("X"), "@@MAX");
  EXPECT_FALSE(s.found());
}

TEST(MarkerSplitter, MarkerWithoutNewlineBeforeIt) {
  MarkerSplitter s("@@MARK@@");
  EXPECT_EQ(s.feed("no newline@@MARK@@ 0\n"), "no newline");
  EXPECT_TRUE(s.found());
  std::string_view rest;
  EXPECT_EQ(parse_status_line(s.trailer(), &rest), 0);
  EXPECT_EQ(rest, "");
}

TEST(ParseStatusLine, RejectsMalformedLines) {
  std::string_view rest;
  EXPECT_EQ(parse_status_line(" 139\nabc", &rest), 139);
  EXPECT_EQ(rest, "abc");
  EXPECT_EQ(parse_status_line("139\n", &rest), -1);
  EXPECT_EQ(parse_status_line(" 1x\n", &rest), -1);
  EXPECT_EQ(parse_status_line(" 12", &rest), -1);
  EXPECT_EQ(parse_status_line(" \n", &rest), -1);
}

}  // namespace
}  // namespace litbox::emulation

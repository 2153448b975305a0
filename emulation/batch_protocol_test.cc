// The result stream parser, fed the way a pipe delivers it: whole, and one byte at a time.
#include "emulation/batch_protocol.h"

#include <gtest/gtest.h>

namespace litbox::emulation {
namespace {

using Kind = BatchEvent::Kind;

std::vector<BatchEvent> parse(const std::string& stream, bool bytewise, Status* status = nullptr) {
  BatchStreamParser p("tok");
  std::vector<BatchEvent> events;
  Status s;
  if (bytewise) {
    for (char c : stream)
      if (s) s = p.feed(std::string_view(&c, 1), events);
  } else {
    s = p.feed(stream, events);
  }
  if (status) *status = s;
  return events;
}

const std::string kStream =
    "motd from a login shell\n"
    "LITBOX-tok READY\n"
    "S 1\n"
    "S 2\n"
    "R 2 0 0 15 6 0 0\nhello\n"
    "R 1 139 0 7 3 4 0\nab\noops"
    "F 3 cannot record the result: No space left on device\n"
    "LITBOX-tok END\n";

TEST(BatchProtocolTest, ParsesEveryEventWholeAndBytewise) {
  for (bool bytewise : {false, true}) {
    Status s;
    auto ev = parse(kStream, bytewise, &s);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ(ev.size(), 7u);
    EXPECT_EQ(ev[0].kind, Kind::ready);
    EXPECT_EQ(ev[1].kind, Kind::started);
    EXPECT_EQ(ev[1].id, 1);
    EXPECT_EQ(ev[2].id, 2);
    EXPECT_EQ(ev[3].kind, Kind::result);
    EXPECT_EQ(ev[3].id, 2);
    EXPECT_EQ(ev[3].elapsed_ms, 15);
    EXPECT_EQ(ev[3].out, "hello\n");
    EXPECT_EQ(ev[4].status, 139);
    EXPECT_EQ(ev[4].out, "ab\n");
    EXPECT_EQ(ev[4].err, "oops");
    EXPECT_EQ(ev[5].kind, Kind::failed);
    EXPECT_EQ(ev[5].id, 3);
    EXPECT_EQ(ev[5].message, "cannot record the result: No space left on device");
    EXPECT_EQ(ev[6].kind, Kind::end);
  }
}

TEST(BatchProtocolTest, PayloadsMayHoldAnything) {
  std::string out("x\nR 9 0 0 0 0 0 0\n\0", 19);
  std::string tar(1024, '\0');
  auto ev = parse("LITBOX-tok READY\nR 4 1 1 2000 19 0 1024\n" + out + tar, true);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].out, out);
  EXPECT_TRUE(ev[1].timed_out);
  EXPECT_EQ(ev[1].archive, tar);
}

TEST(BatchProtocolTest, AStartErrorIsAnEvent) {
  auto ev = parse("LITBOX-tok E tar: cas/ab: Cannot write: No space left on device\n", false);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Kind::error);
  EXPECT_EQ(ev[0].message, "tar: cas/ab: Cannot write: No space left on device");
}

TEST(BatchProtocolTest, OtherTokensAndLinesAfterReadyAreErrors) {
  Status s;
  auto ev = parse("LITBOX-other READY\n", false, &s);
  EXPECT_TRUE(s.ok()) << "another batch's lines before READY are chatter";
  EXPECT_TRUE(ev.empty());
  ev = parse("LITBOX-tok READY\nLITBOX-other END\n", false, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "malformed result stream: 'LITBOX-other END'");
  ev = parse("LITBOX-tok READY\nhello\n", false, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "malformed result stream: 'hello'");
  ev = parse("LITBOX-tok READY\nR 1 0 0 x 0 0 0\n", false, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "malformed result stream: 'R 1 0 0 x 0 0 0'");
  ev = parse("LITBOX-tok END\n", false, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "malformed result stream: 'LITBOX-tok END'");
}

TEST(BatchProtocolTest, AStreamCutInsideAResultIsPartial) {
  BatchStreamParser p("tok");
  std::vector<BatchEvent> ev;
  ASSERT_TRUE(p.feed("LITBOX-tok READY\nR 1 0 0 1 10 0 0\nhalf", ev).ok());
  EXPECT_EQ(ev.size(), 1u);
  EXPECT_TRUE(p.partial());
  BatchStreamParser q("tok");
  ASSERT_TRUE(q.feed("LITBOX-tok READY\nS 1\n", ev).ok());
  EXPECT_FALSE(q.partial());
}

}  // namespace
}  // namespace litbox::emulation

#include "runner/sh/py_text.h"

#include <gtest/gtest.h>

#include "runner/sh/py_path.h"

namespace litbox::runner::sh {
namespace {

TEST(PyTextTest, DecodeReplaceUsesMaximalSubparts) {
  // Values checked against Python: b'...'.decode('utf-8', 'replace').
  EXPECT_EQ(utf8_decode_replace("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(utf8_decode_replace("\xe2\x82"), "\xef\xbf\xbd");            // truncated: one U+FFFD
  EXPECT_EQ(utf8_decode_replace("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(utf8_decode_replace("\xc3\xa9"), "\xc3\xa9");
  EXPECT_EQ(utf8_decode_backslashreplace("a\xe2\x82" "b"), "a\\xe2\\x82b");
}

TEST(PyTextTest, Blankness) {
  EXPECT_TRUE(py_str_blank(" \n\t\x1c\xc2\x85"));
  EXPECT_FALSE(py_str_blank(" x "));
  EXPECT_TRUE(py_bytes_blank(" \n\r\t\v\f"));
  EXPECT_FALSE(py_bytes_blank("\x1c"));
}

TEST(PyTextTest, SplitWhitespace) {
  std::vector<std::string> want = {"a", "b", "c"};
  EXPECT_EQ(py_split_whitespace("  a \t b\xe2\x80\x83" "c\n"), want);
}

TEST(PyTextTest, UniversalNewlines) { EXPECT_EQ(universal_newlines("a\r\nb\rc\n"), "a\nb\nc\n"); }

TEST(PyTextTest, PyInt) {
  EXPECT_EQ(*py_int(" 42 ", 10), 42);
  EXPECT_EQ(*py_int("-1_000", 10), -1000);
  EXPECT_EQ(*py_int("0o22", 8), 18);
  EXPECT_EQ(*py_int("077", 8), 63);
  EXPECT_EQ(py_int("abc", 10).error().message, "invalid literal for int() with base 10: 'abc'");
  EXPECT_EQ(py_int("9", 8).error().message, "invalid literal for int() with base 8: '9'");
  EXPECT_FALSE(py_int("1__0", 10).ok());
  EXPECT_FALSE(py_int("", 10).ok());
}

TEST(PyTextTest, UnicodeEscape) {
  EXPECT_EQ(*unicode_escape_decode("a\\tb\\n\\x41\\101\\u00e9\\q"), "a\tb\nAA\xc3\xa9\\q");
  // Non-escape bytes are Latin-1: UTF-8 input is mangled the way lit's echo -e mangles it.
  EXPECT_EQ(*unicode_escape_decode("\xc3\xa9"), "\xc3\x83\xc2\xa9");
  EXPECT_EQ(unicode_escape_decode("ab\\").error().message,
            "UnicodeDecodeError: 'unicodeescape' codec can't decode byte 0x5c in position 2: \\ at end of string");
  EXPECT_EQ(unicode_escape_decode("\\x4").error().message,
            "UnicodeDecodeError: 'unicodeescape' codec can't decode bytes in position 0-2: truncated \\xXX escape");
}

TEST(PyPathTest, NormpathJoinSplit) {
  EXPECT_EQ(py_normpath("/a/./b/../c//d/"), "/a/c/d");
  EXPECT_EQ(py_normpath("//a"), "//a");
  EXPECT_EQ(py_normpath("///a/.."), "/");
  EXPECT_EQ(py_normpath("../x/.."), "..");
  EXPECT_EQ(py_join("/a", "b"), "/a/b");
  EXPECT_EQ(py_join("/a/", "b"), "/a/b");
  EXPECT_EQ(py_join("/a", "/b"), "/b");
  EXPECT_EQ(py_split("/a/b").first, "/a");
  EXPECT_EQ(py_split("/a").first, "/");
}

TEST(PyPathTest, Reprs) {
  EXPECT_EQ(py_bytes_repr("/tmp/x'y\xff"), "b\"/tmp/x'y\\xff\"");
  EXPECT_EQ(py_oserror(2, py_bytes_repr("/x")), "[Errno 2] No such file or directory: b'/x'");
}

}  // namespace
}  // namespace litbox::runner::sh

// Whole scripts against real lit 15: testdata/gen_lit_cases.py ran each of them as a test
// with lit's internal shell and recorded lit's log; litbox must print the same bytes.
#include <gtest/gtest.h>

#include <filesystem>

#include "runner/sh/script_harness_for_tests.h"
#include "runner/sh/test_util.h"

namespace litbox::runner::sh {
namespace {

enum Kind { kRan, kParseError, kException };

struct LitCase {
  Kind kind;
  const char* test_file;           // the test's contents (%s)
  std::vector<std::string> lines;  // RUN lines as lit expanded them; {DIR} is the test's directory
  int exit_code;
  const char* log;        // lit's "Command Output (stdout)", or its parse error output
  const char* exception;  // the last line of lit's traceback
};

const LitCase kCases[] = {
#include "runner/sh/testdata/lit_cases.inc"
};

TEST(LitConformanceTest, SameLogAsLit15) {
  int n = 0;
  for (const LitCase& c : kCases) {
    SCOPED_TRACE("case c" + std::to_string(n++) + ": " + c.lines.front());
    litbox::testing::TempDir dir;
    std::filesystem::create_directories(dir / "Output");
    testing::write_file(dir / "test.txt", c.test_file);
    std::vector<std::string> lines;
    for (const auto& l : c.lines) lines.push_back(testing::replace_all_in(l, "{DIR}", dir.path()));
    testing::ScriptHarness h(dir.path());
    ScriptResult r = h.run(lines);
    std::string log = testing::replace_all_in(r.out, dir.path(), "{DIR}");
    switch (c.kind) {
      case kRan:
        EXPECT_EQ(log, c.log);
        EXPECT_EQ(r.exit_code, c.exit_code);
        EXPECT_EQ(r.exception, "");
        EXPECT_FALSE(r.parse_error);
        break;
      case kParseError:
        EXPECT_TRUE(r.parse_error);
        EXPECT_EQ(log, c.log);
        break;
      case kException:
        EXPECT_EQ(testing::replace_all_in(r.exception, dir.path(), "{DIR}"), c.exception);
        break;
    }
  }
}

}  // namespace
}  // namespace litbox::runner::sh

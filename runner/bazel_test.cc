#include "runner/bazel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

namespace litbox::runner {
namespace {

TEST(BazelTest, ReadsTheProtocolsVariables) {
  std::map<std::string, std::string> env = {{"XML_OUTPUT_FILE", "/o/test.xml"},
                                            {"TEST_PREMATURE_EXIT_FILE", "/o/premature"},
                                            {"TEST_WARNINGS_OUTPUT_FILE", "/o/warnings"},
                                            {"TEST_UNDECLARED_OUTPUTS_DIR", "/o/outs"},
                                            {"TEST_TMPDIR", "/o/tmp"}};
  BazelTest b = bazel_test_from([&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  EXPECT_EQ(b.xml_output_file, "/o/test.xml");
  EXPECT_EQ(b.premature_exit_file, "/o/premature");
  EXPECT_EQ(b.warnings_file, "/o/warnings");
  EXPECT_EQ(b.undeclared_outputs_dir, "/o/outs");
  EXPECT_EQ(b.tmpdir, "/o/tmp");
  BazelTest none = bazel_test_from([](const char*) -> const char* { return nullptr; });
  EXPECT_TRUE(none.xml_output_file.empty() && none.premature_exit_file.empty() && none.tmpdir.empty());
}

TEST(BazelTest, ThePrematureExitFileExistsOnlyWhileTheGuardLives) {
  const char* base = std::getenv("TMPDIR");
  std::string path = std::string(base && *base ? base : "/tmp") + "/litbox-premature-" + std::to_string(getpid());
  {
    PrematureExitGuard guard(path);
    EXPECT_EQ(access(path.c_str(), F_OK), 0);
  }
  EXPECT_NE(access(path.c_str(), F_OK), 0);
  PrematureExitGuard nothing("");  // not under Bazel: no file
}

}  // namespace
}  // namespace litbox::runner

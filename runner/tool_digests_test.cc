#include "runner/tool_digests.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "support/sha256.h"

namespace litbox::runner {
namespace {

class ToolDigestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/litbox-tools-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    mkdir((dir_ + "/suite").c_str(), 0755);
    mkdir((dir_ + "/suite/Output").c_str(), 0755);
    mkdir((dir_ + "/run-tmp").c_str(), 0755);
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ + "/" + rel) << text;
    return dir_ + "/" + rel;
  }
  std::string dir_;
};

TEST_F(ToolDigestsTest, DigestsEachToolOnceAndSkipsWhatTestsBuild) {
  ToolDigests tools({dir_ + "/run-tmp"}, {dir_ + "/suite"});
  const std::string tool = write("tool", "v1");
  const std::string built = write("suite/Output/a.out", "x");
  const std::string in_tmp = write("run-tmp/t", "x");
  tools.note(exec::host_filesystem(), tool);
  write("tool", "v2");  // the first digest stays: it is computed once per run
  tools.note(exec::host_filesystem(), tool);
  tools.note(exec::host_filesystem(), built);
  tools.note(exec::host_filesystem(), in_tmp);
  EXPECT_EQ(tools.digests(), (std::map<std::string, std::string>{{tool, sha256_of("v1")}}));
}

TEST_F(ToolDigestsTest, WhatCannotBeReadSaysWhy) {
  ToolDigests tools;
  mkfifo((dir_ + "/fifo").c_str(), 0644);  // must not block the run
  tools.note(exec::host_filesystem(), dir_ + "/fifo");
  tools.note(exec::host_filesystem(), dir_ + "/missing");
  EXPECT_EQ(tools.digests().at(dir_ + "/fifo"), "unreadable: not a regular file");
  EXPECT_EQ(tools.digests().at(dir_ + "/missing"), "unreadable: No such file or directory");
}

}  // namespace
}  // namespace litbox::runner

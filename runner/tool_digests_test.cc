#include "runner/tool_digests.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/sha256.h"
#include "support/testing/temp_dir.h"

namespace litbox::runner {
namespace {

class ToolDigestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.mkdir("suite/Output");
    tmp_.mkdir("run-tmp");
  }
  std::string write(const std::string& rel, const std::string& text) { return tmp_.write(rel, text); }
  litbox::testing::TempDir tmp_;
  const std::string dir_ = tmp_.path();
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

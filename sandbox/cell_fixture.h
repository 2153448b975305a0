// The fixture of the tests that make real cells: skips (with the reason) where this machine
// cannot make them (fails with LITBOX_REQUIRE_SANDBOX=1), and gives each test a source dir and an Output dir of its own.
#pragma once

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "sandbox/sandbox_executor.h"
#include "sandbox/test_util.h"
#include "support/sandbox_skip.h"
#include "support/testing/temp_dir.h"

namespace litbox::sandbox {

class CellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const Status probed = probe();
    if (!probed) LITBOX_SKIP_OR_FAIL("cannot make sandbox cells here: " << probed.error().message);
    std::filesystem::create_directories(dir / "src");
    std::filesystem::create_directories(dir / "build/Output");
    spec_.test_name = "suite :: foo.test";
    spec_.source_dir = dir / "src";
    spec_.source_path = dir / "src/foo.test";
    spec_.output_dir = dir / "build/Output";
    spec_.tmp_prefix = dir / "build/Output/foo.test";
    testing::write_file(spec_.source_path, "RUN: true\n");
  }

  std::unique_ptr<exec::Executor> executor(const SandboxSpec& spec = {}) {
    // The test programs must be visible in the cell even when the build tree is below /tmp
    // (which every cell replaces with its own tmpfs), as the runner does for litbox itself.
    SandboxSpec with_testcase = spec;
    with_testcase.readonly.push_back(std::filesystem::path(testing::testcase()).parent_path());
    // The test's own dir, as the runner shows a suite's tree (the host's top level is
    // allow-listed: /work or /check would be hidden).
    if (std::find(spec.hidden.begin(), spec.hidden.end(), dir.path()) == spec.hidden.end())
      with_testcase.readonly.push_back(dir.path());
    auto ex = make_executor(io, with_testcase);
    if (!ex) ADD_FAILURE() << ex.error().message;
    return ex ? std::move(*ex) : nullptr;
  }
  std::unique_ptr<exec::Session> open(exec::Executor& ex) { return open(ex, spec_); }
  std::unique_ptr<exec::Session> open(exec::Executor& ex, const exec::SessionSpec& spec) {
    auto s = ex.open(spec);
    if (!s) ADD_FAILURE() << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  /// %t of the test.
  std::string t() const { return spec_.tmp_prefix + ".tmp"; }

  boost::asio::io_context io;
  litbox::testing::TempDir dir;
  exec::SessionSpec spec_;
};

}  // namespace litbox::sandbox

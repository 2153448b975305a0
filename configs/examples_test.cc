// configs/examples/ must load cleanly and mean what their comments say.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "configs/loader.h"

namespace litbox::config {
namespace {

// Symlink-free, as the loader reports roots.
const std::string kExamples =
    std::filesystem::canonical(std::string(LITBOX_SOURCE_DIR) + "/configs/examples").string();

TEST(Examples, SiteSuiteAndLocalConfigsLoad) {
  auto site = load_site_config(kExamples + "/build/lit.site.yaml", {});
  ASSERT_TRUE(site.ok()) << site.error().str();
  EXPECT_EQ(site->suite_dir, kExamples + "/suite");

  auto root = load_suite_config(site->suite_dir + "/lit.yaml", &*site, {});
  ASSERT_TRUE(root.ok()) << root.error().str();
  EXPECT_EQ(root->name, "Example");
  EXPECT_EQ(root->exec_root, kExamples + "/build");
  EXPECT_DOUBLE_EQ(root->timeout, 600);  // the site overrides the suite's 300
  EXPECT_TRUE(root->features.count("shell"));
  EXPECT_TRUE(root->features.count("x86-registered-target"));
  EXPECT_TRUE(root->features.count("target=x86_64-unknown-linux-gnu"));
  EXPECT_FALSE(root->unsupported);
  ASSERT_EQ(root->substitutions.size(), 5u);  // the asserts && *-registered-target block added one
  EXPECT_EQ(root->substitutions[1].replacement, "/usr/lib/llvm-15/bin/FileCheck");
  EXPECT_EQ(root->substitutions[4].pattern, "%debug-only");
  EXPECT_EQ(root->sandbox.writable, std::vector<std::string>{"%t"});
  EXPECT_EQ(root->sandbox.limits.memory, 4ull << 30);

  auto arm = apply_local_config(*root, kExamples + "/suite/ARM/lit.local.yaml");
  ASSERT_TRUE(arm.ok()) << arm.error().str();
  EXPECT_EQ(arm->suffixes, (std::vector<std::string>{".ll", ".test", ".mir"}));
  EXPECT_FALSE(arm->unsupported);
  EXPECT_EQ(arm->substitutions[3].pattern, "%{exec}");
  EXPECT_EQ(arm->substitutions[3].replacement, "qemu-arm -L /usr/arm-linux-gnueabihf");
  EXPECT_EQ(arm->sandbox.limits.memory, 2ull << 30);
  EXPECT_EQ(arm->sandbox.limits.processes, 512u);
}

TEST(Examples, TheSuiteFindsItsSiteConfigFromTheSourceTree) {
  unsetenv("EXAMPLE_BUILD");
  auto candidates = site_config_candidates(kExamples + "/suite/lit.yaml", {});
  ASSERT_TRUE(candidates.ok()) << candidates.error().str();
  EXPECT_EQ(*candidates,
            (std::vector<std::string>{kExamples + "/build/lit.site.yaml", "/test/lit.site.yaml"}));
}

TEST(Examples, TheSuiteLoadsWithoutASiteToo) {
  auto root = load_suite_config(kExamples + "/suite/lit.yaml", nullptr, {});
  ASSERT_TRUE(root.ok()) << root.error().str();
  EXPECT_EQ(root->exec_root, kExamples + "/suite");
  EXPECT_EQ(root->substitutions.size(), 4u);  // no asserts feature without the site
}

}  // namespace
}  // namespace litbox::config

// A test's private Output view: what it owns goes back to the real Output dir, nothing else.
#include "sandbox/output_view.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "sandbox/test_util.h"

namespace litbox::sandbox {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

TEST(OutputView, OwnsItsNameAndDottedExtensionsOnly) {
  OutputView v;
  v.prefix = "foo.test";
  EXPECT_TRUE(v.owns("foo.test"));
  EXPECT_TRUE(v.owns("foo.test.tmp"));
  EXPECT_TRUE(v.owns("foo.test.tmp1"));
  EXPECT_TRUE(v.owns("foo.test.script"));
  EXPECT_FALSE(v.owns("foo.test2.tmp"));  // another test's
  EXPECT_FALSE(v.owns("foo.tes"));
  EXPECT_FALSE(v.owns("shared.o"));
}

// What the executor passes: an existing, canonical Output dir.
std::string output_dir(const TempDir& d) {
  fs::create_directories(d / "Output");
  return fs::canonical(d / "Output").string();
}

TEST(OutputView, PrepareMakesAnEmptyPrivateDir) {
  TempDir d;
  auto v = prepare_output_view(output_dir(d), d / "Output/foo.test");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->output_dir, fs::canonical(d / "Output").string());
  EXPECT_EQ(v->prefix, "foo.test");
  EXPECT_EQ(v->private_dir, v->output_dir + "/.litbox/foo.test");
  EXPECT_TRUE(fs::is_directory(v->private_dir));
  EXPECT_TRUE(fs::is_empty(v->private_dir));
}

TEST(OutputView, LeftoversOfAKilledRunArePublishedOrCleared) {
  TempDir d;
  fs::create_directories(d / "Output/.litbox/foo.test");
  write_file(d / "Output/.litbox/foo.test/foo.test.tmp", "from the killed run");
  write_file(d / "Output/.litbox/foo.test/stray", "not owned");
  auto v = prepare_output_view(output_dir(d), d / "Output/foo.test");
  ASSERT_TRUE(v);
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "from the killed run");
  EXPECT_TRUE(fs::is_empty(v->private_dir));
}

TEST(OutputView, PublishReplacesOlderOutputsWhateverTheirType) {
  TempDir d;
  auto v = prepare_output_view(output_dir(d), d / "Output/foo.test");
  ASSERT_TRUE(v);
  fs::create_directories(d / "Output/foo.test.tmp/old");     // was a dir, becomes a file
  write_file(d / "Output/foo.test.tmp.d", "was a file");      // was a file, becomes a dir
  fs::create_directories(d / "Output/foo.test.tmp2/old");     // non-empty dir replaced by dir
  write_file(v->private_dir + "/foo.test.tmp", "new");
  fs::create_directories(v->private_dir + "/foo.test.tmp.d");
  fs::create_directories(v->private_dir + "/foo.test.tmp2/new");
  write_file(v->private_dir + "/bar.test.tmp", "not mine");
  ASSERT_TRUE(publish_output_view(*v));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "new");
  EXPECT_TRUE(fs::is_directory(d / "Output/foo.test.tmp.d"));
  EXPECT_TRUE(fs::exists(d / "Output/foo.test.tmp2/new"));
  EXPECT_FALSE(fs::exists(d / "Output/foo.test.tmp2/old"));
  EXPECT_FALSE(fs::exists(d / "Output/bar.test.tmp"));
  EXPECT_TRUE(fs::exists(v->private_dir + "/bar.test.tmp"));  // kept for inspection
}

TEST(OutputView, NeedsATestFileName) {
  TempDir d;
  auto v = prepare_output_view(output_dir(d), "");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "sandbox: no test file name in ''");
}

}  // namespace
}  // namespace litbox::sandbox

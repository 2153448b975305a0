#include "sandbox/cgroup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace litbox::sandbox {
namespace {

bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A run with two sandbox configs (two suites, say) has two pools at once: their cells must not
// collide (both used to make "litbox.<pid>/cell-0", and the second test failed to start).
TEST(CgroupPool, TwoPoolsOfOneProcessMakeDistinctCells) {
  std::string why_not;
  auto a = CgroupPool::create(&why_not);
  if (!a) GTEST_SKIP() << "no cgroup pool here: " << why_not;
  auto b = CgroupPool::create(&why_not);
  ASSERT_TRUE(b) << why_not;
  auto ca = a->make_cell(16);
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  auto cb = b->make_cell(16);
  ASSERT_TRUE(cb.ok()) << cb.error().message;
  EXPECT_NE(ca->path, cb->path);
  EXPECT_TRUE(is_dir(ca->path));
  EXPECT_TRUE(is_dir(cb->path));
  close(ca->procs_fd);
  close(cb->procs_fd);
  a->remove(ca->path);
  std::string b_path = cb->path;
  a.reset();  // the other pool's cells stay
  EXPECT_TRUE(is_dir(b_path));
  b->remove(b_path);
  EXPECT_FALSE(is_dir(b_path));
}

}  // namespace
}  // namespace litbox::sandbox

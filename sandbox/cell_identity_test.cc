// The id maps of cells: an unprivileged runner keeps its ids; a root runner's tests run as the
// first subordinate id of root, seen as 0 inside, with host root mapped only for init's setup.
#include "sandbox/cell_identity.h"

#include <gtest/gtest.h>

namespace litbox::sandbox {
namespace {

TEST(CellIdentityTest, AnUnprivilegedRunnerMapsOnlyItsOwnIds) {
  CellIdentity id = cell_identity(1000, 1001, false, "root:100000:65536\n", "root:100000:65536\n");
  EXPECT_FALSE(id.separate);
  EXPECT_EQ(id.host_uid, 1000u);
  EXPECT_EQ(id.host_gid, 1001u);
  EXPECT_EQ(id.zygote_uid_map, "1000 1000 1\n");
  EXPECT_EQ(id.cell_uid_map, "1000 1000 1\n");
  EXPECT_EQ(id.cell_gid_map, "1001 1001 1\n");
  CellIdentity binfmt = cell_identity(1000, 1001, true, "", "");
  EXPECT_EQ(binfmt.cell_uid_map, "0 1000 1\n");
  EXPECT_EQ(binfmt.cell_gid_map, "0 1001 1\n");
}

TEST(CellIdentityTest, ARootRunnersTestsRunAsRootsFirstSubordinateId) {
  CellIdentity id = cell_identity(0, 0, false, "alice:100000:65536\nroot:200000:65536\n", "root:300000:10\n");
  EXPECT_TRUE(id.separate);
  EXPECT_EQ(id.host_uid, 200000u);
  EXPECT_EQ(id.host_gid, 300000u);
  EXPECT_EQ(id.zygote_uid_map, "0 0 1\n200000 200000 1\n");
  EXPECT_EQ(id.zygote_gid_map, "0 0 1\n300000 300000 1\n");
  EXPECT_EQ(id.cell_uid_map, "0 200000 1\n65534 0 1\n");
  EXPECT_EQ(id.cell_gid_map, "0 300000 1\n65534 0 1\n");
}

TEST(CellIdentityTest, WithoutASubordinateRangeARootRunnerUsesTheDefault) {
  CellIdentity id = cell_identity(0, 0, false, "", "rooter:5:5\n# root:1:1\nroot:0:10\nroot:x:1\n");
  EXPECT_EQ(id.host_uid, kDefaultCellHostId);
  EXPECT_EQ(id.host_gid, kDefaultCellHostId);  // never host root, never a malformed line
}

TEST(CellIdentityTest, FirstSubordinateIdReadsUserFirstCount) {
  EXPECT_EQ(first_subordinate_id("root:165536:65536\n", "root", 7), 165536ul);
  EXPECT_EQ(first_subordinate_id("root:165536\n", "root", 7), 7ul);
  EXPECT_EQ(first_subordinate_id("root:165536:0\n", "root", 7), 7ul);
  EXPECT_EQ(first_subordinate_id("", "root", 7), 7ul);
}

}  // namespace
}  // namespace litbox::sandbox

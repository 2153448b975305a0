#include "sandbox/cell_identity.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace litbox::sandbox {

namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string line(unsigned long inner, unsigned long outer) {
  return std::to_string(inner) + " " + std::to_string(outer) + " 1\n";
}

}  // namespace

unsigned long first_subordinate_id(const std::string& file_text, const std::string& user, unsigned long fallback) {
  std::istringstream in(file_text);
  std::string l;
  while (std::getline(in, l)) {
    size_t a = l.find(':');
    size_t b = a == std::string::npos ? a : l.find(':', a + 1);
    if (b == std::string::npos || l.compare(0, a, user) != 0 || a != user.size()) continue;
    try {
      size_t used = 0;
      unsigned long first = std::stoul(l.substr(a + 1, b - a - 1), &used);
      unsigned long count = std::stoul(l.substr(b + 1));
      // Never 0 (host root) and never a range that wraps past the 32-bit id space.
      if (used == b - a - 1 && first > 0 && count > 0 && first < 0xfffffffeul) return first;
    } catch (...) {
    }
  }
  return fallback;
}

CellIdentity cell_identity(uid_t euid, gid_t egid, bool inner_root, const std::string& subuid,
                           const std::string& subgid) {
  CellIdentity id;
  if (euid != 0) {
    id.host_uid = euid;
    id.host_gid = egid;
    id.zygote_uid_map = line(euid, euid);
    id.zygote_gid_map = line(egid, egid);
    id.cell_uid_map = line(inner_root ? 0 : euid, euid);
    id.cell_gid_map = line(inner_root ? 0 : egid, egid);
    return id;
  }
  id.separate = true;
  id.host_uid = static_cast<uid_t>(first_subordinate_id(subuid, "root", kDefaultCellHostId));
  id.host_gid = static_cast<gid_t>(first_subordinate_id(subgid, "root", kDefaultCellHostId));
  // The zygote's namespace maps both host ids to themselves, so a cell's map can name them.
  id.zygote_uid_map = line(0, 0) + line(id.host_uid, id.host_uid);
  id.zygote_gid_map = line(egid, egid) + (egid == id.host_gid ? "" : line(id.host_gid, id.host_gid));
  id.cell_uid_map = line(0, id.host_uid) + line(65534, 0);
  id.cell_gid_map = line(0, id.host_gid) + line(65534, egid);
  return id;
}

CellIdentity cell_identity(bool inner_root) {
  const uid_t euid = geteuid();
  if (euid != 0) return cell_identity(euid, getegid(), inner_root, "", "");
  return cell_identity(euid, getegid(), inner_root, read_text("/etc/subuid"), read_text("/etc/subgid"));
}

}  // namespace litbox::sandbox

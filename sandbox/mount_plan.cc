#include "sandbox/mount_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace litbox::sandbox {

namespace {

// The device nodes a test gets. No tty, no disks, no /dev/mem: everything else in the host's
// /dev stays out of reach.
constexpr const char* kDevices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                    "/dev/urandom"};

int depth(const std::string& p) { return static_cast<int>(std::count(p.begin(), p.end(), '/')); }

// What one mount target becomes. Higher `rank` wins when two policy entries name the same path.
struct Entry {
  enum Kind { kTmp, kMaskDir, kMaskFile, kBindRO, kBindRW } kind;
  std::string target;
  std::string source;
  PathKind path_kind = PathKind::kDirectory;
  int rank = 0;
  bool tmpfs() const { return kind == kTmp || kind == kMaskDir; }
  bool bind() const { return kind == kBindRO || kind == kBindRW; }
};

std::string rule_name(const std::string& rule) {
  // ":name:type:offset:magic:mask:interpreter:flags"
  if (rule.size() < 2) return rule;
  size_t end = rule.find(rule[0], 1);
  return rule.substr(1, end == std::string::npos ? std::string::npos : end - 1);
}

}  // namespace

bool path_within(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
}

std::string MountStep::describe() const {
  switch (op) {
    case Op::kClone: return "clone " + source;
    case Op::kRootLock: return "make / read-only";
    case Op::kTmpfs: return "mount tmpfs on " + target;
    case Op::kMkdir: return "mkdir " + target;
    case Op::kTouch: return "create " + target;
    case Op::kSymlink: return "symlink " + target + " -> " + source;
    case Op::kAttach: return "bind " + source + " on " + target;
    case Op::kReadOnly: return "make " + target + " read-only";
    case Op::kProc: return "mount proc on " + target;
    case Op::kBinfmt: return "mount binfmt_misc on " + target;
    case Op::kRegister: return "register binfmt_misc rule '" + rule_name(source) + "'";
    case Op::kWritable: return "allow writes beneath " + target;
  }
  return "?";
}

std::string MountPlan::str() const {
  std::string out;
  char mode[16];
  for (const auto& s : steps) {
    out += s.describe();
    switch (s.op) {
      case MountStep::Op::kClone:
        out += " as #" + std::to_string(s.slot) + (s.recursive ? " (recursive)" : "");
        break;
      case MountStep::Op::kAttach: out += " from #" + std::to_string(s.slot); break;
      case MountStep::Op::kTmpfs: out += " (" + s.source + ")"; break;
      case MountStep::Op::kMkdir:
        snprintf(mode, sizeof mode, " (%04o)", s.mode);
        out += mode;
        break;
      case MountStep::Op::kReadOnly:
        out += s.recursive ? " (recursive" : " (";
        out += s.nodev ? (s.recursive ? ", nodev)" : "nodev)") : (s.recursive ? ", devices allowed)" : "devices allowed)");
        break;
      case MountStep::Op::kRootLock: out += " (recursive, nosuid, nodev, private)"; break;
      default: break;
    }
    out += "\n";
  }
  return out;
}

MountPlan build_mount_plan(const MountLayout& layout, const PathProbe& probe) {
  // 1. Collect the policy's mount targets; the highest rank wins per target.
  std::map<std::string, Entry> by_target;
  auto add = [&](Entry e) {
    auto it = by_target.find(e.target);
    if (it == by_target.end() || it->second.rank <= e.rank) by_target[e.target] = std::move(e);
  };
  add({Entry::kTmp, "/tmp", "", PathKind::kDirectory, 0});
  for (const auto& p : layout.hidden) {
    PathKind k = probe(p);
    if (k == PathKind::kMissing) continue;
    add({k == PathKind::kDirectory ? Entry::kMaskDir : Entry::kMaskFile, p, "", k, 1});
  }
  for (const auto& p : layout.readonly) {
    PathKind k = probe(p);
    if (k != PathKind::kMissing) add({Entry::kBindRO, p, p, k, 2});
  }
  for (const auto& p : layout.writable) {
    PathKind k = probe(p);
    if (k != PathKind::kMissing) add({Entry::kBindRW, p, p, k, 3});
  }
  for (const auto& b : layout.binds) {
    PathKind k = probe(b.source);
    if (k != PathKind::kMissing) add({b.writable ? Entry::kBindRW : Entry::kBindRO, b.target, b.source, k, 4});
  }

  // 2. Parents before children, so that a bind below a mask lands on top of it.
  std::vector<Entry> entries;
  for (auto& [t, e] : by_target) entries.push_back(std::move(e));
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return depth(a.target) < depth(b.target); });
  auto parent_of = [&](size_t i) -> const Entry* {
    const Entry* best = nullptr;
    for (size_t j = 0; j < i; ++j)
      if (path_within(entries[i].target, entries[j].target) && entries[j].target != entries[i].target &&
          (!best || depth(entries[j].target) > depth(best->target)))
        best = &entries[j];
    return best;
  };
  // A read-only path that nothing covers is already visible read-only through "/", and one
  // inside a read-only bind of the same host tree is too: no mount needed.
  std::vector<Entry> kept;
  std::vector<const Entry*> parents;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry* parent = parent_of(i);
    const Entry& e = entries[i];
    if (e.kind == Entry::kBindRO && e.source == e.target &&
        (!parent || (parent->kind == Entry::kBindRO && parent->source == parent->target)))
      continue;
    if (parent && parent->kind == Entry::kMaskFile) continue;  // nothing can live below a file
    kept.push_back(e);
  }
  entries = std::move(kept);

  MountPlan plan;
  for (const Entry& e : entries)
    if (e.kind == Entry::kBindRO && path_within(e.target, "/tmp")) plan.tmp_dir = kCellTmp;
  const bool narrow_tmp = plan.tmp_dir != "/tmp";
  auto step = [&](MountStep::Op op, std::string target, std::string source = "", int slot = -1,
                  unsigned mode = 0, bool recursive = false) {
    plan.steps.push_back({op, std::move(target), std::move(source), slot, mode, recursive});
  };

  // 3. Clone every bind source first, while the host mounts still carry their own flags: a
  // clone taken after "/" is locked would inherit read-only and nodev.
  std::vector<int> slot_of(entries.size(), -1);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!e.bind() && e.kind != Entry::kMaskFile) continue;
    slot_of[i] = plan.slots++;
    std::string src = e.kind == Entry::kMaskFile ? "/dev/null" : e.source;
    step(MountStep::Op::kClone, "", src, slot_of[i], 0, e.path_kind == PathKind::kDirectory);
  }
  std::vector<int> dev_slot;
  for (const char* d : kDevices) {
    dev_slot.push_back(plan.slots++);
    step(MountStep::Op::kClone, "", d, dev_slot.back());
  }

  step(MountStep::Op::kRootLock, "/");

  // 4. Masks and binds, parents first. A mount point below a tmpfs does not exist yet: create
  // the missing directories (or the empty file) in the tmpfs, which is still writable.
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const Entry* parent = nullptr;
    for (size_t j = 0; j < i; ++j)
      if (path_within(e.target, entries[j].target) && (!parent || depth(entries[j].target) > depth(parent->target)))
        parent = &entries[j];
    if (parent && parent->tmpfs()) {
      for (size_t pos = parent->target.size() + 1; pos < e.target.size(); ++pos)
        if (e.target[pos] == '/') step(MountStep::Op::kMkdir, e.target.substr(0, pos), "", -1, 0755);
      if (e.path_kind == PathKind::kFile)
        step(MountStep::Op::kTouch, e.target);
      else
        step(MountStep::Op::kMkdir, e.target, "", -1, 0755);
    }
    switch (e.kind) {
      case Entry::kTmp: {
        uint64_t inodes = std::max<uint64_t>(layout.tmp_size / 1024, 1024);
        step(MountStep::Op::kTmpfs, e.target,
             "size=" + std::to_string(layout.tmp_size) + ",nr_inodes=" + std::to_string(inodes) + ",mode=1777");
        step(MountStep::Op::kMkdir, "/tmp/.litbox", "", -1, 0755);
        step(MountStep::Op::kMkdir, kCellHome, "", -1, 0700);
        step(MountStep::Op::kMkdir, kCellShm, "", -1, 01777);
        step(MountStep::Op::kMkdir, kCellTmp, "", -1, 01777);
        break;
      }
      case Entry::kMaskDir:
        step(MountStep::Op::kTmpfs, e.target, "size=4k,nr_inodes=1024,mode=0755");
        break;
      case Entry::kMaskFile:
        step(MountStep::Op::kAttach, e.target, "/dev/null", slot_of[i]);
        step(MountStep::Op::kReadOnly, e.target);
        break;
      case Entry::kBindRO:
        step(MountStep::Op::kAttach, e.target, e.source, slot_of[i]);
        step(MountStep::Op::kReadOnly, e.target, "", -1, 0, true);
        break;
      case Entry::kBindRW:
        // Writable binds keep the host's flags; setting nosuid would cost a syscall and buy
        // nothing under no_new_privs.
        step(MountStep::Op::kAttach, e.target, e.source, slot_of[i]);
        step(MountStep::Op::kWritable, e.target);
        break;
    }
  }

  // Where Landlock lets the cell write besides the writable binds: its /tmp, or with host trees
  // inside it only its own directories there.
  if (narrow_tmp) {
    for (const char* d : {kCellTmp, kCellHome, kCellShm}) step(MountStep::Op::kWritable, d);
  } else {
    step(MountStep::Op::kWritable, "/tmp");
  }

  // 5. A minimal /dev: a few device nodes bound from the host, the usual symlinks, /dev/shm in
  // the size-limited /tmp, and then all of it read-only (device nodes stay usable, but nobody can
  // chmod the host's /dev/null through them).
  step(MountStep::Op::kTmpfs, "/dev", "size=4k,nr_inodes=64,mode=0755");
  for (size_t i = 0; i < std::size(kDevices); ++i) {
    step(MountStep::Op::kTouch, kDevices[i]);
    step(MountStep::Op::kAttach, kDevices[i], kDevices[i], dev_slot[i]);
  }
  step(MountStep::Op::kSymlink, "/dev/fd", "/proc/self/fd");
  step(MountStep::Op::kSymlink, "/dev/stdin", "/proc/self/fd/0");
  step(MountStep::Op::kSymlink, "/dev/stdout", "/proc/self/fd/1");
  step(MountStep::Op::kSymlink, "/dev/stderr", "/proc/self/fd/2");
  step(MountStep::Op::kSymlink, "/dev/shm", kCellShm);
  step(MountStep::Op::kReadOnly, "/dev", "", -1, 0, true);
  plan.steps.back().nodev = false;

  // 6. The cell's own /proc (read-only: as root, /proc/sysrq-trigger would reach the host).
  step(MountStep::Op::kProc, "/proc");
  if (!layout.binfmt_rules.empty()) {
    const std::string dir = "/proc/sys/fs/binfmt_misc";
    step(MountStep::Op::kBinfmt, dir);
    for (const auto& r : layout.binfmt_rules) step(MountStep::Op::kRegister, dir + "/register", r);
    step(MountStep::Op::kReadOnly, dir);
  }

  // 7. Seal the masks, now that everything below them is in place.
  for (const auto& e : entries)
    if (e.kind == Entry::kMaskDir) step(MountStep::Op::kReadOnly, e.target);
  return plan;
}

namespace {

struct FlatHeader {
  uint32_t magic = 0x706c616e;  // "plan"
  uint32_t nsteps = 0;
  uint32_t nslots = 0;
  uint32_t strings_size = 0;
};

struct FlatStep {
  uint32_t op, target, source, mode;
  int32_t slot;
  uint32_t flags;  // 1: recursive, 2: nodev
};

}  // namespace

std::string flatten(const MountPlan& plan) {
  std::string strings;
  auto intern = [&](const std::string& s) {
    uint32_t off = static_cast<uint32_t>(strings.size());
    strings.append(s).push_back('\0');
    return off;
  };
  std::vector<FlatStep> steps;
  for (const auto& s : plan.steps)
    steps.push_back({static_cast<uint32_t>(s.op), intern(s.target), intern(s.source), s.mode, s.slot,
                     (s.recursive ? 1u : 0u) | (s.nodev ? 2u : 0u)});
  FlatHeader h;
  h.nsteps = static_cast<uint32_t>(steps.size());
  h.nslots = static_cast<uint32_t>(plan.slots);
  h.strings_size = static_cast<uint32_t>(strings.size());
  std::string blob(reinterpret_cast<const char*>(&h), sizeof h);
  blob.append(reinterpret_cast<const char*>(steps.data()), steps.size() * sizeof(FlatStep));
  return blob + strings;
}

namespace {

// Calls fn for the targets of the steps `want` accepts. Allocation-free.
template <typename Want>
bool for_each_step_target(const char* blob, size_t size, Want want, void (*fn)(const char*, void*), void* ctx) {
  FlatHeader h;
  FlatHeader expected;
  if (size < sizeof h) return false;
  memcpy(&h, blob, sizeof h);
  const size_t steps_size = static_cast<size_t>(h.nsteps) * sizeof(FlatStep);
  if (h.magic != expected.magic || size != sizeof h + steps_size + h.strings_size || h.strings_size == 0 ||
      blob[size - 1] != 0)
    return false;
  const char* strings = blob + sizeof h + steps_size;
  for (uint32_t i = 0; i < h.nsteps; ++i) {
    FlatStep s;
    memcpy(&s, blob + sizeof h + i * sizeof(FlatStep), sizeof s);
    if (s.target >= h.strings_size) return false;
    if (want(static_cast<MountStep::Op>(s.op))) fn(strings + s.target, ctx);
  }
  return true;
}

}  // namespace

bool for_each_mount_target(const char* blob, size_t size, void (*fn)(const char* target, void* ctx), void* ctx) {
  return for_each_step_target(
      blob, size,
      [](MountStep::Op op) {
        return op == MountStep::Op::kTmpfs || op == MountStep::Op::kAttach || op == MountStep::Op::kProc ||
               op == MountStep::Op::kBinfmt;
      },
      fn, ctx);
}

bool for_each_made_path(const char* blob, size_t size, void (*fn)(const char* target, void* ctx), void* ctx) {
  return for_each_step_target(
      blob, size, [](MountStep::Op op) { return op == MountStep::Op::kMkdir || op == MountStep::Op::kTouch; }, fn, ctx);
}

bool for_each_writable(const char* blob, size_t size, void (*fn)(const char* target, void* ctx), void* ctx) {
  return for_each_step_target(
      blob, size, [](MountStep::Op op) { return op == MountStep::Op::kWritable; }, fn, ctx);
}

int apply_flat_mount_plan(const char* blob, size_t size, int* slot_fds, int max_slots, int* failed_step) {
  *failed_step = -1;
  FlatHeader h;
  FlatHeader expected;
  if (size < sizeof h) return EINVAL;
  memcpy(&h, blob, sizeof h);
  const size_t steps_size = static_cast<size_t>(h.nsteps) * sizeof(FlatStep);
  if (h.magic != expected.magic || h.nslots > static_cast<uint32_t>(max_slots) ||
      size != sizeof h + steps_size + h.strings_size || h.strings_size == 0 || blob[size - 1] != 0)
    return EINVAL;
  const char* strings = blob + sizeof h + steps_size;
  for (uint32_t i = 0; i < h.nsteps; ++i) {
    FlatStep s;
    memcpy(&s, blob + sizeof h + i * sizeof(FlatStep), sizeof s);
    if (s.target >= h.strings_size || s.source >= h.strings_size ||
        (s.slot >= 0 && static_cast<uint32_t>(s.slot) >= h.nslots))
      return EINVAL;
    const char* target = strings + s.target;
    const char* source = strings + s.source;
    const bool recursive = s.flags & 1, nodev = s.flags & 2;
    int rc = 0;
    switch (static_cast<MountStep::Op>(s.op)) {
      case MountStep::Op::kClone: {
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        int fd = static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, source, flags));
        rc = fd < 0 ? -1 : 0;
        if (s.slot >= 0) slot_fds[s.slot] = fd;
        break;
      }
      case MountStep::Op::kRootLock: {
        struct mount_attr attr = {};
        attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        attr.propagation = MS_PRIVATE;
        rc = static_cast<int>(syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr));
        break;
      }
      case MountStep::Op::kTmpfs:
        rc = mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, source);
        break;
      case MountStep::Op::kMkdir:
        rc = mkdir(target, s.mode);
        if (rc < 0 && errno == EEXIST) rc = 0;
        break;
      case MountStep::Op::kTouch: {
        int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        rc = fd < 0 ? -1 : close(fd);
        break;
      }
      case MountStep::Op::kSymlink:
        rc = symlink(source, target);
        break;
      case MountStep::Op::kAttach:
        if (s.slot < 0) return EINVAL;
        rc = static_cast<int>(syscall(SYS_move_mount, slot_fds[s.slot], "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH));
        if (rc == 0) close(slot_fds[s.slot]);
        break;
      case MountStep::Op::kReadOnly: {
        struct mount_attr attr = {};
        attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | (nodev ? MOUNT_ATTR_NODEV : MOUNT_ATTR_NOEXEC);
        rc = static_cast<int>(syscall(SYS_mount_setattr, AT_FDCWD, target, recursive ? AT_RECURSIVE : 0, &attr, sizeof attr));
        break;
      }
      case MountStep::Op::kProc:
        rc = mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, nullptr);
        break;
      case MountStep::Op::kBinfmt:
        rc = mount("binfmt_misc", target, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
        break;
      case MountStep::Op::kRegister: {
        int fd = open(target, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
          rc = -1;
          break;
        }
        size_t len = strlen(source);
        ssize_t w = write(fd, source, len);
        int e = errno;
        close(fd);
        errno = w < 0 ? e : EIO;
        rc = w == static_cast<ssize_t>(len) ? 0 : -1;
        break;
      }
      case MountStep::Op::kWritable:
        break;  // for Landlock, after the plan (cell_init.cc)
      default:
        return EINVAL;
    }
    if (rc < 0) {
      *failed_step = static_cast<int>(i);
      return errno ? errno : EIO;
    }
  }
  return 0;
}

}  // namespace litbox::sandbox

#include "sandbox/cell_reset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <limits.h>
#include <linux/openat2.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iterator>

#include "sandbox/mount_plan.h"

namespace litbox::sandbox {

namespace {

constexpr int kMaxDepth = 256;
constexpr int kMaxTmpMounts = 64;
constexpr int kMaxKept = 1024;

// What a fn of for_each_entry says about an entry (an errno, > 0, ends the walk: EPERM, 1,
// included, which must never be taken for "removed").
constexpr int kKept = 0;            // left alone
constexpr int kRemoved = -3;        // removed
constexpr int kRemovedReread = -1;  // removed; the dirent buffer was reused
constexpr int kKeptReread = -2;     // kept (it holds a mount); the dirent buffer was reused

// init's own state (a process of its own: these globals are its copies). One dirent buffer
// for every level: after a subdirectory is walked (which reuses it), the parent reads again.
char g_dirents[4096];
dev_t g_tmp_dev;  // the device of the cell's /tmp: anything else below it is a mount
struct TmpMount {
  const char* target;  // in init's copy of the plan
  dev_t dev;
  ino_t ino;
};
TmpMount g_mounts[kMaxTmpMounts];
int g_nmounts = 0;
bool g_unverifiable = false;   // more mounts below /tmp than we can check: never clean
// /tmp and the tmpfs directories leading to mounts below it, as the plan left them: a reset
// finds them with the same mode and size (tmpfs: number of entries), or does the full walk.
constexpr int kMaxLeading = 64;
struct LeadingDir {
  const char* path;  // a prefix of a mount target (in init's copy of the plan), `len` long
  size_t len;
  mode_t mode;
  off_t size;
};
LeadingDir g_leading[kMaxLeading];
int g_nleading = 0;
mode_t g_tmp_mode;
off_t g_tmp_size;
bool g_leading_known = false;  // the above was recorded: the fast path may be taken with mounts
uint64_t g_kept[kMaxKept];     // inodes of entries kept this reset (mount points and their parents)
int g_nkept = 0;
// The inodes of /tmp/.litbox/{home,shm,tmp} at the cell's start. Where the cell's /tmp holds
// host trees, Landlock's rules are on these very directories: one a test removed and the reset
// made again would be a directory no rule covers, so the reset fails instead (the cell retires).
constexpr const char* kSkeletonDirs[] = {"home", "shm", "tmp"};
constexpr mode_t kSkeletonModes[] = {0700, 01777, 01777};
ino_t g_skeleton_ino[3];
bool g_narrow_tmp = false;  // the plan lets the cell write only in those (MountPlan::tmp_dir)

struct Dirent64 {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[1];
};

bool dot_or_dotdot(const char* n) { return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)); }

bool is_kept(uint64_t ino) {
  for (int i = 0; i < g_nkept; ++i)
    if (g_kept[i] == ino) return true;
  return false;
}

int keep(uint64_t ino, int result) {
  if (g_nkept == kMaxKept) return ENOSPC;
  g_kept[g_nkept++] = ino;
  return result;
}

// Calls `fn(name, type, ino)` for the entries of `dir` not kept yet, in passes from the start,
// until a pass neither removes anything nor reuses the buffer. Every pass that does not end the
// walk removes an entry or keeps a new one, so the walk ends.
template <typename Fn>
int for_each_entry(int dir, Fn fn) {
  for (;;) {
    if (lseek(dir, 0, SEEK_SET) < 0) return errno;
    bool removed = false, reread = false;
    while (!reread) {
      long n = syscall(SYS_getdents64, dir, g_dirents, sizeof g_dirents);
      if (n < 0) return errno;
      if (n == 0) break;
      // tmpfs and mqueue (libfs) fill the buffer until the directory ends: a short read is the
      // end, and saves the call that would return 0.
      const bool last = n + 512 < static_cast<long>(sizeof g_dirents);
      for (long off = 0; off < n && !reread;) {
        const Dirent64* d = reinterpret_cast<const Dirent64*>(g_dirents + off);
        off += d->reclen;
        if (dot_or_dotdot(d->name) || is_kept(d->ino)) continue;
        char name[256];
        strncpy(name, d->name, sizeof name - 1);
        name[sizeof name - 1] = 0;
        const uint64_t ino = d->ino;
        const unsigned char type = d->type;
        int r = fn(name, type, ino);
        if (r > 0) return r;
        removed |= r == kRemoved || r == kRemovedReread;
        reread = r == kRemovedReread || r == kKeptReread;
      }
      if (last) break;
    }
    if (!removed && !reread) return 0;
  }
}

int empty_dir(int dir, int depth);

// Removes the entry `name` of `dir`, a whole tree if it is a directory, but never a mount
// point or anything below one (a bind of the host), nor the directories that lead to one.
int remove_entry(int dir, const char* name, uint64_t ino, int depth) {
  if (unlinkat(dir, name, 0) == 0 || errno == ENOENT) return kRemoved;
  if (errno == EBUSY) return keep(ino, kKept);  // a file mount point (a hidden file's /dev/null)
  if (errno != EISDIR) return errno;
  // A directory (nothing runs in the cell now, so it stays one). Its own mount: keep it.
  int probe = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (probe < 0) return errno;
  struct stat st;
  int e = fstat(probe, &st) < 0 ? errno : 0;
  close(probe);
  if (e) return e;
  if (st.st_dev != g_tmp_dev) return keep(ino, kKept);
  // Ours (one uid per cell): the test may have made it unreadable or read-only.
  if (fchmodat(dir, name, 0700, 0) < 0) return errno;
  int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return errno;
  e = empty_dir(sub, depth + 1);
  if (!e && unlinkat(dir, name, AT_REMOVEDIR) < 0) {
    if (errno == ENOTEMPTY || errno == EBUSY) {
      // It leads to a mount: the plan made it, with mode 0755 (mount_plan.cc).
      e = fchmod(sub, 0755) < 0 ? errno : keep(ino, kKeptReread);
      close(sub);
      return e;
    }
    e = errno;
  }
  close(sub);
  return e ? e : kRemovedReread;
}

int empty_dir(int dir, int depth) {
  if (depth > kMaxDepth) return ELOOP;
  return for_each_entry(dir, [&](const char* name, unsigned char, uint64_t ino) {
    return remove_entry(dir, name, ino, depth);
  });
}

// Makes `name` in `parent` an empty directory with `mode`, keeping it if it is one (then it
// is a directory: the caller removed whatever else had that name).
int fresh_dir(int parent, const char* name, mode_t mode) {
  if (fchmodat(parent, name, 0700, 0) < 0 && errno != ENOENT) return errno;
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return errno;
    if (mkdirat(parent, name, mode) < 0) return errno;
    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
  }
  struct stat st;
  int e = fstat(fd, &st) < 0 ? errno : st.st_dev != g_tmp_dev ? EXDEV : empty_dir(fd, 1);
  if (!e && fchmod(fd, mode) < 0) e = errno;
  close(fd);
  return e;
}

void note_tmp_mount(const char* target, void*) {
  if (strncmp(target, "/tmp/", 5) != 0) return;
  struct stat st;
  if (g_nmounts == kMaxTmpMounts || stat(target, &st) < 0) {
    g_unverifiable = true;
    return;
  }
  for (int i = 0; i < g_nmounts; ++i)
    if (strcmp(g_mounts[i].target, target) == 0) {  // mounted over again: the last one counts
      g_mounts[i].dev = st.st_dev;
      g_mounts[i].ino = st.st_ino;
      return;
    }
  g_mounts[g_nmounts++] = {target, st.st_dev, st.st_ino};
}

// stat() of the first `len` bytes of `path`, reached without a symlink.
bool stat_prefix(const char* path, size_t len, struct stat* st) {
  char buf[PATH_MAX];
  if (len >= sizeof buf) return false;
  memcpy(buf, path, len);
  buf[len] = 0;
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, AT_FDCWD, buf, &how, sizeof how));
  if (fd < 0) return false;
  int r = fstat(fd, st);
  close(fd);
  return r == 0;
}

// Every mount the plan put below /tmp is still there, at its path, reached without a symlink.
int check_tmp_mounts() {
  if (g_unverifiable) return EXDEV;
  for (int i = 0; i < g_nmounts; ++i) {
    struct stat st;
    if (!stat_prefix(g_mounts[i].target, strlen(g_mounts[i].target), &st) || st.st_dev != g_mounts[i].dev ||
        st.st_ino != g_mounts[i].ino)
      return EXDEV;
  }
  return 0;
}

// Records /tmp and every tmpfs directory on the way to a mount below it (not the mounts).
void record_leading_dirs() {
  g_nleading = 0;
  g_leading_known = false;
  struct stat tmp;
  if (g_unverifiable || stat("/tmp", &tmp) < 0) return;
  g_tmp_mode = tmp.st_mode & 07777;
  g_tmp_size = tmp.st_size;
  for (int i = 0; i < g_nmounts; ++i) {
    const char* t = g_mounts[i].target;
    for (const char* slash = strchr(t + 5, '/'); slash; slash = strchr(slash + 1, '/')) {
      size_t len = static_cast<size_t>(slash - t);
      bool seen = false;
      for (int j = 0; j < g_nleading && !seen; ++j)
        seen = g_leading[j].len == len && memcmp(g_leading[j].path, t, len) == 0;
      if (seen) continue;
      struct stat st;
      if (!stat_prefix(t, len, &st)) return;
      if (st.st_dev != tmp.st_dev) continue;  // inside another mount: not /tmp's
      if (g_nleading == kMaxLeading) return;
      g_leading[g_nleading++] = {t, len, st.st_mode & 07777, st.st_size};
    }
  }
  g_leading_known = true;
}

// True if /tmp and the directories leading to its mounts are as recorded (the mounts
// themselves are checked by check_tmp_mounts).
bool leading_dirs_untouched(const struct stat& tmp_st) {
  if (!g_leading_known || (tmp_st.st_mode & 07777) != g_tmp_mode || tmp_st.st_size != g_tmp_size) return false;
  for (int i = 0; i < g_nleading; ++i) {
    struct stat st;
    const LeadingDir& d = g_leading[i];
    if (!stat_prefix(d.path, d.len, &st) || st.st_dev != tmp_st.st_dev || !S_ISDIR(st.st_mode) ||
        (st.st_mode & 07777) != d.mode || st.st_size != d.size)
      return false;
  }
  return true;
}

}  // namespace

void record_tmp_mounts(const char* plan, size_t plan_size) {
  for (size_t i = 0; i < std::size(kSkeletonDirs); ++i) {
    struct stat st;
    char path[32];
    snprintf(path, sizeof path, "/tmp/.litbox/%s", kSkeletonDirs[i]);
    g_skeleton_ino[i] = stat(path, &st) == 0 ? st.st_ino : 0;
  }
  g_narrow_tmp = false;
  for_each_writable(
      plan, plan_size,
      [](const char* target, void*) {
        if (strcmp(target, kCellTmp) == 0) g_narrow_tmp = true;
      },
      nullptr);
  g_nmounts = 0;
  g_unverifiable = !for_each_mount_target(plan, plan_size, note_tmp_mount, nullptr);
  record_leading_dirs();
}

int open_mqueue_dir() {
  int fs = fsopen("mqueue", FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  int mnt = fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0
                ? fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID)
                : -1;
  close(fs);
  if (mnt < 0) return -1;
  int dir = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close(mnt);
  return dir;
}

// tmpfs counts a directory's size as 20 bytes (BOGO_DIRENT_SIZE) per entry, "." and ".."
// included.
constexpr off_t kTmpfsDirent = 20;
constexpr off_t tmpfs_dir_size(off_t entries) { return (entries + 2) * kTmpfsDirent; }

// Opens `name` in `dir` as a directory with `mode` and `entries` entries, as a test left it
// alone: -1 if it is anything else (or missing), so the caller does the full reset.
int open_untouched(int dir, const char* name, mode_t mode, off_t entries) {
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_dev != g_tmp_dev || (st.st_mode & 07777) != mode ||
      st.st_size != tmpfs_dir_size(entries)) {
    close(fd);
    return -1;
  }
  return fd;
}

// True if /tmp is exactly the skeleton, untouched: /tmp with only .litbox (and the
// directories leading to mounts, as the plan made them), .litbox with only home, shm and tmp,
// all empty, all with their modes (the usual case: a few syscalls, no walk).
bool skeleton_untouched(int tmp, const struct stat& tmp_st) {
  if ((tmp_st.st_mode & 07777) != 01777) return false;
  if (g_nmounts == 0 ? tmp_st.st_size != tmpfs_dir_size(1) : !leading_dirs_untouched(tmp_st)) return false;
  int litbox = open_untouched(tmp, ".litbox", 0755, std::size(kSkeletonDirs));
  if (litbox < 0) return false;
  bool untouched = true;
  for (size_t i = 0; i < std::size(kSkeletonDirs) && untouched; ++i) {
    int fd = open_untouched(litbox, kSkeletonDirs[i], kSkeletonModes[i], 0);
    struct stat st;
    untouched = fd >= 0 && fstat(fd, &st) == 0 && (!g_narrow_tmp || st.st_ino == g_skeleton_ino[i]);
    if (fd >= 0) close(fd);
  }
  close(litbox);
  return untouched;
}

// The skeleton is what mount_plan.cc makes: /tmp (1777), /tmp/.litbox (0755) and in it
// home (kCellHome, 0700), shm (kCellShm, 1777) and tmp (kCellTmp, 1777); plus the mount points
// the plan put below /tmp and the directories leading to them (0755).
int reset_tmp() {
  g_nkept = 0;
  int tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (tmp < 0) {
    chmod("/tmp", 0700);  // a mount point: the tmpfs root itself, whatever the test did to its mode
    tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (tmp < 0) return errno;
  }
  struct stat st;
  int e = fstat(tmp, &st) < 0 ? errno : 0;
  g_tmp_dev = st.st_dev;
  if (!e && skeleton_untouched(tmp, st)) {
    close(tmp);
    return check_tmp_mounts();
  }
  if (!e && fchmod(tmp, 0700) < 0) e = errno;
  if (!e)
    e = for_each_entry(tmp, [&](const char* name, unsigned char type, uint64_t ino) {
      if (strcmp(name, ".litbox") == 0 && type == DT_DIR) return kKept;
      return remove_entry(tmp, name, ino, 1);
    });
  int litbox = -1;
  if (!e && mkdirat(tmp, ".litbox", 0755) < 0 && errno != EEXIST) e = errno;
  if (!e && fchmodat(tmp, ".litbox", 0700, 0) < 0) e = errno;  // a directory (kept above only as one)
  if (!e && (litbox = openat(tmp, ".litbox", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) e = errno;
  if (!e)
    e = for_each_entry(litbox, [&](const char* name, unsigned char type, uint64_t ino) {
      for (const char* kept : kSkeletonDirs)
        if (strcmp(name, kept) == 0 && type == DT_DIR) return kKept;
      return remove_entry(litbox, name, ino, 2);
    });
  for (size_t i = 0; i < std::size(kSkeletonDirs) && !e; ++i) {
    e = fresh_dir(litbox, kSkeletonDirs[i], kSkeletonModes[i]);
    struct stat st;
    if (!e && g_narrow_tmp &&
        (fstatat(litbox, kSkeletonDirs[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_ino != g_skeleton_ino[i]))
      e = ESTALE;  // made again: not the directory Landlock's rules know
  }
  if (!e && fchmod(litbox, 0755) < 0) e = errno;
  if (!e && fchmod(tmp, 01777) < 0) e = errno;
  if (litbox >= 0) close(litbox);
  close(tmp);
  return e ? e : check_tmp_mounts();
}

int sysv_ipc_left() {
  struct shm_info shm = {};
  if (shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds*>(&shm)) >= 0 && shm.used_ids) return EBUSY;
  struct msginfo msg = {};
  if (msgctl(0, MSG_INFO, reinterpret_cast<struct msqid_ds*>(&msg)) >= 0 && msg.msgpool) return EBUSY;
  struct seminfo sem = {};
  if (semctl(0, 0, SEM_INFO, &sem) >= 0 && sem.semusz) return EBUSY;
  return 0;
}

int mqueues_left(int mq_dir) {
  if (mq_dir < 0) return ENOSYS;
  return for_each_entry(mq_dir, [](const char*, unsigned char, uint64_t) { return EBUSY; });
}

}  // namespace litbox::sandbox

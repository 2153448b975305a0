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
#include <unistd.h>

#include <cstring>

#include "sandbox/mount_plan.h"

namespace litbox::sandbox {

namespace {

constexpr int kMaxDepth = 256;

// One buffer for every level: after a subdirectory is emptied (which reuses it), the parent
// reads its entries again from the start.
char g_dirents[4096];
dev_t g_tmp_dev;  // the device of the cell's /tmp: anything else below it is a mount

struct Dirent64 {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[1];
};

bool dot_or_dotdot(const char* n) { return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)); }

// Calls `fn(name, type)` for each entry of `dir`. `fn` returns 0 (entry left alone), 1 (entry
// removed), -1 (entry removed, but the buffer was reused: read again) or an errno > 1. Passes
// are repeated until one removes nothing.
template <typename Fn>
int for_each_entry(int dir, Fn fn) {
  for (;;) {
    if (lseek(dir, 0, SEEK_SET) < 0) return errno;
    bool acted = false, reread = false;
    while (!reread) {
      long n = syscall(SYS_getdents64, dir, g_dirents, sizeof g_dirents);
      if (n < 0) return errno;
      if (n == 0) break;
      for (long off = 0; off < n && !reread;) {
        const Dirent64* d = reinterpret_cast<const Dirent64*>(g_dirents + off);
        off += d->reclen;
        if (dot_or_dotdot(d->name)) continue;
        char name[256];
        strncpy(name, d->name, sizeof name - 1);
        name[sizeof name - 1] = 0;
        int r = fn(name, d->type);
        if (r > 1) return r;
        acted |= r != 0;
        reread = r == -1;
      }
    }
    if (!acted) return 0;
  }
}

int empty_dir(int dir, int depth);

// Removes the entry `name` of `dir`, a whole tree if it is a directory: 1 (removed, no
// recursion), -1 (removed after emptying a directory), or an errno. Never crosses into a
// mount: EXDEV.
int remove_entry(int dir, const char* name, int depth) {
  if (unlinkat(dir, name, 0) == 0 || errno == ENOENT) return 1;
  if (errno != EISDIR) return errno;
  // A directory (nothing runs in the cell now, so it stays one): the test may have made it
  // unreadable; it is ours (one uid per cell), so make it ours to empty.
  if (fchmodat(dir, name, 0700, 0) < 0) return errno;
  int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return errno;
  struct stat st;
  int e = fstat(sub, &st) < 0 ? errno : st.st_dev != g_tmp_dev ? EXDEV : empty_dir(sub, depth + 1);
  close(sub);
  if (e) return e;
  if (unlinkat(dir, name, AT_REMOVEDIR) < 0 && errno != ENOENT) return errno == EBUSY ? EXDEV : errno;
  return -1;
}

int empty_dir(int dir, int depth) {
  if (depth > kMaxDepth) return ELOOP;
  return for_each_entry(dir, [&](const char* name, unsigned char) { return remove_entry(dir, name, depth); });
}

// Makes `name` in `parent` an empty directory with `mode`, keeping it if it is one (then it
// is a directory: the caller removed whatever else had that name).
int fresh_dir(int parent, const char* name, mode_t mode) {
  if (fchmodat(parent, name, 0700, 0) < 0 && errno != ENOENT) return errno;
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) return errno;
    if (int e = remove_entry(parent, name, 1); e > 1) return e;
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

}  // namespace

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

// The skeleton is what mount_plan.cc makes: /tmp (1777), /tmp/.litbox (0755) and in it
// home (kCellHome, 0700) and shm (kCellShm, 1777).
int reset_tmp() {
  chmod("/tmp", 0700);  // a mount point: the tmpfs root itself, whatever the test did to its mode
  int tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (tmp < 0) return errno;
  struct stat st;
  int e = fstat(tmp, &st) < 0 ? errno : 0;
  g_tmp_dev = st.st_dev;
  if (!e)
    e = for_each_entry(tmp, [&](const char* name, unsigned char type) {
      if (strcmp(name, ".litbox") == 0 && type == DT_DIR) return 0;
      return remove_entry(tmp, name, 1);
    });
  int litbox = -1;
  if (!e && mkdirat(tmp, ".litbox", 0755) < 0 && errno != EEXIST) e = errno;
  if (!e && fchmodat(tmp, ".litbox", 0700, 0) < 0) e = errno;  // a directory (kept above only as one)
  if (!e && (litbox = openat(tmp, ".litbox", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) e = errno;
  if (!e)
    e = for_each_entry(litbox, [&](const char* name, unsigned char type) {
      if ((strcmp(name, "home") == 0 || strcmp(name, "shm") == 0) && type == DT_DIR) return 0;
      return remove_entry(litbox, name, 2);
    });
  if (!e) e = fresh_dir(litbox, "home", 0700);
  if (!e) e = fresh_dir(litbox, "shm", 01777);
  if (!e && fchmod(litbox, 0755) < 0) e = errno;
  if (!e && fchmod(tmp, 01777) < 0) e = errno;
  if (litbox >= 0) close(litbox);
  close(tmp);
  return e;
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
  return for_each_entry(mq_dir, [](const char*, unsigned char) { return EBUSY; });
}

}  // namespace litbox::sandbox

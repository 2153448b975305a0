#include "sandbox/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <type_traits>

// Debian 12's linux-libc-dev predates most of what is used here: what it lacks is defined with
// the kernel's values, and the structs are our own (its landlock_ruleset_attr has one field).
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_CREATE_RULESET_ERRATA
#define LANDLOCK_CREATE_RULESET_ERRATA (1U << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_WRITE_FILE
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

namespace litbox::sandbox {

static_assert(kLandlockAccessFsWriteFile == LANDLOCK_ACCESS_FS_WRITE_FILE);
static_assert(kLandlockAccessFsRefer == LANDLOCK_ACCESS_FS_REFER);
static_assert(kLandlockAccessFsTruncate == LANDLOCK_ACCESS_FS_TRUNCATE);
static_assert(kLandlockScopeAbstractUnixSocket == LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
static_assert(kLandlockScopeSignal == LANDLOCK_SCOPE_SIGNAL);
static_assert(std::is_trivially_copyable_v<LandlockSupport>);  // may live in CellConfig
static_assert(std::is_trivially_copyable_v<LandlockInfo>);

namespace {

// struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix of it (ruleset_size).
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI >= 4; always 0 here
  uint64_t scoped;              // ABI >= 6
};
static_assert(sizeof(RulesetAttr) == 24);

// struct landlock_path_beneath_attr (packed in the kernel's header too).
struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};
static_assert(sizeof(PathBeneathAttr) == 12);

constexpr int kRulePathBeneath = 1;  // LANDLOCK_RULE_PATH_BENEATH

// The kernel's version, or -errno.
int query_abi() {
  long v = syscall(__NR_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v < 0 ? -errno : static_cast<int>(v);
}

// What this module asks for on `abi` (one place, so probe and restrict agree).
struct Plan {
  LandlockState state;
  uint64_t handled_fs;
  uint64_t scoped;
  size_t attr_size;
};

Plan plan_for(int abi) {
  if (abi < 1) return {LandlockState::kUnavailable, 0, 0, 0};
  if (abi < kLandlockMinAbi) return {LandlockState::kAbiTooOld, 0, 0, 0};
  Plan p{LandlockState::kEnforced, kLandlockAccessFsWriteFile | kLandlockAccessFsRefer, 0,
         sizeof(uint64_t)};
  if (abi >= 3) p.handled_fs |= kLandlockAccessFsTruncate;
  if (abi >= 4) p.attr_size = 2 * sizeof(uint64_t);
  if (abi >= 6) {
    p.scoped = kLandlockScopeAbstractUnixSocket | kLandlockScopeSignal;
    p.attr_size = sizeof(RulesetAttr);
  }
  return p;
}

// Where the writable files come from: fds, or paths opened one at a time.
struct Source {
  const int* fds;
  const char* const* paths;
};

int restrict_self(Source src, int n, LandlockInfo* out) {
  LandlockInfo scratch;
  LandlockInfo& info = out ? *out : scratch;
  info = LandlockInfo{};
  if (n < 0 || (n > 0 && !src.fds && !src.paths)) return EINVAL;

  int abi = query_abi();
  if (abi < 0) {
    info.error = -abi;
    return 0;  // unavailable: not an error
  }
  info.abi = abi;
  const Plan plan = plan_for(abi);
  info.state = plan.state;
  if (plan.state != LandlockState::kEnforced) return 0;

  RulesetAttr attr = {plan.handled_fs, 0, plan.scoped};
  long rs = syscall(__NR_landlock_create_ruleset, &attr, plan.attr_size, 0U);
  if (rs < 0) return errno;
  const int ruleset = static_cast<int>(rs);  // O_CLOEXEC already
  int err = 0;
  for (int i = 0; i < n && !err; ++i) {
    int fd = src.fds ? src.fds[i] : open(src.paths[i], O_PATH | O_CLOEXEC);
    if (fd < 0) {
      err = src.fds ? EBADF : errno;
      info.failed_index = i;
      break;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
      err = errno;
    } else {
      // REFER is a directory right: a rule on a file may only hold file rights (else EINVAL).
      PathBeneathAttr rule = {plan.handled_fs, fd};
      if (!S_ISDIR(st.st_mode)) rule.allowed_access &= ~kLandlockAccessFsRefer;
      if (syscall(__NR_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0U) < 0) err = errno;
    }
    if (!src.fds) close(fd);
    if (err) info.failed_index = i;
  }
  if (!err && syscall(__NR_landlock_restrict_self, ruleset, 0U) < 0) err = errno;
  close(ruleset);
  if (err) return err;  // nothing applied
  info.handled_fs = plan.handled_fs;
  info.scoped = plan.scoped;
  return 0;
}

}  // namespace

LandlockSupport landlock_probe() {
  LandlockSupport s;
  int abi = query_abi();
  if (abi < 0) {
    s.error = -abi;
    return s;
  }
  s.abi = abi;
  long errata = syscall(__NR_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_ERRATA);
  s.errata = errata < 0 ? 0 : static_cast<uint32_t>(errata);
  const Plan plan = plan_for(abi);
  s.state = plan.state;
  if (plan.state == LandlockState::kEnforced) {
    s.handled_fs = plan.handled_fs;
    s.scoped = plan.scoped;
  }
  return s;
}

std::string describe(const LandlockSupport& s) {
  const std::string gap =
      "host FIFOs and other special files the read-only mounts do not protect can be opened for writing";
  switch (s.state) {
    case LandlockState::kUnavailable:
      return std::string("Landlock unavailable (") + strerror(s.error) + "): " + gap;
    case LandlockState::kAbiTooOld:
      return "Landlock ABI " + std::to_string(s.abi) + " is too old (needs " +
             std::to_string(kLandlockMinAbi) + "): " + gap;
    case LandlockState::kEnforced:
      break;
  }
  std::string r = "Landlock ABI " + std::to_string(s.abi) + ": writes only beneath the writable paths (write_file";
  if (s.handled_fs & kLandlockAccessFsTruncate) r += ", truncate";
  r += ", refer)";
  if (s.scoped) {
    r += "; scoped:";
    if (s.scoped & kLandlockScopeAbstractUnixSocket) r += " abstract unix sockets";
    if (s.scoped & kLandlockScopeSignal) r += (s.scoped & kLandlockScopeAbstractUnixSocket) ? ", signals" : " signals";
  } else {
    r += "; not scoped (needs ABI 6): abstract unix sockets, signals";
  }
  r += "; not controlled: connect() to pathname unix sockets";
  return r;
}

int landlock_restrict_fds(const int* writable_fds, int n, LandlockInfo* out) noexcept {
  return restrict_self(Source{writable_fds, nullptr}, n, out);
}

int landlock_restrict(const char* const* writable_paths, int n, LandlockInfo* out) noexcept {
  return restrict_self(Source{nullptr, writable_paths}, n, out);
}

}  // namespace litbox::sandbox

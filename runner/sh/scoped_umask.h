// The shell's umask (ShellState::umask) applied to the files the shell itself creates.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

namespace litbox::runner::sh {

/// Sets the process's umask for the lifetime of the object (as lit 17 does with os.umask
/// around a command), so that the shell's own redirections and `mkdir` create what the
/// test's processes would create with `umask`, whatever litbox's own umask is. The runner's
/// file work for tests happens on one thread and never across a suspension, so the process
/// umask is the shell's exactly while this object lives: create it, do the synchronous file
/// work, let it go.
/// (The process umask is remembered, so the usual case, the shell's umask equal to it, costs
/// no system call: only this class changes the runner's umask.)
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(current()) {
    if (mask != old_) {
      ::umask(mask);
      current() = mask;
      changed_ = true;
    }
  }
  ~ScopedUmask() {
    if (changed_) {
      ::umask(old_);
      current() = old_;
    }
  }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  static mode_t& current() {
    static mode_t mask = [] {
      mode_t m = ::umask(022);
      ::umask(m);
      return m;
    }();
    return mask;
  }
  mode_t old_;
  bool changed_ = false;
};

}  // namespace litbox::runner::sh

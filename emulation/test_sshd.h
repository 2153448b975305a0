// A private OpenSSH server for tests and benchmarks: throwaway host and client keys in a temp
// dir, its own config on 127.0.0.1 and a free port, stopped by pid. Optionally the
// "simulated aarch64 device" of cross.md: the same sshd inside a user+mount+pid namespace
// with its own binfmt_misc holding the QEMU rules.
#pragma once

#include <sys/types.h>

#include <string>

#include "emulation/ssh_plan.h"
#include "emulation/test_util.h"

namespace litbox::emulation::testing {

/// One private sshd (see the file comment); stopped by pid on destruction.
class TestSshd {
 public:
  enum class Outcome { started, skipped, failed };
  struct Result {
    Outcome outcome;
    std::string message;  ///< why it was skipped or failed
  };

  /// Generates keys and config and starts sshd (the simulated device if `device`), waiting
  /// until it accepts connections.
  Result start(bool device = false);
  /// Stops the server (also done by the destructor).
  void stop();
  ~TestSshd() { stop(); }

  /// Client settings for this server: key, port, `-F none`, no known_hosts, and a fresh
  /// remote work directory.
  SshSettings settings() const;
  /// The remote work directory (a local temp dir: the "target" is this machine).
  const litbox::testing::TempDir& work() const { return work_; }
  int port() const { return port_; }

 private:
  Result start_device(const std::string& sshd_command);
  litbox::testing::TempDir keys_, work_;
  int port_ = 0;
  pid_t pid_ = -1;          // sshd, or the process that created the device's namespaces
  pid_t device_init_ = -1;  // pid 1 of the device's pid namespace
};

/// A TCP port on 127.0.0.1 nothing listens on right now.
int free_port();

}  // namespace litbox::emulation::testing

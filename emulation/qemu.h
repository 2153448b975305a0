// QEMU user-mode: finding the emulators, binfmt_misc registrations for sandbox cells, the
// `can-run=<arch>` features, and the executor decorator that prefixes foreign binaries.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <vector>

#include "emulation/arch.h"
#include "executor/executor.h"
#include "support/error.h"

namespace litbox::emulation {

/// The absolute path of `qemu-<arch>` or, failing that, `qemu-<arch>-static` in the
/// ':'-separated directory list `path` (first directory that has an executable wins; the plain
/// name is preferred within a directory). nullopt when neither exists or arch is unknown.
std::optional<std::string> find_qemu(Arch arch, const std::string& path);

/// How binfmt_misc entries are registered.
struct BinfmtOptions {
  /// 'P' flag: the emulated program sees its original argv[0] (QEMU >= 6.0 understands it).
  bool preserve_argv0 = true;
  /// 'F' flag: the kernel opens the interpreter at registration time, so it need not be
  /// visible (or even exist at that path) where the binary runs later. Always wanted for
  /// per-cell registrations made before the cell's mounts change.
  bool fix_binary = true;
};

/// The binfmt_misc registration for `arch` with interpreter `qemu`, in the text format
/// written to /proc/sys/fs/binfmt_misc/register (one write(2) per line, without newline):
/// ":qemu-aarch64:M::\x7fELF\x02\x01...:\xff\xff...:/usr/bin/qemu-aarch64:PF".
/// The magic/mask bytes are those of QEMU's scripts/qemu-binfmt-conf.sh, which Debian's
/// qemu-user-binfmt installs under /usr/share/binfmts. "" for Arch::unknown.
std::string binfmt_rule(Arch arch, const std::string& qemu, const BinfmtOptions& opts = {});

/// binfmt_rule() for every architecture that does not run natively on `host` and whose QEMU
/// is found on `path`, in all_arches() order. Architectures that share a magic with a native
/// one are skipped.
std::vector<std::string> binfmt_rules(Arch host, const std::string& path, const BinfmtOptions& opts = {});

/// Features for the architectures tests can run here: "can-run=<host>" (and i386 on x86_64),
/// then "can-run=<arch>" for each architecture with a QEMU on `path`. Sorted, unique.
std::vector<std::string> runnable_arch_features(Arch host, const std::string& path);

/// The Debian cross sysroot of `arch` (/usr/<multiarch>, e.g. /usr/aarch64-linux-gnu) if it
/// exists and holds the arch's dynamic loader directory (lib/), else "".
std::string default_sysroot(Arch arch);

/// Settings of the QEMU decorator.
struct QemuOptions {
  /// Root for the dynamic loader and libraries of foreign dynamic binaries: passed as
  /// `-L <sysroot>` and exported as QEMU_LD_PREFIX (which binfmt-started QEMUs read too).
  /// Empty: default_sysroot() of the binary's architecture, per spawn.
  std::string sysroot;
  /// Inserted after -L and before the program (e.g. {"-cpu", "max"}).
  std::vector<std::string> extra_args;
  /// Where to look for qemu-<arch>; empty means this process's PATH.
  std::string path;
  /// The architecture that runs natively; foreign ones are emulated.
  Arch host = host_arch();
  /// Programs that run their first non-option argument as a command (LLVM's `not`, as in
  /// `not --crash %t.exe`): when argv[0]'s file name is one of these, that argument is
  /// examined (and prefixed with QEMU) too, so the idiom works without binfmt_misc.
  std::vector<std::string> launchers = {"not"};
};

/// What the decorator does with one request; exposed for tests and `litbox` diagnostics.
/// Returns the request unchanged for native binaries, scripts, and anything that is not a
/// readable ELF file of a known architecture; `qemu-<arch> [-L sysroot] [extra_args]
/// argv...` with QEMU_LD_PREFIX set for a foreign one (after a launcher's options for a
/// launcher: `not --crash qemu-aarch64 ... %t.exe`); an error (the message of
/// ExitStatus::error) when no emulator exists:
/// "no emulator for aarch64 binary '/p/a.out': install qemu-user (qemu-aarch64 not found on
/// PATH)".
Expected<exec::SpawnRequest> plan_qemu_spawn(exec::SpawnRequest req, const QemuOptions& opts);

/// Wraps `inner`: every session's spawn() reads the ELF header of argv[0] and, for a foreign
/// architecture, rewrites the request as plan_qemu_spawn() does before handing it to the
/// inner session. A foreign binary without an emulator never reaches `inner`: its handler
/// gets ExitStatus{code=127, error=<message above>}. Emulators are looked up once per
/// architecture per executor. Errors: a `sysroot` that is not a directory.
/// Only argv[0] is seen: a foreign binary started by a native process (sh -c ./a.out) needs
/// binfmt_misc, which the sandbox registers per cell from binfmt_rules().
Expected<std::unique_ptr<exec::Executor>> make_qemu_executor(boost::asio::io_context& io,
                                                             std::unique_ptr<exec::Executor> inner, QemuOptions opts);

}  // namespace litbox::emulation

// CPU architectures as litbox names them (QEMU's user-mode names), and how to recognise them
// in ELF headers, target triples and `uname -m`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace litbox::emulation {

/// An architecture a Linux user-mode binary can be built for. The names are QEMU's
/// (`qemu-<name>`), which are also what the `can-run=<name>` features use.
enum class Arch : uint8_t {
  unknown,
  x86_64,
  i386,
  aarch64,
  aarch64_be,
  arm,
  armeb,
  riscv32,
  riscv64,
  ppc,
  ppc64,
  ppc64le,
  s390x,
  mips,
  mipsel,
  mips64,
  mips64el,
  sparc,
  sparc64,
  loongarch64,
  m68k,
  sh4,
  hppa,
  alpha,
};

/// Static facts about one architecture.
struct ArchInfo {
  Arch arch;
  const char* name;      ///< "aarch64": QEMU's name, used in features and messages
  uint16_t elf_machine;  ///< e_machine (EM_AARCH64 = 183)
  int elf_class;         ///< 32 or 64
  bool big_endian;
  const char* multiarch;  ///< Debian multiarch triple ("aarch64-linux-gnu"), "" if none
};

/// Every known architecture (not `unknown`), in enum order.
const std::vector<ArchInfo>& all_arches();

/// Facts about `arch`; nullptr for Arch::unknown.
const ArchInfo* arch_info(Arch arch);

/// "aarch64"; "unknown" for Arch::unknown.
std::string_view arch_name(Arch arch);

/// The inverse of arch_name(); also accepts common aliases ("arm64", "amd64", "ppc64el",
/// "armhf", "i686"). Arch::unknown if the name means nothing.
Arch arch_from_name(std::string_view name);

/// The architecture of a target triple's first component: "aarch64-linux-gnu" → aarch64,
/// "armv7a-none-eabi" → arm, "powerpc64le-unknown-linux-gnu" → ppc64le, "i686-pc-linux" → i386,
/// "riscv64gc-unknown-linux-gnu" → riscv64. Arch::unknown when not recognised.
Arch arch_from_triple(std::string_view triple);

/// arch_name(arch_from_triple(triple)), or "" when the triple is not recognised.
std::string arch_of_triple(std::string_view triple);

/// Maps a `uname -m` machine string to an Arch ("armv7l" → arm, "i686" → i386).
Arch arch_from_uname(std::string_view machine);

/// The architecture this process runs on (from uname(2)).
Arch host_arch();

/// True when the host kernel runs `binary` natively, without an emulator: the host's own
/// architecture, and i386 on x86_64 (the kernel's 32-bit compatibility layer).
bool runs_natively(Arch binary, Arch host);

}  // namespace litbox::emulation

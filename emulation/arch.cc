#include "emulation/arch.h"

#include <sys/utsname.h>

#include "support/strings.h"

namespace litbox::emulation {

namespace {

// e_machine values from the ELF gABI / <elf.h>.
constexpr uint16_t kEmSparc = 2, kEm386 = 3, kEm68k = 4, kEmMips = 8, kEmParisc = 15, kEmPpc = 20, kEmPpc64 = 21,
                   kEmS390 = 22, kEmArm = 40, kEmSh = 42, kEmSparcv9 = 43, kEmX86_64 = 62, kEmAarch64 = 183,
                   kEmRiscv = 243, kEmLoongarch = 258, kEmAlpha = 0x9026;

const std::vector<ArchInfo> kArches = {
    {Arch::x86_64, "x86_64", kEmX86_64, 64, false, "x86_64-linux-gnu"},
    {Arch::i386, "i386", kEm386, 32, false, "i386-linux-gnu"},
    {Arch::aarch64, "aarch64", kEmAarch64, 64, false, "aarch64-linux-gnu"},
    {Arch::aarch64_be, "aarch64_be", kEmAarch64, 64, true, ""},
    {Arch::arm, "arm", kEmArm, 32, false, "arm-linux-gnueabihf"},
    {Arch::armeb, "armeb", kEmArm, 32, true, ""},
    {Arch::riscv32, "riscv32", kEmRiscv, 32, false, ""},
    {Arch::riscv64, "riscv64", kEmRiscv, 64, false, "riscv64-linux-gnu"},
    {Arch::ppc, "ppc", kEmPpc, 32, true, "powerpc-linux-gnu"},
    {Arch::ppc64, "ppc64", kEmPpc64, 64, true, "powerpc64-linux-gnu"},
    {Arch::ppc64le, "ppc64le", kEmPpc64, 64, false, "powerpc64le-linux-gnu"},
    {Arch::s390x, "s390x", kEmS390, 64, true, "s390x-linux-gnu"},
    {Arch::mips, "mips", kEmMips, 32, true, "mips-linux-gnu"},
    {Arch::mipsel, "mipsel", kEmMips, 32, false, "mipsel-linux-gnu"},
    {Arch::mips64, "mips64", kEmMips, 64, true, "mips64-linux-gnuabi64"},
    {Arch::mips64el, "mips64el", kEmMips, 64, false, "mips64el-linux-gnuabi64"},
    {Arch::sparc, "sparc", kEmSparc, 32, true, ""},
    {Arch::sparc64, "sparc64", kEmSparcv9, 64, true, "sparc64-linux-gnu"},
    {Arch::loongarch64, "loongarch64", kEmLoongarch, 64, false, "loongarch64-linux-gnu"},
    {Arch::m68k, "m68k", kEm68k, 32, true, "m68k-linux-gnu"},
    {Arch::sh4, "sh4", kEmSh, 32, false, "sh4-linux-gnu"},
    {Arch::hppa, "hppa", kEmParisc, 32, true, "hppa-linux-gnu"},
    {Arch::alpha, "alpha", kEmAlpha, 64, false, "alpha-linux-gnu"},
};

struct Alias {
  std::string_view name;
  Arch arch;
};

// Names other tools use for the same architecture: Debian (amd64, arm64, armhf, ppc64el),
// uname (i686, armv7l), LLVM (powerpc64le, systemz).
constexpr Alias kAliases[] = {
    {"amd64", Arch::x86_64}, {"x64", Arch::x86_64},      {"i486", Arch::i386},           {"i586", Arch::i386},
    {"i686", Arch::i386},    {"x86", Arch::i386},        {"arm64", Arch::aarch64},       {"armhf", Arch::arm},
    {"armel", Arch::arm},    {"ppc64el", Arch::ppc64le}, {"powerpc64le", Arch::ppc64le}, {"powerpc64", Arch::ppc64},
    {"powerpc", Arch::ppc},  {"systemz", Arch::s390x},   {"sparcv9", Arch::sparc64},     {"loong64", Arch::loongarch64},
    {"sh", Arch::sh4},
};

}  // namespace

const std::vector<ArchInfo>& all_arches() { return kArches; }

const ArchInfo* arch_info(Arch arch) {
  for (const auto& a : kArches)
    if (a.arch == arch) return &a;
  return nullptr;
}

std::string_view arch_name(Arch arch) {
  const ArchInfo* info = arch_info(arch);
  return info ? info->name : "unknown";
}

Arch arch_from_name(std::string_view name) {
  for (const auto& a : kArches)
    if (name == a.name) return a.arch;
  for (const auto& a : kAliases)
    if (name == a.name) return a.arch;
  return Arch::unknown;
}

Arch arch_from_triple(std::string_view triple) {
  std::string_view cpu = triple.substr(0, triple.find('-'));
  if (Arch exact = arch_from_name(cpu); exact != Arch::unknown) return exact;
  // Sub-architecture spellings: armv7a, thumbv7em, armebv7r, riscv64gc, mipsisa64r6el,
  // i786... The order matters: test the longer/more specific prefixes first.
  auto has = [&](std::string_view p) { return starts_with(cpu, p); };
  if (has("aarch64_be")) return Arch::aarch64_be;
  if (has("aarch64") || has("arm64")) return Arch::aarch64;
  if (has("armeb") || has("thumbeb")) return Arch::armeb;
  if (has("arm") || has("thumb")) return Arch::arm;
  if (has("riscv64")) return Arch::riscv64;
  if (has("riscv32")) return Arch::riscv32;
  if (has("powerpc64le") || has("ppc64le")) return Arch::ppc64le;
  if (has("powerpc64") || has("ppc64")) return Arch::ppc64;
  if (has("powerpc") || has("ppc")) return Arch::ppc;
  if (has("mipsisa64")) return ends_with(cpu, "el") ? Arch::mips64el : Arch::mips64;
  if (has("mipsisa32")) return ends_with(cpu, "el") ? Arch::mipsel : Arch::mips;
  if (has("mips64")) return ends_with(cpu, "el") ? Arch::mips64el : Arch::mips64;
  if (has("mips")) return ends_with(cpu, "el") ? Arch::mipsel : Arch::mips;
  if (has("sparc64")) return Arch::sparc64;
  if (has("sparc")) return Arch::sparc;
  if (has("loongarch64")) return Arch::loongarch64;
  if (has("sh4")) return Arch::sh4;
  if (has("hppa")) return Arch::hppa;
  if (has("alpha")) return Arch::alpha;
  if (cpu.size() == 4 && cpu[0] == 'i' && cpu.substr(2) == "86") return Arch::i386;
  return Arch::unknown;
}

std::string arch_of_triple(std::string_view triple) {
  Arch a = arch_from_triple(triple);
  return a == Arch::unknown ? std::string() : std::string(arch_name(a));
}

Arch arch_from_uname(std::string_view machine) {
  // uname spells 32-bit ARM as armv7l/armv8l (little endian) or armv7b; triples use the
  // same prefixes, so the triple rules apply.
  if (starts_with(machine, "armv") && ends_with(machine, "b")) return Arch::armeb;
  return arch_from_triple(machine);
}

Arch host_arch() {
  struct utsname u;
  if (uname(&u) != 0) return Arch::unknown;
  return arch_from_uname(u.machine);
}

bool runs_natively(Arch binary, Arch host) {
  if (binary == Arch::unknown) return false;
  if (binary == host) return true;
  return host == Arch::x86_64 && binary == Arch::i386;
}

}  // namespace litbox::emulation

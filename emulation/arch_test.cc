#include "emulation/arch.h"

#include <gtest/gtest.h>

namespace litbox::emulation {
namespace {

TEST(ArchOfTriple, MapsTheCommonTriples) {
  EXPECT_EQ(arch_of_triple("aarch64-linux-gnu"), "aarch64");
  EXPECT_EQ(arch_of_triple("aarch64-unknown-linux-gnu"), "aarch64");
  EXPECT_EQ(arch_of_triple("arm64-apple-darwin"), "aarch64");
  EXPECT_EQ(arch_of_triple("aarch64_be-none-elf"), "aarch64_be");
  EXPECT_EQ(arch_of_triple("armv7-unknown-linux-gnueabihf"), "arm");
  EXPECT_EQ(arch_of_triple("armv7a-none-eabi"), "arm");
  EXPECT_EQ(arch_of_triple("thumbv7em-none-eabi"), "arm");
  EXPECT_EQ(arch_of_triple("armebv7r-none-eabi"), "armeb");
  EXPECT_EQ(arch_of_triple("x86_64-pc-linux-gnu"), "x86_64");
  EXPECT_EQ(arch_of_triple("i686-pc-linux-gnu"), "i386");
  EXPECT_EQ(arch_of_triple("i386-unknown-linux"), "i386");
  EXPECT_EQ(arch_of_triple("riscv64-linux-gnu"), "riscv64");
  EXPECT_EQ(arch_of_triple("riscv64gc-unknown-linux-gnu"), "riscv64");
  EXPECT_EQ(arch_of_triple("riscv32imac-unknown-none-elf"), "riscv32");
  EXPECT_EQ(arch_of_triple("powerpc64le-unknown-linux-gnu"), "ppc64le");
  EXPECT_EQ(arch_of_triple("ppc64le-linux"), "ppc64le");
  EXPECT_EQ(arch_of_triple("powerpc64-unknown-linux-gnu"), "ppc64");
  EXPECT_EQ(arch_of_triple("powerpc-unknown-linux-gnu"), "ppc");
  EXPECT_EQ(arch_of_triple("s390x-ibm-linux"), "s390x");
  EXPECT_EQ(arch_of_triple("systemz-unknown-linux"), "s390x");
  EXPECT_EQ(arch_of_triple("mips-linux-gnu"), "mips");
  EXPECT_EQ(arch_of_triple("mipsel-linux-gnu"), "mipsel");
  EXPECT_EQ(arch_of_triple("mips64el-linux-gnuabi64"), "mips64el");
  EXPECT_EQ(arch_of_triple("mipsisa64r6el-linux-gnuabi64"), "mips64el");
  EXPECT_EQ(arch_of_triple("sparcv9-sun-solaris"), "sparc64");
  EXPECT_EQ(arch_of_triple("loongarch64-unknown-linux-gnu"), "loongarch64");
}

TEST(ArchOfTriple, UnknownIsEmpty) {
  EXPECT_EQ(arch_of_triple("wasm32-unknown-unknown"), "");
  EXPECT_EQ(arch_of_triple(""), "");
  EXPECT_EQ(arch_from_triple("nvptx64-nvidia-cuda"), Arch::unknown);
}

TEST(ArchNames, RoundTripAndAliases) {
  for (const auto& a : all_arches()) EXPECT_EQ(arch_from_name(a.name), a.arch) << a.name;
  EXPECT_EQ(arch_from_name("arm64"), Arch::aarch64);
  EXPECT_EQ(arch_from_name("amd64"), Arch::x86_64);
  EXPECT_EQ(arch_from_name("ppc64el"), Arch::ppc64le);
  EXPECT_EQ(arch_from_name("armhf"), Arch::arm);
  EXPECT_EQ(arch_from_name("z80"), Arch::unknown);
  EXPECT_EQ(arch_name(Arch::unknown), "unknown");
  EXPECT_EQ(arch_name(Arch::riscv64), "riscv64");
}

TEST(ArchFromUname, MapsMachineStrings) {
  EXPECT_EQ(arch_from_uname("x86_64"), Arch::x86_64);
  EXPECT_EQ(arch_from_uname("i686"), Arch::i386);
  EXPECT_EQ(arch_from_uname("armv7l"), Arch::arm);
  EXPECT_EQ(arch_from_uname("armv7b"), Arch::armeb);
  EXPECT_EQ(arch_from_uname("aarch64"), Arch::aarch64);
  EXPECT_EQ(arch_from_uname("ppc64le"), Arch::ppc64le);
  EXPECT_EQ(arch_from_uname("s390x"), Arch::s390x);
}

TEST(HostArch, IsKnownHere) { EXPECT_NE(host_arch(), Arch::unknown); }

TEST(RunsNatively, HostAndCompatibleModes) {
  EXPECT_TRUE(runs_natively(Arch::x86_64, Arch::x86_64));
  EXPECT_TRUE(runs_natively(Arch::i386, Arch::x86_64));
  EXPECT_FALSE(runs_natively(Arch::aarch64, Arch::x86_64));
  EXPECT_FALSE(runs_natively(Arch::x86_64, Arch::aarch64));
  EXPECT_FALSE(runs_natively(Arch::unknown, Arch::unknown));
}

}  // namespace
}  // namespace litbox::emulation

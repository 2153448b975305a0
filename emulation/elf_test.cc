#include "emulation/elf.h"

#include <gtest/gtest.h>

#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

using testing::have_probe;
using testing::probe;

std::string header(int cls, int data, uint16_t type, uint16_t machine) {
  std::string h(64, '\0');
  h[0] = '\x7f';
  h[1] = 'E';
  h[2] = 'L';
  h[3] = 'F';
  h[4] = static_cast<char>(cls);
  h[5] = static_cast<char>(data);
  h[6] = 1;
  auto put16 = [&](size_t off, uint16_t v) {
    h[off + (data == 2 ? 1 : 0)] = static_cast<char>(v & 0xff);
    h[off + (data == 2 ? 0 : 1)] = static_cast<char>(v >> 8);
  };
  put16(16, type);
  put16(18, machine);
  return h;
}

TEST(ParseElfHeader, RecognisesArchitecturesByMachineClassAndEndianness) {
  struct Case {
    int cls, data;
    uint16_t machine;
    Arch arch;
  } cases[] = {
      {2, 1, 183, Arch::aarch64}, {2, 2, 183, Arch::aarch64_be}, {1, 1, 40, Arch::arm},
      {1, 2, 40, Arch::armeb},    {2, 1, 243, Arch::riscv64},    {1, 1, 243, Arch::riscv32},
      {2, 1, 21, Arch::ppc64le},  {2, 2, 21, Arch::ppc64},       {1, 2, 20, Arch::ppc},
      {2, 2, 22, Arch::s390x},    {2, 1, 62, Arch::x86_64},      {1, 1, 3, Arch::i386},
      {1, 2, 8, Arch::mips},      {2, 1, 8, Arch::mips64el},     {2, 1, 258, Arch::loongarch64},
  };
  for (const auto& c : cases) {
    auto info = parse_elf_header(header(c.cls, c.data, 2, c.machine));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->arch, c.arch) << "machine " << c.machine;
    EXPECT_EQ(info->machine, c.machine);
    EXPECT_EQ(info->elf_class, c.cls == 2 ? 64 : 32);
    EXPECT_EQ(info->big_endian, c.data == 2);
    EXPECT_EQ(info->type, 2);
  }
}

TEST(ParseElfHeader, UnknownMachineIsNotAnError) {
  auto info = parse_elf_header(header(2, 1, 3, 0x1234));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->arch, Arch::unknown);
  EXPECT_EQ(info->machine, 0x1234);
  EXPECT_EQ(info->type, 3);
}

TEST(ParseElfHeader, Errors) {
  EXPECT_EQ(parse_elf_header("#!/bin/sh\necho hi\n").error().message, "not an ELF file");
  EXPECT_EQ(parse_elf_header("").error().message, "not an ELF file");
  EXPECT_EQ(parse_elf_header(std::string("\x7f"
                                         "ELF\x02\x01",
                                         6))
                .error()
                .message,
            "truncated ELF header");
  EXPECT_EQ(parse_elf_header(header(3, 1, 2, 62)).error().message, "unsupported ELF class 3");
  EXPECT_EQ(parse_elf_header(header(2, 0, 2, 62)).error().message, "unsupported ELF data encoding 0");
}

TEST(ReadElfHeader, ErrorsNameTheFile) {
  EXPECT_EQ(read_elf_header("/nonexistent/a.out").error().message,
            "cannot open '/nonexistent/a.out': No such file or directory");
  litbox::testing::TempDir d;
  testing::write_file(d / "script", "#!/bin/sh\n");
  EXPECT_EQ(read_elf_header(d / "script").error().message, "'" + (d / "script") + "': not an ELF file");
}

TEST(ReadElfHeader, RealBinaries) {
  auto sh = read_elf_header("/bin/sh");
  ASSERT_TRUE(sh.ok()) << sh.error().message;
  EXPECT_EQ(sh->arch, host_arch());
  auto native = read_elf_header(probe("native"));
  ASSERT_TRUE(native.ok()) << native.error().message;
  EXPECT_EQ(native->arch, host_arch());
  if (!have_probe("aarch64-static") || !have_probe("riscv64-static"))
    GTEST_SKIP() << "cross compilers were not installed at build time";
  EXPECT_EQ(read_elf_header(probe("aarch64-static"))->arch, Arch::aarch64);
  EXPECT_EQ(read_elf_header(probe("aarch64-dynamic"))->arch, Arch::aarch64);
  EXPECT_EQ(read_elf_header(probe("riscv64-static"))->arch, Arch::riscv64);
}

TEST(ReadElfDynamic, StaticHasNoInterpreter) {
  if (!have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  auto dyn = read_elf_dynamic(probe("aarch64-static"));
  ASSERT_TRUE(dyn.ok()) << dyn.error().message;
  EXPECT_EQ(dyn->interpreter, "");
  EXPECT_TRUE(dyn->needed.empty());
}

TEST(ReadElfDynamic, DynamicAarch64) {
  if (!have_probe("aarch64-dynamic")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  auto dyn = read_elf_dynamic(probe("aarch64-dynamic"));
  ASSERT_TRUE(dyn.ok()) << dyn.error().message;
  EXPECT_EQ(dyn->interpreter, "/lib/ld-linux-aarch64.so.1");
  EXPECT_EQ(dyn->needed, std::vector<std::string>{"libc.so.6"});
}

TEST(ReadElfDynamic, NativeBinaryAndNonElf) {
  auto dyn = read_elf_dynamic("/bin/sh");
  ASSERT_TRUE(dyn.ok()) << dyn.error().message;
  EXPECT_FALSE(dyn->interpreter.empty());
  EXPECT_FALSE(dyn->needed.empty());
  litbox::testing::TempDir d;
  testing::write_file(d / "x", "hello");
  EXPECT_EQ(read_elf_dynamic(d / "x").error().message, "'" + (d / "x") + "': not an ELF file");
}

TEST(ResolveNeeded, AgainstTheAarch64Sysroot) {
  if (!have_probe("aarch64-dynamic")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  auto libs = resolve_needed(probe("aarch64-dynamic"), {"/usr/aarch64-linux-gnu/lib"});
  ASSERT_TRUE(libs.ok()) << libs.error().message;
  ASSERT_GE(libs->size(), 2u);
  EXPECT_EQ((*libs)[0].name, "libc.so.6");
  EXPECT_EQ((*libs)[0].path, "/usr/aarch64-linux-gnu/lib/libc.so.6");
  // libc.so.6 itself needs the dynamic loader.
  EXPECT_EQ((*libs)[1].name, "ld-linux-aarch64.so.1");
  EXPECT_EQ((*libs)[1].path, "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1");
  auto missing = resolve_needed(probe("aarch64-dynamic"), {"/nonexistent"});
  ASSERT_TRUE(missing.ok());
  ASSERT_EQ(missing->size(), 1u);
  EXPECT_EQ((*missing)[0].path, "");
}

}  // namespace
}  // namespace litbox::emulation

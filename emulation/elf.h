// Reading just enough of an ELF file to decide how to run it: the header (architecture) and,
// for dynamic executables, the program interpreter and DT_NEEDED libraries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulation/arch.h"
#include "executor/filesystem.h"
#include "support/error.h"

namespace litbox::emulation {

/// The identification part of an ELF header.
struct ElfInfo {
  Arch arch = Arch::unknown;  ///< from machine, class and endianness; unknown if unmapped
  uint16_t machine = 0;       ///< e_machine
  int elf_class = 0;          ///< 32 or 64
  bool big_endian = false;
  uint16_t type = 0;  ///< e_type: 2 ET_EXEC, 3 ET_DYN, ...
};

/// Decodes an ELF header from the first bytes of a file (at least 20 are needed).
/// Errors: "not an ELF file", "truncated ELF header", "unsupported ELF class N",
/// "unsupported ELF data encoding N".
Expected<ElfInfo> parse_elf_header(std::string_view bytes);

/// Reads the header of the file at `path` with one open and one 64-byte read.
/// Errors are prefixed with the quoted path: "'/x/y': not an ELF file",
/// "cannot open '/x/y': No such file or directory".
Expected<ElfInfo> read_elf_header(const std::string& path);

/// The same, through `fs` (a sandbox session's view of the filesystem, where the path may
/// name a file only the test's processes see, such as one in the cell's private /tmp).
Expected<ElfInfo> read_elf_header(exec::FileSystem& fs, const std::string& path);

/// What a dynamic ELF file asks of the dynamic linker.
struct ElfDynamic {
  std::string interpreter;           ///< PT_INTERP ("/lib/ld-linux-aarch64.so.1"), "" if static
  std::vector<std::string> needed;   ///< DT_NEEDED, in file order
  std::vector<std::string> rpath;    ///< DT_RPATH entries (':'-split, $ORIGIN not expanded)
  std::vector<std::string> runpath;  ///< DT_RUNPATH entries
};

/// Reads PT_INTERP and the dynamic section of `path` (any class and endianness).
/// A static executable gives an empty ElfDynamic.
Expected<ElfDynamic> read_elf_dynamic(const std::string& path);

/// One DT_NEEDED dependency and where it was found.
struct ResolvedLibrary {
  std::string name;  ///< "libfoo.so.1"
  std::string path;  ///< absolute local path; "" if not found in the search directories
};

/// Resolves the DT_NEEDED closure of `path` against `search_dirs` (in order; each DT_RUNPATH
/// or DT_RPATH entry of the file, with $ORIGIN expanded, is searched first). Libraries not
/// found are listed with an empty path and not followed. Each name appears once, in
/// breadth-first order.
Expected<std::vector<ResolvedLibrary>> resolve_needed(const std::string& path,
                                                      const std::vector<std::string>& search_dirs);

}  // namespace litbox::emulation

#include "emulation/elf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <set>

#include "support/strings.h"

namespace litbox::emulation {

namespace {

constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr uint64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtRpath = 15, kDtRunpath = 29;
// Upper bounds that keep a corrupt or hostile file from making us allocate gigabytes.
constexpr uint64_t kMaxSegment = 16u << 20;
constexpr unsigned kMaxPhnum = 4096;

// Reads integers of the file's byte order from a byte buffer.
struct Decoder {
  bool big_endian;
  uint64_t get(std::string_view b, size_t off, int size) const {
    uint64_t v = 0;
    for (int i = 0; i < size; ++i) {
      uint8_t byte = static_cast<uint8_t>(b[off + (big_endian ? i : size - 1 - i)]);
      v = (v << 8) | byte;
    }
    return v;
  }
};

class File {
 public:
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Error("cannot open " + py_repr(path) + ": " + strerror(errno));
    return {};
  }
  // Reads `size` bytes at `offset`; a short read returns fewer bytes.
  Expected<std::string> read(uint64_t offset, uint64_t size) const {
    std::string buf(size, '\0');
    size_t got = 0;
    while (got < size) {
      ssize_t n = pread(fd_, buf.data() + got, size - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error("cannot read " + py_repr(path_) + ": " + strerror(errno));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    buf.resize(got);
    return buf;
  }
  Error error(const std::string& what) const { return Error(py_repr(path_) + ": " + what); }

 private:
  int fd_ = -1;
  std::string path_;
};

struct Segment {
  uint32_t type;
  uint64_t offset, vaddr, filesz;
};

}  // namespace

Expected<ElfInfo> parse_elf_header(std::string_view b) {
  if (b.size() < 4 || b.substr(0, 4) !=
                          "\x7f"
                          "ELF")
    return Error("not an ELF file");
  if (b.size() < 20) return Error("truncated ELF header");
  ElfInfo info;
  uint8_t cls = static_cast<uint8_t>(b[4]), data = static_cast<uint8_t>(b[5]);
  if (cls != 1 && cls != 2) return Error("unsupported ELF class " + std::to_string(cls));
  if (data != 1 && data != 2) return Error("unsupported ELF data encoding " + std::to_string(data));
  info.elf_class = cls == 1 ? 32 : 64;
  info.big_endian = data == 2;
  Decoder d{info.big_endian};
  info.type = static_cast<uint16_t>(d.get(b, 16, 2));
  info.machine = static_cast<uint16_t>(d.get(b, 18, 2));
  for (const auto& a : all_arches()) {
    if (a.elf_machine == info.machine && a.elf_class == info.elf_class && a.big_endian == info.big_endian) {
      info.arch = a.arch;
      break;
    }
  }
  return info;
}

namespace {

// The hot path of the QEMU decorator: one read of 64 bytes from an open file.
Expected<ElfInfo> header_from_fd(int fd, const std::string& path) {
  char buf[64];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  int e = errno;
  ::close(fd);
  if (n < 0) return Error("cannot read " + py_repr(path) + ": " + strerror(e));
  auto info = parse_elf_header(std::string_view(buf, static_cast<size_t>(n)));
  if (!info) return Error(py_repr(path) + ": " + info.error().message);
  return info;
}

}  // namespace

Expected<ElfInfo> read_elf_header(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot open " + py_repr(path) + ": " + strerror(errno));
  return header_from_fd(fd, path);
}

Expected<ElfInfo> read_elf_header(exec::FileSystem& fs, const std::string& path) {
  int fd = fs.open(path, O_RDONLY);
  if (fd < 0) return Error("cannot open " + py_repr(path) + ": " + strerror(-fd));
  return header_from_fd(fd, path);
}

Expected<ElfDynamic> read_elf_dynamic(const std::string& path) {
  File f;
  if (Status s = f.open(path); !s) return s.error();
  auto hdr = f.read(0, 64);
  if (!hdr) return hdr.error();
  auto info = parse_elf_header(*hdr);
  if (!info) return f.error(info.error().message);
  const bool is64 = info->elf_class == 64;
  if (hdr->size() < (is64 ? 64u : 52u)) return f.error("truncated ELF header");
  Decoder d{info->big_endian};
  const std::string_view h = *hdr;
  uint64_t phoff = is64 ? d.get(h, 32, 8) : d.get(h, 28, 4);
  unsigned phentsize = static_cast<unsigned>(d.get(h, is64 ? 54 : 42, 2));
  unsigned phnum = static_cast<unsigned>(d.get(h, is64 ? 56 : 44, 2));
  if (phnum > kMaxPhnum || (phnum && phentsize < (is64 ? 56u : 32u))) return f.error("bad program header table");
  auto ph = f.read(phoff, uint64_t{phentsize} * phnum);
  if (!ph) return ph.error();
  if (ph->size() < uint64_t{phentsize} * phnum) return f.error("truncated program header table");

  std::vector<Segment> segs;
  for (unsigned i = 0; i < phnum; ++i) {
    size_t o = size_t{i} * phentsize;
    Segment s;
    s.type = static_cast<uint32_t>(d.get(*ph, o, 4));
    s.offset = is64 ? d.get(*ph, o + 8, 8) : d.get(*ph, o + 4, 4);
    s.vaddr = is64 ? d.get(*ph, o + 16, 8) : d.get(*ph, o + 8, 4);
    s.filesz = is64 ? d.get(*ph, o + 32, 8) : d.get(*ph, o + 16, 4);
    segs.push_back(s);
  }

  ElfDynamic out;
  const Segment* dyn = nullptr;
  for (const auto& s : segs) {
    if (s.type == kPtInterp) {
      if (s.filesz > 4096) return f.error("bad PT_INTERP");
      auto interp = f.read(s.offset, s.filesz);
      if (!interp) return interp.error();
      out.interpreter = interp->substr(0, interp->find('\0'));
    } else if (s.type == kPtDynamic) {
      dyn = &s;
    }
  }
  if (!dyn) return out;
  if (dyn->filesz > kMaxSegment) return f.error("bad PT_DYNAMIC");
  auto dynbytes = f.read(dyn->offset, dyn->filesz);
  if (!dynbytes) return dynbytes.error();

  const size_t entsize = is64 ? 16 : 8;
  const int word = is64 ? 8 : 4;
  uint64_t strtab = 0, strsz = 0;
  std::vector<std::pair<uint64_t, uint64_t>> entries;  // (tag, value) up to DT_NULL
  for (size_t o = 0; o + entsize <= dynbytes->size(); o += entsize) {
    uint64_t tag = d.get(*dynbytes, o, word), val = d.get(*dynbytes, o + word, word);
    if (tag == kDtNull) break;
    if (tag == kDtStrtab) strtab = val;
    if (tag == kDtStrsz) strsz = val;
    entries.emplace_back(tag, val);
  }
  // DT_STRTAB is a virtual address: find the PT_LOAD segment that maps it to the file.
  uint64_t strtab_off = 0;
  bool mapped = false;
  for (const auto& s : segs) {
    if (s.type == kPtLoad && strtab >= s.vaddr && strtab < s.vaddr + s.filesz) {
      strtab_off = strtab - s.vaddr + s.offset;
      mapped = true;
      break;
    }
  }
  if (!mapped || strsz > kMaxSegment) {
    bool wants_strings = false;
    for (auto& [tag, v] : entries) wants_strings |= tag == kDtNeeded || tag == kDtRpath || tag == kDtRunpath;
    if (wants_strings) return f.error("bad dynamic string table");
    return out;
  }
  auto strs = f.read(strtab_off, strsz);
  if (!strs) return strs.error();
  auto str_at = [&](uint64_t off) -> std::string {
    if (off >= strs->size()) return "";
    return std::string(strs->c_str() + off);
  };
  for (auto& [tag, v] : entries) {
    if (tag == kDtNeeded) out.needed.push_back(str_at(v));
    if (tag == kDtRpath || tag == kDtRunpath) {
      auto& list = tag == kDtRpath ? out.rpath : out.runpath;
      for (auto& p : split(str_at(v), ':'))
        if (!p.empty()) list.push_back(p);
    }
  }
  return out;
}

Expected<std::vector<ResolvedLibrary>> resolve_needed(const std::string& path,
                                                      const std::vector<std::string>& search_dirs) {
  std::vector<ResolvedLibrary> out;
  std::set<std::string> seen;
  std::deque<std::string> files{path};
  while (!files.empty()) {
    std::string file = files.front();
    files.pop_front();
    auto dyn = read_elf_dynamic(file);
    if (!dyn) return dyn.error();
    std::string origin = file.substr(0, file.rfind('/'));
    if (origin.empty()) origin = "/";
    // ld.so: DT_RPATH is searched only when there is no DT_RUNPATH; both before the defaults.
    std::vector<std::string> dirs;
    for (const auto& p : dyn->runpath.empty() ? dyn->rpath : dyn->runpath) {
      dirs.push_back(replace_all(replace_all(p, "${ORIGIN}", origin), "$ORIGIN", origin));
    }
    dirs.insert(dirs.end(), search_dirs.begin(), search_dirs.end());
    for (const auto& name : dyn->needed) {
      if (!seen.insert(name).second) continue;
      ResolvedLibrary lib{name, ""};
      for (const auto& dir : dirs) {
        std::string candidate = dir + "/" + name;
        struct stat st;
        if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
          lib.path = candidate;
          break;
        }
      }
      if (!lib.path.empty()) files.push_back(lib.path);
      out.push_back(std::move(lib));
    }
  }
  return out;
}

}  // namespace litbox::emulation

#include "emulation/tar.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "emulation/local_files.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

constexpr size_t kBlock = 512;
// From this size on, add_file_owned() keeps a file's bytes as a chunk of their own.
constexpr size_t kOwnedChunk = 64 * 1024;

// Zero-padded octal in width-1 digits and a NUL. Values that do not fit (files of 8 GiB and
// more) are not something a test ships; they are clamped rather than overflowing the field.
void put_octal(char* field, size_t width, uint64_t value) {
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

Status read_whole(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  int e = fd < 0 ? errno : read_file_from(fd, 0, out);
  if (fd >= 0) ::close(fd);
  if (e) return Error("cannot read " + py_repr(path) + ": " + strerror(e));
  return {};
}

Expected<uint64_t> parse_number(const char* field, size_t width, size_t offset) {
  // GNU base-256: the high bit of the first byte is set and the rest is big-endian binary.
  if (static_cast<uint8_t>(field[0]) & 0x80) {
    uint64_t v = static_cast<uint8_t>(field[0]) & 0x7f;
    for (size_t i = 1; i < width; ++i) v = (v << 8) | static_cast<uint8_t>(field[i]);
    return v;
  }
  uint64_t v = 0;
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) v = v * 8 + static_cast<uint64_t>(field[i] - '0');
  if (i < width && field[i] != '\0' && field[i] != ' ')
    return Error("tar: bad size field at offset " + std::to_string(offset));
  return v;
}

std::string field_string(const char* field, size_t width) { return std::string(field, strnlen(field, width)); }

}  // namespace

void TarWriter::header(std::string_view name, char type, uint32_t mode, uint64_t size, int64_t mtime,
                       std::string_view link) {
  // GNU long names: a pseudo-entry whose data is the full text precedes the real header,
  // which keeps a truncated copy.
  auto long_record = [&](std::string_view text, char kind) {
    std::string data(text);
    data.push_back('\0');
    header("././@LongLink", kind, 0644, data.size(), 0);
    data.resize((data.size() + kBlock - 1) / kBlock * kBlock, '\0');
    out_ += data;
  };
  if (link.size() > 99) {
    long_record(link, 'K');
    link = link.substr(0, 99);
  }
  if (name.size() > 99) {
    long_record(name, 'L');
    name = name.substr(0, 99);
  }
  char h[kBlock] = {};
  memcpy(h, name.data(), name.size());
  put_octal(h + 100, 8, mode & 07777);
  put_octal(h + 108, 8, 0);
  put_octal(h + 116, 8, 0);
  put_octal(h + 124, 12, size);
  if (forced_mtime_ >= 0) mtime = forced_mtime_;
  put_octal(h + 136, 12, static_cast<uint64_t>(std::max<int64_t>(mtime, 0)));
  h[156] = type;
  if (!link.empty()) memcpy(h + 157, link.data(), link.size());  // (an empty one's data() may be null)
  memcpy(h + 257, "ustar  ", 8);  // GNU magic + version ("ustar  \0")
  memcpy(h + 265, "root", 4);
  memcpy(h + 297, "root", 4);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<uint8_t>(c);
  snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, and the space left from the fill
  out_.append(h, kBlock);
}

void TarWriter::add_file(std::string_view name, uint32_t mode, std::string_view data, int64_t mtime) {
  header(name, '0', mode, data.size(), mtime);
  out_.append(data);
  end_file(data.size());
}

void TarWriter::add_file_owned(std::string_view name, uint32_t mode, std::string data, int64_t mtime) {
  if (data.size() < kOwnedChunk) return add_file(name, mode, data, mtime);
  header(name, '0', mode, data.size(), mtime);
  const size_t size = data.size();
  chunks_.push_back(std::exchange(out_, {}));
  chunks_.push_back(std::move(data));
  end_file(size);
}

void TarWriter::end_file(uint64_t size) {
  out_.append((kBlock - size % kBlock) % kBlock, '\0');
  ++entries_;
  data_bytes_ += size;
}

void TarWriter::add_directory(std::string_view name, uint32_t mode, int64_t mtime) {
  std::string n(name);
  if (n.empty() || n.back() != '/') n.push_back('/');
  header(n, '5', mode, 0, mtime);
  ++entries_;
}

void TarWriter::add_hardlink(std::string_view name, std::string_view target) {
  header(name, '1', 0644, 0, 0, target);
  ++entries_;
}

Status TarWriter::add_local(std::string_view name, const std::string& local_path) {
  struct stat st;
  if (stat(local_path.c_str(), &st) != 0) return Error("cannot read " + py_repr(local_path) + ": " + strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    add_directory(name, st.st_mode & 07777, st.st_mtime);
    DIR* d = opendir(local_path.c_str());
    if (!d) return Error("cannot read " + py_repr(local_path) + ": " + strerror(errno));
    std::vector<std::string> children;
    while (struct dirent* e = readdir(d)) {
      std::string c = e->d_name;
      if (c != "." && c != "..") children.push_back(c);
    }
    closedir(d);
    std::sort(children.begin(), children.end());  // reproducible archives
    for (const auto& c : children) {
      std::string child = local_path + "/" + c;
      struct stat cst;
      // Inside a directory, symlinks are not followed (they could point anywhere, or loop).
      if (lstat(child.c_str(), &cst) != 0 || S_ISLNK(cst.st_mode)) continue;
      if (Status s = add_local(std::string(name) + "/" + c, child); !s) return s;
    }
    return {};
  }
  if (!S_ISREG(st.st_mode)) return {};
  std::string data;
  if (Status s = read_whole(local_path, data); !s) return s;
  add_file_owned(name, st.st_mode & 07777, std::move(data), st.st_mtime);
  return {};
}

std::vector<std::string> TarWriter::finish_chunks() {
  out_.append(2 * kBlock, '\0');
  chunks_.push_back(std::exchange(out_, {}));
  entries_ = 0;
  data_bytes_ = 0;
  return std::exchange(chunks_, {});
}

std::string TarWriter::finish() {
  std::vector<std::string> chunks = finish_chunks();
  size_t size = 0;
  for (const auto& c : chunks) size += c.size();
  std::string out;
  out.reserve(size);
  for (const auto& c : chunks) out += c;
  return out;
}

Expected<std::vector<TarEntry>> read_tar(std::string_view a) {
  std::vector<TarEntry> out;
  std::string long_name, long_link, pax_path;
  size_t off = 0;
  while (off + kBlock <= a.size()) {
    const char* h = a.data() + off;
    if (std::all_of(h, h + kBlock, [](char c) { return c == '\0'; })) break;
    unsigned sum = 0;
    for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<uint8_t>(h[i]);
    auto stored = parse_number(h + 148, 8, off);
    if (!stored || *stored != sum) return Error("tar: bad header checksum at offset " + std::to_string(off));
    auto size = parse_number(h + 124, 12, off);
    if (!size) return size.error();
    auto mode = parse_number(h + 100, 8, off);
    char type = h[156];
    size_t data_off = off + kBlock;
    if (*size > a.size() - data_off) return Error("tar: truncated archive");
    std::string_view data = a.substr(data_off, *size);
    off = data_off + (*size + kBlock - 1) / kBlock * kBlock;

    if (type == 'L' || type == 'K') {
      (type == 'L' ? long_name : long_link) = std::string(data.substr(0, data.find('\0')));
      continue;
    }
    if (type == 'x') {
      // pax records: "<len> <key>=<value>\n"
      size_t p = 0;
      while (p < data.size()) {
        size_t sp = data.find(' ', p);
        if (sp == std::string_view::npos) break;
        size_t len = strtoul(std::string(data.substr(p, sp - p)).c_str(), nullptr, 10);
        if (len == 0 || p + len > data.size()) break;
        std::string_view rec = data.substr(sp + 1, len - (sp + 1 - p) - 1);
        if (starts_with(rec, "path=")) pax_path = std::string(rec.substr(5));
        p += len;
      }
      continue;
    }
    if (type == 'g') continue;

    TarEntry e;
    e.name = field_string(h, 100);
    if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345] != '\0') e.name = field_string(h + 345, 155) + "/" + e.name;
    if (!long_name.empty()) e.name = long_name;
    if (!pax_path.empty()) e.name = pax_path;
    e.linkname = long_link.empty() ? field_string(h + 157, 100) : long_link;
    long_name.clear();
    long_link.clear();
    pax_path.clear();
    while (starts_with(e.name, "./")) e.name.erase(0, 2);
    e.type = type == '\0' ? '0' : type;
    e.mode = static_cast<uint32_t>(mode ? *mode : 0644);
    if (e.type == '0' || e.type == '7') {
      e.type = '0';
      e.data = std::string(data);
    } else if (e.type != '5' && e.type != '2') {
      continue;  // hard links, devices, fifos: nothing a test result depends on
    }
    if (e.type == '5' && !e.name.empty() && e.name.back() == '/') e.name.pop_back();
    if (e.name.empty()) continue;
    out.push_back(std::move(e));
  }
  if (off > a.size()) return Error("tar: truncated archive");
  return out;
}

}  // namespace litbox::emulation

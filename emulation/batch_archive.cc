#include "emulation/batch_archive.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace litbox::emulation {

namespace {

constexpr size_t kBlock = 512;

void put_octal(char* field, size_t width, uint64_t value) {
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

}  // namespace

void BatchArchive::header(std::string_view name, char type, uint32_t mode, uint64_t size, int64_t mtime,
                          std::string_view link) {
  // GNU long names: a pseudo-entry holding the full text precedes the real header, which
  // keeps a truncated copy.
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
  put_octal(h + 136, 12, static_cast<uint64_t>(std::max<int64_t>(mtime, 0)));
  h[156] = type;
  memcpy(h + 157, link.data(), link.size());
  memcpy(h + 257, "ustar  ", 8);  // GNU magic + version ("ustar  \0")
  memcpy(h + 265, "root", 4);
  memcpy(h + 297, "root", 4);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<uint8_t>(c);
  snprintf(h + 148, 8, "%06o", sum);
  out_.append(h, kBlock);
}

void BatchArchive::add_file(std::string_view name, uint32_t mode, std::string_view data, int64_t mtime) {
  header(name, '0', mode, data.size(), mtime);
  out_.append(data);
  out_.append((kBlock - data.size() % kBlock) % kBlock, '\0');
  data_bytes_ += data.size();
}

void BatchArchive::add_directory(std::string_view name, uint32_t mode, int64_t mtime) {
  std::string n(name);
  if (n.empty() || n.back() != '/') n.push_back('/');
  header(n, '5', mode, 0, mtime);
}

void BatchArchive::add_hardlink(std::string_view name, std::string_view target) {
  header(name, '1', 0644, 0, 0, target);
}

std::string BatchArchive::finish() {
  out_.append(2 * kBlock, '\0');
  data_bytes_ = 0;
  return std::move(out_);
}

}  // namespace litbox::emulation

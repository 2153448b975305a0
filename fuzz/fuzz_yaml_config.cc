// The YAML config loader: the input as a suite's lit.yaml (keys, types, `when:` blocks with
// feature expressions, ${param} interpolation, sizes, regexes), then as a lit.local.yaml
// applied on the result. Errors must come back as messages, never as a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "configs/loader.h"

namespace {

std::string scratch_dir() {
  static std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string t = std::string(base && *base ? base : "/tmp") + "/litbox-fuzz-XXXXXX";
    return std::string(mkdtemp(t.data()));
  }();
  return dir;
}

void write(const std::string& path, const char* data, size_t size) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(data, static_cast<std::streamsize>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string dir = scratch_dir();
  const char* text = reinterpret_cast<const char*>(data);
  write(dir + "/lit.yaml", text, size);
  auto cfg = litbox::config::load_suite_config(dir + "/lit.yaml", nullptr, {{"p", "v"}});
  if (!cfg) return 0;
  write(dir + "/lit.local.yaml", text, size);
  (void)litbox::config::apply_local_config(*cfg, dir + "/lit.local.yaml");
  return 0;
}

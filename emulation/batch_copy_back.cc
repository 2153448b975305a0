#include "emulation/batch_copy_back.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emulation/batch_store.h"
#include "emulation/local_files.h"
#include "emulation/tar.h"
#include "support/strings.h"

namespace litbox::emulation {

Expected<std::vector<CopiedBack>> copy_back(std::string_view archive, const std::string& output_dir,
                                            const std::string& tmp_prefix) {
  auto entries = read_tar(archive);
  if (!entries) return Error("copy back: " + entries.error().message);
  std::vector<CopiedBack> out;
  for (const auto& e : *entries) {
    if (e.type != '0') continue;
    std::string local = output_dir + "/" + e.name;
    if (!safe_relative(e.name) || !starts_with(local, tmp_prefix)) continue;
    Status s = make_parent_dirs(output_dir, e.name);
    if (s) s = write_whole_file(local, e.data, e.mode);
    if (!s) return Error("copy back: " + s.error().message);
    out.push_back({e.name, content_digest(e.data)});
  }
  return out;
}

}  // namespace litbox::emulation

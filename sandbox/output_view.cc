#include "sandbox/output_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace litbox::sandbox {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
  }
  closedir(d);
  return names;
}

}  // namespace

Status publish_entry(const OutputView& view, const std::string& name) {
  std::string from = view.private_dir + "/" + name, to = view.output_dir + "/" + name;
  if (rename(from.c_str(), to.c_str()) == 0) return {};
  // A non-empty directory, or a file where a directory was (or the reverse), from an older
  // run: the new output replaces it, as it would have if the test had deleted it first.
  std::error_code ec;
  fs::remove_all(to, ec);
  if (rename(from.c_str(), to.c_str()) < 0) return Error{"sandbox: move " + from + " to " + to + ": " + strerror(errno)};
  return {};
}

bool OutputView::owns(const std::string& name) const {
  return name.compare(0, prefix.size(), prefix) == 0 && (name.size() == prefix.size() || name[prefix.size()] == '.');
}

Expected<OutputView> prepare_output_view(const std::string& output_dir, const std::string& tmp_prefix) {
  OutputView v;
  v.output_dir = output_dir;
  v.prefix = fs::path(tmp_prefix).filename().string();
  if (v.prefix.empty()) return Error{"sandbox: no test file name in '" + tmp_prefix + "'"};
  v.private_dir = v.output_dir + "/.litbox/" + v.prefix;
  if (mkdir(v.private_dir.c_str(), 0755) == 0) return v;
  std::error_code ec;
  if (errno == ENOENT) {
    fs::create_directories(v.private_dir, ec);
    if (ec) return Error{"sandbox: create " + v.private_dir + ": " + ec.message()};
    return v;
  }
  if (errno != EEXIST) return Error{"sandbox: create " + v.private_dir + ": " + strerror(errno)};
  // Left over from the test's last run: usually nothing; after a killed run, its outputs.
  for (const auto& name : list_dir(v.private_dir)) {
    std::string path = v.private_dir + "/" + name;
    if (v.owns(name)) {
      if (Status st = publish_entry(v, name); !st) return st.error();
    } else {
      fs::remove_all(path, ec);
    }
  }
  return v;
}

Status publish_output_view(const OutputView& view) {
  for (const auto& name : list_dir(view.private_dir))
    if (view.owns(name))
      if (Status st = publish_entry(view, name); !st) return st;
  return {};
}

}  // namespace litbox::sandbox

#include "runner/test_times.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

namespace litbox::runner {

namespace {

// A times file's entries in file order (lit keeps them in a dict: an entry keeps its place
// when a test's new time replaces it, and new tests come after, in the order they ran).
struct Times {
  std::vector<std::pair<std::string, double>> entries;
  std::map<std::string, size_t> index;

  void set(const std::string& path, double t) {
    auto [it, added] = index.emplace(path, entries.size());
    if (added) entries.emplace_back(path, t);
    else entries[it->second].second = t;
  }
  const double* find(const std::string& path) const {
    auto it = index.find(path);
    return it == index.end() ? nullptr : &entries[it->second].second;
  }
};

Times read_file(const TestSuite& suite) {
  Times times;
  std::ifstream f(suite.exec_root + "/.lit_test_times.txt");
  if (!f) f.open(suite.source_root + "/.lit_test_times.txt");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    double t;
    std::string path;
    if (!(in >> t)) continue;
    std::getline(in >> std::ws, path);
    if (!path.empty()) times.set(path, t);
  }
  return times;
}

}  // namespace

void read_test_times(const std::vector<std::unique_ptr<Test>>& tests) {
  std::map<const TestSuite*, Times> cache;
  for (const auto& t : tests) {
    auto it = cache.find(t->suite);
    if (it == cache.end()) it = cache.emplace(t->suite, read_file(*t->suite)).first;
    const double* e = it->second.find(t->path_string());
    if (!e) continue;
    t->previous_failure = *e < 0;
    t->previous_elapsed = *e < 0 ? -*e : *e;
  }
}

void record_test_times(const std::vector<Test*>& tests) {
  std::map<std::string, std::pair<const TestSuite*, Times>> by_root;
  for (const Test* t : tests) {
    if (t->result.elapsed <= 0) continue;
    auto it = by_root.find(t->suite->exec_root);
    if (it == by_root.end()) it = by_root.emplace(t->suite->exec_root, std::make_pair(t->suite, read_file(*t->suite))).first;
    it->second.second.set(t->path_string(), is_failure(t->result.code) ? -t->result.elapsed : t->result.elapsed);
  }
  for (auto& [root, entry] : by_root) {
    std::string path = root + "/.lit_test_times.txt";
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "litbox: warning: Could not save test time: %s\n", path.c_str());
      continue;
    }
    for (auto& [name, time] : entry.second.entries) std::fprintf(f, "%e %s\n", time, name.c_str());
    std::fclose(f);
  }
}

}  // namespace litbox::runner

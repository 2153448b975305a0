#include "runner/discovery.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>

#include "runner/gtest_format.h"
#include "runner/libcxx_format.h"
#include "runner/tool_lookup.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

std::string real(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : p;
}

std::string join_path(std::string base, const std::vector<std::string>& parts) {
  for (const auto& c : parts) {
    if (base.empty() || base.back() != '/') base += '/';
    base += c;
  }
  return base;
}

// os.path.normpath(os.path.join(os.getcwd(), p))
std::string absolute_normalized(const std::string& p) {
  std::string full = p;
  if (full.empty() || full[0] != '/') {
    char buf[PATH_MAX];
    std::string cwd = getcwd(buf, sizeof buf) ? buf : "/";
    full = cwd + "/" + p;
  }
  std::vector<std::string> parts;
  for (auto& c : split(full, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  return "/" + join(parts, "/");
}

std::string parent_of(const std::string& p) {
  size_t s = p.rfind('/');
  if (s == 0 || s == std::string::npos) return "/";
  return p.substr(0, s);
}

std::string base_of(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// The config file that makes `dir` a suite root: the site config first, as lit does.
std::string suite_config_in(const std::string& dir, const config::ConfigNames& names) {
  std::string site = dir + "/" + names.site;
  if (exists(site)) return site;
  std::string suite = dir + "/" + names.suite;
  if (exists(suite)) return suite;
  return "";
}

struct DirEntry {
  std::string name;
  bool dir;
};

std::vector<DirEntry> list_dir(const std::string& path) {
  std::vector<DirEntry> out;
  DIR* d = opendir(path.c_str());
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    bool dir;
    if (e->d_type == DT_DIR) {
      dir = true;
    } else if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
      dir = is_dir(path + "/" + name);
    } else {
      dir = false;
    }
    out.push_back({std::move(name), dir});
  }
  closedir(d);
  // lit uses os.listdir order; tests are ordered later anyway, so sort for determinism.
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

void mark_output_collisions(const std::vector<std::unique_ptr<Test>>& tests) {
  std::map<std::string, std::vector<Test*>> by_dir;  // exec dir (which holds Output/) -> its tests
  for (const auto& t : tests) by_dir[parent_of(t->exec_path)].push_back(t.get());
  auto mark = [](Test* t, const std::string& message) {
    if (t->has_result) return;
    t->result = {ResultCode::kUnresolved, message, 0, 0};
    t->has_result = true;
  };
  for (auto& [dir, ts] : by_dir) {
    if (ts.size() < 2) continue;
    std::sort(ts.begin(), ts.end(),
              [](const Test* a, const Test* b) { return base_of(a->exec_path) < base_of(b->exec_path); });
    for (size_t i = 0; i < ts.size(); ++i) {
      const std::string name = base_of(ts[i]->exec_path), tmp = name + ".tmp";
      for (size_t j = i + 1; j < ts.size(); ++j) {
        const std::string other = base_of(ts[j]->exec_path);
        if (other.compare(0, tmp.size(), tmp) > 0) break;  // sorted: no later name starts with it
        if (other.compare(0, tmp.size(), tmp) != 0) continue;
        const std::string message = "output names collide: the %t of '" + ts[j]->full_name() + "' (" + other +
                                    ".tmp) starts with the %t of '" + ts[i]->full_name() + "' (" + tmp +
                                    "), in the same Output dir, so a sandboxed '" + name + "' would own the outputs of '" +
                                    other + "'; rename one of them";
        mark(ts[i], message);
        mark(ts[j], message);
      }
    }
  }
}

bool matches_suffixes(const std::string& name, const std::vector<std::string>& suffixes) {
  // os.path.splitext: the last extension; a leading dot does not start one.
  size_t dot = name.rfind('.');
  size_t first = name.find_first_not_of('.');
  if (dot == std::string::npos || first == std::string::npos || dot < first) return false;
  return contains(suffixes, name.substr(dot));
}

// Whether the directory's format takes the file `name` as a test: libc++'s knows its tests by
// their names' suffixes, whatever `suffixes:` says.
static bool format_takes(const config::SuiteConfig& cfg, const std::string& name) {
  return cfg.format == "libcxx" ? is_libcxx_test_name(name) : matches_suffixes(name, cfg.suffixes);
}

Discovery::SuiteRef Discovery::search_dir(const std::string& dir) {
  std::string key = real(dir);
  auto it = suite_cache_.find(key);
  if (it != suite_cache_.end()) return it->second;
  SuiteRef ref;
  std::string cfg = suite_config_in(dir, options_.names);
  if (cfg.empty()) {
    std::string parent = parent_of(dir);
    if (parent != dir) {
      ref = search_dir(parent);
      if (ref.suite) ref.relative.push_back(base_of(dir));
    }
  } else {
    ref.suite = load_suite(dir, cfg);
  }
  suite_cache_[key] = ref;
  return ref;
}

Discovery::SuiteRef Discovery::find_suite(const std::string& abs_path) {
  std::string item = abs_path;
  std::vector<std::string> components;
  while (!is_dir(item)) {
    std::string parent = parent_of(item);
    if (parent == item) return {};
    components.push_back(base_of(item));
    item = parent;
  }
  std::reverse(components.begin(), components.end());
  SuiteRef ref = search_dir(item);
  for (auto& c : components) ref.relative.push_back(c);
  return ref;
}

TestSuite* Discovery::load_suite(const std::string& dir, const std::string& config_path) {
  const config::SiteConfig* site = nullptr;
  config::SiteConfig site_value;
  std::string suite_yaml = config_path;
  if (base_of(config_path) == options_.names.site) {
    auto s = config::load_site_config(config_path, options_.params, options_.names);
    if (!s) {
      diag_.error(s.error());
      return nullptr;
    }
    site_value = std::move(*s);
    site = &site_value;
    suite_yaml = site_value.suite_dir + "/" + options_.names.suite;
    if (!options_.site_config.empty() && real(config_path) == real(options_.site_config)) site_used_ = true;
  } else {
    // A source-tree run: find the build's site config that points back at this suite, so
    // that `litbox SRC/test/dir` behaves like `litbox BUILD/test/dir` (lit's config_map).
    std::vector<std::string> candidates;
    if (!options_.site_config.empty()) candidates.push_back(options_.site_config);
    auto listed = config::site_config_candidates(suite_yaml, options_.params, options_.names);
    if (!listed) {
      diag_.error(listed.error());
      return nullptr;
    }
    for (auto& c : *listed) candidates.push_back(c);
    std::string here = real(dir);
    for (const auto& c : candidates) {
      if (!exists(c)) continue;
      auto s = config::load_site_config(c, options_.params, options_.names);
      if (!s) {
        diag_.error(s.error());
        return nullptr;
      }
      const bool given = !options_.site_config.empty() && c == options_.site_config;
      if (given) site_suite_dir_ = s->suite_dir;
      if (real(s->suite_dir) != here) continue;
      site_used_ = site_used_ || given;
      site_value = std::move(*s);
      site = &site_value;
      break;
    }
  }
  if (site) note_config_file(site->path);
  note_config_file(suite_yaml);
  debug_note("loading suite config", site ? site->path : suite_yaml);
  if (site) debug_note("load_config from", suite_yaml);
  auto cfg = config::load_suite_config(suite_yaml, site, options_.params);
  if (!cfg) {
    diag_.error(cfg.error());
    return nullptr;
  }
  debug_note("... loaded config", suite_yaml);
  if (site) debug_note("... loaded config", site->path);
  if (options_.finish_suite_config) options_.finish_suite_config(*cfg);
  look_up_tools(*cfg);
  auto ts = std::make_unique<TestSuite>();
  ts->name = cfg->name;
  ts->source_root = cfg->source_root;
  ts->exec_root = cfg->exec_root;
  ts->config = std::make_shared<const config::SuiteConfig>(std::move(*cfg));
  suites_.push_back(std::move(ts));
  return suites_.back().get();
}

void Discovery::look_up_tools(const config::SuiteConfig& cfg) {
  if (cfg.tools.empty() || !options_.tool_environment || diag_.fatal()) return;
  runner::look_up_tools(cfg, options_.tool_environment(cfg), diag_);
}

void Discovery::debug_note(const std::string& what, const std::string& path) {
  if (!options_.debug) return;
  std::string msg = what + " '" + path + "'";
  // A file `litbox translate` wrote names the lit config it came from on its first line.
  static constexpr std::string_view kMarker = "# litbox translate: generated from ";
  std::ifstream in(path);
  std::string first;
  if (std::getline(in, first) && first.rfind(kMarker, 0) == 0) {
    std::string source = first.substr(kMarker.size());
    source = source.substr(0, source.rfind("; digest "));
    if (!source.empty() && source[0] != '/') source = parent_of(path) + "/" + source;
    msg += " (translated from '" + source + "')";
  }
  diag_.note(msg);
}

void Discovery::note_config_file(const std::string& path) {
  std::string r = real(path);
  if (r.empty()) r = path;
  if (std::find(config_files_.begin(), config_files_.end(), r) == config_files_.end()) config_files_.push_back(r);
}

std::string Discovery::unused_site_config() const {
  if (options_.site_config.empty() || site_used_ || suites_.empty()) return "";
  std::string msg = options_.site_config + " is the site config of no suite this run found";
  if (!site_suite_dir_.empty()) msg += " (its suite is " + site_suite_dir_ + ")";
  return msg;
}

std::shared_ptr<const config::SuiteConfig> Discovery::local_config(TestSuite* ts, const std::vector<std::string>& dir,
                                                                   std::string* error) {
  auto key = std::make_pair(static_cast<const TestSuite*>(ts), join(dir, "/"));
  auto it = local_cache_.find(key);
  if (it != local_cache_.end()) {
    *error = it->second.error;
    return it->second.config;
  }
  LocalEntry entry;
  std::shared_ptr<const config::SuiteConfig> parent;
  if (dir.empty()) {
    parent = ts->config;
  } else {
    std::vector<std::string> up(dir.begin(), dir.end() - 1);
    parent = local_config(ts, up, &entry.error);
  }
  entry.config = parent;
  if (parent && entry.error.empty()) {
    std::string local = join_path(ts->source_root, dir) + "/" + options_.names.local;
    if (exists(local)) {
      note_config_file(local);
      debug_note("loading local config", local);
      auto cfg = config::apply_local_config(*parent, local);
      if (cfg) {
        debug_note("... loaded config", local);
        if (options_.finish_suite_config) options_.finish_suite_config(*cfg);
        look_up_tools(*cfg);
        entry.config = std::make_shared<const config::SuiteConfig>(std::move(*cfg));
      } else {
        entry.error = cfg.error().str();
        diag_.error(cfg.error());
      }
    }
  }
  local_cache_[key] = entry;
  *error = entry.error;
  return entry.config;
}

std::unique_ptr<Test> Discovery::make_test(TestSuite* ts, std::vector<std::string> path,
                                           std::shared_ptr<const config::SuiteConfig> cfg) {
  auto t = std::make_unique<Test>();
  t->suite = ts;
  t->source_path = join_path(ts->source_root, path);
  t->exec_path = join_path(ts->exec_root, path);
  t->path_in_suite = std::move(path);
  t->config = std::move(cfg);
  return t;
}

void Discovery::tests_in_dir(TestSuite* ts, const std::vector<std::string>& dir,
                             const std::shared_ptr<const config::SuiteConfig>& cfg_ptr, const std::string& config_error,
                             std::vector<std::unique_ptr<Test>>& out) {
  const config::SuiteConfig& cfg = *cfg_ptr;
  std::string source = join_path(ts->source_root, dir);
  auto entries = list_dir(source);
  if (cfg.format == "gtest") {
    // One test per binary for now; runner/gtest_format.h lists each and makes its shards.
    for (auto& [sub, name] : gtest_binaries(source, cfg)) {
      std::vector<std::string> path = dir;
      path.push_back(sub);
      path.push_back(name);
      auto t = make_test(ts, std::move(path), cfg_ptr);
      t->gtest = std::make_shared<GtestShard>();
      t->gtest->binary = (!sub.empty() && sub[0] == '/' ? sub : source + "/" + sub) + "/" + name;
      t->source_path = t->gtest->binary;
      if (!config_error.empty()) {
        t->result = {ResultCode::kUnresolved, "invalid configuration: " + config_error, 0, 0};
        t->has_result = true;
      }
      out.push_back(std::move(t));
    }
  } else if (cfg.standalone_tests) {
    if (!cfg.suffixes.empty() || !cfg.excludes.empty())
      diag_.warning("standalone_tests set in config but suffixes or excludes are also set");
    return;
  }
  for (const auto& e : entries) {
    if (cfg.format == "gtest") break;
    if (e.dir || e.name[0] == '.' || contains(cfg.excludes, e.name)) continue;
    // litbox's own config files are never tests, whatever the suffixes (LLVM tests .yaml).
    if (options_.names.is_config(e.name)) continue;
    if (!format_takes(cfg, e.name)) continue;
    std::vector<std::string> path = dir;
    path.push_back(e.name);
    auto t = make_test(ts, std::move(path), cfg_ptr);
    if (!config_error.empty()) {
      // The directory's config is broken: the test is reported, not silently dropped.
      t->result = {ResultCode::kUnresolved, "invalid configuration: " + config_error, 0, 0};
      t->has_result = true;
    }
    out.push_back(std::move(t));
  }
  for (const auto& e : entries) {
    if (!e.dir || e.name == "Output" || e.name == ".svn" || e.name == ".git" || contains(cfg.excludes, e.name))
      continue;
    std::vector<std::string> sub = dir;
    sub.push_back(e.name);
    std::string exec_dir = join_path(ts->exec_root, sub);
    std::string src_dir = join_path(ts->source_root, sub);
    SuiteRef nested;
    if (!suite_config_in(exec_dir, options_.names).empty()) {
      nested = find_suite(exec_dir);
    } else if (!suite_config_in(src_dir, options_.names).empty()) {
      nested = find_suite(src_dir);
    }
    if (nested.suite == ts) continue;
    size_t before = out.size();
    if (nested.suite) {
      tests_in_suite(nested.suite, nested.relative, out);
      if (out.size() == before) diag_.warning("test suite '" + nested.suite->name + "' contained no tests");
    } else {
      tests_in_suite(ts, sub, out);
    }
  }
}

void Discovery::tests_in_suite(TestSuite* ts, const std::vector<std::string>& path_in_suite,
                               std::vector<std::unique_ptr<Test>>& out) {
  std::string source = join_path(ts->source_root, path_in_suite);
  if (!exists(source)) return;
  std::string error;
  if (!is_dir(source)) {
    std::vector<std::string> dir(path_in_suite.begin(), path_in_suite.end() - 1);
    auto cfg = local_config(ts, dir, &error);
    auto t = make_test(ts, path_in_suite, cfg ? cfg : ts->config);
    if (!error.empty()) {
      t->result = {ResultCode::kUnresolved, "invalid configuration: " + error, 0, 0};
      t->has_result = true;
    } else if (options_.indirectly_run_check && !cfg->standalone_tests) {
      const std::string& name = path_in_suite.back();
      if (name[0] == '.' || contains(cfg->excludes, name) || !format_takes(*cfg, name))
        diag_.error("'" + t->full_name() +
                    "' would not be run indirectly: change name or LIT config(e.g. suffixes or "
                    "standalone_tests variables)");
    }
    out.push_back(std::move(t));
    return;
  }
  auto cfg = local_config(ts, path_in_suite, &error);
  if (!cfg) {
    // Even the parent failed; nothing to discover with.
    return;
  }
  // On error, local_config returned the parent's config: discover with it, mark UNRESOLVED.
  tests_in_dir(ts, path_in_suite, cfg, error, out);
}

void Discovery::discover(const std::string& input, std::vector<std::unique_ptr<Test>>& out) {
  if (diag_.fatal()) return;  // lit stops at a fatal error in a config
  std::string abs = absolute_normalized(input);
  int errors_before = diag_.errors();
  SuiteRef ref = find_suite(abs);
  if (diag_.fatal()) return;
  if (!ref.suite) {
    // A broken config was already reported by load_suite; otherwise there is no suite.
    if (diag_.errors() == errors_before) diag_.warning("unable to find test suite for '" + input + "'");
    return;
  }
  size_t before = out.size();
  tests_in_suite(ref.suite, ref.relative, out);
  if (out.size() == before) diag_.warning("input '" + input + "' contained no tests");
}

}  // namespace litbox::runner

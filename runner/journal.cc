#include "runner/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runner/result_code.h"

namespace litbox::runner {

namespace {

std::string journal_path(const std::string& exec_root) { return exec_root + "/.litbox_journal.jsonl"; }

}  // namespace

Journal::Journal(const std::vector<Test*>& tests, bool resume, Diagnostics& diag) {
  for (const Test* t : tests) {
    if (fds_.count(t->suite->exec_root)) continue;
    const std::string path = journal_path(t->suite->exec_root);
    if (resume) {
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("name") || !j.contains("code") ||
            !j["name"].is_string() || !j["code"].is_string())
          continue;
        auto code = code_from_name(j["code"].get<std::string>());
        if (!code) continue;
        TestResult r;
        r.code = *code;
        r.output = j.value("output", "");
        r.elapsed = j.value("elapsed", 0.0);
        recorded_[j["name"]] = std::move(r);
      }
    }
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (resume ? 0 : O_TRUNC), 0644);
    if (fd < 0) {
      diag.warning("cannot write the results journal " + path + ": " + strerror(errno) + " (--resume will rerun)");
      fds_[t->suite->exec_root] = -1;
      continue;
    }
    fds_[t->suite->exec_root] = fd;
  }
}

Journal::~Journal() {
  for (auto& [root, fd] : fds_)
    if (fd >= 0) close(fd);
}

bool Journal::restore(Test& t) const {
  if (t.gtest) return false;
  auto it = recorded_.find(t.full_name());
  if (it == recorded_.end()) return false;
  t.result = it->second;
  t.has_result = true;
  return true;
}

void Journal::record(const Test& t) {
  if (t.gtest || !t.has_result) return;
  auto it = fds_.find(t.suite->exec_root);
  if (it == fds_.end() || it->second < 0) return;
  nlohmann::json j = {{"name", t.full_name()},
                      {"code", std::string(code_name(t.result.code))},
                      {"elapsed", t.result.elapsed},
                      {"output", t.result.output}};
  // One write of the whole line (O_APPEND): a kill leaves at most a cut last line, which a
  // resume ignores. Invalid UTF-8 in the output is replaced so the line stays valid JSON.
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(it->second, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

void Journal::finish() {
  for (auto& [root, fd] : fds_) {
    if (fd < 0) continue;
    close(fd);
    unlink(journal_path(root).c_str());
  }
  fds_.clear();
}

}  // namespace litbox::runner

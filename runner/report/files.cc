#include "runner/report/files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "support/strings.h"

namespace litbox::runner::report {

namespace {

using nlohmann::ordered_json;

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc | std::ios::binary);
  if (!f) return Error("cannot write report '" + path + "': " + strerror(errno));
  f << text;
  return {};
}

// Python's json.dumps(..., indent=2, sort_keys=True): ", " / ": " separators, ASCII escapes.
std::string python_json(const nlohmann::json& j) {
  std::string s = j.dump(2, ' ', true, nlohmann::json::error_handler_t::replace);
  return s;
}

bool by_suite_and_path(const ReportEntry& a, const ReportEntry& b) {
  if (a.suite != b.suite) return a.suite < b.suite;
  if (a.suite_id != b.suite_id) return std::less<const void*>()(a.suite_id, b.suite_id);
  return a.path_in_suite < b.path_in_suite;
}

std::string quoteattr(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string fmt2(double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::string ReportEntry::full_name() const { return suite + " :: " + join(path_in_suite, "/"); }

std::vector<ReportEntry> report_entries(const std::vector<Test*>& tests) {
  std::vector<ReportEntry> out;
  out.reserve(tests.size());
  for (const Test* t : tests)
    out.push_back({t->suite->name, t->suite, t->path_in_suite, t->result.code, t->result.output, t->result.elapsed,
                   t->result.environment.get()});
  return out;
}

Status write_json(const std::string& path, const std::vector<ReportEntry>& tests, double elapsed,
                  const ShardRecord* shard, const RunRecord* run) {
  nlohmann::json data;
  data["__version__"] = {15, 0, 6};
  data["elapsed"] = elapsed;
  data["tests"] = nlohmann::json::array();
  for (const ReportEntry& t : tests) {
    if (t.code == ResultCode::kExcluded || t.code == ResultCode::kSkipped) continue;
    nlohmann::json entry = {{"name", t.full_name()},
                            {"code", std::string(code_name(t.code))},
                            {"output", std::string(t.output)},
                            {"elapsed", t.elapsed}};
    // litbox's own: the environment the test was given (lit's readers ignore other keys).
    if (t.environment && !t.environment->empty()) entry["environment"] = *t.environment;
    data["tests"].push_back(std::move(entry));
  }
  if (run) data["__litbox_run__"] = run_record_json(*run);
  if (shard) data["__litbox_shard__"] = {{"index", shard->index}, {"count", shard->count}, {"selected", shard->selected}};
  return write_file(path, python_json(data) + "\n");
}

Status write_xunit(const std::string& path, std::vector<ReportEntry> tests, double elapsed) {
  std::stable_sort(tests.begin(), tests.end(), by_suite_and_path);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites time=\"" + fmt2(elapsed) + "\">\n";
  auto skipped_code = [](ResultCode c) {
    return c == ResultCode::kExcluded || c == ResultCode::kSkipped || c == ResultCode::kUnsupported;
  };
  for (size_t i = 0; i < tests.size();) {
    size_t j = i;
    while (j < tests.size() && tests[j].suite == tests[i].suite && tests[j].suite_id == tests[i].suite_id) ++j;
    size_t skipped = 0, failures = 0;
    for (size_t k = i; k < j; ++k) {
      skipped += skipped_code(tests[k].code);
      failures += is_failure(tests[k].code);
    }
    std::string name = tests[i].suite;
    std::replace(name.begin(), name.end(), '.', '-');
    out += "<testsuite name=" + quoteattr(name) + " tests=\"" + std::to_string(j - i) + "\" failures=\"" +
           std::to_string(failures) + "\" skipped=\"" + std::to_string(skipped) + "\">\n";
    for (size_t k = i; k < j; ++k) {
      const ReportEntry& t = tests[k];
      std::string dir;
      for (size_t c = 0; c + 1 < t.path_in_suite.size(); ++c) dir += (c ? "/" : "") + t.path_in_suite[c];
      std::replace(dir.begin(), dir.end(), '.', '_');
      std::string class_name = name + "." + (dir.empty() ? name : dir);
      out += "<testcase classname=" + quoteattr(class_name) + " name=" + quoteattr(t.path_in_suite.back()) +
             " time=\"" + fmt2(std::max(0.0, t.elapsed)) + "\"";
      if (is_failure(t.code)) {
        std::string o;
        for (size_t p = 0; p < t.output.size(); ++p) {
          unsigned char c = static_cast<unsigned char>(t.output[p]);
          if (c < 32 && c != '\t' && c != '\n' && c != '\r') continue;
          if (t.output.compare(p, 3, "]]>") == 0) {
            o += "]]]]><![CDATA[>";
            p += 2;
            continue;
          }
          o += static_cast<char>(c);
        }
        out += ">\n  <failure><![CDATA[" + o + "]]></failure>\n</testcase>\n";
      } else if (skipped_code(t.code)) {
        static constexpr std::string_view kMissing = "Test requires the following unavailable features: ";
        std::string reason = t.code == ResultCode::kExcluded ? "Test not selected (--filter, --max-tests)"
                             : t.code == ResultCode::kSkipped ? "User interrupt"
                             : t.output.starts_with(kMissing)
                                 ? "Missing required feature(s): " + std::string(t.output.substr(kMissing.size()))
                                 : "Unsupported configuration";
        out += ">\n  <skipped message=" + quoteattr(reason) + "/>\n</testcase>\n";
      } else {
        out += "/>\n";
      }
    }
    out += "</testsuite>\n";
    i = j;
  }
  out += "</testsuites>\n";
  return write_file(path, out);
}

Status write_resultdb(const std::string& path, const std::vector<Test*>& tests, double run_start_epoch) {
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto base64 = [&](const std::string& in) {
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
      for (int k = 18; k >= 0; k -= 6) out += b64[(v >> k) & 63];
    }
    if (i < in.size()) {
      unsigned v = static_cast<unsigned char>(in[i]) << 16;
      if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
      out += b64[(v >> 18) & 63];
      out += b64[(v >> 12) & 63];
      out += i + 1 < in.size() ? b64[(v >> 6) & 63] : '=';
      out += '=';
    }
    return out;
  };
  nlohmann::json data;
  data["__version__"] = {15, 0, 6};
  data["elapsed"] = 0;
  data["tests"] = nlohmann::json::array();
  for (const Test* t : tests) {
    ResultCode c = t->result.code;
    if (c == ResultCode::kExcluded || c == ResultCode::kSkipped) continue;
    char start[64];
    time_t secs = static_cast<time_t>(run_start_epoch + t->result.start);
    struct tm tm;
    localtime_r(&secs, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S", &tm);
    char dur[64];
    snprintf(dur, sizeof dur, "%.9fs", t->result.elapsed);
    std::string status = (c == ResultCode::kPass || c == ResultCode::kXPass || c == ResultCode::kFlakyPass) ? "PASS"
                         : (c == ResultCode::kFail || c == ResultCode::kXFail)                                ? "FAIL"
                         : c == ResultCode::kUnsupported                                                      ? "SKIP"
                                                                                                              : "ABORT";
    data["tests"].push_back({{"testId", t->full_name()},
                             {"start_time", std::string(start) + "Z"},
                             {"duration", dur},
                             {"summary_html", "<p><text-artifact artifact-id=\"artifact-content-in-request\"></p>"},
                             {"artifacts", {{"artifact-content-in-request", {{"contents", base64(t->result.output)}}}}},
                             {"expected", !is_failure(c)},
                             {"status", status}});
  }
  return write_file(path, python_json(data) + "\n");
}

Status write_time_trace(const std::string& path, const std::vector<Test*>& tests, const std::vector<TraceSpan>& spans) {
  nlohmann::json events = nlohmann::json::array();
  for (const Test* t : tests) {
    if (t->result.elapsed <= 0) continue;
    events.push_back({{"pid", 1},
                      {"tid", 1},
                      {"ph", "X"},
                      {"ts", static_cast<long long>(t->result.start * 1e6)},
                      {"dur", static_cast<long long>(t->result.elapsed * 1e6)},
                      {"name", t->full_name()}});
  }
  for (const TraceSpan& s : spans) {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [k, v] : s.args) args[k] = v;
    events.push_back({{"pid", 1},
                      {"tid", s.lane},
                      {"ph", "X"},
                      {"ts", static_cast<long long>(s.start * 1e6)},
                      {"dur", static_cast<long long>(s.duration * 1e6)},
                      {"name", s.name},
                      {"args", args}});
  }
  nlohmann::json data = {{"traceEvents", events}};
  return write_file(path, data.dump(2) + "\n");
}

}  // namespace litbox::runner::report

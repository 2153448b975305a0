#include "runner/report/console.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace litbox::runner::report {

Console::Console(const Options& options, const std::vector<Test*>& tests, size_t total_discovered, int workers)
    : options_(options), num_tests_(tests.size()) {
  std::string of_total = tests.size() != total_discovered ? " of " + std::to_string(total_discovered) : "";
  header_ = "-- Testing: " + std::to_string(tests.size()) + of_total + " tests, " + std::to_string(workers) + " workers --";
  progress_bar_ = options.succinct && options.use_progress_bar && !options.quiet;
  tty_ = isatty(STDOUT_FILENO);
  for (const Test* t : tests) {
    if (t->previous_elapsed > 0) {
      ++predictable_left_;
      predictable_time_left_ += t->previous_elapsed;
    } else {
      ++unpredictable_left_;
    }
  }
}

void Console::print_header() {
  if (options_.quiet) return;
  if (!progress_bar_ || !tty_) std::printf("%s\n", header_.c_str());
  if (progress_bar_) draw_bar();
  std::fflush(stdout);
}

void Console::draw_bar() {
  // lit's ProgressPredictor: elapsed time over elapsed + predicted remaining time.
  double avg = (completed_ + predictable_left_) ? (elapsed_done_ + predictable_time_left_) / (completed_ + predictable_left_) : 0;
  double total = elapsed_done_ + predictable_time_left_ + avg * unpredictable_left_;
  double pct = total > 0 ? elapsed_done_ / total : 0;
  if (completed_ == num_tests_) pct = 1;
  if (!tty_) {
    // lit's SimpleProgressBar (upstream 15.0.6): "Testing:  0.. 10.. 20.. ...", restarted
    // after a result line interrupted it.
    if (simple_index_ < 0) {
      std::printf("Testing: ");
      simple_index_ = 0;
    }
    int next = static_cast<int>(pct * 50);
    for (int i = simple_index_; i < next; ++i) {
      int idx = i % 5;
      if (idx == 0) std::printf("%2d", i * 2);
      else if (idx == 2 || idx == 3) std::printf(".");
      else if (idx == 4) std::printf(" ");
    }
    if (next > simple_index_) simple_index_ = next;
    std::fflush(stdout);
    return;
  }
  const int width = 50;
  int filled = static_cast<int>(pct * width);
  std::string name = last_name_;
  if (name.size() > 60) name = "..." + name.substr(name.size() - 57);
  std::printf("\r\033[K%s\n\033[K%3d%% [%s%s] %zu/%zu%s\n\033[K%s\033[2A", header_.c_str(), static_cast<int>(pct * 100),
              std::string(filled, '=').c_str(), std::string(width - filled, ' ').c_str(), completed_, num_tests_,
              deferred_ ? (" (" + std::to_string(deferred_) + " deferred)").c_str() : "", name.c_str());
  std::fflush(stdout);
}

void Console::clear(bool interrupted) {
  if (!progress_bar_) return;
  if (tty_) {
    std::printf("\r\033[K\n\033[K\n\033[K\033[2A");
  } else if (simple_index_ >= 0 && !interrupted) {
    std::printf("\n");
    simple_index_ = -1;
  }
  std::fflush(stdout);
}

void Console::deferred(const Test& test) {
  ++deferred_;
  last_name_ = test.full_name() + " (deferred)";
  if (progress_bar_) draw_bar();
}

void Console::print_result(const Test& test) {
  const TestResult& r = test.result;
  bool failure = is_failure(r.code);
  std::printf("%s: %s (%zu of %zu)\n", std::string(code_name(r.code)).c_str(), test.full_name().c_str(), completed_,
              num_tests_);
  if ((failure && options_.show_output) || options_.show_all) {
    if (failure) std::printf("%s TEST '%s' FAILED %s\n", std::string(20, '*').c_str(), test.full_name().c_str(), std::string(20, '*').c_str());
    // The output may hold NUL bytes (a test's binary output): all of it, as lit prints it.
    std::fwrite(r.output.data(), 1, r.output.size(), stdout);
    std::printf("\n%s\n", std::string(20, '*').c_str());
  }
}

void Console::update(const Test& test) {
  ++completed_;
  bool failure = is_failure(test.result.code);
  elapsed_done_ += test.result.elapsed;
  if (test.previous_elapsed > 0) {
    if (predictable_left_) --predictable_left_;
    predictable_time_left_ -= test.previous_elapsed;
  } else if (unpredictable_left_) {
    --unpredictable_left_;
  }
  bool show = failure || options_.show_all || (!options_.quiet && !options_.succinct);
  if (show) {
    clear(false);
    print_result(test);
  }
  last_name_ = test.full_name();
  if (progress_bar_) draw_bar();
  std::fflush(stdout);
}

void print_results(const std::vector<Test*>& tests, double elapsed, const Options& options) {
  std::map<ResultCode, std::vector<const Test*>> by_code;
  for (const Test* t : tests) by_code[t->result.code].push_back(t);
  std::set<ResultCode> shown(options.shown_codes.begin(), options.shown_codes.end());
  for (ResultCode c : kAllResultCodes) {
    auto& v = by_code[c];
    if (v.empty() || (!is_failure(c) && !shown.count(c))) continue;
    std::sort(v.begin(), v.end(), [](const Test* a, const Test* b) { return a->full_name() < b->full_name(); });
    std::printf("%s\n%s Tests (%zu):\n", std::string(20, '*').c_str(), std::string(code_label(c)).c_str(), v.size());
    for (const Test* t : v) std::printf("  %s\n", t->full_name().c_str());
    std::printf("\n");
  }
  if (!options.quiet) std::printf("\nTesting Time: %.2fs\n", elapsed);
  std::vector<std::pair<std::string, size_t>> groups;
  for (ResultCode c : kAllResultCodes) {
    if (options.quiet && !is_failure(c)) continue;
    if (!by_code[c].empty()) groups.emplace_back(std::string(code_label(c)), by_code[c].size());
  }
  size_t label_w = 0, count_w = 0;
  for (auto& [l, n] : groups) {
    label_w = std::max(label_w, l.size());
    count_w = std::max(count_w, std::to_string(n).size());
  }
  for (auto& [l, n] : groups)
    std::printf("  %-*s: %*zu\n", static_cast<int>(label_w), l.c_str(), static_cast<int>(count_w), n);
  std::fflush(stdout);
}

void print_histogram(const std::vector<Test*>& tests) {
  std::vector<std::pair<std::string, double>> items;
  for (const Test* t : tests)
    if (t->result.elapsed > 0) items.emplace_back(t->full_name(), t->result.elapsed);
  if (items.empty()) return;
  std::stable_sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.second < b.second; });
  double max_value = items.back().second;
  int power = static_cast<int>(std::ceil(std::log10(max_value)));
  double bar_h = 0;
  int n = 0;
  const double incs[] = {5, 2, 2.5, 1};
  for (int k = 0;; k = (k + 1) % 4) {
    bar_h = incs[k] * std::pow(10.0, power);
    n = static_cast<int>(std::ceil(max_value / bar_h));
    if (n > 10) break;
    if (incs[k] == 1) --power;
  }
  std::vector<size_t> histo(n);
  for (auto& [name, v] : items) histo[std::min(static_cast<int>(n * v / max_value), n - 1)]++;
  const int bar_w = 40;
  std::string hr(bar_w + 34, '-');
  std::printf("Slowest Tests:\n%s\n", hr.c_str());
  for (size_t i = items.size(); i-- > (items.size() > 20 ? items.size() - 20 : 0);)
    std::printf("%.2fs: %s\n", items[i].second, items[i].first.c_str());
  std::printf("\nTests Times:\n%s\n", hr.c_str());
  int p_digits = static_cast<int>(std::ceil(std::log10(max_value)));
  int pf_digits = std::max(0, 3 - p_digits);
  if (pf_digits) p_digits += pf_digits + 1;
  int c_digits = static_cast<int>(std::ceil(std::log10(static_cast<double>(items.size()))));
  auto center = [](const std::string& s, int w) {
    if (static_cast<int>(s.size()) >= w) return s;
    int total = w - static_cast<int>(s.size());
    int left = total / 2 + (total & w & 1);
    return std::string(left, ' ') + s + std::string(total - left, ' ');
  };
  std::printf("[%s] :: [%s] :: [%s]\n%s\n", center("Range", (p_digits + 1) * 2 + 3).c_str(), center("Percentage", bar_w).c_str(),
              center("Count", c_digits * 2 + 1).c_str(), hr.c_str());
  for (int i = n - 1; i >= 0; --i) {
    double pct = static_cast<double>(histo[i]) / items.size();
    int w = static_cast<int>(bar_w * pct);
    std::printf("[%*.*fs,%*.*fs) :: [%s%s] :: [%*zu/%*zu]\n", p_digits, pf_digits, i * bar_h, p_digits, pf_digits,
                (i + 1) * bar_h, std::string(w, '*').c_str(), std::string(bar_w - w, ' ').c_str(), c_digits, histo[i],
                c_digits, items.size());
  }
  std::printf("%s\n", hr.c_str());
}

}  // namespace litbox::runner::report

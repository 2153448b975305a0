// A test file's directives (RUN, REQUIRES, XFAIL, ALLOW_RETRIES, DEFINE/REDEFINE, END.), then
// lit's substitutions (built-in and %if/%else, with recursion) applied to its script.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runner/substitutions.h"
#include "runner/test_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto ts = litbox::runner::parse_test_file(text, (data[0] & 1) != 0, (data[0] & 2) != 0);
  if (!ts) return 0;
  using litbox::config::Substitution;
  std::vector<Substitution> subs = {
      {"%\\{cc\\}", "clang %{flags}", true},
      {"%\\{flags\\}", "-O2 %s", true},
      {"%b(\\d)", "\\1\\g<1>", false},
  };
  auto paths = litbox::runner::test_paths("/src/dir/t.test", "/build/dir/t.test");
  for (auto& s : litbox::runner::test_substitutions({}, paths)) subs.push_back(s);
  static const std::set<std::string> features = {"x86", "asserts"};
  (void)litbox::runner::apply_substitutions(ts->script, subs, features, (data[0] & 4) ? std::optional<int>(5) : std::nullopt);
  return 0;
}

// The Python `re` layer over PCRE2: a pattern, a re.sub template and a subject, separated by
// NUL bytes: compile, match, search and substitute.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/python_regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t a = all.find('\0');
  std::string_view pattern = all.substr(0, a);
  std::string_view rest = a == std::string_view::npos ? std::string_view() : all.substr(a + 1);
  size_t b = rest.find('\0');
  std::string_view repl = rest.substr(0, b);
  std::string_view subject = b == std::string_view::npos ? std::string_view() : rest.substr(b + 1);
  auto re = litbox::PyRegex::compile(pattern);
  if (!re) return 0;
  (void)re->full_match(subject);
  (void)re->search(subject);
  (void)re->sub(repl, subject);
  return 0;
}

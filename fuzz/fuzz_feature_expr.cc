// lit's boolean feature expressions (REQUIRES/UNSUPPORTED/XFAIL), {{regex}} parts included:
// parsed, then evaluated against a fixed feature set and triple.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "support/feature_expr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto e = litbox::FeatureExpr::parse(text);
  if (!e) return 0;
  static const std::set<std::string> features = {"x86", "asserts", "target=x86_64-unknown-linux-gnu", "a-b_c.d", ""};
  (void)e->evaluate(features);
  (void)e->evaluate(features, "aarch64-unknown-linux-gnu");
  (void)e->plain_terms();
  return 0;
}

// lit's result codes, in lit's declaration order (which is also the printing order).
#pragma once

#include <optional>
#include <string_view>

namespace litbox::runner {

enum class ResultCode {
  kExcluded,
  kSkipped,
  kUnsupported,
  kPass,
  kFlakyPass,
  kXFail,
  kUnresolved,
  kTimeout,
  kFail,
  kXPass,
  kDeferred,  ///< litbox: waiting for a batch to run on the target; never a final code
};

inline constexpr ResultCode kAllResultCodes[] = {
    ResultCode::kExcluded, ResultCode::kSkipped,    ResultCode::kUnsupported, ResultCode::kPass,
    ResultCode::kFlakyPass, ResultCode::kXFail,     ResultCode::kUnresolved,  ResultCode::kTimeout,
    ResultCode::kFail,      ResultCode::kXPass};

/// "PASS", "XFAIL", ... as lit prints them.
std::string_view code_name(ResultCode c);
/// The code code_name() calls `name` (reports read back: journal, merge-results), if any.
std::optional<ResultCode> code_from_name(std::string_view name);
/// "Passed", "Expectedly Failed", ... (lit's labels, used in the summary).
std::string_view code_label(ResultCode c);
/// UNRESOLVED, TIMEOUT, FAIL and XPASS are failures (upstream lit semantics).
bool is_failure(ResultCode c);

}  // namespace litbox::runner

#include "runner/result_code.h"

namespace litbox::runner {

std::optional<ResultCode> code_from_name(std::string_view name) {
  for (ResultCode c : kAllResultCodes)
    if (code_name(c) == name) return c;
  return std::nullopt;
}

std::string_view code_name(ResultCode c) {
  switch (c) {
    case ResultCode::kExcluded: return "EXCLUDED";
    case ResultCode::kSkipped: return "SKIPPED";
    case ResultCode::kUnsupported: return "UNSUPPORTED";
    case ResultCode::kPass: return "PASS";
    case ResultCode::kFlakyPass: return "FLAKYPASS";
    case ResultCode::kXFail: return "XFAIL";
    case ResultCode::kUnresolved: return "UNRESOLVED";
    case ResultCode::kTimeout: return "TIMEOUT";
    case ResultCode::kFail: return "FAIL";
    case ResultCode::kXPass: return "XPASS";
    case ResultCode::kDeferred: return "DEFERRED";
  }
  return "?";
}

std::string_view code_label(ResultCode c) {
  switch (c) {
    case ResultCode::kExcluded: return "Excluded";
    case ResultCode::kSkipped: return "Skipped";
    case ResultCode::kUnsupported: return "Unsupported";
    case ResultCode::kPass: return "Passed";
    case ResultCode::kFlakyPass: return "Passed With Retry";
    case ResultCode::kXFail: return "Expectedly Failed";
    case ResultCode::kUnresolved: return "Unresolved";
    case ResultCode::kTimeout: return "Timed Out";
    case ResultCode::kFail: return "Failed";
    case ResultCode::kXPass: return "Unexpectedly Passed";
    case ResultCode::kDeferred: return "Deferred";
  }
  return "?";
}

bool is_failure(ResultCode c) {
  return c == ResultCode::kUnresolved || c == ResultCode::kTimeout || c == ResultCode::kFail ||
         c == ResultCode::kXPass;
}

}  // namespace litbox::runner

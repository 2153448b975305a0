// Report files: JSON (-o, lit's schema), xUnit XML, LUCI ResultDB JSON, Chrome time trace.
#pragma once

#include <string>
#include <vector>

#include "runner/test.h"
#include "support/error.h"

namespace litbox::runner::report {

/// lit's JsonReport: {"__version__": [15,0,6], "elapsed", "tests": [{name, code, output, elapsed}]},
/// EXCLUDED and SKIPPED left out, indent 2, keys sorted; plus litbox's "environment" (an
/// object) for each test whose commands ran.
Status write_json(const std::string& path, const std::vector<Test*>& tests, double elapsed);
/// lit's XunitReport.
Status write_xunit(const std::string& path, std::vector<Test*> tests, double elapsed);
/// lit's ResultDBReport.
Status write_resultdb(const std::string& path, const std::vector<Test*>& tests, double run_start_epoch);
/// lit's TimeTraceReport (Chrome trace events).
Status write_time_trace(const std::string& path, const std::vector<Test*>& tests);

}  // namespace litbox::runner::report

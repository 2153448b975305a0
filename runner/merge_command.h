// `litbox merge-results [-o OUT.json] [--xunit-xml-output OUT.xml] A.json B.json ...`: the
// JSON reports of the shards of one run (--shard=I/N -o ...) merged into one report in lit's
// schema and one xUnit file, the same writers as a run's, after checking that every test the
// shards were to run ran exactly once (runner/merge_results.h).
#pragma once

#include <string>
#include <vector>

#include "runner/merge_results.h"

namespace litbox::runner {

/// Merges `reports` (merge_reports), prints the problems (errors) and the differences of their
/// run records (warnings) on stderr as `prog: error: ...`, writes the merged JSON report (lit's
/// schema, with the merged "__litbox_shard__" and "__litbox_run__") and xUnit file where a path
/// is not empty, and prints lit's summary. Returns merge-results' exit status.
int merge_and_report(const std::vector<ShardReport>& reports, const std::string& json_output,
                     const std::string& xunit_output, const char* prog);

/// Runs the command; argv[0] is "merge-results". Exit status: 0 complete and passing, 1 a
/// test failed, 2 a usage error, an unreadable report, or a test missing or duplicated.
int merge_results_main(int argc, char** argv);

}  // namespace litbox::runner

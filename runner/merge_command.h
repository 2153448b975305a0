// `litbox merge-results [-o OUT.json] [--xunit-xml-output OUT.xml] A.json B.json ...`: the
// JSON reports of the shards of one run (--shard=I/N -o ...) merged into one report in lit's
// schema and one xUnit file, the same writers as a run's, after checking that every test the
// shards were to run ran exactly once (runner/merge_results.h).
#pragma once

namespace litbox::runner {

/// Runs the command; argv[0] is "merge-results". Exit status: 0 complete and passing, 1 a
/// test failed, 2 a usage error, an unreadable report, or a test missing or duplicated.
int merge_results_main(int argc, char** argv);

}  // namespace litbox::runner

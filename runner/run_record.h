// The run record of a JSON report (-o): what a run's results depend on besides the tests
// themselves, so that two runs can be compared (`litbox diff-runs`) and the shards of one
// run checked for agreement (`litbox merge-results`). Written as the report's one extra
// top-level key "__litbox_run__" (beside "__litbox_shard__"; lit's readers ignore both).
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "support/error.h"

namespace litbox::runner {

/// What the environment's values say instead of the run's own temp dir, which differs on
/// every run (TMPDIR=/tmp/lit-tmp-Ab12Cd is recorded as TMPDIR=${run_tmp_dir}).
inline constexpr const char* kRunTmpDirPlaceholder = "${run_tmp_dir}";

/// One shard that contributed to the record: a run's own, or each merged report's.
struct RunShard {
  int index = 1;     ///< 1-based
  int count = 1;
  std::string host;  ///< the machine it ran on (gethostname)
};

/// The inputs of a run. Maps are by name, values as recorded; after a merge whose reports
/// disagree, a value holds each distinct value joined by " | " (merge_run_records).
struct RunRecord {
  std::string litbox_version;
  std::map<std::string, std::string> configs;      ///< config file path → "sha256:..."
  std::map<std::string, std::string> tools;        ///< executable path → "sha256:..." or "unreadable: why"
  std::map<std::string, std::string> environment;  ///< the variables every test was given, with one value
  std::vector<RunShard> shards;
};

/// The record as the report's "__litbox_run__" object.
nlohmann::json run_record_json(const RunRecord& record);

/// Reads a "__litbox_run__" object; the error says which field is wrong (the caller adds the file).
Expected<RunRecord> run_record_from_json(const nlohmann::json& value);

/// The variables every environment of `environments` has with the same value, with
/// `run_tmp_dir` (when not empty) replaced by kRunTmpDirPlaceholder in the values.
std::map<std::string, std::string> common_environment(
    const std::vector<const std::map<std::string, std::string>*>& environments, const std::string& run_tmp_dir);

/// The merge of the records of a run's shards, and where they disagree.
struct MergedRunRecord {
  RunRecord record;                      ///< maps united; shards concatenated
  std::vector<std::string> differences;  ///< "<what> differs between the reports: ..." for each conflict
};

/// Merges `records` (file name, record), in order. A name with different values in two
/// records keeps each distinct value, joined by " | ", and is named in `differences`.
MergedRunRecord merge_run_records(const std::vector<std::pair<std::string, const RunRecord*>>& records);

}  // namespace litbox::runner

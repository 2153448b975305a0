// --shard=auto: which shard this job is, from the variables a CI system or batch scheduler
// sets for parallel jobs. A pure function of an environment map (the caller passes environ),
// so that it can be tested without touching the process's environment.
#pragma once

#include <map>
#include <string>

#include "runner/shard.h"
#include "support/error.h"

namespace litbox::runner {

/// Where --shard=auto found its shard.
struct ShardFromEnv {
  ShardSpec spec;           ///< 1-based, as --shard=I/N
  std::string source;       ///< "GitLab", "Bazel", ...
  std::string variables;    ///< "CI_NODE_INDEX=2, CI_NODE_TOTAL=3", for the note
  std::string status_file;  ///< Bazel's TEST_SHARD_STATUS_FILE (to touch), or empty
};

/// Looks, in this order, for Bazel (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX 0-based,
/// TEST_SHARD_STATUS_FILE), Slurm job arrays (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
/// SLURM_ARRAY_TASK_COUNT), Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX 0-based, with the
/// count from LITBOX_SHARD_COUNT: Kubernetes does not expose it), GitLab (CI_NODE_INDEX
/// 1-based, CI_NODE_TOTAL), Buildkite (BUILDKITE_PARALLEL_JOB 0-based,
/// BUILDKITE_PARALLEL_JOB_COUNT) and CircleCI (CIRCLE_NODE_INDEX 0-based, CIRCLE_NODE_TOTAL).
/// The first system whose index variable is set decides; a missing partner variable, a value
/// that is not a decimal number or an index out of range is an error naming the variable and
/// its value. None set: an error listing what was looked for.
Expected<ShardFromEnv> shard_from_environment(const std::map<std::string, std::string>& env);

/// The process's environment as a map (for shard_from_environment).
std::map<std::string, std::string> environment_map();

}  // namespace litbox::runner

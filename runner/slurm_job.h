// `litbox slurm`'s plan of a Slurm job array and what Slurm says of it: the batch script each
// task runs (one shard, `litbox --shard=auto -o DIR/shard-<task>.json`), sbatch's command line,
// and the parsing of sbatch's and scontrol's answers. Pure functions, tested without Slurm;
// runner/slurm_command.cc runs the commands.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/error.h"

namespace litbox::runner {

/// One job array: N tasks, task i (0-based) runs shard i+1 of N.
struct SlurmJobSpec {
  std::string litbox;                    ///< absolute path of the litbox every task runs
  int shards = 4;                        ///< the array's size
  std::string dir;                       ///< absolute, on the file system the nodes share
  std::vector<std::string> suites;       ///< absolute test paths
  std::vector<std::string> litbox_args;  ///< the options given after `--`
  std::vector<std::string> sbatch_args;  ///< --sbatch options, verbatim
};

/// DIR/shard-<task>.json: the JSON report task `task` (0-based) writes.
std::string slurm_task_report(const std::string& dir, int task);

/// The batch script: `exec LITBOX --shard=auto -o DIR/shard-$SLURM_ARRAY_TASK_ID.json ARGS SUITES`.
std::string slurm_batch_script(const SlurmJobSpec& spec);

/// `sbatch --parsable --array=0-(N-1) --job-name=litbox --output=DIR/task-%a.out SBATCH_ARGS SCRIPT`.
std::vector<std::string> slurm_sbatch_argv(const SlurmJobSpec& spec, const std::string& script);

/// The job id from `sbatch --parsable`'s output ("1234" or "1234;cluster").
Expected<std::string> parse_sbatch_job_id(const std::string& out);

/// Each task's state (0-based task → "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", ...) from
/// `scontrol show job -o JOB`'s lines of array job `job`; a line for a range of pending tasks
/// ("ArrayTaskId=0-3") gives each of them. A state's reason (":" ...) is dropped.
std::map<int, std::string> parse_slurm_task_states(const std::string& scontrol_out, const std::string& job);

/// The record of a submitted job, DIR/litbox-slurm.json, read by `litbox slurm --collect DIR`.
struct SlurmJobRecord {
  std::string job;
  int shards = 0;
  std::vector<std::string> listing_argv;  ///< lists the tests locally (--no-execute), when no task reported
};

/// DIR/litbox-slurm.json.
std::string slurm_job_record_path(const std::string& dir);
Status write_slurm_job_record(const std::string& dir, const SlurmJobRecord& record);
/// An error names the file and what is wrong with it.
Expected<SlurmJobRecord> read_slurm_job_record(const std::string& dir);

}  // namespace litbox::runner

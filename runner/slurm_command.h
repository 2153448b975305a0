// `litbox slurm [--shards N] [--no-wait] [--sbatch ARG]... SUITE... [-- LITBOX_OPTIONS]`: runs a
// suite as one Slurm job array, one shard per task (runner/slurm_job.h), waits for it and
// merges the tasks' reports (merge_and_report); a task that ended without its report has its
// tests UNRESOLVED, with the reason naming the task. `litbox slurm --collect DIR` waits for
// and merges a job submitted with --no-wait.
#pragma once

namespace litbox::runner {

/// Runs the command; argv[0] is "slurm". Exit status: a run's (0 every test passed, 1 a test
/// failed or is UNRESOLVED because its task failed), 2 a usage error, sbatch failing, or a
/// merge that is incomplete.
int slurm_main(int argc, char** argv);

}  // namespace litbox::runner

// Deferred, batched execution on a target (`executor: batch`): a spawned command does not run
// at once; it is queued, and when enough are queued (or none arrived for a while) they are
// shipped together in one tar stream over one connection and run by an on-target POSIX sh
// driver (emulation/batch_driver.sh). Each request's handler runs when its result is back.
// How it works, what is copied and the failure semantics: docs/cross.md, "Batch execution".
#pragma once

#include <chrono>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers

#include "emulation/batch_plan.h"
#include "emulation/qemu.h"
#include "emulation/ssh_plan.h"
#include "executor/executor.h"
#include "support/error.h"

namespace litbox::emulation {

/// Settings of the batch executor (from config::Target and config::Ssh; see docs/cross.md).
struct BatchSettings {
  enum class Transport {
    ssh,    ///< the driver runs on `ssh.host`; files are shipped
    local,  ///< the driver runs here with /bin/sh, in place: nothing is shipped or copied back
  };
  Transport transport = Transport::ssh;
  SshSettings ssh;  ///< for Transport::ssh; ssh.work_dir holds the run directory
  /// For Transport::local: where the run directory (job files, outputs, stdin copies) is made.
  std::string local_work_dir = "/tmp";
  /// For Transport::local: run foreign binaries through QEMU as the qemu decorator does
  /// (plan_qemu_spawn() with `qemu`); a foreign binary without an emulator fails at once.
  bool local_qemu = false;
  QemuOptions qemu;
  LibraryOptions libraries;  ///< for Transport::ssh: which shared libraries are shipped
  int batch_size = 64;       ///< ship as soon as this many requests are queued
  int idle_flush_ms = 1000;  ///< ship when no request was queued for this long
  int parallelism = 4;       ///< requests the driver runs at once on the target
  /// Batches on their way at once (each its own connection and driver): the next one is
  /// uploaded while the previous one runs. 1: strictly one after the other.
  int max_in_flight = 2;
  /// Seconds after which the target kills a request (its status then satisfies
  /// ExitStatus::target_timeout); 0 = none. Rounded up to whole seconds.
  double request_timeout = 0;
  /// Seconds after which a whole batch is given up (its unfinished requests fail); 0 = none.
  double batch_timeout = 0;
  /// How often a request that never started (the batch failed before its turn) is queued
  /// again before it fails.
  int retries = 1;
};

/// Makes the executor. Every session's spawn() queues the request: its stdin is read to the
/// end (asynchronously), SessionSpec::deferred is called with +1, and the handler runs only
/// after the batch holding the request has run it, with -1 just before. Then the request's
/// stdout and stderr bytes have been written to its descriptors and the files it created or
/// changed under the test's %t prefix copied back into %T (ssh transport).
/// Results:
/// - the command's status, a death by signal N (the target's shell reports 128+N) as signal N;
/// - killed by the per-request timeout: signal SIGKILL, error "timed out on the target after
///   N s" (ExitStatus::target_timeout);
/// - the batch failed (connection lost, sshd killed, target out of disk, batch timeout, a
///   malformed result stream): requests that had started get ExitStatus{code 255,
///   setup_failure, error "batch on <host>: <reason>"}; those that had not are queued again
///   (up to `retries` times) and then get the same;
/// - terminate(): the session's queued requests are dropped and its running ones killed on the
///   target; their handlers get signal SIGKILL.
/// The run directory on the target (<work_dir>/litbox-batch-<random>) holds the content store
/// (cas/), one directory per test (s<N>/, removed by the next batch after the session closes)
/// and one per batch (b<N>/, removed by the driver); the executor's destructor removes it all
/// (waiting at most 15 s for the target).
/// Errors: ssh transport without host; an ssh client that cannot be found on PATH;
/// batch_size, parallelism < 1; a local work directory that cannot be created.
Expected<std::unique_ptr<exec::Executor>> make_batch_executor(boost::asio::io_context& io, BatchSettings settings);


/// One batch, for --time-trace-output.
struct BatchSpan {
  int number = 0;
  std::chrono::steady_clock::time_point start, ready, end;  ///< ready: unpacked on the target
  size_t requests = 0;
  uint64_t bytes = 0;  ///< of its tar stream
  bool ok = true;      ///< ended normally
};

/// What a batch executor did so far (for tests, benchmarks and `litbox -v`).
struct BatchStats {
  uint64_t batches = 0;         ///< batches started
  uint64_t failed_batches = 0;  ///< batches that did not end normally
  uint64_t results = 0;         ///< requests whose result came back from the target
  uint64_t retried = 0;         ///< requests queued again after a failed batch
  uint64_t store_files = 0;     ///< files sent into the target's store (each content once)
  uint64_t store_bytes = 0;     ///< their bytes
  uint64_t archive_bytes = 0;   ///< bytes of all tar streams sent
  uint64_t links = 0;           ///< hard links made into tests' directories
  uint64_t files_hashed = 0;    ///< local files read and hashed
  // Where the time went.
  uint64_t shipped = 0;         ///< requests put into batches (a retried one counts again)
  uint64_t largest_batch = 0;   ///< most requests in one batch
  uint64_t left_full = 0;       ///< batches that left holding batch_size requests
  uint64_t left_idle = 0;       ///< ... fewer, after idle_flush_ms without a new request
  uint64_t left_flush = 0;      ///< ... fewer, because the runner waited for them (flush())
  uint64_t left_retry = 0;      ///< ... fewer, to run again what a failed batch had not run
  double queue_wait = 0;        ///< seconds, summed over shipped requests, from queued to shipped
  double queue_wait_max = 0;
  double blocked = 0;           ///< seconds a batch was due but waited for max_in_flight or for
                                ///< the batch before it to be unpacked
  double batch_time = 0;        ///< seconds, summed over ended batches, from start to end
  double batch_time_max = 0;
  double unpack_time = 0;       ///< seconds, summed, from a batch's start to its `ready`
  std::vector<BatchSpan> spans;  ///< every ended batch, in the order they ended
};

/// The statistics of a batch executor; all zero for any other executor.
BatchStats batch_stats(const exec::Executor& e);

/// Batches of a batch executor that started and have not ended yet (0 for any other
/// executor). A batch ends when its run does, which can be just after its last result: a
/// caller that wants every batch in batch_stats() runs the io_context until this is 0.
size_t batches_in_flight(const exec::Executor& e);

}  // namespace litbox::emulation

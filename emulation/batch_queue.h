// The batch executor's shared state: the queue of deferred requests, the batches on their way,
// what the target is known to hold, and the per-test state, with the logic that moves requests
// from queued to shipped to delivered. Internal to emulation/ (batch_executor.cc and its
// sessions); everything here runs on the io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <vector>

#include "emulation/batch_executor.h"
#include "emulation/batch_run.h"
#include "emulation/batch_stdin.h"
#include "emulation/batch_store.h"
#include "emulation/tar.h"
#include "executor/executor.h"

namespace litbox::emulation {

/// How the error of a request the target killed for its timeout starts (ExitStatus::target_timeout).
inline constexpr char kTargetTimeoutPrefix[] = "timed out on the target";

/// A setup failure (UNRESOLVED): code 255, error "batch on <host>: <why>" ("batch: <why>"
/// without a host).
exec::ExitStatus batch_setup_failure(const std::string& host, const std::string& why);
/// Killed by terminate(): signal SIGKILL.
exec::ExitStatus batch_killed();

struct BatchQueue;
struct BatchTest;
struct Batch;

/// One deferred request, from spawn() to its handler.
struct BatchRequest {
  enum class State { reading, queued, shipped, started, done };
  int id = 0;
  std::shared_ptr<BatchTest> session;
  exec::SpawnRequest req;  // stdout_fd/stderr_fd are our own copies; stdin_fd unused
  StdinData in;
  bool merge_stderr = false;  // stdout and stderr are one file or pipe (2>&1)
  exec::ExitHandler handler;
  int attempts = 0;
  State state = State::reading;
  std::chrono::steady_clock::time_point queued_at;  // when it last joined the queue
  Batch* batch = nullptr;  // the batch it is in while shipped or started
};

/// One session (test) and what its directory on the target holds.
struct BatchTest {
  std::shared_ptr<BatchQueue> shared;
  exec::SessionSpec spec;
  int number = 0;
  RemoteLayout layout;
  std::string copy_back_prefix;
  // What the test's directory on the target holds, valid while epoch is the executor's.
  uint64_t epoch = ~uint64_t{0};
  bool dir_made = false;
  std::set<std::string> dirs;
  std::map<std::string, std::string> files;  // relative path -> digest
  bool ever_shipped = false;
  std::set<std::shared_ptr<BatchRequest>> pending;
  bool closed = false;
};

/// What a batch will know about a test's directory once its archive is unpacked.
struct BatchCommit {
  std::shared_ptr<BatchTest> session;
  bool dir_made = false;
  std::vector<std::string> dirs;
  std::vector<std::pair<std::string, std::string>> files;
};

/// One batch on its way: its requests, its run, what it adds to the target.
struct Batch {
  int number = 0;
  std::string dir;  // absolute on the target
  std::map<int, std::shared_ptr<BatchRequest>> requests;
  std::vector<std::string> new_store;
  std::vector<BatchCommit> commits;
  std::vector<std::string> gc;
  std::shared_ptr<BatchRun> run;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool ready = false, ended = false, timed_out = false;
  std::chrono::steady_clock::time_point started, unpacked;
  uint64_t bytes = 0;
  size_t size = 0;  // requests it left with
  std::string error;  // the driver's E line
};

/// The executor's state, shared by its sessions and by the callbacks of runs in flight.
struct BatchQueue : std::enable_shared_from_this<BatchQueue> {
  boost::asio::io_context& io;
  BatchSettings settings;
  std::string host;
  std::string ssh_program;
  std::string control_dir, control_path;
  std::vector<std::string> env;  // the transport process's environment
  std::string run_dir;
  bool touched = false;  // a batch was started, so run_dir may exist
  bool connected = false;
  std::deque<std::shared_ptr<BatchRequest>> queue;
  std::set<std::shared_ptr<Batch>> batches;  // in flight
  boost::asio::steady_timer idle;
  bool idle_expired = false, ship_posted = false;
  // Why the next batch may leave before it is full (BatchStats::left_*).
  enum class Early { idle, flush, retry } early = Early::idle;
  // Since when a due batch waits for can_ship() (BatchStats::blocked); unset: none waits.
  std::optional<std::chrono::steady_clock::time_point> blocked_since;
  std::set<std::string> store;  // digests the target's store holds
  DigestCache digests;
  uint64_t epoch = 0;
  std::vector<std::string> gc;
  int next_request = 0, next_session = 0, next_batch = 0;
  BatchStats stats;
  std::set<std::shared_ptr<BatchRun>> side;  // kill/cleanup runs
  bool shut_down = false;

  explicit BatchQueue(boost::asio::io_context& i) : io(i), idle(i) {}
  bool ssh() const { return settings.transport == BatchSettings::Transport::ssh; }

  std::vector<std::string> argv_for(const std::string& script) const {
    if (ssh()) return ssh_argv(ssh_program, settings.ssh, control_path, sh_command(script));
    return {"/bin/sh", "-c", script};
  }

  // Room for another batch: fewer than max_in_flight on their way, and those unpacked on the
  // target, so that the new one can link to what they stored instead of shipping it again.
  bool can_ship() const {
    if (static_cast<int>(batches.size()) >= std::max(1, settings.max_in_flight)) return false;
    for (const auto& b : batches)
      if (!b->ready) return false;
    return true;
  }
  /// Queues `r` (at the front: a retry) and ships when the queue is full or idle.
  void enqueue(const std::shared_ptr<BatchRequest>& r, bool front);
  /// Posts ship() if a batch may and should leave now.
  void maybe_ship();
  /// The runner waits for what is queued (exec::Executor::flush): it leaves as soon as a batch
  /// may, whatever its size or the idle timer.
  void flush() {
    idle_expired = true;
    early = Early::flush;
    maybe_ship();
  }
  /// Builds and starts a batch from the head of the queue.
  void ship();
  /// Adds `r`'s files, directories and job file to the batch's archive.
  Status add_request(Batch& b, TarWriter& ar, std::set<std::string>& fresh, BatchRequest& r);
  /// One event of a batch's result stream.
  void on_event(const std::shared_ptr<Batch>& b, BatchEvent e);
  /// A batch's run has ended: fail or retry what has no result.
  void on_end(const std::shared_ptr<Batch>& b, BatchRunEnd end);
  /// Copies back `archive`, writes the outputs, then calls deferred(-1) and the handler
  /// (once; later calls for the same request do nothing).
  void deliver(const std::shared_ptr<BatchRequest>& r, exec::ExitStatus st, std::string out = {}, std::string err = {},
               const std::string& archive = {});
  /// Runs a kill or cleanup script on the target beside the batches (best effort).
  void side_run(const std::string& script);
  /// Kills what is in flight and removes the run directory (blocking, at most ~15 s each).
  void shutdown();
};

}  // namespace litbox::emulation

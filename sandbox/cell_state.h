// The runner's side of one cell (internal to sandbox/): sends requests to the cell's init,
// reads its records asynchronously on the io_context, and turns them into ExitStatus callbacks,
// readiness, and the end of a test (close, or reset for reuse).
#pragma once

#include <sys/types.h>

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/cell_protocol.h"
#include "sandbox/cell_session.h"

namespace litbox::sandbox {

// The state of one cell, shared with the async handlers that read its records.
class CellState : public DyingCell, public std::enable_shared_from_this<CellState> {
 public:
  CellState(boost::asio::io_context& io, CellLaunch launch);
  ~CellState();

  void start() { arm_read(); }
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit);
  void terminate();
  /// Ends the cell: kills it; init is reaped later, and the test's outputs published then.
  void close();
  /// The test that uses the cell from now on (its Output view in the cell's staging dir).
  void begin_test(std::optional<OutputView> view) {
    launch_.output = std::move(view);
    published_ = false;
    last_sent_ = false;
    auto_reset_.reset();
  }
  /// Calls `done` on the io_context once the current test's outputs are published (or at once
  /// if they already are).
  void on_published(std::function<void(exec::CloseReport)> done);
  /// The cell's staging dir (bound at the test's Output dir), or "" if outputs are not isolated.
  const std::string& staging_dir() const { return launch_.staging_dir; }
  /// The cell's temp dir (MountPlan::tmp_dir).
  std::string tmp_dir() const { return launch_.plan ? launch_.plan->tmp_dir : std::string("/tmp"); }
  /// The host ids the runner's file work in this cell is done as.
  exec::RootedFileSystem::Ids fs_ids() const { return launch_.fs_ids; }
  /// True if the test is over cleanly enough for the cell to serve another one: set up, not
  /// terminated, every process it started has been reported.
  bool reusable() const;
  /// Ends the test without ending the cell: asks init to reset (kill every process, empty /tmp,
  /// check IPC), then publishes the test's outputs and, if all is clean, puts the cell in
  /// `pool` under `key`; otherwise closes it. Only when reusable().
  void recycle(const std::shared_ptr<CellPool>& pool, const std::string& key);
  /// Blocks until a reset in flight is answered (and the cell pooled or closed).
  void finish_reset();
  bool resetting() const { return resetting_; }
  const std::string& pool_key() const { return pool_key_; }
  void reap_blocking() override;
  Expected<int> root_fd();
  void async_wait_ready(std::function<void(Status)> on_ready);

 private:
  struct Pending {
    exec::ExitHandler on_exit;
    std::string program, cwd;  // program: what exec runs (for its error message)
    int pid = -1;
    int step = protocol::kStepNone;
    int err = 0;
  };

  void give_pipe_to_cell_user(int fd) const;
  void arm_read();
  void drain();
  void notify_ready();
  void on_record(const protocol::Record& r);
  void on_reset_done(const protocol::Record& r);
  /// Publishes the test's outputs, once no process of the cell is left.
  Status publish_outputs();
  void on_init_exit(bool block);
  void watch_init();
  void complete(uint32_t id, exec::ExitStatus s);
  void fail_all(const exec::ExitStatus& s);
  template <typename Pred>
  void wait_until(Pred pred);
  bool send_request(const protocol::SpawnHeader& h, const std::string& payload, const int* fds, int nfds);
  exec::ExitStatus setup_failure() const;

  boost::asio::io_context& io_;
  int sock_;
  boost::asio::posix::stream_descriptor sd_;
  CellLaunch launch_;
  pid_t init_ = 0;
  int pidfd_ = -1;
  std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd_sd_;
  bool ready_ = false, dead_ = false, eof_ = false, terminated_ = false, closed_ = false;
  std::string setup_error_;
  int root_ = -1;
  int pending_fd_ = -1;  // an fd that arrived before its record was complete
  std::string rx_;
  std::vector<protocol::Record> early_;  // init's records that came before its pid
  uint32_t next_id_ = 1;
  std::map<uint32_t, Pending> pending_;
  std::vector<std::function<void(Status)>> ready_waiters_;
  bool resetting_ = false;
  bool last_sent_ = false;                      // the test's last process was asked for (kOpSpawnLast)
  std::optional<protocol::Record> auto_reset_;  // init's reset after it, before recycle()
  std::weak_ptr<CellPool> pool_;
  std::string pool_key_;
  bool published_ = false;                                // the current test's outputs
  exec::CloseReport report_;                              // what publishing them said
  std::function<void(exec::CloseReport)> on_published_;  // waits for it
};


}  // namespace litbox::sandbox

#include "sandbox/cell_session.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/cell_state.h"

namespace litbox::sandbox {

namespace {

// The cell's filesystem for the runner's own file work: RESOLVE_IN_ROOT at the cell's "/".
// The first use waits for the cell to be set up; if setup failed, every call fails with EIO
// (open: -EIO, the others: EIO, as FileSystem's convention is)
// (the spawns report the setup failure itself).
class CellFileSystem : public exec::FileSystem {
 public:
  explicit CellFileSystem(CellState& cell) : cell_(cell) {}
  int open(const std::string& path, int flags, mode_t mode) override {
    return ready() ? rooted_.open(path, flags, mode) : -EIO;
  }
  int stat(const std::string& path, struct stat* st, bool follow) override {
    return ready() ? rooted_.stat(path, st, follow) : EIO;
  }
  int mkdir(const std::string& path, mode_t mode) override { return ready() ? rooted_.mkdir(path, mode) : EIO; }
  int unlink(const std::string& path) override { return ready() ? rooted_.unlink(path) : EIO; }
  int rmdir(const std::string& path) override { return ready() ? rooted_.rmdir(path) : EIO; }
  int chmod(const std::string& path, mode_t mode) override { return ready() ? rooted_.chmod(path, mode) : EIO; }
  int list_dir(const std::string& path, std::vector<exec::DirEntry>* out) override {
    return ready() ? rooted_.list_dir(path, out) : EIO;
  }
  int readlink(const std::string& path, std::string* out) override {
    return ready() ? rooted_.readlink(path, out) : EIO;
  }
  std::shared_ptr<void> hold_ids() override { return ready() ? rooted_.hold_ids() : nullptr; }

 private:
  bool ready() {
    if (root_ < 0) {
      Expected<int> root = cell_.root_fd();
      if (!root) return false;
      root_ = *root;
      rooted_ = exec::RootedFileSystem(root_, cell_.fs_ids());
    }
    return true;
  }
  CellState& cell_;
  int root_ = -1;
  exec::RootedFileSystem rooted_{-1};
};

class Cell : public CellSession {
 public:
  Cell(std::shared_ptr<CellState> state, std::shared_ptr<CellPool> pool, std::string key)
      : state_(std::move(state)), fs_(*state_), pool_(std::move(pool)), key_(std::move(key)) {}
  exec::FileSystem& fs() override { return fs_; }
  ~Cell() override { close(); }
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    state_->spawn(std::move(req), std::move(on_exit));
  }
  void terminate() override { state_->terminate(); }
  std::map<std::string, std::string> environment_overrides() const override {
    return {{"TMPDIR", state_->tmp_dir()}, {"HOME", kCellHome}};
  }
  void async_close(std::function<void(exec::CloseReport)> done) override {
    if (done_) return done({});
    state_->on_published(std::move(done));
    close();
  }
  // The test is over: the cell is reset for the next test if it can be, else closed.
  void close() override {
    if (done_) return;
    done_ = true;
    if (pool_ && !pool_->closing() && state_->reusable())
      state_->recycle(pool_, key_);
    else
      state_->close();
  }
  Expected<int> root_fd() override { return state_->root_fd(); }
  void async_wait_ready(std::function<void(Status)> on_ready) override { state_->async_wait_ready(std::move(on_ready)); }

 private:
  std::shared_ptr<CellState> state_;
  CellFileSystem fs_;
  std::shared_ptr<CellPool> pool_;
  std::string key_;
  bool done_ = false;
};

}  // namespace

void CellReaper::add(std::weak_ptr<DyingCell> cell) {
  // Forget the ones already reaped, so a long run does not accumulate them.
  std::erase_if(cells_, [](const std::weak_ptr<DyingCell>& c) { return c.expired(); });
  cells_.push_back(std::move(cell));
}

void CellReaper::reap_all() {
  for (auto& w : cells_)
    if (auto c = w.lock()) c->reap_blocking();
  cells_.clear();
}

std::string setup_error_text(const MountPlan& plan, int step, int err) {
  std::string what;
  if (step >= 0 && static_cast<size_t>(step) < plan.steps.size())
    what = plan.steps[static_cast<size_t>(step)].describe();
  else if (const char* name = protocol::step_name(step))
    what = name;
  else
    what = "step " + std::to_string(step);
  return "sandbox: " + what + ": " + strerror(err);
}

std::shared_ptr<CellState> CellPool::take(const std::string& key) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (size_t i = idle_.size(); i-- > 0;) {
      if (idle_[i].key != key) continue;
      std::shared_ptr<CellState> cell = std::move(idle_[i].cell);
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
      return cell;
    }
    // None idle, but the previous test of this directory may be in its reset, which init
    // answers within a fraction of a millisecond: waiting for it beats making a new cell.
    std::shared_ptr<CellState> resetting;
    for (auto& w : resetting_)
      if (auto c = w.lock(); c && c->resetting() && c->pool_key() == key) {
        resetting = std::move(c);
        break;
      }
    if (!resetting) return nullptr;
    resetting->finish_reset();  // puts it in idle_, or closes it
  }
  return nullptr;
}

void CellPool::put(const std::string& key, std::shared_ptr<CellState> cell) {
  if (closing_) return cell->close();
  idle_.push_back({key, std::move(cell)});
  if (idle_.size() > max_idle_) {
    std::shared_ptr<CellState> oldest = std::move(idle_.front().cell);
    idle_.erase(idle_.begin());
    oldest->close();
  }
}

void CellPool::track_reset(std::weak_ptr<CellState> cell) {
  // Only cells still waiting for their reset: a cell reused many times is listed once.
  std::erase_if(resetting_, [](const std::weak_ptr<CellState>& w) {
    auto c = w.lock();
    return !c || !c->resetting();
  });
  resetting_.push_back(std::move(cell));
}

void CellPool::close_all() {
  closing_ = true;
  for (auto& w : resetting_)
    if (auto c = w.lock()) c->finish_reset();
  resetting_.clear();
  std::vector<Idle> idle = std::move(idle_);
  idle_.clear();
  for (auto& i : idle) i.cell->close();
}

std::unique_ptr<CellSession> make_cell_session(boost::asio::io_context& io, CellLaunch launch,
                                               std::shared_ptr<CellPool> pool, std::string key) {
  auto state = std::make_shared<CellState>(io, std::move(launch));
  state->start();
  return std::make_unique<Cell>(std::move(state), std::move(pool), std::move(key));
}

std::unique_ptr<CellSession> reuse_cell_session(const std::shared_ptr<CellPool>& pool, const std::string& key,
                                                const std::function<std::optional<OutputView>(const std::string&)>& view) {
  std::shared_ptr<CellState> state = pool->take(key);
  if (!state) return nullptr;
  state->begin_test(view(state->staging_dir()));
  return std::make_unique<Cell>(std::move(state), pool, key);
}

}  // namespace litbox::sandbox

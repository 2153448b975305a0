// Helpers shared by the emulation tests: files, running one request through a session while
// capturing its output, and a fake executor that records what it was asked (their TempDir is
// support/testing/temp_dir.h).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <vector>

#include "executor/executor.h"
#include "support/testing/temp_dir.h"

namespace litbox::emulation::testing {

/// Writes `data` to `path` with permission bits `mode`.
void write_file(const std::string& path, const std::string& data, int mode = 0644);
/// The contents of `path`, or nullopt if it cannot be read.
std::optional<std::string> read_file(const std::string& path);
/// Runs `argv` (absolute program path) and returns its exit code (-signal if killed).
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr);

/// Where the test programs built by CMake live: testdata/probe-<name>.
std::string probe(const std::string& name);
/// True if probe(name) exists (the cross compiler was installed at build time).
bool have_probe(const std::string& name);

/// How stdin is given to a captured run.
enum class StdinKind { none, pipe, file };

/// The outcome of one captured run.
struct Captured {
  exec::ExitStatus status;
  std::string out, err;
  bool finished = false;  ///< false: it did not finish within the safety limit
};

/// Spawns `req` in `session` with stdout/stderr captured through pipes and `stdin_data`
/// given as `kind`, and runs `io` until the handler ran and both pipes reached EOF (at most
/// `limit_seconds`, a safety net against hangs, not a timing assertion).
Captured run_captured(boost::asio::io_context& io, exec::Session& session, exec::SpawnRequest req,
                      StdinKind kind = StdinKind::none, const std::string& stdin_data = "", int limit_seconds = 120);

/// The entries of the directory `path` (without . and ..), sorted; empty if it cannot be read.
std::vector<std::string> list_dir(const std::string& path);

/// Live (not zombie) processes whose command line (arguments joined by NUL) contains every
/// one of `texts`. Processes of child pid namespaces (the simulated device) are counted too.
int processes_mentioning(const std::vector<std::string>& texts);
/// The same for the environment (NAME=value entries, each ended by a NUL).
int processes_with_environment(const std::vector<std::string>& texts);
/// `count()`, after waiting (a bound, not a timing assertion) for it to become 0 while the
/// kernel finishes killing processes.
int settled(const std::function<int()>& count);
/// settled(processes_mentioning(texts)).
int processes_mentioning_settled(const std::vector<std::string>& texts);

/// A command's stdin given as `kind`: the descriptor for SpawnRequest::stdin_fd (-1: none)
/// and, for a pipe, its write end.
struct TestStdin {
  int fd = -1;
  std::shared_ptr<boost::asio::posix::stream_descriptor> writer;
};
/// Makes the stdin: a pipe, or an unlinked temporary file holding `data`.
TestStdin open_test_stdin(boost::asio::io_context& io, StdinKind kind, const std::string& data);
/// After the spawn: closes our copy of the read side and writes `data` into a pipe (then
/// closes it), asynchronously on the io_context.
void feed_test_stdin(TestStdin& in, const std::string& data);

/// A minimal environment for test processes.
std::vector<std::string> test_env();

/// An executor that records every request and reports exit code 0 for each. Its sessions'
/// fs() is the host's, or, with `root_fd` (an O_PATH directory), a view rooted there, the
/// way a sandbox cell shows its own filesystem.
class FakeExecutor : public exec::Executor {
 public:
  explicit FakeExecutor(boost::asio::io_context& io, int root_fd = -1) : io_(io), root_fd_(root_fd) {}
  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override;
  std::string name() const override { return "fake"; }
  std::vector<exec::SpawnRequest> requests;

 private:
  boost::asio::io_context& io_;
  int root_fd_;
};

}  // namespace litbox::emulation::testing

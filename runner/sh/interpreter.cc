#include "runner/sh/interpreter.h"

#include <signal.h>

#include "runner/sh/command_result.h"
#include "runner/sh/pipeline.h"

namespace litbox::runner::sh {

namespace asio = boost::asio;

namespace {

bool timed_out(const ShellOptions& opts) { return opts.timed_out && *opts.timed_out; }

// lit's _executeShCmd over the tree. `tail`: nothing of the script runs after this node (the
// right-hand side of the root's sequences, all the way down).
asio::awaitable<ExecStatus> exec_node(const Node& node, ShellContext& ctx, bool tail) {
  // Once the timeout fired, nothing new starts: the node is None.
  if (timed_out(ctx.opts)) co_return ExecStatus::none();
  if (const auto* p = std::get_if<Pipeline>(&node.value)) {
    ctx.tail = tail;
    co_return co_await run_pipeline(*p, ctx);
  }
  const Seq& seq = *std::get<std::shared_ptr<Seq>>(node.value);
  if (seq.op == ";") {
    ExecStatus lhs = co_await exec_node(seq.lhs, ctx, false);
    if (lhs.kind == ExecStatus::Kind::kAbort) co_return lhs;
    co_return co_await exec_node(seq.rhs, ctx, tail);
  }
  if (seq.op == "&") {
    // lit raises InternalShellError(Seq, "unsupported shell operator: '&'") and then crashes
    // printing the log, as a Seq has no args.
    ctx.abort = {Abort::Kind::kException, "AttributeError: 'Seq' object has no attribute 'args'"};
    co_return ExecStatus::aborted();
  }
  ExecStatus res = co_await exec_node(seq.lhs, ctx, false);
  if (res.kind == ExecStatus::Kind::kAbort) co_return res;
  if (seq.op == "||") {
    if (res.nonzero()) res = co_await exec_node(seq.rhs, ctx, tail);
    co_return res;
  }
  // "&&"
  if (res.kind == ExecStatus::Kind::kNone) co_return res;
  if (res.code == 0) res = co_await exec_node(seq.rhs, ctx, tail);
  co_return res;
}

}  // namespace

asio::awaitable<ScriptResult> run_script(const std::vector<std::string>& lines, ShellState& state,
                                         const ShellOptions& opts) {
  ScriptResult result;
  std::vector<Node> nodes;
  for (const auto& line : lines) {
    auto node = parse(line, opts.pipefail);
    if (!node) {
      result.parse_error = true;
      result.out = parse_error_output(line);
      result.exit_code = 1;
      co_return result;
    }
    nodes.push_back(std::move(*node));
  }
  if (nodes.empty()) co_return result;
  Node script = nodes[0];
  for (size_t i = 1; i < nodes.size(); ++i)
    script = Node{std::make_shared<Seq>(Seq{std::move(script), "&&", nodes[i]})};

  if (!opts.session) {
    result.setup_error = "the shell has no session to run processes in";
    co_return result;
  }
  std::vector<CommandResult> results;
  Abort abort;
  ShellContext ctx{state, opts, results, abort};
  ExecStatus status = co_await exec_node(script, ctx, opts.ends_session);
  result.out = format_log(results, opts.timeout_active);
  switch (abort.kind) {
    case Abort::Kind::kNone:
      if (status.kind == ExecStatus::Kind::kNone) {
        result.exit_code_none = true;
        result.exit_code = 1;
      } else {
        result.exit_code = status.code;
      }
      break;
    case Abort::Kind::kShellError:
      result.exit_code = 127;
      break;
    case Abort::Kind::kException:
      result.exception = abort.message;
      result.exit_code = 127;
      break;
    case Abort::Kind::kSetup:
      result.setup_error = abort.message;
      result.exit_code = 127;
      break;
    case Abort::Kind::kInterrupted:
      result.interrupted = true;
      result.exit_code = -SIGINT;
      break;
  }
  co_return result;
}

}  // namespace litbox::runner::sh

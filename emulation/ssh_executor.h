// Running a test's commands on another machine with the OpenSSH client: the `ssh` executor
// behind `%{exec}`, compatible with what libc++'s ssh.py does, in one ssh round trip per
// command.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <utility>  // Boost 1.74's Asio needs it before its headers

#include "emulation/ssh_plan.h"
#include "executor/executor.h"
#include "support/error.h"

namespace litbox::emulation {

/// An Executor whose sessions run every spawned command on `settings.host`:
/// - the session's remote directory is <work_dir>/litbox-<random>, created by the first
///   command and removed by Session::close();
/// - argv[0] and every argument naming an existing file under %T or %S are shipped in a tar
///   stream on the same ssh connection as the command (map_command() says which and how
///   arguments are rewritten); unchanged files are not shipped twice in a session;
/// - the command runs in the remote directory with the request's stdout attached to ssh's
///   stdout (pipes into FileCheck work), its stderr relayed, its stdin from /dev/null, an
///   uploaded copy of a regular-file stdin, or streamed through ssh (then the upload takes a
///   separate ssh run first);
/// - the exit status is the remote one (death by signal N reported by the shell as 128+N is
///   mapped back to a signal), files under the test's %t prefix the command created or
///   changed are copied back before the handler runs;
/// - an ssh failure (no status from the remote wrapper) is a setup failure: ExitStatus with
///   setup_failure, code 255 and error "ssh <host>: <ssh's last stderr line>";
/// - terminate() kills the local ssh processes and, through another ssh run, the remote
///   process groups.
/// ssh processes start on the host (not in a sandbox cell, which has no network), with
/// litbox's own environment so ~/.ssh/config, agents and known_hosts apply.
/// Errors: empty host; an ssh client that cannot be found on PATH.
Expected<std::unique_ptr<exec::Executor>> make_ssh_executor(boost::asio::io_context& io, SshSettings settings);

}  // namespace litbox::emulation

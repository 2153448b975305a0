// The pure half of the ssh executor: which local files a command needs on the target, how its
// arguments are rewritten, the POSIX sh script that runs it there, and the ssh command line.
// Nothing here starts a process, so all of it is tested without a server.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "executor/executor.h"

namespace litbox::emulation {

/// Quotes `s` as one POSIX shell word: bare if it only holds [A-Za-z0-9_@%+=:,./-] (and is
/// not empty), else in single quotes with ' written as '\''.
std::string shell_quote(std::string_view s);

/// Where a test's files live locally and on the target.
struct RemoteLayout {
  std::string remote_dir;  ///< the test's directory on the target (absolute)
  std::string output_dir;  ///< local %T; maps to remote_dir
  std::string source_dir;  ///< local %S; maps to remote_dir/.litbox/src
  /// output_dir is the test's own directory (libc++'s --execdir): every entry in it but
  /// ".litbox" is shipped with each command, named as an argument or not.
  bool ship_output_dir = false;
};

/// A local file or directory to ship, and its path relative to RemoteLayout::remote_dir.
struct Upload {
  std::string local;
  std::string remote;  ///< relative, e.g. "a.c.tmp.exe" or ".litbox/bin/tool"
  bool operator==(const Upload&) const = default;
};

/// A request's argv as the target sees it, and what must be copied first.
struct MappedCommand {
  std::vector<std::string> argv;
  std::vector<Upload> uploads;  ///< deduplicated, in argument order
};

/// Rewrites `argv` for the target. Every occurrence of a path under output_dir or
/// source_dir (at the start of an argument or after '=', ',' or ':', e.g. `-o%t.o`,
/// `--in=%S/x`) becomes the corresponding remote path; those that exist locally are uploaded
/// (directories recursively, but never output_dir or source_dir itself). argv[0] under
/// neither root: a program of a system directory (/bin, /sbin, /usr/bin, /usr/sbin,
/// /usr/local/bin, /usr/local/sbin) becomes its bare name, for the target's PATH; another
/// existing local file (a tool of the build tree) is uploaded to .litbox/bin/<basename> and
/// rewritten to that path; anything else is left as it is. With ship_output_dir, the entries
/// of output_dir follow the arguments' uploads, in name order.
MappedCommand map_command(const std::vector<std::string>& argv, const RemoteLayout& layout);

/// Where a local path lives on the target, relative to remote_dir, if it is under output_dir
/// (at the same relative path) or source_dir (under .litbox/src).
std::optional<std::string> remote_relative(const std::string& local, const RemoteLayout& layout);

/// Adds to `m` the shared libraries its uploaded ELF executables need that the test built:
/// the DT_NEEDED closure resolved against each binary's DT_RUNPATH/DT_RPATH ($ORIGIN
/// expanded), its own directory and output_dir; only libraries under output_dir or
/// source_dir are shipped (the target has its own system libraries). Returns the remote
/// directories (absolute) holding them, for LD_LIBRARY_PATH.
std::vector<std::string> add_library_uploads(MappedCommand& m, const RemoteLayout& layout);

/// How the remote command gets its standard input.
enum class RemoteStdin {
  null,     ///< </dev/null (the request had no stdin, or /dev/null)
  inherit,  ///< the ssh channel: bytes written to ssh's stdin reach the command
  file,     ///< an uploaded file (a regular-file stdin, shipped with the other uploads)
};

/// Everything the remote wrapper script needs for one spawn.
struct RemoteScript {
  std::string dir;       ///< RemoteLayout::remote_dir
  std::string marker;    ///< the status marker, unique per spawn
  int id = 0;            ///< spawn number within the session (names the pid file)
  bool extract = false;  ///< ssh's stdin starts with a tar archive to unpack into dir
  RemoteStdin stdin_mode = RemoteStdin::null;
  std::string stdin_file;                                ///< for RemoteStdin::file: path relative to dir
  std::vector<std::pair<std::string, std::string>> env;  ///< exported before the command
  std::vector<std::string> argv;                         ///< already mapped
  /// Files under dir whose names start with this (the test's %t prefix relative to %T) and
  /// that the command created or modified are sent back after the status line. "" = none.
  std::string copy_back_prefix;
  mode_t umask = 022;
};

/// The script run by `sh -c` on the target. It creates dir, optionally unpacks the archive
/// on stdin, records its process group in .litbox/pid.<id> (the sshd session makes the
/// wrapper a group leader, so terminate() can kill everything the command started), runs the
/// command with the ssh channel's stderr, then writes "<marker> <status>\n" and a tar of the
/// changed files to the same stderr and exits with the command's status. The shell's own
/// diagnostics are discarded so they cannot mix with the command's stderr.
std::string remote_script(const RemoteScript& s);

/// The exit status the remote shell reported: 128+N (N a signal number, 1..64) is taken as
/// a death by signal N, which is how POSIX shells report it (a program that really exits
/// with 129..192 is misread; the shell gives no way to tell them apart).
exec::ExitStatus remote_exit_status(int status);

/// The script of an upload-only invocation: create dir and unpack the archive on stdin.
std::string upload_script(const std::string& dir);

/// The script that kills the process groups of the commands whose spawn numbers are `ids`
/// (every command still running in dir when `ids` is empty), via their pid files, and, if
/// `remove`, deletes dir.
std::string cleanup_script(const std::string& dir, const std::vector<int>& ids, bool remove);

/// The ssh client settings of the executor (a copy of config::Ssh, which emulation/ cannot
/// include).
struct SshSettings {
  std::string host;  ///< required; any name ~/.ssh/config knows
  int port = 0;      ///< 0: the ssh default / config
  std::string user;
  std::string identity;              ///< private key file (-i, with IdentitiesOnly=yes)
  std::string work_dir = "/tmp";     ///< remote directory under which test dirs are made
  std::vector<std::string> env;      ///< variables of the test's environment passed along
  std::vector<std::string> options;  ///< extra `-o` options ("Key=Value"); these win over
                                     ///< litbox's defaults and over ~/.ssh/config
  bool connection_sharing = true;    ///< ControlMaster=auto over a private ControlPath
  int control_persist_seconds = 60;  ///< how long an idle shared connection stays up
  std::string config_file;           ///< -F file ("none" ignores ~/.ssh/config); "" = default
  std::string ssh_program = "ssh";   ///< name (searched on PATH) or path of the client
};

/// The ssh argv for running `remote_command` (one shell command line) on the target.
/// `control_path` is the ControlPath to use when sharing ("" disables sharing).
std::vector<std::string> ssh_argv(const std::string& ssh_program, const SshSettings& s, const std::string& control_path,
                                  const std::string& remote_command);

/// The argv of `ssh -O exit` that stops a shared connection.
std::vector<std::string> ssh_control_exit_argv(const std::string& ssh_program, const SshSettings& s,
                                               const std::string& control_path);

/// The remote command that runs `script` with the target's POSIX sh, whatever the login shell:
/// "exec sh -c '<script>'" (the exec keeps the session's process-group leader the wrapper).
std::string sh_command(const std::string& script);

}  // namespace litbox::emulation

// SuiteConfig: the effective configuration of one directory of a test suite, as loaded from
// lit.site.yaml → lit.yaml → lit.local.yaml files. Plain data with defaults inline.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace litbox::config {

/// One entry of the ordered substitution list (lit's config.substitutions).
struct Substitution {
  std::string pattern;      ///< a Python regex (a YAML `match:` entry is stored re.escape'd)
  std::string replacement;  ///< a Python re.sub template (a YAML `match:` value is literal)
  bool literal_replacement = false;  ///< true: `replacement` is plain text (no \1, \g<..>)
};

/// Host environment policy for the test processes.
struct Environment {
  std::map<std::string, std::string> set;  ///< variables set for every test
  std::vector<std::string> pass;           ///< host variables passed through when set
  std::vector<std::string> unset;          ///< names removed (after set/pass)
};

/// Resource limits of a test (sandbox or not). 0 = no limit.
struct Limits {
  uint64_t memory = 0;       ///< bytes of address space per process
  uint64_t processes = 1024;  ///< max processes/threads of a sandboxed test (a whole-cell cap)
  uint64_t cpu_seconds = 0;  ///< CPU time per process
  uint64_t file_size = 0;    ///< bytes
  uint64_t open_files = 0;
  uint64_t tmp_size = 64ull << 20;  ///< size of the private /tmp (bytes)
};

/// The sandbox policy of sandbox.md.
struct Sandbox {
  bool enabled = true;                     ///< `sandbox: off` sets false
  bool network = false;                    ///< false: own network namespace with only lo
  std::vector<std::string> readonly;       ///< extra paths bound read-only (default: all of /)
  std::vector<std::string> writable;       ///< extra writable paths
  std::vector<std::string> hidden;         ///< paths made invisible (default $HOME, /root, /home)
  std::vector<std::string> deny_syscalls;  ///< added to the default seccomp deny list
  std::vector<std::string> allow_syscalls; ///< removed from the default deny list
  std::string seccomp_action = "errno";    ///< errno (EPERM) | kill (SIGSYS, reported)
  std::string hostname = "litbox";
  bool reuse_cells = true;                 ///< a cleanly reset cell serves the directory's next test
  bool publish_all_outputs = false;        ///< publish every name a test wrote in %T, not only its %t*
  Limits limits;
};

/// SSH target settings for the ssh and batch executors.
struct Ssh {
  std::string host;
  int port = 0;  ///< 0: ssh's default / ~/.ssh/config
  std::string user;
  std::string identity;
  std::string work_dir = "/tmp";       ///< remote dir under which per-run dirs are made
  std::vector<std::string> env;        ///< local variable names passed to the remote command
  std::vector<std::string> options;    ///< extra `-o` options
  bool connection_sharing = true;      ///< ControlMaster/ControlPersist
};

/// The target the tests' binaries run on.
struct Target {
  std::string triple;                 ///< target triple (feature target=<triple>)
  std::string executor = "auto";      ///< auto | local | qemu | ssh | batch
  std::string sysroot;                ///< for dynamic foreign binaries (qemu -L)
  std::vector<std::string> emulator_args;  ///< extra qemu arguments
  Ssh ssh;
  int batch_size = 64;                ///< batch: ship when this many requests are queued
  int batch_parallelism = 4;          ///< batch: parallel requests on the target
  int batch_idle_flush_ms = 1000;     ///< batch: ship when nothing was queued for this long
  int batch_timeout = 0;              ///< batch: seconds before a whole batch is given up; 0 = none
  int batch_retries = 1;              ///< batch: requeues of a request whose batch failed before it ran
};

/// One `tools:` entry: lit's LLVMConfig.use_llvm_tool, looked up when the config is loaded on
/// the machine that runs the tests (runner/tool_lookup.h), not when it was translated.
struct ToolLookup {
  std::string name;
  std::string search_env;                 ///< a variable of the tests' environment naming the tool
  std::vector<std::string> search_paths;  ///< absolute directories, tried in order
  bool use_installed = false;             ///< then the tests' PATH
  bool required = false;                  ///< not found: the run stops (lit's fatal)
  bool quiet = false;                     ///< no "using NAME: PATH" note
  std::string where;                      ///< file:line:column of the entry, for messages
};

/// The effective configuration of one directory.
struct SuiteConfig {
  std::string name = "<unnamed>";
  std::string format = "sh";  ///< sh | sh-external | executable | gtest
  std::vector<std::string> suffixes;
  std::vector<std::string> excludes;
  bool standalone_tests = false;
  std::string source_root;  ///< absolute; where tests are found
  std::string exec_root;    ///< absolute; where Output/ directories go
  std::set<std::string> features;
  /// Features some configuration of this suite may define (`known_features:`), for the
  /// warning about REQUIRES/UNSUPPORTED/XFAIL names no config can ever define.
  std::set<std::string> known_features;
  std::vector<Substitution> substitutions;  ///< in lit's order: config entries first
  Environment environment;
  std::optional<int> recursive_expansion_limit;
  bool triple_substring_match = false;  ///< lit 15: XFAIL/UNSUPPORTED match triple substrings
  /// The lit release whose test-file language the suite is written for; 0: the newest.
  /// Below 16, DEFINE:/REDEFINE: are not directives (LLVM 15 tests use REDEFINE: as a
  /// FileCheck prefix).
  int lit_version = 0;
  bool pipefail = true;
  /// Bytes of each command's stdout and stderr kept for the report; the rest is counted and
  /// noted. 0: everything (lit keeps everything, and a test printing GiBs takes that much).
  uint64_t output_limit = uint64_t{1} << 20;
  bool unsupported = false;
  std::vector<std::string> limit_to_features;
  int test_retry_attempts = 0;
  double timeout = 0;  ///< per-test seconds, 0 = none (the command line wins)
  std::string parallelism_group;
  /// Sizes of the parallelism groups (lit's lit_config.parallelism_groups): at most N tests
  /// of a group run at once; 0 = no limit. Set in lit.yaml/lit.site.yaml (`parallelism_groups:`).
  std::map<std::string, int> parallelism_groups;
  std::vector<std::string> preamble_commands;
  /// The `tools:` of the file(s) loaded last only (the root's site and suite files, or one
  /// lit.local.yaml): each is looked up once, when its file is loaded, as lit runs a call.
  std::vector<ToolLookup> tools;
  std::string gtest_sub_dirs = ".";  ///< gtest format: ';'-separated dirs
  std::string gtest_suffix = "Tests";
  /// gtest format: a command the binaries run under (lit's GoogleTest run_under).
  std::vector<std::string> gtest_run_under;
  std::string target_triple;  ///< lit's config.target_triple
  std::string host_triple;
  Sandbox sandbox;
  Target target;
  /// Site params and -D values after interpolation; `${name}` in strings resolves here.
  std::map<std::string, std::string> params;
  /// Every config file that contributed, root first (for messages).
  std::vector<std::string> files;
  /// What the runner added about the machine and the executor (can-run=, sandbox, %{exec}),
  /// so that a directory's config changing its target or sandbox gets its own.
  struct MachineFacts {
    std::vector<std::string> features;
    std::optional<Substitution> exec;  ///< the %{exec} entry appended to `substitutions`
  } machine_facts;
};

}  // namespace litbox::config

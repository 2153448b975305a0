// lit.yaml on its own: every key, defaults, roots, and the exact error messages.
#include "configs/loader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "configs/test_support.h"
#include "support/testing/temp_dir.h"

namespace litbox::config {
namespace {

using testing::error_of;
using litbox::testing::TempDir;

class LoadSuiteConfig : public ::testing::Test {
 protected:
  /// Writes `yaml` as lit.yaml in the temp dir and loads it without a site config.
  Expected<SuiteConfig> load(const std::string& yaml, const Params& cli = {}) {
    path_ = dir_.write("lit.yaml", yaml);
    return load_suite_config(path_, nullptr, cli);
  }
  /// The error of loading `yaml`, with the temp dir's lit.yaml path replaced by "lit.yaml".
  std::string error(const std::string& yaml) {
    std::string e = error_of(load(yaml));
    return e.rfind(path_, 0) == 0 ? "lit.yaml" + e.substr(path_.size()) : e;
  }

  TempDir dir_;
  std::string path_;
};

TEST_F(LoadSuiteConfig, AbsentKeysKeepTheInlineDefaults) {
  auto c = load("");
  ASSERT_TRUE(c.ok()) << c.error().str();
  SuiteConfig d;
  EXPECT_EQ(c->name, d.name);
  EXPECT_EQ(c->format, "sh");
  EXPECT_TRUE(c->suffixes.empty());
  EXPECT_TRUE(c->pipefail);
  EXPECT_FALSE(c->recursive_expansion_limit.has_value());
  EXPECT_EQ(c->sandbox.limits.tmp_size, 64ull << 20);
  EXPECT_TRUE(c->sandbox.reuse_cells);
  EXPECT_FALSE(c->sandbox.publish_all_outputs);
  EXPECT_EQ(c->target.executor, "auto");
  EXPECT_EQ(c->gtest_suffix, "Tests");
  EXPECT_TRUE(c->features.empty());
  EXPECT_EQ(c->source_root, dir_.path());
  EXPECT_EQ(c->exec_root, dir_.path());
  EXPECT_EQ(c->files, std::vector<std::string>{path_});
}

TEST_F(LoadSuiteConfig, ReadsEveryScalarAndListKey) {
  auto c = load(R"(
name: LLVM
format: sh-external
suffixes: [.ll, .test]
excludes: [Inputs, CMakeLists.txt]
standalone_tests: false
features: [shell, asserts]
known_features: [asserts, zlib]
recursive_expansion_limit: 10
triple_substring_match: yes
pipefail: off
unsupported: false
limit_to_features: [asserts]
test_retry_attempts: 2
timeout: 1.5
parallelism_group: shared-lock
preamble_commands: ['ulimit -c 0', 'true']
gtest_sub_dirs: [unittests, more]
gtest_suffix: Test
host_triple: x86_64-pc-linux-gnu
environment:
  set: {LC_ALL: C, TZ: UTC}
  pass: [FILECHECK_OPTS]
  unset: [MAKEFLAGS]
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->name, "LLVM");
  EXPECT_EQ(c->format, "sh-external");
  EXPECT_EQ(c->suffixes, (std::vector<std::string>{".ll", ".test"}));
  EXPECT_EQ(c->excludes, (std::vector<std::string>{"Inputs", "CMakeLists.txt"}));
  EXPECT_EQ(c->features, (std::set<std::string>{"shell", "asserts", "host=x86_64-pc-linux-gnu"}));
  EXPECT_EQ(c->known_features, (std::set<std::string>{"asserts", "zlib"}));
  EXPECT_EQ(c->recursive_expansion_limit, 10);
  EXPECT_TRUE(c->triple_substring_match);
  EXPECT_FALSE(c->pipefail);
  EXPECT_EQ(c->limit_to_features, std::vector<std::string>{"asserts"});
  EXPECT_EQ(c->test_retry_attempts, 2);
  EXPECT_DOUBLE_EQ(c->timeout, 1.5);
  EXPECT_EQ(c->parallelism_group, "shared-lock");
  EXPECT_EQ(c->preamble_commands, (std::vector<std::string>{"ulimit -c 0", "true"}));
  EXPECT_EQ(c->gtest_sub_dirs, "unittests;more");
  EXPECT_EQ(c->gtest_suffix, "Test");
  EXPECT_EQ(c->host_triple, "x86_64-pc-linux-gnu");
  EXPECT_EQ(c->environment.set, (std::map<std::string, std::string>{{"LC_ALL", "C"}, {"TZ", "UTC"}}));
  EXPECT_EQ(c->environment.pass, std::vector<std::string>{"FILECHECK_OPTS"});
  EXPECT_EQ(c->environment.unset, std::vector<std::string>{"MAKEFLAGS"});
}

TEST_F(LoadSuiteConfig, SubstitutionsKeepOrderAndKind) {
  auto c = load(R"(
substitutions:
  - {match: '%{exec}', replace: ''}
  - {regex: '(?<![\w/.-])\bFileCheck\b(?![\w.-])', replace: '/b/bin/FileCheck'}
  - {match: '%clang_cc1', replace: 'clang -cc1 \1'}
  - {regex: '%errc_(\w+)', replace: 'E\1'}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  ASSERT_EQ(c->substitutions.size(), 4u);
  EXPECT_EQ(c->substitutions[0].pattern, "%{exec}");  // re.escape'd: '{' not before a digit stays
  EXPECT_TRUE(c->substitutions[0].literal_replacement);
  EXPECT_EQ(c->substitutions[1].pattern, R"((?<![\w/.-])\bFileCheck\b(?![\w.-]))");
  EXPECT_EQ(c->substitutions[1].replacement, "/b/bin/FileCheck");
  EXPECT_FALSE(c->substitutions[1].literal_replacement);
  EXPECT_EQ(c->substitutions[2].pattern, "%clang_cc1");
  EXPECT_EQ(c->substitutions[2].replacement, "clang -cc1 \\1");
  EXPECT_TRUE(c->substitutions[2].literal_replacement);
  EXPECT_EQ(c->substitutions[3].replacement, "E\\1");
}

TEST_F(LoadSuiteConfig, ParallelismGroups) {
  auto c = load("parallelism_group: gpu\nparallelism_groups: {gpu: 1, free: ~, big: 8}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->parallelism_group, "gpu");
  EXPECT_EQ(c->parallelism_groups, (std::map<std::string, int>{{"big", 8}, {"free", 0}, {"gpu", 1}}));
  EXPECT_EQ(error("parallelism_groups: {gpu: -1}\n"), "lit.yaml:1:27: 'parallelism_groups.gpu' must be at least 0");
  EXPECT_EQ(error("parallelism_groups: [gpu]\n"),
            "lit.yaml:1:21: expected a map of group names to sizes for 'parallelism_groups'");
}

TEST_F(LoadSuiteConfig, SandboxAndLimits) {
  auto c = load(R"(
sandbox:
  network: true
  readonly: [/opt/tools]
  writable: ['%t', cache, /var/tmp/x/]
  hidden: [~/secrets]
  deny_syscalls: [ptrace]
  allow_syscalls: [mount]
  seccomp_action: kill
  hostname: box
  reuse_cells: false
  publish_all_outputs: yes
  limits: {memory: 4GiB, processes: 512, cpu_seconds: 60, file_size: 64MiB, open_files: unlimited, tmp_size: 1G}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  const Sandbox& s = c->sandbox;
  EXPECT_TRUE(s.enabled);
  EXPECT_TRUE(s.network);
  EXPECT_EQ(s.readonly, std::vector<std::string>{"/opt/tools"});
  EXPECT_EQ(s.writable, (std::vector<std::string>{"%t", dir_.path() + "/cache", "/var/tmp/x"}));
  EXPECT_EQ(s.hidden, std::vector<std::string>{std::string(getenv("HOME")) + "/secrets"});
  EXPECT_EQ(s.deny_syscalls, std::vector<std::string>{"ptrace"});
  EXPECT_EQ(s.allow_syscalls, std::vector<std::string>{"mount"});
  EXPECT_EQ(s.seccomp_action, "kill");
  EXPECT_EQ(s.hostname, "box");
  EXPECT_FALSE(s.reuse_cells);
  EXPECT_TRUE(s.publish_all_outputs);
  EXPECT_EQ(s.limits.memory, 4ull << 30);
  EXPECT_EQ(s.limits.processes, 512u);
  EXPECT_EQ(s.limits.cpu_seconds, 60u);
  EXPECT_EQ(s.limits.file_size, 64ull << 20);
  EXPECT_EQ(s.limits.open_files, 0u);
  EXPECT_EQ(s.limits.tmp_size, 1ull << 30);
}

TEST_F(LoadSuiteConfig, SandboxOffIsShortForEnabledFalse) {
  auto c = load("sandbox: off\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_FALSE(c->sandbox.enabled);
  EXPECT_EQ(error("sandbox: maybe\n"), "lit.yaml:1:10: expected a map or on/off for 'sandbox'");
}

TEST_F(LoadSuiteConfig, TargetAndSsh) {
  auto c = load(R"(
target:
  triple: aarch64-linux-gnu
  executor: ssh
  sysroot: sysroots/aarch64
  emulator_args: [-cpu, max]
  batch_size: 16
  batch_parallelism: 2
  batch_idle_flush_ms: 250
  batch_timeout: 600
  batch_retries: 0
  ssh: {host: board, port: 2222, user: ci, identity: keys/id, work_dir: /data/tmp, env: [FOO],
        options: [StrictHostKeyChecking=no], connection_sharing: false}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  const Target& t = c->target;
  EXPECT_EQ(t.triple, "aarch64-linux-gnu");
  EXPECT_EQ(c->target_triple, "aarch64-linux-gnu");
  EXPECT_TRUE(c->features.count("target=aarch64-linux-gnu"));
  EXPECT_EQ(t.executor, "ssh");
  EXPECT_EQ(t.sysroot, dir_.path() + "/sysroots/aarch64");
  EXPECT_EQ(t.emulator_args, (std::vector<std::string>{"-cpu", "max"}));
  EXPECT_EQ(t.batch_size, 16);
  EXPECT_EQ(t.batch_parallelism, 2);
  EXPECT_EQ(t.batch_idle_flush_ms, 250);
  EXPECT_EQ(t.batch_timeout, 600);
  EXPECT_EQ(t.batch_retries, 0);
  EXPECT_EQ(t.ssh.host, "board");
  EXPECT_EQ(t.ssh.port, 2222);
  EXPECT_EQ(t.ssh.user, "ci");
  EXPECT_EQ(t.ssh.identity, dir_.path() + "/keys/id");
  EXPECT_EQ(t.ssh.work_dir, "/data/tmp");
  EXPECT_EQ(t.ssh.env, std::vector<std::string>{"FOO"});
  EXPECT_EQ(t.ssh.options, std::vector<std::string>{"StrictHostKeyChecking=no"});
  EXPECT_FALSE(t.ssh.connection_sharing);
}

TEST_F(LoadSuiteConfig, TargetTripleKeySetsBothTripleFields) {
  auto c = load("target_triple: x86_64-unknown-linux-gnu\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->target.triple, "x86_64-unknown-linux-gnu");
  EXPECT_EQ(c->features, std::set<std::string>{"target=x86_64-unknown-linux-gnu"});
}

TEST_F(LoadSuiteConfig, RootsAreRealPathsAndExecRootIsRelativeToTheFile) {
  std::filesystem::create_directory_symlink(dir_.mkdir("real"), dir_.path() + "/link");
  std::string yaml = dir_.write("real/lit.yaml", "exec_root: ../out\n");
  auto c = load_suite_config(dir_.path() + "/link/lit.yaml", nullptr, {});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->source_root, dir_.path() + "/real");
  EXPECT_EQ(c->exec_root, dir_.path() + "/out");  // does not exist yet: normalized, not resolved
  EXPECT_EQ(c->files, std::vector<std::string>{dir_.path() + "/link/lit.yaml"});
}

TEST_F(LoadSuiteConfig, InterpolatesParamsFromTheCommandLineAndTheFile) {
  setenv("LITBOX_LOADER_TEST_HOME", "/home/x", 1);
  auto c = load(R"(
params: {tools: /usr/bin, mode: '${tools}/mode', home: '${env:LITBOX_LOADER_TEST_HOME}'}
name: 'suite-${mode}-$$1'
substitutions: [{match: '%home', replace: '${home}'}]
)",
                {{"tools", "/cli"}});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->name, "suite-/cli/mode-$1");
  EXPECT_EQ(c->substitutions[0].replacement, "/home/x");
  EXPECT_EQ(c->params, (std::map<std::string, std::string>{{"home", "/home/x"}, {"mode", "/cli/mode"}, {"tools", "/cli"}}));
}

// ---- errors ------------------------------------------------------------------------------------

TEST_F(LoadSuiteConfig, MissingFile) {
  EXPECT_EQ(error_of(load_suite_config(dir_.path() + "/nope/lit.yaml", nullptr, {})),
            dir_.path() + "/nope/lit.yaml: cannot read lit.yaml: No such file or directory");
}

TEST_F(LoadSuiteConfig, MalformedYaml) {
  EXPECT_EQ(error("name: x\nsuffixes: [.ll\n"), "lit.yaml:3:1: malformed YAML: end of sequence flow not found");
  EXPECT_EQ(error("a: b: c\n"), "lit.yaml:1:5: malformed YAML: illegal map value");
}

TEST_F(LoadSuiteConfig, TopLevelMustBeAMap) {
  EXPECT_EQ(error("- name\n"), "lit.yaml:1:1: expected a map of keys at the top of lit.yaml");
}

TEST_F(LoadSuiteConfig, UnknownKeysAreErrorsWithASuggestion) {
  EXPECT_EQ(error("name: x\nsufixes: [.ll]\n"), "lit.yaml:2:1: unknown key 'sufixes' in lit.yaml (did you mean 'suffixes'?)");
  EXPECT_EQ(error("colour: red\n"), "lit.yaml:1:1: unknown key 'colour' in lit.yaml");
  EXPECT_EQ(error("sandbox:\n  netwrk: true\n"),
            "lit.yaml:2:3: unknown key 'netwrk' in 'sandbox' (did you mean 'network'?)");
  EXPECT_EQ(error("sandbox: {limits: {memroy: 1G}}\n"),
            "lit.yaml:1:20: unknown key 'memroy' in 'sandbox.limits' (did you mean 'memory'?)");
  EXPECT_EQ(error("target: {ssh: {hots: a}}\n"), "lit.yaml:1:16: unknown key 'hots' in 'target.ssh' (did you mean 'host'?)");
  EXPECT_EQ(error("suite: ../x\n"), "lit.yaml:1:1: key 'suite' is not allowed in lit.yaml (only in lit.site.yaml, outside 'when' blocks)");
}

TEST_F(LoadSuiteConfig, DuplicateKeys) {
  EXPECT_EQ(error("timeout: 1\ntimeout: 2\n"), "lit.yaml:2:1: duplicate key 'timeout' in lit.yaml");
}

TEST_F(LoadSuiteConfig, WrongTypes) {
  EXPECT_EQ(error("suffixes: .ll\n"), "lit.yaml:1:11: expected a list of strings for 'suffixes'");
  EXPECT_EQ(error("suffixes: [.ll, [x]]\n"), "lit.yaml:1:17: expected a list of strings for 'suffixes'");
  EXPECT_EQ(error("name: [a]\n"), "lit.yaml:1:7: expected a string for 'name'");
  EXPECT_EQ(error("pipefail: maybe\n"), "lit.yaml:1:11: expected a boolean for 'pipefail'");
  EXPECT_EQ(error("test_retry_attempts: two\n"), "lit.yaml:1:22: expected an integer for 'test_retry_attempts'");
  EXPECT_EQ(error("test_retry_attempts: -1\n"), "lit.yaml:1:22: 'test_retry_attempts' must be at least 0");
  EXPECT_EQ(error("timeout: soon\n"), "lit.yaml:1:10: expected a number for 'timeout'");
  EXPECT_EQ(error("timeout: -3\n"), "lit.yaml:1:10: 'timeout' must be at least 0");
  EXPECT_EQ(error("target: {ssh: {port: 70000}}\n"), "lit.yaml:1:22: 'target.ssh.port' must be between 0 and 65535");
  EXPECT_EQ(error("target: {batch_size: 0}\n"), "lit.yaml:1:22: 'target.batch_size' must be at least 1");
  EXPECT_EQ(error("environment: [LC_ALL]\n"), "lit.yaml:1:14: expected a map for 'environment'");
  EXPECT_EQ(error("environment: {set: [A]}\n"),
            "lit.yaml:1:20: expected a map of variable names to values for 'environment.set'");
  EXPECT_EQ(error("sandbox: {limits: {processes: many}}\n"),
            "lit.yaml:1:31: expected a count or 'unlimited' for 'sandbox.limits.processes'");
}

TEST_F(LoadSuiteConfig, BadChoices) {
  EXPECT_EQ(error("format: shh\n"),
            "lit.yaml:1:9: invalid value 'shh' for 'format' (expected one of: sh, sh-external, executable, gtest, libcxx)");
  EXPECT_EQ(error("target: {executor: docker}\n"),
            "lit.yaml:1:20: invalid value 'docker' for 'target.executor' (expected one of: auto, local, qemu, ssh, batch)");
  EXPECT_EQ(error("sandbox: {seccomp_action: log}\n"),
            "lit.yaml:1:27: invalid value 'log' for 'sandbox.seccomp_action' (expected one of: errno, kill)");
}

TEST_F(LoadSuiteConfig, BadSizes) {
  EXPECT_EQ(error("sandbox:\n  limits:\n    memory: 4 gigs\n"),
            "lit.yaml:3:13: invalid size '4 gigs' for 'sandbox.limits.memory'");
  EXPECT_EQ(error("sandbox: {limits: {tmp_size: 99999999TiB}}\n"),
            "lit.yaml:1:30: size '99999999TiB' is too large for 'sandbox.limits.tmp_size'");
}

TEST_F(LoadSuiteConfig, BadSubstitutions) {
  EXPECT_EQ(error("substitutions: {match: a, replace: b}\n"),
            "lit.yaml:1:17: unknown key 'match' in 'substitutions'");
  EXPECT_EQ(error("substitutions: [[a, b]]\n"),
            "lit.yaml:1:17: expected a map with 'match' or 'regex' and 'replace' for a substitution");
  EXPECT_EQ(error("substitutions: [{match: a}]\n"), "lit.yaml:1:17: a substitution needs 'replace'");
  EXPECT_EQ(error("substitutions: [{replace: a}]\n"), "lit.yaml:1:17: a substitution needs 'match' or 'regex'");
  EXPECT_EQ(error("substitutions: [{match: a, regex: b, replace: c}]\n"),
            "lit.yaml:1:17: a substitution has both 'match' and 'regex'");
  EXPECT_EQ(error("substitutions: [{match: a, replce: c}]\n"),
            "lit.yaml:1:28: unknown key 'replce' in a substitution (did you mean 'replace'?)");
  EXPECT_EQ(error("substitutions: [{match: '', replace: c}]\n"), "lit.yaml:1:25: empty 'match' in a substitution");
  EXPECT_EQ(error("substitutions:\n  - {regex: 'a(b', replace: c}\n"),
            "lit.yaml:2:13: invalid regex 'a(b': missing closing parenthesis at position 3");
}

TEST_F(LoadSuiteConfig, ToolsKeepTheirOrderOptionsAndLocation) {
  auto c = load(R"(params: {bin: /b/bin}
tools:
  - {name: clang, search_env: CLANG, search_paths: ['${bin}', rel], required: true}
  - {name: ld.lld, use_installed: true, quiet: yes}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  ASSERT_EQ(c->tools.size(), 2u);
  const ToolLookup& clang = c->tools[0];
  EXPECT_EQ(clang.name, "clang");
  EXPECT_EQ(clang.search_env, "CLANG");
  EXPECT_EQ(clang.search_paths, (std::vector<std::string>{"/b/bin", dir_.path() + "/rel"}));
  EXPECT_TRUE(clang.required);
  EXPECT_FALSE(clang.use_installed);
  EXPECT_EQ(clang.where, path_ + ":3:5");
  EXPECT_EQ(c->tools[1].name, "ld.lld");
  EXPECT_TRUE(c->tools[1].use_installed);
  EXPECT_TRUE(c->tools[1].quiet);
  EXPECT_TRUE(c->tools[1].search_paths.empty());
}

TEST_F(LoadSuiteConfig, BadTools) {
  EXPECT_EQ(error("tools: clang\n"),
            "lit.yaml:1:8: expected a list of {name, search_env, search_paths, ...} for 'tools'");
  EXPECT_EQ(error("tools: [clang]\n"), "lit.yaml:1:9: expected a map {name: ...} in 'tools'");
  EXPECT_EQ(error("tools: [{search_env: CLANG}]\n"), "lit.yaml:1:9: a 'tools' entry needs a 'name'");
  EXPECT_EQ(error("tools: [{name: bin/clang}]\n"),
            "lit.yaml:1:16: 'tools[].name' must be a program name (no '/'), got 'bin/clang'");
  EXPECT_EQ(error("tools: [{name: clang, requred: true}]\n"),
            "lit.yaml:1:23: unknown key 'requred' in a 'tools' entry (did you mean 'required'?)");
  EXPECT_EQ(error("tools: [{name: clang, required: maybe}]\n"),
            "lit.yaml:1:33: expected a boolean for 'tools[].required'");
}

TEST_F(LoadSuiteConfig, UnknownParameterIsLocated) {
  EXPECT_EQ(error("params: {tools_dir: /b}\nname: '${tool_dir}/x'\n"),
            "lit.yaml:2:7: unknown parameter 'tool_dir' in '${tool_dir}/x' (did you mean 'tools_dir'?)");
  EXPECT_EQ(error("params: {'a b': c}\n"), "lit.yaml:1:10: invalid parameter name in 'params'");
  EXPECT_EQ(error("params: {a: [b]}\n"), "lit.yaml:1:13: expected a string for 'params.a'");
}

}  // namespace
}  // namespace litbox::config

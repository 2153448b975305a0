#!/usr/bin/env python3
"""Writes the JSON Schemas of lit.yaml, lit.local.yaml and lit.site.yaml and the key
reference section of docs/config-reference.md from one description of every key.

    configs/schema/generate.py          # rewrite the files
    configs/schema/generate.py --check  # exit 1 if any file is out of date (run by ctest)

The loader's own table (configs/config_fields.cc) is the truth about what is accepted;
configs/schema_test.cc fails when the schemas generated here and that table disagree.
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOC = ROOT / "docs" / "config-reference.md"
BEGIN = "<!-- BEGIN GENERATED KEY REFERENCE (configs/schema/generate.py) -->"
END = "<!-- END GENERATED KEY REFERENCE -->"

SITE, SUITE, LOCAL = "lit.site.yaml", "lit.yaml", "lit.local.yaml"
ALL = (SUITE, LOCAL, SITE)
ROOTS = (SUITE, SITE)

# ---- value schemas ---------------------------------------------------------------------------

REF = lambda name: {"$ref": f"#/$defs/{name}"}  # noqa: E731

DEFS = {
    "interpolated": {
        "description": "A string using ${param} interpolation, checked when the config is loaded.",
        "type": "string",
        "pattern": r"\$\{",
    },
    "scalar": {"type": ["string", "number", "boolean"]},
    "bool": {
        "anyOf": [
            {"type": "boolean"},
            {"enum": ["true", "false", "yes", "no", "on", "off", "True", "False", "Yes", "No", "On", "Off",
                      "TRUE", "FALSE", "YES", "NO", "ON", "OFF"]},
            REF("interpolated"),
        ]
    },
    "count": {"anyOf": [{"type": "integer", "minimum": 0}, {"const": "unlimited"}, REF("interpolated")]},
    "size": {
        "anyOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string",
             "pattern": r"^\s*(unlimited|[0-9]+(\.[0-9]+)?\s*([kKmMgGtT]([iI]?[bB])?|[bB])?)\s*$"},
            REF("interpolated"),
        ],
        "description": "Bytes: an integer, or a number with a unit B, K/KiB/KB, M/MiB/MB, G/GiB/GB, T/TiB/TB "
                       "(all powers of 1024, any case); 0 or 'unlimited' for no limit.",
    },
    "stringList": {"type": ["array", "null"], "items": REF("scalar")},
    "editableList": {
        "description": "A plain list (in lit.local.yaml it replaces the parent's list), or a map that edits "
                       "the inherited list.",
        "anyOf": [
            REF("stringList"),
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "add": {"$ref": "#/$defs/stringList", "description": "Appended, skipping items already present."},
                    "remove": {"$ref": "#/$defs/stringList", "description": "Removed (removed before `add` is applied)."},
                },
            },
        ],
    },
    "freeMap": {
        "type": ["object", "null"],
        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
    },
    "substitution": {
        "description": "One substitution: `match` (literal text, literal replacement) or `regex` (a Python "
                       "regex, replacement is a re.sub template), and `replace`.",
        "type": "object",
        "additionalProperties": False,
        "required": ["replace"],
        "properties": {
            "match": {"type": "string", "minLength": 1,
                      "description": "Literal text to replace (stored as re.escape(text)); the replacement is "
                                     "inserted literally."},
            "regex": {"type": "string", "minLength": 1,
                      "description": "A Python regular expression, kept exactly; `replace` may use \\1, \\g<name>."},
            "replace": {"type": ["string", "number", "null"], "description": "The replacement text or template."},
        },
        "oneOf": [{"required": ["match"]}, {"required": ["regex"]}],
    },
    "substitutionList": {"type": ["array", "null"], "items": REF("substitution")},
    "substitutions": {
        "anyOf": [
            REF("substitutionList"),
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "add": {"$ref": "#/$defs/substitutionList",
                            "description": "Appended; an entry whose pattern is already in the list replaces "
                                           "that entry in place."},
                    "prepend": {"$ref": "#/$defs/substitutionList",
                                "description": "Put first, in order (an existing entry with the same pattern "
                                               "is removed)."},
                    "remove": {
                        "description": "Patterns to remove, as written in `match:` or `regex:`.",
                        "type": "array",
                        "items": {
                            "anyOf": [
                                {"type": "string"},
                                {"type": "object", "additionalProperties": False,
                                 "properties": {"match": {"type": "string", "description": "A `match:` text."}},
                                 "required": ["match"]},
                                {"type": "object", "additionalProperties": False,
                                 "properties": {"regex": {"type": "string", "description": "A `regex:` text."}},
                                 "required": ["regex"]},
                            ]
                        },
                    },
                },
            },
        ]
    },
}


def string(**extra):
    return {"type": ["string", "number", "null"], **extra}


def path():
    return {"type": ["string", "null"]}


def choice(*values):
    return {"anyOf": [{"enum": list(values)}, REF("interpolated")]}


def integer(minimum, maximum=None):
    s = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        s["maximum"] = maximum
    return {"anyOf": [s, REF("interpolated")]}


def number():
    return {"anyOf": [{"type": "number", "minimum": 0}, REF("interpolated")]}


class Key:
    """One key: where it is allowed, its schema and its documentation."""

    def __init__(self, name, files, schema, type_, default, example, desc, cond=True, children=None, defname=None):
        self.name, self.files, self.schema, self.type, self.default = name, files, schema, type_, default
        self.example, self.desc, self.cond, self.children, self.defname = example, desc, cond, children, defname


# ---- nested maps ------------------------------------------------------------------------------

ENVIRONMENT = [
    Key("set", ALL, REF("freeMap"), "map of name → string", "{}", "set: {LC_ALL: C, TZ: UTC}",
        "Variables set for every test. Maps merge key by key with the parent's; `NAME: ~` drops a variable "
        "a parent set."),
    Key("pass", ALL, REF("editableList"), "list of names", "[]", "pass: [FILECHECK_OPTS, DISPLAY]",
        "Host variables passed through to tests when set. Every other host variable is dropped: a sandboxed "
        "test gets a fixed PATH (the `--path` dirs, then `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`; "
        "`${env:PATH}` in `set` stands for it), `LLVM_DISABLE_CRASH_REPORT=1`, `TZ=UTC`, `LANG`/`LC_ALL=C.UTF-8`, its cell's `HOME` "
        "and `TMPDIR` (and `TMP`, `TEMP`, `TEMPDIR`), and only the host variables named here or with "
        "`--pass-env NAME`; an unsandboxed one (`--sandbox=off`, `sandbox: off`) also gets lit's default "
        "pass list (`FILECHECK_OPTS`, `*SAN_OPTIONS`, `TERM`, `LD_LIBRARY_PATH`...) and the host's PATH after the `--path` dirs, as under lit. "
        "`--pass-env NAME` (repeatable) passes the host's `NAME`, when set, whatever `set`, `pass` and "
        "`unset` say. The `-o` JSON report records each test's environment (`\"environment\"`)."),
    Key("unset", ALL, REF("editableList"), "list of names", "[]", "unset: [MAKEFLAGS]",
        "Variables removed from the test environment, after `set` and `pass`."),
]

LIMITS = [
    Key("memory", ALL, REF("size"), "size", "0 (none)", "memory: 4GiB", "Address space per process (RLIMIT_AS)."),
    Key("processes", ALL, REF("count"), "count", "1024 (unlimited or 0: no cap)", "processes: 512",
        "Processes and threads a sandboxed test may have at once, all its processes together (a fork "
        "bomb stops there). Enforced on every machine: RLIMIT_NPROC counts per cell (every cell has its "
        "own user namespace, and its user is never host root, not even for a root runner), and a cgroup "
        "pids.max is added where the runner can make one."),
    Key("cpu_seconds", ALL, REF("count"), "count", "0 (none)", "cpu_seconds: 300", "CPU seconds per process (RLIMIT_CPU)."),
    Key("file_size", ALL, REF("size"), "size", "0 (none)", "file_size: 1GiB", "Largest file a process may write (RLIMIT_FSIZE)."),
    Key("open_files", ALL, REF("count"), "count", "0 (none)", "open_files: 1024", "Open file descriptors per process (RLIMIT_NOFILE)."),
    Key("tmp_size", ALL, REF("size"), "size", "64MiB", "tmp_size: 256MiB", "Size of the test's private /tmp (a tmpfs)."),
]

SANDBOX = [
    Key("enabled", ALL, REF("bool"), "boolean", "true", "enabled: false",
        "Run tests in a sandbox. `sandbox: off` is short for `sandbox: {enabled: false}`."),
    Key("network", ALL, REF("bool"), "boolean", "false", "network: true",
        "false: the test gets its own network namespace with only a loopback interface."),
    Key("readonly", ALL, REF("editableList"), "list of paths", "[] (all of / is read-only)",
        "readonly: [/opt/toolchains]", "Extra paths bound read-only. Relative paths resolve against the file's directory."),
    Key("writable", ALL, REF("editableList"), "list of paths", "[]", "writable: ['%t', /var/cache/ccache]",
        "Extra writable paths. Entries starting with `%` (`%t`, `%T`) are lit substitutions, expanded per test; "
        "relative paths resolve against the file's directory."),
    Key("hidden", ALL, REF("editableList"), "list of paths", "[] (the sandbox hides $HOME, /root, /home)",
        "hidden: [/srv/secrets]", "Paths made invisible to tests, in addition to the sandbox's defaults."),
    Key("deny_syscalls", ALL, REF("editableList"), "list of syscall names", "[]", "deny_syscalls: [ptrace]",
        "Added to the sandbox's default seccomp deny list."),
    Key("allow_syscalls", ALL, REF("editableList"), "list of syscall names", "[]", "allow_syscalls: [perf_event_open]",
        "Removed from the default deny list."),
    Key("seccomp_action", ALL, choice("errno", "kill"), "`errno` | `kill`", "errno", "seccomp_action: kill",
        "What a denied syscall does: fail with EPERM, or kill the process with SIGSYS (reported)."),
    Key("hostname", ALL, string(), "string", "litbox", "hostname: sandbox", "Host name inside the sandbox."),
    Key("reuse_cells", ALL, REF("bool"), "boolean", "true", "reuse_cells: false",
        "true: when a test ends normally its cell is reset (every process killed, /tmp emptied, no IPC object "
        "left, its outputs moved out) and serves the next test of the same directory; a cell that cannot be "
        "made clean is closed. false: a new cell for every test (slower). See docs/security.md."),
    Key("publish_all_outputs", ALL, REF("bool"), "boolean", "false", "publish_all_outputs: true",
        "false: of what a sandboxed test writes in its Output dir (%T), only the names starting with its %t "
        "(<test file name>.tmp) are published to the real Output dir; anything else is kept in "
        "Output/.litbox/leftovers/<test file name>/ and listed in the verbose output. true: every name is "
        "published (for legacy suites that expect every file their tests write in %T to be there afterwards; "
        "each test still starts with an empty view of %T), with the same checks (regular files, directories and "
        "symlinks only, owned by the runner, no setuid/setgid bits). See docs/security.md."),
    Key("limits", ALL, None, "map", "{}", "limits: {memory: 4GiB, processes: 512}",
        "Resource limits of each test (also applied with the sandbox off). Merges key by key.",
        children=LIMITS, defname="limits"),
]

SSH = [
    Key("host", ALL, string(), "string", '""', "host: board.lab", "Host to run tests on (ssh and batch executors)."),
    Key("port", ALL, integer(0, 65535), "integer", "0 (ssh's default)", "port: 2222", "SSH port."),
    Key("user", ALL, string(), "string", '""', "user: ci", "Remote user (default: ssh's)."),
    Key("identity", ALL, path(), "path", '""', "identity: ~/.ssh/id_board",
        "Private key file; relative to the file's directory, `~/` is $HOME."),
    Key("work_dir", ALL, string(), "remote path", "/tmp", "work_dir: /data/litbox",
        "Remote directory under which per-run directories are made (not resolved locally)."),
    Key("env", ALL, REF("editableList"), "list of names", "[]", "env: [ASAN_OPTIONS]",
        "Local variables whose values are passed to the remote command."),
    Key("options", ALL, REF("editableList"), "list of strings", "[]", "options: [StrictHostKeyChecking=no]",
        "Extra `ssh -o` options, in order."),
    Key("connection_sharing", ALL, REF("bool"), "boolean", "true", "connection_sharing: false",
        "Reuse one connection (ControlMaster/ControlPersist)."),
]

TARGET = [
    Key("triple", ALL, string(), "string", '""', "triple: aarch64-unknown-linux-gnu",
        "The target triple; the same as the top-level `target_triple` (setting one sets both)."),
    Key("executor", ALL, choice("auto", "local", "qemu", "ssh", "batch"), "`auto` | `local` | `qemu` | `ssh` | `batch`",
        "auto", "executor: qemu",
        "How test binaries run: auto picks native or QEMU by each binary's ELF machine."),
    Key("sysroot", ALL, path(), "path", '""', "sysroot: /usr/aarch64-linux-gnu",
        "Sysroot for dynamically linked foreign binaries (qemu -L); relative to the file's directory."),
    Key("emulator_args", ALL, REF("editableList"), "list of strings", "[]", "emulator_args: [-cpu, max]",
        "Extra QEMU arguments, in order."),
    Key("ssh", ALL, None, "map", "{}", "ssh: {host: board, user: ci}", "The ssh target. Merges key by key.",
        children=SSH, defname="ssh"),
    Key("batch_size", ALL, integer(1), "integer ≥ 1", "64", "batch_size: 128",
        "batch executor: ship a batch when this many commands are queued."),
    Key("batch_parallelism", ALL, integer(1), "integer ≥ 1", "4", "batch_parallelism: 8",
        "batch executor: commands run in parallel on the target."),
    Key("batch_idle_flush_ms", ALL, integer(1), "integer ≥ 1", "1000", "batch_idle_flush_ms: 500",
        "batch executor: ship a smaller batch when no command was queued for this many milliseconds, while "
        "other tests still do local work (when none does, the batch leaves at once)."),
    Key("batch_timeout", ALL, integer(0), "integer ≥ 0 (seconds)", "0 (none)", "batch_timeout: 600",
        "batch executor: give a whole batch up after this long; its unfinished commands fail (UNRESOLVED)."),
    Key("batch_retries", ALL, integer(0), "integer ≥ 0", "1", "batch_retries: 3",
        "batch executor: how often a command whose batch failed before it ran (lost connection) is queued again."),
]

# ---- top-level keys -------------------------------------------------------------------------------

TOP = [
    Key("suite", (SITE,), path(), "path", "(required)", "suite: ../../llvm/test",
        "The source directory of the suite this site config belongs to (the directory holding lit.yaml, or "
        "the lit.yaml itself), relative to the site file.", cond=False),
    Key("params", ROOTS, REF("freeMap"), "map of name → string", "{}", "params: {llvm_tools_dir: /b/bin}",
        "Values for `${name}` interpolation. Priority: -D on the command line, then lit.site.yaml, then "
        "lit.yaml (defaults). A value may use -D values and earlier params of the same file.", cond=False),
    Key("site_configs", (SUITE,), REF("stringList"), "list of paths", "[]",
        "site_configs: ['${build_dir}/test', ../../build/test]",
        "Where to look for the build's lit.site.yaml when the suite is run from its source tree, in order. "
        "An entry not ending in `.yaml` is a directory. Entries with an undefined `${param}` are skipped.",
        cond=False),
    Key("exec_root", ROOTS, path(), "path", "the site file's directory, else the lit.yaml's directory",
        "exec_root: ../build/test", "Where `Output/` directories go (lit's test_exec_root).", cond=False),
    Key("name", ROOTS, string(), "string", "<unnamed>", "name: LLVM", "Suite name, shown as `NAME :: path`."),
    Key("format", ALL, choice("sh", "sh-external", "executable", "gtest", "libcxx"),
        "`sh` | `sh-external` | `executable` | `gtest` | `libcxx`", "sh", "format: gtest",
        "Test format: lit's ShTest with the internal shell, ShTest with /bin/sh, ExecutableTest, GoogleTest, "
        "or libc++'s CxxStandardLibraryTest (tests by suffix: `.pass.cpp`, `.compile.fail.cpp`, `.sh.cpp`, ...)."),
    Key("suffixes", ALL, REF("editableList"), "list of strings", "[]", "suffixes: [.ll, .test]",
        "File suffixes (last extension) that make a file a test."),
    Key("excludes", ALL, REF("editableList"), "list of strings", "[]", "excludes: [Inputs, CMakeLists.txt]",
        "File and directory base names never treated as tests."),
    Key("standalone_tests", ALL, REF("bool"), "boolean", "false", "standalone_tests: true",
        "No discovery: tests must be named on the command line."),
    Key("features", ALL, REF("editableList"), "list of strings", "[]", "features: [shell, asserts]",
        "Available features (REQUIRES/UNSUPPORTED/XFAIL, %if, `when:`). In lit.yaml and lit.site.yaml a plain "
        "list adds; in lit.local.yaml it replaces."),
    Key("known_features", ALL, REF("editableList"), "list of strings", "[]", "known_features: [zlib, asserts]",
        "Features some configuration may define; used to warn about feature names no config can define."),
    Key("substitutions", ALL, REF("substitutions"), "list of substitutions", "[]",
        "substitutions: [{match: '%python', replace: python3}]",
        "lit's ordered config.substitutions (first match wins). In lit.yaml and lit.site.yaml a plain list "
        "adds; in lit.local.yaml it replaces."),
    Key("environment", ALL, None, "map", "{}", "environment: {set: {LC_ALL: C}, pass: [HOME]}",
        "Environment of the test processes. Merges key by key.", children=ENVIRONMENT, defname="environment"),
    Key("recursive_expansion_limit", ALL, {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"},
                                                      REF("interpolated")]},
        "integer ≥ 0 or null", "null (one pass)", "recursive_expansion_limit: 10",
        "Repeat substitution until the line stops changing, at most this many extra passes."),
    Key("triple_substring_match", ALL, REF("bool"), "boolean", "false", "triple_substring_match: true",
        "lit 15: an XFAIL/UNSUPPORTED term also matches when it is a substring of the target triple."),
    Key("lit_version", ALL, integer(0), "integer ≥ 0", "0 (the newest)", "lit_version: 15",
        "The lit release the suite's test files are written for. Below 16, DEFINE: and REDEFINE: are not "
        "directives (LLVM 15's tests use REDEFINE: as a FileCheck prefix)."),
    Key("pipefail", ALL, REF("bool"), "boolean", "true", "pipefail: false",
        "A pipeline fails if any command fails."),
    Key("output_limit", ALL, REF("size"), "size", "1MiB", "output_limit: 16MiB",
        "Bytes of each command's stdout and of its stderr kept for the report (`-v`, JSON, xUnit); "
        "the rest is read, counted and noted in the log, so a test printing GiBs costs litbox no memory. "
        "`unlimited` (or 0) keeps everything, as lit does."),
    Key("unsupported", ALL, REF("bool"), "boolean", "false", "unsupported: true",
        "Every test here is UNSUPPORTED."),
    Key("limit_to_features", ALL, REF("editableList"), "list of strings", "[]", "limit_to_features: [asserts]",
        "Run only tests whose REQUIRES names one of these features."),
    Key("test_retry_attempts", ALL, integer(0), "integer ≥ 0", "0", "test_retry_attempts: 2",
        "Retries of a failing test (a pass on retry is FLAKYPASS)."),
    Key("timeout", ALL, number(), "number ≥ 0 (seconds)", "0 (none)", "timeout: 300",
        "Per-test time limit; --timeout on the command line wins."),
    Key("parallelism_group", ALL, string(), "string", '""', "parallelism_group: gpu",
        "The parallelism group of the tests here: at most `parallelism_groups[name]` of them run at once."),
    Key("parallelism_groups", ROOTS,
        {"type": ["object", "null"],
         "additionalProperties": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}, REF("interpolated")]}},
        "map of name → integer ≥ 0", "{}", "parallelism_groups: {gpu: 1, shadow-call-stack: 4}",
        "Sizes of parallelism groups (lit's lit_config.parallelism_groups); 0 or null: no limit. Merges "
        "key by key."),
    Key("preamble_commands", ALL, REF("editableList"), "list of strings", "[]",
        "preamble_commands: ['ulimit -c 0']", "Commands run before each test's RUN lines."),
    Key("tools", ALL, {
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "pattern": "^[^/]+$",
                         "description": "The program's name."},
                "search_env": {"type": "string",
                               "description": "A variable of the tests' environment whose value, if set and "
                                              "not empty, is the tool."},
                "search_paths": {"$ref": "#/$defs/stringList",
                                 "description": "Directories to look in, in order (relative ones against the "
                                                "file's directory)."},
                "use_installed": {"$ref": "#/$defs/bool", "description": "Then the tests' PATH."},
                "required": {"$ref": "#/$defs/bool",
                             "description": "Not found: the run stops before any test (lit's fatal error)."},
                "quiet": {"$ref": "#/$defs/bool", "description": "No `using NAME: PATH` note."},
            },
        },
    }, "list of {name, search_env, search_paths, use_installed, required, quiet}", "[]",
        "tools: [{name: clang, search_env: CLANG, search_paths: ['${llvm_tools_dir}'], required: true}]",
        "lit's `llvm_config.use_llvm_tool` calls, looked up in order when the file is loaded, on the machine that "
        "runs the tests, as lit does: the value of `search_env` in the tests' environment, else the first of "
        "`search_paths` holding a file of that name, else, with `use_installed`, the tests' PATH. A tool found is "
        "noted (`<file>:<line>:<col>: note: using NAME: PATH`, not with `-q` or `quiet`); a `required` one not "
        "found stops the run with lit's message (`fatal: couldn't find 'NAME' program`). `litbox translate` "
        "writes one entry per call. Each file's own entries are looked up once: a lit.local.yaml does not "
        "inherit its parent's.", cond=False),
    Key("gtest_sub_dirs", ALL, {"anyOf": [{"type": "string"}, REF("stringList")]},
        "string (`;`-separated) or list", ".", "gtest_sub_dirs: [unittests]",
        "gtest format: directories (under the test directory) searched for test binaries."),
    Key("gtest_suffix", ALL, string(), "string", "Tests", "gtest_suffix: UnitTests",
        "gtest format: test binaries end with this (or with this and `.py`, run by `python3`)."),
    Key("gtest_run_under", ALL, REF("editableList"), "list of strings", "[]",
        "gtest_run_under: [valgrind, --error-exitcode=1]",
        "gtest format: a command each test binary runs under (lit's GoogleTest `run_under`)."),
    Key("target_triple", ALL, string(), "string", '""', "target_triple: x86_64-pc-linux-gnu",
        "lit's config.target_triple; also sets `target.triple` and the feature `target=<triple>`."),
    Key("host_triple", ALL, string(), "string", '""', "host_triple: x86_64-pc-linux-gnu",
        "lit's config.host_triple; adds the feature `host=<triple>`."),
    Key("sandbox", ALL, None, "map, or on/off", "{enabled: true}", "sandbox: {network: true}",
        "The per-test sandbox policy. Merges key by key.", children=SANDBOX, defname="sandbox"),
    Key("target", ALL, None, "map", "{}", "target: {triple: '${target_triple}', executor: auto}",
        "Where test binaries run. Merges key by key.", children=TARGET, defname="target"),
    Key("config_error", (SUITE, LOCAL), string(), "string", '""',
        "config_error: 'lit.local.cfg:3: NameError: name \\'foo\\' is not defined'",
        "The directory's config is broken: loading it fails with this message, so its tests (and those "
        "below it) are UNRESOLVED and the run exits 2, as lit stops on a config it cannot load. "
        "`litbox translate` writes it for a lit.local.cfg, or a suite's lit.cfg, it could not run.", cond=False),
    Key("when", ALL, None, "list of {if, then, else}", "[]",
        "when: [{if: '!ARM-registered-target', then: {unsupported: true}}]",
        "Conditional keys, applied in order after the file's other keys. `if` is a lit feature expression "
        "evaluated against the features at that point; `then`/`else` hold keys of this file."),
]


# ---- schema building ------------------------------------------------------------------------------------

def map_schema(key, defs):
    """Schema (a $ref) of a nested map key, adding its definition to defs."""
    props = {}
    for child in key.children:
        props[child.name] = value_schema(child, defs)
    obj = {"type": ["object", "null"], "additionalProperties": False, "properties": props}
    if key.name == "sandbox":
        defs["sandbox"] = {"anyOf": [REF("bool"), obj]}
    else:
        defs[key.defname] = obj
    return REF(key.defname)


def value_schema(key, defs):
    if key.children is not None:
        s = map_schema(key, defs)
    else:
        s = dict(key.schema)
    s = dict(s)
    s["description"] = key.desc
    s["examples"] = [key.example]
    return s


def file_schema(kind):
    defs = json.loads(json.dumps(DEFS))
    conditional = {}
    props = {}
    for key in TOP:
        if kind not in key.files:
            continue
        if key.name == "when":
            continue
        props[key.name] = value_schema(key, defs)
        if key.cond:
            conditional[key.name] = props[key.name]
    when = next(k for k in TOP if k.name == "when")
    branch = {"$ref": "#/$defs/then"}
    defs["then"] = {
        "description": f"Keys of {kind} applied when the condition holds (`then`) or not (`else`).",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {**conditional,
                       "when": {"$ref": "#/$defs/when", "description": "Nested conditions, applied after the "
                                "other keys of this block."}},
    }
    defs["when"] = {
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["if"],
            "properties": {
                "if": {"type": "string", "description": "A lit feature expression, e.g. `asserts && !windows`."},
                "then": {**branch, "description": "Keys applied when the expression holds."},
                "else": {**branch, "description": "Keys applied when it does not."},
            },
        },
    }
    props["when"] = {"$ref": "#/$defs/when", "description": when.desc, "examples": [when.example]}
    titles = {
        SUITE: "litbox lit.yaml: the root config of a test suite (lit.cfg.py)",
        LOCAL: "litbox lit.local.yaml: changes the config for one directory and below (lit.local.cfg)",
        SITE: "litbox lit.site.yaml: the build's facts and the suite it belongs to (lit.site.cfg.py)",
    }
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://litbox.dev/schema/{kind}.schema.json",
        "title": titles[kind],
        "description": "See docs/config-reference.md.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": props,
        "$defs": dict(sorted(defs.items())),
    }
    if kind == SITE:
        schema["required"] = ["suite"]
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# ---- documentation ---------------------------------------------------------------------------------------

def files_text(key):
    if set(key.files) == set(ALL):
        text = "all three files"
    else:
        text = " and ".join(f"`{f}`" for f in key.files)
    if not key.cond:
        text += " (not in `when:`)"
    return text


def default_text(default):
    """Marks the value part of a default as code; prose defaults stay prose."""
    if default.startswith("(") or default.startswith("the "):
        return default
    if " (" in default:
        value, rest = default.split(" (", 1)
        return f"`{value}` ({rest}"
    return f"`{default}`"


def doc_section():
    out = [BEGIN, ""]

    def emit(key, prefix, level):
        path = prefix + key.name
        out.append(f"{'#' * level} `{path}`")
        out.append("")
        out.append(key.desc)
        out.append("")
        out.append(f"- Type: {key.type}")
        out.append(f"- Default: {default_text(key.default)}")
        if not prefix:
            out.append(f"- Allowed in: {files_text(key)}")
        out.append(f"- Example: `{key.example}`")
        out.append("")
        for child in key.children or []:
            emit(child, path + ".", min(level + 1, 4))

    for key in TOP:
        emit(key, "", 3)
    out.append(END)
    return "\n".join(out)


def outputs():
    files = {HERE / f"{kind}.schema.json": file_schema(kind) for kind in ALL}
    doc = DOC.read_text() if DOC.exists() else f"# Config reference\n\n{BEGIN}\n{END}\n"
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    files[DOC] = doc[:start] + doc_section() + doc[end:]
    return files


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path_, text in outputs().items():
        old = path_.read_text() if path_.exists() else None
        if old == text:
            continue
        if check:
            stale.append(str(path_.relative_to(ROOT)))
        else:
            path_.write_text(text)
            print(f"wrote {path_.relative_to(ROOT)}")
    if stale:
        print("out of date (run configs/schema/generate.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

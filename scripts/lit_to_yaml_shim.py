"""A small stand-in for LLVM's `lit` package, for scripts/lit-to-yaml on machines without it.

It provides what test-suite configs use while they are loaded (not what running tests needs):
lit.formats (ShTest, GoogleTest, ExecutableTest and their bases), lit.TestingConfig, lit.LitConfig,
lit.util (which, pythonize_bool, ...), lit.Test's result codes, and lit.llvm's LLVMConfig with
the environment, tool-substitution and llvm-config helpers. ToolSubst builds exactly lit 15's
regexes. Anything else a config calls raises an error naming it, so a config that needs the
real package says so instead of being translated wrongly. install() puts the modules in
sys.modules and returns the `lit` package.
"""
import errno
import numbers
import os
import platform
import re
import subprocess
import sys
import types


# ---- lit.util ---------------------------------------------------------------------------------

def is_string(value):
    return isinstance(value, str)


def pythonize_bool(value):
    if value is None:
        return False
    if type(value) is bool:
        return value
    if isinstance(value, numbers.Number):
        return value != 0
    if is_string(value):
        if value.lower() in ('1', 'true', 'on', 'yes'):
            return True
        if value.lower() in ('', '0', 'false', 'off', 'no'):
            return False
    raise ValueError('"{}" is not a valid boolean'.format(value))


def to_string(b):
    return b.decode('utf-8') if isinstance(b, bytes) else str(b)


def to_bytes(s):
    return s if isinstance(s, bytes) else s.encode('utf-8')


def which(command, paths=None):
    if paths is None:
        paths = os.environ.get('PATH', '')
    if os.path.isabs(command) and os.path.isfile(command):
        return os.path.normcase(os.path.normpath(command))
    for path in (paths or os.defpath).split(os.pathsep):
        p = os.path.join(path, command)
        if os.path.exists(p) and not os.path.isdir(p):
            return os.path.normcase(os.path.abspath(p))
    return None


def checkToolsPath(dir, tools):
    return all(os.path.exists(os.path.join(dir, t)) for t in tools)


def whichTools(tools, paths):
    for path in paths.split(os.pathsep):
        if checkToolsPath(path, tools):
            return path
    return None


def usable_core_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def executeCommand(command, cwd=None, env=None, input=None, timeout=0):
    p = subprocess.run(command, cwd=cwd, env=env, input=to_bytes(input) if input else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout or None)
    return to_string(p.stdout), to_string(p.stderr), p.returncode


# ---- lit.formats ------------------------------------------------------------------------------

class TestFormat(object):
    pass


class FileBasedTest(TestFormat):
    pass


class ShTest(FileBasedTest):
    def __init__(self, execute_external=False, extra_substitutions=[], preamble_commands=[]):
        self.execute_external = execute_external
        self.extra_substitutions = extra_substitutions
        self.preamble_commands = preamble_commands


class ExecutableTest(FileBasedTest):
    pass


class OneCommandPerFileTest(TestFormat):
    def __init__(self, command, dir, recursive=False, pattern='.*', useTempInput=False):
        self.command = [command] if isinstance(command, str) else list(command)
        self.dir = None if dir is None else str(dir)
        self.recursive = bool(recursive)
        self.pattern = re.compile(pattern)
        self.useTempInput = useTempInput


class GoogleTest(TestFormat):
    def __init__(self, test_sub_dirs, test_suffix, run_under=[]):
        self.test_sub_dirs = str(test_sub_dirs).split(';')
        self.test_suffixes = {str(test_suffix), str(test_suffix) + '.py'}
        self.run_under = run_under


# ---- lit.Test (result codes configs refer to) -------------------------------------------------

class ResultCode(object):
    _instances = {}

    def __new__(cls, name, label, isFailure):
        res = cls._instances.get(name)
        if res is None:
            cls._instances[name] = res = super(ResultCode, cls).__new__(cls)
        return res

    def __init__(self, name, label, isFailure):
        self.name, self.label, self.isFailure = name, label, isFailure


# ---- lit.TestingConfig ------------------------------------------------------------------------

PASS_VARS = [
    'LIBRARY_PATH', 'LD_LIBRARY_PATH', 'SYSTEMROOT', 'TERM', 'CLANG', 'LLDB', 'LD_PRELOAD',
    'LLVM_SYMBOLIZER_PATH', 'ASAN_SYMBOLIZER_PATH', 'LSAN_SYMBOLIZER_PATH', 'MSAN_SYMBOLIZER_PATH',
    'TSAN_SYMBOLIZER_PATH', 'UBSAN_SYMBOLIZER_PATH', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'MSAN_OPTIONS',
    'TSAN_OPTIONS', 'UBSAN_OPTIONS', 'ADB', 'ANDROID_SERIAL', 'SSH_AUTH_SOCK',
    'SANITIZER_IGNORE_CVE_2016_2143', 'TMPDIR', 'TMP', 'TEMP', 'TEMPDIR', 'AVRLIT_BOARD',
    'AVRLIT_PORT', 'FILECHECK_OPTS', 'VCINSTALLDIR', 'VCToolsinstallDir', 'VSINSTALLDIR',
    'WindowsSdkDir', 'WindowsSDKLibVersion', 'SOURCE_DATE_EPOCH', 'GTEST_FILTER', 'DFLTCC']


class TestingConfig(object):
    @staticmethod
    def fromdefaults(litConfig):
        environment = {'PATH': os.pathsep.join(litConfig.path + [os.environ.get('PATH', '')]),
                       'LLVM_DISABLE_CRASH_REPORT': '1'}
        for var in PASS_VARS:
            if os.environ.get(var, ''):
                environment[var] = os.environ[var]
        features = []
        if litConfig.useValgrind:
            features.append('valgrind')
            if litConfig.valgrindLeakCheck:
                features.append('vg_leak')
        return TestingConfig(None, name='<unnamed>', suffixes=set(), test_format=None,
                             environment=environment, substitutions=[], unsupported=False,
                             test_exec_root=None, test_source_root=None, excludes=[],
                             available_features=features, pipefail=True, standalone_tests=False)

    def load_from_path(self, path, litConfig):
        with open(path) as f:
            data = f.read()
        # The globals lit gives a config: its TestingConfig module's (os, sys, ...).
        cfg_globals = {'__builtins__': __builtins__, 'os': os, 'sys': sys,
                       'TestingConfig': TestingConfig, 'SubstituteCaptures': SubstituteCaptures,
                       'config': self, 'lit_config': litConfig, '__file__': path}
        try:
            exec(compile(data, path, 'exec'), cfg_globals, None)
        except SystemExit as e:
            if e.args:
                raise
        self.finish(litConfig)

    def __init__(self, parent, name, suffixes, test_format, environment, substitutions,
                 unsupported, test_exec_root, test_source_root, excludes, available_features,
                 pipefail, limit_to_features=[], is_early=False, parallelism_group=None,
                 standalone_tests=False):
        self.parent = parent
        self.name = str(name)
        self.suffixes = set(suffixes)
        self.test_format = test_format
        self.environment = dict(environment)
        self.substitutions = list(substitutions)
        self.unsupported = unsupported
        self.test_exec_root = test_exec_root
        self.test_source_root = test_source_root
        self.excludes = set(excludes)
        self.available_features = set(available_features)
        self.pipefail = pipefail
        self.standalone_tests = standalone_tests
        self.limit_to_features = set(limit_to_features)
        self.parallelism_group = parallelism_group
        self._recursiveExpansionLimit = None

    @property
    def recursiveExpansionLimit(self):
        return self._recursiveExpansionLimit

    @recursiveExpansionLimit.setter
    def recursiveExpansionLimit(self, value):
        if value is not None and not isinstance(value, int):
            raise ValueError('recursiveExpansionLimit must be either None or an integer (got <{}>)'.format(value))
        if isinstance(value, int) and value < 0:
            raise ValueError('recursiveExpansionLimit must be a non-negative integer (got <{}>)'.format(value))
        self._recursiveExpansionLimit = value

    def finish(self, litConfig):
        self.name = str(self.name)
        self.suffixes = set(self.suffixes)
        self.environment = dict(self.environment)
        self.substitutions = list(self.substitutions)
        if self.test_exec_root is not None:
            self.test_exec_root = str(self.test_exec_root)
        if self.test_source_root is not None:
            self.test_source_root = str(self.test_source_root)
        self.excludes = set(self.excludes)

    @property
    def root(self):
        return self if self.parent is None else self.parent.root


class SubstituteCaptures:
    def __init__(self, substitution):
        self.substitution = substitution

    def __str__(self):
        return self.substitution


# ---- lit.LitConfig ------------------------------------------------------------------------------

class LitConfig(object):
    def __init__(self, progname, path, quiet, useValgrind, valgrindLeakCheck, valgrindArgs,
                 noExecute, debug, isWindows, order, params, config_prefix=None,
                 maxIndividualTestTime=0, parallelism_groups={}, echo_all_commands=False):
        self.progname, self.path, self.quiet = progname, [str(p) for p in path], bool(quiet)
        self.useValgrind, self.valgrindLeakCheck = bool(useValgrind), bool(valgrindLeakCheck)
        self.valgrindUserArgs, self.valgrindArgs = list(valgrindArgs), []
        self.noExecute, self.debug, self.isWindows, self.order = noExecute, debug, bool(isWindows), order
        self.params = params
        self.bashPath = None
        self.config_prefix = config_prefix or 'lit'
        self.suffixes = ['cfg.py', 'cfg']
        self.config_names = ['%s.%s' % (self.config_prefix, x) for x in self.suffixes]
        self.site_config_names = ['%s.site.%s' % (self.config_prefix, x) for x in self.suffixes]
        self.local_config_names = ['%s.local.%s' % (self.config_prefix, x) for x in self.suffixes]
        self.numErrors = self.numWarnings = 0
        self.maxIndividualTestTime = maxIndividualTestTime
        self.parallelism_groups = parallelism_groups
        self.echo_all_commands = echo_all_commands

    @property
    def maxIndividualTestTime(self):
        return self._maxIndividualTestTime

    @maxIndividualTestTime.setter
    def maxIndividualTestTime(self, value):
        if not isinstance(value, int):
            self.fatal('maxIndividualTestTime must set to a value of type int.')
        if value < 0:
            self.fatal('The timeout per test must be >= 0 seconds')
        self._maxIndividualTestTime = value

    @property
    def maxIndividualTestTimeIsSupported(self):
        return True, ''

    def load_config(self, config, path):
        config.load_from_path(path, self)
        return config

    def getBashPath(self):
        if self.bashPath is None:
            self.bashPath = which('bash', os.pathsep.join(self.path)) or which('bash') or ''
        return self.bashPath

    def getToolsPath(self, dir, paths, tools):
        if dir is not None and os.path.isabs(dir) and os.path.isdir(dir):
            if not checkToolsPath(dir, tools):
                return None
        else:
            dir = whichTools(tools, paths)
        self.bashPath = which('bash', dir) or ''
        return dir

    def _write_message(self, kind, message):
        f = sys._getframe(2)
        sys.stderr.write('%s: %s:%d: %s: %s\n' % (self.progname, os.path.abspath(f.f_code.co_filename),
                                                  f.f_lineno, kind, message))

    def substitute(self, string):
        try:
            return string % self.params
        except KeyError as e:
            key, = e.args
            self.fatal("unable to find %r parameter, use '--param=%s=VALUE'" % (key, key))

    def note(self, message):
        if not self.quiet:
            self._write_message('note', message)

    def warning(self, message):
        if not self.quiet:
            self._write_message('warning', message)
        self.numWarnings += 1

    def error(self, message):
        self._write_message('error', message)
        self.numErrors += 1

    def fatal(self, message):
        self._write_message('fatal', message)
        sys.exit(2)


# ---- lit.llvm ------------------------------------------------------------------------------------

class FindTool(object):
    def __init__(self, name):
        self.name = name

    def resolve(self, config, dirs):
        command = config.lit_config.params.get(self.name)
        if command is None:
            command = which(self.name, dirs)
            if not command:
                return None
        if self.name == 'llc' and os.environ.get('LLVM_ENABLE_MACHINE_VERIFIER') == '1':
            command += ' -verify-machineinstrs'
        return command


class ToolSubst(object):
    """lit 15's ToolSubst: the regex is built exactly as lit builds it."""
    expr = re.compile(r"^(\\)?((\| )?)\W+b(\S+)\\b\W*$")
    wordifier = re.compile(r"(\W*)(\b[^\b]+\b)")

    def __init__(self, key, command=None, pre=r'.-^/\<', post='-.', verbatim=False,
                 unresolved='warn', extra_args=None):
        self.unresolved, self.extra_args, self.key = unresolved, extra_args, key
        self.command = command if command is not None else FindTool(key)
        self.was_resolved = False
        if verbatim:
            self.regex = key
            return

        def not_in(chars, where=''):
            if not chars:
                return ''
            return r'(?{}!({}))'.format(where, '|'.join(re.escape(x) for x in chars))

        match = ToolSubst.wordifier.match(key)
        self.regex = not_in(pre, '<') + match.group(1) + r'\b' + match.group(2) + r'\b' + not_in(post)

    def resolve(self, config, search_dirs):
        tool_match = ToolSubst.expr.match(self.regex)
        if not tool_match:
            return None
        tool_pipe, tool_name = tool_match.group(2), tool_match.group(4)
        if isinstance(self.command, FindTool):
            command_str = self.command.resolve(config, search_dirs)
        else:
            command_str = str(self.command)
        if command_str:
            if self.extra_args:
                command_str = ' '.join([command_str] + self.extra_args)
        elif self.unresolved == 'warn':
            config.lit_config.note('Did not find ' + tool_name + ' in %s' % search_dirs)
            command_str = os.path.join(config.config.llvm_tools_dir, tool_name)
        elif self.unresolved == 'fatal':
            config.lit_config.fatal('Did not find ' + tool_name + ' in %s' % search_dirs)
        elif self.unresolved == 'ignore':
            return None
        if command_str:
            self.was_resolved = True
        return (self.regex, tool_pipe, command_str)


class LLVMConfig(object):
    """lit.llvm.config.LLVMConfig: the parts that only compute config values."""

    def __init__(self, lit_config, config):
        self.lit_config, self.config = lit_config, config
        self.use_lit_shell = False
        lit_shell_env = os.environ.get('LIT_USE_INTERNAL_SHELL')
        if lit_shell_env:
            self.use_lit_shell = pythonize_bool(lit_shell_env)
        if not self.use_lit_shell:
            config.available_features.add('shell')
        # (sic: lit 15 misses a comma after UBSAN_SYMBOLIZER_PATH)
        self.with_system_environment(['ASAN_SYMBOLIZER_PATH', 'MSAN_SYMBOLIZER_PATH',
                                      'TSAN_SYMBOLIZER_PATH', 'UBSAN_SYMBOLIZER_PATH' 'ASAN_OPTIONS',
                                      'MSAN_OPTIONS', 'TSAN_OPTIONS', 'UBSAN_OPTIONS'])
        features = config.available_features
        system = {'Darwin': ['system-linker-mach-o', 'system-darwin'], 'Windows': ['system-windows'],
                  'Linux': ['system-linux'], 'FreeBSD': ['system-freebsd'], 'NetBSD': ['system-netbsd'],
                  'AIX': ['system-aix'], 'SunOS': ['system-solaris']}
        features.update(system.get(platform.system(), []))
        host_triple = getattr(config, 'host_triple', None)
        target_triple = getattr(config, 'target_triple', None)
        if host_triple and host_triple == target_triple:
            features.add('native')
        sanitizers = frozenset(x.lower() for x in getattr(config, 'llvm_use_sanitizer', '').split(';'))
        for name, feature in (('address', 'asan'), ('memory', 'msan'), ('memorywithorigins', 'msan'),
                              ('undefined', 'ubsan')):
            if name in sanitizers:
                features.add(feature)
        if getattr(config, 'have_zlib', None):
            features.add('zlib')
        if pythonize_bool(lit_config.params.get('run_long_tests', None)):
            features.add('long_tests')
        if target_triple:
            if re.match(r'^x86_64.*-apple', target_triple):
                features.add('x86_64-apple')
            if re.match(r'^x86_64.*-linux', target_triple):
                features.add('x86_64-linux')
            for pattern, feature in ((r'^i.86.*', 'target-x86'), (r'^x86_64.*', 'target-x86_64'),
                                     (r'^aarch64.*', 'target-aarch64'), (r'^arm64.*', 'target-aarch64'),
                                     (r'^arm.*', 'target-arm')):
                if re.match(pattern, target_triple):
                    features.add(feature)
                    break
        if pythonize_bool(lit_config.params.get('use_gmalloc', None)):
            gmalloc = lit_config.params.get('gmalloc_path', '/usr/lib/libgmalloc.dylib')
            if gmalloc is not None:
                self.with_environment('DYLD_INSERT_LIBRARIES', gmalloc)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        raise AttributeError(
            "lit.llvm.config.LLVMConfig.%s is not in litbox's lit stand-in: translate with LLVM's "
            "lit package (--lit-dir, or install llvm-*-tools)" % name)

    def with_environment(self, variable, value, append_path=False):
        if append_path:
            paths_to_add = [value] if is_string(value) else value

            def norm(x):
                return os.path.normcase(os.path.normpath(x))
            current = self.config.environment.get(variable, None)
            paths = [norm(p) for p in current.split(os.pathsep)] if current else []
            for p in reversed(paths_to_add):
                p = norm(p)
                if p in paths:
                    paths.remove(p)
                paths = [p] + paths
            value = os.pathsep.join(paths)
        self.config.environment[variable] = value

    def with_system_environment(self, variables, append_path=False):
        for v in [variables] if is_string(variables) else variables:
            value = os.environ.get(v)
            if value:
                self.with_environment(v, value, append_path)

    def clear_environment(self, variables):
        for name in variables:
            self.config.environment.pop(name, None)

    def get_process_output(self, command):
        try:
            p = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=self.config.environment)
            return to_string(p.stdout), to_string(p.stderr)
        except OSError:
            self.lit_config.fatal('Could not run process %s' % command)

    def feature_config(self, features):
        output, _ = self.get_process_output(
            [os.path.join(self.config.llvm_tools_dir, 'llvm-config')] + [x for x, _ in features])
        for line, (_, patterns) in zip(output.split('\n'), features):
            if callable(patterns):
                self.config.available_features.update(patterns(line))
            else:
                for pattern, feature in patterns.items():
                    if re.search(pattern, line):
                        self.config.available_features.add(feature)

    def add_tool_substitutions(self, tools, search_dirs=None):
        if not search_dirs:
            search_dirs = [self.config.llvm_tools_dir]
        if is_string(search_dirs):
            search_dirs = [search_dirs]
        tools = [x if isinstance(x, ToolSubst) else ToolSubst(x) for x in tools]
        search_dirs = os.pathsep.join(search_dirs)
        substitutions = []
        for tool in tools:
            match = tool.resolve(self, search_dirs)
            if not match:
                continue
            key, pipe, command = match
            if not command:
                return False
            substitutions.append((key, pipe + command))
        self.config.substitutions.extend(substitutions)
        return True

    def add_err_msg_substitutions(self):
        messages = getattr(self.config, 'errc_messages', '')
        if messages:
            enoent, eisdir, einval, eacces = messages.split(';')
        else:
            enoent, eisdir, einval, eacces = (os.strerror(e) for e in
                                              (errno.ENOENT, errno.EISDIR, errno.EINVAL, errno.EACCES))
        for name, text in (('ENOENT', enoent), ('EISDIR', eisdir), ('EINVAL', einval), ('EACCES', eacces)):
            self.config.substitutions.append(('%errc_' + name, "'" + text + "'"))

    def use_default_substitutions(self):
        tool_patterns = [
            ToolSubst('FileCheck', unresolved='fatal'),
            ToolSubst(r'\| \bcount\b', command=FindTool('count'), verbatim=True, unresolved='fatal'),
            ToolSubst(r'\| \bnot\b', command=FindTool('not'), verbatim=True, unresolved='fatal')]
        self.config.substitutions.append(('%python', '"%s"' % (sys.executable)))
        self.add_tool_substitutions(tool_patterns, [self.config.llvm_tools_dir])
        self.add_err_msg_substitutions()

    def use_llvm_tool(self, name, search_env=None, required=False, quiet=False,
                      search_paths=None, use_installed=False):
        tool = self.config.environment.get(search_env) if search_env else None
        if not tool:
            tool = which(name, os.pathsep.join(search_paths or [self.config.llvm_tools_dir]))
        if not tool and use_installed:
            tool = which(name, self.config.environment['PATH'])
        if required and not tool:
            message = "couldn't find '{}' program".format(name)
            if search_env:
                message += ', try setting {} in your environment'.format(search_env)
            self.lit_config.fatal(message)
        if tool:
            tool = os.path.normpath(tool)
            if not self.lit_config.quiet and not quiet:
                self.lit_config.note('using {}: {}'.format(name, tool))
        return tool


# ---- the package ---------------------------------------------------------------------------------

def install():
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    here = sys.modules.get(__name__) or sys.modules['lit_to_yaml_shim']
    lit = module('lit', __path__=[], __version__='0', __litbox_shim__=True)
    lit.util = module('lit.util', **{n: getattr(here, n) for n in (
        'is_string', 'pythonize_bool', 'to_string', 'to_bytes', 'which', 'checkToolsPath',
        'whichTools', 'usable_core_count', 'executeCommand')})
    lit.formats = module('lit.formats', TestFormat=TestFormat, FileBasedTest=FileBasedTest,
                         ShTest=ShTest, ExecutableTest=ExecutableTest, GoogleTest=GoogleTest,
                         OneCommandPerFileTest=OneCommandPerFileTest)
    codes = {n: ResultCode(n, label, fail) for n, label, fail in (
        ('EXCLUDED', 'Excluded', False), ('SKIPPED', 'Skipped', False),
        ('UNSUPPORTED', 'Unsupported', False), ('PASS', 'Passed', False),
        ('FLAKYPASS', 'Passed With Retry', False), ('XFAIL', 'Expectedly Failed', False),
        ('UNRESOLVED', 'Unresolved', True), ('TIMEOUT', 'Timed Out', True),
        ('FAIL', 'Failed', True), ('XPASS', 'Unexpectedly Passed', True))}
    lit.Test = module('lit.Test', ResultCode=ResultCode, **codes)
    lit.TestingConfig = module('lit.TestingConfig', TestingConfig=TestingConfig,
                               SubstituteCaptures=SubstituteCaptures, os=os, sys=sys)
    lit.LitConfig = module('lit.LitConfig', LitConfig=LitConfig)
    llvm = module('lit.llvm', __path__=[], llvm_config=None)
    llvm.config = module('lit.llvm.config', LLVMConfig=LLVMConfig, ToolSubst=ToolSubst, FindTool=FindTool)
    llvm.subst = module('lit.llvm.subst', ToolSubst=ToolSubst, FindTool=FindTool)

    def initialize(lit_config, test_config):
        llvm.llvm_config = LLVMConfig(lit_config, test_config)
    llvm.initialize = initialize
    lit.llvm = llvm
    return lit

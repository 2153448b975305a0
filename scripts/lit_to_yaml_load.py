"""Loading lit configs the way lit does, for scripts/lit-to-yaml.

Finds and imports lit's `lit` package (or the stand-in in lit_to_yaml_shim.py), and runs the
configs through lit's own LitConfig and TestingConfig, instrumented to record where things
happen: which config file (and line) assigned each config attribute, set a parallelism
group, read a host environment variable or a lit param, and which variables it passed
through with LLVMConfig.with_system_environment. A fatal error in a config is returned, not
an exit of the process.
"""
import glob
import os
import re
import sys

PROG = 'lit-to-yaml'


def usage_error(message):
    """Stops with exit status 2 (nothing was written)."""
    sys.stderr.write('%s: %s\n' % (PROG, message))
    sys.exit(2)
# TestingConfig attributes lit itself reads; everything else a config sets is only visible to
# Python code (later configs, custom formats).
STANDARD_ATTRS = {
    'parent', 'name', 'suffixes', 'test_format', 'environment', 'substitutions',
    'unsupported', 'test_exec_root', 'test_source_root', 'excludes', 'available_features',
    'pipefail', 'standalone_tests', 'limit_to_features', 'parallelism_group', 'is_early',
    'recursiveExpansionLimit', 'test_retry_attempts', 'target_triple', 'host_triple'}
SCALAR_TYPES = (str, int, float, bool)


# ---- where things happen: frames inside the config files being executed -------------------

LOADING = []   # config files being executed, outermost first
EVENTS = []    # (attribute, file, line) for every config.<attr> = ... made by a config file
ENV_READS = {}  # file -> {variable: line}: host variables the configs read
PASSED = {}    # file -> set of variable names given to with_system_environment
PARAM_READS = {}  # file -> {param: line}
LOADED_FROM = {}  # (file, line) of a config.load_from_path call in a config file -> the file it loaded
TOOLS = []     # (file, line, entry): each LLVMConfig.use_llvm_tool call, for `tools:`


def config_frame(depth=2):
    """(file, line) of the innermost frame executing a config file, or None."""
    f = sys._getframe(depth)
    while f is not None:
        if f.f_code.co_filename in LOADING:
            return f.f_code.co_filename, f.f_lineno
        f = f.f_back
    return None


class RecordingGroups(dict):
    """lit_config.parallelism_groups that remembers where each group was set."""
    where = {}

    def __setitem__(self, key, value):
        at = config_frame()
        if at:
            RecordingGroups.where[key] = at
        super().__setitem__(key, value)


class ParamDefault(str):
    """The default of a param the configs read with lit_config.params.get(name, default) and
    the translation was not given: the same text (equal, same truth value), marked with the
    param's name. A substitution whose replacement is exactly this value is written as
    `${name}` with `params: {name: default}` in lit.yaml, so `-D name=...` works at run time;
    any computation on it (concatenation, formatting) gives a plain str, translated as text."""

    def __new__(cls, value, param):
        obj = super().__new__(cls, value)
        obj.param = param
        return obj

    def __getnewargs__(self):  # copy / deepcopy of configs keep the mark
        return (str(self), self.param)


class RecordingParams(dict):
    """lit_config.params that remembers which params the configs read."""

    def _note(self, key):
        at = config_frame(3)
        if at and isinstance(key, str) and key != 'config_map':
            PARAM_READS.setdefault(at[0], {}).setdefault(key, at[1])

    def get(self, key, default=None):
        self._note(key)
        if key not in self and type(default) is str and isinstance(key, str) and key != 'config_map':
            return ParamDefault(default, key)
        return super().get(key, default)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


class RecordingEnviron(type(os.environ)):
    """os.environ while configs run: remembers which host variables they read."""

    def __getitem__(self, key):
        at = config_frame()
        if at:
            ENV_READS.setdefault(at[0], {}).setdefault(key, at[1])
        return super().__getitem__(key)

    def __contains__(self, key):
        at = config_frame()
        if at:
            ENV_READS.setdefault(at[0], {}).setdefault(key, at[1])
        return super().__contains__(key)


# ---- finding and importing lit ----------------------------------------------------------------

def import_lit(lit_dir, force_shim):
    """Returns (lit package, description). Prefers the real lit; falls back to the shim."""
    if not force_shim:
        candidates = [lit_dir] if lit_dir else sorted(
            glob.glob('/usr/lib/llvm-*/build/utils/lit'),
            key=lambda p: [int(x) for x in re.findall(r'\d+', p)], reverse=True) + [None]
        for cand in candidates:
            saved = list(sys.path)
            if cand:
                sys.path.insert(0, cand)
            try:
                import lit.formats
                import lit.LitConfig
                import lit.TestingConfig
                import lit.util
                return lit, 'lit %s from %s' % (getattr(lit, '__version__', '?'),
                                                 os.path.dirname(os.path.dirname(lit.__file__)))
            except ImportError:
                for name in [m for m in sys.modules if m == 'lit' or m.startswith('lit.')]:
                    del sys.modules[name]
                sys.path[:] = saved
        if lit_dir:
            usage_error('no importable lit package in %s' % lit_dir)
    import importlib.util
    shim_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lit_to_yaml_shim.py')
    spec = importlib.util.spec_from_file_location('lit_to_yaml_shim', shim_path)
    shim = importlib.util.module_from_spec(spec)
    sys.modules['lit_to_yaml_shim'] = shim
    spec.loader.exec_module(shim)
    return shim.install(), "litbox's built-in lit stand-in (%s)" % shim_path


def wrap_llvm_config_method(name, make_wrapper):
    """Replaces LLVMConfig.<name> (lit's or the shim's) with make_wrapper(original), once."""
    try:
        import lit.llvm.config as llvm_config_module
    except ImportError:
        return
    cls = llvm_config_module.LLVMConfig
    original = getattr(cls, name)
    if getattr(original, '_litbox', False):
        return
    wrapper = make_wrapper(original)
    wrapper._litbox = True
    setattr(cls, name, wrapper)


def track_system_environment(lit):
    """Wraps LLVMConfig.with_system_environment so the variables it passes through become
    `environment.pass`, not this machine's values."""
    def make_wrapper(original):
        def with_system_environment(self, variables, append_path=False):
            at = config_frame()
            names = [variables] if isinstance(variables, str) else list(variables)
            PASSED.setdefault(at[0] if at else '', set()).update(names)
            return original(self, variables, append_path)
        return with_system_environment
    wrap_llvm_config_method('with_system_environment', make_wrapper)


def track_tool_lookups(lit):
    """Wraps LLVMConfig.use_llvm_tool so that each call becomes a `tools:` entry, which litbox
    looks up (and notes, as lit does) on the machine that runs the tests. A required tool this
    machine lacks does not stop the translation: the config goes on with its name, and litbox
    stops where lit would, on a machine that lacks it too."""
    def make_wrapper(original):
        def use_llvm_tool(self, name, search_env=None, required=False, quiet=False,
                          search_paths=None, use_installed=False):
            at = config_frame()
            paths = list(search_paths) if search_paths else [self.config.llvm_tools_dir]
            if at:
                TOOLS.append((at[0], at[1], {
                    'name': name, 'search_env': search_env, 'required': bool(required), 'quiet': bool(quiet),
                    'search_paths': [str(p) for p in paths if p], 'use_installed': bool(use_installed)}))
            tool = original(self, name, search_env=search_env, required=False, quiet=quiet,
                            search_paths=search_paths, use_installed=use_installed)
            if not tool and required:
                tool = name
            return tool
        return use_llvm_tool
    wrap_llvm_config_method('use_llvm_tool', make_wrapper)


# ---- loading the configs as lit does ----------------------------------------------------------

class Loader:
    """lit's LitConfig and TestingConfig, instrumented: config.<attr> assignments, load_config
    calls and fatal errors are recorded instead of ending the process."""

    def __init__(self, lit, params, verbose, python=None):
        self.lit, self.python = lit, python or sys.executable
        import lit.TestingConfig
        import lit.LitConfig
        base = lit.TestingConfig.TestingConfig

        class TestingConfig(base):
            def __setattr__(self, name, value):
                at = config_frame()
                if at:
                    EVENTS.append((name, at[0], at[1]))
                base.__setattr__(self, name, value)

            def load_from_path(self, path, litConfig):
                # A config file loading another one into its config (libc++'s
                # libcxx/test/libcxx/**/lit.local.cfg load their std/ counterparts).
                at = config_frame()
                if at:
                    LOADED_FROM[at] = os.path.abspath(path)
                return base.load_from_path(self, path, litConfig)

        class LitConfig(lit.LitConfig.LitConfig):
            # Nothing is run: a per-test timeout needs no psutil here.
            maxIndividualTestTimeIsSupported = property(lambda self: (True, ''))

            def fatal(self, message):
                self.litbox_fatal = message
                raise SystemExit(2)
        self.config_class = TestingConfig
        self.lit_config = LitConfig(
            progname='lit', path=[], quiet=not verbose, useValgrind=False,
            valgrindLeakCheck=False, valgrindArgs=[], noExecute=False, debug=False,
            isWindows=False, order='smart', params=params, parallelism_groups=RecordingGroups())
        self.lit_config.params = RecordingParams(self.lit_config.params)  # (LitConfig copies it)
        self.main_cfg = None
        self.site_state = None
        original_load_config = self.lit_config.load_config

        def load_config(config, path):
            # The first load_config of a site config names the suite's main config; what the
            # site config set before it are the build facts.
            path = os.path.abspath(path)
            if self.main_cfg is None:
                self.main_cfg = path
                self.site_state = (dict(vars(config)), snapshot(config, self.lit_config, lit))
            LOADING.append(path)
            CONFIG_FILES.add(path)
            try:
                return original_load_config(config, path)
            finally:
                LOADING.remove(path)
        self.lit_config.load_config = load_config

    def new_config(self):
        config = self.lit.TestingConfig.TestingConfig.fromdefaults(self.lit_config)
        config.__class__ = self.config_class
        return config

    def run(self, config, path):
        """Executes one config file into config. Returns (events, error) where error is None
        or (file, line, message)."""
        start = len(EVENTS)
        LOADING.append(path)
        CONFIG_FILES.add(path)
        saved_environ_class, saved_executable = os.environ.__class__, sys.executable
        os.environ.__class__ = RecordingEnviron
        sys.executable = self.python
        self.lit_config.litbox_fatal = None
        error = None
        try:
            config.load_from_path(path, self.lit_config)
        except SystemExit as e:
            message = self.lit_config.litbox_fatal
            if message is None:
                error = (path, 0, 'the config exited (sys.exit(%r))' % (e.code,))
            else:
                error = summarize_error(path, message)
        except Exception:  # the shim's load_from_path lets exceptions through
            import traceback
            error = summarize_error(path, 'traceback: ' + traceback.format_exc())
        finally:
            os.environ.__class__, sys.executable = saved_environ_class, saved_executable
            LOADING.remove(path)
        return EVENTS[start:], error


CONFIG_FILES = set()


def summarize_error(path, message):
    """lit's fatal message → (file, line, message); a config's exception becomes its last
    line, located at the innermost config-file frame of the traceback."""
    if 'traceback: ' not in message:
        return path, 0, 'lit: fatal: ' + message
    tb = message.split('traceback: ', 1)[1].strip()
    where = (path, 0)
    for file, line in re.findall(r'File "(.*?)", line (\d+)', tb):
        if file in CONFIG_FILES:
            where = (file, int(line))
    return where[0], where[1], tb.splitlines()[-1]


def snapshot(config, lit_config, lit):
    """The parts of a TestingConfig litbox can use, as plain values."""
    fmt = config.test_format
    extra_subs = []
    if fmt is not None and hasattr(fmt, 'extra_substitutions') and isinstance(fmt, lit.formats.ShTest):
        extra_subs = list(fmt.extra_substitutions or [])
    return {
        'name': str(config.name),
        'format': fmt,
        'suffixes': sorted(str(s) for s in config.suffixes),
        'excludes': sorted(str(s) for s in config.excludes),
        'features': set(str(f) for f in config.available_features),
        # lit applies the test format's extra substitutions before the config's.
        'substitutions': [(a, b) for a, b in extra_subs + list(config.substitutions)],
        'environment': dict(config.environment),
        'recursive_expansion_limit': config.recursiveExpansionLimit,
        'pipefail': bool(config.pipefail),
        'unsupported': bool(config.unsupported),
        'limit_to_features': sorted(str(f) for f in config.limit_to_features),
        'test_retry_attempts': getattr(config, 'test_retry_attempts', 0),
        'parallelism_group': config.parallelism_group,
        'standalone_tests': bool(getattr(config, 'standalone_tests', False)),
        'target_triple': str(getattr(config, 'target_triple', '') or ''),
        'host_triple': str(getattr(config, 'host_triple', '') or ''),
        'timeout': lit_config.maxIndividualTestTime,
        'parallelism_groups': dict(lit_config.parallelism_groups),
        'extra': {k: v for k, v in vars(config).items()
                  if k not in STANDARD_ATTRS and not k.startswith('_')},
        'test_source_root': config.test_source_root,
        'test_exec_root': config.test_exec_root,
    }

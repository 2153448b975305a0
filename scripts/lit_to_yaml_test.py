#!/usr/bin/python3
"""Tests of scripts/lit-to-yaml (the lit → litbox YAML translator).

Run: python3 scripts/lit_to_yaml_test.py [-v]   (ctest runs it as `lit_to_yaml`)
Environment: LITBOX=path/to/litbox runs the translated configs with litbox too (default:
build/bin/litbox when it exists). Tests needing LLVM's sources (scripts/fetch-llvm-tests.sh
→ third_party/llvm-src) or the real lit package (Debian's llvm-15-tools) are skipped without.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TRANSLATOR = os.path.join(HERE, 'lit-to-yaml')
LIT_SRC = os.path.join(ROOT, 'third_party/llvm-src/llvm/utils/lit')
LLVM_TEST = os.path.join(ROOT, 'third_party/llvm-src/llvm/test')
REAL_LIT = sorted(glob.glob('/usr/lib/llvm-*/build/utils/lit'))
LITBOX = os.environ.get('LITBOX') or os.path.join(ROOT, 'build/bin/litbox')

try:
    import yaml
except ImportError:  # only the LLVM checks read the YAML back
    yaml = None


def translate(*args, cwd=None, env=None):
    """Runs the translator; returns (exit status, stdout, stderr)."""
    # Run as `litbox translate` does, by its #! line: values like lit's %python come from
    # sys.executable of the Python running the configs, as with lit itself.
    p = subprocess.run([TRANSLATOR] + [str(a) for a in args], cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(textwrap.dedent(text).lstrip('\n'))


def read(path):
    with open(path) as f:
        return f.read()


def body(path):
    """A generated file without its comment lines (the header, notes)."""
    return ''.join(line for line in read(path).splitlines(True) if not line.startswith('#'))


def interpolate(text, params):
    """litbox's ${name} / ${env:NAME} / $$ expansion."""
    def one(m):
        if m.group(0) == '$$':
            return '$'
        name = m.group(1)
        return os.environ.get(name[4:], '') if name.startswith('env:') else params[name]
    return re.sub(r'\$\$|\$\{([A-Za-z0-9_.:-]+)\}', one, text)


class TempDir(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='lit-to-yaml-test.')
        self.addCleanup(shutil.rmtree, self.dir)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)


class SmallSuites(TempDir):
    """Suites written here, translated with whichever lit is found (real or the stand-in)."""

    def suite(self):
        write(self.path('s/lit.cfg.py'), r'''
            import lit.formats
            config.name = 'demo'
            config.test_format = lit.formats.ShTest(execute_external=False)
            config.suffixes = ['.txt', '.c']
            config.excludes = ['Inputs']
            config.available_features.add('feat-b')
            config.available_features.add('feat-a')
            config.substitutions.append(('%tool', 'echo tool'))
            config.substitutions.append((r'\bmy-(\w+)\b', r'run \1'))
            config.substitutions.append(('%{braced}', 'cost $5 and ${HOME} and $$'))
            config.environment['LC_ALL'] = 'C'
            config.recursiveExpansionLimit = 3
            lit_config.maxIndividualTestTime = 60
            config.parallelism_group = 'slow'
            lit_config.parallelism_groups['slow'] = 2
            ''')
        write(self.path('s/sub/lit.local.cfg'), '''
            config.substitutions.append(('%extra', 'more'))
            config.available_features.discard('feat-a')
            config.available_features.add('feat-c')
            config.environment['LC_ALL'] = 'POSIX'
            ''')
        write(self.path('s/pre/lit.local.cfg'), '''
            config.substitutions.insert(0, ('%first', 'one'))
            config.suffixes = ['.c']
            ''')
        write(self.path('s/reorder/lit.local.cfg'), '''
            config.substitutions.reverse()
            ''')
        write(self.path('s/off/lit.local.cfg'), 'config.unsupported = True\n')
        write(self.path('s/Inputs/lit.local.cfg'), 'raise Exception("excluded: never loaded")\n')
        write(self.path('s/sub/deeper/lit.local.cfg'), 'config.test_retry_attempts = 2\n')
        write(self.path('s/sub/a.txt'), '# RUN: true\n')

    def test_suite_config(self):
        self.suite()
        rc, out, err = translate(self.path('s'), '--lit-version', '15')
        self.assertEqual(rc, 0, err)
        self.assertEqual(body(self.path('s/lit.yaml')), textwrap.dedent(r'''
            name: demo
            format: sh
            lit_version: 15
            triple_substring_match: true
            suffixes: [.c, .txt]
            excludes: [Inputs]
            features: [feat-a, feat-b]
            substitutions:
              - {match: '%tool', replace: echo tool}
              - {regex: '\bmy-(\w+)\b', replace: 'run \1'}
              - {match: '%{braced}', replace: 'cost $$5 and $${HOME} and $$$$'}
            environment:
              set:
                LC_ALL: C
            recursive_expansion_limit: 3
            timeout: 60
            parallelism_group: slow
            parallelism_groups:
              slow: 2
            ''').lstrip())
        self.assertFalse(os.path.exists(self.path('s/Inputs/lit.local.yaml')))

    def test_local_configs_are_differences(self):
        self.suite()
        rc, _, err = translate(self.path('s'))
        self.assertEqual(rc, 0, err)
        self.assertEqual(body(self.path('s/sub/lit.local.yaml')), textwrap.dedent('''
            features: {add: [feat-c], remove: [feat-a]}
            substitutions:
              add:
                - {match: '%extra', replace: more}
            environment:
              set:
                LC_ALL: POSIX
            ''').lstrip())
        self.assertEqual(body(self.path('s/pre/lit.local.yaml')), textwrap.dedent('''
            suffixes: [.c]
            substitutions:
              prepend:
                - {match: '%first', replace: one}
            ''').lstrip())
        # No edit map gives the reversed order: the whole list, in lit's order.
        self.assertEqual(body(self.path('s/reorder/lit.local.yaml')), textwrap.dedent(r'''
            substitutions:
              - {match: '%{braced}', replace: 'cost $$5 and $${HOME} and $$$$'}
              - {regex: '\bmy-(\w+)\b', replace: 'run \1'}
              - {match: '%tool', replace: echo tool}
            ''').lstrip())
        self.assertEqual(body(self.path('s/off/lit.local.yaml')), 'unsupported: true\n')
        # Differences from the nearest config above, not from the root.
        self.assertEqual(body(self.path('s/sub/deeper/lit.local.yaml')), 'test_retry_attempts: 2\n')

    def test_idempotent(self):
        self.suite()
        self.assertEqual(translate(self.path('s'))[0], 0)
        files = sorted(glob.glob(self.path('s/**/lit*.yaml'), recursive=True))
        self.assertEqual(len(files), 6)
        first = {f: read(f) for f in files}
        rc, out, _ = translate(self.path('s'))
        self.assertEqual(rc, 0)
        self.assertEqual({f: read(f) for f in files}, first)
        self.assertEqual(out.count('unchanged '), 6)
        self.assertNotIn('wrote ', out)

    def test_hand_edits_are_kept(self):
        self.suite()
        self.assertEqual(translate(self.path('s'))[0], 0)
        edited = self.path('s/sub/lit.local.yaml')
        with open(edited, 'a') as f:
            f.write('timeout: 5\n')
        handwritten = self.path('s/off/lit.local.yaml')
        write(handwritten, 'unsupported: true  # mine\n')
        rc, out, err = translate(self.path('s'))
        self.assertEqual(rc, 1)
        self.assertIn('sub/lit.local.yaml: edited since it was generated; kept (--force overwrites it)', err)
        self.assertIn('off/lit.local.yaml: not written by the translator; kept (--force overwrites it)', err)
        self.assertTrue(read(edited).endswith('timeout: 5\n'))
        self.assertEqual(read(handwritten), 'unsupported: true  # mine\n')
        self.assertIn('unchanged ', out)   # the others are still checked
        # --check writes nothing and says what a real run would do: keep the hand edits.
        rc, out, err = translate(self.path('s'), '--check')
        self.assertEqual(rc, 1)
        self.assertIn('sub/lit.local.yaml: edited since it was generated; would be kept (--force overwrites it)', err)
        self.assertNotIn('would update', out)
        self.assertTrue(read(edited).endswith('timeout: 5\n'))
        rc, out, err = translate(self.path('s'), '--force')
        self.assertEqual(rc, 0, err)
        self.assertFalse(read(edited).endswith('timeout: 5\n'))
        self.assertEqual(body(handwritten), 'unsupported: true\n')

    def test_unrepresentable_things_are_reported_with_file_and_line(self):
        write(self.path('c/myformat.py'), '''
            import lit.formats
            class MyFormat(lit.formats.TestFormat):
                def execute(self, test, lit_config):
                    return None
            ''')
        write(self.path('c/lit.cfg'), '''
            import os, sys
            sys.path.insert(0, os.path.dirname(__file__))
            import myformat
            config.name = 'custom'
            config.suffixes = ['.t']
            config.my_setting = 'read by the format'
            config.test_format = myformat.MyFormat()
            ''')
        write(self.path('c/sub/lit.local.cfg'), '''
            def pick_group(test):
                return 'g'
            config.parallelism_group = pick_group
            lit_config.parallelism_groups['h'] = lambda: 1
            ''')
        rc, out, err = translate(self.path('c'))
        self.assertEqual(rc, 1)
        lines = err.splitlines()
        self.assertEqual(len(lines), 3, err)
        self.assertRegex(lines[0], r'c/lit\.cfg:7: cannot represent: custom test format myformat\.MyFormat '
                         r'\(defined in .*c/myformat\.py\): Python test formats cannot be translated; the '
                         r'directory is marked unsupported; config attributes it may read: my_setting$')
        self.assertRegex(lines[1], r'c/sub/lit\.local\.cfg:4: cannot represent: lit_config\.parallelism_groups'
                         r"\['h'\] = <lambda>: only a number or None can be written$")
        self.assertRegex(lines[2], r'c/sub/lit\.local\.cfg:3: cannot represent: parallelism_group is a Python '
                         r'callable \(pick_group\); YAML names one group per directory$')
        # The rest is still written; the directory with the custom format is marked unsupported.
        self.assertEqual(body(self.path('c/lit.yaml')), 'name: custom\nsuffixes: [.t]\nunsupported: true\n'
                         if 'lit_version' not in read(self.path('c/lit.yaml')) else
                         'name: custom\nlit_version: 15\ntriple_substring_match: true\nsuffixes: [.t]\n'
                         'unsupported: true\n')
        self.assertIn('# NOT TRANSLATED (lit.cfg:7): custom test format', read(self.path('c/lit.yaml')))
        self.assertIn('# NOT TRANSLATED (lit.local.cfg:3): parallelism_group is a Python callable',
                      read(self.path('c/sub/lit.local.yaml')))

    def test_site_config_params_become_references(self):
        tools = self.path('tools')
        os.makedirs(tools)
        write(self.path('src/test/lit.cfg.py'), '''
            import os
            import lit.formats
            config.name = 'withsite'
            config.test_format = lit.formats.ShTest(True)
            config.suffixes = ['.test']
            config.test_source_root = os.path.dirname(__file__)
            config.test_exec_root = os.path.join(config.obj_root, 'test')
            config.substitutions.append(('%mytool', os.path.join(config.tools_dir, 'mytool') + ' -v'))
            config.environment['PATH'] = os.path.pathsep.join((config.tools_dir, config.environment['PATH']))
            if config.have_zlib:
                config.available_features.add('zlib')
            ''')
        write(self.path('build/test/lit.site.cfg.py'), '''
            import os
            config.obj_root = %r
            config.tools_dir = %r
            config.have_zlib = 1
            config.target_triple = 'x86_64-unknown-linux-gnu'
            config.substitutions.append(('%%site', 'from-site'))
            lit_config.load_config(config, %r)
            ''' % (self.path('build'), tools, self.path('src/test/lit.cfg.py')))
        rc, out, err = translate(self.path('build/test'))
        self.assertEqual(rc, 0, err)
        self.assertEqual(body(self.path('build/test/lit.site.yaml')), textwrap.dedent('''
            suite: ../../src/test
            params:
              obj_root: %s
              tools_dir: %s
              have_zlib: '1'
              target_triple: x86_64-unknown-linux-gnu
            target_triple: x86_64-unknown-linux-gnu
            features: [zlib]
            substitutions:
              - {match: '%%site', replace: from-site}
            sandbox: {readonly: ['%s', '%s']}
            ''' % (self.path('build'), tools, os.path.realpath(self.path('build')),
                   os.path.realpath(tools))).lstrip())
        lit_yaml = body(self.path('src/test/lit.yaml'))
        self.assertIn("site_configs: [../../build/test]\n", lit_yaml)
        self.assertIn("format: sh-external\n", lit_yaml)
        self.assertIn("  - {match: '%mytool', replace: '${tools_dir}/mytool -v'}\n", lit_yaml)
        self.assertIn("    PATH: '${tools_dir}:${env:PATH}'\n", lit_yaml)
        self.assertNotIn('features', lit_yaml)
        self.assertNotIn(tools, lit_yaml)

    def test_unsupported_idiom_becomes_a_condition(self):
        write(self.path('t/lit.cfg'), '''
            import lit.formats
            config.test_format = lit.formats.ShTest()
            config.suffixes = ['.s']
            config.targets = frozenset(['X86', 'AArch64'])
            for t in config.targets:
                config.available_features.add(t.lower() + '-registered-target')
            ''')
        write(self.path('t/ARM/lit.local.cfg'), "if not 'ARM' in config.root.targets:\n    config.unsupported = True\n")
        write(self.path('t/X86/lit.local.cfg'), "if 'X86' not in config.root.targets:\n    config.unsupported = True\n")
        write(self.path('t/both/lit.local.cfg'),
              "# comment\nif not ('X86' in config.root.targets and 'zlib' in config.available_features):\n"
              "    config.unsupported = True\n")
        write(self.path('t/other/lit.local.cfg'), "if config.root.targets:\n    config.unsupported = True\n")
        rc, _, err = translate(self.path('t'))
        self.assertEqual(rc, 0, err)
        self.assertEqual(body(self.path('t/ARM/lit.local.yaml')),
                         "when: [{if: '!arm-registered-target', then: {unsupported: true}}]\n")
        self.assertEqual(body(self.path('t/X86/lit.local.yaml')),
                         "when: [{if: '!x86-registered-target', then: {unsupported: true}}]\n")
        self.assertEqual(body(self.path('t/both/lit.local.yaml')),
                         "when: [{if: '!(x86-registered-target && zlib)', then: {unsupported: true}}]\n")
        # Not the idiom: this build's outcome.
        self.assertEqual(body(self.path('t/other/lit.local.yaml')), 'unsupported: true\n')

    def test_config_errors(self):
        write(self.path('e/lit.cfg'), 'import lit.formats\nconfig.name = "e"\nconfig.suffixes = [".t"]\n'
                                      'config.test_format = lit.formats.ShTest()\n')
        write(self.path('e/bad/lit.local.cfg'), 'config.recursiveExpansionLimit = -1\n')
        write(self.path('e/bad/below/lit.local.cfg'), 'config.suffixes = [".u"]\n')
        write(self.path('e/good/lit.local.cfg'), 'config.suffixes = [".u"]\n')
        rc, out, err = translate(self.path('e'))
        self.assertEqual(rc, 1)
        self.assertRegex(err, r'error: .*e/bad/lit\.local\.cfg:1: ValueError: recursiveExpansionLimit must be a '
                         r'non-negative integer \(got <-1>\); the tests in this directory and below it are '
                         r'UNRESOLVED until it is fixed')
        self.assertTrue(os.path.exists(self.path('e/good/lit.local.yaml')))
        # The broken directory's lit.local.yaml says so (its tests must not run under the parent's
        # config, which lit never does); the directories below it are not translated.
        with open(self.path('e/bad/lit.local.yaml')) as f:
            self.assertIn("\nconfig_error: 'lit.local.cfg:1: ValueError: recursiveExpansionLimit must be a "
                          "non-negative integer (got <-1>)'\n", f.read())
        self.assertFalse(os.path.exists(self.path('e/bad/below/lit.local.yaml')))
        if os.access(LITBOX, os.X_OK):
            for d in ('e', 'e/bad', 'e/bad/below', 'e/good'):
                write(self.path(d + '/t.t'), '# RUN: true\n')
                write(self.path(d + '/t.u'), '# RUN: true\n')
            out = os.path.join(self.dir, 'results.json')
            p = subprocess.run([LITBOX, '-q', '-o', out, self.path('e')], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            self.assertEqual(p.returncode, 2, p.stdout)
            codes = {t['name'].split(' :: ')[1]: t['code'] for t in json.load(open(out))['tests']}
            self.assertEqual(codes, {'t.t': 'PASS', 'bad/t.t': 'UNRESOLVED', 'bad/below/t.t': 'UNRESOLVED',
                                     'good/t.u': 'PASS'}, p.stdout)
            self.assertIn('bad/lit.local.yaml:4:15: lit.local.cfg:1: ValueError: recursiveExpansionLimit', p.stdout)
        write(self.path('f/lit.cfg'), 'config.suffixes = config.undefined_thing\n')
        rc, out, err = translate(self.path('f'))
        self.assertEqual(rc, 2)
        self.assertIn("has no attribute 'undefined_thing'", err)
        self.assertIn("translate the build's lit.site.cfg.py instead", err)
        self.assertEqual(out, '')
        self.assertFalse(os.path.exists(self.path('f/lit.yaml')))  # a missing site config: no marker

    def test_a_suite_config_that_fails_leaves_a_lit_yaml_saying_why(self):
        # lit stops with a fatal error at such a suite; without a lit.yaml, litbox would go on
        # looking and run the tests under an enclosing suite's config.
        write(self.path('outer/lit.yaml'), 'name: outer\nformat: sh\nsuffixes: [.t]\n')
        write(self.path('outer/s/lit.cfg'), 'import lit.formats\nconfig.name = "s"\nconfig.suffixes = [".t"]\n'
                                            'config.test_format = lit.formats.ShTest()\n'
                                            'config.recursiveExpansionLimit = "many"\n')
        write(self.path('outer/s/t.t'), '# RUN: true\n')
        rc, out, err = translate(self.path('outer/s'))
        self.assertEqual(rc, 2)
        self.assertIn('lit.cfg:5: ValueError: recursiveExpansionLimit must be either None or an integer', err)
        with open(self.path('outer/s/lit.yaml')) as f:
            self.assertIn("\nconfig_error: 'lit.cfg:5: ValueError: recursiveExpansionLimit must be either None or "
                          "an integer (got <many>)'\n", f.read())
        if os.access(LITBOX, os.X_OK):
            p = subprocess.run([LITBOX, '-q', self.path('outer/s')], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertIn('s/lit.yaml:4:15: lit.cfg:5: ValueError: recursiveExpansionLimit must be', p.stdout)
        # Fixed, it translates over the marker; broken again, it never replaces a real config.
        write(self.path('outer/s/lit.cfg'), 'import lit.formats\nconfig.name = "s"\nconfig.suffixes = [".t"]\n'
                                            'config.test_format = lit.formats.ShTest()\n')
        self.assertEqual(translate(self.path('outer/s'))[0], 0)
        with open(self.path('outer/s/lit.yaml')) as f:
            good = f.read()
        self.assertNotIn('config_error', good)
        write(self.path('outer/s/lit.cfg'), 'config.recursiveExpansionLimit = -2\n')
        self.assertEqual(translate(self.path('outer/s'))[0], 2)
        with open(self.path('outer/s/lit.yaml')) as f:
            self.assertEqual(f.read(), good)

    def test_use_llvm_tool_calls_become_tools_looked_up_when_litbox_runs(self):
        write(self.path('t/lit.cfg'), """
            import os, lit.formats, lit.llvm
            config.name = 't'
            config.suffixes = ['.t']
            config.test_format = lit.formats.ShTest()
            config.llvm_tools_dir = os.path.join(os.path.dirname(__file__), 'bin')
            lit.llvm.initialize(lit_config, config)
            found = lit.llvm.llvm_config.use_llvm_tool('here', search_env='HERE_TOOL')
            gone = lit.llvm.llvm_config.use_llvm_tool('gone', required=True, use_installed=True)
            config.substitutions.append(('%gone', gone))
            """)
        write(self.path('t/bin/here'), '')
        write(self.path('t/sub/lit.local.cfg'), """
            import lit.llvm
            lit.llvm.llvm_config.use_llvm_tool('sub', quiet=True, search_paths=['/opt/x', '/opt/y'])
            """)
        rc, out, err = translate(self.path('t'))
        self.assertEqual(rc, 0, err)
        self.assertIn('tools:\n  - {name: here, search_env: HERE_TOOL, search_paths: [%s]}\n'
                      '  - {name: gone, search_paths: [%s], use_installed: true, required: true}\n'
                      % (self.path('t/bin'), self.path('t/bin')), body(self.path('t/lit.yaml')))
        # The required tool this machine lacks: its name stands in for it (lit would have stopped).
        self.assertIn("{match: '%gone', replace: gone}", body(self.path('t/lit.yaml')))
        self.assertEqual(body(self.path('t/sub/lit.local.yaml')),
                         'tools:\n  - {name: sub, search_paths: [/opt/x, /opt/y], quiet: true}\n')
        if os.access(LITBOX, os.X_OK):
            write(self.path('t/a.t'), '# RUN: true\n')
            p = subprocess.run([LITBOX, self.path('t/a.t')], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertRegex(p.stderr, r"lit\.yaml:\d+:5: note: using here: .*/t/bin/here\n"
                                       r".*lit\.yaml:\d+:5: fatal: couldn't find 'gone' program\n")

    def test_params_environment_and_python_are_noted(self):
        write(self.path('p/lit.cfg'), '''
            import os, sys
            import lit.formats
            config.test_format = lit.formats.ShTest()
            mode = lit_config.params.get('mode', 'Release')
            config.substitutions.append(('%mode', mode))
            config.substitutions.append(('%py', sys.executable))
            if os.environ.get('LITBOX_TEST_SWITCH'):
                config.available_features.add('switched')
            ''')
        env = dict(os.environ, LITBOX_TEST_SWITCH='1')
        rc, _, err = translate(self.path('p'), '-D', 'mode=Debug', '--python', '/opt/py/bin/python3', env=env)
        self.assertEqual(rc, 0, err)
        text = read(self.path('p/lit.yaml'))
        self.assertIn('# lit params given: mode=Debug\n', text)
        self.assertIn('# translated under this environment; the configs read: LITBOX_TEST_SWITCH (set)\n', text)
        self.assertIn('# lit params the configs read: mode (-D mode=Debug)\n', text)
        self.assertIn("  - {match: '%mode', replace: Debug}\n", text)
        self.assertIn("  - {match: '%py', replace: /opt/py/bin/python3}\n", text)
        self.assertIn('features: [switched]\n', text)

    def test_param_defaults_used_as_substitutions_stay_params(self):
        write(self.path('d/lit.cfg'), '''
            import lit.formats
            config.test_format = lit.formats.ShTest()
            config.substitutions.append(('%var', lit_config.params.get('var', '')))
            config.substitutions.append(('%mode', lit_config.params.get('mode', 'Release')))
            config.substitutions.append(('%both', lit_config.params.get('var', '') + '-x'))
            if lit_config.params.get('var', ''):
                config.available_features.add('var-set')
            ''')
        write(self.path('d/sub/lit.local.cfg'), '''
            config.substitutions.append(('%local', lit_config.params.get('local', 'L')))
            ''')
        rc, _, err = translate(self.path('d'))
        self.assertEqual(rc, 0, err)
        text = body(self.path('d/lit.yaml'))
        self.assertIn("params:\n  local: L\n  mode: Release\n  var: \"\"\n", text)
        self.assertIn("  - {match: '%var', replace: '${var}'}\n", text)
        self.assertIn("  - {match: '%mode', replace: '${mode}'}\n", text)
        # Computed from a default: the value, as before; so is the (false) condition.
        self.assertIn("  - {match: '%both', replace: '-x'}\n", text)
        self.assertNotIn('var-set', text)
        self.assertIn("'${local}'", body(self.path('d/sub/lit.local.yaml')))
        # Given at translation time: the given value, as before.
        rc, _, err = translate(self.path('d'), '-D', 'mode=Debug', '--force')
        self.assertEqual(rc, 0, err)
        self.assertIn("  - {match: '%mode', replace: Debug}\n", body(self.path('d/lit.yaml')))

    def test_half_migrated_tree_is_noted_with_the_excludes_line(self):
        # LLVM's suffixes include .yaml: while lit.cfg is still used, lit would run the generated
        # lit.yaml/lit.local.yaml as tests. The note gives the line that keeps them out.
        cfg = 'import lit.formats\nconfig.name = "h"\nconfig.suffixes = [".ll", ".yaml"]\n' \
              'config.test_format = lit.formats.ShTest()\n'
        write(self.path('h/lit.cfg.py'), cfg)
        write(self.path('h/sub/lit.local.cfg'), 'config.substitutions.append(("%x", "y"))\n')
        rc, out, err = translate(self.path('h'))
        self.assertEqual(rc, 0, err)
        line = "config.excludes = list(config.excludes) + ['lit.yaml', 'lit.local.yaml']"
        self.assertIn('note: as long as the lit configs are in use too, lit runs lit.yaml and lit.local.yaml as '
                      'tests (the suffixes include .yaml); to keep them out, add to ', err)
        self.assertTrue(err.rstrip().endswith('h/lit.cfg.py: ' + line), err)
        write(self.path('h/lit.cfg.py'), cfg + line + '\n')
        rc, out, err = translate(self.path('h'))
        self.assertNotIn('note:', err)

    @unittest.skipUnless(os.access(LITBOX, os.X_OK), 'no litbox binary (set LITBOX)')
    def test_litbox_runs_the_translation(self):
        self.suite()
        write(self.path('s/t1.txt'), '# RUN: %tool hi | grep "^tool hi$"\n# RUN: printenv LC_ALL | grep "^C$"\n')
        write(self.path('s/sub/t2.txt'), '# RUN: echo %extra | grep more\n# REQUIRES: feat-c\n')
        write(self.path('s/sub/t3.txt'), '# REQUIRES: feat-a\n# RUN: false\n')
        write(self.path('s/off/t4.txt'), '# RUN: false\n')
        write(self.path('s/pre/t5.c'), '// RUN: test "%first" = one\n')
        self.assertEqual(translate(self.path('s'))[0], 0)
        out = os.path.join(self.dir, 'results.json')
        p = subprocess.run([LITBOX, '-q', '-o', out, self.path('s')], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        codes = {t['name']: t['code'] for t in json.load(open(out))['tests']}
        self.assertEqual(codes, {'demo :: t1.txt': 'PASS', 'demo :: sub/t2.txt': 'PASS',
                                 'demo :: sub/t3.txt': 'UNSUPPORTED', 'demo :: sub/a.txt': 'PASS',
                                 'demo :: off/t4.txt': 'UNSUPPORTED', 'demo :: pre/t5.c': 'PASS'}, p.stdout)


@unittest.skipUnless(REAL_LIT, "needs LLVM's lit package (llvm-*-tools)")
class ShimAgreesWithLit(TempDir):
    def test_same_files(self):
        src = os.path.join(LIT_SRC, 'tests/Inputs')
        if not os.path.isdir(src):
            self.skipTest('no lit sources (scripts/fetch-llvm-tests.sh)')
        names = ['shtest-format', 'googletest-format', 'parallelism-groups', 'shtest-env',
                 'discovery', 'standalone-tests', 'use-llvm-tool', 'test_retry_attempts']
        for name in names:
            for which in ('real', 'shim'):
                shutil.copytree(os.path.join(src, name), self.path(which, name), symlinks=True)
                extra = ['--shim'] if which == 'shim' else ['--lit-dir', REAL_LIT[-1]]
                rc, _, err = translate(self.path(which, name), '--lit-version', '15', *extra)
                self.assertEqual(rc, 0, '%s %s: %s' % (which, name, err))
            for real in sorted(glob.glob(self.path('real', name, '**/lit*.yaml'), recursive=True)):
                shim = real.replace(self.path('real'), self.path('shim'))
                strip = lambda p: re.sub(r'(digest [0-9a-f]+|# translated with .*|%s)' % re.escape(
                    os.path.dirname(os.path.dirname(p))), '', read(p))
                self.assertEqual(strip(shim), strip(real), real)


@unittest.skipUnless(os.path.isdir(LIT_SRC), 'no lit sources (scripts/fetch-llvm-tests.sh)')
class LitOwnConfigs(TempDir):
    """lit's example and test-input configs: translated, or what cannot be is reported."""
    EXPECTED = {
        # suite config: (exit status, text on stderr)
        'Inputs/custom-result-category/lit.cfg': (1, 'custom-result-category/lit.cfg:8: cannot represent: '
                                                     'test format format.MyFormat is a subclass of ShTest'),
        'Inputs/googletest-timeout/lit.cfg': (1, "cannot represent: environment['GTEST_FILTER'] = None"),
        'Inputs/test-data/lit.cfg': (1, 'test-data/lit.cfg:7: cannot represent: custom test format '
                                        'dummy_format.DummyFormat'),
        'Inputs/test-data-micro/lit.cfg': (1, 'test-data-micro/lit.cfg:7: cannot represent: custom test '
                                              'format dummy_format.DummyFormat'),
        'Inputs/testrunner-custom-parsers/lit.cfg': (1, 'testrunner-custom-parsers/lit.cfg:11: cannot represent: '
                                                        'custom test format'),
        'Inputs/xunit-output/lit.cfg': (1, 'xunit-output/lit.cfg:7: cannot represent: custom test format '
                                           'dummy_format.DummyFormat'),
        'examples/many-tests/lit.cfg': (1, 'many-tests/lit.cfg:8: cannot represent: custom test format '
                                           'ManyTests.ManyTests'),
        # lit itself refuses these.
        'Inputs/exec-discovery-in-tree/lit.cfg': (2, 'fatal: No site specific configuration'),
        'Inputs/shtest-recursive-substitution/negative-integer/lit.cfg': (2, 'must be a non-negative integer'),
        'Inputs/shtest-recursive-substitution/not-an-integer/lit.cfg': (2, 'must be either None or an integer'),
        # use_llvm_tool(required=True) of a tool this machine lacks: litbox looks it up when it
        # runs the tests (tools:), so the translation goes on.
    }

    def test_every_suite(self):
        for d in ('tests/Inputs', 'examples'):
            shutil.copytree(os.path.join(LIT_SRC, d), self.path(os.path.basename(d)), symlinks=True)
        configs = sorted(os.path.relpath(p, self.dir) for p in glob.glob(self.path('**/lit*.cfg*'), recursive=True)
                         if re.search(r'/lit(\.site)?\.cfg(\.py)?$', p))
        self.assertGreater(len(configs), 50)
        for cfg in configs:
            rc, out, err = translate(cfg, cwd=self.dir)
            want_rc, want_err = self.EXPECTED.get(cfg, (0, ''))
            self.assertEqual(rc, want_rc, '%s: %s' % (cfg, err))
            self.assertIn(want_err, err, cfg)
            if rc != 2:
                self.assertIn('wrote ', out + err.replace('unchanged', 'wrote '), cfg)
        # Spot checks of what lit's configs say.
        self.assertIn('gtest_sub_dirs: [DummySubDir]\ngtest_suffix: Test\n', read(self.path('Inputs/googletest-format/lit.yaml')))
        # run_under=[sys.executable]: the Python the translator ran lit's config under.
        self.assertRegex(read(self.path('Inputs/googletest-cmd-wrapper/lit.yaml')),
                         r'gtest_suffix: \.exe\ngtest_run_under: \[/\S*python3[.0-9]*\]\n')
        self.assertIn('recursive_expansion_limit: 2\n', read(self.path(
            'Inputs/shtest-recursive-substitution/does-not-substitute-within-limit/lit.yaml')))
        self.assertIn('parallelism_groups:\n  my_group: null\n', read(self.path('Inputs/parallelism-groups/lit.yaml')))
        self.assertIn('format: sh-external\n', read(self.path('Inputs/shtest-format/external_shell/lit.local.yaml')))
        self.assertIn('standalone_tests: true\n', read(self.path('Inputs/standalone-tests/lit.yaml')))
        self.assertIn('suite: ..\n', read(self.path('Inputs/exec-discovery-in-tree/obj/lit.site.yaml')))
        # Loaded by two site configs, discovery/lit.cfg also loads on its own: lit runs it so
        # from its source directory, and so does litbox (no site_configs); its lit.yaml is its
        # own translation, which each site's lit.site.yaml completes.
        discovery = read(self.path('Inputs/discovery/lit.yaml'))
        self.assertNotIn('site_configs', discovery)
        self.assertIn('features: [feature1, feature2]\n', discovery)
        self.assertIn('suite: ../discovery\n', read(self.path('Inputs/py-config-discovery/lit.site.yaml')))
        # One that needs its site config's facts keeps the mapping, as llvm-lit has it.
        self.assertIn('site_configs: [obj]\n', read(self.path('Inputs/exec-discovery-in-tree/lit.yaml')))
        self.assertIn("\n  - {name: not-found, search_paths: [%s], required: true}\n"
                      % self.path('Inputs/use-llvm-tool-required'),
                      read(self.path('Inputs/use-llvm-tool-required/lit.yaml')))


@unittest.skipUnless(os.path.isfile(os.path.join(LLVM_TEST, 'lit.cfg.py')) and REAL_LIT,
                     "needs LLVM 15's llvm/test (scripts/fetch-llvm-tests.sh) and lit")
class LLVMConfigs(TempDir):
    """LLVM 15's llvm/test configs with the site config make-lit-site-config writes for Debian."""

    # The directories scripts/fetch-llvm-tests.sh unpacks by default: with LITBOX_LLVM_TESTS=all
    # there are more (tools/UpdateTestChecks' config needs llvm/utils' scripts beside it).
    KEPT = {'.': ('FileCheck', 'Bitcode', 'Assembler', 'tools'), 'tools': ('split-file', 'yaml2obj', 'llvm-objdump')}

    @classmethod
    def ignored(cls, directory, names):
        skip = set(shutil.ignore_patterns('lit.yaml', 'lit.local.yaml', 'Output')(directory, names))
        kept = cls.KEPT.get(os.path.relpath(directory, LLVM_TEST))
        if kept is not None:
            skip |= {n for n in names if os.path.isdir(os.path.join(directory, n)) and n not in kept}
        return skip

    def setUp(self):
        super().setUp()
        shutil.copytree(LLVM_TEST, self.path('src/llvm/test'), ignore=self.ignored)
        subprocess.run([os.path.join(HERE, 'llvm/make-lit-site-config'), '--src', self.path('src/llvm'),
                        '--build', self.path('build')], check=True, stdout=subprocess.DEVNULL)
        self.rc, self.out, self.err = translate(self.path('build/test'))

    def lit_dump(self, *dirs):
        cmd = [os.path.join(HERE, 'llvm/dump-lit-config'), '--lit-dir', REAL_LIT[-1], '--config-map',
               self.path('src/llvm/test/lit.cfg.py') + '=' + self.path('build/test/lit.site.cfg.py')]
        out = subprocess.run(cmd + [self.path('src/llvm/test', d) for d in dirs], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        return json.loads(out)['suites'][0]

    @unittest.skipUnless(yaml, 'needs PyYAML to read the YAML back')
    def test_root_matches_lit(self):
        self.assertEqual(self.rc, 0, self.err)
        site = yaml.safe_load(open(self.path('build/test/lit.site.yaml')))
        suite = yaml.safe_load(open(self.path('src/llvm/test/lit.yaml')))
        lit_root = self.lit_dump('FileCheck')['dirs']['']
        params = {k: str(v) for k, v in site['params'].items()}
        self.assertEqual(site['suite'], '../../src/llvm/test')
        self.assertEqual(set(site['features']), set(lit_root['available_features']))
        # Every substitution, in lit's order, with lit's exact pattern and replacement.
        ours = [(interpolate(s.get('regex', s.get('match')), params), interpolate(s['replace'], params))
                for s in suite['substitutions']]
        self.assertEqual(ours, [tuple(x) for x in lit_root['substitutions']])
        self.assertIn({'regex': r'(?<!(\.|\-|\^|/|\\|<))\bFileCheck\b(?!(\-|\.))',
                       'replace': '${llvm_tools_dir}/FileCheck'}, suite['substitutions'])
        self.assertEqual(sorted(suite['suffixes']), lit_root['suffixes'])
        self.assertEqual(sorted(suite['excludes']), lit_root['excludes'])
        self.assertEqual(suite['format'], 'sh-external' if lit_root['test_format']['execute_external'] else 'sh')
        self.assertEqual(suite['lit_version'], 15)
        env = {k: interpolate(v, params) for k, v in suite['environment']['set'].items()}
        for k, v in env.items():
            self.assertEqual(v, lit_root['environment'][k], k)
        self.assertIn('HOME', suite['environment']['pass'])
        self.assertNotIn(self.path('build'), read(self.path('src/llvm/test/lit.yaml')))

    def test_local_configs(self):
        self.assertEqual(self.rc, 0, self.err)
        self.assertEqual(body(self.path('src/llvm/test/FileCheck/lit.local.yaml')), textwrap.dedent('''
            format: sh
            substitutions:
              add:
                - {match: '%ProtectFileCheckOutput', replace: env -u FILECHECK_OPTS}
            ''').lstrip())
        self.assertEqual(body(self.path('src/llvm/test/tools/llvm-objdump/XCOFF/lit.local.yaml')),
                         "when: [{if: '!powerpc-registered-target', then: {unsupported: true}}]\n")
        # Every lit.local.cfg lit reaches has its YAML.
        cfgs = glob.glob(self.path('src/llvm/test/**/lit.local.cfg'), recursive=True)
        self.assertGreater(len(cfgs), 10)
        for cfg in cfgs:
            self.assertTrue(os.path.exists(os.path.join(os.path.dirname(cfg), 'lit.local.yaml')), cfg)

    def test_idempotent_and_shim(self):
        files = sorted(glob.glob(self.path('**/lit*.yaml'), recursive=True))
        before = {f: read(f) for f in files}
        rc, out, _ = translate(self.path('build/test'))
        self.assertEqual((rc, out.count('unchanged')), (0, len(files)))
        self.assertEqual({f: read(f) for f in files}, before)
        # The built-in stand-in for lit gives the same files for LLVM's configs.
        rc, out, err = translate(self.path('build/test'), '--shim', '--lit-version', '15', '--check')
        self.assertIn('would update %s\n' % self.path('build/test/lit.site.yaml'), out)
        changed = [line for line in out.splitlines() if line.startswith('would ')]
        self.assertEqual(len(changed), 2, out)  # only lit.site.yaml and lit.yaml say which lit was used
        rc, out, err = translate(self.path('build/test'), '--shim', '--lit-version', '15', '--force')
        self.assertEqual(rc, 0, err)
        for f in files:
            self.assertEqual(re.sub(r'digest \w+|# translated with .*', '', read(f)),
                             re.sub(r'digest \w+|# translated with .*', '', before[f]), f)

    @unittest.skipUnless(os.access(LITBOX, os.X_OK), 'no litbox binary (set LITBOX)')
    def test_litbox_gives_lit_results(self):
        self.assertEqual(self.rc, 0, self.err)
        p = subprocess.run([os.path.join(HERE, 'compare-with-lit'), '--litbox', LITBOX,
                            '--lit', self.path('build/bin/llvm-lit'), '--out', self.path('cmp'),
                            self.path('src/llvm/test/FileCheck')],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertIn('differences: 0', p.stdout)
        self.assertEqual(p.returncode, 0, p.stdout)



# ---- libc++ (LLVM 15's libcxx/test: CxxStandardLibraryTest, configured in the build) -------------

LIBCXX_SRC = os.environ.get('LIBCXX_SRC') or os.path.join(ROOT, 'third_party/llvm-src')
CANARY = ('lit_config.fatal(\n'
          '    "You seem to be running Lit directly -- you should be running Lit through "\n'
          '    "<build>/bin/llvm-lit, which will ensure that the right Lit configuration "\n'
          '    "file is used.")\n')


class LibcxxMiniature(TempDir):
    """A small tree shaped like libc++'s (format module, canary, cmake-bridge.cfg, the kinds of
    lit.local.cfg libcxx/test has), translated with whichever lit is found."""

    def tree(self, build='build', flags='-std=c++2b -Werror', include='/opt/libcxx/include',
             executor="'\"/usr/bin/python3\" %s/utils/run.py'"):
        if not os.path.isdir(self.path('src')):
            write(self.path('src/libcxx/utils/libcxx/__init__.py'), '')
            write(self.path('src/libcxx/utils/libcxx/test/__init__.py'), '')
            write(self.path('src/libcxx/utils/libcxx/test/format.py'), '''
                import lit.formats
                class CxxStandardLibraryTest(lit.formats.TestFormat):
                    def addCompileFlags(self, config, *flags):
                        string = ' '.join(flags)
                        config.substitutions = [(s, x + ' ' + string) if s == '%{compile_flags}' else (s, x)
                                                for (s, x) in config.substitutions]
                ''')
            write(self.path('src/libcxx/test/lit.cfg.py'), CANARY)
            write(self.path('src/libcxx/test/std/re/lit.local.cfg'), '''
                if 'no-localization' in config.available_features:
                  config.unsupported = True
                ''')
            write(self.path('src/libcxx/test/libcxx/re/lit.local.cfg'), '''
                import os
                inLibcxx = os.path.join('libcxx', 'test', 'libcxx')
                inStd = os.path.join('libcxx', 'test', 'std')
                localConfig = os.path.normpath(os.path.realpath(__file__)).replace(inLibcxx, inStd)
                config.load_from_path(localConfig, lit_config)
                ''')
            write(self.path('src/libcxx/test/std/coro/lit.local.cfg'), '''
                if 'fcoroutines-ts' not in config.available_features:
                  config.unsupported = True
                else:
                  config.test_format.addCompileFlags(config, '-fcoroutines-ts')
                  config.test_format.addCompileFlags(config, '-Wno-coroutine')
                ''')
            write(self.path('src/libcxx/test/std/fs/lit.local.cfg'), '''
                too_old = {'10.9', '10.10'}
                if 'use_system_cxx_lib' in config.available_features:
                  if any('target=x86_64-apple-macosx{}'.format(v) in config.available_features for v in too_old):
                    config.unsupported = True
                if 'no-filesystem' in config.available_features:
                    config.unsupported = True
                ''')
            write(self.path('src/libcxx/test/libcxx/lit.local.cfg'), '''
                import pipes, sys
                config.substitutions.append(('%{python}', pipes.quote(sys.executable)))
                ''')
            write(self.path('src/libcxx/test/libcxx/dsl/lit.local.cfg'), '''
                import base64, pickle
                escaped = base64.b64encode(pickle.dumps(config.substitutions)).decode()
                config.substitutions.append(('%{substitutions}', escaped))
                ''')
        libcxx = self.path('src/libcxx')
        write(self.path(build, 'test/cmake-bridge.cfg'), '''
            import os, site
            site.addsitedir(os.path.join(%(libcxx)r, 'utils'))
            import libcxx.test.format
            config.target_triple = "x86_64-pc-linux-gnu"
            config.name = 'llvm-libc++-shared.cfg.in'
            config.test_source_root = os.path.join(%(libcxx)r, 'test')
            config.test_format = libcxx.test.format.CxxStandardLibraryTest()
            config.recursiveExpansionLimit = 10
            config.test_exec_root = os.path.join(%(build)r, 'test')
            config.substitutions.append(('%%{cxx}', '/usr/bin/clang++-15'))
            config.substitutions.append(('%%{libcxx}', %(libcxx)r))
            config.substitutions.append(('%%{include}', %(include)r))
            config.substitutions.append(('%%{target-include}', %(include)r))
            config.substitutions.append(('%%{lib}', '/opt/libcxx/lib'))
            config.substitutions.append(('%%{executor}', %(executor)s))
            ''' % {'libcxx': libcxx, 'build': self.path(build), 'include': include,
                   'executor': executor % libcxx if '%s' in executor else executor})
        write(self.path(build, 'test/lit.site.cfg'), '''
            import os
            lit_config.load_config(config, %r)
            config.substitutions.append(('%%{flags}', ''))
            config.substitutions.append(('%%{compile_flags}', '-nostdinc++ -I %%{include} %s'))
            config.substitutions.append(('%%{link_flags}', '-nostdlib++ -L %%{lib} -lc++'))
            config.substitutions.append(('%%{exec}',
                '%%{executor} --execdir %%T -- '
            ))
            config.environment = dict(os.environ)
            config.environment['LIBCXX_MINI'] = '1'
            for f in ['verify-support', 'fcoroutines-ts', 'c++2b']:
                config.available_features.add(f)
            ''' % (self.path(build, 'test/cmake-bridge.cfg'), flags))
        return self.path(build, 'test/lit.site.cfg')

    def local(self, d):
        return body(self.path('src/libcxx/test', d, 'lit.local.yaml'))

    def test_build_config_goes_to_the_site_and_format_is_libcxx(self):
        rc, out, err = translate(self.tree(), '--lit-version', '15')
        # The pickled substitutions of the dsl self-tests are the one thing reported.
        self.assertEqual(rc, 1, err)
        problems = [line for line in err.splitlines() if 'cannot represent' in line]
        self.assertEqual(len(problems), 1, err)
        self.assertRegex(problems[0], r'libcxx/dsl/lit\.local\.cfg:2: cannot represent: substitution '
                                      r'%\{substitutions\} is a pickle')
        self.assertEqual(body(self.path('src/libcxx/test/lit.yaml')),
                         'format: libcxx\nlit_version: 15\ntriple_substring_match: true\n'
                         'recursive_expansion_limit: 10\n')
        site = read(self.path('build/test/lit.site.yaml'))
        site_body = body(self.path('build/test/lit.site.yaml'))
        self.assertIn('suite: ../../src/libcxx/test\n', site_body)
        self.assertIn("  compile_flags: '-nostdinc++ -I %{include} -std=c++2b -Werror'\n", site_body)
        self.assertIn("  - {match: '%{compile_flags}', replace: '${compile_flags}'}\n", site_body)
        self.assertIn("  - {match: '%{target-include}', replace: '${target_include}'}\n", site_body)
        self.assertIn('name: llvm-libc++-shared.cfg.in\n', site_body)
        self.assertIn('features: [c++2b, fcoroutines-ts, verify-support]\n', site_body)
        # run.py's %{exec} is dropped (litbox's own applies), and a note says so.
        self.assertNotIn("'%{exec}'", site_body)
        self.assertRegex(site, r"# %\{exec\} \(lit\.site\.cfg:6\) is libc\+\+'s local executor")
        # dict(os.environ) is not frozen into the YAML; what the config set itself is kept.
        self.assertIn("environment:\n  set:\n    LIBCXX_MINI: '1'\n", site_body)
        self.assertNotIn('HOME', site_body)
        self.assertRegex(site, r'# config\.environment = dict\(os\.environ\) \(lit\.site\.cfg:9\)')
        self.assertEqual(self.local('std/re'), 'when: [{if: no-localization, then: {unsupported: true}}]\n')
        # load_from_path of the std/ counterpart: that file's condition.
        self.assertEqual(self.local('libcxx/re'), 'when: [{if: no-localization, then: {unsupported: true}}]\n')
        self.assertEqual(self.local('std/coro'), textwrap.dedent('''\
            when:
              - {if: '!fcoroutines-ts', then: {unsupported: true}}
              - {if: fcoroutines-ts, then: {substitutions: {add: [{match: '%{compile_flags}', replace: '${compile_flags} -fcoroutines-ts -Wno-coroutine'}]}}}
            '''))
        self.assertEqual(self.local('std/fs'), textwrap.dedent('''\
            when:
              - {if: 'use_system_cxx_lib && (target=x86_64-apple-macosx10.10 || target=x86_64-apple-macosx10.9)', then: {unsupported: true}}
              - {if: no-filesystem, then: {unsupported: true}}
            '''))
        self.assertEqual(self.local('libcxx'), "substitutions:\n  add:\n    - {match: '%{python}', replace: '${python}'}\n")
        self.assertEqual(self.local('libcxx/dsl'), 'unsupported: true\n')

    def test_another_build_writes_the_same_source_tree_files(self):
        translate(self.tree(), '--lit-version', '15')
        first = {p: read(p) for p in glob.glob(self.path('src/**/lit*.yaml'), recursive=True)}
        rc, _, err = translate(self.tree(build='build2', flags='-std=c++17', include='/other/include'),
                               '--lit-version', '15')
        self.assertEqual(rc, 1, err)
        second = {p: read(p) for p in glob.glob(self.path('src/**/lit*.yaml'), recursive=True)}
        self.assertEqual(first, second)
        self.assertIn("  compile_flags: '-nostdinc++ -I %{include} -std=c++17'\n",
                      body(self.path('build2/test/lit.site.yaml')))

    def test_ssh_executor_becomes_a_target(self):
        translate(self.tree(executor="'/usr/bin/python3 %s/utils/ssh.py --host ci@board'"))
        site = read(self.path('build/test/lit.site.yaml'))
        self.assertIn('target: {executor: ssh, ssh: {host: board, user: ci}}\n', site)
        self.assertNotIn("'%{exec}'", site)
        self.assertIn("libc++'s ssh.py executor", site)

    def test_qemu_executor_is_litbox_s_own_emulation(self):
        translate(self.tree(executor="'/usr/bin/python3 /b/bin/qemu_run.py --qemu /usr/bin/qemu-aarch64 "
                                     "-L /usr/aarch64-linux-gnu'"))
        site = read(self.path('build/test/lit.site.yaml'))
        self.assertIn('target: {sysroot: /usr/aarch64-linux-gnu}\n', site)
        self.assertNotIn("'%{exec}'", site)
        self.assertIn("runs the programs under qemu-aarch64: dropped", site)

    def test_the_build_s_directories_are_visible_in_the_cells(self):
        translate(self.tree())
        site = read(self.path('build/test/lit.site.yaml'))
        self.assertRegex(site, r"sandbox: \{readonly: \[.*'/opt/libcxx/include'")

    def test_other_executor_is_kept(self):
        translate(self.tree(executor="'/opt/my-runner'"))
        site = read(self.path('build/test/lit.site.yaml'))
        self.assertIn('{match: \'%{exec}\', replace: "%{executor} --execdir %T -- "}', site)
        self.assertIn('is neither run.py nor ssh.py: kept as is', site)

    def test_the_canary_names_the_site_config(self):
        self.tree()
        rc, _, err = translate(self.path('src/libcxx/test'))
        self.assertEqual(rc, 2)
        self.assertIn("translate the build's site config instead", err)
        self.assertFalse(glob.glob(self.path('src/**/lit*.yaml'), recursive=True))


@unittest.skipUnless(REAL_LIT and shutil.which('clang++-15') and os.path.isdir('/usr/lib/llvm-15/include/c++/v1')
                     and os.path.isfile(os.path.join(LIBCXX_SRC, 'libcxx/test/configs/cmake-bridge.cfg.in')),
                     "needs libc++ 15's sources (scripts/fetch-llvm-tests.sh, or LIBCXX_SRC), clang++-15, "
                     "libc++-15-dev and LLVM's lit")
class LibcxxReal(TempDir):
    """libc++ 15's own configs: tests/libcxx/setup-build.sh writes the build dir as CMake would,
    and the translator runs the DSL's feature probes with the real lit."""

    def test_translation(self):
        src = self.path('src')
        for d in ('test', 'utils'):
            shutil.copytree(os.path.join(LIBCXX_SRC, 'libcxx', d), os.path.join(src, 'libcxx', d), symlinks=True,
                            ignore=shutil.ignore_patterns('lit*.yaml', '__pycache__', 'Output'))
        subprocess.run([os.path.join(ROOT, 'tests/libcxx/setup-build.sh'), src, self.path('build')],
                       check=True, stdout=subprocess.DEVNULL)
        rc, _, err = translate(self.path('build/test'))
        problems = [line for line in err.splitlines() if 'cannot represent' in line]
        self.assertEqual(len(problems), 1, err)
        self.assertIn('libcxx/selftest/dsl/lit.local.cfg:13: cannot represent: substitution %{substitutions} '
                      'is a pickle', problems[0])
        self.assertEqual(rc, 1)
        site = body(self.path('build/test/lit.site.yaml'))
        for feature in ('verify-support', 'c++2b', 'stdlib=libc++'):
            self.assertRegex(site, r"\n  - '?%s'?\n" % re.escape(feature))
        self.assertNotIn("'%{exec}'", site)
        self.assertIn("  - {match: '%{cxx}', replace: '${cxx}'}\n", site)
        self.assertIn('recursive_expansion_limit: 10\n', body(self.path('src/libcxx/test/lit.yaml')))
        self.assertIn('format: libcxx\n', body(self.path('src/libcxx/test/lit.yaml')))
        self.assertIn('  - {if: no-filesystem, then: {unsupported: true}}\n',
                      body(self.path('src/libcxx/test/libcxx/input.output/filesystems/lit.local.yaml')))
        self.assertEqual(body(self.path('src/libcxx/test/libcxx/input.output/file.streams/lit.local.yaml')),
                         'when: [{if: no-localization, then: {unsupported: true}}]\n')
        # Translating again changes nothing (exit 1: the problem above is reported again).
        rc, out, err = translate(self.path('build/test/lit.site.cfg'), '--check')
        self.assertEqual(rc, 1, err)
        self.assertEqual([line for line in out.splitlines() if not line.startswith('unchanged ')], [])


if __name__ == '__main__':
    unittest.main()

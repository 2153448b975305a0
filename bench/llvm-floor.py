#!/usr/bin/python3
"""Writes the bare commands of lit tests as bash scripts: the floor a test runner can reach.

For every test lit discovers under the given paths, lit's own code (TestRunner's
parseIntegratedTestScript, getDefaultSubstitutions, applySubstitutions) turns its RUN lines into
the commands lit would run; they are written to OUT/NNNN.sh the way lit's external shell runs
them (`set -o pipefail`, `{ cmd; } && { cmd; }`), preceded by the test's environment and
`cd` to its directory. OUT/all.txt lists the scripts. Running them is up to the caller:
  xargs -P2 -n1 bash < OUT/all.txt
Tests lit would not run (UNSUPPORTED by REQUIRES/UNSUPPORTED, or without RUN lines) are left
out; the count written is printed.

Usage: bench/llvm-floor.py [--lit-dir DIR] [--config-map SRC=SITE]... OUT PATH...
"""
import argparse
import os
import re
import shlex
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lit-dir', default='/usr/lib/llvm-15/build/utils/lit')
    ap.add_argument('--config-map', action='append', default=[])
    ap.add_argument('out')
    ap.add_argument('paths', nargs='+')
    args = ap.parse_args()
    sys.path.insert(0, args.lit_dir)
    import lit.LitConfig
    import lit.TestRunner as TR
    import lit.discovery
    import lit.util

    config_map = {}
    for item in args.config_map:
        src, _, site = item.partition('=')
        config_map[os.path.normcase(os.path.realpath(src))] = os.path.normpath(os.path.abspath(site))
    params = {'build_mode': '.'}
    if config_map:
        params['config_map'] = config_map
    lit_config = lit.LitConfig.LitConfig(
        progname='lit', path=[], quiet=True, useValgrind=False, valgrindLeakCheck=False,
        valgrindArgs=[], noExecute=False, debug=False, isWindows=False, order='smart',
        params=params)
    tests = lit.discovery.find_tests_for_inputs(lit_config, args.paths, False)
    os.makedirs(args.out, exist_ok=True)
    written = []
    for test in tests:
        if not type(test.config.test_format).__name__ == 'ShTest':
            continue
        script = TR.parseIntegratedTestScript(test)
        if isinstance(script, lit.Test.Result):
            continue  # no RUN lines, or a parse error
        if test.config.unsupported or test.getMissingRequiredFeatures() or test.getUnsupportedFeatures():
            continue
        tmp_dir, tmp_base = TR.getTempPaths(test)
        subs = list(test.config.test_format.extra_substitutions if hasattr(test.config.test_format, 'extra_substitutions') else [])
        subs += TR.getDefaultSubstitutions(test, tmp_dir, tmp_base, normalize_slashes=True)
        script = TR.applySubstitutions(script, subs, recursion_limit=test.config.recursiveExpansionLimit)
        commands = []
        for ln in script:
            m = re.match(TR.kPdbgRegex, ln)
            if m:
                ln = m.expand(": '\\1'; \\2" if m.group(2) else ": '\\1'")
            commands.append(ln)
        lit.util.mkdir_p(os.path.dirname(tmp_base))
        lines = ['export %s=%s' % (k, shlex.quote(v)) for k, v in sorted(test.config.environment.items())]
        lines.append('cd %s || exit 1' % shlex.quote(os.path.dirname(test.getExecPath())))
        lines.append('set -o pipefail')
        lines.append('{ ' + '; } &&\n{ '.join(commands) + '; }')
        path = os.path.join(args.out, '%05d.sh' % len(written))
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        written.append(path)
    with open(os.path.join(args.out, 'all.txt'), 'w') as f:
        f.write('\n'.join(written) + '\n')
    print(len(written))


if __name__ == '__main__':
    main()

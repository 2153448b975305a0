#!/usr/bin/env python3
"""Prints lit_cases.inc: real lit 15 (execute_external=False) runs each script below as a
test and this records the expanded RUN lines, the exit code and lit's log, with the test's
directory replaced by {DIR}. litbox's interpreter must reproduce them byte for byte.
Run: /usr/bin/python3 gen_lit_cases.py > lit_cases.inc   (needs /usr/lib/llvm-15)"""
import json, os, subprocess, sys, tempfile

LIT = '/usr/lib/llvm-15/build/utils/lit/lit.py'

CASES = [
    ['echo hello world', 'true'],
    ['echo -n abc', 'echo -e "a\\tb\\x41"', 'echo -n -e -x "x\\ny"'],
    ['echo "-D FOO" bar'],
    ['false'],
    ['true || false', 'false || echo recovered'],
    ['false ; echo after', 'true && echo and'],
    ['true && false && echo never'],
    ['not true'],
    ['not false', '! false', 'not not true', 'not not false'],
    ['! ! false'],
    ['not echo builtin'],
    ['not cd .'],
    ['not'], ['!'], ['env'], ['env A=1 not'],
    ['env A=1 B=2 sh -c "echo $A$B"', 'env -u PATH A=3 /bin/sh -c "echo $A-$PATH-"'],
    ['export X=exported', 'sh -c "echo $X"', 'export -u X', 'sh -c "echo [$X]"'],
    ['env X=1 cd .'], ['env X=1 echo hi'], ['not --crash cd .'],
    ['cd . | cat'], ['echo a | cd .'], ['echo piped | cat'],
    ['echo abc > %t.out', 'cat %t.out', 'echo def >> %t.out', 'cat %t.out'],
    ['echo x > %t.a', 'cat %t.a %t.missing'],
    ['cat %t.missing'],
    ['cat'], ['echo stdin | cat'],
    ['cat -v %s'], ['cat -n %s'],
    ['sh -c "echo OUT; echo ERR >&2; exit 3"'],
    ['sh -c "echo OUT; echo ERR >&2; exit 3" > %t.o 2>&1'],
    ['sh -c "echo OUT; echo ERR >&2; exit 3" 2>&1 > %t.o | cat'],
    ['sh -c "echo OUT; echo ERR >&2" 2>&1 | grep -c .'],
    ['sh -c "echo OUT; echo ERR >&2; exit 4" &> %t.both'],
    ['sh -c "echo OUT; echo ERR >&2; exit 5" >& %t.both2'],
    ['sh -c "echo ERR >&2; exit 6" 2> %t.err', 'true'],
    ['sh -c "echo ERR >&2; exit 6" 2>> %t.err2'],
    ['sh -c "echo E1 >&2; echo O1" | sh -c "cat; echo E2 >&2; exit 2"'],
    ['echo foo | true'],
    ['echo a 1> %t.x'], ['echo a 3> %t.x'], ['true 2>&3'], ['true <& %t.x'], ['true 2<& %t.x'],
    ['echo a 2> %t.x'], ['echo a < %s'], ['echo a &> %t.x'], ['echo a > %t.y', 'cat %t.y'],
    ['true < %t.nonexistent'],
    ['true > %t.nodir/x'],
    ['true 2>&0'], ['true 2>&2'], ['true 2>&01'], ['true 2>&12'], ['true 2>&file'],
    ['nonexistent_command_xyz a b'],
    ['./nonexistent.sh'],
    ['cd %T', 'pwd', 'cd ..', 'pwd', 'cd %T/../Output', 'pwd'],
    ['pushd %T', 'pwd', 'popd', 'pwd'],
    ['popd'], ['popd x'], ['cd a b'], ['pushd'],
    ['mkdir %t.d', 'mkdir %t.d', 'mkdir -p %t.d/x/y', 'ls %t.d/x'],
    ['mkdir'], ['mkdir -z x'], ['mkdir %t.nope/a/b'],
    ['rm %t.missing'], ['rm -f %t.missing'], ['rm'], ['rm -x f'], ['rm --recursive f'],
    ['mkdir -p %t.rd/sub', 'echo x > %t.rd/sub/f', 'rm %t.rd'],
    ['mkdir -p %t.rd2/sub', 'echo x > %t.rd2/sub/f', 'rm -r %t.rd2', 'ls %t.rd2'],
    ['echo a > %t.g1', 'echo b > %t.g2', 'cat %t.g*', 'cat %t.g?', 'ls %t.nomatch*'],
    ['mkdir -p %t.gd', 'echo 1 > %t.gd/a.txt', 'echo 2 > %t.gd/b.txt', 'echo 3 > %t.gd/.hidden.txt',
     'cd %t.gd', 'ls *.txt', 'ls "*.txt"', 'cat ?.txt', 'ls .*.txt'],
    ['mkdir -p %t.gr', 'echo 1 > %t.gr/a', 'echo 2 > %t.gr/b', 'cd %t.gr', 'echo z > *'],
    ['mkdir -p %t.gr2', 'echo 1 > %t.gr2/only', 'cd %t.gr2', 'cat < o*'],
    ['echo x*'],
    ['printf "a\\nb\\n" > %t.d1', 'printf "a\\nc\\n" > %t.d2', 'diff %t.d1 %t.d2'],
    ['printf "a\\nb\\n" > %t.u1', 'printf "a\\nc\\n" > %t.u2', 'diff -u %t.u1 %t.u2 | grep -v "^[-+][-+]"'],
    ['printf "a\\n" > %t.s1', 'cat %t.s1 | diff %t.s1 -'],
    ['printf "a\\n" > %t.n1', 'not diff %t.n1 %t.n1'],
    ['diff %t.one'],
    ['sh -c "kill -9 $$"'],
    ['sh -c "kill -15 $$" | true'],
    ['true | sh -c "exit 3" | true', 'true'],
    ['sh -c "exit 3" | sh -c "exit 4" | true'],
    ['not sh -c "exit 3" | true'],
    ['not --crash true'],
    ['not --crash sh -c "kill -6 $$"'],
    ['wc -c'],
    ['true a\\ b "c d" \'e"f\' g\'h\'i'],
    ['echo $HOME `pwd`'],
    ['( true )'],
    ['true &'], ['true & true'], ['true |& true'], ['true |'], ['true ;'], ['true && '],
    ['true >'], ['true > ""'], ['true > | true'], ['true << EOF'], ['true <> f'],
    ['export A B'], ['export'],
    [': "RUN: nothing" ; :'],
    ['echo "unterminated'],
    ['sh -c "printf \'x\\r\\ny\\rz\\n\'"'],
    ['sh -c "printf \'\\377\\376\\n\'"'],
    ['sh -c "printf \'\\377\\376\\n\' >&2; exit 1"'],
    ['sh -c "printf \'\\377\\376\\n\' >&2" | true'],
    ['sh -c "printf \'\\377\\376\\n\' >&2" 2>&1 | cat -v'],
    ['sh -c "head -c 3000 /dev/zero | tr \\"\\\\\\\\000\\" x; exit 1" > %t.big'],
    ['echo "   " > %t.blank', 'false > %t.blank2'],
    ['sh -c "echo \'   \'"', 'sh -c "echo \'   \' >&2"'],
    ['echo one > %t.m1', 'sh -c "exit 1" > %t.m1 | sh -c "exit 2" > %t.m2'],
    ['cd %t.nonexist', 'true'],
    ['echo x > %t.noexec', '%t.noexec'],
    ['printf "echo hi\\n" > %t.noshebang', 'chmod +x %t.noshebang', '%t.noshebang'],
    ['printf "#!/bin/sh\\necho script \\$0\\n" > %t.script', 'chmod +x %t.script', 'cd %T', './test.txt.tmp.script'],
    ['cd %T', './missing.sh'],
    ['%t*'],
    ['echo a | not grep b', 'echo a | not grep a'],
    ['env -u NOPE true', 'env -u'],
    ['head -c 200000 /dev/zero | wc -c'],
    ['true 2>&1 | cat', 'sh -c "echo E >&2" 2>&1 | cat'],
    ['echo x > %t.file', 'mkdir -p %t.file/sub'],
    ['echo x > %t.file2', 'mkdir %t.file2/sub'],
    ['echo \u00e9 caf\u00e9', 'sh -c "printf \'caf\\303\\251\\n\'"', 'echo -e "caf\u00e9"'],
    ['echo -e "\\xZZ"'],
    ['echo -e "\\101\\u00e9\\0101"'],
    ['echo -e "x\\"'],
    ['not not --crash true'],
    ['not ! env A=1 not false'],
    ['mkdir -p %t.tgt/in', 'ln -sf %t.tgt %t.lnk', 'rm -r %t.lnk', 'ls %t.tgt'],
    ['mkdir -p %t.tgt2/in', 'ln -sf %t.tgt2 %t.lnk2', 'rm -rf %t.lnk2', 'ls %t.tgt2', 'ls %t.lnk2'],
    ['echo x > %t.ro', 'chmod 444 %t.ro', 'rm -f %t.ro', 'ls %t.ro'],
    ['mkdir -p %t.gl', 'echo 1 > %t.gl/a', 'echo 2 > %t.gl/b', 'rm %t.gl/*', 'ls %t.gl'],
    ['cd %T', 'mkdir -p rel/x', 'rm -R rel', 'ls rel'],
    ['cd %T', 'mkdir -p d1 && echo a > d1/f', 'mkdir -p d2 && echo b > d2/f', 'diff -r d1 d2'],
    ['ln -sf %t.dangling-target %t.dangling', 'rm -f %t.dangling', 'ls %t.dangling'],
    ['cd %T', 'mkdir x1 x2 x3', 'rmdir x1 x2 x3'],
    ['export A=1 && env | grep "^A="'],
    ['echo a > %t.r1', 'cat < %t.r1', 'sh -c "cat" < %t.r1'],
]

def esc(data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    out = '"'
    for ch in data:
        c = chr(ch)
        if c in '"\\':
            out += '\\' + c
        elif c == '\n':
            out += '\\n'
        elif c == '\t':
            out += '\\t'
        elif 32 <= ch < 127:
            out += c
        else:
            out += '\\x%02x""' % ch
    return out + '"'

root = os.path.realpath(tempfile.mkdtemp(prefix='litbox-conf-'))
with open(os.path.join(root, 'lit.cfg'), 'w') as f:
    f.write('''import lit.formats, os
config.name = 'conf'
config.suffixes = ['.txt']
config.test_format = lit.formats.ShTest(execute_external=False)
config.test_source_root = os.path.dirname(__file__)
config.environment['PATH'] = '/usr/lib/llvm-15/bin:' + os.environ['PATH']
''')
for n, lines in enumerate(CASES):
    d = os.path.join(root, 'c%03d' % n)
    os.makedirs(d)
    with open(os.path.join(d, 'test.txt'), 'w') as f:
        f.write('Some text with \x01 and \xff bytes\n')
        for l in lines:
            f.write('RUN: ' + l + '\n')
subprocess.run([sys.executable, LIT, '-q', '-o', os.path.join(root, 'out.json'), root],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
with open(os.path.join(root, 'out.json')) as f:
    report = json.load(f)
by_name = {t['name']: t for t in report['tests']}
for n, lines in enumerate(CASES):
    t = by_name['conf :: c%03d/test.txt' % n]
    out = t['output']
    d = os.path.join(root, 'c%03d' % n)
    kind = 'kRan'
    script, code, log, exc = [], 0, '', ''
    if out.startswith('shell parser error on: '):
        kind, log = 'kParseError', out
    elif out.startswith('Exception during script execution:'):
        kind, exc = 'kException', out.strip().splitlines()[-1]
    else:
        head, _, rest = out.partition('\n--\nExit Code: ')
        script = head.split('Script:\n--\n', 1)[1].split('\n')
        code = int(rest.split('\n', 1)[0])
        marker = 'Command Output (stdout):\n--\n'
        log = out.split(marker, 1)[1] if marker in out else ''
        assert not log or log.endswith('\n--\n'), out
        log = log[:-len('\n--\n')]
    # Parse-error scripts: recover the lines from the test file for the C++ side.
    if not script:
        with open(os.path.join(d, 'test.txt')) as f:
            for i, l in enumerate([l for l in f if l.startswith('RUN: ')]):
                cmd = l[5:].rstrip()
                cmd = cmd.replace('%t', d + '/Output/test.txt.tmp').replace('%T', d + '/Output').replace('%s', d + '/test.txt')
                script.append(": 'RUN: at line %d';   %s" % (i + 2, cmd))
    sub = lambda s: s.replace(d, '{DIR}')
    with open(os.path.join(d, 'test.txt'), 'rb') as f:
        test_file = f.read()
    print('    {%s, %s, {%s}, %d, %s, %s},' % (kind, esc(test_file), ', '.join(esc(sub(s)) for s in script), code,
                                            esc(sub(log)), esc(sub(exc))))

#!/usr/bin/env python3
"""Prints tool_cases.inc: what lit 15's builtin_commands/diff.py and cat.py print for each case,
run for real by Python. Each case lays out files in a fresh directory, runs the tool there and
records stdout, stderr and the exit code ({DIR} stands for the directory).
Run: /usr/bin/python3 gen_tool_cases.py > tool_cases.inc"""
import os, subprocess, sys, tempfile

LIT = '/usr/lib/llvm-15/build/utils/lit/lit'
big_a = ''.join('line %d\n' % i if i % 7 else '}\n' for i in range(260))
big_b = big_a.replace('line 100\n', 'line one hundred\n').replace('line 201\n', '')

CASES = [
    # (tool, files {name: bytes|None(dir)}, args, stdin)
    ('diff', {'a': b'x\ny\nz\n', 'b': b'x\ny\nz\n'}, ['a', 'b'], b''),
    ('diff', {'a': b'a\nb\nc\n', 'b': b'a\nB\nc\n'}, ['a', 'b'], b''),
    ('diff', {'a': b'a\nb\nc\n', 'b': b'a\nB\nc\n'}, ['-u', 'a', 'b'], b''),
    ('diff', {'a': b''.join(b'%d\n' % i for i in range(20)),
              'b': b''.join(b'%d\n' % i for i in range(20) if i not in (3, 15)) + b'new\n'}, ['a', 'b'], b''),
    ('diff', {'a': b''.join(b'%d\n' % i for i in range(20)),
              'b': b''.join(b'%d\n' % i for i in range(20) if i not in (3, 15))}, ['-U', '1', 'a', 'b'], b''),
    ('diff', {'a': b''.join(b'%d\n' % i for i in range(20)),
              'b': b''.join(b'%d\n' % i for i in range(20) if i != 9)}, ['-U0', 'a', 'b'], b''),
    ('diff', {'a': b'a  b\n c\n', 'b': b'a b\nc \n'}, ['a', 'b'], b''),
    ('diff', {'a': b'a  b\n c\n', 'b': b'a b\nc \n'}, ['-b', 'a', 'b'], b''),
    ('diff', {'a': b'a  b\n c\nd\n', 'b': b'ab\nc \ne\n'}, ['-w', 'a', 'b'], b''),
    ('diff', {'a': b'a\r\nb\r\n', 'b': b'a\nb\n'}, ['a', 'b'], b''),
    ('diff', {'a': b'a\r\nb\r\n', 'b': b'a\nb\n'}, ['--strip-trailing-cr', 'a', 'b'], b''),
    ('diff', {'a': b'a\nb', 'b': b'a\nc'}, ['a', 'b'], b''),
    ('diff', {'a': b'a\nb\n'}, ['a', 'missing'], b''),
    ('diff', {'a': b'a\nb\n'}, ['a'], b''),
    ('diff', {'a': b'a\nb\n'}, ['-x', 'a', 'a'], b''),
    ('diff', {'a': b'a\nb\n'}, ['-U', 'z', 'a', 'a'], b''),
    ('diff', {'a': b'a\nb\n'}, ['--strip', 'a', '-'], b'a\nc\n'),
    ('diff', {'a': b'a\nb\n'}, ['a', '-'], b'a\nb\n'),
    ('diff', {'a': b'\xff\xfe\n1\n', 'b': b'\xff\xfd\n1\n'}, ['a', 'b'], b''),
    ('diff', {'a': b'caf\xc3\xa9\n', 'b': b'cafe\n'}, ['a', 'b'], b''),
    ('diff', {'a': big_a.encode(), 'b': big_b.encode()}, ['a', 'b'], b''),
    ('diff', {'d1': None, 'd1/x': b'1\n', 'd1/only1': b'', 'd1/sub': None, 'd1/sub/f': b'a\n', 'd1/fd': b'z\n',
              'd2': None, 'd2/x': b'2\n', 'd2/only2': b'q\n', 'd2/sub': None, 'd2/sub/f': b'b\n', 'd2/fd': None},
     ['-r', 'd1', 'd2'], b''),
    ('diff', {'d1': None, 'd1/x': b'1\n', 'd2': None, 'd2/x': b'1\n'}, ['-r', 'd1', 'd2'], b''),
    ('diff', {'d1': None}, ['-r', 'd1', '-'], b''),
    ('diff', {'d1': None, 'a': b''}, ['d1', 'a'], b''),
    ('cat', {'a': b'hello\n', 'b': b'world'}, ['a', 'b'], b'stdin is ignored'),
    ('cat', {}, [], b'stdin is ignored'),
    ('cat', {'a': b'x\n'}, ['a', 'missing', 'a'], b''),
    ('cat', {'a': b'\x01\t\x7f\x80\x89\xff\n'}, ['-v', 'a'], b''),
    ('cat', {'a': b'\x01\n'}, ['a', '--show-nonprinting'], b''),
    ('cat', {'a': b'x\n'}, ['-n', 'a'], b''),
    ('cat', {'d': None}, ['d'], b''),
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
        elif 32 <= ch < 127:
            out += c
        else:
            out += '\\x%02x""' % ch
    return out + '"'

for tool, files, args, stdin in CASES:
    with tempfile.TemporaryDirectory() as d:
        d = os.path.realpath(d)
        for name, content in files.items():
            p = os.path.join(d, name)
            if content is None:
                os.makedirs(p, exist_ok=True)
            else:
                with open(p, 'wb') as f:
                    f.write(content)
        env = dict(os.environ, PYTHONPATH=LIT)
        r = subprocess.run([sys.executable, os.path.join(LIT, 'builtin_commands', tool + '.py')] + args,
                           cwd=d, input=stdin, capture_output=True, env=env)
        out = r.stdout.replace(d.encode(), b'{DIR}')
        err = r.stderr.replace(d.encode(), b'{DIR}')
    print('    {%s, {%s}, {%s}, %s, %s, %s, %d},' % (
        esc(tool),
        ', '.join('{%s, %s}' % (esc(n), 'std::nullopt' if c is None else 'std::string(%s, %d)' % (esc(c), len(c)))
                  for n, c in files.items()),
        ', '.join(esc(a) for a in args), esc(stdin), esc(out), esc(err), r.returncode))

#!/usr/bin/env python3
"""Prints parser_cases.inc: lit 15's own ShParser output for each input line, as C++ table rows.
Run: python3 gen_parser_cases.py > parser_cases.inc"""
import sys
sys.path.insert(0, '/usr/lib/llvm-15/build/utils/lit')
from lit.ShUtil import ShParser

CASES = [
    "echo hello",
    "echo 'a b' \"c d\" e\\ f",
    "a && b || c && d",
    "a ; b & c",
    "a | b | c",
    "a |& b",
    "a 2>&1 > f",
    "a > f 2>&1",
    "a 2> err >> out < in",
    "a &> f",
    "a >& f",
    "a 1> f",
    "a 3>> f",
    "a 2<& f",
    "a <& f",
    "a <> f",
    "a << EOF",
    "a > | b",
    "a >",
    "a |",
    "a &",
    "a ;",
    "a &&",
    "| a",
    "; a",
    "'' a",
    "a && ''",
    "a > ''",
    "",
    "   ",
    "ls *.c ?.h",
    "ls '*.c'",
    "ls *'x'",
    "ls x*'y'",
    "ls x*'*'",
    "ls \\*.c",
    "a\\*b*",
    "echo \"a\\\"b\\\\c\\d\"",
    "echo 'a\\b'",
    "echo \\",
    "echo \"abc",
    "echo 'abc",
    "echo a\"b\"c'd'",
    "'2'>f",
    "x 22>f",
    "x 02>&1",
    "echo a>b",
    "echo a2>b",
    "echo 2>b",
    "not --crash a",
    ": 'RUN: at line 1'; echo hi",
    "echo $HOME `pwd` ( a )",
    "echo a;b&&c||d|e",
    "x\t y",
    "echo %{readfile:foo}",
    "echo \\$x",
    "echo a\\",
    "echo \"a\\",
]

def esc(s):
    out = '"'
    for ch in s.encode('utf-8'):
        c = chr(ch)
        if c in '"\\':
            out += '\\' + c
        elif 32 <= ch < 127:
            out += c
        else:
            out += '\\x%02x""' % ch
    return out + '"'

for line in CASES:
    try:
        res = repr(ShParser(line, pipefail=True).parse())
        ok = 'true'
    except Exception as e:
        res = str(e)
        ok = 'false'
    print('    {%s, %s, %s},' % (esc(line), ok, esc(res)))

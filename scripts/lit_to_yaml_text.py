"""YAML text for scripts/lit-to-yaml: scalars, ${param} references, substitution lists and
edits (litbox's loader rules), and the generated-file header with its digest.

litbox interpolates `${name}`, `${env:NAME}` and `$$` in every string value, so literal text is
escaped here (a `$` is doubled only where it would start one of those), and build paths are
written back as references to the site's params (Reverse).
"""
import hashlib
import os
import re
import sys

PROG = 'lit-to-yaml'
MARKER = '# litbox translate: generated from '
DIGEST_RE = re.compile(r'^# litbox translate: generated from .*; digest ([0-9a-f]{16})\n')


def display(path):
    """path relative to the working directory when it is below it, else as given."""
    rel = os.path.relpath(path)
    return path if rel.startswith('..') else rel


def litbox_escape(pattern):
    """support/python_regex's regex_escape: what litbox stores for a `match:` entry."""
    out = []
    for i, c in enumerate(pattern):
        special = c in '\\.^$*+?()[]|' or (c == '{' and i + 1 < len(pattern) and
                                            (pattern[i + 1].isdigit() or pattern[i + 1] == ','))
        out.append('\\' + c if special else c)
    return ''.join(out)

# ---- YAML text ----------------------------------------------------------------------------------

PLAIN_RE = re.compile(r'^[A-Za-z_./]([A-Za-z0-9_./+ -]*[A-Za-z0-9_./+-])?$')
RESERVED = {'y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null', '.inf', '.nan'}


def scalar(s):
    """A YAML scalar for text that is already in litbox's interpolation syntax."""
    if isinstance(s, bool):
        return 'true' if s else 'false'
    if s is None:
        return 'null'
    if isinstance(s, (int, float)):
        return repr(s)
    if PLAIN_RE.match(s) and s.lower() not in RESERVED and not re.match(r'^[.+-]?\d', s):
        return s
    if all(c == '\t' or ' ' <= c <= '~' or c > '\x9f' for c in s) and s == s.strip(' ') and s:
        return "'" + s.replace("'", "''") + "'"
    out = ['"']
    for c in s:
        if c in '"\\':
            out.append('\\' + c)
        elif c < ' ' or c == '\x7f':
            out.append({'\n': '\\n', '\t': '\\t', '\r': '\\r'}.get(c, '\\x%02x' % ord(c)))
        else:
            out.append(c)
    return ''.join(out) + '"'


def escape_dollars(s):
    """Text → litbox interpolation syntax, for text without ${param} references."""
    return render_segments([('text', s)])


def render_segments(segments):
    """Joins text and ${param} segments. When some literal `$` would start `${` or `$$`, every
    literal `$` is doubled (`$$` is litbox's `$`); otherwise they stay as written, since litbox
    keeps a lone `$` (regexes ending in `$` stay readable)."""
    flat = []
    for kind, value in segments:
        if kind == 'ref':
            flat.append((False, '${%s}' % value))
        else:
            flat.extend((True, c) for c in value)
    ambiguous = any(literal and c == '$' and i + 1 < len(flat) and flat[i + 1][1][0] in '{$'
                    for i, (literal, c) in enumerate(flat))
    return ''.join('$$' if literal and c == '$' and ambiguous else c for literal, c in flat)


def flow_list(items):
    return '[' + ', '.join(scalar(escape_dollars(str(i))) for i in items) + ']'


def list_lines(key, items, indent=''):
    text = '%s%s: %s' % (indent, key, flow_list(items))
    if len(text) <= 96:
        return [text]
    return ['%s%s:' % (indent, key)] + ['%s  - %s' % (indent, scalar(escape_dollars(str(i)))) for i in items]


class Reverse:
    """Writes build paths as ${param} references to the site's params (and the values of the
    params named in `also`, which are not paths: libc++'s compile flags)."""

    def __init__(self, params, also=()):
        self.params = [(name, value) for name, value in params.items()
                       if isinstance(value, str) and len(value.strip()) > 1
                       and (value.startswith('/') or name in also)]

    def segments(self, text, context=''):
        # Longest value first; among equal values, a param whose name appears in the context
        # (the substitution's pattern, the variable's name), the longest such, else the first the
        # site set.
        ctx = re.sub(r'[^a-z0-9]', '', context.lower())
        best = {}
        for name, value in self.params:
            norm = re.sub(r'[^a-z0-9]', '', name.lower())
            score = len(norm) if norm in ctx else 0   # the longest name the context holds
            if value not in best or score > best[value][0]:
                best[value] = (score, name)
        values = sorted(best, key=lambda v: -len(v))
        out, i, start = [], 0, 0
        while i < len(text):
            for value in values:
                end = i + len(value)
                if (text.startswith(value, i) and (i == 0 or not re.match(r'[\w./-]', text[i - 1])
                                                   or re.search(r'(?:^|\s)-[A-Za-z]$', text[:i]))
                        and (end == len(text) or not re.match(r'[\w.-]', text[end]))):
                    if start < i:
                        out.append(('text', text[start:i]))
                    out.append(('ref', best[value][1]))
                    i = start = end
                    break
            else:
                i += 1
        if start < len(text):
            out.append(('text', text[start:]))
        return out

    def __call__(self, text, context=''):
        return render_segments(self.segments(text, context))


def substitution_entry(pattern, replacement, rev):
    # A param's default, as the config used it (lit_to_yaml_load.ParamDefault): the param.
    param = getattr(replacement, 'param', None)
    repl = '${%s}' % param if param else rev(replacement, pattern)
    if litbox_escape(pattern) == pattern and '\\' not in replacement:
        return '{match: %s, replace: %s}' % (scalar(escape_dollars(pattern)), scalar(repl))
    return '{regex: %s, replace: %s}' % (scalar(escape_dollars(pattern)), scalar(repl))


def env_value(name, value, rev):
    """A variable's value, with the host's own value of it written as ${env:NAME} when the
    config only added paths around it (with_environment(..., append_path=True))."""
    host = os.environ.get(name)
    if host:
        comps = value.split(os.pathsep)
        norm = [os.path.normcase(os.path.normpath(c)) for c in host.split(os.pathsep)]
        for hcomps in (host.split(os.pathsep), norm):
            for k in range(len(comps) + 1):
                rest = list(hcomps)
                for p in comps[:k]:
                    if p in rest:
                        rest.remove(p)
                if comps[k:] == rest:
                    prefix = [rev(p, name) for p in comps[:k]]
                    return os.pathsep.join(prefix + ['${env:%s}' % name])
    return rev(value, name)


# ---- substitution edits (the loader's rules for lit.local.yaml) -------------------------------

def apply_sub_edit(lst, remove=(), add=(), prepend=()):
    """configs/config_fields.cc's apply_substitutions for an edit map, on (pattern, repl)."""
    lst = [e for e in lst if e[0] not in set(remove)]
    existing = len(lst)
    for e in add:
        idx = [i for i in range(existing) if lst[i][0] == e[0]]
        if idx:
            lst[idx[0]] = e
        else:
            lst.append(e)
    pats = {e[0] for e in prepend}
    return list(prepend) + [e for e in lst if e[0] not in pats]


def sub_edit(parent, child):
    """An edit map {remove, add, prepend} turning parent into child, or None (write the list)."""
    for k in range(len(child) + 1):
        pre, rest = child[:k], child[k:]
        rest_pats = [p for p, _ in rest]
        removed = sorted({p for p, _ in parent if p not in rest_pats})
        kept = [e for e in parent if e[0] not in removed]
        add = [e for e in rest if e not in kept or rest_pats.count(e[0]) > 1]
        edit = {'remove': removed, 'add': add, 'prepend': pre}
        if apply_sub_edit(parent, **edit) == child:
            # An edit as long as the list says less than the list itself.
            return edit if len(removed) + len(add) + len(pre) < len(child) else None
    return None



# ---- writing the files --------------------------------------------------------------------------

def with_header(source, yaml_path, notes, body_lines):
    """The file's text: a first line naming the source config with a digest of everything
    after it, then the notes (comments) and the YAML."""
    rest = ('# Hand edits are kept: translating again leaves this file alone unless --force '
            '(see docs/migrating.md).\n')
    rest += ''.join('# %s\n' % n for n in notes)
    rest += ''.join(line + '\n' for line in body_lines)
    src = os.path.relpath(source, os.path.dirname(yaml_path))
    return '%s%s; digest %s\n%s' % (MARKER, src, digest(rest), rest)


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_generated_unchanged(text):
    m = DIGEST_RE.match(text)
    return bool(m) and digest(text[m.end():]) == m.group(1)


def write_all(files, force, check):
    """Writes {path: text}. Returns how many were kept (hand-edited) or, with check, how many
    would change."""
    kept = 0
    for path in sorted(files):
        text = files[path]
        old = None
        if os.path.exists(path):
            with open(path, encoding='utf-8', errors='replace') as f:
                old = f.read()
        if old == text:
            print('unchanged %s' % display(path))
            continue
        if old is not None and not force and not is_generated_unchanged(old):
            # --check says what a real run would do: keep it.
            why = 'edited since it was generated' if DIGEST_RE.match(old) else 'not written by the translator'
            sys.stderr.write('%s: %s: %s; %s (--force overwrites it)\n'
                             % (PROG, display(path), why, 'would be kept' if check else 'kept'))
            kept += 1
            continue
        if check:
            print('would %s %s' % ('update' if old is not None else 'write', display(path)))
            kept += 1
            continue
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        print('wrote %s' % display(path))
    return kept



def environment_lines(env, pass_add, set_map, unset, indent='', pass_is_edit=False, unset_is_edit=False):
    lines = []
    if set_map:
        lines.append(indent + '  set:')
        for k in sorted(set_map):
            value = set_map[k]
            lines.append('%s    %s: %s' % (indent, scalar(escape_dollars(k)), '~' if value is None else scalar(value)))
    if pass_add:
        lines += list_lines('pass', sorted(pass_add), indent + '  ') if not pass_is_edit else \
            ['%s  pass: {add: %s}' % (indent, flow_list(sorted(pass_add)))]
    if unset:
        lines += list_lines('unset', sorted(unset), indent + '  ') if not unset_is_edit else \
            ['%s  unset: {add: %s}' % (indent, flow_list(sorted(unset)))]
    return (['%senvironment:' % indent] + lines) if lines else []


def substitution_lines(key, subs, rev, indent=''):
    if not subs:
        return ['%s%s: []' % (indent, key)]
    return ['%s%s:' % (indent, key)] + ['%s  - %s' % (indent, substitution_entry(p, r, rev)) for p, r in subs]


def scalar_lines(child, parent, rev, keys):
    lines = []
    for key in keys:
        c = child[key]
        if parent is not None and parent[key] == c:
            continue
        if isinstance(c, list):
            lines += list_lines(key, c)
        elif isinstance(c, str):
            lines.append('%s: %s' % (key, scalar(rev(c) if key == 'preamble_commands' else escape_dollars(c))))
        else:
            lines.append('%s: %s' % (key, scalar(c)))
    return lines


LITBOX_DEFAULTS = {
    'format': 'sh', 'gtest_sub_dirs': None, 'gtest_suffix': None, 'gtest_run_under': [],
    'suffixes': [], 'excludes': [],
    'standalone_tests': False, 'recursive_expansion_limit': None, 'pipefail': True,
    'unsupported': False, 'limit_to_features': [], 'test_retry_attempts': 0, 'timeout': 0,
    'parallelism_group': '', 'preamble_commands': [], 'target_triple': '', 'host_triple': ''}
ORDERED_KEYS = ['suffixes', 'excludes', 'standalone_tests']
LATER_KEYS = ['recursive_expansion_limit', 'pipefail', 'unsupported', 'limit_to_features',
              'test_retry_attempts', 'timeout', 'parallelism_group']


def format_lines(v, parent):
    lines = []
    if v['format'] is not None and (parent is None or v['format'] != parent['format']):
        lines.append('format: %s' % v['format'])
    if v['format'] == 'gtest':
        if parent is None or v['gtest_sub_dirs'] != parent['gtest_sub_dirs']:
            lines += list_lines('gtest_sub_dirs', v['gtest_sub_dirs'])
        if parent is None or v['gtest_suffix'] != parent['gtest_suffix']:
            lines.append('gtest_suffix: %s' % scalar(escape_dollars(v['gtest_suffix'])))
        if v.get('gtest_run_under') and (parent is None or v['gtest_run_under'] != parent.get('gtest_run_under')):
            lines += list_lines('gtest_run_under', v['gtest_run_under'])
    return lines


def root_environment(rv, bv, rev):
    env, base = rv['environment'], bv['environment']
    set_map = {}
    for k, v in env.items():
        if base.get(k) == v:
            continue
        if k in rv['pass'] and v == os.environ.get(k):
            continue
        set_map[k] = env_value(k, v, rev)
    unset = [k for k in base if k not in env]
    return environment_lines(env, rv['pass'], set_map, unset)


def local_environment(cv, pv, bv, rev):
    env, penv, base = cv['environment'], pv['environment'], bv['environment']
    set_map, unset = {}, []
    new_pass = cv['pass'] - pv['pass']
    for k, v in env.items():
        if penv.get(k) == v:
            continue
        if k in cv['pass'] and v == os.environ.get(k):
            continue
        set_map[k] = env_value(k, v, rev)
    for k in penv:
        if k not in env:
            if base.get(k) == penv[k]:
                unset.append(k)   # a host variable lit passes by default
            else:
                set_map[k] = None
    return environment_lines(env, new_pass, set_map, unset, pass_is_edit=True, unset_is_edit=True)


def set_edit_lines(key, parent, child, assigned):
    p, c = set(parent), set(child)
    if p == c:
        return []
    if assigned:   # the config assigned a new list: say so
        return list_lines(key, sorted(c))
    parts = []
    if c - p:
        parts.append('add: ' + flow_list(sorted(c - p)))
    if p - c:
        parts.append('remove: ' + flow_list(sorted(p - c)))
    return ['%s: {%s}' % (key, ', '.join(parts))]



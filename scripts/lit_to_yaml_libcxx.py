"""libc++'s lit configs (LLVM 15's libcxx/test, CxxStandardLibraryTest) for scripts/lit-to-yaml.

libc++ keeps its whole configuration in the build: CMake writes <build>/test/lit.site.cfg
(from libcxx/test/configs/llvm-libc++-shared.cfg.in and friends) and cmake-bridge.cfg, which
set the test format, the bootstrapping substitutions (%{cxx}, %{include}, %{lib}, ...) and run
libc++'s DSL (libcxx/utils/libcxx/test/newconfig.py): parameters and feature probes that
compile small programs with %{cxx}. The suite's own libcxx/test/lit.cfg.py is only a canary
that stops lit unless llvm-lit's config_map sends it to the build's site config.

So the translation of a libc++ build puts what the build decided in lit.site.yaml (params for
the bootstrapping values, features after the probes, substitutions, the target), and only
what every libc++ build has in common in libcxx/test/lit.yaml (`format: libcxx`,
`recursive_expansion_limit`, the lit version). The lit.local.yaml files in the source tree
refer to the build's values through ${param}s, so translating a second build of the same
sources (another target, other flags) writes the same source-tree files.

litbox reads lit.yaml and never lit.cfg.py, so the canary does not concern it: run a libc++
build's tests with `litbox <build>/test/std/...`, or from the source tree with
`litbox --site <build>/test/lit.site.yaml <libcxx>/test/std/...`.
"""
import ast
import base64
import os
import re
import pickle
import shlex

from lit_to_yaml_text import escape_dollars, scalar

# The bootstrapping substitutions of cmake-bridge.cfg.in / the site configs, and the
# param each becomes in lit.site.yaml.
SUBSTITUTION_PARAMS = [
    ('%{cxx}', 'cxx'), ('%{libcxx}', 'libcxx'), ('%{include}', 'include'),
    ('%{target-include}', 'target_include'), ('%{lib}', 'lib'), ('%{flags}', 'flags'),
    ('%{compile_flags}', 'compile_flags'), ('%{link_flags}', 'link_flags')]

CANARY_HINT = ("libc++'s test/lit.cfg.py is a canary that only llvm-lit's config_map gets past: "
               "translate the build's site config instead (<build>/test/lit.site.cfg, or the "
               "directory <build>/test)")


def is_libcxx_format(fmt):
    cls = type(fmt)
    return cls.__name__ == 'CxxStandardLibraryTest' and cls.__module__.startswith('libcxx.')


def first(subs, pattern):
    for a, b in subs:
        if a == pattern:
            return b
    return None


def site_params(subs, python):
    """{param: value} for the bootstrapping substitutions the config defines, and `python`
    (lit's sys.executable, which libcxx/test/libcxx/lit.local.cfg gives as %{python})."""
    params = {}
    for pattern, name in SUBSTITUTION_PARAMS:
        value = first(subs, pattern)
        if isinstance(value, str) and value.strip():
            params[name] = str(value)
    params['python'] = python
    return params


def find_line(files, needle):
    """(file, line) of the first line holding needle in files, else (files[0], 0)."""
    for f in files:
        try:
            with open(f) as fh:
                for n, line in enumerate(fh, 1):
                    if needle in line:
                        return f, n
        except OSError:
            pass
    return (files[0] if files else '', 0)


def translate_exec(subs, files):
    """libc++'s %{exec} → what litbox does instead.

    Returns (substitutions, target or None, [note], [(where, problem)]). litbox's libcxx
    format supplies `litbox-exec --execdir %T --` when the config defines no %{exec}: it runs
    the program locally with cwd %T (under QEMU for a foreign `target:`), or ships %T to the
    target of `target: {executor: ssh|batch}`. So run.py's %{exec} is dropped, ssh.py's
    becomes `target: {executor: ssh, ...}`, and anything else is kept."""
    value = first(subs, '%{exec}')
    if value is None:
        return subs, None, [], []
    executor = first(subs, '%{executor}') or ''
    expanded = str(value).replace('%{executor}', str(executor))
    where = find_line(files, "'%{exec}'")
    try:
        words = shlex.split(expanded)
    except ValueError:
        words = expanded.split()
    scripts = [os.path.basename(w) for w in words if w.endswith('.py')]
    rest = [(a, b) for a, b in subs if a != '%{exec}']
    if 'run.py' in scripts:
        return rest, None, [
            "%%{exec} (%s) is libc++'s local executor (utils/run.py): dropped, so litbox's own "
            "`litbox-exec --execdir %%T --` applies (cwd %%T; a foreign target's binaries under QEMU)"
            % loc(where)], []
    if 'ssh.py' in scripts:
        i = [os.path.basename(w) for w in words].index('ssh.py')
        args, host, unknown = words[i + 1:], None, []
        j = 0
        while j < len(args):
            a = args[j]
            if a == '--':
                break
            key, eq, val = a.partition('=')
            if not eq and j + 1 < len(args) and key.startswith('--'):
                val = args[j + 1]
                j += 1
            if key == '--host':
                host = val
            elif key != '--execdir':
                unknown.append(key)
            j += 1
        if not host:
            return subs, None, [], [(where, '%%{exec} runs ssh.py without --host: kept as is (%s)' % expanded)]
        ssh = {}
        if '@' in host:
            ssh['user'], host = host.split('@', 1)
        ssh['host'] = host
        notes = ["%%{exec} (%s) is libc++'s ssh.py executor: dropped for `target: {executor: ssh}` "
                 "(litbox ships %%T to the host and runs the program there)" % loc(where)]
        problems = []
        if unknown:
            problems.append((where, 'ssh.py options %s have no litbox equivalent (see `target.ssh`): '
                             'not translated' % ', '.join(sorted(unknown))))
        return rest, {'executor': 'ssh', 'ssh': ssh}, notes, problems
    qemu = [i for i, w in enumerate(words) if re.fullmatch(r'qemu-[a-z0-9_]+(-static)?', os.path.basename(w))]
    if qemu:
        # An executor that runs the programs under QEMU user mode (a cross build tested without
        # hardware): litbox does that itself, transparently, for every foreign ELF program.
        after = words[qemu[0] + 1:]
        target = {}
        for j, w in enumerate(after):
            if w == '-L' and j + 1 < len(after):
                target['sysroot'] = after[j + 1]
            elif w.startswith('-L') and len(w) > 2:
                target['sysroot'] = w[2:]
        return rest, target or None, [
            "%%{exec} (%s) runs the programs under %s: dropped, so litbox's own "
            "`litbox-exec --execdir %%T --` applies and runs foreign binaries under QEMU itself"
            % (loc(where), os.path.basename(words[qemu[0]]))], []
    return subs, None, ['%%{exec} (%s) is neither run.py nor ssh.py: kept as is, so litbox runs '
                        'it like lit: %s' % (loc(where), expanded)], []


def loc(where):
    return '%s%s' % (os.path.basename(where[0]), ':%d' % where[1] if where[1] else '')


def sandbox_lines(params):
    """The directories the build's substitutions name (libc++'s headers and libraries, its
    sources), read-only in litbox's sandbox cells, which otherwise see only system directories,
    the suite and the build tree."""
    dirs = []
    for name in ('libcxx', 'include', 'target_include', 'lib'):
        d = params.get(name)
        if d and os.path.isabs(d) and d not in dirs:
            dirs.append(d)
    if not dirs:
        return []
    return ["# What the build's substitutions name, visible (read-only) to the tests in their cells.",
            'sandbox: {readonly: [%s]}' % ', '.join(scalar_path(d) for d in dirs)]


def scalar_path(d):
    return "'%s'" % d.replace("'", "''")


def target_lines(target):
    if 'executor' not in target:  # QEMU's sysroot (-L)
        return ['target: {sysroot: %s}' % target['sysroot']]
    ssh = target.get('ssh', {})
    inner = ', '.join('%s: %s' % (k, ssh[k]) for k in ('host', 'user') if k in ssh)
    return ['target: {executor: %s, ssh: {%s}}' % (target['executor'], inner)]


# ---- lit.local.cfg files -------------------------------------------------------------------------

def pickled_substitutions(value):
    """True when a substitution's value is base64 of a pickle of a substitution list (what
    libcxx/test/libcxx/selftest/dsl/lit.local.cfg gives lit's DSL self-tests)."""
    try:
        data = base64.b64decode(value, validate=True)
        obj = pickle.loads(data) if data[:1] == b'\x80' else None
    except Exception:
        return False
    return isinstance(obj, list) and all(isinstance(e, tuple) and len(e) == 2 for e in obj)


class Unknown(Exception):
    pass


def local_when(path, loaded, parent, child, rev_value):
    """A lit.local.cfg made of `if` statements on features whose branches set
    `config.unsupported = True` or call `config.test_format.addCompileFlags(config, ...)`, or
    that only loads another such file with config.load_from_path (libc++'s
    libcxx/test/libcxx/... → std/... counterparts). Returns (YAML lines, keys covered) or None
    when the file is anything else or the YAML would not give what lit computed here.

    loaded: {(file, line): path} of the config.load_from_path calls lit made.
    parent, child: the directory's views; rev_value(text, context) writes build values as
    ${param} references."""
    blocks = []   # (condition list, action, arg)

    def feature_term(node, consts):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return negate(feature_term(node.operand, consts))
        if isinstance(node, ast.BoolOp):
            op = ' && ' if isinstance(node.op, ast.And) else ' || '
            return op.join(wrap(feature_term(v, consts)) for v in node.values)
        if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))
                and dotted(node.comparators[0]) == 'config.available_features'):
            name = const_str(node.left, {})
            return ('!' if isinstance(node.ops[0], ast.NotIn) else '') + name
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'any'
                and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp)):
            gen = node.args[0]
            if len(gen.generators) != 1 or gen.generators[0].ifs or not isinstance(gen.generators[0].target, ast.Name):
                raise Unknown
            var = gen.generators[0].target.id
            values = consts.get(const_name(gen.generators[0].iter))
            if not isinstance(values, (set, frozenset, list, tuple)):
                raise Unknown
            elt = gen.elt
            if not (isinstance(elt, ast.Compare) and len(elt.ops) == 1 and isinstance(elt.ops[0], ast.In)
                    and dotted(elt.comparators[0]) == 'config.available_features'):
                raise Unknown
            names = [const_str(elt.left, {var: v}) for v in sorted(values, key=str)]
            return ' || '.join(names) if names else 'false'
        raise Unknown

    def run(stmts, conds, consts, file):
        for st in stmts:
            if isinstance(st, (ast.Import, ast.ImportFrom, ast.Pass)) or (
                    isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)):
                continue
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                try:
                    consts[st.targets[0].id] = ast.literal_eval(st.value)
                except ValueError:
                    consts[st.targets[0].id] = Unknown
                continue
            if isinstance(st, ast.Assign) and ast.dump(st) == ast.dump(ast.parse('config.unsupported = True').body[0]):
                blocks.append((list(conds), 'unsupported', None))
                continue
            if isinstance(st, ast.If):
                cond = feature_term(st.test, consts)
                run(st.body, conds + [cond], consts, file)
                run(st.orelse, conds + [negate(cond)], consts, file)
                continue
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                call, func = st.value, dotted(st.value.func)
                if func == 'config.load_from_path':
                    target = loaded.get((file, st.lineno))
                    if not target:
                        raise Unknown
                    run(parse(target).body, conds, dict(), target)
                    continue
                if func == 'config.test_format.addCompileFlags' and call.args and dotted(call.args[0]) == 'config' \
                        and not call.keywords:
                    blocks.append((list(conds), 'flags', ' '.join(const_str(a, {}) for a in call.args[1:])))
                    continue
            raise Unknown

    try:
        run(parse(path).body, [], {}, os.path.abspath(path))
    except (Unknown, SyntaxError, OSError, ValueError):
        return None
    if not blocks:
        return None
    # What these blocks give on this build must be what lit computed.
    features = parent['features']
    holds = lambda conds: all(evaluate(c, features) for c in conds)
    unsupported = parent['unsupported'] or any(holds(c) for c, a, _ in blocks if a == 'unsupported')
    flag_conds = {tuple(c) for c, a, _ in blocks if a == 'flags'}
    if len(flag_conds) > 1:
        return None
    subs = list(parent['substitutions'])
    flags = ' '.join(arg for c, a, arg in blocks if a == 'flags')
    base = first(subs, '%{compile_flags}')
    if flag_conds and base is None:
        return None
    if flag_conds and holds(list(next(iter(flag_conds)))):
        subs = [(p, r + ' ' + flags if p == '%{compile_flags}' else r) for p, r in subs]
    if unsupported != child['unsupported'] or subs != child['substitutions'] or features != child['features']:
        return None
    entries, plain = [], []
    for conds in unique([tuple(c) for c, a, _ in blocks if a == 'unsupported']):
        if conds:
            entries.append('{if: %s, then: {unsupported: true}}' % quote(' && '.join(wrap(c) for c in conds)))
        else:
            plain.append('unsupported: true')
    for conds in flag_conds:
        edit = ('substitutions: {add: [{match: %s, replace: %s}]}'
                % (quote('%{compile_flags}'), scalar(rev_value(base + ' ' + flags, '%{compile_flags}'))))
        if conds:
            entries.append('{if: %s, then: {%s}}' % (quote(' && '.join(wrap(c) for c in conds)), edit))
        else:
            plain.append(edit)
    lines = list(plain)
    if len(entries) == 1:
        lines.append('when: [%s]' % entries[0])
    elif entries:
        lines += ['when:'] + ['  - %s' % e for e in entries]
    return lines, {'unsupported', 'substitutions'}


def unique(items):
    seen, out = set(), []
    for i in items:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def parse(path):
    with open(path) as f:
        return ast.parse(f.read(), path)


def dotted(node):
    if isinstance(node, ast.Attribute):
        return dotted(node.value) + '.' + node.attr
    return node.id if isinstance(node, ast.Name) else '?'


def const_name(node):
    if not isinstance(node, ast.Name):
        raise Unknown
    return node.id


def const_str(node, env):
    """A string constant, or 'literal{}'.format(VAR) with VAR in env."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'format'
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
            and not node.keywords and all(isinstance(a, ast.Name) and a.id in env for a in node.args)):
        return node.func.value.value.format(*[env[a.id] for a in node.args])
    raise Unknown


def negate(expr):
    if expr.startswith('!') and all(c not in expr[1:] for c in '!&|() '):
        return expr[1:]
    return '!' + wrap(expr)


def wrap(expr):
    return expr if all(op not in expr for op in ('&&', '||')) else '(%s)' % expr


def quote(text):
    return scalar(escape_dollars(text))


def evaluate(expr, features):
    """lit's feature expression (!, &&, ||, parentheses, true/false) on a feature set."""
    import re
    tokens = re.findall(r'&&|\|\||!|\(|\)|[^\s()!&|]+', expr)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]

    def or_():
        v = and_()
        while peek() == '||':
            take()
            v = and_() or v
        return v

    def and_():
        v = not_()
        while peek() == '&&':
            take()
            v = not_() and v
        return v

    def not_():
        if peek() == '!':
            take()
            return not not_()
        if peek() == '(':
            take()
            v = or_()
            take()
            return v
        t = take()
        return {'true': True, 'false': False}.get(t, t in features)
    return or_()

"""Compares two Python object graphs exactly, and checks pickles written by pickle-mapper.

Used by test/pickler-interop.test.ts (and importable by other tests):

    compare(expected, actual) -> None when equal, else a message naming the first difference.

The walk is iterative (no recursion limit to hit) and checks, for every pair of values:
  * the exact same type (tuple stays tuple, bytes stays bytes, frozenset stays frozenset,
    bytearray stays bytearray, bool is not int, instances keep their class);
  * atoms by value: int/str/bool/None by ==, float and complex by repr (so nan == nan and
    -0.0 != 0.0);
  * classes, functions and enum members by identity (they are the same module-level objects);
  * lists/tuples item by item, dicts entry by entry in order (keys compared like values),
    sets and frozensets as a one-to-one pairing of their elements, instances through their base
    container contents, their __dict__ and every __slots__ slot;
  * identity structure: a bijection between the ids of the objects of both graphs (every value
    except int/float/complex/str/bool/None, whose identity Python itself does not keep), so what
    is shared in one must be shared in the other, and cycles must be the same cycles.

As a script (`main()`), it reads a stream of pickles from stdin, each record being
    <u32 LE header length> <header JSON> <u32 LE data length> <data>
with header {"fixture": "<case>.p<N>.pkl", "case": "<case>", "protocol": <output protocol>},
and for each one loads the original fixture with CPython, loads our pickle, and compares. It
writes one JSON document with a result per record to stdout.
"""

import enum
import io
import json
import os
import pickle
import pickletools
import struct
import sys
import types

ATOMS = (int, float, complex, str, bool, type(None), type(Ellipsis), type(NotImplemented))
EXACT_CONTAINERS = (bytes, bytearray, list, tuple, dict, set, frozenset)
GLOBAL_TYPES = (type, types.FunctionType, types.BuiltinFunctionType, types.MethodDescriptorType,
                types.WrapperDescriptorType, types.ModuleType)


def _qual(t):
    return f'{t.__module__}.{t.__qualname__}'


def _atom_equal(e, a):
    if isinstance(e, (float, complex)):
        return repr(e) == repr(a)
    return e == a


def _slot_names(cls):
    names = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get('__slots__', ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            if name in ('__dict__', '__weakref__') or name in names:
                continue
            if name.startswith('__') and not name.endswith('__'):
                name = f'_{klass.__name__.lstrip("_")}{name}'
            names.append(name)
    return names


def fingerprint(x, depth=4):
    """A structural description of a value, used only to pair up set elements."""
    t = type(x)
    if isinstance(x, ATOMS):
        return f'{_qual(t)}:{x!r}'
    if isinstance(x, GLOBAL_TYPES) or isinstance(x, enum.Enum):
        return f'{_qual(t)}@{getattr(x, "__module__", "?")}.{getattr(x, "__qualname__", repr(x))}'
    if isinstance(x, (bytes, bytearray)):
        return f'{_qual(t)}:{bytes(x)!r}'
    if depth == 0:
        return _qual(t)
    parts = []
    if isinstance(x, (list, tuple)):
        parts = [fingerprint(i, depth - 1) for i in x]
    elif isinstance(x, (set, frozenset)):
        parts = sorted(fingerprint(i, depth - 1) for i in x)
    elif isinstance(x, dict):
        parts = [fingerprint(k, depth - 1) + '=' + fingerprint(v, depth - 1) for k, v in x.items()]
    d = getattr(x, '__dict__', None)
    if isinstance(d, dict):
        parts.append('__dict__' + fingerprint(d, depth - 1))
    return f'{_qual(t)}({",".join(parts)})'


class _Mismatch(Exception):
    pass


def compare(expected, actual):
    """None when both graphs are equal, in types and identity structure; else a message."""
    forward = {}
    backward = {}
    # Keep every object whose id is recorded alive, so that no id is reused while we walk.
    alive = []
    work = [(expected, actual, '$')]
    try:
        while work:
            e, a, path = work.pop()
            te, ta = type(e), type(a)
            if te is not ta:
                raise _Mismatch(f'{path}: type {_qual(te)} expected, got {_qual(ta)} ({a!r:.80})')
            if isinstance(e, ATOMS):
                if not _atom_equal(e, a):
                    raise _Mismatch(f'{path}: {e!r:.200} expected, got {a!r:.200}')
                continue
            if isinstance(e, GLOBAL_TYPES) or isinstance(e, enum.Enum):
                if e is not a:
                    raise _Mismatch(f'{path}: {e!r} expected, got a different object {a!r}')
                continue
            ie, ia = id(e), id(a)
            if ie in forward:
                if forward[ie] != ia:
                    raise _Mismatch(f'{path}: expected the same object as seen before, got another one')
                continue
            if ia in backward:
                raise _Mismatch(f'{path}: got an object already seen elsewhere, expected a new one')
            forward[ie] = ia
            backward[ia] = ie
            alive.append((e, a))
            children = []
            if isinstance(e, (bytes, bytearray)):
                if bytes(e) != bytes(a):
                    raise _Mismatch(f'{path}: {bytes(e)[:60]!r} ({len(e)}) expected, got {bytes(a)[:60]!r} ({len(a)})')
            elif isinstance(e, (list, tuple)):
                le, la = list(e), list(a)
                if len(le) != len(la):
                    raise _Mismatch(f'{path}: length {len(le)} expected, got {len(la)}')
                children += [(x, y, f'{path}[{i}]') for i, (x, y) in enumerate(zip(le, la))]
            elif isinstance(e, dict):
                ie_, ia_ = list(dict.items(e)), list(dict.items(a))
                if len(ie_) != len(ia_):
                    raise _Mismatch(f'{path}: {len(ie_)} entries expected, got {len(ia_)}')
                for i, ((ke, ve), (ka, va)) in enumerate(zip(ie_, ia_)):
                    children.append((ke, ka, f'{path}<key {i}>'))
                    children.append((ve, va, f'{path}[{ke!r:.40}]'))
            elif isinstance(e, (set, frozenset)):
                if len(e) != len(a):
                    raise _Mismatch(f'{path}: {len(e)} elements expected, got {len(a)}')
                by_print_e = {}
                by_print_a = {}
                for side, table in ((e, by_print_e), (a, by_print_a)):
                    for item in side:
                        fp = fingerprint(item)
                        if fp in table:
                            raise _Mismatch(f'{path}: two set elements look alike ({fp:.80}); cannot pair them')
                        table[fp] = item
                if by_print_e.keys() != by_print_a.keys():
                    missing = sorted(by_print_e.keys() - by_print_a.keys())[:3]
                    extra = sorted(by_print_a.keys() - by_print_e.keys())[:3]
                    raise _Mismatch(f'{path}: set elements differ; missing {missing}, unexpected {extra}')
                children += [(by_print_e[fp], by_print_a[fp], f'{path}{{{fp:.40}}}') for fp in sorted(by_print_e)]
            # Instances (container subclasses were compared as containers above): their __dict__
            # and every slot. A type with neither that is not a container (range, Decimal,
            # datetime...) falls back on ==, never on "anything goes".
            if te not in EXACT_CONTAINERS:
                de = e.__dict__ if hasattr(e, '__dict__') else None
                da = a.__dict__ if hasattr(a, '__dict__') else None
                if (de is None) != (da is None):
                    raise _Mismatch(f'{path}: __dict__ presence differs')
                if de is not None:
                    children.append((de, da, f'{path}.__dict__'))
                slots = _slot_names(te)
                for name in slots:
                    he, ha = hasattr(e, name), hasattr(a, name)
                    if he != ha:
                        raise _Mismatch(f'{path}.{name}: slot set in one and not the other')
                    if he:
                        children.append((getattr(e, name), getattr(a, name), f'{path}.{name}'))
                if de is None and not slots and te is not object and not isinstance(e, EXACT_CONTAINERS):
                    if e != a:
                        raise _Mismatch(f'{path}: {e!r:.80} expected, got {a!r:.80}')
            # Depth first, in order.
            work.extend(reversed(children))
    except _Mismatch as m:
        return str(m)
    return None


# ---- the documented exceptions --------------------------------------------------------------

def _adjust_strings(value):
    """JavaScript strings are UTF-16: the Python str '\\udbff\\udc00' (two lone surrogates that
    happen to form a pair) and '\\U0010fc00' are the same JavaScript string, which pickles back
    as the astral character. Exactly that element of the `strings` fixture is expected to change."""
    assert value[8] == '\udbff\udc00', value[8]
    adjusted = list(value)
    adjusted[8] = '\U0010fc00'
    return adjusted


ADJUSTMENTS = {'strings': _adjust_strings}


# ---- checking our pickles -------------------------------------------------------------------

def check_pickle(data, protocol):
    """Validity independent of any loader: pickletools.dis (memo, stack and mark discipline),
    opcodes no newer than the protocol, the PROTO header, nothing after STOP. Returns a list of
    problems (empty when fine)."""
    problems = []
    try:
        pickletools.dis(data, out=io.StringIO())
    except Exception as exc:  # noqa: BLE001
        problems.append(f'pickletools.dis: {type(exc).__name__}: {exc}')
        return problems
    ops = list(pickletools.genops(data))
    newest = max(op.proto for op, _, _ in ops)
    if newest > protocol:
        late = sorted({op.name for op, _, _ in ops if op.proto > protocol})
        problems.append(f'opcodes newer than protocol {protocol}: {late}')
    if protocol >= 2:
        if ops[0][0].name != 'PROTO' or ops[0][1] != protocol:
            problems.append(f'does not start with PROTO {protocol}')
    elif ops[0][0].name == 'PROTO':
        problems.append('PROTO opcode below protocol 2')
    last_op, _, last_pos = ops[-1]
    if last_op.name != 'STOP' or last_pos != len(data) - 1:
        problems.append('bytes after STOP')
    # Frames: only from protocol 4, never nested, and each ends exactly at an opcode boundary.
    starts = [pos for _, _, pos in ops] + [len(data)]
    frame_end = None
    for i, (op, arg, pos) in enumerate(ops):
        if frame_end is not None and pos >= frame_end:
            if pos != frame_end:
                problems.append(f'frame ending at {frame_end} splits an opcode')
            frame_end = None
        if op.name == 'FRAME':
            if frame_end is not None:
                problems.append(f'FRAME at {pos} inside another frame')
            frame_end = pos + 9 + arg
            if frame_end not in starts:
                problems.append(f'FRAME at {pos} does not end at an opcode boundary')
            if arg == 0:
                problems.append(f'empty FRAME at {pos}')
    if frame_end is not None and frame_end != len(data):
        problems.append('last frame does not end with the data')
    return problems


def _read_exact(stream, n):
    data = stream.read(n)
    if len(data) != n:
        raise EOFError('truncated input stream')
    return data


def read_records(stream):
    while True:
        head = stream.read(4)
        if not head:
            return
        if len(head) != 4:
            raise EOFError('truncated input stream')
        header = json.loads(_read_exact(stream, struct.unpack('<I', head)[0]).decode('utf-8'))
        size = struct.unpack('<I', _read_exact(stream, 4))[0]
        yield header, _read_exact(stream, size)


def main():
    sys.setrecursionlimit(100_000)
    fixtures = sys.argv[sys.argv.index('--fixtures') + 1]
    sys.path.insert(0, os.path.dirname(os.path.abspath(fixtures)))
    originals = {}
    results = []
    for header, data in read_records(sys.stdin.buffer):
        name, case, protocol = header['fixture'], header['case'], header['protocol']
        result = {'fixture': name, 'protocol': protocol, 'load': header.get('load', 'default'), 'problems': []}
        if 'control' in header:
            result['control'] = header['control']
        problems = result['problems']
        if name not in originals:
            originals.clear()  # records arrive grouped by fixture (controls come last)
            with open(os.path.join(fixtures, name), 'rb') as f:
                original = pickle.loads(f.read())
            adjusted = ADJUSTMENTS[case](original) if case in ADJUSTMENTS else original
            originals[name] = (original, adjusted)
        original, expected = originals[name]
        problems += check_pickle(data, protocol)
        try:
            ours = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001
            problems.append(f'pickle.loads: {type(exc).__name__}: {exc}')
            results.append(result)
            continue
        diff = compare(expected, ours)
        if diff:
            problems.append(f'C unpickler: {diff}')
        if expected is not original:
            # The exception must be needed: without it the comparison fails on exactly that element.
            result['unadjustedDiff'] = compare(original, ours)
        # The pure-Python unpickler, and our pickle after pickletools.optimize, load the same.
        try:
            diff = compare(expected, pickle._loads(data))
            if diff:
                problems.append(f'pure-Python unpickler: {diff}')
        except Exception as exc:  # noqa: BLE001
            problems.append(f'pure-Python unpickler: {type(exc).__name__}: {exc}')
        try:
            diff = compare(expected, pickle.loads(pickletools.optimize(data)))
            if diff:
                problems.append(f'after pickletools.optimize: {diff}')
        except Exception as exc:  # noqa: BLE001
            problems.append(f'after pickletools.optimize: {type(exc).__name__}: {exc}')
        results.append(result)
    json.dump({'python': sys.version.split()[0], 'results': results}, sys.stdout)


if __name__ == '__main__':
    main()

"""Reads pickles written by pickle-mapper and checks them against what CPython expects.

Used by test/standard-collections-interop.test.ts. stdin is a stream of records
    <u32 LE header length> <header JSON> <u32 LE data length> <data>
whose header is either
    {"fixture": "<case>.p<N>.pkl", "protocol": P}   expected: pickle.loads(that fixture)
    {"expr": "<python expression>", "protocol": P}  expected: eval(expr) in this module's namespace
and stdout is one JSON list with, per record,
    {"problems": [...], "identical": <our bytes == pickle.dumps(expected, P)>}.

Checks: `expected == actual` (for the acyclic ones), `type(expected) is type(actual)`, and an
exact walk of both graphs in the manner of test/interop/compare_graphs.py, which also knows the
collections types: the same type at every node (bool is not int, OrderedDict is not dict, each
namedtuple its own class), atoms by value (floats by repr), classes and enum members by
identity, sequences item by item (a deque with its maxlen), dicts entry by entry in order (a
defaultdict with its default_factory), instance __dict__s, and the identity structure: what is
shared or cyclic in one graph must be shared or cyclic in the other, and only there.
"""

import enum
import json
import os
import pickle
import struct
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fixture_collections as fx  # noqa: F401,E402
from fixture_collections import (  # noqa: F401,E402
    Bits, ByName, Color, Employee, Level, Mode, Outer, Perm, Point, Tagged,
)
from collections import Counter, OrderedDict, defaultdict, deque  # noqa: F401,E402

PICKLES = os.path.join(HERE, 'pickles')


def tagged(tag, value, **attributes):
    """A Tagged namedtuple with attributes in its __dict__."""
    t = Tagged(tag, value)
    t.__dict__.update(attributes)
    return t


ATOMS = (int, float, complex, str, bool, type(None), bytes)
BY_IDENTITY = (type, types.FunctionType, types.BuiltinFunctionType, enum.Enum)


def graph_diff(expected, actual):
    """None when both graphs are the same, in types, values and identity structure; else why."""
    forward, backward, alive = {}, {}, []
    work = [(expected, actual, '$')]
    while work:
        e, a, path = work.pop()
        if type(e) is not type(a):
            return f'{path}: {type(e).__qualname__} expected, got {type(a).__qualname__} ({a!r:.60})'
        if isinstance(e, ATOMS):
            if repr(e) != repr(a):
                return f'{path}: {e!r:.80} expected, got {a!r:.80}'
            continue
        if isinstance(e, BY_IDENTITY):
            if e is not a:
                return f'{path}: {e!r} expected, got another object {a!r}'
            continue
        if id(e) in forward or id(a) in backward:
            if forward.get(id(e)) != id(a):
                return f'{path}: the sharing differs (an object seen before on one side only)'
            continue
        forward[id(e)], backward[id(a)] = id(a), id(e)
        alive.append((e, a))
        children = []
        if isinstance(e, (list, tuple, deque)):
            if isinstance(e, deque) and e.maxlen != a.maxlen:
                return f'{path}: maxlen {e.maxlen} expected, got {a.maxlen}'
            if len(e) != len(a):
                return f'{path}: length {len(e)} expected, got {len(a)}'
            children += [(x, y, f'{path}[{i}]') for i, (x, y) in enumerate(zip(e, a))]
        elif isinstance(e, dict):
            if isinstance(e, defaultdict) and e.default_factory is not a.default_factory:
                return f'{path}: default_factory {e.default_factory!r} expected, got {a.default_factory!r}'
            if len(e) != len(a):
                return f'{path}: {len(e)} entries expected, got {len(a)}'
            for i, ((ke, ve), (ka, va)) in enumerate(zip(e.items(), a.items())):
                children += [(ke, ka, f'{path}<key {i}>'), (ve, va, f'{path}[{ke!r:.30}]')]
        else:
            return f'{path}: the check does not know {type(e).__qualname__} (fix the test)'
        if hasattr(e, '__dict__') or hasattr(a, '__dict__'):
            children.append((getattr(e, '__dict__', None), getattr(a, '__dict__', None), f'{path}.__dict__'))
        work.extend(reversed(children))
    return None


def check(header, data):
    protocol = header['protocol']
    if 'fixture' in header:
        with open(os.path.join(PICKLES, header['fixture']), 'rb') as f:
            expected = pickle.loads(f.read())
    else:
        expected = eval(header['expr'])  # noqa: S307 - test-owned expressions
    problems = []
    try:
        actual = pickle.loads(data)
    except Exception as error:  # noqa: BLE001
        return {'problems': [f'pickle.loads failed: {error!r}'], 'identical': False}
    if type(actual) is not type(expected):
        problems.append(f'type {type(expected).__qualname__} expected, got {type(actual).__qualname__}')
    if 'recursive' not in header.get('fixture', '') and not expected == actual:
        problems.append(f'{expected!r:.200} == {actual!r:.200} is False')
    diff = graph_diff(expected, actual)
    if diff:
        problems.append(diff)
    return {'problems': problems, 'identical': pickle.dumps(expected, protocol) == data}


def main():
    stream = sys.stdin.buffer
    results = []
    while True:
        size = stream.read(4)
        if not size:
            break
        header = json.loads(stream.read(struct.unpack('<I', size)[0]))
        data = stream.read(struct.unpack('<I', stream.read(4))[0])
        results.append(check(header, data))
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Writes the robustness corpus: test/robustness/corpus/<name>-p<protocol>.pkl.

Small, diverse pickles written by CPython's own pickler at every protocol 0-5: classes
(plain, slotted, __reduce__ with list and dict items, __getnewargs_ex__, nested, list/dict/set
subclasses), recursion, shared references, frames (a value past 64 KiB gives several FRAMEs),
big ints, floats, every string size class, bytes, bytearrays, sets and a few stdlib types.
The robustness tests cut, flip and splice these bytes; they need no Python themselves.

Run from the repository root: python3 test/robustness/make-corpus.py
The output is deterministic for a given CPython version (the script re-runs itself with
PYTHONHASHSEED=0 so that set and frozenset order is stable).
"""

import collections
import datetime
import decimal
import enum
import os
import pickle
import sys

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted:
    __slots__ = ('a', 'b')

    def __init__(self, a, b):
        self.a = a
        self.b = b

    # Lets protocols 0 and 1 pickle it too.
    def __getstate__(self):
        return (None, {'a': self.a, 'b': self.b})

    def __setstate__(self, state):
        for k, v in state[1].items():
            setattr(self, k, v)


class Reduced:
    """__reduce__ with every optional part: state, list items and dict items."""

    def __init__(self, *args):
        self.args = args

    def extend(self, items):
        self.items = list(items)

    def __setitem__(self, key, value):
        self.__dict__.setdefault('pairs', []).append((key, value))

    def __reduce__(self):
        return (Reduced, (1, 'two'), {'state': [3]}, iter([4, 5]), iter([('k', 'v'), (6, 7)]))


class WithKwargs:
    """__getnewargs_ex__: NEWOBJ_EX at protocol 4 and 5."""

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __init__(self, a, *, b):
        self.a = a
        self.b = b

    def __getnewargs_ex__(self):
        return ((self.a,), {'b': self.b})


class Outer:
    class Inner:
        def __init__(self):
            self.v = 'inner'


class MyList(list):
    pass


class MyDict(dict):
    pass


class MySet(set):
    pass


class Color(enum.Enum):
    RED = 1
    GREEN = 'g'


Pair = collections.namedtuple('Pair', 'left right')


def self_list():
    x = [1, 'a']
    x.append(x)
    return x


def self_dict():
    d = {'name': 'd'}
    d['me'] = d
    return d


def object_cycle():
    a = Point(1, None)
    b = Point(2, a)
    a.y = b
    return [a, b]


def tuple_through_list():
    lst = []
    t = (lst, 'x')
    lst.append(t)
    return t


def shared():
    inner = [1, 2]
    d = {'k': inner}
    p = Point(inner, d)
    return [inner, inner, d, d, p, p, (inner, d)]


def promoted_dicts():
    # Dicts that get a non-string key after being referenced elsewhere.
    d1 = {}
    d1['self'] = d1
    d1[1] = 'one'
    d2 = {}
    lst = [d2, d2]
    d2['a'] = lst
    d2[2] = 'x'
    d3 = {'a': 0}
    d3[(1, 2)] = [d3]
    return [d1, d2, d3]


def memo_graph(levels):
    x = []
    for _ in range(levels):
        x = [x, x]
    return x


def many_memo_entries():
    # More than 256 memoized objects: LONG_BINGET / LONG_BINPUT at protocols 1-3.
    strings = ['s%d' % i for i in range(300)]
    return [strings, strings[::-1], [Point(i, strings[i]) for i in range(0, 300, 50)]]


def deep_list(depth):
    x = []
    for _ in range(depth):
        x = [x]
    return x


BIG_INTS = [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**53 + 1, -2**63,
            2**64, -2**100, 10**50, 2**1000, -(2**2100) + 12345]

FLOATS = [0.0, -0.0, 0.1, -1.5, 1e308, 5e-324, float('inf'), float('-inf'), float('nan')]

STRINGS = ['', 'a', 'ascii text', 'with\nnewline and \\backslash and \\u escape', 'caf\xe9',
           '\u20ac\u4e2d\u6587', '\U0001f600 emoji', '\ud800 lone surrogate', 'x' * 255, 'y' * 256,
           'z\u00ff' * 700]

VALUES = {
    'none': None,
    'bools': [True, False],
    'ints': BIG_INTS,
    'floats': FLOATS,
    'complex': [complex(1, -2), 3j],
    'strings': STRINGS,
    'bytes': [b'', b'\x00\xff\n\\', bytes(range(256)), b'q' * 300],
    'bytearrays': [bytearray(), bytearray(b'\x00abc\xff'), bytearray(300)],
    'tuples': [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((),), tuple(range(40))],
    'lists': [[], [1], list(range(1100)), [[], [[]]]],
    'dicts': [{}, {'a': 1}, {1: 'int key', None: 'none', (1, 2): 'tuple', 2.5: 'float', b'b': 'bytes'},
              {str(i): i for i in range(1100)}],
    'sets': [set(), {1, 2, 3}, frozenset(), frozenset({'a', 'b'}), {(1, 2), frozenset({3})}],
    'nested': {'list': [1, [2, [3, (4, {'five': {5}})]]], 'empty': ([], {}, (), set())},
    'point': Point(1, 'one'),
    'slotted': Slotted([1], {'b': 2}),
    'reduced': Reduced(),
    'kwargs': WithKwargs(1, b='bee'),
    'inner': Outer.Inner(),
    'subclasses': [MyList([1, 2]), MyDict(a=1), MySet([7])],
    'stdlib': [Color.RED, Color.GREEN, Pair(1, 'r'), collections.OrderedDict(a=1, b=2),
               collections.deque([1, 2]), collections.Counter('abca'),
               datetime.datetime(2024, 2, 29, 12, 30, 15, 123456), datetime.date(1999, 12, 31),
               datetime.timedelta(days=-1, seconds=5), decimal.Decimal('-1.50')],
    'self-list': self_list(),
    'self-dict': self_dict(),
    'object-cycle': object_cycle(),
    'tuple-cycle': tuple_through_list(),
    'shared': shared(),
    'promoted-dicts': promoted_dicts(),
    'memo-graph': memo_graph(30),
    'many-memo': many_memo_entries(),
    'deep-list': deep_list(200),
    'proto-keys': {'__proto__': {'polluted': 1}, 'constructor': {'prototype': {'polluted': 2}},
                   'toString': 'str', '__defineGetter__': None},
    # Past 64 KiB, so protocols 4 and 5 write more than one FRAME.
    'big': [['item %05d' % i, i * 1.5, i] for i in range(4000)],
}

# Protocol 5 in-band buffers: PickleBuffer of a bytearray writes BYTEARRAY8, of bytes BINBYTES
# followed by READONLY handling in the pickler (no out-of-band data, so loads needs no options).
PROTOCOL5_ONLY = {
    'picklebuffer': [pickle.PickleBuffer(bytearray(b'mutable')), pickle.PickleBuffer(b'readonly')],
}


def u64(n):
    return n.to_bytes(8, 'little')


# Opcodes CPython 3 never writes, as an older pickler (or a hand) would. Each must load with
# pickle.loads here (the classes above are __main__ classes) and in pickle-mapper without options.
HANDMADE = {
    # Python 2 str: STRING with quotes and escapes, then the binary forms.
    'py2-strings-p0': b"(S'abc'\nS\"q'uote\\n\"\nS'\\x41\\101\\\\'\nl.",
    'py2-strings-p1': b']q\x00(U\x03abcq\x01T\x04\x00\x00\x00defgq\x02h\x01e.',
    # INST (protocol 0) and OBJ (protocol 1) instances, with BUILD state.
    'inst-p0': b"(i__main__\nPoint\np0\n(dp1\nVx\np2\nI1\nsVy\np3\nNsb.",
    'obj-p1': b'(c__main__\nPoint\nq\x00K\x01K\x02o}q\x01X\x01\x00\x00\x00zK\x03sb.',
    # DUP: a list that contains itself.
    'dup-p2': b'\x80\x02]2a.',
    # The 8-byte length forms, which CPython writes only past 4 GiB.
    'long-lengths-p4': b'\x80\x04(\x8d' + u64(5) + b'hello\x8e' + u64(3) + b'abc\x96' + u64(2) + b'xyt.',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith('.pkl'):
            os.remove(os.path.join(OUT, name))
    written = 0
    skipped = []
    for name, value in VALUES.items():
        for protocol in range(6):
            if name == 'big' and protocol < 4:
                continue  # only framed protocols need the large value
            try:
                data = pickle.dumps(value, protocol=protocol)
            except Exception as error:  # e.g. a class a low protocol cannot express
                skipped.append('%s-p%d: %s' % (name, protocol, error))
                continue
            pickle.loads(data)  # every corpus file is a valid pickle CPython reads back
            with open(os.path.join(OUT, '%s-p%d.pkl' % (name, protocol)), 'wb') as f:
                f.write(data)
            written += 1
    for name, value in PROTOCOL5_ONLY.items():
        data = pickle.dumps(value, protocol=5)
        pickle.loads(data)
        with open(os.path.join(OUT, '%s-p5.pkl' % name), 'wb') as f:
            f.write(data)
        written += 1
    for name, data in HANDMADE.items():
        pickle.loads(data)
        with open(os.path.join(OUT, name + '.pkl'), 'wb') as f:
            f.write(data)
        written += 1
    print('wrote %d pickles to %s' % (written, OUT))
    for line in skipped:
        print('skipped', line)


if __name__ == '__main__':
    main()

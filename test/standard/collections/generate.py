#!/usr/bin/env python3
"""Writes the CPython fixtures that test/standard-collections*.test.ts load.

    python3 test/standard/collections/generate.py

Run it with CPython 3.11, the python3 the tests pin: the dump-back tests compare pickle-mapper's
output with these bytes, and 3.12+ memoizes repeated module names differently.

One file per (case, protocol): pickles/<case>.p<N>.pkl, each exactly
``pickle.dumps(value, protocol=N)`` from CPython's C pickler, plus pickles/MANIFEST.json (sizes
and hashes). Enum and namedtuple classes come from fixture_collections.py, imported under that
exact module name. The output is deterministic (PYTHONHASHSEED=0, no sets of strings) and stale
.pkl files are removed first.

The py2_* cases are written by a Python 2.7 interpreter (the PYTHON2 environment variable, else
python2.7 / python2 on PATH, else pyenv's 2.7.x) at protocols 0 and 2; without one they are left
as they are. The expected TypeScript values are written by hand in the tests.
"""

import glob
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections import Counter, OrderedDict, defaultdict, deque

if os.environ.get('PYTHONHASHSEED') != '0':
    env = dict(os.environ, PYTHONHASHSEED='0')
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'pickles')
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import fixture_collections as fx  # noqa: E402
from fixture_collections import (  # noqa: E402
    Bits, ByName, Color, Employee, Level, Mode, Outer, Perm, Point, Tagged,
)

ALL = (0, 1, 2, 3, 4, 5)
PY2_PROTOCOLS = (0, 2)


# ---- collections ----------------------------------------------------------------------------

def od_attrs():
    od = OrderedDict([('k', 1)])
    od.note = 'n'
    return od


def dd_list():
    return defaultdict(list, {'a': [1, 2], 'b': []})


def tagged():
    t = Tagged('t', [1])
    t.note = 'n'
    return t


def nested():
    return {
        'od': OrderedDict([('inner', OrderedDict([(1, deque([Point(1, 2)]))]))]),
        'counter': Counter({'spam': 3}),
        'by_level': defaultdict(list, {Level.LOW: [Employee('ann', 7, 2.5)]}),
        'modes': [Mode.READ, Mode.WRITE],
        'suit': Outer.Suit.SPADES,
    }


def shared():
    od = OrderedDict(a=1)
    counter = Counter(x=2)
    dd = defaultdict(list, k=[1])
    dq = deque([1], maxlen=4)
    point = Point(5, 6)
    employee = Employee('e', 1, 0.5)
    rw = Perm.R | Perm.W
    return [od, od, counter, counter, dd, dd, dq, dq, Color.RED, Color.RED, rw, rw,
            point, point, employee, employee]


def recursive():
    od = OrderedDict()
    od['self'] = od
    dq = deque()
    dq.append(dq)
    dd = defaultdict(list)
    dd['me'] = dd
    return [od, dq, dd]


CASES = {
    'od_empty': lambda: OrderedDict(),
    'od_str_keys': lambda: OrderedDict([('b', 1), ('a', 2)]),
    'od_mixed_keys': lambda: OrderedDict([(1, 'one'), ('two', 2), (None, 'none'), ((1, 2), 'tuple'),
                                          (2.5, 'float'), (b'k', 'bytes')]),
    'od_attrs': od_attrs,
    'od_nested': lambda: OrderedDict(outer=OrderedDict(inner=OrderedDict())),
    'od_1001': lambda: OrderedDict((i, -i) for i in range(1001)),
    'counter_empty': lambda: Counter(),
    'counter': lambda: Counter('abracadabra'),
    'counter_mixed': lambda: Counter({1: 3, 'x': 0, (1, 2): -2}),
    'dd_list': dd_list,
    'dd_none': lambda: defaultdict(None, {'k': 1}),
    'dd_int': lambda: defaultdict(int, {1: 5, 2: 0}),
    'dd_empty_set': lambda: defaultdict(set),
    'deque_empty': lambda: deque(),
    'deque': lambda: deque([1, 'two', 3.5, None, (4,)]),
    'deque_maxlen': lambda: deque([1, 2, 3], maxlen=3),
    'deque_maxlen_empty': lambda: deque(maxlen=0),
    'deque_2500': lambda: deque(range(2500)),
    # enums
    'enum_single': lambda: Color.GREEN,
    'enum_color': lambda: [Color.RED, Color.GREEN, Color.BLUE, Color.CRIMSON],
    'enum_int': lambda: [Level.LOW, Level.HIGH, Level.HUGE],
    'enum_str': lambda: [Mode.READ, Mode.WRITE],
    'enum_flag': lambda: [Perm.R, Perm.R | Perm.W, Perm(0), Perm.R | Perm.W | Perm.X],
    'enum_intflag': lambda: [Bits.A, Bits.A | Bits.BIG, Bits(8), Bits(8) | Bits.B],
    'enum_by_name': lambda: [ByName.ONE, ByName.TWO],
    'enum_nested': lambda: Outer.Suit.HEARTS,
    # namedtuples
    'point': lambda: Point(1, 'a'),
    'employee': lambda: Employee('ann', 7, 2.5),
    'employee_float': lambda: Employee('bob', 1, 3.0),
    'tagged': tagged,
    'point_nested': lambda: Point(Point(1, 2), [Point(3, 4)]),
    # everything together
    'nested': nested,
    'shared': shared,
    'recursive': recursive,
}

# Written by Python 2.7 (see PY2_SOURCE): its OrderedDict and deque reduce differently.
PY2_CASES = ['py2_od', 'py2_deque', 'py2_counter', 'py2_dd', 'py2_point']

PY2_SOURCE = r'''
import collections, pickle, sys, types
# fixture_collections.py is Python 3 source; its Point is declared here under the same name.
module = types.ModuleType('fixture_collections')
Point = module.Point = collections.namedtuple('Point', 'x y')
Point.__module__ = 'fixture_collections'
sys.modules['fixture_collections'] = module
values = {
    'py2_od': collections.OrderedDict([(1, u'a'), (u'b', 2)]),
    'py2_deque': collections.deque([1, 2], 5),
    'py2_counter': collections.Counter(u'aab'),
    'py2_dd': collections.defaultdict(list, {u'a': [1]}),
    'py2_point': Point(1, 2),
}
for name in sorted(values):
    for protocol in (0, 2):
        with open('%s/%s.p%d.pkl' % (sys.argv[1], name, protocol), 'wb') as f:
            f.write(pickle.dumps(values[name], protocol))
print(sys.version.split()[0])
'''


def find_python2():
    candidates = [os.environ.get('PYTHON2'), shutil.which('python2.7'), shutil.which('python2')]
    candidates += sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/2.7*/bin/python2.7')))
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run([candidate, '-c', 'import sys; print(sys.version_info[0])'],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == '2':
            return candidate
    return None


def main():
    os.makedirs(OUT, exist_ok=True)
    python2 = find_python2()
    for name in os.listdir(OUT):
        if name.endswith('.pkl') and (python2 or not name.startswith('py2_')):
            os.remove(os.path.join(OUT, name))
    cases = {}
    for name, make in CASES.items():
        cases[name] = list(ALL)
        for protocol in ALL:
            with open(os.path.join(OUT, f'{name}.p{protocol}.pkl'), 'wb') as f:
                f.write(pickle.dumps(make(), protocol=protocol))
    previous = {}
    manifest_path = os.path.join(OUT, 'MANIFEST.json')
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            previous = json.load(f)
    if python2:
        env = dict(os.environ, PYTHONHASHSEED='0', PYTHONDONTWRITEBYTECODE='1')
        python2_version = subprocess.run([python2, '-c', PY2_SOURCE, OUT], check=True,
                                         capture_output=True, text=True, env=env).stdout.strip()
    else:
        python2_version = previous.get('python2')
        print('no Python 2.7 found: the py2_* fixtures are kept as they are', file=sys.stderr)
    for name in PY2_CASES:
        if os.path.exists(os.path.join(OUT, f'{name}.p0.pkl')):
            cases[name] = list(PY2_PROTOCOLS)
    files = []
    for name in sorted(os.listdir(OUT)):
        if not name.endswith('.pkl'):
            continue
        with open(os.path.join(OUT, name), 'rb') as f:
            data = f.read()
        case, protocol = name[:-len('.pkl')].rsplit('.p', 1)
        files.append({'file': name, 'case': case, 'protocol': int(protocol), 'bytes': len(data),
                      'sha256': hashlib.sha256(data).hexdigest()})
    manifest = {
        'generator': 'test/standard/collections/generate.py',
        'python': sys.version.split()[0],
        'python2': python2_version,
        'cases': cases,
        'files': files,
    }
    with open(manifest_path, 'w') as f:
        # One line per case and per file keeps the manifest short and its diffs readable.
        f.write('{\n')
        for key in ('generator', 'python', 'python2'):
            f.write(f' {json.dumps(key)}: {json.dumps(manifest[key])},\n')
        f.write(' "cases": {\n')
        f.write(',\n'.join(f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in cases.items()))
        f.write('\n },\n "files": [\n')
        f.write(',\n'.join(f'  {json.dumps(entry)}' for entry in files))
        f.write('\n ]\n}\n')
    print(f'{len(files)} pickles written to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()

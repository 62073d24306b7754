"""Benchmark workloads, written and timed by CPython.

Usage: python3 workloads.py write OUT_DIR [--quick] [--only=NAME]
  Writes OUT_DIR/<workload>.p<protocol>.pkl (and <workload>.json when the data is
  JSON-representable) and prints a JSON report of the files written. A workload this python3
  cannot make (numpy-float64 without numpy) is skipped with a note.
Usage: python3 workloads.py time OUT_DIR WORKLOAD PROTOCOL [--quick] [--fresh]
  Prints a JSON row of CPython's C pickle timings of that file: loads of its bytes and dumps of
  the value loaded, with the garbage collector on (as users run it) and off (a harder
  reference), each the median of at least 7 runs and 1 second of runs, and dumps by a Pickler
  with fast = True (no memo; gc on). With --fresh, also dumps of a value loaded just before
  each run (untimed; gc on), as time-child.ts times ours. run.ts calls it just before timing ours on the same file, so
  both sides of a ratio are measured close together in time on a machine whose speed drifts.
"""
import gc
import io
import json
import os
import pickle
import random
import statistics
import sys
import time
import types

try:
    import numpy
except ImportError:  # only the numpy workload needs it
    numpy = None

bench = types.ModuleType('bench')
sys.modules['bench'] = bench


class Point:
    def __init__(self, x, y, label):
        self.x = x
        self.y = y
        self.label = label


Point.__module__ = 'bench'
bench.Point = Point

QUICK = '--quick' in sys.argv
FRESH = '--fresh' in sys.argv
SCALE = 10 if QUICK else 1
ONLY = next((arg[len('--only='):] for arg in sys.argv if arg.startswith('--only=')), None)
rng = random.Random(1234)


class Unavailable(Exception):
    """This python3 lacks what a workload needs."""


def records(n):
    tags = ['red', 'green', 'blue', 'new', 'sale']
    return [
        {'id': i, 'name': f'user{i:06d}', 'score': rng.random() * 100, 'tags': rng.sample(tags, 2)}
        for i in range(n)
    ]


def floats(n):
    return [rng.random() * 1e6 - 5e5 for _ in range(n)]


def ints(n):
    widths = [0xff, 0xffff, 0x7fffffff, 2**62, 2**100]
    return [rng.randrange(-w, w) for _ in range(n) for w in [widths[rng.randrange(5)]]]


def safe_ints(n):
    # Within +-2**53, where pickleparser and JSON read every value exactly (the 2**62 and 2**100
    # widths above are beyond both): BININT1, BININT2, BININT and LONG1 of 5 to 7 bytes.
    # Its own random stream, so the workloads after it are the same as before it was added.
    own = random.Random(5353)
    widths = [0xff, 0xffff, 0x7fffffff, 2**40, 2**53 - 1]
    return [own.randrange(-w, w) for _ in range(n) for w in [widths[own.randrange(5)]]]


def strings(n):
    words = ['alpha', 'beta', 'gamma', 'héllo', 'wörld', '中文', 'emoji😀']
    return [f'{rng.choice(words)}-{i}-{rng.choice(words)}' for i in range(n)]


def blobs(n, size=1 << 20):
    return [os.urandom(size) for _ in range(n)]


def instances(n):
    return [Point(i, i * 0.5, f'p{i}') for i in range(n)]


def numpy_float64(n):
    if numpy is None:
        raise Unavailable('python3 has no numpy')
    return numpy.random.default_rng(1234).standard_normal(n)


# name: (make, element count of a full run, written as JSON too)
WORKLOADS = {
    'records': (records, 200_000, True),
    'floats': (floats, 1_000_000, True),
    'ints': (ints, 1_000_000, False),  # 2**100 is beyond JSON numbers
    'safe-ints': (safe_ints, 1_000_000, True),
    'strings': (strings, 200_000, True),
    'bytes': (blobs, 64, False),
    'instances': (instances, 100_000, False),
    'numpy-float64': (numpy_float64, 10_000_000, False),
}
PROTOCOLS = (2, 4, 5)


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def timed(fn, repeat, min_seconds, before_each=None):
    """Median milliseconds of fn over at least `repeat` runs and `min_seconds` of them;
    before_each, when given, runs before each run, untimed."""
    samples = []
    while len(samples) < repeat or sum(samples) < min_seconds:
        if before_each is not None:
            before_each()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def selected(workloads, notes):
    """(name, value, rest of its table entry) for each workload --only keeps, made at this run's
    scale; a workload this python3 cannot make is skipped with a line in notes."""
    for name, (make, count, *rest) in workloads.items():
        if ONLY is not None and name != ONLY:
            continue
        try:
            value = make(count // SCALE)
        except Unavailable as why:
            notes.append(f'{name}: skipped, {why}')
            continue
        yield name, value, rest
        del value  # before the next is made: the large ones should not coexist


def write_all(out):
    os.makedirs(out, exist_ok=True)
    report = {'python': sys.version.split()[0], 'files': [], 'notes': []}
    for name, value, (jsonable,) in selected(WORKLOADS, report['notes']):
        if jsonable:
            with open(os.path.join(out, f'{name}.json'), 'w') as f:
                json.dump(value, f)
        for protocol in PROTOCOLS:
            data = pickle.dumps(value, protocol=protocol)
            write(os.path.join(out, f'{name}.p{protocol}.pkl'), data)
            report['files'].append({'workload': name, 'protocol': protocol, 'bytes': len(data)})
    return report


def dumps_fast(value, protocol):
    """pickle.dumps with Pickler.fast set (no memo): dumps takes no such argument."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol)
    pickler.fast = True
    pickler.dump(value)
    return out.getvalue()


def time_file(out, name, protocol):
    with open(os.path.join(out, f'{name}.p{protocol}.pkl'), 'rb') as f:
        data = f.read()
    value = pickle.loads(data)
    repeat, min_seconds = (3, 0) if QUICK else (7, 1.0)
    row = {}
    for gc_on in (True, False):
        gc.enable() if gc_on else gc.disable()
        suffix = 'gcOn' if gc_on else 'gcOff'
        row[f'loads_{suffix}'] = timed(lambda: pickle.loads(data), repeat, min_seconds)
        row[f'dumps_{suffix}'] = timed(lambda: pickle.dumps(value, protocol=protocol), repeat, min_seconds)
    gc.enable()
    row['dumps_fast_gcOn'] = timed(lambda: dumps_fast(value, protocol), repeat, min_seconds)
    if FRESH:
        loaded = [None]

        def load_fresh():
            loaded[0] = None  # freed before the next is loaded
            loaded[0] = pickle.loads(data)

        row['dumps_fresh_gcOn'] = timed(lambda: pickle.dumps(loaded[0], protocol=protocol), repeat, min_seconds, load_fresh)
    return row


def main():
    command, out = sys.argv[1], sys.argv[2]
    if command == 'write':
        print(json.dumps(write_all(out)))
    elif command == 'time':
        print(json.dumps(time_file(out, sys.argv[3], int(sys.argv[4]))))
    else:
        sys.exit(f'unknown command {command!r}: write or time')


if __name__ == '__main__':
    main()

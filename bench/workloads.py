"""Benchmark workloads, written and timed by CPython.

Usage: python3 workloads.py OUT_DIR [--quick]
Writes OUT_DIR/<workload>.p<protocol>.pkl (and <workload>.json when the data is JSON-representable)
and prints a JSON report of CPython's C pickle timings on the same bytes: loads and dumps, with
the garbage collector on (as users run it) and off (a harder reference), best-of-N medians.
"""
import gc
import json
import os
import pickle
import random
import statistics
import sys
import time
import types

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
SCALE = 10 if QUICK else 1
rng = random.Random(1234)


def records():
    tags = ['red', 'green', 'blue', 'new', 'sale']
    return [
        {'id': i, 'name': f'user{i:06d}', 'score': rng.random() * 100, 'tags': rng.sample(tags, 2)}
        for i in range(200_000 // SCALE)
    ]


def floats():
    return [rng.random() * 1e6 - 5e5 for _ in range(1_000_000 // SCALE)]


def ints():
    widths = [0xff, 0xffff, 0x7fffffff, 2**62, 2**100]
    return [rng.randrange(-w, w) for _ in range(1_000_000 // SCALE) for w in [widths[rng.randrange(5)]]]


def strings():
    words = ['alpha', 'beta', 'gamma', 'héllo', 'wörld', '中文', 'emoji😀']
    return [f'{rng.choice(words)}-{i}-{rng.choice(words)}' for i in range(200_000 // SCALE)]


def blobs():
    return [os.urandom(1 << 20) for _ in range(64 // SCALE)]


def instances():
    return [Point(i, i * 0.5, f'p{i}') for i in range(100_000 // SCALE)]


WORKLOADS = {
    'records': (records, True),
    'floats': (floats, True),
    'ints': (ints, False),  # 2**100 is beyond JSON numbers
    'strings': (strings, True),
    'bytes': (blobs, False),
    'instances': (instances, False),
}
PROTOCOLS = (2, 4, 5)


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    repeat = 3 if QUICK else 7
    report = {'python': sys.version.split()[0], 'results': []}
    for name, (make, jsonable) in WORKLOADS.items():
        value = make()
        if jsonable:
            with open(os.path.join(out, f'{name}.json'), 'w') as f:
                json.dump(value, f)
        for protocol in PROTOCOLS:
            data = pickle.dumps(value, protocol=protocol)
            with open(os.path.join(out, f'{name}.p{protocol}.pkl'), 'wb') as f:
                f.write(data)
            row = {'workload': name, 'protocol': protocol, 'bytes': len(data)}
            for gc_on in (True, False):
                gc.enable() if gc_on else gc.disable()
                suffix = 'gcOn' if gc_on else 'gcOff'
                row[f'loads_{suffix}'] = timed(lambda: pickle.loads(data), repeat)
                row[f'dumps_{suffix}'] = timed(lambda: pickle.dumps(value, protocol=protocol), repeat)
            gc.enable()
            report['results'].append(row)
    print(json.dumps(report))


if __name__ == '__main__':
    main()

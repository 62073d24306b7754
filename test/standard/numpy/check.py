#!/usr/bin/env python3
"""Checks, with real numpy, pickles that pickle-mapper wrote (test/standard-numpy-interop.test.ts).

    python3 check.py JOBS.json    prints a JSON object: job id -> {"problems": [...], "warnings": [...]}

Each job names the pickle TypeScript wrote ("out", with its out-of-band buffers "out_buffers" or
null) and the protocol it used, and what it must equal:
  "fixture": a numpy pickle (with "fixture_buffers"): the reference is what numpy itself makes of
             it when it loads it and pickles it again at the same protocol (and the same
             in-band/out-of-band choice) — numpy -> numpy, which numpy -> TypeScript -> numpy
             must match;
  "expr":    a Python expression (numpy as np, helpers below): the same, starting from its value.
"same_bytes" in the result says whether numpy's own pickle of the source (same protocol and
buffers) is byte for byte what TypeScript wrote. "skip" lists top-level keys to leave out of the comparison. Arrays must have equal dtype (and
dtype.str), shape, strides, C/F-contiguous and writeable flags and bytes (object arrays: equal
elements); dtypes and scalars equal dtype and bytes; shared objects stay shared.
"""

import json
import math
import os
import pickle
import sys
import warnings

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402


def objects(items, shape=None, order='C'):
    return generate._objects(items, shape, order)


def readonly(array):
    array.flags.writeable = False
    return array


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def load(data, buffers):
    # Writable buffers, as a receiver would have them: READONLY_BUFFER marks the read-only ones.
    if buffers is None:
        return pickle.loads(data)
    return pickle.loads(data, buffers=[bytearray(b) for b in buffers])


def numpy_round_trip(value, protocol, oob):
    if oob:
        buffers = []
        data = pickle.dumps(value, protocol=protocol, buffer_callback=buffers.append)
        return load(data, [bytes(b.raw()) for b in buffers])
    return pickle.loads(pickle.dumps(value, protocol=protocol))


def compare(a, b, path, problems):
    """a: the reference, b: what TypeScript wrote, as numpy loads it."""
    if type(a) is not type(b):
        problems.append(f'{path}: type {type(b).__name__}, expected {type(a).__name__}')
        return
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.dtype.str != b.dtype.str:
            problems.append(f'{path}: dtype {b.dtype.str}, expected {a.dtype.str}')
            return
        if a.shape != b.shape:
            problems.append(f'{path}: shape {b.shape}, expected {a.shape}')
            return
        for flag in ('C_CONTIGUOUS', 'F_CONTIGUOUS', 'WRITEABLE'):
            if a.flags[flag] != b.flags[flag]:
                problems.append(f'{path}: {flag} {b.flags[flag]}, expected {a.flags[flag]}')
        if a.strides != b.strides:
            problems.append(f'{path}: strides {b.strides}, expected {a.strides}')
        if a.dtype.hasobject:
            for index in np.ndindex(a.shape):
                compare(a[index], b[index], f'{path}{list(index)}', problems)
        else:
            if a.tobytes() != b.tobytes():
                problems.append(f'{path}: data {b.tobytes()!r}, expected {a.tobytes()!r}')
            if a.dtype.kind in 'biufc' and not np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc'):
                problems.append(f'{path}: values differ')
        if type(a) is not np.ndarray and a.__dict__ != b.__dict__:
            problems.append(f'{path}: attributes differ')
    elif isinstance(a, np.dtype):
        # numpy 1.x gives {} where numpy 2.x gives None (datetime dtypes): the same metadata.
        if a != b or a.str != b.str or a.descr != b.descr or dict(a.metadata or {}) != dict(b.metadata or {}):
            problems.append(f'{path}: dtype {b!r}, expected {a!r}')
    elif isinstance(a, np.generic):
        if a.dtype != b.dtype or a.tobytes() != b.tobytes():
            problems.append(f'{path}: scalar {b!r} ({b.dtype}), expected {a!r} ({a.dtype})')
    elif isinstance(a, dict):
        if list(a) != list(b):
            problems.append(f'{path}: keys {list(b)}, expected {list(a)}')
            return
        for key in a:
            compare(a[key], b[key], f'{path}.{key}', problems)
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            problems.append(f'{path}: length {len(b)}, expected {len(a)}')
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f'{path}[{i}]', problems)
        if len(a) >= 2 and (a[0] is a[1]) != (b[0] is b[1]):
            problems.append(f'{path}: sharing of [0] and [1] differs')
    elif isinstance(a, float):
        if not (a == b and math.copysign(1, a) == math.copysign(1, b)) and not (math.isnan(a) and math.isnan(b)):
            problems.append(f'{path}: {b!r}, expected {a!r}')
    elif a != b:
        problems.append(f'{path}: {b!r}, expected {a!r}')


def run(job):
    problems = []
    protocol, oob = job['protocol'], job['out_buffers'] is not None
    if 'fixture' in job:
        source = load(read(job['fixture']), [read(p) for p in job['fixture_buffers']] if job.get('fixture_buffers') else None)
    else:
        source = eval(job['expr'], {'np': np, 'objects': objects, 'readonly': readonly})
    reference = numpy_round_trip(source, protocol, oob)
    # Would numpy itself have written exactly these bytes (and buffers) for the source?
    own_buffers = []
    own = pickle.dumps(source, protocol=protocol, buffer_callback=own_buffers.append if oob else None)
    same_bytes = own == read(job['out']) and (
        not oob or [bytes(b.raw()) for b in own_buffers] == [read(p) for p in job['out_buffers']])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            got = load(read(job['out']), [read(p) for p in job['out_buffers']] if oob else None)
        except Exception as error:  # reported, not raised: the other jobs still run
            return {'problems': [f'numpy cannot load it: {type(error).__name__}: {error}'], 'warnings': [], 'same_bytes': same_bytes}
    for key in job.get('skip', []):
        reference.pop(key, None)
        got.pop(key, None)
    compare(reference, got, '$', problems)
    return {'problems': problems, 'warnings': [f'{w.category.__name__}: {w.message}' for w in caught], 'same_bytes': same_bytes}


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    results = {job['id']: run(job) for job in jobs}
    json.dump({'numpy': np.__version__, 'results': results}, sys.stdout)


if __name__ == '__main__':
    main()

"""Checks pickles written by the TypeScript pickler against CPython, for the interop tests.

stdin: JSON list of jobs, each
  {"id": str, "protocol": int, "ours": base64,
   "reference": base64 | null,   # a CPython pickle of the expected value (loaded with encoding='latin1')
   "expr": str | null}           # or a Python expression for it (names: dt, D, F, uuid, zoneinfo,
                                 # pytz, and flt(hex) for the float with those IEEE-754 bits)
stdout: JSON list of results, each
  {"id", "problems": [str],      # empty when `ours` loads to a value strictly equal to the expected one
   "cpythonLossy": bool,         # CPython's own round trip at this protocol loses something (fold
                                 # below protocol 4): then "expected" is what that round trip gives
   "identical": bool,            # ours == pickle.dumps(expected, protocol) byte for byte
   "sameUpToStrings": bool,      # equal once strings are compared by value (see canon())
   "ours": dis text, "cpython": dis text}   # only when neither of the two holds

"Strictly equal" means: the same types at every level (`type(a) is type(b)`), `==` (or both NaN),
the same repr (which tells Decimal('1.0') from Decimal('1.00'), shows fold=1 and a timezone's
name), the same fold and tzinfo, the same UUID.is_safe, floats bit for bit, and the same sharing:
where the expected value uses one object twice the loaded one must too, and vice versa.
Both the C unpickler and the pure-Python one must load `ours`, and no opcode may be newer than
the protocol asked for.
"""

import base64
import datetime as dt
import decimal
import fractions
import io
import json
import math
import os
import pickle
import pickletools
import struct
import sys
import uuid
import zoneinfo

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_pytz  # noqa: E402

pytz = fake_pytz.install()
D = decimal.Decimal
F = fractions.Fraction

ATOMS = (type(None), bool, int, str, bytes, float)


def same(a, b, path, problems, a2b, b2a):
    if len(problems) > 5:
        return
    if type(a) is not type(b):
        problems.append(f'{path}: type {type(a).__name__} is not {type(b).__name__} ({a!r} vs {b!r})')
        return
    if not isinstance(a, ATOMS) and not isinstance(a, tuple):
        # Sharing: the same object on one side must be the same object on the other.
        if id(a) in a2b or id(b) in b2a:
            if a2b.get(id(a)) is not b or b2a.get(id(b)) is not a:
                problems.append(f'{path}: sharing differs ({a!r})')
            return
        a2b[id(a)] = b
        b2a[id(b)] = a
    if isinstance(a, float):
        if struct.pack('<d', a) != struct.pack('<d', b) and not (math.isnan(a) and math.isnan(b)):
            problems.append(f'{path}: float {a!r} vs {b!r}')
        return
    if isinstance(a, complex):
        same(a.real, b.real, f'{path}.real', problems, a2b, b2a)
        same(a.imag, b.imag, f'{path}.imag', problems, a2b, b2a)
        return
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            problems.append(f'{path}: length {len(a)} vs {len(b)}')
            return
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f'{path}[{i}]', problems, a2b, b2a)
        return
    if isinstance(a, dict):
        if list(a) != list(b):
            problems.append(f'{path}: keys {list(a)!r} vs {list(b)!r}')
            return
        for k in a:
            same(a[k], b[k], f'{path}[{k!r}]', problems, a2b, b2a)
        return
    if isinstance(a, slice):
        for part in ('start', 'stop', 'step'):
            same(getattr(a, part), getattr(b, part), f'{path}.{part}', problems, a2b, b2a)
        return
    if repr(a) != repr(b):
        problems.append(f'{path}: repr {a!r} vs {b!r}')
    if isinstance(a, D):
        # == on a signaling NaN raises; str() tells every Decimal apart (sign, digits, exponent).
        if str(a) != str(b):
            problems.append(f'{path}: Decimal {a} vs {b}')
        return
    if a != b:
        problems.append(f'{path}: {a!r} != {b!r}')
    if isinstance(a, (dt.datetime, dt.time)):
        if a.fold != b.fold:
            problems.append(f'{path}: fold {a.fold} vs {b.fold}')
        if a.tzinfo is not None or b.tzinfo is not None:
            same(a.tzinfo, b.tzinfo, f'{path}.tzinfo', problems, a2b, b2a)
    if isinstance(a, dt.timezone):
        if a.tzname(None) != b.tzname(None):
            problems.append(f'{path}: tzname {a.tzname(None)!r} vs {b.tzname(None)!r}')
        if (a is dt.timezone.utc) != (b is dt.timezone.utc):
            problems.append(f'{path}: timezone.utc identity differs')
    if isinstance(a, uuid.UUID) and a.is_safe != b.is_safe:
        problems.append(f'{path}: is_safe {a.is_safe} vs {b.is_safe}')


STRING_OPS = {'UNICODE', 'BINUNICODE', 'SHORT_BINUNICODE', 'BINUNICODE8'}
MEMO_OPS = {'MEMOIZE', 'PUT', 'BINPUT', 'LONG_BINPUT'}
GET_OPS = {'GET', 'BINGET', 'LONG_BINGET'}


def canon(data):
    """The opcode stream with strings compared by value: a GET of a memoized string becomes the
    string itself, memo entries of strings are dropped, other memo entries are numbered in order,
    and FRAME sizes are ignored. Two pickles with equal canon() differ only in which equal
    strings they share (CPython shares by object identity, the TypeScript pickler by value)."""
    tokens = []
    memo = {}
    objects = 0
    previous = None
    for op, arg, _ in pickletools.genops(data):
        name = op.name
        if name == 'FRAME':
            continue
        if name in MEMO_OPS:
            index = len(memo) if name == 'MEMOIZE' else arg
            if previous is not None and previous[0] == 'str':
                memo[index] = previous
            else:
                memo[index] = ('obj', objects)
                objects += 1
                tokens.append(('memo',))
            continue
        if name in GET_OPS:
            token = memo[arg]
            tokens.append(token if token[0] == 'str' else ('get', token[1]))
            previous = token
            continue
        token = ('str', arg) if name in STRING_OPS else (name, arg)
        tokens.append(token)
        previous = token
    return tokens


def flt(bits):
    """The float with these IEEE-754 bits (16 hex digits, big-endian)."""
    return struct.unpack('>d', bytes.fromhex(bits))[0]


def dis(data):
    out = io.StringIO()
    try:
        pickletools.dis(data, out=out)
    except Exception as e:  # noqa: BLE001
        out.write(f'\n<dis failed: {e}>')
    return out.getvalue()


def check(job):
    problems = []
    ours = base64.b64decode(job['ours'])
    protocol = job['protocol']
    if job.get('reference') is not None:
        expected = pickle.loads(base64.b64decode(job['reference']), encoding='latin1')
    else:
        names = {'dt': dt, 'D': D, 'F': F, 'uuid': uuid, 'zoneinfo': zoneinfo, 'pytz': pytz, 'flt': flt}
        expected = eval(job['expr'], names)
    try:
        newest = max(op.proto for op, _, _ in pickletools.genops(ours))
        if newest > protocol:
            problems.append(f'an opcode of protocol {newest} in a protocol {protocol} pickle')
    except Exception as e:  # noqa: BLE001
        problems.append(f'pickletools cannot read it: {e}')
    # What CPython itself gets back at this protocol (it drops fold below protocol 4).
    lossy = []
    roundtrip = pickle.loads(pickle.dumps(expected, protocol=protocol))
    same(roundtrip, expected, 'value', lossy, {}, {})
    for loader in (pickle.loads, pickle._loads):
        try:
            actual = loader(ours)
        except Exception as e:  # noqa: BLE001
            problems.append(f'{loader.__module__}.{loader.__name__}: {type(e).__name__}: {e}')
            continue
        same(actual, roundtrip, 'value', problems, {}, {})
    cpython = pickle.dumps(expected, protocol=protocol)
    identical = ours == cpython
    up_to_strings = identical or canon(ours) == canon(cpython)
    result = {'id': job['id'], 'problems': problems, 'identical': identical, 'sameUpToStrings': up_to_strings,
              'cpythonLossy': bool(lossy)}
    if not up_to_strings:
        result['ours'] = dis(ours)
        result['cpython'] = dis(cpython)
    return result


def main():
    jobs = json.load(sys.stdin)
    json.dump([check(job) for job in jobs], sys.stdout)


if __name__ == '__main__':
    main()

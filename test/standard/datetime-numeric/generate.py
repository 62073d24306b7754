#!/usr/bin/env python3
"""Writes the CPython fixtures for the datetime and numeric standard types.

    python3 test/standard/datetime-numeric/generate.py

One file per (case, protocol): pickles/<case>.p<N>.pkl, each exactly ``pickle.dumps(value,
protocol=N)`` from CPython's C pickler, plus pickles/MANIFEST.json (sizes, hashes, and which
files are hand-assembled). Stale .pkl files are removed first; the output is deterministic.

The ``py2_*`` files are the one exception to "written by pickle.dumps", and the manifest says
so (``"source": "handmade"``): the byte forms Python 2.7's pickler wrote for these types (a
datetime's state as a ``str``, ``__builtin__.xrange``, ``L...L`` longs, a Fraction as
``'n/d'``), at protocols 0 and 2, assembled here by hand since no Python 2 runs here. Each is
checked to load in Python 3 (encoding='latin1') to the value it stands for.

Third-party tzinfo shapes need no third-party package: zoneinfo is stdlib, and pytz's pickle
shape (``pytz._p(...)``) comes from the stand-in in fake_pytz.py.

The expected JavaScript values are written by hand in test/standard-datetime.test.ts and
test/standard-numeric.test.ts; a case added here without an expectation there fails the tests.
"""

import datetime as dt
import decimal
import fractions
import hashlib
import json
import os
import pickle
import sys
import uuid
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'pickles')
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import fake_pytz  # noqa: E402

fake_pytz.install()
import pytz  # noqa: E402  (the stand-in)

ALL = (0, 1, 2, 3, 4, 5)
D = decimal.Decimal
F = fractions.Fraction
UTC = dt.timezone.utc


def tz(name=None, **offset):
    delta = dt.timedelta(**offset)
    return dt.timezone(delta) if name is None else dt.timezone(delta, name)


# ---- the cases: name -> value (each written at every protocol 0..5) -------------------------

DATETIME_CASES = {
    'dt_naive': dt.datetime(2024, 1, 2, 3, 4, 5),
    'dt_micro': dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
    'dt_min': dt.datetime.min,
    'dt_max': dt.datetime.max,
    'dt_utc': dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    'dt_named_offset': dt.datetime(2020, 6, 30, 12, 0, 0, 500000, tzinfo=tz('IST', hours=5, minutes=30)),
    'dt_odd_offset': dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=tz(hours=-3, seconds=-5, microseconds=-7)),
    'dt_fold': dt.datetime(2021, 11, 7, 1, 30, fold=1),
    'dt_zoneinfo_fold': dt.datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo('America/New_York')),
    'dt_zoneinfo': dt.datetime(2024, 3, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')),
    'dt_pytz_like': dt.datetime(2010, 5, 6, 7, 8, 9, tzinfo=pytz._p('US/Eastern', -14400, 3600, 'EDT')),
    'date_leap': dt.date(2024, 2, 29),
    'date_min': dt.date.min,
    'date_max': dt.date.max,
    'time_basic': dt.time(12, 30),
    'time_fold': dt.time(23, 59, 59, 999999, fold=1),
    'time_tz': dt.time(1, 2, 3, 4, tzinfo=tz('PST', hours=-8)),
    'td_zero': dt.timedelta(0),
    'td_minus_1us': dt.timedelta(microseconds=-1),
    'td_mixed': dt.timedelta(days=-3, hours=5, microseconds=7),
    'td_max': dt.timedelta.max,
    'td_min': dt.timedelta.min,
    'tz_utc': UTC,
    'tz_named': tz('IST', hours=5, minutes=30),
    'tz_negative': tz(hours=-23, minutes=-59, seconds=-59, microseconds=-999999),
    'tz_zero_named': tz('UTC', hours=0),
}


def shared_tz():
    # One timezone.utc and one named zone, each used from several places.
    ist = tz('IST', hours=5, minutes=30)
    return [
        UTC,
        dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC),
        dt.time(7, 8, tzinfo=UTC),
        dt.datetime(2002, 3, 4, tzinfo=ist),
        ist,
    ]


DATETIME_CASES['dt_shared_tz'] = shared_tz()

NUMERIC_CASES = {
    'dec_simple': D('1.50'),
    'dec_sci': D('-1.5E+3'),
    'dec_tiny': D('1E-7'),
    'dec_specials': [D('NaN'), D('-NaN'), D('sNaN123'), D('Infinity'), D('-Infinity'), D('-0'), D('0E-7')],
    'dec_long': D('-3.' + '1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679' * 3),
    'dec_huge_exponent': D('9.99E+999999999999999999'),
    'frac_simple': F(3, 4),
    'frac_negative': F(-7, 3),
    'frac_whole': F(5),
    'frac_huge': F(2**200 + 1, 3**150),
    'uuid_plain': uuid.UUID('12345678-1234-5678-1234-567812345678'),
    'uuid_safe': uuid.UUID('8c5b4b7e-1b0e-4a57-9c1e-0d4b8e2f6a01', is_safe=uuid.SafeUUID.safe),
    'uuid_unsafe': uuid.UUID(int=1, is_safe=uuid.SafeUUID.unsafe),
    'uuid_nil': uuid.UUID(int=0),
    'uuid_max': uuid.UUID(int=2**128 - 1),
    'range_stop': range(10),
    'range_negative_step': range(10, -10, -3),
    'range_empty': range(1, 10, -2),
    'range_huge': range(-2**70, 2**70, 2**65),
    'slice_none': slice(None),
    'slice_partial': slice(1, None, 3),
    'slice_negative': slice(-1, -10, -2),
    'slice_objects': slice('a', (1, 2), 2.5),
    'complex_basic': complex(1, 2),
    'complex_signed_zeros': complex(-0.0, -0.0),
    'complex_special': complex(float('inf'), float('nan')),
    'complex_integral': complex(3, 0),
}


def shared_numeric():
    half = D('0.5')
    third = F(1, 3)
    key = uuid.UUID(int=42)
    return {'a': half, 'b': half, 'c': [third, third], 'd': key, 'e': key}


NUMERIC_CASES['num_shared'] = shared_numeric()


# ---- Python 2 forms, assembled by hand (see the module docstring) ---------------------------

# datetime(2024, 1, 2, 3, 4, 5, 6): the 10-byte state as a Python 2 str.
_DT_STATE = b'\x07\xe8\x01\x02\x03\x04\x05\x00\x00\x06'
# date(2024, 2, 29) and time(12, 30, 0, 250000).
_DATE_STATE = b'\x07\xe8\x02\x1d'
_TIME_STATE = b'\x0c\x1e\x00\x03\xd0\x90'


def _py2_repr(data):
    """Python 2's repr() of a str, as protocol 0's STRING opcode carries it."""
    out = []
    for b in data:
        c = chr(b)
        if c in '\\\'':
            out.append('\\' + c)
        elif c == '\t':
            out.append('\\t')
        elif c == '\n':
            out.append('\\n')
        elif c == '\r':
            out.append('\\r')
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append('\\x%02x' % b)
    return ("'" + ''.join(out) + "'").encode('ascii')


def _p0_call(module, name, *args):
    """Protocol 0 as Python 2 writes `module.name(*args)`: GLOBAL, PUT, MARK args TUPLE, REDUCE."""
    body = b'c' + module + b'\n' + name + b'\np0\n('
    memo = 1
    for kind, value in args:
        if kind == 'S':
            body += b'S' + _py2_repr(value) + b'\np%d\n' % memo
            memo += 1
        else:
            body += value  # an INT/LONG line, not memoized
    return body + b'tp%d\nRp%d\n.' % (memo, memo + 1)


def _p2_call(module, name, *args):
    """Protocol 2 as Python 2 writes it: GLOBAL, BINPUT, args, TUPLEn, BINPUT, REDUCE, BINPUT."""
    body = b'\x80\x02c' + module + b'\n' + name + b'\nq\x00'
    memo = 1
    for kind, value in args:
        if kind == 'S':
            body += b'U' + bytes([len(value)]) + value + b'q' + bytes([memo])
            memo += 1
        else:
            body += value
    body += bytes([0x84 + len(args)]) + b'q' + bytes([memo]) + b'R' + b'q' + bytes([memo + 1])
    return body + b'.'


PY2_CASES = {
    # name: {protocol: bytes}, and the value Python 3 loads it as (encoding='latin1')
    'py2_datetime': ({
        0: _p0_call(b'datetime', b'datetime', ('S', _DT_STATE)),
        2: _p2_call(b'datetime', b'datetime', ('S', _DT_STATE)),
    }, dt.datetime(2024, 1, 2, 3, 4, 5, 6)),
    'py2_date': ({
        0: _p0_call(b'datetime', b'date', ('S', _DATE_STATE)),
        2: _p2_call(b'datetime', b'date', ('S', _DATE_STATE)),
    }, dt.date(2024, 2, 29)),
    'py2_time': ({
        0: _p0_call(b'datetime', b'time', ('S', _TIME_STATE)),
        2: _p2_call(b'datetime', b'time', ('S', _TIME_STATE)),
    }, dt.time(12, 30, 0, 250000)),
    'py2_timedelta': ({
        0: _p0_call(b'datetime', b'timedelta', ('I', b'I-1\n'), ('I', b'I86399\n'), ('I', b'I999999\n')),
        2: _p2_call(b'datetime', b'timedelta', ('I', b'J\xff\xff\xff\xff'), ('I', b'J\x7f\x51\x01\x00'), ('I', b'J\x3f\x42\x0f\x00')),
    }, dt.timedelta(microseconds=-1)),
    'py2_decimal': ({
        0: _p0_call(b'decimal', b'Decimal', ('S', b'-1.50E+3')),
        2: _p2_call(b'decimal', b'Decimal', ('S', b'-1.50E+3')),
    }, D('-1.50E+3')),
    'py2_fraction': ({
        0: _p0_call(b'fractions', b'Fraction', ('S', b'-7/3')),
        2: _p2_call(b'fractions', b'Fraction', ('S', b'-7/3')),
    }, F(-7, 3)),
    'py2_xrange': ({
        0: _p0_call(b'__builtin__', b'xrange', ('I', b'I1\n'), ('I', b'I-11\n'), ('I', b'I-2\n')),
        2: _p2_call(b'__builtin__', b'xrange', ('I', b'K\x01'), ('I', b'J\xf5\xff\xff\xff'), ('I', b'J\xfe\xff\xff\xff')),
    }, range(1, -11, -2)),
    'py2_uuid': ({
        0: b"ccopy_reg\n_reconstructor\np0\n(cuuid\nUUID\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n"
           b"(dp5\nS'int'\np6\nL305419896L\nsb.",
        2: b'\x80\x02cuuid\nUUID\nq\x00)\x81q\x01}q\x02U\x03intq\x03\x8a\x04\x78\x56\x34\x12sb.',
    }, uuid.UUID(int=0x12345678)),
}


PY2_DATETIME = {'py2_datetime', 'py2_date', 'py2_time', 'py2_timedelta'}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith('.pkl') or name == 'MANIFEST.json':
            os.remove(os.path.join(OUT, name))
    files = []
    cases = {}

    def write(case, protocol, data, source):
        file = f'{case}.p{protocol}.pkl'
        with open(os.path.join(OUT, file), 'wb') as f:
            f.write(data)
        files.append({
            'file': file, 'case': case, 'protocol': protocol, 'source': source,
            'bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest(),
        })
        cases.setdefault(case, []).append(protocol)

    for theme in (DATETIME_CASES, NUMERIC_CASES):
        for case, value in theme.items():
            for protocol in ALL:
                write(case, protocol, pickle.dumps(value, protocol=protocol), 'cpython')
    for case, (forms, value) in PY2_CASES.items():
        for protocol, data in forms.items():
            loaded = pickle.loads(data, encoding='latin1')
            assert type(loaded) is type(value) and loaded == value, (case, protocol, loaded, value)
            write(case, protocol, data, 'handmade')

    manifest = {
        'python': sys.version.split()[0],
        'themes': {
            'datetime': sorted(DATETIME_CASES) + sorted(c for c in PY2_CASES if c in PY2_DATETIME),
            'numeric': sorted(NUMERIC_CASES) + sorted(c for c in PY2_CASES if c not in PY2_DATETIME),
        },
        'cases': cases,
        'files': sorted(files, key=lambda f: f['file']),
    }
    with open(os.path.join(OUT, 'MANIFEST.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'wrote {len(files)} pickles for {len(cases)} cases to {OUT}')


if __name__ == '__main__':
    main()

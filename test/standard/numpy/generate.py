#!/usr/bin/env python3
"""Writes the numpy fixture pickles that test/standard-numpy-load.test.ts loads.

    python3 test/standard/numpy/generate.py            # numpy 2.x -> np2/
    /usr/bin/python3 test/standard/numpy/generate.py   # numpy 1.x (Debian python3-numpy) -> np1/
    python3 test/standard/numpy/generate.py --out DIR  # the same files into DIR

Each run writes into np<numpy major version>/:
  cases.p<N>.pkl            pickle.dumps(cases(), protocol=N) for N in 0, 2, 4, 5 (buffers in band)
  cases.p5-oob.pkl          protocol 5 with buffer_callback: the array buffers out of band,
  cases.p5-oob.buffers.bin  ... those buffers, concatenated (their lengths are in MANIFEST.json)
  MANIFEST.json             numpy and Python versions, buffer lengths, SHA-256 of every file

The values are the same for every numpy version (cases() below); the expected JavaScript values
are written by hand in test/standard-numpy-load.test.ts. The round-trip tests import this file
to rebuild the originals and compare numpy's view of what TypeScript wrote back with them.
"""

import hashlib
import json
import os
import pickle
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOLS = (0, 2, 4, 5)


def _objects(items, shape=None, order='C'):
    """An object array holding exactly these items (no nested-list interpretation)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    if shape is not None:
        out = out.reshape(shape)
        if order == 'F':
            out = np.asfortranarray(out)
    return out


def cases():
    """name -> value; keep in sync with EXPECTED in test/standard-numpy-load.test.ts."""
    inf, nan = float('inf'), float('nan')
    c = {}
    c['bool'] = np.array([True, False, True])
    c['int8'] = np.array([-128, 0, 127], dtype='i1')
    c['uint8'] = np.array([0, 255, 7], dtype='u1')
    for order, tag in (('<', 'le'), ('>', 'be')):
        c[f'int16_{tag}'] = np.array([-32768, 1, 32767], dtype=f'{order}i2')
        c[f'uint16_{tag}'] = np.array([0, 65535, 258], dtype=f'{order}u2')
        c[f'int32_{tag}'] = np.array([-2**31, 1, 2**31 - 1], dtype=f'{order}i4')
        c[f'uint32_{tag}'] = np.array([0, 2**32 - 1, 16909060], dtype=f'{order}u4')
        c[f'int64_{tag}'] = np.array([-2**63, 1, 2**63 - 1], dtype=f'{order}i8')
        c[f'uint64_{tag}'] = np.array([0, 2**64 - 1, 72623859790382856], dtype=f'{order}u8')
        c[f'float16_{tag}'] = np.array([1.5, -0.0, inf, nan, 65504, 2.0**-24], dtype=f'{order}f2')
        c[f'float32_{tag}'] = np.array([1.5, -0.0, inf, nan, 3.4028234663852886e38, 2.0**-149], dtype=f'{order}f4')
        c[f'float64_{tag}'] = np.array([1.5, -0.0, -inf, nan, 1.7976931348623157e308, 5e-324], dtype=f'{order}f8')
        c[f'complex64_{tag}'] = np.array([1 + 2j, -0.5j, complex(inf, -1)], dtype=f'{order}c8')
        c[f'complex128_{tag}'] = np.array([1 + 2j, -0.5j, complex(inf, -1), complex(1e300, -1e-300)], dtype=f'{order}c16')
        c[f'str_{tag}'] = np.array(['a', 'h\u00e9\u00e9', '\U0001F600x'], dtype=f'{order}U3')
    c['bytes'] = np.array([b'ab', b'hello', b''], dtype='S5')
    c['datetime64'] = np.array(['2020-01-01T00:00:00', 'NaT'], dtype='<M8[s]')
    c['timedelta64_be'] = np.array([1, -5], dtype='>m8[ms]')
    c['object'] = _objects([1, 'a', None, [1, 2], 2.5])
    c['object_nested'] = _objects([np.arange(2, dtype='<i2'), 'x'])
    c['object_2d_f'] = _objects([1, 'x', None, 2.5, (1, 2), b'z'], shape=(2, 3), order='F')
    c['object_0d'] = np.array(None, dtype=object)
    c['c2d_i4'] = np.arange(6, dtype='<i4').reshape(2, 3)
    c['f2d_i4'] = np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3))
    c['c3d_f8'] = np.arange(24, dtype='<f8').reshape(2, 3, 4)
    c['f3d_f8_be'] = np.asfortranarray(np.arange(24, dtype='>f8').reshape(2, 3, 4))
    c['f2d_c8'] = np.asfortranarray(np.array([[1 + 1j, 2], [3, 4 - 4j]], dtype='<c8'))
    c['f2d_u1_col'] = np.asfortranarray(np.arange(3, dtype='u1').reshape(3, 1))
    c['k3d_i2'] = np.arange(24, dtype='<i2').reshape(2, 3, 4).transpose(1, 0, 2)
    c['strided_i8'] = np.arange(10, dtype='<i8')[::2]
    c['reversed_f4'] = np.arange(4, dtype='<f4')[::-1]
    c['zero_d_f8'] = np.array(5.0)
    c['zero_d_i2_be'] = np.array(7, dtype='>i2')
    c['empty_f8'] = np.zeros((0,), dtype='<f8')
    c['empty_2d_i4'] = np.zeros((0, 3), dtype='<i4')
    c['empty_f_f4'] = np.zeros((2, 0), dtype='<f4', order='F')
    ro = np.arange(3, dtype='<f8')
    ro.flags.writeable = False
    c['readonly_f8'] = ro
    c['struct'] = np.array([(1, 2.5), (3, -1.0)], dtype=[('a', '<i4'), ('b', '>f8')])
    shared = np.arange(2, dtype='<f8')
    c['shared_pair'] = [shared, shared]
    c['matrix'] = np.matrix([[1, 2]], dtype='<i2')
    c['dtype_f8'] = np.dtype('f8')
    c['dtype_i2_be'] = np.dtype('>i2')
    c['dtype_bool'] = np.dtype('?')
    c['dtype_f2'] = np.dtype('<f2')
    c['dtype_c8_be'] = np.dtype('>c8')
    c['dtype_S5'] = np.dtype('S5')
    c['dtype_U3'] = np.dtype('<U3')
    c['dtype_U3_be'] = np.dtype('>U3')
    c['dtype_O'] = np.dtype('O')
    c['dtype_M8ns'] = np.dtype('<M8[ns]')
    c['dtype_m8_10s_be'] = np.dtype('>m8[10s]')
    c['dtype_struct'] = np.dtype([('a', '<i4'), ('b', '>f8')])
    c['dtype_subarray'] = np.dtype(('<f4', (2, 3)))
    c['sc_f8'] = np.float64(2.5)
    c['sc_f8_nan'] = np.float64(nan)
    c['sc_f4'] = np.float32(1.5)
    c['sc_f2'] = np.float16(1.5)
    c['sc_i8'] = np.int64(-5)
    c['sc_u8'] = np.uint64(2**64 - 1)
    c['sc_i1'] = np.int8(-3)
    c['sc_u2'] = np.uint16(65535)
    c['sc_i4'] = np.int32(-7)
    c['sc_true'] = np.bool_(True)
    c['sc_false'] = np.bool_(False)
    c['sc_c16'] = np.complex128(1 - 2j)
    c['sc_c8'] = np.complex64(0.5 + 0.25j)
    c['sc_bytes'] = np.bytes_(b'ab')
    c['sc_str'] = np.str_('h\u00e9')
    c['sc_datetime'] = np.datetime64('2020-01-01', 'D')
    c['sc_i2_be'] = np.array(258, dtype='>i2')[()]
    return c


def _digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    # --out DIR writes there instead (the interop tests make live pickles this way).
    if len(sys.argv) == 3 and sys.argv[1] == '--out':
        out = sys.argv[2]
    else:
        out = os.path.join(HERE, f'np{np.__version__.split(".")[0]}')
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith(('.pkl', '.bin')):
            os.remove(os.path.join(out, name))
    values = cases()
    files = []
    for protocol in PROTOCOLS:
        name = f'cases.p{protocol}.pkl'
        with open(os.path.join(out, name), 'wb') as f:
            f.write(pickle.dumps(values, protocol=protocol))
        files.append(name)
    buffers = []
    data = pickle.dumps(values, protocol=5, buffer_callback=buffers.append)
    with open(os.path.join(out, 'cases.p5-oob.pkl'), 'wb') as f:
        f.write(data)
    raws = [bytes(b.raw()) for b in buffers]
    with open(os.path.join(out, 'cases.p5-oob.buffers.bin'), 'wb') as f:
        f.write(b''.join(raws))
    files += ['cases.p5-oob.pkl', 'cases.p5-oob.buffers.bin']
    manifest = {
        'numpy': np.__version__,
        'python': sys.version.split()[0],
        'buffers': [{'length': len(r), 'readonly': b.raw().readonly} for r, b in zip(raws, buffers)],
        'sha256': {name: _digest(os.path.join(out, name)) for name in files},
    }
    with open(os.path.join(out, 'MANIFEST.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'wrote {len(files)} files for numpy {np.__version__} into {out}')


if __name__ == '__main__':
    main()

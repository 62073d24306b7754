"""The Python side: sends a float32 matrix and an int64 vector, receives them back, checks them.

Run by main.ts: `python3 model.py send` prints one pickle (protocol 5, in-band buffers) to stdout;
`python3 model.py check` reads the pickle TypeScript sends back from stdin and verifies it.
"""
import pickle
import sys

import numpy as np

weights = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
counts = np.array([3, -1, 2**40], dtype='>i8')  # big-endian, as some file formats store it

if sys.argv[1] == 'send':
    sys.stdout.buffer.write(pickle.dumps({'weights': weights, 'counts': counts}, protocol=5))
else:
    back = pickle.loads(sys.stdin.buffer.read())
    doubled = back['weights']
    assert doubled.dtype == np.float32 and doubled.shape == (2, 3), (doubled.dtype, doubled.shape)
    assert np.array_equal(doubled, weights * 2), doubled
    fortran = back['fortran']
    assert fortran.flags.f_contiguous and fortran.dtype == np.float64, fortran.flags
    print(f'python: got back {doubled.dtype} {doubled.shape} doubled, and a {fortran.dtype} '
          f'{fortran.shape} Fortran-order array: {fortran.tolist()}')

"""The ~100 MB pickles of the memory benchmark, written by CPython.

Usage: python3 memory_workloads.py OUT_DIR [--quick] [--only=NAME]
Writes OUT_DIR/memory-<workload>.p<protocol>.pkl (a tenth of the size with --quick) and prints a
JSON report: the files written, and notes on workloads this python3 cannot make.
"""
import json
import os
import pickle
import sys

sys.dont_write_bytecode = True  # importing workloads must leave no __pycache__ in bench/
from workloads import PROTOCOLS, blobs, numpy_float64, records, selected

# name: (make, count): sized so that the protocol 4 pickle is about 100 MB
MEMORY_WORKLOADS = {
    'records': (records, 2_150_000),  # ~46.5 bytes per record
    'numpy-float64': (numpy_float64, 12_500_000),  # 8 bytes per element
    'bytes': (lambda n: blobs(n, 1_000_000), 100),  # 100 bytes objects of 1 MB
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    report = {'files': [], 'notes': []}
    for name, value, _ in selected(MEMORY_WORKLOADS, report['notes']):
        for protocol in PROTOCOLS:
            path = os.path.join(out, f'memory-{name}.p{protocol}.pkl')
            with open(path, 'wb') as f:
                pickle.dump(value, f, protocol=protocol)
            report['files'].append({'workload': name, 'protocol': protocol, 'file': path, 'bytes': os.path.getsize(path)})
        del value
    print(json.dumps(report))


if __name__ == '__main__':
    main()

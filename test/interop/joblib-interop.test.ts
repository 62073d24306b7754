// joblib files against the real joblib 1.2 and scikit-learn 1.2 (Debian's, under /usr/bin/python3):
// models and arrays saved by joblib (uncompressed and with each compressor) load here; saved
// again from here (plain and compressed), joblib loads them back with equal arrays and dtypes, and
// the models predict exactly as before — also memory-mapped, and after an edit made here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dumpJoblibFile, loadJoblibFile } from 'pickle-mapper/node';
import { NdArray, PyObject } from 'pickle-mapper';
import { describeWithJoblib, runJoblibPython } from '../helpers/joblib-python.js';

const MODELS = ['tree', 'logistic', 'forest', 'pipeline'];
const COMPRESSIONS: Record<string, string> = { plain: '0', zlib: '3', gzip: "('gzip', 3)", bz2: "('bz2', 3)", xz: "('xz', 3)" };

const WRITE = String.raw`
import sys, joblib, numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
d = sys.argv[1]
X, y = load_iris(return_X_y=True)
models = {
    'tree': DecisionTreeClassifier(random_state=0).fit(X, y),
    'logistic': LogisticRegression(max_iter=500).fit(X, y),
    'forest': RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y),
    'pipeline': make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y),
}
arrays = {
    'f8': np.linspace(0, 1, 7), 'f4F': np.asfortranarray(np.arange(12, dtype='f4').reshape(3, 4)),
    'i2be': np.array([1, -300], dtype='>i2'), 'u8': np.array([2**64 - 1], dtype='u8'), 'b1': np.array([True, False]),
    'c8': np.array([1 + 1j], dtype='c8'), 'f2': np.array([1.5], dtype='f2'), 'U': np.array(['ab', 'ü']), 'S': np.array([b'a']),
    'm8': np.array([5], dtype='m8[s]'), 'M8': np.array(['2000-01-01T00:00'], dtype='M8[m]'), 'zero_d': np.array(3),
    'empty': np.zeros((2, 0), dtype='i4'), 'obj': np.array([{'k': 1}, (1, 2), 'x'], dtype=object),
    'rec': np.array([(1, 2.0, (3, 4))], dtype=[('a', '<i8'), ('b', '>f4'), ('c', 'u1', (2,))]),
    'rec_aligned': np.zeros(2, dtype=np.dtype([('a', 'i1'), ('b', 'f8'), ('c', [('x', 'i2'), ('y', 'i4')])], align=True)),
    'transposed': np.arange(24, dtype='i8').reshape(2, 3, 4).transpose(1, 2, 0),
    'scalar': np.int32(7),
}
for name, method in ${JSON.stringify(COMPRESSIONS)}.items():
    for model in models:
        joblib.dump(models[model], f'{d}/{model}.{name}.joblib', compress=eval(method))
    joblib.dump(arrays, f'{d}/arrays.{name}.joblib', compress=eval(method))
mm = np.memmap(f'{d}/raw.bin', dtype='f8', mode='w+', shape=(4, 3))
mm[:] = np.arange(12).reshape(4, 3)
joblib.dump({'memmap': mm}, f'{d}/memmap.joblib')
`;

const CHECK = String.raw`
import sys, json, joblib, numpy as np
from sklearn.datasets import load_iris
d = sys.argv[1]
X, _ = load_iris(return_X_y=True)
out = {}
for model in ${JSON.stringify(MODELS)}:
    original = joblib.load(f'{d}/{model}.plain.joblib')
    for suffix in ['ts', 'ts.z', 'ts.gz']:
        mine = joblib.load(f'{d}/{model}.{suffix}.joblib')
        out[f'{model}.{suffix}'] = [type(mine).__name__ == type(original).__name__,
                                    bool((mine.predict(X) == original.predict(X)).all()),
                                    bool(np.array_equal(mine.predict_proba(X), original.predict_proba(X)))]
arrays = joblib.load(f'{d}/arrays.plain.joblib')
def same_fields(a, b):
    # joblib reads structured arrays into np.empty field by field: padding bytes are not data
    if a.dtype.names: return all(same_fields(a[n], b[n]) for n in a.dtype.names)
    return a.tobytes() == b.tobytes()
def same(a, b):
    if isinstance(a, np.ndarray):
        if a.dtype.hasobject: return a.dtype == b.dtype and a.shape == b.shape and a.tolist() == b.tolist()
        if a.dtype.names: return type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape and same_fields(a, b)
        return type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes() and a.flags.f_contiguous == b.flags.f_contiguous
    return type(a) is type(b) and a == b
for suffix in ['ts', 'ts.z', 'ts.gz']:
    mine = joblib.load(f'{d}/arrays.{suffix}.joblib')
    out[f'arrays.{suffix}'] = {k: bool(same(arrays[k], mine[k])) for k in arrays}
mapped = joblib.load(f'{d}/arrays.ts.joblib', mmap_mode='r')
out['mmap'] = [type(mapped['f8']).__name__, bool(np.array_equal(mapped['f8'], arrays['f8'])), bool(np.array_equal(mapped['rec'], arrays['rec']))]
memmap = joblib.load(f'{d}/memmap.ts.joblib')['memmap']
out['memmap'] = [type(memmap).__name__, memmap.tolist()]
edited = joblib.load(f'{d}/tree.edited.joblib')
out['edited'] = [edited.tree_.threshold.tolist(), edited.predict(X).tolist()]
print(json.dumps(out))
`;

type Dict = Record<string, unknown>;
const stateOf = (value: unknown): Dict => (value as PyObject).state as Dict;

describeWithJoblib('joblib files: scikit-learn models and arrays both ways', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pickle-mapper-joblib-interop-'));
  const at = (name: string) => join(dir, name);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let checked: Dict;
  const loaded = new Map<string, unknown>();

  beforeAll(async () => {
    runJoblibPython(WRITE, [dir]);
    for (const kind of [...MODELS, 'arrays']) {
      for (const name of Object.keys(COMPRESSIONS)) loaded.set(`${kind}.${name}`, await loadJoblibFile(at(`${kind}.${name}.joblib`)));
      const value = loaded.get(`${kind}.plain`);
      await dumpJoblibFile(at(`${kind}.ts.joblib`), value);
      await dumpJoblibFile(at(`${kind}.ts.z.joblib`), value, { compress: 3 });
      await dumpJoblibFile(at(`${kind}.ts.gz.joblib`), value, { compress: ['gzip', 3] });
    }
    await dumpJoblibFile(at('memmap.ts.joblib'), await loadJoblibFile(at('memmap.joblib')));
    // Every sample to the right of the root: the thresholds written here are what joblib reads.
    const tree = (await loadJoblibFile(at('tree.plain.joblib'))) as PyObject;
    const nodes = stateOf(stateOf(tree).tree_).nodes as NdArray;
    const thresholds = nodes.field('threshold').toArray() as number[];
    thresholds[0] = -1e9;
    nodes.setField('threshold', thresholds);
    await dumpJoblibFile(at('tree.edited.joblib'), tree);
    checked = JSON.parse(runJoblibPython(CHECK, [dir])) as Dict;
  }, 120_000);

  it('loads every model and array file, whatever the compression, as the uncompressed one', () => {
    for (const kind of [...MODELS, 'arrays']) {
      const plain = loaded.get(`${kind}.plain`);
      for (const name of Object.keys(COMPRESSIONS)) expect(loaded.get(`${kind}.${name}`), `${kind}.${name}`).toEqual(plain);
    }
    const tree = stateOf(loaded.get('tree.plain'));
    expect((stateOf(tree.tree_).nodes as NdArray).dtype.names).toContain('threshold');
    expect((tree.classes_ as NdArray).toArray()).toEqual([0n, 1n, 2n]);
  });

  it('saved here, joblib loads models that predict exactly as the originals (plain, zlib, gzip)', () => {
    for (const model of MODELS) {
      for (const suffix of ['ts', 'ts.z', 'ts.gz']) expect(checked[`${model}.${suffix}`], `${model}.${suffix}`).toEqual([true, true, true]);
    }
  });

  it('saved here, joblib loads arrays of every dtype and layout equal, structured and object ones too', () => {
    for (const suffix of ['ts', 'ts.z', 'ts.gz']) {
      const results = checked[`arrays.${suffix}`] as Record<string, boolean>;
      expect(Object.keys(results).length).toBeGreaterThan(15);
      expect(Object.entries(results).filter(([, same]) => !same)).toEqual([]);
    }
  });

  it('memory maps: a file saved here maps (its data aligned), a memmap saved by joblib loads', () => {
    expect(checked.mmap).toEqual(['memmap', true, true]);
    expect(checked.memmap).toEqual(['ndarray', [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]]);
  });

  it('an edit made here (a tree node threshold) is what scikit-learn then uses', () => {
    const [thresholds, predictions] = checked.edited as [number[], number[]];
    expect(thresholds[0]).toBe(-1e9);
    const original = stateOf(stateOf(loaded.get('tree.plain')).tree_).nodes as NdArray;
    expect(thresholds.slice(1)).toEqual((original.field('threshold').toArray() as number[]).slice(1));
    // every sample now goes down the root's right subtree, which never predicts the root's left class (setosa, 0)
    expect(predictions).not.toContain(0);
  });
});

// joblib files written by joblib 1.2 (test/fixtures/joblib, made by generate.py there): arrays of
// many dtypes and scikit-learn models load with their arrays as NdArrays; bad input is refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NdArray, NdDtype, PyObject, UnpicklingError, dumpJoblib, loadJoblib, loads } from '../../../src/index.js';

const FIXTURES = new URL('../../fixtures/joblib/', import.meta.url);
const fixture = (name: string): Uint8Array => readFileSync(new URL(name, FIXTURES));
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as {
  X: number[][];
  predictions: Record<string, number[]>;
};

type Dict = Record<string, unknown>;
const stateOf = (value: unknown): Dict => {
  expect(value).toBeInstanceOf(PyObject);
  return (value as PyObject).state as Dict;
};

function expectError(run: () => unknown, code: string, message: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(UnpicklingError);
  expect((error as UnpicklingError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
}

describe('loadJoblib: arrays', () => {
  const arrays = loadJoblib(fixture('arrays.joblib')) as Dict;

  it('reads plain dtypes, layouts and byte orders as numpy loads them', () => {
    const f8 = arrays.f8 as NdArray;
    expect([f8.dtype.str, f8.shape]).toEqual(['<f8', [3, 4]]);
    expect(f8.get(2, 3)).toBeCloseTo(11 / 3, 12);
    const fortran = arrays.f4_fortran as NdArray;
    expect([fortran.dtype.str, fortran.order, fortran.toArray()]).toEqual(['<f4', 'F', [[0, 1, 2], [3, 4, 5]]]);
    // joblib gives big-endian arrays the native byte order
    expect([(arrays.i8_big_endian as NdArray).dtype.str, (arrays.i8_big_endian as NdArray).toArray()]).toEqual(['<i8', [1n, -2n, 3n]]);
    expect((arrays.u1 as NdArray).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect((arrays.bool as NdArray).toArray()).toEqual([true, false, true]);
    expect((arrays.f2 as NdArray).toArray()).toEqual([0.5, -2, 65504]);
    expect((arrays.U as NdArray).toArray()).toEqual(['a', 'héllo', '']);
    expect((arrays.S as NdArray).toArray()).toEqual([new Uint8Array([0x78]), new Uint8Array([0x79, 0x7a])]);
    expect([(arrays.M8 as NdArray).dtype.str, (arrays.M8 as NdArray).toArray()]).toEqual(['<M8[D]', [18262n, 18808n]]);
    expect([(arrays.scalar_0d as NdArray).shape, (arrays.scalar_0d as NdArray).get()]).toEqual([[], 7.25]);
    expect((arrays.empty as NdArray).shape).toEqual([0, 3]);
    const [a, b] = arrays.list_of_arrays as NdArray[];
    expect([a!.dtype.str, b!.dtype.str, b!.toArray()]).toEqual(['<i8', '<i2', [0, 1, 2]]);
  });

  it('reads the data in place: aligned views of the input', () => {
    const bytes = fixture('arrays.joblib');
    const copy = new Uint8Array(new ArrayBuffer(bytes.length));
    copy.set(bytes);
    const f8 = (loadJoblib(copy) as Dict).f8 as NdArray<Float64Array>;
    expect(f8.data.buffer).toBe(copy.buffer);
  });

  it('reads object arrays from the pickle joblib writes after their wrapper', () => {
    const object = arrays.object as NdArray;
    expect([object.dtype.str, object.toArray()]).toEqual(['|O', [1, 'two', null, [3]]]);
  });

  it('reads structured arrays per field: offsets, byte order, sub-arrays, nesting, alignment', () => {
    const structured = arrays.structured as NdArray;
    expect(structured.dtype.fieldList!.map((f) => [f.name, f.dtype.str, f.offset])).toEqual([
      ['id', '<i4', 0],
      ['score', '>f8', 4],
      ['tag', '|S3', 12],
      ['pair', '|V4', 15],
    ]);
    expect(structured.field('id').toArray()).toEqual([1, -7]);
    expect(structured.field('score').toArray()).toEqual([2.5, -0.5]);
    expect(structured.field('tag').toArray()).toEqual([new Uint8Array([0x61, 0x62]), new Uint8Array([0x78, 0x79, 0x7a])]);
    expect(structured.field('pair').shape).toEqual([2, 2]);
    expect(structured.field('pair').toArray()).toEqual([[3, 4], [5, 6]]);
    const nested = arrays.nested as NdArray;
    expect(nested.field('point').field('y').toArray()).toEqual([-1, -2, -3]);
    expect(nested.field('flag').toArray()).toEqual([true, false, true]);
    const aligned = arrays.aligned as NdArray;
    expect([aligned.itemsize, aligned.dtype.fieldList!.map((f) => f.offset)]).toEqual([16, [0, 8]]);
    expect(aligned.field('b').toArray()).toEqual([2n, 4n]);
    expect(() => structured.field('nope')).toThrow(/no field "nope" \(fields: id, score, tag, pair\)/);
    expect(() => (arrays.f8 as NdArray).field('x')).toThrow(/has no fields/);
  });

  it('sets a field in place, and the record bytes carry it back out', () => {
    const structured = loadJoblib(fixture('arrays.joblib')) as Dict;
    const records = structured.structured as NdArray;
    records.setField('score', [10, -20.25]);
    records.setField('pair', [[7, 8], [9, 10]].flat());
    expect(records.field('score').toArray()).toEqual([10, -20.25]);
    expect(records.field('pair').toArray()).toEqual([[7, 8], [9, 10]]);
    expect(records.field('id').toArray()).toEqual([1, -7]);
    const again = (loadJoblib(dumpJoblib(structured)) as Dict).structured as NdArray;
    expect(again.field('score').toArray()).toEqual([10, -20.25]);
    expect(() => records.setField('id', [1])).toThrow(/has 2 elements, not 1/);
  });

  it('reads files without alignment padding (joblib <= 1.1, or written to a stream without tell())', () => {
    for (const name of ['f8.joblib11.joblib', 'f8.unseekable.joblib', 'f8.protocol2.joblib']) {
      expect((loadJoblib(fixture(name)) as NdArray).toArray()).toEqual((arrays.f8 as NdArray).toArray());
    }
  });
});

/** What DecisionTreeClassifier.predict does, from the loaded tree's arrays. */
function predictTree(tree: Dict, x: number[]): number {
  const treeState = stateOf(tree.tree_);
  const nodes = treeState.nodes as NdArray;
  const left = nodes.field('left_child');
  const right = nodes.field('right_child');
  const feature = nodes.field('feature');
  const threshold = nodes.field('threshold');
  let node = 0;
  while (left.get(node) !== -1n) {
    // scikit-learn compares float32 features against float64 thresholds
    node = Math.fround(x[Number(feature.get(node))]!) <= (threshold.get(node) as number) ? Number(left.get(node)) : Number(right.get(node));
  }
  const values = treeState.values as NdArray;
  const counts = Array.from({ length: values.shape[2]! }, (_, k) => values.get(node, 0, k) as number);
  return counts.indexOf(Math.max(...counts));
}

function predictLinear(model: Dict, x: number[]): number {
  const coef = model.coef_ as NdArray;
  const intercept = model.intercept_ as NdArray;
  const scores = Array.from({ length: coef.shape[0]! }, (_, k) => x.reduce((sum, v, j) => sum + v * (coef.get(k, j) as number), intercept.get(k) as number));
  return scores.indexOf(Math.max(...scores));
}

describe('loadJoblib: scikit-learn models', () => {
  it('a DecisionTreeClassifier: its tree nodes readable per field, predicting as scikit-learn did', () => {
    const tree = stateOf(loadJoblib(fixture('tree.joblib')));
    const nodes = stateOf(tree.tree_).nodes as NdArray;
    expect(nodes.dtype.names).toEqual(['left_child', 'right_child', 'feature', 'threshold', 'impurity', 'n_node_samples', 'weighted_n_node_samples']);
    expect(expected.X.map((x) => predictTree(tree, x))).toEqual(expected.predictions.tree);
  });

  it('a RandomForestClassifier: every tree loads', () => {
    const forest = stateOf(loadJoblib(fixture('forest.joblib')));
    const trees = (forest.estimators_ as unknown[]).map(stateOf);
    expect(trees).toHaveLength(3);
    for (const tree of trees) expect((stateOf(tree.tree_).nodes as NdArray).dtype.fieldList).toHaveLength(7);
  });

  it('a LogisticRegression and a Pipeline with a StandardScaler predict as scikit-learn did', () => {
    const logistic = stateOf(loadJoblib(fixture('logistic.joblib')));
    expect(expected.X.map((x) => predictLinear(logistic, x))).toEqual(expected.predictions.logistic);
    const pipeline = stateOf(loadJoblib(fixture('pipeline.joblib')));
    const [[, scalerObject], [, modelObject]] = pipeline.steps as [string, unknown][];
    const scaler = stateOf(scalerObject);
    const mean = scaler.mean_ as NdArray;
    const scale = scaler.scale_ as NdArray;
    const scaled = expected.X.map((x) => x.map((v, j) => (v - (mean.get(j) as number)) / (scale.get(j) as number)));
    expect(scaled.map((x) => predictLinear(stateOf(modelObject), x))).toEqual(expected.predictions.pipeline);
  });
});

describe('loadJoblib: bad input', () => {
  const oneArray = (): Uint8Array => dumpJoblib(NdArray.from(new Float64Array([1, 2, 3, 4])));

  function patched(bytes: Uint8Array, from: number[], to: number[]): Uint8Array {
    const at = Buffer.from(bytes).indexOf(Buffer.from(from));
    expect(at).toBeGreaterThanOrEqual(0);
    return new Uint8Array([...bytes.subarray(0, at), ...to, ...bytes.subarray(at + from.length)]);
  }

  it('data shorter than the shape and dtype need', () => {
    const bytes = oneArray();
    expectError(() => loadJoblib(bytes.subarray(0, bytes.length - 9)), 'TRUNCATED', /shape \(4\) and dtype <f8 needs 32 bytes at offset \d+, only \d+ are left/);
  });

  it('a lying shape: refused before anything is allocated for it', () => {
    // shape (4,) -> (255,), and (70000,) -> (2**31 - 1,): the same length, so the padding still fits
    const short = patched(oneArray(), [0x4b, 0x04, 0x85], [0x4b, 0xff, 0x85]);
    expectError(() => loadJoblib(short), 'TRUNCATED', /shape \(255\) and dtype <f8 needs 2040 bytes/);
    const big = dumpJoblib(NdArray.from(new Uint8Array(70000)));
    const lying = patched(big, [0x4a, 0x70, 0x11, 0x01, 0x00, 0x85], [0x4a, 0xff, 0xff, 0xff, 0x7f, 0x85]);
    expectError(() => loadJoblib(lying), 'TRUNCATED', /shape \(2147483647\) and dtype \|u1 needs 2147483647 bytes at offset \d+, only 70\d\d\d are left/);
    // (2**31 - 1, 2**31 - 1, 2**31 - 1) elements: beyond any size
    const cube = patched(oneArray(), [0x4b, 0x04, 0x85], [0x4a, 0xff, 0xff, 0xff, 0x7f, 0x4a, 0xff, 0xff, 0xff, 0x7f, 0x4a, 0xff, 0xff, 0xff, 0x7f, 0x87]);
    expectError(() => loadJoblib(cube), 'INVALID_PICKLE', /shape is too large/);
    const huge = patched(oneArray(), [0x4b, 0x04, 0x85], [0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x85]);
    expectError(() => loadJoblib(huge), 'INVALID_PICKLE', /shape holds \d+, not a size/);
  });

  it('padding garbage, a padding length beyond the alignment', () => {
    const bytes = oneArray();
    const at = bytes.indexOf(0xff, Buffer.from(bytes).indexOf(Buffer.from('numpy_array_alignment_bytes')));
    const garbage = bytes.slice();
    garbage[at + 1] = 0x00;
    expectError(() => loadJoblib(garbage), 'INVALID_PICKLE', /joblib array padding at offset \d+ is corrupt/);
    const tooLong = bytes.slice();
    tooLong[at - 1] = 17;
    expectError(() => loadJoblib(tooLong), 'INVALID_PICKLE', /padding at offset \d+ is corrupt \(a length of 17/);
    const beyond = bytes.slice();
    beyond[at - 1] = 200;
    expectError(() => loadJoblib(beyond), 'TRUNCATED', /the joblib array padding needs 200 bytes/);
  });

  it('array data inside a pickle frame (joblib ends the frame before the data)', () => {
    const bytes = fixture('f8.joblib11.joblib').slice();
    expect([bytes[2], bytes[3]]).toEqual([0x95, bytes[3]]); // PROTO 4, then FRAME <u64 length>
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(3, view.getUint32(3, true) + 16, true);
    expectError(() => loadJoblib(bytes), 'INVALID_PICKLE', /raw data after a BUILD starts inside a pickle frame/);
  });

  it('compressed data, joblib < 0.10 files: an error saying what they are', () => {
    expectError(() => loadJoblib(fixture('arrays.zlib.joblib')), 'INVALID_ARGUMENT', /zlib-compressed: read the file with loadJoblibFile/);
    expectError(() => loadJoblib(new TextEncoder().encode('ZF0x00000000')), 'INVALID_PICKLE', /joblib < 0.9.3/);
  });

  it('a joblib file read by plain loads fails at the array data, as pickle.load does', () => {
    expect(() => loads(fixture('arrays.joblib'))).toThrow(UnpicklingError);
  });

  it('a wrapper whose state is not a wrapper state', () => {
    const bytes = patched(oneArray(), [...new TextEncoder().encode('order')], [...new TextEncoder().encode('orden')]);
    expectError(() => loadJoblib(bytes), 'INVALID_PICKLE', /order must be 'C' or 'F', not undefined/);
  });
});

describe('dumpJoblib', () => {
  it('writes each array 16-byte aligned after its wrapper, and reads back equal', () => {
    const value = { a: NdArray.from([1.5, 2.5], { dtype: 'f4' }), b: [NdArray.from([true, false]), 'text'], c: NdArray.from(['x', 1, null], { dtype: 'O' }) };
    const bytes = dumpJoblib(value);
    const back = loadJoblib(bytes) as typeof value;
    expect(back.a.toArray()).toEqual([1.5, 2.5]);
    expect(back.b[0]!.toString()).toBe(value.b[0]!.toString());
    expect((back.b[0] as NdArray).toArray()).toEqual([true, false]);
    expect(back.c.toArray()).toEqual(['x', 1, null]);
    const data = back.a.data as Float32Array;
    expect(data.byteOffset % 16).toBe(0);
  });

  it('refuses protocols with frames', () => {
    expect(() => dumpJoblib(1, { protocol: 4 })).toThrow(/protocol 2 or 3/);
  });

  it('a structured dtype keeps its fields', () => {
    const structured = (loadJoblib(fixture('arrays.joblib')) as Dict).structured as NdArray;
    const back = loadJoblib(dumpJoblib(structured)) as NdArray;
    expect(back.dtype.equals(structured.dtype)).toBe(true);
    expect(back.dtype).toBeInstanceOf(NdDtype);
    expect(back.field('tag').toArray()).toEqual(structured.field('tag').toArray());
  });
});

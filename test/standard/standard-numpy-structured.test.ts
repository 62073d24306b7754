// Structured numpy dtypes (record arrays) read per field and edited: arrays pickled by numpy (the
// python3 on PATH, numpy 2, and the numpy 1.24 fixtures of test/fixtures/joblib) give each
// field as an array of its own; an edit made with setField is what numpy loads back. Lying field
// layouts are refused.
import { describe, expect, it } from 'vitest';
import { dumps, loads, tuple } from '../../src/index.js';
import { NdArray, NdDtype } from '../../src/values/ndarray.js';
import { setDtypeState } from '../../src/values/numpy/internals.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const INVALID_ARGUMENT = expect.objectContaining({ name: 'PickleError', code: 'INVALID_ARGUMENT' });

const RECORDS = String.raw`
import pickle, sys, numpy as np
point = np.dtype([('x', '<f4'), ('y', '>f4')])
dt = np.dtype({'names': ['id', 'point', 'grid', 'name', 'when'], 'formats': ['<u2', point, ('<i4', (2, 3)), 'U3', 'M8[s]'],
               'offsets': [0, 4, 16, 40, 56], 'titles': ['identifier', None, None, None, None], 'itemsize': 64})
a = np.zeros((2, 2), dtype=dt)
a['id'] = [[1, 2], [3, 4]]
a['point']['x'] = [[0.5, 1.5], [2.5, 3.5]]
a['point']['y'] = -a['point']['x']
a['grid'] = np.arange(24).reshape(2, 2, 2, 3)
a['name'] = [['a', 'bc'], ['déf', '']]
a['when'] = np.array([[0, 60], [3600, 86400]], dtype='M8[s]')
sys.stdout.buffer.write(pickle.dumps(np.asfortranarray(a), int(sys.argv[1])))
`;

const CHECK_EDIT = String.raw`
import pickle, sys, numpy as np
a = pickle.loads(sys.stdin.buffer.read())
print(a['id'].tolist(), a['grid'][1, 0].tolist(), a['point']['y'].tolist(), a.dtype.names, a.flags.f_contiguous)
`;

describeWithPython('structured dtypes pickled by numpy', () => {
  for (const protocol of [2, 5]) {
    it(`reads each field at protocol ${protocol}: offsets, titles, nested, sub-array, byte order, F order`, () => {
      const array = loads(runPython(RECORDS, undefined, [String(protocol)])) as NdArray;
      expect(array.dtype.fieldList!.map((field) => [field.name, field.offset, field.title ?? null])).toEqual([
        ['id', 0, 'identifier'],
        ['point', 4, null],
        ['grid', 16, null],
        ['name', 40, null],
        ['when', 56, null],
      ]);
      expect(array.order).toBe('F');
      expect(array.field('id').toArray()).toEqual([[1, 2], [3, 4]]);
      expect(array.field('point').field('y').toArray()).toEqual([[-0.5, -1.5], [-2.5, -3.5]]);
      expect(array.field('grid').shape).toEqual([2, 2, 2, 3]);
      expect(array.field('grid').get(1, 0, 1, 2)).toBe(17);
      expect(array.field('name').toArray()).toEqual([['a', 'bc'], ['déf', '']]);
      expect(array.field('when').toArray()).toEqual([[0n, 60n], [3600n, 86400n]]);
      expect(array.dtype.fieldList![2]!.dtype.subdtype).toEqual({ base: expect.any(NdDtype), shape: [2, 3] });
    });
  }

  it('an edit made with setField is what numpy loads back, fields and layout kept', () => {
    const array = loads(runPython(RECORDS, undefined, ['4'])) as NdArray;
    array.setField('id', [10, 20, 30, 40]);
    const grid = array.field('grid');
    array.setField('grid', (grid.toArray() as number[][][][]).flat(3).map((v) => v * 100));
    const point = array.field('point');
    point.setField('y', [7, 8, 9, 10]);
    array.setField('point', point);
    const back = runPython(CHECK_EDIT, dumps(array, { protocol: 4 })).toString().trim();
    expect(back).toBe("[[10, 20], [30, 40]] [[1200, 1300, 1400], [1500, 1600, 1700]] [[7.0, 8.0], [9.0, 10.0]] ('id', 'point', 'grid', 'name', 'when') True");
  });
});

describe('structured dtypes: bad layouts', () => {
  function structured(fields: Record<string, unknown>, itemsize: number): NdDtype {
    const dtype = new NdDtype(`V${itemsize}`);
    setDtypeState(dtype, tuple(3, '|', null, tuple(...Object.keys(fields)), fields, itemsize, 1, 16));
    return dtype;
  }

  it('a field beyond its record, a field entry that is not (dtype, offset)', () => {
    expect(() => structured({ a: tuple(new NdDtype('<i8'), 4) }, 8).fieldList).toThrow(INVALID_ARGUMENT);
    expect(() => structured({ a: tuple(new NdDtype('<i8'), 4) }, 8).fieldList).toThrow(/field "a" at offset 4 \(8 bytes\) lies outside its 8-byte record/);
    expect(() => structured({ a: tuple('<i8', 0) }, 8).fieldList).toThrow(/not \(dtype, offset\[, title\]\)/);
    expect(() => structured({ a: tuple(new NdDtype('<i8'), -1) }, 8).fieldList).toThrow(/lies outside/);
  });

  it('a sub-array whose shape does not fill its itemsize', () => {
    const sub = new NdDtype('V8');
    setDtypeState(sub, tuple(3, '|', tuple(new NdDtype('<i4'), tuple(3)), null, null, 8, 4, 16));
    expect(() => sub.subdtype).toThrow(/a sub-array dtype of 8 bytes cannot hold 3 elements of <i4/);
  });

  it('a record array whose data are not whole records', () => {
    const dtype = structured({ a: tuple(new NdDtype('<i4'), 0) }, 4);
    expect(() => new NdArray(new Uint8Array(6), { dtype })).toThrow(INVALID_ARGUMENT);
  });

  it('fields of arrays without them', () => {
    expect(() => NdArray.from([1, 2]).field('a')).toThrow(/a <f8 array has no fields/);
  });
});

// Loading numpy's own pickles: the committed fixtures under test/standard/numpy/ (written by
// generate.py with numpy 2.x into np2/ and numpy 1.x into np1/, protocols 0, 2, 4, 5 and 5 with
// out-of-band buffers) must load to the hand-written values below. No Python is needed.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loads, PyComplex, PyObject, Tuple, UnpicklingError } from '../../src/index.js';
import { NdArray, NdDtype, NumpyScalar, type NumpyModule } from '../../src/values/ndarray.js';

/** What a value class throws for a bad argument. */
const INVALID_ARGUMENT = expect.objectContaining({ name: 'PickleError', code: 'INVALID_ARGUMENT' });

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'numpy');

interface Manifest {
  numpy: string;
  buffers: Array<{ length: number; readonly: boolean }>;
  sha256: Record<string, string>;
}

type Variant = 'p0' | 'p2' | 'p4' | 'p5' | 'p5-oob';
const VARIANTS: readonly Variant[] = ['p0', 'p2', 'p4', 'p5', 'p5-oob'];
const VERSIONS = [
  { dir: 'np1', major: '1', module: 'numpy.core' as NumpyModule },
  { dir: 'np2', major: '2', module: 'numpy._core' as NumpyModule },
] as const;

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(FIXTURES, dir, 'MANIFEST.json'), 'utf8')) as Manifest;
}

/** The out-of-band buffers of a fixture, each in its own (aligned) ArrayBuffer. */
function oobBuffers(dir: string): Uint8Array[] {
  const bin = readFileSync(join(FIXTURES, dir, 'cases.p5-oob.buffers.bin'));
  let at = 0;
  return manifest(dir).buffers.map(({ length }) => {
    const own = new Uint8Array(length);
    own.set(bin.subarray(at, at + length));
    at += length;
    return own;
  });
}

function fixtureBytes(dir: string, variant: Variant): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, dir, `cases.${variant}.pkl`)));
}

function load(dir: string, variant: Variant): { value: Record<string, unknown>; input: Uint8Array; buffers: Uint8Array[] } {
  const input = fixtureBytes(dir, variant);
  const buffers = variant === 'p5-oob' ? oobBuffers(dir) : [];
  const value = loads(input, variant === 'p5-oob' ? { buffers } : {}) as Record<string, unknown>;
  return { value, input, buffers };
}

/** A comparable form: NaN and -0 spelled out, bigints, complex numbers, bytes and tuples marked. */
function show(value: unknown): unknown {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : value;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof PyComplex) return `complex(${String(show(value.real))}, ${String(show(value.imag))})`;
  if (value instanceof Uint8Array) return `b'${Buffer.from(value).toString('hex')}'`;
  if (value instanceof NdArray) return { ndarray: value.dtype.str, shape: [...value.shape], values: show(value.toArray()) };
  if (value instanceof Tuple) return { tuple: value.map(show) };
  if (Array.isArray(value)) return value.map(show);
  return value;
}

const hex = (text: string): string => `b'${Buffer.from(text, 'latin1').toString('hex')}'`;
const c = (re: number | string, im: number | string): string => `complex(${re}, ${im})`;

const F16 = [1.5, '-0', Infinity, 'NaN', 65504, 2 ** -24];
const F32 = [1.5, '-0', Infinity, 'NaN', 3.4028234663852886e38, 2 ** -149];
const F64 = [1.5, '-0', -Infinity, 'NaN', 1.7976931348623157e308, 5e-324];
const C64 = [c(1, 2), c('-0', -0.5), c(Infinity, -1)];
const C128 = [...C64, c(1e300, -1e-300)];
const STR = ['a', 'héé', '😀x'];

/** Every array case: dtype.str, shape, values (as `show(toArray())`), and the typed array of `data`. */
const ARRAYS: Record<string, { dtype: string; shape: number[]; values: unknown; data: string }> = {
  bool: { dtype: '|b1', shape: [3], values: [true, false, true], data: 'Uint8Array' },
  int8: { dtype: '|i1', shape: [3], values: [-128, 0, 127], data: 'Int8Array' },
  uint8: { dtype: '|u1', shape: [3], values: [0, 255, 7], data: 'Uint8Array' },
  object: { dtype: '|O', shape: [5], values: [1, 'a', null, [1, 2], 2.5], data: 'Array' },
  object_nested: { dtype: '|O', shape: [2], values: [{ ndarray: '<i2', shape: [2], values: [0, 1] }, 'x'], data: 'Array' },
  object_2d_f: { dtype: '|O', shape: [2, 3], values: [[1, 'x', null], [2.5, { tuple: [1, 2] }, hex('z')]], data: 'Array' },
  object_0d: { dtype: '|O', shape: [], values: null, data: 'Array' },
  bytes: { dtype: '|S5', shape: [3], values: [hex('ab'), hex('hello'), hex('')], data: 'Uint8Array' },
  datetime64: { dtype: '<M8[s]', shape: [2], values: ['1577836800n', `${-(2n ** 63n)}n`], data: 'BigInt64Array' },
  timedelta64_be: { dtype: '>m8[ms]', shape: [2], values: ['1n', '-5n'], data: 'BigInt64Array' },
  c2d_i4: { dtype: '<i4', shape: [2, 3], values: [[0, 1, 2], [3, 4, 5]], data: 'Int32Array' },
  f2d_i4: { dtype: '<i4', shape: [2, 3], values: [[0, 1, 2], [3, 4, 5]], data: 'Int32Array' },
  c3d_f8: {
    dtype: '<f8',
    shape: [2, 3, 4],
    values: [0, 1].map((i) => [0, 1, 2].map((j) => [0, 1, 2, 3].map((k) => 12 * i + 4 * j + k))),
    data: 'Float64Array',
  },
  f3d_f8_be: {
    dtype: '>f8',
    shape: [2, 3, 4],
    values: [0, 1].map((i) => [0, 1, 2].map((j) => [0, 1, 2, 3].map((k) => 12 * i + 4 * j + k))),
    data: 'Float64Array',
  },
  f2d_c8: { dtype: '<c8', shape: [2, 2], values: [[c(1, 1), c(2, 0)], [c(3, 0), c(4, -4)]], data: 'Float32Array' },
  f2d_u1_col: { dtype: '|u1', shape: [3, 1], values: [[0], [1], [2]], data: 'Uint8Array' },
  // arange(24).reshape(2, 3, 4).transpose(1, 0, 2)
  k3d_i2: {
    dtype: '<i2',
    shape: [3, 2, 4],
    values: [0, 1, 2].map((j) => [0, 1].map((i) => [0, 1, 2, 3].map((k) => 12 * i + 4 * j + k))),
    data: 'Int16Array',
  },
  strided_i8: { dtype: '<i8', shape: [5], values: ['0n', '2n', '4n', '6n', '8n'], data: 'BigInt64Array' },
  reversed_f4: { dtype: '<f4', shape: [4], values: [3, 2, 1, 0], data: 'Float32Array' },
  zero_d_f8: { dtype: '<f8', shape: [], values: 5, data: 'Float64Array' },
  zero_d_i2_be: { dtype: '>i2', shape: [], values: 7, data: 'Int16Array' },
  empty_f8: { dtype: '<f8', shape: [0], values: [], data: 'Float64Array' },
  empty_2d_i4: { dtype: '<i4', shape: [0, 3], values: [], data: 'Int32Array' },
  empty_f_f4: { dtype: '<f4', shape: [2, 0], values: [[], []], data: 'Float32Array' },
  readonly_f8: { dtype: '<f8', shape: [3], values: [0, 1, 2], data: 'Float64Array' },
  // (1, 2.5), (3, -1.0) as '<i4' then '>f8': raw element bytes
  struct: {
    dtype: '|V12',
    shape: [2],
    values: ["b'010000004004000000000000'", "b'03000000bff0000000000000'"],
    data: 'Uint8Array',
  },
};
for (const [tag, order] of [
  ['le', '<'],
  ['be', '>'],
] as const) {
  Object.assign(ARRAYS, {
    [`int16_${tag}`]: { dtype: `${order}i2`, shape: [3], values: [-32768, 1, 32767], data: 'Int16Array' },
    [`uint16_${tag}`]: { dtype: `${order}u2`, shape: [3], values: [0, 65535, 258], data: 'Uint16Array' },
    [`int32_${tag}`]: { dtype: `${order}i4`, shape: [3], values: [-(2 ** 31), 1, 2 ** 31 - 1], data: 'Int32Array' },
    [`uint32_${tag}`]: { dtype: `${order}u4`, shape: [3], values: [0, 2 ** 32 - 1, 16909060], data: 'Uint32Array' },
    [`int64_${tag}`]: { dtype: `${order}i8`, shape: [3], values: [`${-(2n ** 63n)}n`, '1n', `${2n ** 63n - 1n}n`], data: 'BigInt64Array' },
    [`uint64_${tag}`]: { dtype: `${order}u8`, shape: [3], values: ['0n', `${2n ** 64n - 1n}n`, '72623859790382856n'], data: 'BigUint64Array' },
    [`float16_${tag}`]: { dtype: `${order}f2`, shape: [6], values: F16, data: 'Uint16Array' },
    [`float32_${tag}`]: { dtype: `${order}f4`, shape: [6], values: F32, data: 'Float32Array' },
    [`float64_${tag}`]: { dtype: `${order}f8`, shape: [6], values: F64, data: 'Float64Array' },
    [`complex64_${tag}`]: { dtype: `${order}c8`, shape: [3], values: C64, data: 'Float32Array' },
    [`complex128_${tag}`]: { dtype: `${order}c16`, shape: [4], values: C128, data: 'Float64Array' },
    [`str_${tag}`]: { dtype: `${order}U3`, shape: [3], values: STR, data: 'Uint32Array' },
  });
}

/** dtype objects: str, name, kind, itemsize, byteorder. */
const DTYPES: Record<string, { str: string; name: string; kind: string; itemsize: number; byteorder: string }> = {
  dtype_f8: { str: '<f8', name: 'float64', kind: 'f', itemsize: 8, byteorder: '<' },
  dtype_i2_be: { str: '>i2', name: 'int16', kind: 'i', itemsize: 2, byteorder: '>' },
  dtype_bool: { str: '|b1', name: 'bool', kind: 'b', itemsize: 1, byteorder: '|' },
  dtype_f2: { str: '<f2', name: 'float16', kind: 'f', itemsize: 2, byteorder: '<' },
  dtype_c8_be: { str: '>c8', name: 'complex64', kind: 'c', itemsize: 8, byteorder: '>' },
  dtype_S5: { str: '|S5', name: 'bytes40', kind: 'S', itemsize: 5, byteorder: '|' },
  dtype_U3: { str: '<U3', name: 'str96', kind: 'U', itemsize: 12, byteorder: '<' },
  dtype_U3_be: { str: '>U3', name: 'str96', kind: 'U', itemsize: 12, byteorder: '>' },
  dtype_O: { str: '|O', name: 'object', kind: 'O', itemsize: 8, byteorder: '|' },
  dtype_M8ns: { str: '<M8[ns]', name: 'datetime64[ns]', kind: 'M', itemsize: 8, byteorder: '<' },
  dtype_m8_10s_be: { str: '>m8[10s]', name: 'timedelta64[10s]', kind: 'm', itemsize: 8, byteorder: '>' },
  dtype_struct: { str: '|V12', name: 'void96', kind: 'V', itemsize: 12, byteorder: '|' },
  dtype_subarray: { str: '|V24', name: 'void192', kind: 'V', itemsize: 24, byteorder: '|' },
};

/** numpy scalars: dtype.str and value. */
const SCALARS: Record<string, { dtype: string; value: unknown }> = {
  sc_f8: { dtype: '<f8', value: 2.5 },
  sc_f8_nan: { dtype: '<f8', value: 'NaN' },
  sc_f4: { dtype: '<f4', value: 1.5 },
  sc_f2: { dtype: '<f2', value: 1.5 },
  sc_i8: { dtype: '<i8', value: '-5n' },
  sc_u8: { dtype: '<u8', value: `${2n ** 64n - 1n}n` },
  sc_i1: { dtype: '|i1', value: -3 },
  sc_u2: { dtype: '<u2', value: 65535 },
  sc_i4: { dtype: '<i4', value: -7 },
  sc_true: { dtype: '|b1', value: true },
  sc_false: { dtype: '|b1', value: false },
  sc_c16: { dtype: '<c16', value: c(1, -2) },
  sc_c8: { dtype: '<c8', value: c(0.5, 0.25) },
  sc_bytes: { dtype: '|S2', value: hex('ab') },
  sc_str: { dtype: '<U2', value: 'hé' },
  sc_datetime: { dtype: '<M8[D]', value: '18262n' },
  sc_i2_be: { dtype: '<i2', value: 258 }, // an element of a '>i2' array: numpy scalars are native
};

const OTHER_KEYS = ['shared_pair', 'matrix'];

describe('numpy fixtures', () => {
  it('were written by numpy 1.x and 2.x and are intact', async () => {
    const { createHash } = await import('node:crypto');
    for (const { dir, major } of VERSIONS) {
      const m = manifest(dir);
      expect(m.numpy.split('.')[0]).toBe(major);
      for (const [file, digest] of Object.entries(m.sha256)) {
        expect(createHash('sha256').update(readFileSync(join(FIXTURES, dir, file))).digest('hex'), `${dir}/${file}`).toBe(digest);
      }
    }
  });

  it('cover exactly the cases this test expects', () => {
    const { value } = load('np2', 'p4');
    expect(Object.keys(value).sort()).toEqual(
      [...Object.keys(ARRAYS), ...Object.keys(DTYPES), ...Object.keys(SCALARS), ...OTHER_KEYS].sort(),
    );
  });
});

for (const { dir, module } of VERSIONS) {
  for (const variant of VARIANTS) {
    describe(`numpy ${dir.slice(2)}.x pickles, ${variant}`, () => {
      const { value, input, buffers } = load(dir, variant);
      const protocol5 = variant === 'p5' || variant === 'p5-oob';

      it('load every array with its dtype, shape and values', () => {
        for (const [name, expected] of Object.entries(ARRAYS)) {
          const array = value[name];
          expect(array, name).toBeInstanceOf(NdArray);
          const nd = array as NdArray;
          // numpy's __setstate__ (protocols 0-4, and datetimes at 5) gives non-native arrays the
          // native dtype; protocol 5's _frombuffer keeps the pickled byte order.
          const keepsOrder = protocol5 && expected.dtype[1] !== 'm' && expected.dtype[1] !== 'M';
          expect(nd.dtype.str, name).toBe(keepsOrder ? expected.dtype : expected.dtype.replace('>', '<'));
          expect([...nd.shape], name).toEqual(expected.shape);
          expect(show(nd.toArray()), name).toEqual(expected.values);
          expect(nd.data.constructor.name, name).toBe(expected.data);
          expect(nd.pickleModule, name).toBe(module);
        }
      });

      it('keep the memory order: C, Fortran, and numpy 2 protocol 5 "K" layouts', () => {
        const order = (name: string): string => (value[name] as NdArray).order;
        for (const name of ['c2d_i4', 'c3d_f8', 'empty_2d_i4', 'empty_f_f4', 'f2d_u1_col', 'strided_i8', 'zero_d_f8']) {
          expect(order(name), name).toBe('C');
        }
        for (const name of ['f2d_i4', 'f3d_f8_be', 'f2d_c8', 'object_2d_f']) expect(order(name), name).toBe('F');
        const k = value.k3d_i2 as NdArray;
        if (dir === 'np2' && protocol5) {
          expect(k.order).toBe('K');
          expect([...k.axisOrder]).toEqual([1, 0, 2]);
          expect(k.strides).toEqual([8, 24, 2]); // numpy: a.strides of the transposed array
        } else {
          expect(k.order).toBe('C'); // numpy 1, and every protocol below 5, write a C-order copy
          expect(k.strides).toEqual([16, 8, 2]);
        }
        const f = value.f3d_f8_be as NdArray;
        expect(f.strides).toEqual([8, 16, 48]);
        expect(f.flags).toEqual({ c_contiguous: false, f_contiguous: true, writeable: true });
        // Fortran data is column-major in `data`: element [1, 0, 0] (12) is second.
        expect(Array.from(f.data as Float64Array).slice(0, 3)).toEqual([0, 12, 4]);
        expect(f.get(1, 2, 3)).toBe(23);
        expect(f.get(-1, -1, -1)).toBe(23);
        expect(() => f.get(2, 0, 0)).toThrow(INVALID_ARGUMENT);
      });

      it('convert big-endian data to native values (the dtype says ">" where numpy keeps it)', () => {
        const be = value.float64_be as NdArray<Float64Array>;
        expect(be.dtype.byteorder).toBe(protocol5 ? '>' : '<');
        expect(be.data[0]).toBe(1.5);
        expect((value.int32_be as NdArray<Int32Array>).data[0]).toBe(-(2 ** 31));
        expect((value.str_be as NdArray<Uint32Array>).data[6]).toBe(0x1f600);
        const half = value.float16_be as NdArray<Uint16Array>;
        expect(Array.from(half.data)).toEqual([15872, 32768, 31744, 32256, 31743, 1]); // raw float16 bits
        expect((value.complex64_be as NdArray<Float32Array>).data.length).toBe(6); // interleaved
      });

      it('mark arrays from read-only buffers read-only (protocol 5), others writeable', () => {
        expect((value.readonly_f8 as NdArray).readonly).toBe(protocol5);
        expect((value.float64_le as NdArray).readonly).toBe(false);
      });

      it('keep object arrays as values, 0-d arrays with their one element, empty arrays empty', () => {
        const nested = (value.object_nested as NdArray<unknown[]>).data[0];
        expect(nested).toBeInstanceOf(NdArray);
        const obj2d = value.object_2d_f as NdArray<unknown[]>;
        expect(obj2d.data[1]).toBe(2.5); // Fortran order: element [1, 0] is second in data
        expect(obj2d.get(1, 1)).toBeInstanceOf(Tuple);
        expect((value.zero_d_f8 as NdArray).get()).toBe(5);
        expect((value.empty_2d_i4 as NdArray).size).toBe(0);
      });

      it('share what the pickle shares', () => {
        const [a, b] = value.shared_pair as NdArray[];
        expect(a).toBeInstanceOf(NdArray);
        expect(a).toBe(b);
        // numpy's builtin dtypes are singletons, so arrays of one dtype share one NdDtype.
        expect((value.float64_le as NdArray).dtype).toBe((value.c3d_f8 as NdArray).dtype);
      });

      it('load dtype objects, including datetime units and structured dtypes', () => {
        for (const [name, expected] of Object.entries(DTYPES)) {
          const dtype = value[name];
          expect(dtype, name).toBeInstanceOf(NdDtype);
          const d = dtype as NdDtype;
          expect({ str: d.str, name: d.name, kind: d.kind, itemsize: d.itemsize, byteorder: d.byteorder }, name).toEqual(expected);
        }
        const m8 = value.dtype_m8_10s_be as NdDtype;
        expect([m8.unit, m8.unitCount]).toEqual(['s', 10]);
        const struct = value.dtype_struct as NdDtype;
        expect(struct.names).toEqual(['a', 'b']);
        const fields = struct.fields as Record<string, Tuple>;
        expect((fields.b![0] as NdDtype).str).toBe('>f8');
        expect(fields.b![1]).toBe(4);
        expect(((value.struct as NdArray).dtype.names ?? []).join()).toBe('a,b');
        const sub = value.dtype_subarray as NdDtype;
        expect((sub.subarray as Tuple)[0]).toBeInstanceOf(NdDtype);
        expect({ ...((sub.subarray as Tuple)[1] as Tuple) }).toEqual({ 0: 2, 1: 3 });
        expect((value.dtype_f8 as NdDtype).pickleState).toBeUndefined();
        expect(struct.equals((value.struct as NdArray).dtype)).toBe(true);
        expect(struct.equals(sub)).toBe(false);
        expect((value.dtype_f8 as NdDtype).equals(new NdDtype('float64'))).toBe(true);
      });

      it('load numpy scalars with their dtype and value', () => {
        for (const [name, expected] of Object.entries(SCALARS)) {
          const scalar = value[name];
          expect(scalar, name).toBeInstanceOf(NumpyScalar);
          const s = scalar as NumpyScalar;
          expect(s.dtype.str, name).toBe(expected.dtype);
          expect(show(s.value), name).toEqual(expected.value);
          expect(s.pickleModule, name).toBe(module);
        }
      });

      it('never view the pickle input', () => {
        for (const name of Object.keys(ARRAYS)) {
          const data = (value[name] as NdArray).data;
          if (!Array.isArray(data)) expect(data.buffer === input.buffer, name).toBe(false);
        }
      });

      if (variant === 'p5-oob') {
        it('view the out-of-band buffers without copying when they are native and aligned', () => {
          const owners = new Set<ArrayBufferLike>(buffers.map((b) => b.buffer));
          for (const name of ['float64_le', 'int32_le', 'c3d_f8', 'f2d_i4', 'str_le', 'bool', 'readonly_f8', 'struct']) {
            expect(owners.has((value[name] as NdArray<Uint8Array>).data.buffer), name).toBe(true);
          }
          // Big-endian arrays are converted to native order: a copy.
          for (const name of ['float64_be', 'int32_be', 'f3d_f8_be', 'str_be']) {
            expect(owners.has((value[name] as NdArray<Uint8Array>).data.buffer), name).toBe(false);
          }
          // Writes to the array are writes to the caller's buffer: zero-copy.
          const array = value.float64_le as NdArray<Float64Array>;
          const index = buffers.findIndex((b) => b.buffer === array.data.buffer);
          const saved = array.data[0]!;
          array.data[0] = 42;
          expect(new Float64Array(buffers[index]!.buffer)[0]).toBe(42);
          array.data[0] = saved;
        });
      }
    });
  }
}

describe('numpy out-of-band buffers', () => {
  it('are copied when misaligned, and a missing buffer is an error', () => {
    const input = fixtureBytes('np2', 'p5-oob');
    const aligned = oobBuffers('np2');
    // Every buffer at an odd offset of a shared ArrayBuffer.
    const total = aligned.reduce((n, b) => n + b.length + 1, 0);
    const backing = new Uint8Array(total);
    let at = 0;
    const misaligned = aligned.map((b) => {
      at += 1;
      backing.set(b, at);
      const view = backing.subarray(at, at + b.length);
      at += b.length;
      return view;
    });
    const value = loads(input, { buffers: misaligned }) as Record<string, NdArray>;
    expect(show(value.float64_le!.toArray())).toEqual(F64);
    expect((value.float64_le as NdArray<Float64Array>).data.buffer).not.toBe(backing.buffer);
    expect(() => loads(input, { buffers: aligned.slice(0, 3) })).toThrow(UnpicklingError);
  });
});

describe('numpy pickles that are not plain arrays', () => {
  it('load ndarray subclasses as placeholders that keep the state', () => {
    for (const { dir } of VERSIONS) {
      const matrix = load(dir, 'p2').value.matrix as PyObject;
      expect(matrix).toBeInstanceOf(PyObject);
      expect(matrix.name).toBe('_reconstruct');
      expect(String(matrix.args[0])).toBe('numpy.matrix');
      const state = matrix.state as Tuple;
      expect(state[0]).toBe(1);
      expect((state[2] as NdDtype).str).toBe('<i2');
      expect(show(state[4])).toBe("b'01000200'");
    }
  });
});

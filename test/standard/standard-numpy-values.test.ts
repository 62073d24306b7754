// NdArray, NdDtype and NumpyScalar as TypeScript values, what is written for them (module names,
// protocol 5 buffers), and hostile numpy-shaped pickles. No Python is needed (the interop test
// checks the same pickles with real numpy).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dumps, loads, PickleBuffer, PyComplex, PyGlobal, PyObject, Registry, tuple, UnpicklingError } from '../../src/index.js';
import { registerNumpy } from '../../src/standard/numpy/index.js';
import { halfToNumber, NdArray, NdDtype, NumpyScalar, numberToHalf } from '../../src/values/ndarray.js';

/** What a value class throws for a bad argument. */
const INVALID_ARGUMENT = expect.objectContaining({ name: 'PickleError', code: 'INVALID_ARGUMENT' });

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('float16', () => {
  it('converts every half-precision bit pattern to a number and back', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToNumber(bits);
      if (Number.isNaN(value)) {
        expect((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0).toBe(true);
        continue;
      }
      expect(numberToHalf(value)).toBe(bits);
    }
    expect(numberToHalf(NaN)).toBe(0x7e00);
  });

  it('rounds to nearest, ties to even, as numpy does', () => {
    expect(numberToHalf(65504)).toBe(0x7bff);
    expect(numberToHalf(65519)).toBe(0x7bff);
    expect(numberToHalf(65520)).toBe(0x7c00); // rounds up to infinity
    expect(numberToHalf(2 ** -25)).toBe(0); // halfway to the smallest subnormal: even is 0
    expect(numberToHalf(3 * 2 ** -26)).toBe(1);
    expect(numberToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway: stays at the even 1.0
    expect(numberToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(numberToHalf(-0)).toBe(0x8000);
    expect(numberToHalf(0.1)).toBe(0x2e66);
    expect(numberToHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the normals
  });
});

describe('NdDtype', () => {
  it.each([
    ['float32', '<f4', 'float32', 4],
    ['<f8', '<f8', 'float64', 8],
    ['>i2', '>i2', 'int16', 2],
    ['bool', '|b1', 'bool', 1],
    ['?', '|b1', 'bool', 1],
    ['b1', '|b1', 'bool', 1],
    ['int8', '|i1', 'int8', 1],
    ['>u1', '|u1', 'uint8', 1],
    ['uint64', '<u8', 'uint64', 8],
    ['e', '<f2', 'float16', 2],
    ['complex64', '<c8', 'complex64', 8],
    ['>c16', '>c16', 'complex128', 16],
    ['U10', '<U10', 'str320', 40],
    ['>U1', '>U1', 'str32', 4],
    ['S5', '|S5', 'bytes40', 5],
    ['O', '|O', 'object', 8],
    ['O8', '|O', 'object', 8],
    ['object', '|O', 'object', 8],
    ['V12', '|V12', 'void96', 12],
    ['datetime64[ns]', '<M8[ns]', 'datetime64[ns]', 8],
    ['M8', '<M8', 'datetime64', 8],
    ['>m8[10ms]', '>m8[10ms]', 'timedelta64[10ms]', 8],
    ['f16', '<f16', 'float128', 16],
    ['str', '<U0', 'str0', 0],
  ])('%s is %s (%s)', (spec, str, name, itemsize) => {
    const dtype = new NdDtype(spec);
    expect(dtype.str).toBe(str);
    expect(dtype.name).toBe(name);
    expect(dtype.itemsize).toBe(itemsize);
  });

  it.each(['i3', 'float33', 'x', 'M8[xx]', 'f8[s]', '', 'S-1', 'U2.5'])('rejects %j', (spec) => {
    expect(() => new NdDtype(spec)).toThrow();
  });

  it('changes byte order where it applies', () => {
    expect(new NdDtype('<f8').withByteOrder('>').str).toBe('>f8');
    expect(new NdDtype('S3').withByteOrder('>').str).toBe('|S3');
    expect(new NdDtype('>i4').isNative).toBe(false);
    expect(new NdDtype('u1').isNative).toBe(true);
  });

  it('pickles as numpy does', () => {
    const pickled = dumps(new NdDtype('>U3'), { protocol: 2 });
    expect(text(pickled)).toContain('cnumpy\ndtype\n');
    const back = loads(pickled) as NdDtype;
    expect(back).toBeInstanceOf(NdDtype);
    expect(back.str).toBe('>U3');
    expect(back.equals(new NdDtype('>U3'))).toBe(true);
  });
});

describe('NdArray', () => {
  it('wraps a typed array with a shape, without copying', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const array = NdArray.from(data, { shape: [2, 3] });
    expect(array.data).toBe(data);
    expect(array.dtype.str).toBe('<f4');
    expect([array.ndim, array.size, array.itemsize, array.nbytes]).toEqual([2, 6, 4, 24]);
    expect(array.strides).toEqual([12, 4]);
    expect(array.order).toBe('C');
    expect(array.get(1, 2)).toBe(6);
    expect(array.get(-1, 0)).toBe(4);
    expect(array.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([...array.values()]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads Fortran and permuted layouts by index', () => {
    const f = NdArray.from(new Int32Array([1, 4, 2, 5, 3, 6]), { shape: [2, 3], order: 'F' });
    expect(f.order).toBe('F');
    expect(f.strides).toEqual([4, 8]);
    expect(f.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(f.flags).toEqual({ c_contiguous: false, f_contiguous: true, writeable: true });
    // numpy: np.arange(24).reshape(2, 3, 4).transpose(1, 0, 2)
    const k = new NdArray(Int16Array.from({ length: 24 }, (_, i) => i), { shape: [3, 2, 4], axisOrder: [1, 0, 2] });
    expect(k.order).toBe('K');
    expect(k.strides).toEqual([8, 24, 2]);
    expect(k.get(2, 1, 3)).toBe(12 + 8 + 3);
    expect(k.flags.c_contiguous || k.flags.f_contiguous).toBe(false);
    expect(text(k.tobytes())).toBe(text(new Uint8Array(Int16Array.from([0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23]).buffer)));
  });

  it('converts plain values to the dtype', () => {
    expect(NdArray.from([1, 2]).dtype.str).toBe('<f8');
    expect(NdArray.from([true, false]).get(0)).toBe(true);
    expect(NdArray.from([1n, -2n]).dtype.str).toBe('<i8');
    expect(NdArray.from([5, 6], { dtype: 'int64' }).get(1)).toBe(6n);
    expect(NdArray.from(['a', 'bcd']).dtype.str).toBe('<U3');
    expect(NdArray.from(['😀']).get(0)).toBe('😀');
    expect(NdArray.from([new Uint8Array([1, 0]), new Uint8Array([2])]).get(1)).toEqual(new Uint8Array([2]));
    expect(NdArray.from([new PyComplex(1, 2)]).get(0)).toEqual(new PyComplex(1, 2));
    expect(NdArray.from([1, 'x']).dtype.str).toBe('|O');
    expect(NdArray.from([1.5, 65504], { dtype: 'float16' }).data).toEqual(new Uint16Array([0x3e00, 0x7bff]));
    expect(NdArray.from([3], { dtype: '>i2' }).tobytes()).toEqual(new Uint8Array([0, 3]));
    expect(NdArray.from(new Float64Array([1, 2]), { dtype: 'float32' }).data).toBeInstanceOf(Float32Array);
  });

  it('refuses values that do not fit and shapes that do not match', () => {
    expect(() => NdArray.from([128], { dtype: 'int8' })).toThrow(INVALID_ARGUMENT);
    expect(() => NdArray.from([1.5], { dtype: 'int32' })).toThrow(INVALID_ARGUMENT);
    expect(() => NdArray.from([2n ** 64n], { dtype: 'uint64' })).toThrow(INVALID_ARGUMENT);
    expect(() => NdArray.from(['abcd'], { dtype: 'U3' })).toThrow(INVALID_ARGUMENT);
    expect(() => NdArray.from(new Float32Array(6), { shape: [4] })).toThrow(/shape/);
    expect(() => NdArray.from(new Float32Array(6), { shape: [-6] })).toThrow();
    expect(() => new NdArray(new Float32Array(6), { dtype: 'float64' })).toThrow(/Float64Array/);
    expect(() => new NdArray(new Float32Array(6), { shape: [2, 3], axisOrder: [0, 0] })).toThrow(/permutation/);
    expect(() => NdArray.from(new Float32Array(1), { shape: new Array(65).fill(1) })).toThrow(/dimensions/);
    expect(() => NdArray.from(new Float32Array(6), { shape: [2, 3] }).get(0, 3)).toThrow(INVALID_ARGUMENT);
  });
});

describe('NumpyScalar', () => {
  it('holds the value as NdArray.get would give it', () => {
    expect(new NumpyScalar('int64', 5).value).toBe(5n);
    expect(new NumpyScalar('float16', 0.1).value).toBe(halfToNumber(0x2e66));
    expect(new NumpyScalar('S3', 'ab').tobytes()).toEqual(new Uint8Array([0x61, 0x62, 0]));
    expect(new NumpyScalar('>i2', 258).tobytes()).toEqual(new Uint8Array([1, 2]));
    expect(() => new NumpyScalar('object', 1)).toThrow();
    const back = loads(dumps(new NumpyScalar('complex64', new PyComplex(1, -1)))) as NumpyScalar;
    expect(back.dtype.str).toBe('<c8');
    expect(back.value).toEqual(new PyComplex(1, -1));
  });
});

describe('writing numpy pickles', () => {
  const array = (): NdArray<Float64Array> => NdArray.from(new Float64Array([1, 2, 3]));

  it('uses numpy.core names by default, numpy._core when the registry or the value says so', () => {
    expect(text(dumps(array(), { protocol: 4 }))).toContain('numpy.core.multiarray');
    expect(text(dumps(array(), { protocol: 5 }))).toContain('numpy.core.numeric');
    expect(text(dumps(new NumpyScalar('f8', 1), { protocol: 4 }))).toContain('numpy.core.multiarray');
    const numpy2 = registerNumpy(new Registry(), { module: 'numpy._core' });
    expect(text(dumps(array(), { protocol: 4, registry: numpy2 }))).toContain('numpy._core.multiarray');
    expect(text(dumps(array(), { protocol: 5, registry: numpy2 }))).toContain('numpy._core.numeric');
    const own = array();
    own.pickleModule = 'numpy._core';
    expect(text(dumps(own, { protocol: 4 }))).toContain('numpy._core.multiarray');
    const forced = registerNumpy(new Registry(), { module: 'numpy.core', override: true });
    expect(text(dumps(own, { protocol: 4, registry: forced }))).not.toContain('numpy._core');
    expect(() => registerNumpy(new Registry(), { module: 'numpy' as never })).toThrow();
  });

  it('keeps the names a loaded array came with', () => {
    const numpy2 = registerNumpy(new Registry(), { module: 'numpy._core' });
    const loaded = loads(dumps(array(), { protocol: 2, registry: numpy2 })) as NdArray;
    expect(loaded.pickleModule).toBe('numpy._core');
    expect(text(dumps(loaded, { protocol: 2 }))).toContain('numpy._core.multiarray');
  });

  it('hands protocol 5 buffers out of band without copying, read-only ones marked', () => {
    const writable = array();
    const readonly = new NdArray(new Float64Array([4, 5]), { readonly: true });
    const buffers: PickleBuffer[] = [];
    const pickle = dumps([writable, readonly], { protocol: 5, bufferCallback: (buffer) => (buffers.push(buffer), false) });
    expect(buffers.map((b) => b.readonly)).toEqual([false, true]);
    expect(buffers[0]!.raw().buffer).toBe(writable.data.buffer);
    expect(pickle.includes(0x97)).toBe(true); // NEXT_BUFFER
    expect(pickle.includes(0x98)).toBe(true); // READONLY_BUFFER
    const [a, b] = loads(pickle, { buffers: buffers.map((buffer) => buffer.raw()) }) as Array<NdArray<Float64Array>>;
    expect(a!.data.buffer).toBe(writable.data.buffer);
    expect(a!.readonly).toBe(false);
    expect(b!.readonly).toBe(true);
    expect(b!.toArray()).toEqual([4, 5]);
  });

  it('writes what numpy cannot export as a buffer the protocol 4 way', () => {
    for (const value of [NdArray.from([1, 'x']), NdArray.from([1n], { dtype: 'datetime64[s]' }), NdArray.from([], { dtype: 'S0' })]) {
      const pickle = text(dumps(value, { protocol: 5 }));
      expect(pickle).toContain('_reconstruct');
      expect(pickle).not.toContain('_frombuffer');
    }
  });

  it("writes a permuted layout as numpy 2 does ('K') or as numpy 1 does (a C-order copy)", () => {
    const k = new NdArray(Int16Array.from({ length: 24 }, (_, i) => i), { shape: [3, 2, 4], axisOrder: [1, 0, 2] });
    k.pickleModule = 'numpy._core';
    const numpy2 = loads(dumps(k, { protocol: 5 })) as NdArray;
    expect(numpy2.order).toBe('K');
    expect(numpy2.toArray()).toEqual(k.toArray());
    k.pickleModule = 'numpy.core';
    const numpy1 = loads(dumps(k, { protocol: 5 })) as NdArray;
    expect(numpy1.order).toBe('C');
    expect(numpy1.toArray()).toEqual(k.toArray());
  });

  it('round-trips every kind through TypeScript alone', () => {
    const values = [
      NdArray.from(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], order: 'F' }),
      NdArray.from([1, -2], { dtype: '>i8' }),
      NdArray.from(['a', 'héé'], { dtype: '>U3' }),
      NdArray.from([new PyComplex(1, -1)], { dtype: '>c16' }),
      NdArray.from([1, tuple(2, 3), null], { dtype: 'O', shape: [3] }),
      NdArray.from([1.5, -0], { dtype: '>f2' }),
      NdArray.from([5], { shape: [] }),
      NdArray.from(new Float64Array(0), { shape: [0, 4] }),
    ];
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      const back = loads(dumps(values, { protocol })) as NdArray[];
      back.forEach((array, i) => {
        const original = values[i]!;
        expect(array.toArray()).toEqual(original.toArray());
        expect(array.shape).toEqual(original.shape);
        // protocols 0-4 load non-native dtypes as native, as numpy does
        expect(array.dtype.str).toBe(protocol === 5 || original.dtype.storage === 'object' ? original.dtype.str : original.dtype.withByteOrder('=').str);
      });
    }
  });
});

describe('Python 2 numpy pickles', () => {
  // What numpy under Python 2 wrote at protocol 2 for np.arange(3.0): its str are byte strings
  // (SHORT_BINSTRING), the data among them.
  const data = Buffer.from(new Float64Array([0, 1, 2]).buffer);
  const pickle = Buffer.concat([
    Buffer.from('\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02K\x00\x85U\x01b\x87R(K\x01K\x03\x85', 'latin1'),
    Buffer.from('cnumpy\ndtype\nU\x02f8K\x00K\x01\x87R(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89U\x18', 'latin1'),
    data,
    Buffer.from('tb.', 'latin1'),
  ]);

  it.each(['latin1', 'bytes'] as const)('load with encoding %s', (encoding) => {
    const array = loads(pickle, { encoding }) as NdArray;
    expect(array).toBeInstanceOf(NdArray);
    expect(array.dtype.str).toBe('<f8');
    expect(array.toArray()).toEqual([0, 1, 2]);
    expect(array.pickleModule).toBe('numpy.core');
  });
});

describe('hostile numpy pickles', () => {
  const f8 = new NdDtype('<f8');
  const frombuffer = (...args: unknown[]): PyObject => new PyObject(new PyGlobal('numpy._core.numeric', '_frombuffer'), tuple(...args), 'reduce');
  const reconstructed = (state: unknown): PyObject => {
    const object = new PyObject(
      new PyGlobal('numpy.core.multiarray', '_reconstruct'),
      tuple(new PyGlobal('numpy', 'ndarray'), tuple(0), new Uint8Array([0x62])),
      'reduce',
    );
    object.state = state;
    return object;
  };
  const load = (value: unknown): unknown => loads(dumps(value, { protocol: 4 }));

  it('are errors, not crashes or huge allocations', () => {
    expect(() => load(frombuffer(new Uint8Array(7), f8, tuple(1), 'C'))).toThrow(UnpicklingError);
    expect(() => load(frombuffer(new Uint8Array(8), f8, tuple(2), 'C'))).toThrow(/reshape/);
    expect(() => load(frombuffer(new Uint8Array(8), f8, tuple(-1), 'C'))).toThrow(UnpicklingError);
    expect(() => load(frombuffer(new Uint8Array(8), f8, tuple(1), 'K'))).toThrow(/K/);
    expect(() => load(frombuffer(new Uint8Array(16), f8, tuple(1, 2), 'K', tuple(0, 0)))).toThrow(/permutation/);
    expect(() => load(frombuffer(new Uint8Array(8), 'f8', tuple(1), 'C'))).toThrow(/dtype/);
    expect(() => load(frombuffer(new Uint8Array(8), new NdDtype('O'), tuple(1), 'C'))).toThrow(/object/);
    expect(() => load(reconstructed(tuple(1, tuple(2 ** 40), f8, false, new Uint8Array(8))))).toThrow(UnpicklingError);
    expect(() => load(reconstructed(tuple(1, tuple(2), f8, false, [1, 2])))).toThrow(/bytes/);
    expect(() => load(reconstructed(tuple(1, tuple(3), new NdDtype('O'), false, [1, 2])))).toThrow(/3 elements/);
    expect(() => load(reconstructed(tuple(1, tuple(2), f8)))).toThrow(UnpicklingError);
    expect(() => load(reconstructed(tuple(1, tuple(...new Array(65).fill(1)), f8, false, new Uint8Array(8))))).toThrow(/dimensions/);
  });

  it('cannot make one list or buffer into many copies for free', () => {
    const items = new Array(100_000).fill(0);
    const arrays = Array.from({ length: 50 }, () => reconstructed(tuple(1, tuple(items.length), new NdDtype('O'), false, items)));
    expect(() => load(arrays)).toThrow(/copying/);
    const bigEndian = new Uint8Array(800_000);
    const swapped = Array.from({ length: 50 }, () => reconstructed(tuple(1, tuple(100_000), new NdDtype('>f8'), false, bigEndian)));
    expect(() => load(swapped)).toThrow(/copying/);
    const big = new Uint8Array(1_000_000);
    const dtype = new NdDtype('S1000000');
    const scalars = Array.from({ length: 100 }, () => new PyObject(new PyGlobal('numpy.core.multiarray', 'scalar'), tuple(dtype, big), 'reduce'));
    expect(() => load(scalars)).toThrow(/copying/);
    expect((load(scalars.slice(0, 2)) as NumpyScalar[])[1]!.value).toEqual(new Uint8Array(0));
    // Views need no copy: the same buffer in many native arrays is fine.
    const native = Array.from({ length: 50 }, () => reconstructed(tuple(1, tuple(100_000), f8, false, bigEndian)));
    expect((load(native) as NdArray[]).length).toBe(50);
  });

  it('leave ndarray subclasses as placeholders, refused in strict mode', () => {
    const matrix = new PyObject(
      new PyGlobal('numpy.core.multiarray', '_reconstruct'),
      tuple(new PyGlobal('numpy', 'matrix'), tuple(0), new Uint8Array([0x62])),
      'reduce',
    );
    const pickle = dumps(matrix, { protocol: 2 });
    expect(loads(pickle)).toBeInstanceOf(PyObject);
    expect(() => loads(pickle, { strict: true })).toThrow(UnpicklingError);
  });
});

describe('mutated numpy pickles', () => {
  it('2 000 seeded byte mutations of the numpy fixtures load or fail with UnpicklingError', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'numpy');
    const corpus = ['np1', 'np2'].flatMap((version) => ['p0', 'p2', 'p4', 'p5'].map((v) => readFileSync(join(dir, version, `cases.${v}.pkl`))));
    let seed = 20240601;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let loaded = 0;
    for (let i = 0; i < 2000; i++) {
      const data = new Uint8Array(corpus[i % corpus.length]!);
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
      try {
        loads(data);
        loaded++;
      } catch (error) {
        if (!(error instanceof UnpicklingError)) throw error;
      }
    }
    expect(loaded).toBeGreaterThan(0);
  });
});

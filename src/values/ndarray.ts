// numpy values: NdDtype (numpy.dtype), NdArray (numpy.ndarray) and NumpyScalar (numpy.float64(2.5)
// and the other scalar types). The pickle handlers are in src/standard/numpy/.
import { quoted, shown, typeName } from './describe.js';
import { invalidArgument } from './invalid-argument.js';
import {
  type NdTypedArray,
  contiguity,
  decodeElements,
  elementStrides,
  halfToNumber,
  numberToHalf,
  sizeOf,
} from './numpy/elements.js';
import {
  type DtypeSpec,
  type NdByteOrder,
  type NdKind,
  type NdStorage,
  NATIVE_ORDER,
  dtypeName,
  dtypeStr,
  effectiveOrder,
  checkDtypeSpec,
  parseDtype,
  storageOf,
} from './numpy/dtype.js';
import {
  MAX_NDIM,
  arrayBytes,
  assignArray,
  assignDtype,
  specOf,
  storageConstructor,
  type NdArrayData,
  type NumpyModule,
} from './numpy/internals.js';
import { PyComplex } from './complex.js';
import { PyFloat } from './float.js';
import { type Tuple, isTuple } from './tuple.js';

export type { DtypeSpec, NdArrayData, NdByteOrder, NdKind, NdStorage, NdTypedArray, NumpyModule };
export { halfToNumber, numberToHalf };

/** The most dimensions numpy allows (NPY_MAXDIMS in numpy 2). */
export { MAX_NDIM };

/**
 * A numpy dtype. Plain dtypes (bool, int8–uint64, float16/32/64, complex64/128, bytes 'S',
 * unicode 'U', object, datetime64/timedelta64, void 'V') are described by `kind`, `itemsize` and
 * `byteorder`; structured and sub-array dtypes and dtypes with metadata also keep the state they
 * were loaded with (`pickleState`), which is written back unchanged.
 */
export class NdDtype {
  /** numpy's kind character: 'b' 'i' 'u' 'f' 'c' 'S' 'U' 'O' 'V' 'M' 'm'. */
  readonly kind!: NdKind;
  /** Bytes per element (for 'U', four per character). */
  readonly itemsize!: number;
  /** '<' little-endian, '>' big-endian, '|' not applicable. Never '=': native order is spelled out. */
  readonly byteorder!: NdByteOrder;
  /** datetime64/timedelta64: the unit ('ns', 'D', ... or 'generic'). */
  readonly unit: string | undefined;
  /** datetime64/timedelta64: the unit multiplier (10 in 'M8[10ns]'). */
  readonly unitCount: number | undefined;
  /**
   * The BUILD state this dtype was loaded with, kept when it says more than kind, size and byte
   * order (structured fields, sub-array, metadata, datetime info): `(version, byteorder, subarray,
   * names, fields, elsize, alignment, flags[, metadata])`. Written back as it is.
   */
  readonly pickleState: Tuple | undefined;

  /** `new NdDtype('<f4')`, `new NdDtype('float32')`, `new NdDtype('U10')`, `new NdDtype('>i8')`. */
  constructor(spec: string | DtypeSpec) {
    const parsed = typeof spec === 'string' ? parseDtype(spec) : checkDtypeSpec(spec);
    assignDtype(this, parsed, undefined);
  }

  /** The dtype itself, or one parsed from a string. */
  static of(dtype: NdDtype | string): NdDtype {
    return dtype instanceof NdDtype ? dtype : new NdDtype(dtype);
  }

  /** numpy's `dtype.str`: '<f8', '|b1', '|S5', '<U3', '|O', '<M8[ns]', '|V12'. */
  get str(): string {
    return dtypeStr(this);
  }

  /** numpy's `dtype.name`: 'float64', 'bool', 'bytes40', 'str96', 'object', 'datetime64[ns]'. */
  get name(): string {
    return dtypeName(this);
  }

  /** How elements are held in JavaScript (see NdArray.data). */
  get storage(): NdStorage {
    return storageOf(this.kind, this.itemsize);
  }

  /** True when values are in this machine's byte order (or byte order does not apply). */
  get isNative(): boolean {
    return this.byteorder === '|' || this.byteorder === NATIVE_ORDER;
  }

  /** Field names of a structured dtype (`dtype.names`), from the loaded state. */
  get names(): readonly string[] | undefined {
    const names = this.pickleState?.[3];
    return isTuple(names) ? (names as unknown as string[]) : undefined;
  }

  /** `dtype.fields` of a structured dtype as pickled: name -> (dtype, offset[, title]). */
  get fields(): unknown {
    return this.pickleState?.[4] ?? undefined;
  }

  /** `dtype.subdtype` of a sub-array dtype as pickled: (base dtype, shape). */
  get subarray(): unknown {
    return this.pickleState?.[2] ?? undefined;
  }

  /** The same dtype in another byte order ('<', '>'; ignored where byte order does not apply). */
  withByteOrder(order: '<' | '>' | '='): NdDtype {
    return new NdDtype({ ...specOf(this), byteorder: effectiveOrder(this.kind, this.itemsize, order) });
  }

  /** Same kind, size, byte order and unit, and for structured and sub-array dtypes the same fields. */
  equals(other: NdDtype): boolean {
    return signature(this) === signature(other);
  }

  toString(): string {
    return this.str;
  }
}

/** A comparable description of a dtype: its str, and its fields or sub-array when it has them. */
function signature(dtype: NdDtype, depth = 0): string {
  const state = dtype.pickleState;
  if (state === undefined || depth > 32) return dtype.str;
  const part = (value: unknown): string => {
    if (value instanceof NdDtype) return signature(value, depth + 1);
    if (Array.isArray(value)) return `(${value.map(part).join(',')})`;
    if (value instanceof Map) return `{${[...value].map(([k, v]) => `${part(k)}:${part(v)}`).join(',')}}`;
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${part(v)}`).join(',')}}`;
    }
    return typeof value === 'bigint' ? `${value}n` : JSON.stringify(value instanceof Uint8Array ? [...value] : value) ?? 'None';
  };
  // subarray, names, fields and element size; not flags and alignment, which differ by version
  return `${dtype.str}${part([state[2], state[3], state[4], state[5]])}`;
}

// ---- arrays ---------------------------------------------------------------------------------

/** The memory layout of NdArray.data: C (row-major), F (column-major) or K (another permutation). */
export type NdOrder = 'C' | 'F' | 'K';

export interface NdArrayOptions {
  /** The shape; default: one dimension holding every element. */
  shape?: readonly number[];
  /** The dtype ('float32', '<f4', '>i2', 'U10', an NdDtype...); default: from the data's type. */
  dtype?: NdDtype | string;
  /** The order the data is laid out in: 'C' (default) or 'F'. */
  order?: 'C' | 'F';
  /**
   * A general layout instead of `order`: the array is `data` reshaped C-order to the permuted
   * shape and transposed by `axisOrder` (numpy's `_frombuffer(..., 'K', axis_order)`).
   */
  axisOrder?: readonly number[];
  /** numpy's `writeable` flag cleared: pickled as bytes rather than bytearray at protocol 5. */
  readonly?: boolean;
  /** Which numpy module names to pickle this array with (default: the registry's setting). */
  pickleModule?: NumpyModule;
}

const TYPED_DTYPES: Array<[abstract new (...args: never[]) => unknown, string]> = [
  [Int8Array, 'i1'],
  [Uint8Array, 'u1'],
  [Uint8ClampedArray, 'u1'],
  [Int16Array, 'i2'],
  [Uint16Array, 'u2'],
  [Int32Array, 'i4'],
  [Uint32Array, 'u4'],
  [BigInt64Array, 'i8'],
  [BigUint64Array, 'u8'],
  [Float32Array, 'f4'],
  [Float64Array, 'f8'],
];

const Float16ArrayCtor = (globalThis as { Float16Array?: abstract new (...args: never[]) => ArrayBufferView }).Float16Array;

/**
 * A numpy array. `data` holds the elements in memory order (`order`/`axisOrder`) and in this
 * machine's byte order, whatever byte order the dtype has: a '>f8' array's data is a native
 * Float64Array, the dtype keeps '>' and the bytes are swapped back when pickled. (As in numpy, an
 * array read from protocols 0–4 gets the native dtype; protocol 5 keeps the pickled one.)
 *
 * | dtype | data |
 * | --- | --- |
 * | bool | Uint8Array of 0/1 |
 * | int8…int32, uint8…uint32 | Int8Array…Uint32Array |
 * | int64, uint64 | BigInt64Array, BigUint64Array |
 * | float16 | Uint16Array of half-precision bit patterns (`get` converts; see `halfToNumber`) |
 * | float32, float64 | Float32Array, Float64Array |
 * | complex64, complex128 | Float32Array, Float64Array with real and imaginary parts interleaved |
 * | 'U' (str) | Uint32Array of code points, itemsize / 4 per element, NUL-padded |
 * | datetime64, timedelta64 | BigInt64Array |
 * | object | a plain Array of the elements |
 * | 'S' (bytes), 'V' (void, structured), longdouble | Uint8Array of the raw element bytes |
 */
export class NdArray<D extends NdArrayData = NdArrayData> {
  readonly dtype!: NdDtype;
  readonly shape!: readonly number[];
  readonly data!: D;
  /** The layout: logical axis i is axis `axisOrder[i]` of the C-ordered memory block. */
  readonly axisOrder!: readonly number[];
  /** numpy's writeable flag cleared (an array from a read-only buffer). */
  readonly!: boolean;
  /** Module names to pickle with; set on load to the names the pickle used. */
  pickleModule: NumpyModule | undefined;

  /**
   * An array over `data` as it is (not copied). `data` must be the storage the dtype uses (see the
   * class description); when `dtype` is omitted it follows from the typed array's type. Use
   * `NdArray.from` to convert other values.
   */
  constructor(data: D, options: NdArrayOptions = {}) {
    options ??= {};
    const dtype = options.dtype !== undefined ? NdDtype.of(options.dtype) : inferTypedDtype(data);
    assignArray(this, {
      data,
      dtype,
      shape: options.shape,
      order: options.order,
      axisOrder: options.axisOrder,
      readonly: options.readonly ?? false,
      pickleModule: options.pickleModule,
    });
  }

  /**
   * An array from any values: a typed array (used as it is when it already is the dtype's storage,
   * converted otherwise), or a flat array of numbers, bigints, booleans, strings, Uint8Arrays,
   * PyComplex or anything (object dtype). Without a dtype: a typed array's own type, else bool for
   * booleans, int64 for bigints, float64 for numbers, complex128 for PyComplex, 'U<n>' for
   * strings, 'S<n>' for Uint8Arrays, object for anything else.
   *
   * `NdArray.from(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] })` is numpy's
   * `np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)`.
   */
  static from<T extends NdTypedArray>(values: T, options?: NdArrayOptions & { dtype?: undefined }): NdArray<T>;
  static from<T extends NdArrayData = NdArrayData>(values: ArrayLike<unknown> | NdTypedArray, options?: NdArrayOptions): NdArray<T>;
  static from<T extends NdArrayData = NdArrayData>(values: ArrayLike<unknown> | NdTypedArray, options: NdArrayOptions = {}): NdArray<T> {
    options ??= {};
    let input: ArrayLike<unknown> = values;
    let dtype = options.dtype !== undefined ? NdDtype.of(options.dtype) : undefined;
    if (Float16ArrayCtor && values instanceof Float16ArrayCtor) {
      const view = values as unknown as ArrayBufferView;
      input = new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2);
      dtype ??= new NdDtype('f2');
      if (dtype.storage !== 'float16') input = Array.from(values as unknown as ArrayLike<number>);
    }
    dtype ??= inferDtype(input);
    const ctor = storageConstructor(dtype.storage);
    const asIs = ctor !== undefined && input instanceof ctor && input.constructor === ctor;
    const data = (asIs ? input : toStorage(input, dtype)) as T;
    return new NdArray<T>(data, { ...options, dtype });
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Bytes per element. */
  get itemsize(): number {
    return this.dtype.itemsize;
  }

  /** Bytes of all elements. */
  get nbytes(): number {
    return this.size * this.dtype.itemsize;
  }

  /** 'C' when data is row-major, 'F' when column-major (two or more dimensions), 'K' otherwise. */
  get order(): NdOrder {
    const n = this.axisOrder.length;
    if (this.axisOrder.every((axis, i) => axis === i)) return 'C';
    if (this.axisOrder.every((axis, i) => axis === n - 1 - i)) return 'F';
    return 'K';
  }

  /** numpy's C_CONTIGUOUS / F_CONTIGUOUS flags (axes of extent 1 do not count; empty is both). */
  get flags(): { c_contiguous: boolean; f_contiguous: boolean; writeable: boolean } {
    const { c, f } = contiguity(this.shape, this.axisOrder);
    return { c_contiguous: c, f_contiguous: f, writeable: !this.readonly };
  }

  /** numpy's `strides`: bytes to step along each axis. */
  get strides(): number[] {
    return elementStrides(this.shape, this.axisOrder).map((stride) => stride * this.dtype.itemsize);
  }

  /** The element number (in memory order) of an index; negative indices count from the end. */
  offsetOf(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw invalidArgument(`an index of this ${this.shape.length}-d array needs ${this.shape.length} numbers, got ${index.length}`);
    }
    const strides = elementStrides(this.shape, this.axisOrder);
    let offset = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const extent = this.shape[axis]!;
      let i = index[axis]!;
      if (!Number.isInteger(i)) throw invalidArgument(`index ${i} is not an integer`);
      if (i < 0) i += extent;
      if (i < 0 || i >= extent) throw invalidArgument(`index ${index[axis]} is out of bounds for axis ${axis} with size ${extent}`);
      offset += i * strides[axis]!;
    }
    return offset;
  }

  /**
   * One element: boolean (bool), number (ints up to 32 bits, floats incl. float16), bigint (int64,
   * uint64, datetime64, timedelta64), PyComplex, string ('U', trailing NULs removed), Uint8Array
   * ('S' with trailing NULs removed; 'V' and other raw kinds whole), or the object itself.
   */
  get(...index: number[]): unknown {
    return elementAt(this, this.offsetOf(...index));
  }

  /** Every element in logical (C) order, as `get` gives them. */
  *values(): IterableIterator<unknown> {
    const n = this.shape.length;
    const size = this.size;
    if (size === 0) return;
    const strides = elementStrides(this.shape, this.axisOrder);
    const index = new Array<number>(n).fill(0);
    let offset = 0;
    for (let count = 0; count < size; count++) {
      yield elementAt(this, offset);
      for (let axis = n - 1; axis >= 0; axis--) {
        index[axis]!++;
        offset += strides[axis]!;
        if (index[axis]! < this.shape[axis]!) break;
        offset -= strides[axis]! * this.shape[axis]!;
        index[axis] = 0;
      }
    }
  }

  /** The elements as nested arrays (numpy's `tolist()`); a 0-d array gives its one element. */
  toArray(): unknown {
    const flat = [...this.values()];
    if (this.shape.length === 0) return flat[0];
    const build = (axis: number, start: number, span: number): unknown[] => {
      const extent = this.shape[axis]!;
      const step = extent === 0 ? 0 : span / extent;
      const out: unknown[] = [];
      for (let i = 0; i < extent; i++) {
        out.push(axis === this.shape.length - 1 ? flat[start + i] : build(axis + 1, start + i * step, step));
      }
      return out;
    };
    return build(0, 0, flat.length);
  }

  /**
   * The raw bytes numpy holds for this array, in the dtype's byte order and in C order (or F
   * order when `order` is 'F'), as `tobytes(order='A')` gives them. Not for object arrays.
   */
  tobytes(): Uint8Array {
    const { c, f } = contiguity(this.shape, this.axisOrder);
    return arrayBytes(this, !c && f ? 'F' : 'C');
  }
}

function inferTypedDtype(data: unknown): NdDtype {
  if (Array.isArray(data)) return new NdDtype('O');
  for (const [ctor, code] of TYPED_DTYPES) {
    if (data instanceof ctor) return new NdDtype(code);
  }
  throw invalidArgument(`cannot make an array of ${typeName(data)}: pass a typed array or use NdArray.from`);
}

function inferDtype(values: ArrayLike<unknown>): NdDtype {
  if (!Array.isArray(values)) return inferTypedDtype(values);
  const items = values as unknown[];
  if (items.length > 0 && items.every((v) => typeof v === 'boolean')) return new NdDtype('b1');
  if (items.length > 0 && items.every((v) => typeof v === 'bigint')) return new NdDtype('i8');
  if (items.every((v) => typeof v === 'number' || v instanceof PyFloat)) return new NdDtype('f8');
  if (items.every((v) => v instanceof PyComplex || typeof v === 'number')) return new NdDtype('c16');
  if (items.every((v) => typeof v === 'string')) {
    let longest = 0;
    for (const text of items as string[]) longest = Math.max(longest, [...text].length);
    return new NdDtype(`U${Math.max(longest, 1)}`);
  }
  if (items.every((v) => v instanceof Uint8Array)) {
    let longest = 0;
    for (const bytes of items as Uint8Array[]) longest = Math.max(longest, bytes.length);
    return new NdDtype(`S${Math.max(longest, 1)}`);
  }
  return new NdDtype('O');
}

function codePointsToString(data: Uint32Array | Indexed, start: number, units: number): string {
  let end = start + units;
  while (end > start && data[end - 1] === 0) end--;
  let text = '';
  for (let i = start; i < end; i++) {
    const code = data[i] as number;
    if (code > 0x10ffff) throw invalidArgument(`invalid code point ${code} in a numpy str element`);
    text += String.fromCodePoint(code);
  }
  return text;
}

type Indexed = { [index: number]: unknown; readonly length: number };

function elementAt(array: NdArray, offset: number): unknown {
  const { dtype } = array;
  const data = array.data as Indexed;
  switch (dtype.storage) {
    case 'bool':
      return data[offset] !== 0;
    case 'float16':
      return halfToNumber(data[offset] as number);
    case 'complex64':
    case 'complex128':
      return new PyComplex(data[2 * offset] as number, data[2 * offset + 1] as number);
    case 'unicode': {
      const units = dtype.itemsize / 4;
      return codePointsToString(data, offset * units, units);
    }
    case 'raw': {
      const bytes = array.data as Uint8Array;
      const start = offset * dtype.itemsize;
      let end = start + dtype.itemsize;
      if (dtype.kind === 'S') while (end > start && bytes[end - 1] === 0) end--;
      return bytes.slice(start, end);
    }
    default:
      return data[offset];
  }
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof PyFloat) return value.value;
  throw invalidArgument(`expected a number, got ${typeName(value)}`);
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

function toBigInt(value: unknown, storage: NdStorage): bigint {
  let result: bigint;
  if (typeof value === 'bigint') result = value;
  else if (typeof value === 'boolean') result = value ? 1n : 0n;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) result = BigInt(value);
  else throw invalidArgument(`expected an integer for ${storage}, got ${shown(value)}`);
  const [min, max] = storage === 'uint64' ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (result < min || result > max) throw invalidArgument(`${result} is out of range for ${storage}`);
  return result;
}

const latin1Bytes = (text: string, what: string): Uint8Array =>
  Uint8Array.from(text, (char) => {
    const code = char.charCodeAt(0);
    if (code > 0x7f) throw invalidArgument(`${what}: only ASCII strings convert to numpy bytes`);
    return code;
  });

/** Converts values to the storage of a dtype. */
function toStorage(values: ArrayLike<unknown>, dtype: NdDtype): NdArrayData {
  const storage = dtype.storage;
  const count = values.length;
  const items = Array.from(values);
  switch (storage) {
    case 'object':
      return items;
    case 'bool':
      return Uint8Array.from(items, (v) => (toNumber(v) !== 0 ? 1 : 0));
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32': {
      const [min, max] = INT_RANGES[storage]!;
      const ctor = storageConstructor(storage) as new (length: number) => Indexed;
      const out = new ctor(count);
      items.forEach((v, i) => {
        const n = toNumber(v);
        if (!Number.isInteger(n) || n < min || n > max) throw invalidArgument(`${shown(v)} is out of range for ${storage}`);
        out[i] = n;
      });
      return out as NdTypedArray;
    }
    case 'int64':
    case 'datetime':
      return BigInt64Array.from(items, (v) => toBigInt(v, 'int64'));
    case 'uint64':
      return BigUint64Array.from(items, (v) => toBigInt(v, 'uint64'));
    case 'float16':
      return Uint16Array.from(items, (v) => numberToHalf(toNumber(v)));
    case 'float32':
      return Float32Array.from(items, toNumber);
    case 'float64':
      return Float64Array.from(items, toNumber);
    case 'complex64':
    case 'complex128': {
      const out = storage === 'complex64' ? new Float32Array(2 * count) : new Float64Array(2 * count);
      items.forEach((v, i) => {
        if (v instanceof PyComplex) {
          out[2 * i] = v.real;
          out[2 * i + 1] = v.imag;
        } else {
          out[2 * i] = toNumber(v);
        }
      });
      return out;
    }
    case 'unicode': {
      const units = dtype.itemsize / 4;
      const out = new Uint32Array(count * units);
      items.forEach((v, i) => {
        if (typeof v !== 'string') throw invalidArgument(`expected a string for ${dtype.str}, got ${typeName(v)}`);
        const points = Array.from(v, (char) => char.codePointAt(0)!);
        if (points.length > units) throw invalidArgument(`${quoted(v)} is longer than ${dtype.str} holds`);
        out.set(points, i * units);
      });
      return out;
    }
    case 'raw': {
      const size = dtype.itemsize;
      const out = new Uint8Array(count * size);
      items.forEach((v, i) => {
        const bytes = typeof v === 'string' && dtype.kind === 'S' ? latin1Bytes(v, dtype.str) : v;
        if (!(bytes instanceof Uint8Array)) throw invalidArgument(`expected a Uint8Array for ${dtype.str}, got ${typeName(v)}`);
        if (bytes.length > size) throw invalidArgument(`${bytes.length} bytes are more than ${dtype.str} holds`);
        if (dtype.kind !== 'S' && bytes.length !== size) throw invalidArgument(`a ${dtype.str} element needs exactly ${size} bytes`);
        out.set(bytes, i * size);
      });
      return out;
    }
  }
}

// ---- scalars --------------------------------------------------------------------------------

/** What a NumpyScalar holds (see NdArray.get). */
export type NumpyScalarValue = boolean | number | bigint | string | Uint8Array | PyComplex;

/**
 * A numpy scalar: `numpy.float64(2.5)`, `numpy.int64(-5)`, `numpy.bool_(True)`, `numpy.str_('a')`...
 * `value` is what NdArray.get gives for an element of the dtype (a bigint for 64-bit integers).
 */
export class NumpyScalar {
  readonly dtype: NdDtype;
  readonly value: NumpyScalarValue;
  /** Module names to pickle with; set on load to the names the pickle used. */
  pickleModule: NumpyModule | undefined;

  /** `new NumpyScalar('float32', 1.5)`, `new NumpyScalar('int64', 5n)`, `new NumpyScalar('U3', 'abc')`. */
  constructor(dtype: NdDtype | string, value: unknown, options: { pickleModule?: NumpyModule } = {}) {
    this.dtype = NdDtype.of(dtype);
    if (this.dtype.storage === 'object') throw invalidArgument('numpy has no object scalars: use the object itself');
    this.value = NdArray.from([value], { dtype: this.dtype }).get(0) as NumpyScalarValue;
    this.pickleModule = options?.pickleModule;
  }

  /** @internal A scalar from numpy's raw bytes (the `scalar(dtype, bytes)` of a pickle). */
  static fromBytes(dtype: NdDtype, bytes: Uint8Array, options: { pickleModule?: NumpyModule } = {}): NumpyScalar {
    if (dtype.storage === 'object') throw invalidArgument('numpy has no object scalars');
    const { data } = decodeElements(bytes, dtype.storage, dtype.itemsize, dtype.byteorder, 1, true);
    const element = new NdArray(data, { dtype, shape: [] }).get();
    const scalar = Object.create(NumpyScalar.prototype) as { -readonly [K in keyof NumpyScalar]: NumpyScalar[K] };
    scalar.dtype = dtype;
    scalar.value = element as NumpyScalarValue;
    scalar.pickleModule = options.pickleModule;
    return scalar as NumpyScalar;
  }

  /** numpy's raw bytes for the value, in the dtype's byte order (`scalar.tobytes()`). */
  tobytes(): Uint8Array {
    return arrayBytes(NdArray.from([this.value], { dtype: this.dtype }), 'C').slice();
  }

  toString(): string {
    return String(this.value);
  }
}

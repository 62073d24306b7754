// Array bytes and layouts: numpy's raw element bytes to typed arrays and back (byte swapping for
// non-native byte orders), IEEE half-precision conversion, and the stride arithmetic of C, Fortran
// and permuted ('K') layouts. Pure functions, shared by NdArray and the pickle handlers.
import { invalidArgument } from '../invalid-argument.js';
import { NATIVE_ORDER, type NdByteOrder, type NdStorage, storageLayout } from './dtype.js';

/** A typed array holding array elements (every storage but `object`). */
export type NdTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** What one element of a storage is indexed by: writable indexed storage (typed or plain array). */
type Indexed = { [index: number]: unknown; readonly length: number };

// ---- float16 ----------------------------------------------------------------------------------

/** The number an IEEE 754 half-precision bit pattern stands for. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The nearest half-precision bit pattern to a number (round half to even, as numpy does). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= 65520) return sign | 0x7c00; // beyond the largest half (65504) by half a step
  if (magnitude < 2 ** -14) return sign | roundHalfEven(magnitude * 2 ** 24); // subnormal (1024 is the smallest normal)
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  let fraction = roundHalfEven((magnitude / 2 ** exponent - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    exponent++;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | fraction;
}

// ---- bytes <-> elements -----------------------------------------------------------------------

function swapCopy(source: Uint8Array, unitBytes: number): Uint8Array {
  const out = new Uint8Array(source.length);
  for (let i = 0; i < source.length; i += unitBytes) {
    for (let k = 0; k < unitBytes; k++) out[i + k] = source[i + unitBytes - 1 - k]!;
  }
  return out;
}

/** Whether elements of this storage and byte order must be byte-swapped to native order. */
export function needsSwap(storage: NdStorage, byteorder: NdByteOrder): boolean {
  if (storage === 'raw' || storage === 'object' || byteorder === '|' || byteorder === NATIVE_ORDER) return false;
  return storageLayout(storage, 0).unitBytes > 1;
}

/**
 * `count` elements from numpy's raw bytes, as the typed array of their storage in native byte
 * order. A view of `bytes` when no byte swap is needed, the offset is aligned and `copy` is false;
 * otherwise a copy. Returns whether it copied.
 */
export function decodeElements(
  bytes: Uint8Array,
  storage: Exclude<NdStorage, 'object'>,
  itemsize: number,
  byteorder: NdByteOrder,
  count: number,
  copy: boolean,
): { data: NdTypedArray; copied: boolean } {
  const { ctor, units, unitBytes } = storageLayout(storage, itemsize);
  const expected = count * itemsize;
  if (bytes.length !== expected) {
    throw invalidArgument(`array data has ${bytes.length} bytes; ${count} elements of ${itemsize} bytes need ${expected}`);
  }
  const length = count * units;
  if (needsSwap(storage, byteorder)) {
    const swapped = swapCopy(bytes, unitBytes);
    return { data: new ctor!(swapped.buffer as ArrayBuffer, 0, length), copied: true };
  }
  if (!copy && bytes.byteOffset % unitBytes === 0) {
    return { data: new ctor!(bytes.buffer as ArrayBuffer, bytes.byteOffset, length), copied: false };
  }
  const own = new Uint8Array(expected);
  own.set(bytes);
  return { data: new ctor!(own.buffer, 0, length), copied: true };
}

/** The raw bytes numpy holds for these elements (in `byteorder`): a view when no swap is needed. */
export function encodeElements(data: NdTypedArray, storage: Exclude<NdStorage, 'object'>, byteorder: NdByteOrder): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!needsSwap(storage, byteorder)) return bytes;
  return swapCopy(bytes, storageLayout(storage, 0).unitBytes);
}

// ---- layouts ----------------------------------------------------------------------------------

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

/** True when `axisOrder` is a permutation of 0..n-1. */
export function isPermutation(axisOrder: readonly number[], n: number): boolean {
  if (axisOrder.length !== n) return false;
  const seen = new Set<number>();
  for (const axis of axisOrder) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= n || seen.has(axis)) return false;
    seen.add(axis);
  }
  return true;
}

export const identityOrder = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
export const reversedOrder = (n: number): number[] => Array.from({ length: n }, (_, i) => n - 1 - i);

/**
 * The shape of the memory block: the array is `memory.reshape(memoryShape, order='C')
 * .transpose(axisOrder)`, numpy's `_frombuffer(..., order='K', axis_order)`. C order is the
 * identity permutation and Fortran order the reversed one.
 */
export function memoryShape(shape: readonly number[], axisOrder: readonly number[]): number[] {
  const memory = new Array<number>(shape.length);
  axisOrder.forEach((memoryAxis, axis) => {
    memory[memoryAxis] = shape[axis]!;
  });
  return memory;
}

/** Strides in elements of each logical axis, for a layout given by `axisOrder`. */
export function elementStrides(shape: readonly number[], axisOrder: readonly number[]): number[] {
  const memory = memoryShape(shape, axisOrder);
  const memoryStrides = new Array<number>(memory.length);
  let stride = 1;
  for (let j = memory.length - 1; j >= 0; j--) {
    memoryStrides[j] = stride;
    stride *= memory[j]!;
  }
  return axisOrder.map((memoryAxis) => memoryStrides[memoryAxis]!);
}

/**
 * numpy's C_CONTIGUOUS and F_CONTIGUOUS flags for a layout: axes of extent 1 are ignored, and an
 * empty array is both.
 */
export function contiguity(shape: readonly number[], axisOrder: readonly number[]): { c: boolean; f: boolean } {
  if (shape.includes(0)) return { c: true, f: true };
  const strides = elementStrides(shape, axisOrder);
  const check = (axes: number[]): boolean => {
    let expected = 1;
    for (const axis of axes) {
      if (shape[axis] === 1) continue;
      if (strides[axis] !== expected) return false;
      expected *= shape[axis]!;
    }
    return true;
  };
  const n = shape.length;
  return { c: check(reversedOrder(n)), f: check(identityOrder(n)) };
}

/**
 * Copies every element of `source` (laid out with `sourceStrides`, in elements of `units` storage
 * units each) into `target` laid out with `targetStrides`.
 */
export function permuteInto(
  source: Indexed,
  target: Indexed,
  units: number,
  shape: readonly number[],
  sourceStrides: readonly number[],
  targetStrides: readonly number[],
): void {
  const n = shape.length;
  const size = sizeOf(shape);
  if (size === 0) return;
  const index = new Array<number>(n).fill(0);
  let from = 0;
  let to = 0;
  for (let count = 0; count < size; count++) {
    const a = from * units;
    const b = to * units;
    for (let k = 0; k < units; k++) target[b + k] = source[a + k];
    // Advance the last axis fastest (C order over the logical index).
    for (let axis = n - 1; axis >= 0; axis--) {
      index[axis]!++;
      from += sourceStrides[axis]!;
      to += targetStrides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      from -= sourceStrides[axis]! * shape[axis]!;
      to -= targetStrides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
}

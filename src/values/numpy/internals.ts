// The inside of NdArray and NdDtype: setting their parts (constructors, numpy's __setstate__),
// their raw bytes and layouts. Kept out of src/values/ndarray.ts so that the public value module
// exports only the public API. It names the parts it reads and sets (DtypeParts, ArrayFields),
// which the classes have, rather than the classes: ndarray.ts imports this file, not the reverse.
import { shown, typeName } from '../describe.js';
import { invalidArgument } from '../invalid-argument.js';
import { detachedMessage, isDetached } from '../detached-buffer.js';
import { isDict, type PyDict } from '../dict.js';
import { type Tuple, isTuple } from '../tuple.js';
import {
  type NdTypedArray,
  contiguity,
  elementStrides,
  encodeElements,
  identityOrder,
  isPermutation,
  permuteInto,
  reversedOrder,
  sizeOf,
} from './elements.js';
import { type DtypeSpec, type NdByteOrder, type NdKind, type NdStorage, effectiveOrder, parseDtype, storageLayout } from './dtype.js';

/** What NdArray.data holds: a typed array for every dtype but object, a plain array for object. */
export type NdArrayData = NdTypedArray | unknown[];

/**
 * Where numpy's pickling functions live: `'numpy.core'` (numpy 1.x names, also read by numpy 2.x)
 * or `'numpy._core'` (numpy 2.x names, which numpy 1.x cannot read).
 */
export type NumpyModule = 'numpy.core' | 'numpy._core';

/** The parts of an NdDtype that these functions read and set. */
export interface DtypeParts {
  kind: NdKind;
  itemsize: number;
  byteorder: NdByteOrder;
  unit: string | undefined;
  unitCount: number | undefined;
  pickleState: Tuple | undefined;
  readonly storage: NdStorage;
  readonly name: string;
}

/** The parts of an NdArray that these functions read and set. */
export interface ArrayFields {
  data: NdArrayData;
  dtype: DtypeParts;
  shape: readonly number[];
  axisOrder: readonly number[];
  readonly: boolean;
  pickleModule: NumpyModule | undefined;
  readonly ndim: number;
}

/** The most dimensions numpy allows (NPY_MAXDIMS in numpy 2). */
export const MAX_NDIM = 64;

type Indexed = { [index: number]: unknown; readonly length: number };

const dictSize = (dict: PyDict): number => (dict instanceof Map ? dict.size : Object.keys(dict).length);

export function specOf(dtype: DtypeParts): DtypeSpec {
  const spec: DtypeSpec = { kind: dtype.kind, itemsize: dtype.itemsize, byteorder: dtype.byteorder };
  if (dtype.unit !== undefined) spec.unit = dtype.unit;
  if (dtype.unitCount !== undefined) spec.unitCount = dtype.unitCount;
  return spec;
}

export function assignDtype(target: DtypeParts, spec: DtypeSpec, pickleState: Tuple | undefined): void {
  if (spec.kind === 'U' && spec.itemsize % 4 !== 0) throw invalidArgument(`a unicode dtype's itemsize must be a multiple of 4, not ${spec.itemsize}`);
  target.kind = spec.kind;
  target.itemsize = spec.itemsize;
  target.byteorder = effectiveOrder(spec.kind, spec.itemsize, spec.byteorder);
  target.unit = spec.unit;
  target.unitCount = spec.unitCount;
  target.pickleState = pickleState;
}

/** BUILD on a loaded dtype: numpy's `dtype.__setstate__`. */
export function setDtypeState(dtype: DtypeParts, state: unknown): void {
  if (!isTuple(state) || state.length < 5) throw invalidArgument('numpy.dtype state must be a tuple');
  // (version, byteorder, subarray, names, fields, elsize, alignment[, flags[, metadata]]), or the
  // version-0 form (byteorder, subarray, fields, elsize, alignment) of very old numpy.
  const versioned = typeof state[0] === 'number';
  let endian = versioned ? state[1] : state[0];
  // Python 2 pickles loaded with encoding='bytes' give their str as bytes.
  if (endian instanceof Uint8Array && endian.length === 1) endian = String.fromCharCode(endian[0]!);
  if (typeof endian !== 'string' || !['<', '>', '|', '='].includes(endian)) {
    throw invalidArgument(`numpy.dtype state has an invalid byte order ${JSON.stringify(endian)}`);
  }
  const spec = specOf(dtype);
  const elsize = versioned ? state[5] : state[3];
  if ((spec.kind === 'S' || spec.kind === 'U' || spec.kind === 'V') && typeof elsize === 'number' && elsize >= 0) {
    if (!Number.isSafeInteger(elsize)) throw invalidArgument('numpy.dtype state has an invalid element size');
    spec.itemsize = elsize;
  }
  spec.byteorder = effectiveOrder(spec.kind, spec.itemsize, endian);
  const metadata = versioned && state.length >= 9 ? state[8] : undefined;
  if ((spec.kind === 'M' || spec.kind === 'm') && isTuple(metadata) && metadata.length === 2 && isTuple(metadata[1])) {
    const [unit, count] = metadata[1];
    const text = unit instanceof Uint8Array && unit.length <= 16 ? String.fromCharCode(...unit) : unit;
    if (typeof text === 'string' && typeof count === 'number') {
      const parsed = parseDtype(`M8[${count === 1 ? '' : count}${text}]`);
      spec.unit = parsed.unit;
      spec.unitCount = parsed.unitCount;
    }
  }
  const structured = versioned && (state[2] != null || state[3] != null || state[4] != null);
  // Datetime metadata is (metadata dict or None, unit info): the unit is kept above, so the state
  // only needs keeping when the dict holds something.
  const datetime = spec.kind === 'M' || spec.kind === 'm';
  const userMetadata = datetime ? (isTuple(metadata) ? metadata[0] : undefined) : metadata;
  const hasMetadata = userMetadata != null && !(isDict(userMetadata) && dictSize(userMetadata) === 0);
  const keep = structured || spec.kind === 'V' || hasMetadata;
  assignDtype(dtype, spec, keep ? state : undefined);
}


/** The storage typed array a dtype needs, or Array for object dtypes. */
export function storageConstructor(storage: NdStorage): (abstract new (...args: never[]) => unknown) | undefined {
  return storageLayout(storage, 0).ctor;
}


export function checkShape(shape: readonly unknown[]): number[] {
  if (!Array.isArray(shape)) throw invalidArgument(`an array's shape must be an array of extents, not ${typeof shape}`);
  if (shape.length > MAX_NDIM) throw invalidArgument(`arrays have at most ${MAX_NDIM} dimensions, not ${shape.length}`);
  let size = 1;
  return shape.map((extent) => {
    const n = typeof extent === 'bigint' ? Number(extent) : extent;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw invalidArgument(`array dimensions must be non-negative integers, not ${shown(extent)}`);
    }
    if (n !== 0) {
      size *= n;
      if (!Number.isSafeInteger(size)) throw invalidArgument('array is too big');
    }
    return n;
  });
}


export interface ArrayParts {
  data: NdArrayData;
  dtype: DtypeParts;
  shape: readonly unknown[] | undefined;
  order?: 'C' | 'F' | undefined;
  axisOrder: readonly number[] | undefined;
  readonly: boolean;
  pickleModule: NumpyModule | undefined;
}

/** Units of storage per element, and the data's element count. */
function countElements(data: NdArrayData, dtype: DtypeParts): number | undefined {
  const storage = dtype.storage;
  const ctor = storageConstructor(storage);
  if (storage === 'object') {
    if (!Array.isArray(data)) throw invalidArgument(`an object array's data must be an Array, not ${typeName(data)}`);
    return data.length;
  }
  if (!(data instanceof ctor!)) {
    throw invalidArgument(`a ${dtype.name} array's data must be a ${ctor!.name}, not ${typeName(data)} (NdArray.from converts)`);
  }
  if (data.length === 0 && isDetached((data as NdTypedArray).buffer)) throw invalidArgument(detachedMessage(`the ${dtype.name} data of an NdArray`));
  const { units } = storageLayout(storage, dtype.itemsize);
  if (units === 0) return data.length === 0 ? undefined : NaN;
  return data.length / units;
}

/** Sets every part of an array (the constructor and numpy's `__setstate__`). */
export function assignArray(target: ArrayFields, parts: ArrayParts): void {
  const count = countElements(parts.data, parts.dtype);
  if (count !== undefined && !Number.isInteger(count)) {
    throw invalidArgument(`data of ${parts.data.length} units is not a whole number of ${parts.dtype.name} elements`);
  }
  const shape = checkShape(parts.shape ?? [count ?? 0]);
  const size = sizeOf(shape);
  if (count !== undefined && size !== count) {
    throw invalidArgument(`cannot make an array of shape (${shape.join(', ')}) from ${count} elements`);
  }
  if (parts.order !== undefined && parts.order !== 'C' && parts.order !== 'F') throw invalidArgument(`order must be 'C' or 'F', not ${shown(parts.order)}`);
  if (parts.axisOrder !== undefined && !Array.isArray(parts.axisOrder)) throw invalidArgument('axisOrder must be an array of axes');
  const axisOrder = parts.axisOrder
    ? [...parts.axisOrder]
    : parts.order === 'F'
      ? reversedOrder(shape.length)
      : identityOrder(shape.length);
  if (!isPermutation(axisOrder, shape.length)) throw invalidArgument(`axis order (${axisOrder.join(', ')}) is not a permutation of the ${shape.length} axes`);
  target.data = parts.data;
  target.dtype = parts.dtype;
  target.shape = Object.freeze(shape);
  target.axisOrder = Object.freeze(axisOrder);
  target.readonly = parts.readonly;
  target.pickleModule = parts.pickleModule;
}


/**
 * The raw bytes of an array in the dtype's byte order, with the elements in C or F
 * order (a view of `data` when it already is, and needs no byte swap).
 */
export function arrayBytes(array: ArrayFields, order: 'C' | 'F'): Uint8Array {
  const { dtype } = array;
  const storage = dtype.storage;
  if (storage === 'object') throw invalidArgument('an object array has no raw bytes');
  let data = array.data as NdTypedArray;
  if (isDetached(data.buffer)) throw invalidArgument(detachedMessage('the data of an NdArray'));
  const target = order === 'C' ? identityOrder(array.ndim) : reversedOrder(array.ndim);
  const flags = contiguity(array.shape, array.axisOrder);
  if (!(order === 'C' ? flags.c : flags.f)) data = reorder(array, target) as NdTypedArray;
  return encodeElements(data, storage, dtype.byteorder);
}

/** The array's data laid out in another order (a new container). */
export function reorder(array: ArrayFields, axisOrder: readonly number[]): NdArrayData {
  const { units } = storageLayout(array.dtype.storage, array.dtype.itemsize);
  const source = array.data;
  const target: Indexed =
    Array.isArray(source) ? new Array(source.length) : new (source.constructor as new (length: number) => NdTypedArray)(source.length);
  permuteInto(source as Indexed, target, units, array.shape, elementStrides(array.shape, array.axisOrder), elementStrides(array.shape, axisOrder));
  return target as NdArrayData;
}


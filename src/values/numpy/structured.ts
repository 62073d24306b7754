// Structured (record) dtypes: their fields as numpy's pickled state describes them — names in
// order, each field's dtype and byte offset in the record (alignment padding is in the offsets
// and the itemsize), sub-array fields — and one field of every record as an array of its own.
import { quoted } from '../describe.js';
import { invalidArgument } from '../invalid-argument.js';
import { isDict, type PyDict } from '../dict.js';
import { isTuple } from '../tuple.js';
import { decodeElements, encodeElements, type NdTypedArray, sizeOf } from './elements.js';
import type { NdStorage } from './dtype.js';

/** What this module reads of a dtype (NdDtype has these). */
export interface StructuredDtypeParts {
  readonly kind: string;
  readonly itemsize: number;
  readonly byteorder: '<' | '>' | '|';
  readonly storage: NdStorage;
  readonly str: string;
  readonly pickleState: readonly unknown[] | undefined;
}

/** One field of a structured dtype. */
export interface NdField<D extends StructuredDtypeParts = StructuredDtypeParts> {
  readonly name: string;
  /** The field's dtype (itself structured, or a sub-array dtype, where numpy's is). */
  readonly dtype: D;
  /** Byte offset of the field in each record. */
  readonly offset: number;
  /** numpy's field title, when the field has one. */
  readonly title: unknown;
}

function dictGet(dict: PyDict, key: string): unknown {
  return dict instanceof Map ? dict.get(key) : Object.hasOwn(dict, key) ? (dict as Record<string, unknown>)[key] : undefined;
}

/** The fields of a structured dtype in numpy's order (`dtype.names`), or undefined for other dtypes. */
export function structuredFields<D extends StructuredDtypeParts>(dtype: D, isDtype: (value: unknown) => value is D): NdField<D>[] | undefined {
  const state = dtype.pickleState;
  const names = state?.[3];
  const fields = state?.[4];
  if (!isTuple(names) || !isDict(fields)) return undefined;
  return names.map((name) => {
    if (typeof name !== 'string') throw invalidArgument(`a structured dtype's field name must be a str, not ${typeof name}`);
    const entry = dictGet(fields, name);
    if (!isTuple(entry) || entry.length < 2 || !isDtype(entry[0]) || typeof entry[1] !== 'number') {
      throw invalidArgument(`structured dtype field ${quoted(name)} is not (dtype, offset[, title])`);
    }
    const fieldDtype = entry[0];
    const offset = entry[1];
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + fieldDtype.itemsize > dtype.itemsize) {
      throw invalidArgument(`structured dtype field ${quoted(name)} at offset ${offset} (${fieldDtype.itemsize} bytes) lies outside its ${dtype.itemsize}-byte record`);
    }
    return { name, dtype: fieldDtype, offset, title: entry.length > 2 ? entry[2] : undefined };
  });
}

/** A sub-array dtype's base dtype and shape (`dtype.subdtype`), or undefined. */
export function subarrayOf<D extends StructuredDtypeParts>(dtype: D, isDtype: (value: unknown) => value is D): { base: D; shape: number[] } | undefined {
  const subarray = dtype.pickleState?.[2];
  if (!isTuple(subarray) || subarray.length !== 2 || !isDtype(subarray[0])) return undefined;
  const rawShape = subarray[1];
  const shape = (isTuple(rawShape) ? [...rawShape] : [rawShape]).map((extent) => {
    if (typeof extent !== 'number' || !Number.isSafeInteger(extent) || extent < 0) throw invalidArgument('a sub-array dtype has an invalid shape');
    return extent;
  });
  const base = subarray[0];
  if (sizeOf(shape) * base.itemsize !== dtype.itemsize) {
    throw invalidArgument(`a sub-array dtype of ${dtype.itemsize} bytes cannot hold ${sizeOf(shape)} elements of ${base.str}`);
  }
  return { base, shape };
}

/** The bytes of one field of `count` records, gathered into one block (a copy). */
export function gatherField(records: Uint8Array, recordSize: number, count: number, offset: number, size: number): Uint8Array {
  const out = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) {
    const start = i * recordSize + offset;
    out.set(records.subarray(start, start + size), i * size);
  }
  return out;
}

/** Writes a block of one field's bytes for `count` records back into the records. */
export function scatterField(records: Uint8Array, recordSize: number, count: number, offset: number, size: number, block: Uint8Array): void {
  for (let i = 0; i < count; i++) records.set(block.subarray(i * size, (i + 1) * size), i * recordSize + offset);
}

/** Decodes a gathered block as `count` elements of a plain dtype. */
export function decodeField(block: Uint8Array, dtype: StructuredDtypeParts, count: number): NdTypedArray {
  if (dtype.storage === 'object') throw invalidArgument('a structured array with object fields has no raw records');
  return decodeElements(block, dtype.storage as Exclude<NdStorage, 'object'>, dtype.itemsize, dtype.byteorder, count, true).data as NdTypedArray;
}

/** Encodes elements of a plain dtype in the dtype's byte order. */
export function encodeField(data: NdTypedArray, dtype: StructuredDtypeParts): Uint8Array {
  return encodeElements(data, dtype.storage as Exclude<NdStorage, 'object'>, dtype.byteorder);
}

// Field values between the Python value model and what a field's declared type asks for.
// Loading converts in place where it can, so shared containers stay shared.
import { PyByteArray } from '../values/bytearray.js';
import { dictEntries, isDict, isPlainDict } from '../values/dict.js';
import { PyFloat } from '../values/float.js';
import { PyObject } from '../values/object.js';
import { Tuple } from '../values/tuple.js';
import type { FieldType, MappedClass } from './schema.js';

/** Thrown for a value that does not fit its field; the caller adds class and field. */
export class FieldTypeError extends Error {}

/** A short description of a loaded value for error messages: `'abc' (str)`. */
export function describeValue(value: unknown): string {
  const shown = (() => {
    if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === 'bigint') return `${value}`;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  })();
  const type = pythonTypeName(value);
  return shown === undefined ? type : `${shown} (${type})`;
}

function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
  }
  if (value instanceof PyFloat) return 'float';
  if (value instanceof Tuple) return 'tuple';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyByteArray) return 'bytearray';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyObject) return `${value.module}.${value.name}`;
  if (value instanceof Set) return 'set';
  if (isDict(value)) return 'dict';
  return (value as object).constructor?.name ?? 'object';
}

/** Builds an instance of a mapped class from a dict of its state (a nested object). */
export interface InstanceMaker {
  (cls: MappedClass, state: unknown): unknown;
}

function mismatch(expected: string, value: unknown): never {
  throw new FieldTypeError(`expected ${expected}, got ${describeValue(value)}`);
}

/** One loaded scalar (or nested object) as the declared type wants it. */
function fromPythonItem(value: unknown, type: FieldType, makeInstance: InstanceMaker): unknown {
  if (value === null || value === undefined) return value ?? null;
  switch (type) {
    case 'float':
      if (value instanceof PyFloat) return value.value;
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      return mismatch('float', value);
    case 'int':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (value instanceof PyFloat && Number.isInteger(value.value)) return value.value;
      return mismatch('int', value);
    case 'str':
      return typeof value === 'string' ? value : mismatch('str', value);
    case 'bytes':
      return value instanceof Uint8Array ? value : mismatch('bytes', value);
    case 'bool':
      return typeof value === 'boolean' ? value : mismatch('bool', value);
    default: {
      const cls = type();
      if (value instanceof cls) return value;
      if (isDict(value)) return makeInstance(cls, value);
      return mismatch(`a ${cls.name} (or a dict of its state)`, value);
    }
  }
}

/**
 * A loaded field value as its declared type wants it. Arrays, tuples, sets and maps have their
 * elements (map values) converted in place, so containers shared elsewhere stay shared.
 */
export function fromPython(value: unknown, type: FieldType | undefined, makeInstance: InstanceMaker): unknown {
  if (type === undefined) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromPythonItem(value[i], type, makeInstance);
    return value;
  }
  if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const item of items) value.add(fromPythonItem(item, type, makeInstance));
    return value;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) value.set(key, fromPythonItem(item, type, makeInstance));
    return value;
  }
  if (isDict(value) && typeof type !== 'function') {
    // A str-keyed dict field of scalars: convert its values.
    const record = value as Record<string, unknown>;
    for (const [key, item] of dictEntries(record)) record[key as string] = fromPythonItem(item, type, makeInstance);
    return value;
  }
  return fromPythonItem(value, type, makeInstance);
}

/** One scalar (or nested object) as Python should receive it. */
function toPythonItem(value: unknown, type: FieldType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'float':
      if (value instanceof PyFloat) return value;
      if (typeof value === 'number') return new PyFloat(value);
      if (typeof value === 'bigint') return new PyFloat(Number(value));
      return mismatch('float', value);
    case 'int':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) {
        return Number.isSafeInteger(value) ? value : BigInt(value);
      }
      return mismatch('int', value);
    case 'str':
      return typeof value === 'string' ? value : mismatch('str', value);
    case 'bytes':
      return value instanceof Uint8Array ? value : mismatch('bytes', value);
    case 'bool':
      return typeof value === 'boolean' ? value : mismatch('bool', value);
    default: {
      const cls = type();
      return value instanceof cls ? value : mismatch(`a ${cls.name}`, value);
    }
  }
}

/** Whether writing values of this type changes them (ints and floats do; the rest only check). */
function rewrites(type: FieldType): boolean {
  return type === 'float' || type === 'int';
}

/**
 * A field value as Python should receive it. Containers whose elements need rewriting (a list of
 * floats holding integral numbers) are copied once per dump through `copies`, so a container
 * shared between fields stays shared in the pickle.
 */
export function toPython(value: unknown, type: FieldType | undefined, copies: Map<object, unknown>): unknown {
  if (value === undefined) return null;
  if (type === undefined || value === null) return value;
  if (typeof value !== 'object' || value instanceof PyFloat || value instanceof Uint8Array) return toPythonItem(value, type);
  const cached = copies.get(value);
  if (cached !== undefined) return cached;
  let result: unknown;
  if (Array.isArray(value)) {
    if (rewrites(type)) {
      const items = value.map((item) => toPythonItem(item, type));
      result = value instanceof Tuple ? Tuple.from(items) : items;
    } else {
      for (const item of value) toPythonItem(item, type);
      result = value;
    }
  } else if (value instanceof Set) {
    const items = [...value].map((item) => toPythonItem(item, type));
    result = rewrites(type) ? new (value.constructor as SetConstructor)(items) : value;
  } else if (value instanceof Map) {
    const entries = [...value].map(([key, item]) => [key, toPythonItem(item, type)] as const);
    result = rewrites(type) ? new Map(entries) : value;
  } else if (isPlainDict(value) && typeof type !== 'function') {
    const entries = Object.entries(value).map(([key, item]) => [key, toPythonItem(item, type)] as const);
    result = rewrites(type) ? Object.fromEntries(entries) : value;
  } else {
    result = toPythonItem(value, type);
  }
  copies.set(value, result);
  return result;
}

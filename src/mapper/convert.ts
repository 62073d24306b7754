// Field values between the Python value model and what a field's declared type asks for.
// Loading converts containers in place, so containers shared elsewhere stay shared; dumping never
// changes the user's values: a container whose items must be written differently is copied once
// per dump (through the dump's cache), so a container shared between fields stays shared.
import { PyByteArray } from '../values/bytearray.js';
import { isDict, isPlainDict, setPlainDictItem } from '../values/dict.js';
import { PickleError, type PickleErrorCode } from '../errors.js';
import { pythonFloatRepr } from '../codec/numbers.js';
import { PyFloat } from '../values/float.js';
import {
  carryFloats,
  carryPairFloats,
  copyFloatItems,
  copyFloatValues,
  type Floats,
  floatKey,
  floatsOf,
  itemIsFloat,
  keyIsFloat,
  valueIsFloat,
} from '../values/float-marks.js';
import { PyFrozenSet } from '../values/frozenset.js';
import { PyObject } from '../values/object.js';
import { Tuple } from '../values/tuple.js';
import { type FieldType, type MappedClass, typeName } from './types.js';
import { valueClassName } from './value-classes.js';

/** Thrown for a value that does not fit its field; the caller adds class and field. `path` is where inside the field (`['a'][2]`). */
export class FieldTypeError extends PickleError {
  override name = 'FieldTypeError';
  static override defaultCode: PickleErrorCode = 'SCHEMA_MISMATCH';
  constructor(
    message: string,
    readonly path = '',
  ) {
    super(message);
  }

  /** The same error one level further out: `at` goes before the path. */
  within(at: string): FieldTypeError {
    return new FieldTypeError(this.message, at + this.path);
  }
}

const SCHEMAS_KEY = Symbol.for('pickle-mapper.schemas');

/** `module.name` of a registered class or value class, else its JavaScript name. */
export function pythonNameOf(cls: MappedClass): string {
  const schema = (globalThis as { [SCHEMAS_KEY]?: WeakMap<MappedClass, { module: string; name: string }> })[SCHEMAS_KEY]?.get(cls);
  return schema ? `${schema.module}.${schema.name}` : (valueClassName(cls) ?? cls.name);
}

/** Whether a class was registered with registerClass (in any registry). */
export function isMappedClass(cls: unknown): boolean {
  return (globalThis as { [SCHEMAS_KEY]?: WeakMap<object, unknown> })[SCHEMAS_KEY]?.has(cls as object) ?? false;
}

/** A short description of a value for error messages: `'abc' (str)`. */
export function describeValue(value: unknown): string {
  const shown = (() => {
    if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === 'bigint') return `${value}`;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value instanceof PyFloat) return pythonFloatRepr(value.value);
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
      return Number.isInteger(value) && !Object.is(value, -0) ? 'int' : 'float';
    case 'function':
      return 'function';
    default:
  }
  if (value instanceof PyFloat) return 'float';
  if (value instanceof Tuple) return 'tuple';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyByteArray) return 'bytearray';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyObject) return `${value.module}.${value.name}`;
  if (value instanceof PyFrozenSet) return 'frozenset';
  if (value instanceof Set) return 'set';
  if (isDict(value)) return 'dict';
  const ctor = (Object.getPrototypeOf(value) as { constructor?: MappedClass } | null)?.constructor;
  return ctor ? pythonNameOf(ctor) : 'object';
}

/** What loading a field needs from the load: nested instances of registered classes made from a dict of their state. */
export interface LoadTools {
  /** An instance of `cls` with `state` set on it (one per state dict and class in a load), or undefined when `cls` is not registered in the load's registry. */
  makeInstance(cls: MappedClass, state: unknown): unknown;
  /** `make()` once per original container and load: a dict another field holds too becomes the same Map. */
  converted<T>(original: object, make: () => T): T;
}

function mismatch(type: FieldType, value: unknown): never {
  throw new FieldTypeError(`expected ${typeName(type, pythonNameOf)}, got ${describeValue(value)}${mismatchHint(type, value)}`);
}

/** What to do about a common mismatch: a Date for a datetime, a class type that nobody registered. */
function mismatchHint(type: FieldType, value: unknown): string {
  if (value instanceof Date) return '; convert it with PyDatetime.fromDate(date) (or PyDate.fromDate for a date)';
  if (typeof type === 'function') {
    const cls = type();
    if (typeof cls === 'function' && !isMappedClass(cls) && valueClassName(cls) === undefined) return `; ${cls.name} is not registered (@PyClass or registerClass)`;
  }
  return '';
}

/** A dict that can be the state of one instance: a plain object or a plain Map (not an OrderedDict, Counter…). */
function isStateDict(value: unknown): boolean {
  return isPlainDict(value) || (value instanceof Map && Object.getPrototypeOf(value) === Map.prototype);
}

/** A JavaScript number that is a Python float holding `value` exactly, from an int field or a bigint. */
function exactNumber(value: bigint): number | undefined {
  const number = Number(value);
  return BigInt(number) === value ? number : undefined;
}

function keyText(key: unknown): string {
  return typeof key === 'string' ? `[${JSON.stringify(key)}]` : `[${String(key)}]`;
}

/**
 * `convert(item)` for each position of an array, in place; errors say the index. An integral
 * float loaded as a plain number is given as the PyFloat it was, so that an 'int' type refuses it;
 * a type that takes anything gives it back, and the number stays, still recorded as a float.
 */
function loadItems(array: unknown[], convert: (item: unknown) => unknown): void {
  const floats = floatsOf(array);
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const given = floats !== undefined && itemIsFloat(floats, i, item) ? new PyFloat(item as number) : item;
    try {
      const converted = convert(given);
      if (converted !== given) array[i] = converted;
    } catch (error) {
      throw error instanceof FieldTypeError ? error.within(`[${i}]`) : error;
    }
  }
}

function loadSet(set: Set<unknown>, convert: (item: unknown) => unknown): void {
  const items = [...set];
  const floats = floatsOf(set);
  const converted = items.map((item, i) => {
    const given = floats !== undefined && keyIsFloat(floats, item) ? new PyFloat(floatKey(floats, item as number)) : item;
    try {
      const result = convert(given);
      return result === given ? item : result;
    } catch (error) {
      throw error instanceof FieldTypeError ? error.within(`{${i}}`) : error;
    }
  });
  if (converted.every((item, i) => item === items[i])) return;
  set.clear();
  for (const item of converted) set.add(item);
}

/** A dict's key or value as its conversion sees it: an integral float as the PyFloat it was. */
function asLoaded(floats: Floats | undefined, key: unknown, value: unknown, isKey: boolean): unknown {
  if (floats === undefined) return value;
  if (isKey) return keyIsFloat(floats, value) ? new PyFloat(floatKey(floats, value as number)) : value;
  return valueIsFloat(floats, key, value) ? new PyFloat(value as number) : value;
}

/** Whether `value` is a list: an array that is not a tuple (a deque counts as the list-like it is). */
function isList(value: unknown): value is unknown[] {
  return Array.isArray(value) && !(value instanceof Tuple);
}

/** A loaded value as its declared type wants it; containers converted in place. */
export function fromPython(value: unknown, type: FieldType, tools: LoadTools): unknown {
  switch (type) {
    case 'any':
      return value;
    case 'int':
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value) && !Object.is(value, -0))) return value;
      return shorthand(value, type, tools);
    case 'float':
      if (typeof value === 'number') return value;
      if (value instanceof PyFloat) return value.value;
      if (typeof value === 'bigint') return exactNumber(value) ?? mismatch(type, value);
      return shorthand(value, type, tools);
    case 'str':
      return typeof value === 'string' ? value : shorthand(value, type, tools);
    case 'bytes':
      return value instanceof Uint8Array ? value : shorthand(value, type, tools);
    case 'bool':
      return typeof value === 'boolean' ? value : shorthand(value, type, tools);
    default:
  }
  if (typeof type === 'function') {
    const cls = type();
    if (value instanceof cls) return value;
    if (isStateDict(value)) {
      const made = tools.makeInstance(cls, value);
      if (made !== undefined) return made;
      throw new FieldTypeError(`${pythonNameOf(cls)} is not registered in the registry being loaded, so a dict cannot become one`);
    }
    return shorthand(value, type, tools);
  }
  switch (type.kind) {
    case 'optional':
      return value === null || value === undefined ? null : fromPython(value, type.type, tools);
    case 'list':
      if (!isList(value)) return mismatch(type, value);
      loadItems(value, (item) => fromPython(item, type.items, tools));
      return value;
    case 'tuple':
      if (!(value instanceof Tuple)) return mismatch(type, value);
      if (type.positions) {
        const { positions } = type;
        if (value.length !== positions.length) return mismatch(type, value);
        let i = 0;
        loadItems(value, (item) => fromPython(item, positions[i++]!, tools));
      } else {
        const items = type.items ?? 'any';
        loadItems(value, (item) => fromPython(item, items, tools));
      }
      return value;
    case 'set':
    case 'frozenset':
      if (!(value instanceof Set) || (value instanceof PyFrozenSet) !== (type.kind === 'frozenset')) return mismatch(type, value);
      loadSet(value, (item) => fromPython(item, type.items, tools));
      return value;
    case 'dict':
      return loadDict(held(value, type.holds, tools) ?? mismatch(type, value), type.keys, type.values, tools) ?? mismatch(type, value);
    case 'enum':
      return value instanceof type.enumType.memberClass ? value : mismatch(type, value);
  }
}

/**
 * A dict as its field holds it: a Map for a Map field, a plain object for a dict[str, ...]
 * field (a Map only when it has other keys, which the key check then refuses); undefined when
 * `value` is no dict.
 */
function held(value: unknown, holds: 'object' | 'map' | 'either', tools: LoadTools): unknown {
  if (holds === 'map' && isPlainDict(value)) {
    return tools.converted(value, () => {
      const map = new Map<unknown, unknown>();
      for (const key of Object.keys(value)) map.set(key, value[key]);
      copyFloatValues(value, map);
      return map;
    });
  }
  if (holds === 'object' && value instanceof Map && Object.getPrototypeOf(value) === Map.prototype && [...value.keys()].every((key) => typeof key === 'string')) {
    return tools.converted(value, () => {
      const record: Record<string, unknown> = {};
      for (const [key, item] of value) setPlainDictItem(record, key as string, item);
      copyFloatValues(value, record);
      return record;
    });
  }
  return isDict(value) ? value : undefined;
}

/** A dict's keys checked and its values converted in place; undefined when `value` is no dict. */
function loadDict(value: unknown, keys: FieldType, values: FieldType, tools: LoadTools): unknown {
  const floats = floatsOf(value as object);
  if (value instanceof Map) {
    for (const [key, item] of value) {
      try {
        const givenKey = asLoaded(floats, key, key, true);
        if (keys !== 'any' && fromPython(givenKey, keys, tools) !== givenKey) throw new FieldTypeError(`key ${String(key)} is not a ${typeName(keys, pythonNameOf)}`);
        const given = asLoaded(floats, key, item, false);
        const converted = fromPython(given, values, tools);
        if (converted !== given) value.set(key, converted);
      } catch (error) {
        throw error instanceof FieldTypeError ? error.within(keyText(key)) : error;
      }
    }
    return value;
  }
  if (!isPlainDict(value)) return undefined;
  for (const key of Object.keys(value)) {
    try {
      if (keys !== 'any') fromPython(key, keys, tools);
      const given = asLoaded(floats, key, value[key], false);
      const converted = fromPython(given, values, tools);
      if (converted !== given) setPlainDictItem(value, key, converted);
    } catch (error) {
      throw error instanceof FieldTypeError ? error.within(keyText(key)) : error;
    }
  }
  return value;
}

/**
 * A scalar or class type given for a list, tuple or set types its elements (and a scalar type
 * for a dict its values), the container keeping its kind; anything else is a mismatch.
 */
function shorthand(value: unknown, type: FieldType, tools: LoadTools): unknown {
  if (Array.isArray(value)) {
    loadItems(value, (item) => fromPython(item, type, tools));
    return value;
  }
  if (value instanceof Set) {
    loadSet(value, (item) => fromPython(item, type, tools));
    return value;
  }
  if (typeof type === 'string' && isDict(value)) return loadDict(value, 'any', type, tools);
  return mismatch(type, value);
}

// ---- dumping --------------------------------------------------------------------------------

/** `convert` of each item; the same array when nothing changed, else a copy made by `make`. */
function dumpItems(items: readonly unknown[], convert: (item: unknown, index: number) => unknown): unknown[] | undefined {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let converted: unknown;
    try {
      converted = convert(item, i);
    } catch (error) {
      throw error instanceof FieldTypeError ? error.within(`[${i}]`) : error;
    }
    if (converted !== item && copy === undefined) copy = items.slice(0, i);
    copy?.push(converted);
  }
  // The items it copied as they were keep their record (a position now holding a PyFloat or an object is not read).
  if (copy !== undefined) copyFloatItems(items, 0, copy, 0, copy.length);
  return copy;
}

function dumpSet(set: ReadonlySet<unknown>, convert: (item: unknown) => unknown, frozen: boolean | undefined): unknown {
  const items = [...set];
  const converted = dumpItems(items, convert);
  const kindChanges = frozen !== undefined && (set instanceof PyFrozenSet) !== frozen;
  if (converted === undefined && !kindChanges) return set;
  const Kind = frozen === undefined ? (set.constructor as SetConstructor) : frozen ? PyFrozenSet : Set;
  const copy = new Kind(converted ?? items);
  carryFloats(set, copy);
  return copy;
}

/** A Map with the same class and own properties (defaultFactory…) as `map`, holding `entries`. */
function mapLike(map: Map<unknown, unknown>, entries: Iterable<readonly [unknown, unknown]>): Map<unknown, unknown> {
  const copy = Object.getPrototypeOf(map) === Map.prototype ? new Map() : new (map.constructor as MapConstructor)();
  Object.assign(copy, map);
  for (const [key, value] of entries) copy.set(key, value);
  carryPairFloats(map, copy);
  return copy;
}

function dumpDict(value: unknown, keys: FieldType, values: FieldType, cache: Map<object, unknown>): unknown {
  const check = (key: unknown) => {
    if (keys !== 'any' && toPython(key, keys, cache) !== key) throw new FieldTypeError(`key ${String(key)} is not a ${typeName(keys, pythonNameOf)}`);
  };
  if (value instanceof Map) {
    let changed = false;
    const entries: Array<[unknown, unknown]> = [];
    for (const [key, item] of value) {
      try {
        check(key);
        const converted = toPython(item, values, cache);
        changed ||= converted !== item;
        entries.push([key, converted]);
      } catch (error) {
        throw error instanceof FieldTypeError ? error.within(keyText(key)) : error;
      }
    }
    return changed ? mapLike(value, entries) : value;
  }
  if (!isPlainDict(value)) return undefined;
  let copy: Record<string, unknown> | undefined;
  const keysInOrder = Object.keys(value);
  for (let i = 0; i < keysInOrder.length; i++) {
    const key = keysInOrder[i]!;
    const item = value[key];
    try {
      check(key);
      const converted = toPython(item, values, cache);
      if (converted !== item && copy === undefined) {
        copy = {};
        for (let j = 0; j < i; j++) setPlainDictItem(copy, keysInOrder[j]!, value[keysInOrder[j]!]);
      }
      if (copy) setPlainDictItem(copy, key, converted);
    } catch (error) {
      throw error instanceof FieldTypeError ? error.within(keyText(key)) : error;
    }
  }
  if (copy !== undefined) copyFloatValues(value, copy);
  return copy ?? value;
}

/** A scalar as Python should receive it for its type (`undefined` for a type that is not a scalar's). */
function scalarToPython(value: unknown, type: FieldType): unknown {
  switch (type) {
    case 'any':
      return value === undefined ? null : value;
    case 'int':
      if (typeof value === 'bigint') return value;
      // -0 (JavaScript arithmetic makes it) is the int 0 here.
      if (typeof value === 'number' && Number.isInteger(value)) return Number.isSafeInteger(value) ? value + 0 : BigInt(value);
      return undefined;
    case 'float':
      if (value instanceof PyFloat) return value;
      if (typeof value === 'number') return new PyFloat(value);
      if (typeof value === 'bigint') {
        const number = exactNumber(value);
        return number === undefined ? undefined : new PyFloat(number);
      }
      return undefined;
    case 'str':
      return typeof value === 'string' ? value : undefined;
    case 'bytes':
      return value instanceof Uint8Array ? value : undefined;
    case 'bool':
      return typeof value === 'boolean' ? value : undefined;
    default:
      return undefined;
  }
}

/**
 * A field value as Python should receive it. Containers whose items are written differently (a
 * list of floats holding integral numbers) are copied once per dump through `cache`.
 */
export function toPython(value: unknown, type: FieldType, cache: Map<object, unknown>): unknown {
  if (typeof type === 'string') {
    const scalar = scalarToPython(value, type);
    if (scalar !== undefined) return scalar;
    if (typeof value === 'object' && value !== null && !(value instanceof PyFloat) && !(value instanceof Uint8Array)) {
      return cached(value, cache, () => dumpShorthand(value, type, cache));
    }
    return mismatch(type, value);
  }
  if (typeof type === 'function') {
    const cls = type();
    if (value instanceof cls) return value;
    if (typeof value === 'object' && value !== null) return cached(value, cache, () => dumpShorthand(value, type, cache));
    return mismatch(type, value);
  }
  if (type.kind === 'optional') return value === null || value === undefined ? null : toPython(value, type.type, cache);
  if (type.kind === 'enum') {
    if (value instanceof type.enumType.memberClass) return value;
    try {
      return type.enumType.of(value);
    } catch {
      return mismatch(type, value);
    }
  }
  if (typeof value !== 'object' || value === null) return mismatch(type, value);
  return cached(value, cache, () => {
    switch (type.kind) {
      case 'list': {
        if (!Array.isArray(value)) return mismatch(type, value);
        const items = dumpItems(value, (item) => toPython(item, type.items, cache));
        // A tuple given for a list field is written as the list the field says.
        if (value instanceof Tuple) return carried(value, [...(items ?? value)]);
        return items === undefined ? value : arrayLike(value, items);
      }
      case 'tuple': {
        if (!Array.isArray(value)) return mismatch(type, value);
        const { positions } = type;
        if (positions && value.length !== positions.length) return mismatch(type, value);
        const items = dumpItems(value, (item, i) => toPython(item, positions ? positions[i]! : (type.items ?? 'any'), cache));
        return items === undefined && value instanceof Tuple ? value : carried(value, Tuple.from(items ?? value));
      }
      case 'set':
      case 'frozenset':
        if (!(value instanceof Set)) return mismatch(type, value);
        return dumpSet(value, (item) => toPython(item, type.items, cache), type.kind === 'frozenset');
      case 'dict':
        return dumpDict(value, type.keys, type.values, cache) ?? mismatch(type, value);
    }
  });
}

/** An array of the same class and own properties (a deque's maxlen) as `array`, holding `items`; made without running its constructor. */
function arrayLike(array: readonly unknown[], items: unknown[]): unknown[] {
  if (Object.getPrototypeOf(array) === Array.prototype) return items;
  const copy = Reflect.construct(Array, [], array.constructor) as unknown[];
  for (const key of Object.keys(array)) if (!/^\d+$/.test(key)) (copy as unknown as Record<string, unknown>)[key] = (array as unknown as Record<string, unknown>)[key];
  copy.push(...items);
  return carried(items, copy);
}

/** `copy`, an array of the same items as `source`, marked with its floats. */
function carried<T extends unknown[]>(source: readonly unknown[], copy: T): T {
  copyFloatItems(source, 0, copy, 0, copy.length);
  return copy;
}

/** The conversion of a container, made once per dump. */
function cached(value: object, cache: Map<object, unknown>, convert: () => unknown): unknown {
  const known = cache.get(value);
  if (known !== undefined) return known;
  const result = convert();
  cache.set(value, result);
  return result;
}

function dumpShorthand(value: object, type: FieldType, cache: Map<object, unknown>): unknown {
  if (Array.isArray(value)) {
    const items = dumpItems(value, (item) => toPython(item, type, cache));
    if (items === undefined) return value;
    return value instanceof Tuple ? carried(items, Tuple.from(items)) : arrayLike(value, items);
  }
  if (value instanceof Set) return dumpSet(value, (item) => toPython(item, type, cache), undefined);
  if (typeof type === 'string' && isDict(value)) return dumpDict(value, 'any', type, cache);
  return mismatch(type, value);
}

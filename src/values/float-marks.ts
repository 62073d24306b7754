// Where a loaded value held Python floats with an integral value (2.0). `loads` gives them as
// plain numbers, which JavaScript cannot tell from ints, and records them here on the container
// that holds them; `dumps` writes such a number as a float. So untouched data round-trips
// type-exact, and the user's values hold no wrapper objects.
//
// What is recorded, by container:
// - an array (list, tuple, deque): the number loaded at each index; an index is written as a
//   float while it still holds that number (items shift when an array is edited);
// - a dict, Map or object (an instance's attributes): the keys whose values were floats; a key is
//   written as a float while it holds an integral number (its value's type stays with the key);
// - a Map's keys and a set's members: which were floats (Python cannot hold both 1 and 1.0).
//
// The record is a private field stamped onto the container (a base constructor that returns the
// object it is given lets a subclass add its private field to any object): invisible to the
// user's code (no key, symbol or enumerable property; copies do not carry it) and read as fast as
// a property. A dict or object with one float key holds just that key. The class lives on
// globalThis so that every copy of the package reads the same field. Objects that cannot take a
// field (frozen ones) keep theirs in a WeakMap.
import { PyFloat } from './float.js';

/** An array's float items: one bit per index, set where a float was loaded. */
export class FloatItems {
  #bits = new Uint8Array(8);

  has(index: number): boolean {
    const byte = index >>> 3;
    return byte < this.#bits.length && (this.#bits[byte]! & (1 << (index & 7))) !== 0;
  }

  add(index: number): void {
    this.reserve(index + 1)[index >>> 3]! |= 1 << (index & 7);
  }

  /**
   * The bits, with room for indices below `length`: bit `i & 7` of byte `i >>> 3` is index i,
   * for a caller that records many in a row (valid until the next reserve).
   */
  reserve(length: number): Uint8Array {
    const bytes = (length + 7) >>> 3;
    if (bytes > this.#bits.length) {
      const grown = new Uint8Array(Math.max(bytes, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    return this.#bits;
  }

  /** Forgets the items from `length` on. */
  truncate(length: number): void {
    const bits = this.#bits;
    const byte = length >>> 3;
    if (byte >= bits.length) return;
    bits[byte]! &= (1 << (length & 7)) - 1;
    bits.fill(0, byte + 1);
  }

  /** The indices, in order. */
  *indices(): IterableIterator<number> {
    const bits = this.#bits;
    for (let byte = 0; byte < bits.length; byte++) {
      const set = bits[byte]!;
      if (set === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((set & (1 << bit)) !== 0) yield byte * 8 + bit;
    }
  }
}

/** The integral floats of one container, beyond a dict's single float key. */
export class FloatMarks {
  /** An array's float items. */
  items: FloatItems | undefined = undefined;
  /** The keys (or property names) whose values are floats. */
  valueKeys: Set<unknown> | undefined = undefined;
  /** A Map's float keys, or a set's float members. */
  keys: Set<number> | undefined = undefined;
  /** Its float key or member 0 is -0.0 (which a Map or Set holds as 0). */
  negativeZeroKey = false;
}

/** A container's record: a FloatMarks, or the one string key whose value is a float. */
export type Floats = FloatMarks | string;

/** A number written as an int unless something says float: a safe integer, not -0. */
export function isIntegralFloat(value: number): boolean {
  return Number.isSafeInteger(value) && !Object.is(value, -0);
}

/** Whether `value`, found at index `index` of an array with these floats, is the float loaded there. */
export function itemIsFloat(floats: Floats, index: number, value: unknown): boolean {
  return typeof floats === 'object' && floats.items !== undefined && typeof value === 'number' && isIntegralFloat(value) && floats.items.has(index);
}

/** Whether `value`, found under `key`, is to be written as a float. */
export function valueIsFloat(floats: Floats, key: unknown, value: unknown): boolean {
  if (typeof value !== 'number' || !isIntegralFloat(value)) return false;
  return typeof floats === 'string' ? floats === key : floats.valueKeys !== undefined && floats.valueKeys.has(key);
}

/** Whether the Map key or set member `key` was loaded as a float. */
export function keyIsFloat(floats: Floats, key: unknown): boolean {
  return typeof floats === 'object' && floats.keys !== undefined && typeof key === 'number' && floats.keys.has(key);
}

/** The float a Map key or set member that keyIsFloat stood for: -0.0 for a 0 that was one. */
export function floatKey(floats: Floats, key: number): number {
  return key === 0 && typeof floats === 'object' && floats.negativeZeroKey ? -0 : key;
}

/** Reads and stamps the private field. */
interface Stamp {
  /** Whether anything was ever stamped: until then there is nothing to look up. */
  used: boolean;
  get(target: object): Floats | undefined;
  set(target: object, floats: Floats): void;
}

function makeStamp(): Stamp {
  // Looked up only once something went in: a WeakMap lookup gives an object an identity hash.
  let frozen: WeakMap<object, Floats> | undefined;
  class Base {}
  // A derived constructor that returns an object before super() makes no object of its own.
  class ReturnsTarget extends Base {
    constructor(target: object) {
      if (typeof target !== 'object') super(); // never: the targets are objects
      return target;
    }
  }
  class Stamped extends ReturnsTarget {
    #floats: Floats;
    constructor(target: object, floats: Floats) {
      super(target);
      this.#floats = floats;
    }
    static get(target: object): Floats | undefined {
      if (#floats in target) return (target as Stamped).#floats;
      return frozen === undefined ? undefined : frozen.get(target);
    }
    static set(target: object, floats: Floats): void {
      if (#floats in target) (target as Stamped).#floats = floats;
      else if (Object.isExtensible(target)) new Stamped(target, floats);
      else (frozen ??= new WeakMap()).set(target, floats);
    }
  }
  const stamp: Stamp = {
    used: false,
    get: Stamped.get,
    set(target, floats) {
      stamp.used = true;
      Stamped.set(target, floats);
    },
  };
  return stamp;
}

const STAMP_KEY = Symbol.for('pickle-mapper.floats');
const stamp: Stamp = ((globalThis as { [STAMP_KEY]?: Stamp })[STAMP_KEY] ??= makeStamp());

/** The floats recorded on a container, if any. */
export function floatsOf(container: object): Floats | undefined {
  return stamp.used ? stamp.get(container) : undefined;
}

/** The FloatMarks of a container, made (from a single key, if that is what it has) when needed. */
function marksFor(container: object): FloatMarks {
  const floats = stamp.get(container);
  if (typeof floats === 'object') return floats;
  const marks = new FloatMarks();
  if (floats !== undefined) marks.valueKeys = new Set([floats]);
  stamp.set(container, marks);
  return marks;
}

/** The float items of an array, to record several. */
export function floatItemsFor(array: object): FloatItems {
  return (marksFor(array).items ??= new FloatItems());
}

/** Records that `array[index]` is a float. */
export function markFloatItem(array: object, index: number): void {
  floatItemsFor(array).add(index);
}

/** Records that the value under `key` (a dict or Map key, a property name) is a float. */
export function markFloatValue(container: object, key: unknown): void {
  const floats = stamp.get(container);
  if (floats === undefined && typeof key === 'string') stamp.set(container, key);
  else if (floats !== key) (marksFor(container).valueKeys ??= new Set()).add(key);
}

/** Records that the Map key or set member `key` is a float (-0.0 too, which a Map or Set holds as 0). */
export function markFloatKey(container: object, key: number): void {
  const marks = marksFor(container);
  (marks.keys ??= new Set()).add(key);
  if (Object.is(key, -0)) marks.negativeZeroKey = true;
}

/** The float keys or members recorded on a container, -0.0 as such. */
function floatKeysOf(floats: Floats): number[] {
  return typeof floats === 'object' && floats.keys !== undefined ? [...floats.keys].map((key) => floatKey(floats, key)) : [];
}

/** Forgets that the value under `key` is a float (it was replaced by one that is not). */
export function unmarkFloatValue(container: object, key: unknown): void {
  const floats = stamp.get(container);
  if (floats === undefined) return;
  if (floats === key) stamp.set(container, new FloatMarks());
  else if (typeof floats === 'object') floats.valueKeys?.delete(key);
}

/** The keys under which `container` holds floats. */
export function floatValueKeys(container: object): Iterable<unknown> {
  const floats = stamp.get(container);
  if (floats === undefined) return [];
  return typeof floats === 'string' ? [floats] : (floats.valueKeys ?? []);
}

/** Gives `target` the record of `source`, for a copy with the same positions and keys (or one that replaces it). */
export function shareFloats(source: object, target: object): void {
  const floats = stamp.get(source);
  if (floats !== undefined) stamp.set(target, floats);
}

/** Forgets the float items of an array from `length` on (the array was cut back to it). */
export function truncateFloatItems(array: object, length: number): void {
  const floats = stamp.get(array);
  if (typeof floats === 'object') floats.items?.truncate(length);
}

/** A number that a loaded float stood for, as a reduction hands it to dumps: a PyFloat. */
const written = (value: unknown): unknown => new PyFloat(value as number);

/** The items of an array to write, with a PyFloat where a loaded float still stands (a copy when any). */
export function itemsToWrite(array: readonly unknown[]): readonly unknown[] {
  const floats = stamp.get(array);
  const items = typeof floats === 'object' ? floats.items : undefined;
  if (items === undefined) return array;
  let copy: unknown[] | undefined;
  for (const index of items.indices()) {
    const value = array[index];
    if (typeof value === 'number' && isIntegralFloat(value)) (copy ??= array.slice())[index] = written(value);
  }
  return copy ?? array;
}

/** A set's members, floats loaded as such as PyFloat. */
export function membersToWrite(set: ReadonlySet<unknown>): unknown[] {
  const members = [...set];
  const floats = stamp.get(set);
  if (floats !== undefined) for (let i = 0; i < members.length; i++) if (keyIsFloat(floats, members[i])) members[i] = written(floatKey(floats, members[i] as number));
  return members;
}

/** A value found under `key` in `container`: a PyFloat when the container holds a float there. */
export function valueToWrite(container: object, key: unknown, value: unknown): unknown {
  const floats = stamp.get(container);
  return floats !== undefined && valueIsFloat(floats, key, value) ? written(value) : value;
}

/** The pairs of a Map or dict to write (a reduction's dict items), floats as PyFloat. */
export function pairsToWrite(container: object, entries: Iterable<readonly [unknown, unknown]>): Array<[unknown, unknown]> {
  const floats = stamp.get(container);
  const pairs: Array<[unknown, unknown]> = [];
  for (const [key, value] of entries) {
    if (floats === undefined) pairs.push([key, value]);
    else pairs.push([keyIsFloat(floats, key) ? written(floatKey(floats, key as number)) : key, valueIsFloat(floats, key, value) ? written(value) : value]);
  }
  return pairs;
}

/** Marks the items of `target` from `offset` on as the floats of `source` from `start` on (a copy of its items). */
export function copyFloatItems(source: object, start: number, target: object, offset: number, count: number): void {
  const floats = stamp.get(source);
  const items = typeof floats === 'object' ? floats.items : undefined;
  if (items === undefined) return;
  for (const index of items.indices()) {
    if (index >= start && index < start + count) markFloatItem(target, offset + index - start);
  }
}

/** Marks `target`'s values under the keys `source` holds floats under (an attribute dict copied). */
export function copyFloatValues(source: object, target: object): void {
  for (const key of floatValueKeys(source)) markFloatValue(target, key);
}

/**
 * Marks `target`, made by iterating `source` (Python's `list(x)`, `tuple(x)`, `set(x)`,
 * `frozenset(x)`), with the floats `source` was loaded with: by position for an array, as members
 * for a set.
 */
export function carryFloats(source: unknown, target: unknown[] | Set<unknown>): void {
  if (typeof source !== 'object' || source === null) return;
  const floats = stamp.get(source);
  if (typeof floats !== 'object') return;
  if (Array.isArray(source) && floats.items !== undefined) {
    if (Array.isArray(target)) copyFloatItems(source, 0, target, 0, source.length);
    else {
      for (const index of floats.items.indices()) {
        const value = source[index];
        if (typeof value === 'number' && target.has(value)) markFloatKey(target, value);
      }
    }
  } else if ((source instanceof Set || source instanceof Map) && floats.keys !== undefined) {
    if (Array.isArray(target)) {
      for (let i = 0; i < target.length; i++) if (keyIsFloat(floats, target[i])) markFloatItem(target, i);
    } else {
      for (const key of floatKeysOf(floats)) if (target.has(key)) markFloatKey(target, key);
    }
  }
}

/**
 * Marks the Map `target`, filled with the pairs of `source` (`dict.update(source)`: a dict, or a
 * list of `[key, value]` pairs), with the floats `source` was loaded with.
 */
export function carryPairFloats(source: unknown, target: Map<unknown, unknown>): void {
  if (typeof source !== 'object' || source === null) return;
  if (Array.isArray(source)) {
    for (const pair of source) {
      const floats = Array.isArray(pair) ? stamp.get(pair) : undefined;
      if (floats === undefined) continue;
      if (itemIsFloat(floats, 0, pair[0])) markFloatKey(target, pair[0] as number);
      if (itemIsFloat(floats, 1, pair[1]) && target.get(pair[0]) === pair[1]) markFloatValue(target, pair[0]);
    }
    return;
  }
  const floats = stamp.get(source);
  if (floats === undefined) return;
  for (const key of floatValueKeys(source)) if (target.has(key)) markFloatValue(target, key);
  for (const key of floatKeysOf(floats)) if (target.has(key)) markFloatKey(target, key);
}

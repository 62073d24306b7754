// A strict deep comparison for the collections tests, in the spirit of test/fixtures/py-equal.ts
// but knowing this work's values: every object must have exactly the expected prototype (an
// OrderedDict is not a Map, a deque is not an array), Map entries and object keys come in order,
// numbers compare with Object.is and never equal a bigint, deques compare their maxlen,
// defaultdicts their factory, enum members by identity, and attributes kept in extraState too.
// The object graphs must be isomorphic: shared references and cycles where expected, and only
// there. Returns the first difference with its path, or undefined.
import { extraState, PyDeque, PyDefaultDict, PyEnumMember, PyFloat, PyGlobal } from './api.js';

function show(value: unknown): string {
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `${typeof value} ${Object.is(value, -0) ? '-0' : String(value)}`;
  if (value instanceof PyGlobal) return `PyGlobal ${value.qualifiedName}`;
  if (value instanceof PyEnumMember) return `member ${String(value)} (${String(value.value)})`;
  return (value as object).constructor?.name ?? 'null-prototype object';
}

class Comparison {
  readonly #expectedToActual = new Map<object, object>();
  readonly #actualToExpected = new Map<object, object>();

  compare(actual: unknown, expected: unknown, path: string): string | undefined {
    if (expected === null || typeof expected !== 'object') {
      if (typeof actual !== typeof expected || (actual === null) !== (expected === null) || !Object.is(actual, expected)) {
        return `${path}: expected ${show(expected)}, got ${show(actual)}`;
      }
      return undefined;
    }
    if (actual === null || typeof actual !== 'object') return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    if (expected instanceof PyEnumMember) {
      return actual === expected ? undefined : `${path}: expected ${show(expected)}, got ${show(actual)}`;
    }
    if (expected instanceof PyGlobal) {
      const same = actual instanceof PyGlobal && actual.module === expected.module && actual.name === expected.name;
      return same ? undefined : `${path}: expected ${show(expected)}, got ${show(actual)}`;
    }
    const seen = this.#expectedToActual.get(expected);
    if (seen !== undefined) return seen === actual ? undefined : `${path}: expected a shared reference, got a distinct ${show(actual)}`;
    if (this.#actualToExpected.has(actual)) return `${path}: got an object already seen elsewhere, expected a distinct one`;
    this.#expectedToActual.set(expected, actual);
    this.#actualToExpected.set(actual, expected);
    if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
      return `${path}: expected a ${show(expected)}, got a ${show(actual)}`;
    }
    if (expected instanceof PyFloat) return this.compare((actual as PyFloat).value, expected.value, `${path}.value`);
    if (expected instanceof Uint8Array) {
      const a = actual as Uint8Array;
      return a.length === expected.length && a.every((byte, i) => byte === expected[i])
        ? undefined
        : `${path}: bytes differ`;
    }
    if (Array.isArray(expected)) {
      const a = actual as unknown[];
      if (expected instanceof PyDeque && (a as PyDeque).maxlen !== expected.maxlen) {
        return `${path}: expected maxlen ${expected.maxlen}, got ${(a as PyDeque).maxlen}`;
      }
      if (a.length !== expected.length) return `${path}: expected length ${expected.length}, got ${a.length}`;
      for (let i = 0; i < expected.length; i++) {
        const diff = this.compare(a[i], expected[i], `${path}[${i}]`);
        if (diff) return diff;
      }
      return undefined;
    }
    if (expected instanceof Map) {
      const a = actual as Map<unknown, unknown>;
      if (expected instanceof PyDefaultDict) {
        const diff = this.compare((a as PyDefaultDict).defaultFactory, expected.defaultFactory, `${path}.defaultFactory`);
        if (diff) return diff;
      }
      if (a.size !== expected.size) return `${path}: expected ${expected.size} entries, got ${a.size}`;
      const actualEntries = [...a];
      let i = 0;
      for (const [key, value] of expected) {
        const [actualKey, actualValue] = actualEntries[i]!;
        const diff = this.compare(actualKey, key, `${path}<key ${i}>`) ?? this.compare(actualValue, value, `${path}<value ${i}>`);
        if (diff) return diff;
        i++;
      }
      return this.#attributes(a, expected, path);
    }
    if (expected instanceof Set) {
      const a = [...(actual as Set<unknown>)];
      const e = [...expected];
      if (a.length !== e.length) return `${path}: expected ${e.length} elements, got ${a.length}`;
      for (let i = 0; i < e.length; i++) {
        const diff = this.compare(a[i], e[i], `${path}{${i}}`);
        if (diff) return diff;
      }
      return undefined;
    }
    // Plain dicts and class instances (namedtuples): own keys in order.
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = Object.keys(e);
    if (Object.keys(a).join('\n') !== keys.join('\n')) {
      return `${path}: expected keys ${JSON.stringify(keys)}, got ${JSON.stringify(Object.keys(a))}`;
    }
    for (const key of keys) {
      const diff = this.compare(a[key], e[key], `${path}.${key}`);
      if (diff) return diff;
    }
    return Object.getPrototypeOf(e) === Object.prototype ? undefined : this.#attributes(a, e, path);
  }

  /** Python attributes kept on the side (OrderedDict and namedtuple-subclass __dict__). */
  #attributes(actual: object, expected: object, path: string): string | undefined {
    const a = [...extraState(actual)];
    const e = [...extraState(expected)];
    if (a.length !== e.length) return `${path}: expected ${e.length} attributes, got ${a.length}`;
    for (let i = 0; i < e.length; i++) {
      const diff = this.compare(a[i]![0], e[i]![0], `${path}.attribute name ${i}`) ?? this.compare(a[i]![1], e[i]![1], `${path}.${String(e[i]![0])}`);
      if (diff) return diff;
    }
    return undefined;
  }
}

/** The first difference between `actual` and `expected`, or undefined when they are the same. */
export function collectionsDiff(actual: unknown, expected: unknown): string | undefined {
  return new Comparison().compare(actual, expected, '$');
}

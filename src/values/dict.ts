/**
 * A Python dict: a plain object when every key is a string (the default), a `Map` otherwise or
 * when the `dicts: 'map'` option asks for maps everywhere.
 */
export type PyDict = Record<string, unknown> | Map<unknown, unknown>;

/** True for a plain object used as a dict (not an array, class instance or null-prototype trick). */
export function isPlainDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** True for either dict form. */
export function isDict(value: unknown): value is PyDict {
  return value instanceof Map || isPlainDict(value);
}

/**
 * Stores `key` in a plain-object dict as data. `__proto__` is the one key that ordinary assignment
 * would turn into a prototype change, so it is defined as an own property instead.
 */
export function setPlainDictItem(dict: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(dict, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    dict[key] = value;
  }
}

/** The key/value pairs of either dict form, in order. */
export function dictEntries(dict: PyDict): Array<[unknown, unknown]> {
  return dict instanceof Map ? [...dict.entries()] : Object.entries(dict);
}

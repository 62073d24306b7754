// A field's property read and written as data, whatever its name: a field named `__proto__`,
// `constructor`, `prototype` or `toString` holds a value of the instance's own, never the
// instance's prototype, its class or a method every object inherits.

const hasOwn = Object.prototype.hasOwnProperty;

/** Names every object answers to without holding them: only an own property of that name is a field's value. */
const INHERITED_BY_ALL = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Whether `property` needs readField/writeField (a plain `obj[property]` would not be data). */
export function isReservedProperty(property: string): boolean {
  return INHERITED_BY_ALL.has(property);
}

/** `obj[property]` as a field's value: undefined for a name every object inherits, unless it is the instance's own. */
export function readField(obj: object, property: string): unknown {
  if (INHERITED_BY_ALL.has(property) && !hasOwn.call(obj, property)) return undefined;
  return (obj as Record<string, unknown>)[property];
}

/** `obj[property] = value` that makes `__proto__` an own property instead of replacing the prototype. */
export function writeField(obj: object, property: string, value: unknown): void {
  if (property === '__proto__') Object.defineProperty(obj, property, { value, writable: true, enumerable: true, configurable: true });
  else (obj as Record<string, unknown>)[property] = value;
}

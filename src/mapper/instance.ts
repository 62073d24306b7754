// Instances of mapped classes: made without running the constructor (as `cls.__new__` does),
// given the class's defaults, and remembering what their state held that the schema does not place.
import { Tuple } from '../values/tuple.js';
import { compileFunction, literal } from './compile.js';
import { isMappedClass as isMapped } from './convert.js';
import type { MappedClass } from './types.js';
import { writeField } from './own-property.js';

export { type InstanceMemory, type PydanticMemory, memoryOf, peekMemory, extraState, peekExtraState } from '../registry/instance-memory.js';

/** A class's defaults: the own properties of one instance made by `new Class()` (learned once). */
export interface Defaults {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
}

const defaultsByClass = new WeakMap<MappedClass, Defaults | null>();

/** The defaults of a class: the own properties of one `new Class()`, or null when it needs arguments. */
export function defaultsOf(cls: MappedClass): Defaults | null {
  let defaults = defaultsByClass.get(cls);
  if (defaults === undefined) {
    let template: Record<string, unknown> | undefined;
    try {
      template = new (cls as new () => Record<string, unknown>)();
    } catch {
      // a constructor that needs arguments: no defaults to learn
    }
    if (template) {
      // Read once: the template is this module's own, and object defaults are copied per instance.
      const keys = Object.keys(template);
      const values = [];
      for (const key of keys) values.push(template[key]);
      defaults = { keys, values };
    } else {
      defaults = null;
    }
    defaultsByClass.set(cls, defaults);
  }
  return defaults;
}

/**
 * A fresh copy of a default value, so loaded instances never share a mutable default: arrays,
 * maps, sets, typed arrays, dates and plain objects are copied deeply; other class instances are
 * copied structurally (same prototype, copied own properties) without running a constructor.
 */
function cloneDefault(value: unknown, seen?: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  seen ??= new Map<object, unknown>();
  const known = seen.get(value);
  if (known !== undefined) return known;
  const proto = Object.getPrototypeOf(value) as object | null;
  const builtin = proto === Array.prototype || proto === Map.prototype || proto === Set.prototype;
  if ((Array.isArray(value) || value instanceof Map || value instanceof Set) && !builtin && !(value instanceof Tuple)) {
    return value; // a subclass (PyDeque, PyCounter, …) may need its constructor: shared, not copied
  }
  if (proto !== Object.prototype && !builtin && !(value instanceof Tuple) && !ArrayBuffer.isView(value) && !(value instanceof Date)) {
    // Class instances: copied structurally only when they are mapped classes (public fields);
    // anything else (Decimal, datetime, enum members…) may hold private state, so it is shared.
    const ctor = (proto as { constructor?: MappedClass } | null)?.constructor;
    if (!ctor || !isMapped(ctor)) return value;
  }
  if (Array.isArray(value)) {
    const copy = new (value.constructor as ArrayConstructor)();
    seen.set(value, copy);
    for (const item of value) copy.push(cloneDefault(item, seen));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [k, v] of value) copy.set(k, cloneDefault(v, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new (value.constructor as SetConstructor)();
    seen.set(value, copy);
    for (const v of value) copy.add(cloneDefault(v, seen));
    return copy;
  }
  if (ArrayBuffer.isView(value)) return value instanceof DataView ? value : (value as Uint8Array).slice();
  if (value instanceof Date) return new Date(value.getTime());
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  seen.set(value, copy);
  for (const key of Object.keys(value)) writeField(copy, key, cloneDefault((value as Record<string, unknown>)[key], seen));
  return copy;
}

/** Makes an instance of `cls` with fresh copies of its defaults. */
function fill<T>(cls: MappedClass<T>, defaults: Defaults | null): T {
  const instance = Object.create(cls.prototype as object) as Record<string, unknown>;
  if (defaults) {
    const { keys, values } = defaults;
    for (let i = 0; i < keys.length; i++) {
      const value = values[i];
      // Primitives need no copy: skip the call for the common defaults (0, '', null…).
      writeField(instance, keys[i]!, typeof value === 'object' && value !== null ? cloneDefault(value) : value);
    }
  }
  return instance as T;
}

/**
 * `cls.__new__(cls)` for one class: instances made without running its constructor, holding
 * fresh copies of the defaults a no-argument `new cls()` sets (learned on first use, once).
 */
export function instanceFactory<T>(cls: MappedClass<T>): () => T {
  let make: (() => T) | undefined;
  return () => {
    if (make === undefined) {
      const defaults = defaultsOf(cls);
      make = compiledFill(cls, defaults) ?? (() => fill(cls, defaults));
    }
    return make();
  };
}

/** `fill` for one class as a compiled function (see compile.ts), or undefined where compiling is not allowed. */
function compiledFill<T>(cls: MappedClass<T>, defaults: Defaults | null): (() => T) | undefined {
  const stores = (defaults?.keys ?? []).map((key, i) => {
    const value = defaults!.values[i];
    const copied = typeof value === 'object' && value !== null ? `clone(v[${i}])` : `v[${i}]`;
    return key === '__proto__' ? `define(o, ${literal(key)}, ${copied});` : `o[${literal(key)}] = ${copied};`;
  });
  return compileFunction<() => T>(
    ['cls', 'v', 'clone', 'define'],
    [cls, defaults?.values ?? [], cloneDefault, writeField],
    `return function make() { const o = Object.create(cls.prototype); ${stores.join(' ')} return o; };`,
  );
}

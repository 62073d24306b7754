// registerNamedTuple: a `collections.namedtuple` or `typing.NamedTuple` class mapped onto a
// TypeScript class whose properties are the tuple's fields, by position. One PyClassHandler built
// with the public API. What CPython 3.11 writes for an instance (no state: namedtuples have
// `__slots__ = ()`):
//
//   protocol 2+    NEWOBJ(cls, (*values))                         via __getnewargs__
//   protocol 0/1   REDUCE(copyreg._reconstructor, (cls, tuple, (*values)))
//
// A subclass with a `__dict__` adds BUILD of its attributes, kept in `extraState(instance)`.
import { extraState } from '../registry/instance-memory.js';
import { parsePythonName, type PythonName } from '../registry/python-name.js';
import { defaultRegistry, type LoadContext, type PyClassHandler, type Reduction, type Registry } from '../registry/registry.js';
import { dictEntries, isDict, setPlainDictItem } from '../values/dict.js';
import { PyFloat } from '../values/float.js';
import { floatsOf, itemIsFloat, markFloatValue, pairsToWrite, valueIsFloat } from '../values/float-marks.js';
import { PyGlobal, COPYREG_NEWOBJ as NEWOBJ, COPYREG_RECONSTRUCTOR as RECONSTRUCTOR } from '../values/global.js';
import { Tuple } from '../values/tuple.js';

/** One field of a namedtuple: its Python name, the property holding it, and whether it is a float. */
export interface NamedTupleField {
  /** The Python field name. */
  name: string;
  /** The TypeScript property; the field name when omitted. */
  property?: string;
  /**
   * `'float'`: the field holds a Python float, so an integral value (3.0, which loads as 3) is
   * written back as a float. Other fields are written as their values are.
   */
  type?: 'float';
}

/** Options of `registerNamedTuple`. */
export interface NamedTupleOptions extends PythonName {
  /** The fields in order (`Point._fields`): names, or `{ name, property, type }`. */
  fields: ReadonlyArray<string | NamedTupleField>;
  /** Values of the rightmost fields when a pickle has fewer values, as `namedtuple(defaults=…)`. */
  defaults?: readonly unknown[];
  /** Old names that still load into this class: `'old_geo.Point'` or `{ module, name }`. */
  aliases?: ReadonlyArray<string | PythonName>;
  /** The registry to add the class to; the shared default one when omitted. */
  registry?: Registry;
}

const TUPLE = new PyGlobal('builtins', 'tuple');

interface ResolvedField {
  readonly name: string;
  readonly property: string;
  readonly float: boolean;
}

/**
 * Maps a Python namedtuple class onto `cls`: `loads` gives instances of `cls` (made without
 * running its constructor) with each field's value in its property, and `dumps` writes them
 * as CPython writes the namedtuple, so Python reads back an instance of the namedtuple class.
 *
 * ```ts
 * class Point { constructor(readonly x: number, readonly y: number) {} }
 * registerNamedTuple(Point, { module: 'geo', name: 'Point', fields: ['x', 'y'] });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerNamedTuple<T extends object>(cls: abstract new (...args: any[]) => T, options: NamedTupleOptions): PyClassHandler<T> {
  const { module, name } = options;
  if (!module || !name) throw new TypeError('registerNamedTuple needs the Python module and name');
  const fields: ResolvedField[] = options.fields.map((field) =>
    typeof field === 'string'
      ? { name: field, property: field, float: false }
      : { name: field.name, property: field.property ?? field.name, float: field.type === 'float' },
  );
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) throw new TypeError(`${module}.${name}: field ${field.name} listed twice`);
    seen.add(field.name);
  }
  const defaults = options.defaults ?? [];
  if (defaults.length > fields.length) throw new TypeError(`${module}.${name}: more defaults than fields`);
  const pyClass = new PyGlobal(module, name);

  /** `cls.__new__(cls, *values)`: an instance with each value in its field's property. */
  const make = (values: readonly unknown[], context: LoadContext): T => {
    const missing = fields.length - values.length;
    if (missing > defaults.length) {
      throw new Error(`${module}.${name}() missing ${missing - defaults.length} required argument(s): got ${values.length} of ${fields.length}`);
    }
    if (missing < 0) throw new Error(`${module}.${name}() takes ${fields.length} arguments but ${values.length} were given`);
    context.charge(fields.length);
    const instance = Object.create(cls.prototype as object) as Record<string, unknown>;
    const floats = floatsOf(values);
    fields.forEach((field, i) => {
      let value = i < values.length ? values[i] : defaults[defaults.length - (fields.length - i)];
      if (field.float && value instanceof PyFloat) value = value.value;
      if (field.property === '__proto__') setPlainDictItem(instance, field.property, value);
      else instance[field.property] = value;
      // An integral float (2.0) in an untyped field is written back as a float.
      if (floats !== undefined && !field.float && itemIsFloat(floats, i, value)) markFloatValue(instance, field.property);
    });
    return instance as T;
  };

  /** The values in field order, floats marked so that integral ones stay floats. */
  const valuesOf = (obj: T): unknown[] => {
    const floats = floatsOf(obj);
    return fields.map((field) => {
      const value = (obj as Record<string, unknown>)[field.property];
      const float = field.float || (floats !== undefined && valueIsFloat(floats, field.property, value));
      return float && typeof value === 'number' ? new PyFloat(value) : (value ?? null);
    });
  };

  /** Attributes of a namedtuple subclass with a __dict__, as a state dict; null when there are none. */
  const attributes = (obj: T): unknown => {
    const extras = extraState(obj);
    if (extras.size === 0) return null;
    const pairs = pairsToWrite(extras, extras);
    if (pairs.some(([key]) => typeof key !== 'string')) return new Map(pairs);
    const state: Record<string, unknown> = {};
    for (const [key, value] of pairs) setPlainDictItem(state, key as string, value);
    return state;
  };

  const handler: PyClassHandler<T> & { reconstruct(base: PyGlobal, state: unknown, context: LoadContext): T } = {
    module,
    name,
    kind: 'class',
    jsClass: cls,
    // Point(1, 2): REDUCE with the values.
    call: (args, context) => make(args, context),
    // NEWOBJ: Point.__new__(Point, 1, 2).
    newInstance: (args, kwargs, context) => {
      if (kwargs && dictEntries(kwargs).length > 0) throw new Error(`${module}.${name}: keyword arguments are not supported`);
      return make(args, context);
    },
    // copyreg._reconstructor(Point, tuple, (1, 2)): tuple.__new__(Point, (1, 2)), protocols 0 and 1.
    reconstruct(base, state, context) {
      if (base.module !== 'builtins' || base.name !== 'tuple' || !Array.isArray(state)) {
        throw new Error(`${module}.${name} is a tuple: cannot rebuild it from ${base.qualifiedName}`);
      }
      return make(state, context);
    },
    // BUILD: only a subclass with a __dict__ has state; it is kept on the side and written back.
    setState(obj, state, context) {
      if (state === null) return;
      if (!isDict(state)) throw new Error(`${module}.${name}: state must be a dict of attributes`);
      const entries = dictEntries(state);
      context.charge(entries.length);
      const extras = extraState(obj);
      const floats = floatsOf(state);
      for (const [key, value] of entries) {
        extras.set(key, value);
        if (floats !== undefined && valueIsFloat(floats, key, value)) markFloatValue(extras, key);
      }
    },
    reduce(obj, protocol): Reduction {
      const values = valuesOf(obj);
      const state = attributes(obj);
      // Protocol 2+: object.__reduce_ex__ with __getnewargs__ = tuple(self), i.e. NEWOBJ.
      if (protocol >= 2) return [NEWOBJ, [pyClass, ...values], state];
      // Protocols 0 and 1: copyreg._reduce_ex, base tuple, state tuple(self).
      const args = [pyClass, TUPLE, Tuple.from(values)];
      return state === null ? [RECONSTRUCTOR, args] : [RECONSTRUCTOR, args, state];
    },
    // A namedtuple is a tuple: equal to any tuple of the same items.
    hashAs: (obj) => Tuple.from(valuesOf(obj)),
  };
  const registry = options.registry ?? defaultRegistry();
  registry.register(handler);
  for (const alias of options.aliases ?? []) {
    const old = parsePythonName(alias);
    registry.aliasName(old.module, old.name, module, name);
  }
  return handler;
}

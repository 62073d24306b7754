// What a field holds in Python, declared: a scalar's name, a class (as a thunk, so classes can
// refer to each other before both exist), or a container of those built with listOf, tupleOf,
// setOf, frozensetOf, dictOf, mapOf, optional and enumOf. The TypeScript types below let a decorator
// check the declaration against the field's own type.
import type { PyEnumMember, PyEnumType } from '../values/collections.js';
import type { PyFloat } from '../values/float.js';
import type { Tuple } from '../values/tuple.js';

/** A constructor of mapped instances. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MappedClass<T = any> = abstract new (...args: any[]) => T;

/** Python's scalar types by name; `'any'` takes every value as it is. */
export type ScalarType = 'int' | 'float' | 'str' | 'bytes' | 'bool' | 'any';

/**
 * One instance of a class, given as a thunk: `() => Customer`. A registered class's instances load
 * from Python objects (and from a dict of their state); any other class (`() => PyDatetime`,
 * `() => PyDecimal`) only checks that the value is one of its instances.
 */
export type ClassType<T = unknown> = () => MappedClass<T>;

declare const VALUE: unique symbol;

/** `list[T]`. */
export interface ListType<V = unknown> {
  readonly kind: 'list';
  readonly items: FieldType;
  readonly [VALUE]?: V;
}

/** `tuple[T, ...]` (items) or `tuple[A, B]` (positions). */
export interface TupleType<V = unknown> {
  readonly kind: 'tuple';
  readonly items?: FieldType;
  readonly positions?: readonly FieldType[];
  readonly [VALUE]?: V;
}

/** `set[T]` or `frozenset[T]`. */
export interface SetType<V = unknown> {
  readonly kind: 'set' | 'frozenset';
  readonly items: FieldType;
  readonly [VALUE]?: V;
}

/**
 * `dict[K, V]`. `holds` says what the field holds: a plain object (str keys), a Map, or either
 * (what the load gave: a plain object when every key is a str, a Map otherwise).
 */
export interface DictType<V = unknown> {
  readonly kind: 'dict';
  readonly keys: FieldType;
  readonly values: FieldType;
  readonly holds: 'object' | 'map' | 'either';
  readonly [VALUE]?: V;
}

/** `Optional[T]`: T or None. */
export interface OptionalType<V = unknown> {
  readonly kind: 'optional';
  readonly type: FieldType;
  readonly [VALUE]?: V;
}

/** A member of a registered Python enum. */
export interface EnumFieldType<V = unknown> {
  readonly kind: 'enum';
  readonly enumType: PyEnumType;
  readonly [VALUE]?: V;
}

/** A container or wrapper type. */
export type CompoundType = ListType | TupleType | SetType | DictType | OptionalType | EnumFieldType;

/** The Python type of a field's value. */
export type FieldType = ScalarType | ClassType | CompoundType;

/** The TypeScript type of a value of the Python type `T`. */
export type PythonValue<T> = T extends 'int'
  ? number | bigint
  : T extends 'float'
    ? number | PyFloat
    : T extends 'str'
      ? string
      : T extends 'bytes'
        ? Uint8Array
        : T extends 'bool'
          ? boolean
          : T extends 'any'
            ? unknown
            : T extends () => MappedClass<infer I>
              ? I
              : T extends { readonly [VALUE]?: infer V }
                ? V
                : unknown;

/**
 * What a field declared with type `T` may hold: the value, or null/undefined (whether Python's
 * None is accepted is decided when the class is read; see `optional`). A scalar or class type on
 * a list, tuple or set types its elements, and a scalar type on a dict its values (the shorthand
 * of `listOf`/`setOf`/`dictOf`); a class type on a dict is ONE instance, never a dict of them.
 */
export type FieldValue<T> =
  | PythonValue<T>
  | null
  | undefined
  | (T extends CompoundType | 'any'
      ? never
      :
          | readonly PythonValue<T>[]
          | ReadonlySet<PythonValue<T>>
          | (T extends ScalarType ? Readonly<Record<string, PythonValue<T>>> | ReadonlyMap<unknown, PythonValue<T>> : never));

/** `list[T]`: `listOf('int')`, `listOf(() => LineItem)`. */
export function listOf<T extends FieldType>(items: T): ListType<PythonValue<T>[]> {
  return Object.freeze({ kind: 'list', items: checked(items) });
}

/**
 * `tuple[T, ...]` with one type (`tupleOf('int')`), or a tuple of fixed length with a type per
 * position (`tupleOf(['str', 'int'])` is `tuple[str, int]`).
 */
export function tupleOf<T extends FieldType>(items: T): TupleType<Tuple<PythonValue<T>> | readonly PythonValue<T>[]>;
export function tupleOf<const T extends readonly FieldType[]>(
  positions: T,
): TupleType<Tuple | { readonly [I in keyof T]: PythonValue<T[I]> }>;
export function tupleOf(spec: FieldType | readonly FieldType[]): TupleType {
  if (Array.isArray(spec)) return Object.freeze({ kind: 'tuple', positions: Object.freeze(spec.map(checked)) });
  return Object.freeze({ kind: 'tuple', items: checked(spec as FieldType) });
}

/** `set[T]`. */
export function setOf<T extends FieldType>(items: T): SetType<ReadonlySet<PythonValue<T>>> {
  return Object.freeze({ kind: 'set', items: checked(items) });
}

/** `frozenset[T]` (loads as a `PyFrozenSet`; a plain `Set` is written as a frozenset). */
export function frozensetOf<T extends FieldType>(items: T): SetType<ReadonlySet<PythonValue<T>>> {
  return Object.freeze({ kind: 'frozenset', items: checked(items) });
}

/**
 * `dict[str, V]` (`dictOf(() => LineItem)`), held as a plain object; or `dict[K, V]` with the keys
 * typed too: `dictOf('int', () => LineItem)` is held as a Map, `dictOf('any', V)` as what the
 * load gave (a plain object when every key is a str, else a Map).
 */
export function dictOf<V extends FieldType>(values: V): DictType<Record<string, PythonValue<V>>>;
export function dictOf<K extends FieldType, V extends FieldType>(
  keys: K,
  values: V,
): DictType<
  K extends 'str' ? Record<string, PythonValue<V>> : K extends 'any' ? Record<string, PythonValue<V>> | Map<unknown, PythonValue<V>> : Map<PythonValue<K>, PythonValue<V>>
>;
export function dictOf(first: FieldType, second?: FieldType): DictType {
  if (second === undefined) return Object.freeze({ kind: 'dict', keys: 'str', values: checked(first), holds: 'object' });
  const keys = checked(first);
  return Object.freeze({ kind: 'dict', keys, values: checked(second), holds: keys === 'str' ? 'object' : keys === 'any' ? 'either' : 'map' });
}

/** `dict[str, V]` or `dict[K, V]` held as a Map whatever its keys: `mapOf(() => LineItem)`, `mapOf('int', 'str')`. */
export function mapOf<V extends FieldType>(values: V): DictType<Map<string, PythonValue<V>>>;
export function mapOf<K extends FieldType, V extends FieldType>(keys: K, values: V): DictType<Map<PythonValue<K>, PythonValue<V>>>;
export function mapOf(first: FieldType, second?: FieldType): DictType {
  return second === undefined
    ? Object.freeze({ kind: 'dict', keys: 'str', values: checked(first), holds: 'map' })
    : Object.freeze({ kind: 'dict', keys: checked(first), values: checked(second), holds: 'map' });
}

/** `Optional[T]`: T or None (null; undefined is written as None too). */
export function optional<T extends FieldType>(type: T): OptionalType<PythonValue<T> | null | undefined> {
  return Object.freeze({ kind: 'optional', type: checked(type) });
}

/** The value of an enum member type. */
type MemberValue<T> = T extends PyEnumMember<infer V> ? V : never;

/**
 * A member of a registered enum: `enumOf(PyColor)` with what `registerEnum` returned (or the
 * enum's PyEnumType). Loading takes its members; dumping writes a member, or a value one of its
 * members has (`Color.RED` of the TypeScript enum).
 */
export function enumOf<M extends object>(
  members: M,
): EnumFieldType<M extends PyEnumType<infer V> ? PyEnumMember<V> | V : M[keyof M] | MemberValue<M[keyof M]>> {
  const enumType = enumTypeFrom(members);
  if (!enumType) throw new TypeError('enumOf needs what registerEnum returned (or its PyEnumType)');
  return Object.freeze({ kind: 'enum', enumType });
}

function enumTypeFrom(members: object): PyEnumType | undefined {
  if (typeof (members as PyEnumType).of === 'function' && 'memberClass' in members) return members as PyEnumType;
  for (const member of Object.values(members as Record<string, unknown>)) {
    if (member && typeof member === 'object' && 'enumType' in member) return (member as PyEnumMember).enumType;
  }
  return undefined;
}

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['int', 'float', 'str', 'bytes', 'bool', 'any']);

/** Whether a function is a class itself (`type: Customer`) rather than a thunk (`() => Customer`). */
function isClassSyntax(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Checks a type given to a field or container, with a message that says how to write it. */
export function checked<T extends FieldType>(type: T): T {
  if (typeof type === 'string') {
    if (SCALARS.has(type)) return type;
    throw new TypeError(`unknown field type '${type}': use 'int', 'float', 'str', 'bytes', 'bool', 'any', a class thunk or listOf/dictOf/...`);
  }
  if (typeof type === 'function') {
    if (isClassSyntax(type)) {
      throw new TypeError(`a field type must be a thunk returning the class: type: () => ${type.name}, not type: ${type.name}`);
    }
    return type;
  }
  if (typeof type === 'object' && type !== null && typeof (type as CompoundType).kind === 'string') return type;
  throw new TypeError(`not a field type: ${String(type)}`);
}

/** Python's name of a type, for messages: `dict[str, shop.LineItem]`. */
export function typeName(type: FieldType, nameOf: (cls: MappedClass) => string): string {
  if (typeof type === 'string') return type;
  if (typeof type === 'function') return nameOf(type());
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'frozenset':
      return `${type.kind}[${typeName(type.items, nameOf)}]`;
    case 'tuple':
      return type.positions
        ? `tuple[${type.positions.map((item) => typeName(item, nameOf)).join(', ')}]`
        : `tuple[${typeName(type.items ?? 'any', nameOf)}, ...]`;
    case 'dict':
      return `dict[${typeName(type.keys, nameOf)}, ${typeName(type.values, nameOf)}]`;
    case 'optional':
      return `Optional[${typeName(type.type, nameOf)}]`;
    case 'enum':
      return `${type.enumType.module}.${type.enumType.name}`;
  }
}

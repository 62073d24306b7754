// A field's type from its default value, where the default says enough: the same class then
// checks the same values under every compiler and decorator standard, with or without
// decorator metadata (which exists only under some toolchains and is not read).
import { PyEnumMember } from '../values/collections.js';
import { PyFloat } from '../values/float.js';
import { isMappedClass } from './convert.js';
import type { FieldType, MappedClass } from './types.js';
import { valueClassName } from './value-classes.js';

/**
 * The type a default value says: `''` str, `false` bool, an integral number or a bigint int, any
 * other number (`0.5`, `-0`, `NaN`) float, a `PyFloat` float, a `Uint8Array` bytes, a member of a
 * registered enum that enum, an instance of a registered class or of a value class (`PyDatetime`,
 * `PyDecimal`, `PyUUID`…) that class. `null`, `undefined`, arrays, tuples, Maps, Sets and plain
 * objects say nothing (their items could be anything): undefined.
 */
export function inferType(value: unknown): FieldType | undefined {
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0) ? 'int' : 'float';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  if (value instanceof PyFloat) return 'float';
  if (value instanceof PyEnumMember) return Object.freeze({ kind: 'enum', enumType: value.enumType });
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Uint8Array.prototype) return 'bytes';
  const ctor = (proto as { constructor?: MappedClass } | null)?.constructor;
  if (ctor && (valueClassName(ctor) !== undefined || isMappedClass(ctor))) return () => ctor;
  return undefined;
}

/** How an inferred type reads in a message: `int (from the default 0)`. */
export function describeDefault(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return Object.is(value, -0) ? '-0' : String(value);
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor;
  return `a ${ctor?.name ?? 'value'}`;
}

// The one place that says what a value is in an error message: its type as Python names it
// (`describe`), its class or JavaScript type (`typeName`), or the argument itself (`shown`,
// `quoted`). Every layer may import it; the codec's Python repr of dict keys and set members
// (src/codec/short-repr.ts) builds on the same names.
import { PyGlobal } from './global.js';
import { PyObject } from './object.js';

/** A short Python-like type name for error messages: `'NoneType'`, `'Tuple'`, `'m.C' instance`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "'NoneType'";
  if (typeof value === 'object' || typeof value === 'function') {
    if (value instanceof PyGlobal) return `'${value.qualifiedName}'`;
    if (value instanceof PyObject) return `'${value.module ?? '?'}.${value.name ?? '?'}' instance`;
    return `'${(value as object).constructor?.name ?? 'object'}'`;
  }
  return `'${typeof value}'`;
}

/** A value's class name (`Uint8Array`) or JavaScript type (`number`); `None` for null and undefined. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** A string argument as a message shows it: JSON-quoted, and cut short when long. */
export function quoted(text: unknown, max = 80): string {
  if (typeof text !== 'string') return typeof text;
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/** Any argument as a message shows it, whatever it is (String() throws for a Symbol or a null-prototype object). */
export function shown(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return 'a Symbol';
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  }
}

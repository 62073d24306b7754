// The state of a registered class's instances, loaded and dumped by functions compiled for the
// class (see compile.ts): BUILD's loop over a plain state dict, and the state dict dumps writes.
// Each does by name, for the values that need no conversion, what the generic code does by a
// loop over the schema; everything else goes to the generic code's own per-value function.

import type { ClassSchema } from './schema.js';
import type { FieldType } from './types.js';
import { compileFunction, literal } from './compile.js';
import { isReservedProperty, readField, writeField } from './own-property.js';

/** BUILD's loop: each own key of `state`, in order, onto `obj`. */
export type CompiledAssign<P, C> = (obj: object, state: Record<string, unknown>, plan: P, context: C) => void;

/** What the generic loop does with one key: `position` is the key's index in the state. */
export type AssignOne<P, C> = (obj: object, key: string, value: unknown, plan: P, position: number, context: C) => void;

/** The state dumps writes: a plain dict of the declared fields, or null when there are none. */
export type CompiledState = (source: Record<string, unknown>, cache: Map<object, unknown>) => Record<string, unknown> | null;

/** What the generic code gives for field `index` of the schema (toPython, its errors naming the field). */
export type ConvertField = (index: number, value: unknown, cache: Map<object, unknown>) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

/** The test a loaded value passes to be stored as it is in a field of the type (the conversion would return it unchanged). */
function storedAsIs(type: FieldType | undefined): string | undefined {
  switch (type) {
    case undefined:
    case 'any': return 'true';
    case 'float': return 'typeof value === "number"';
    // -0 is a float's: an int field refuses it.
    case 'int': return '(typeof value === "number" ? Number.isInteger(value) && (value !== 0 || 1 / value > 0) : typeof value === "bigint")';
    case 'str': return 'typeof value === "string"';
    case 'bool': return 'typeof value === "boolean"';
    default: return undefined; // converted every time
  }
}

/**
 * BUILD's loop over a plain dict for one schema: a key that names a field (or alias) whose value
 * needs no conversion is a named store; every other key, and a value that needs converting, goes
 * to `assignOne` exactly as the generic loop sends it. Undefined where compiling is not allowed.
 */
export function compileAssign<P, C>(schema: ClassSchema, assignOne: AssignOne<P, C>): CompiledAssign<P, C> | undefined {
  const cases: string[] = [];
  for (const [name, field] of schema.byPythonName) {
    const test = storedAsIs(field.type);
    if (test === undefined) continue;
    const store = field.property === '__proto__' ? `define(obj, ${literal(field.property)}, value)` : `obj[${literal(field.property)}] = value`;
    cases.push(`case ${literal(name)}: if (${test}) ${store}; else slow(obj, key, value, plan, position, context); break;`);
  }
  return compileFunction<CompiledAssign<P, C>>(
    ['hasOwn', 'slow', 'define'],
    [hasOwn, assignOne, writeField],
    `return function assign(obj, state, plan, context) {
      let position = 0;
      for (const key in state) {
        if (!hasOwn.call(state, key)) continue;
        const value = state[key];
        switch (key) {
          ${cases.join('\n          ')}
          default: slow(obj, key, value, plan, position, context);
        }
        position++;
      }
    };`,
  );
}

/** The test a value passes to be written as it is for a field of the type (converting it would return it unchanged). */
function writtenAsIs(type: FieldType | undefined): string | undefined {
  switch (type) {
    case undefined:
    case 'any': return 'v !== undefined';
    case 'int': return 'typeof v === "bigint" || (Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0))';
    case 'str': return 'typeof v === "string"';
    case 'bool': return 'typeof v === "boolean"';
    // Converted every time; 'float' too, as its numbers become PyFloat (which persistentId sees).
    default: return undefined;
  }
}

/**
 * The state dict dumps writes for one schema with declared fields only: each field read and
 * written by name, and a value that needs converting (or is missing) given to `convert`.
 * Undefined where compiling is not allowed, or for a field written as `__proto__` (which a plain
 * store would not make a key).
 */
export function compileState(schema: ClassSchema, convert: ConvertField): CompiledState | undefined {
  if (schema.fields.some((field) => field.pythonName === '__proto__')) return undefined;
  const lines = schema.fields.map((field, i) => {
    const test = writtenAsIs(field.type);
    const read = isReservedProperty(field.property) ? `v = own(source, ${literal(field.property)});` : `v = source[${literal(field.property)}];`;
    const write = `record[${literal(field.pythonName)}] = ${test === undefined ? '' : `${test} ? v : `}convert(${i}, v, cache);`;
    return `${read} ${write}`;
  });
  const body = schema.fields.length === 0 ? 'return null;' : `const record = {}; let v; ${lines.join(' ')} return record;`;
  return compileFunction<CompiledState>(['convert', 'own'], [convert, readField], `return function state(source, cache) { ${body} };`);
}

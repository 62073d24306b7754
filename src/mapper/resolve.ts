// A schema completed on the class's first use: field types inferred from the defaults a
// no-argument `new Class()` sets, whether each field accepts None, and in implicit mode the
// properties mapped by their own names. Done once per schema, before anything is compiled for it.
import { isMappedClass } from './convert.js';
import { inferType } from './infer.js';
import { defaultsOf, type Defaults } from './instance.js';
import { type FieldSchema, indexFields, type MutableClassSchema } from './schema.js';
import type { MappedClass } from './types.js';

const EXPLICIT_LEVELS = Symbol.for('pickle-mapper.explicitLevels');

/** Classes that declare their own fields, shared by every copy of the package in the process. */
function explicitLevels(): WeakSet<MappedClass> {
  const holder = globalThis as { [EXPLICIT_LEVELS]?: WeakSet<MappedClass> };
  return (holder[EXPLICIT_LEVELS] ??= new WeakSet());
}

/**
 * Marks a class as declaring its own fields (a `@PyField`, or `registerClass` with fields and not
 * implicit): properties its constructor adds that it does not declare are its own helpers, never
 * mapped by a subclass that maps its properties by name.
 */
export function markExplicitLevel(cls: MappedClass): void {
  explicitLevels().add(cls);
}

function keysOf(defaults: Defaults | null): Set<string> | undefined {
  return defaults ? new Set(defaults.keys) : undefined;
}

/** A class in the chain that takes part in mapping: it declares fields, or is registered. */
function isLevel(cls: MappedClass): boolean {
  return explicitLevels().has(cls) || isMappedClass(cls);
}

/**
 * The properties each mapping level of `cls`'s chain adds, by level (the leaf first): the keys
 * its `new Level()` sets that the next level up does not. A class that is no level (a plain base
 * or mixin) counts as part of the level below it. Levels whose constructor needs arguments add
 * nothing that can be known.
 */
function levelProperties(cls: MappedClass): Array<{ cls: MappedClass; added: Set<string> }> {
  const chain: MappedClass[] = [];
  for (let level = cls as MappedClass | null; level && level !== Function.prototype; level = Object.getPrototypeOf(level)) {
    if (level === cls || isLevel(level)) chain.push(level);
  }
  return chain.map((level, i) => {
    const own = keysOf(defaultsOf(level)) ?? new Set<string>();
    const above = i + 1 < chain.length ? keysOf(defaultsOf(chain[i + 1]!)) : undefined;
    return { cls: level, added: new Set([...own].filter((key) => !above?.has(key))) };
  });
}

/** A field with its type inferred from `defaults` where it declares none, and whether None fits it. */
function resolveField(field: FieldSchema, defaults: Defaults | null): FieldSchema {
  if (!defaults) return { ...field, type: field.declaredType, nullable: false };
  const index = defaults.keys.indexOf(field.property);
  const value = index < 0 ? undefined : defaults.values[index];
  const nullable = value === null || value === undefined;
  if (field.declaredType !== undefined) return { ...field, type: field.declaredType, nullable };
  const inferred = inferType(value);
  return inferred === undefined
    ? { ...field, type: undefined, nullable }
    : { ...field, type: inferred, nullable, inferredFrom: { value } };
}

/**
 * Fills in what a schema needs its class's defaults for (once). The properties a level of the
 * class chain adds are mapped by their own names when that level declares no fields (a class
 * that maps its properties as Python's `__dict__`), and are that level's own helpers, never
 * mapped, when it declares fields: so `class User extends Entity { username = '' }` maps
 * `username` beside Entity's declared fields, and Entity's undeclared `cache` stays out.
 */
export function resolveSchema(schema: MutableClassSchema): void {
  if (schema.resolved) return;
  const defaults = defaultsOf(schema.cls);
  const declared = schema.fields.filter((field) => !field.implicit).map((field) => resolveField(field, defaults));
  const fields = [...declared];
  const properties = new Set(declared.map((field) => field.property));
  const names = new Set(declared.flatMap((field) => [field.pythonName, ...field.aliases]));
  const levels = explicitLevels();
  for (const { cls, added } of levelProperties(schema.cls).reverse()) {
    const explicit = cls === schema.cls ? !schema.implicit : levels.has(cls);
    for (const key of added) {
      if (properties.has(key)) continue;
      if (explicit) {
        schema.exclude.add(key);
        continue;
      }
      if (names.has(key) || schema.exclude.has(key)) continue;
      properties.add(key);
      const implicit: FieldSchema = {
        property: key,
        pythonName: key,
        aliases: [],
        declaredType: undefined,
        type: undefined,
        nullable: true,
        required: true,
        implicit: true,
      };
      fields.push(resolveField(implicit, defaults));
    }
  }
  schema.fields = fields;
  schema.byPythonName = indexFields(fields);
  schema.resolved = true;
}

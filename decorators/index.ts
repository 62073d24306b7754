// pickle-mapper/decorators: @PyClass and @PyField, decorator syntax over `registerClass`.
// Both decorator standards work: legacy ones (experimentalDecorators, where reflect-metadata's
// design:type supplies a field type nobody wrote) and TC39 standard ones (TypeScript 5+).
import type { Registry } from '../src/registry.js';
import { registerClass } from '../src/mapper/register.js';
import {
  type FieldOptions,
  type FieldType,
  type MappedClass,
  parsePythonName,
  type PythonName,
} from '../src/mapper/schema.js';
import { classTransformerFields } from './class-transformer.js';

// TC39 decorators receive `context.metadata` only where Symbol.metadata exists; Node 20 lacks
// it. Defining it here, before any decorated class is evaluated, makes metadata available.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

const FIELDS = Symbol.for('pickle-mapper.fields');

/** Field options by property, per class (legacy: by prototype; TC39: in the class metadata). */
type FieldMap = Map<string, FieldOptions>;

const legacyFields = new WeakMap<object, FieldMap>();
/** TC39 fields seen while metadata was unavailable, claimed by the next @PyClass. */
let pendingFields: FieldMap | undefined;

/** Options of @PyClass beyond the Python name. */
export interface PyClassOptions {
  /** Old names that still load into this class: `'old_geo.Point'` or `{ module, name }`. */
  aliases?: ReadonlyArray<string | PythonName>;
  /** Python attribute names held in `__slots__`. */
  slots?: readonly string[];
  /** The registry to add the class to; the shared default one when omitted. */
  registry?: Registry;
}

type ReflectWithMetadata = typeof Reflect & {
  getMetadata?: (key: string, target: object, property: string) => unknown;
};

/** A field type from reflect-metadata's design:type, when the type says enough. */
function designType(prototype: object, property: string): FieldType | undefined {
  const type = (Reflect as ReflectWithMetadata).getMetadata?.('design:type', prototype, property);
  if (type === String) return 'str';
  if (type === Boolean) return 'bool';
  if (type === Uint8Array) return 'bytes';
  return undefined;
}

function addField(fields: FieldMap, property: string | symbol, options: FieldOptions): void {
  if (typeof property !== 'string') throw new TypeError('@PyField needs a string-named property');
  fields.set(property, options);
}

/**
 * Maps a property to a Python attribute: `@PyField()` (same name), `@PyField('n_iter')` (a
 * rename), or `@PyField({ name, aliases, type })`.
 */
export function PyField(nameOrOptions?: string | FieldOptions) {
  const options: FieldOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : { ...(nameOrOptions ?? {}) };
  return function pyField(
    target: object | undefined,
    context: string | symbol | ClassFieldDecoratorContext | ClassAccessorDecoratorContext,
  ): void {
    if (typeof context === 'object') {
      // TC39: (undefined, context); the fields live in the class's metadata object.
      if (context.kind === 'accessor') {
        // An accessor's storage is a private field only the constructor creates, and loading
        // makes instances without running it: such a field could never be set.
        throw new TypeError(`@PyField cannot decorate the accessor '${String(context.name)}': use a plain field`);
      }
      if (context.kind !== 'field') throw new TypeError('@PyField decorates fields');
      const metadata = context.metadata as Record<symbol, unknown> | undefined;
      if (metadata) {
        if (!Object.prototype.hasOwnProperty.call(metadata, FIELDS)) metadata[FIELDS] = new Map();
        addField(metadata[FIELDS] as FieldMap, context.name, options);
      } else {
        addField((pendingFields ??= new Map()), context.name, options);
      }
      return;
    }
    // Legacy: (prototype, property name).
    const prototype = target as object;
    let fields = legacyFields.get(prototype);
    if (!fields) legacyFields.set(prototype, (fields = new Map()));
    const inferred = options.type === undefined && typeof context === 'string' ? designType(prototype, context) : undefined;
    addField(fields, context, inferred === undefined ? options : { ...options, type: inferred });
  };
}

/** Fields declared on a class and its ancestors, the ancestors' first. */
function declaredFields(cls: MappedClass, context: ClassDecoratorContext | undefined): FieldMap {
  const levels: FieldMap[] = [];
  if (context?.metadata) {
    for (let meta: object | null = context.metadata; meta; meta = Object.getPrototypeOf(meta)) {
      if (Object.prototype.hasOwnProperty.call(meta, FIELDS)) levels.unshift((meta as Record<symbol, FieldMap>)[FIELDS]!);
    }
  } else if (context) {
    if (pendingFields) levels.push(pendingFields);
    pendingFields = undefined;
  }
  for (let proto = cls.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const own = legacyFields.get(proto);
    if (own) levels.unshift(own);
  }
  const fields: FieldMap = new Map();
  for (const level of levels) for (const [property, options] of level) fields.set(property, options);
  return fields;
}

/**
 * Binds a class to a Python class: `@PyClass('ml.Regressor')`, `@PyClass({ module: 'pkg.mod',
 * name: 'Outer.Inner' })`, `@PyClass('geo.Point', { aliases: ['old_geo.Point'] })`.
 */
export function PyClass(target: string | PythonName, options: PyClassOptions = {}) {
  const { module, name } = parsePythonName(target);
  return function pyClass(cls: MappedClass, context?: ClassDecoratorContext): void {
    const fields = declaredFields(cls, context);
    // Any @PyField makes the mapping explicit: only declared fields map.
    const explicit = fields.size > 0;
    // class-transformer's @Expose/@Type/@Exclude count where no @PyField says otherwise.
    const bridged = classTransformerFields(cls);
    for (const [property, field] of bridged.fields) if (!fields.has(property)) fields.set(property, field);
    registerClass(cls, {
      module,
      name,
      fields: Object.fromEntries(fields),
      implicit: !explicit && !bridged.excludeAll,
      exclude: bridged.excluded,
      ...(options.aliases ? { aliases: options.aliases } : {}),
      ...(options.slots ? { slots: options.slots } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
    });
  };
}

export { useClassTransformerMetadata } from './class-transformer.js';
export { registerClass, aliasModule, aliasName, schemaOf } from '../src/mapper/register.js';
export { extraState } from '../src/mapper/instance.js';
export type { ClassOptions, FieldOptions, FieldType, MappedClass, PythonName } from '../src/mapper/schema.js';
export { Registry, defaultRegistry, type PyClassHandler, type LoadContext } from '../src/registry.js';
export { tuple, Tuple, pyFloat, PyFloat } from '../src/values/index.js';

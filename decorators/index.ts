// pickle-mapper/decorators: @PyClass and @PyField, decorator syntax over `registerClass`.
// Both decorator standards work alike: legacy ones (experimentalDecorators) and TC39 standard
// ones (TypeScript 5+). Decorator metadata (design:type) is not read: only some toolchains emit
// it, and the same class must load the same everywhere; a field's type comes from `type` or its default.
/**
 * `@PyClass` and `@PyField`: decorator syntax over `registerClass`, for both decorator standards.
 * @module pickle-mapper/decorators
 */
import type { Registry } from '../src/registry/registry.js';
import { registerClass } from '../src/mapper/register.js';
import { markExplicitLevel } from '../src/mapper/resolve.js';
import { type FieldOptions, type MappedClass, type ModelKind, parsePythonName, type PythonName } from '../src/mapper/schema.js';
import type { FieldType, FieldValue } from '../src/mapper/types.js';
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

/** Options of `@PyClass` beyond the Python name. */
export interface PyClassOptions {
  /** Old names that still load into this class: `'old_geo.Point'` or `{ module, name }`. */
  aliases?: ReadonlyArray<string | PythonName>;
  /** `true`: every attribute is in `__slots__` (no `__dict__`); a list: these attributes are. */
  slots?: readonly string[] | boolean;
  /** The kind of Python model: `'object'` (default), `'dataclass'`, `'attrs'`, `'pydantic'`. */
  model?: ModelKind;
  /** `@dataclass(frozen=True, slots=True)` (with `model: 'dataclass', slots: true`). */
  frozen?: boolean;
  /** Unexpected state keys and missing required fields are errors. */
  strict?: boolean;
  /** The registry to add the class to; the shared default one when omitted. */
  registry?: Registry;
}

/**
 * What `@PyField` returns: a decorator for either standard. TypeScript checks the field's type
 * against the declared Python type (with TC39 decorators for every field, with legacy ones for
 * public fields).
 */
export interface PyFieldDecorator<V> {
  (target: undefined, context: ClassFieldDecoratorContext<unknown, V>): void;
  <O extends object, K extends string>(target: O, property: K): LegacyFieldCheck<O, K, V>;
}

/** A legacy decorator's verdict: void when the field fits (a decorator must return void, so a mismatch is a compile error). */
export type LegacyFieldCheck<O, K, V> = K extends keyof O
  ? [O[K]] extends [V]
    ? void
    : { error: 'the field\'s TypeScript type does not fit the Python type declared in @PyField' }
  : void;

function addField(fields: FieldMap, property: string | symbol, options: FieldOptions): void {
  if (typeof property !== 'string') throw new TypeError('@PyField needs a string-named property');
  fields.set(property, options);
}

/**
 * Maps a property to a Python attribute: `@PyField()` (same name, type from the default),
 * `@PyField('n_iter')` (a rename), or `@PyField({ name, aliases, type, required })`.
 */
export function PyField<T extends FieldType = 'any'>(nameOrOptions?: string | FieldOptions<T>): PyFieldDecorator<FieldValue<T>> {
  const options: FieldOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : { ...(nameOrOptions ?? {}) };
  function pyField(target: object | undefined, context: string | symbol | ClassFieldDecoratorContext | ClassAccessorDecoratorContext): void {
    if (typeof context === 'object') {
      // TC39: (undefined, context); the fields live in the class's metadata object.
      if (context.kind === 'accessor') {
        // An accessor's storage is a private field only the constructor creates, and loading
        // makes instances without running it: such a field could never be set.
        throw new TypeError(`@PyField cannot decorate the accessor '${String(context.name)}': use a plain field`);
      }
      if (context.kind !== 'field') throw new TypeError('@PyField decorates fields');
      if (context.static) throw new TypeError(`@PyField cannot decorate the static field '${String(context.name)}'`);
      const metadata = context.metadata as Record<symbol, unknown> | undefined;
      if (metadata) {
        if (!Object.prototype.hasOwnProperty.call(metadata, FIELDS)) metadata[FIELDS] = new Map();
        addField(metadata[FIELDS] as FieldMap, context.name, options);
      } else {
        addField((pendingFields ??= new Map()), context.name, options);
      }
      return;
    }
    // Legacy: (prototype, property name); a static field's target is the class itself.
    if (typeof target === 'function') throw new TypeError(`@PyField cannot decorate the static field '${String(context)}'`);
    const prototype = target as object;
    let fields = legacyFields.get(prototype);
    if (!fields) legacyFields.set(prototype, (fields = new Map()));
    addField(fields, context, options);
  }
  return pyField as PyFieldDecorator<FieldValue<T>>;
}

/** The fields one class declares itself (not its ancestors), if any. */
function ownFields(cls: MappedClass, context: ClassDecoratorContext | undefined): FieldMap | undefined {
  const legacy = legacyFields.get(cls.prototype as object);
  const metadataKey = (Symbol as { metadata?: symbol }).metadata!;
  let tc39: FieldMap | undefined;
  if (context) {
    const metadata = context.metadata as Record<symbol, unknown> | undefined;
    if (metadata) {
      if (Object.prototype.hasOwnProperty.call(metadata, FIELDS)) tc39 = metadata[FIELDS] as FieldMap;
    } else {
      tc39 = pendingFields;
      pendingFields = undefined;
    }
  } else if (Object.prototype.hasOwnProperty.call(cls, metadataKey)) {
    const metadata = (cls as unknown as Record<symbol, Record<symbol, unknown> | undefined>)[metadataKey];
    if (metadata && Object.prototype.hasOwnProperty.call(metadata, FIELDS)) tc39 = metadata[FIELDS] as FieldMap;
  }
  if (!legacy) return tc39;
  if (!tc39) return legacy;
  return new Map([...legacy, ...tc39]);
}

/**
 * Fields declared on a class and its ancestors, the ancestors' first, and whether the class
 * declares any itself. Each ancestor that declares fields is marked explicit: the properties its
 * constructor sets without declaring them stay unmapped in subclasses that map by name.
 */
function declaredFields(cls: MappedClass, context: ClassDecoratorContext | undefined): { fields: FieldMap; explicit: boolean } {
  const levels: FieldMap[] = [];
  let explicit = false;
  for (let level = cls; level && (level as unknown) !== Function.prototype; level = Object.getPrototypeOf(level) as MappedClass) {
    const own = ownFields(level, level === cls ? context : undefined);
    if (!own || own.size === 0) continue;
    if (level === cls) explicit = true;
    else markExplicitLevel(level);
    levels.unshift(own);
  }
  const fields: FieldMap = new Map();
  for (const level of levels) for (const [property, options] of level) fields.set(property, options);
  return { fields, explicit };
}

/**
 * Binds a class to a Python class: `@PyClass('ml.Regressor')`, `@PyClass({ module: 'pkg.mod',
 * name: 'Outer.Inner' })`, `@PyClass('geo.Point', { aliases: ['old_geo.Point'] })`.
 */
export function PyClass(target: string | PythonName, options: PyClassOptions = {}) {
  const { module, name } = parsePythonName(target);
  return function pyClass(cls: MappedClass, context?: ClassDecoratorContext): void {
    // Any @PyField of the class's own makes its mapping explicit: only declared fields map.
    const { fields, explicit } = declaredFields(cls, context);
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
      ...(options.slots !== undefined ? { slots: options.slots } : {}),
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.frozen !== undefined ? { frozen: options.frozen } : {}),
      ...(options.strict !== undefined ? { strict: options.strict } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
    });
  };
}

export { useClassTransformerMetadata } from './class-transformer.js';
export { registerClass, aliasModule, aliasName, schemaOf } from '../src/mapper/register.js';
export { extraState } from '../src/mapper/instance.js';
export { defaultGetState, defaultSetState } from '../src/mapper/delegate.js';
export { listOf, tupleOf, setOf, frozensetOf, dictOf, mapOf, optional, enumOf } from '../src/mapper/types.js';
export type { ClassOptions, FieldOptions, ModelKind, PythonName } from '../src/mapper/schema.js';
export type { FieldType, FieldValue, MappedClass, PythonValue } from '../src/mapper/types.js';
export { Registry, defaultRegistry, type PyClassHandler, type LoadContext } from '../src/registry/registry.js';
export { tuple, Tuple, pyFloat, PyFloat } from '../src/values/index.js';

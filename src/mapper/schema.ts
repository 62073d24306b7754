// The schema of a mapped class: which Python class it is, what kind of model, and how its fields
// map. Decorators build one; `registerClass` takes one directly, for JavaScript users and classes
// one cannot edit. Field types that come from defaults are filled in when the class is first used
// (see resolve.ts): only then can its constructor run and its thunks see every class.
import { type PythonName } from '../registry/python-name.js';
import { checked, type FieldType, type MappedClass } from './types.js';

export type { FieldType, MappedClass } from './types.js';
export { parsePythonName, type PythonName } from '../registry/python-name.js';

/** How one TypeScript property maps to a Python attribute. */
export interface FieldOptions<T extends FieldType = FieldType> {
  /** The Python attribute name; the property name when omitted. */
  name?: string;
  /** Older Python names still accepted when loading (`w` for `weights`). */
  aliases?: readonly string[];
  /**
   * What the value is in Python: decides what `dumps` writes and checks and converts what `loads`
   * gives. When omitted, the type of the field's default value (`''` str, `0` int, `0.5` float…).
   */
  type?: T;
  /** With `strict`: whether a state without this field is an error. Default true. */
  required?: boolean;
}

/**
 * What writes the Python class's state, and so how it is read and written:
 * - `'object'`: a plain class (`__dict__`, and `__slots__` with the `slots` option); also
 *   `@dataclass` (unless both `slots` and `frozen`) and `@attr.s`.
 * - `'dataclass'`: a `@dataclass`; with `slots: true, frozen: true` its state is the list of its
 *   field values in order (Python 3.11's `__getstate__`), so declare every field, in order.
 * - `'attrs'`: `@attrs.define`/`@attrs.frozen` (a dict of the attributes; old attrs' tuples load too).
 * - `'pydantic'`: a pydantic v2 `BaseModel` (`__dict__`, `__pydantic_extra__`,
 *   `__pydantic_fields_set__`, `__pydantic_private__`). Fields named `_x` are private attributes.
 */
export type ModelKind = 'object' | 'dataclass' | 'attrs' | 'pydantic';

/** Everything a class declares: `registerClass(Class, options)` or the decorators. */
export interface ClassOptions extends PythonName {
  /** Old names that still load into this class: `'old_geo.Point'` or `{ module, name }`. */
  aliases?: ReadonlyArray<string | PythonName>;
  /** Fields by TypeScript property name, in the order their attributes are written. */
  fields?: Readonly<Record<string, FieldOptions>>;
  /**
   * `true`: the Python class has `__slots__` and no `__dict__` (state `(None, {...})`), as
   * `@dataclass(slots=True)` and plain slotted classes. A list: these attributes are slots and
   * the rest live in `__dict__`.
   */
  slots?: readonly string[] | boolean;
  /** With `model: 'dataclass'` and `slots: true`: `@dataclass(frozen=True, slots=True)`. */
  frozen?: boolean;
  /** The kind of Python model (default `'object'`, or the registered base class's kind). */
  model?: ModelKind;
  /**
   * Map every own property by its own name too (as Python's `__dict__` is), with `fields`
   * only renaming or typing some. Default: true when `fields` is empty, false otherwise.
   */
  implicit?: boolean;
  /** Properties never written to, nor read from, Python (implicit mode). */
  exclude?: readonly string[];
  /**
   * A state key the class does not map, or a required field missing from a state, is an error
   * naming the class and key (default: such keys are kept on the side and written back).
   */
  strict?: boolean;
}

/** A field, resolved. */
export interface FieldSchema {
  readonly property: string;
  readonly pythonName: string;
  readonly aliases: readonly string[];
  /** The declared type; undefined when the field declares none. */
  readonly declaredType: FieldType | undefined;
  /** The type values are checked against: declared, or inferred from the default (undefined: any value). */
  readonly type: FieldType | undefined;
  /** Whether None is accepted for it (a null or undefined default; `optional(...)` says so itself). */
  readonly nullable: boolean;
  /** The default the type was inferred from, for messages (`{ value: 0 }`). */
  readonly inferredFrom?: { readonly value: unknown };
  /** With `strict`: a state without it is an error. */
  readonly required: boolean;
  /** Mapped because the class maps its own properties by name, not because it was declared. */
  readonly implicit: boolean;
}

/** A class schema: what the registry handler works from. */
export interface ClassSchema {
  readonly cls: MappedClass;
  readonly module: string;
  readonly name: string;
  readonly model: ModelKind;
  readonly frozen: boolean;
  readonly strict: boolean;
  /** Declared fields (inherited ones first), then, once resolved, the implicit ones. */
  readonly fields: readonly FieldSchema[];
  /** Field by Python name or alias. */
  readonly byPythonName: ReadonlyMap<string, FieldSchema>;
  /** Python names held in `__slots__`. */
  readonly slots: ReadonlySet<string>;
  /** Every attribute is a slot: the Python class has no `__dict__`. */
  readonly slotsOnly: boolean;
  /** Own properties map by their own names as well as the declared fields. */
  readonly implicit: boolean;
  /** Properties left out in implicit mode (`exclude`, and undeclared properties of explicit base classes). */
  readonly exclude: ReadonlySet<string>;
  /** Whether the types inferred from defaults and the implicit fields are filled in (first use). */
  readonly resolved: boolean;
}

/** A schema as this package builds and resolves it. */
export interface MutableClassSchema extends ClassSchema {
  fields: FieldSchema[];
  byPythonName: Map<string, FieldSchema>;
  exclude: Set<string>;
  resolved: boolean;
  /** The nearest registered base class, whose undeclared properties stay unmapped when it is explicit. */
  readonly base: ClassSchema | undefined;
}

/** A declared field, before its type may be inferred. */
export function declaredField(property: string, options: FieldOptions, implicit = false): FieldSchema {
  const declaredType = options.type === undefined ? undefined : checked(options.type);
  return {
    property,
    pythonName: options.name ?? property,
    aliases: options.aliases ?? [],
    declaredType,
    type: declaredType,
    nullable: true,
    required: options.required ?? true,
    implicit,
  };
}

/** Field by Python name or alias; current names win over aliases when both appear. */
export function indexFields(fields: readonly FieldSchema[]): Map<string, FieldSchema> {
  const byPythonName = new Map<string, FieldSchema>();
  for (const field of fields) for (const alias of field.aliases) byPythonName.set(alias, field);
  for (const field of fields) if (field.implicit) byPythonName.set(field.pythonName, field);
  for (const field of fields) if (!field.implicit) byPythonName.set(field.pythonName, field);
  return byPythonName;
}

/** The nearest base class of `cls` that has a schema. */
function registeredBase(cls: MappedClass, schemaOf: (cls: MappedClass) => ClassSchema | undefined): ClassSchema | undefined {
  for (let base = Object.getPrototypeOf(cls) as MappedClass | null; base && base !== Function.prototype; base = Object.getPrototypeOf(base)) {
    const schema = schemaOf(base);
    if (schema) return schema;
  }
  return undefined;
}

/**
 * Resolves options into a schema. A subclass of a registered class inherits its declared fields
 * (its own declarations win, by property), its model and its slots (a base whose every attribute
 * is a slot gives its declared fields as slots; the subclass has a `__dict__` unless it says
 * `slots: true` itself).
 */
export function buildSchema(
  cls: MappedClass,
  options: ClassOptions,
  schemaOf: (cls: MappedClass) => ClassSchema | undefined,
): MutableClassSchema {
  const base = registeredBase(cls, schemaOf);
  const byProperty = new Map<string, FieldSchema>();
  for (const field of base?.fields ?? []) if (!field.implicit) byProperty.set(field.property, declaredFieldOf(field));
  for (const [property, field] of Object.entries(options.fields ?? {})) byProperty.set(property, declaredField(property, field));
  const fields = [...byProperty.values()];
  const ownFields = Object.keys(options.fields ?? {}).length;
  const slots = new Set<string>();
  if (base) for (const name of base.slotsOnly ? base.fields.filter((f) => !f.implicit).map((f) => f.pythonName) : base.slots) slots.add(name);
  if (Array.isArray(options.slots)) for (const name of options.slots) slots.add(name);
  const model = options.model ?? base?.model ?? 'object';
  return {
    cls,
    module: options.module,
    name: options.name,
    model,
    frozen: options.frozen ?? (options.model === undefined ? base?.frozen : undefined) ?? false,
    strict: options.strict ?? base?.strict ?? false,
    fields,
    byPythonName: indexFields(fields),
    slots,
    slotsOnly: options.slots === true,
    implicit: options.implicit ?? ownFields === 0,
    exclude: new Set(options.exclude ?? []),
    resolved: false,
    base,
  };
}

/** A base class's field as declared (its inferred type is inferred again, from the subclass's default). */
function declaredFieldOf(field: FieldSchema): FieldSchema {
  return { ...field, type: field.declaredType, nullable: true, inferredFrom: undefined };
}

// The schema of a mapped class: which Python class it is and how its fields map. Decorators
// build one; `registerClass` takes one directly, for JavaScript users and classes one cannot edit.

/** A constructor of mapped instances. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MappedClass<T = any> = abstract new (...args: any[]) => T;

/** The Python type of a field's value (or, on an array, Set or Map field, of its elements). */
export type FieldType = 'int' | 'float' | 'str' | 'bytes' | 'bool' | (() => MappedClass);

/** How one TypeScript property maps to a Python attribute. */
export interface FieldOptions {
  /** The Python attribute name; the property name when omitted. */
  name?: string;
  /** Older Python names still accepted when loading (`w` for `weights`). */
  aliases?: readonly string[];
  /** What the value is in Python: decides what `dumps` writes and converts what `loads` gives. */
  type?: FieldType;
}

/** A Python qualified name: module plus qualname (which may hold dots: `Outer.Inner`). */
export interface PythonName {
  module: string;
  name: string;
}

/** Everything a class declares: `registerClass(Class, options)` or the decorators. */
export interface ClassOptions extends PythonName {
  /** Old names that still load into this class: `'old_geo.Point'` or `{ module, name }`. */
  aliases?: ReadonlyArray<string | PythonName>;
  /** Fields by TypeScript property name, in the order their attributes are written. */
  fields?: Readonly<Record<string, FieldOptions>>;
  /** Python attribute names held in `__slots__`: the state is then `(dict or None, slots)`. */
  slots?: readonly string[];
  /**
   * Map every own property by its own name too (as Python's `__dict__` is), with `fields`
   * only renaming or typing some. Default: true when `fields` is empty, false otherwise.
   */
  implicit?: boolean;
  /** Properties never written to, nor read from, Python (implicit mode). */
  exclude?: readonly string[];
}

/** A field, resolved. */
export interface FieldSchema {
  readonly property: string;
  readonly pythonName: string;
  readonly aliases: readonly string[];
  readonly type: FieldType | undefined;
}

/** A class schema, resolved: what the registry handler works from. */
export interface ClassSchema {
  readonly cls: MappedClass;
  readonly module: string;
  readonly name: string;
  readonly fields: readonly FieldSchema[];
  /** Field by Python name or alias. */
  readonly byPythonName: ReadonlyMap<string, FieldSchema>;
  readonly slots: ReadonlySet<string>;
  /** Own properties map by their own names as well as the declared fields. */
  readonly implicit: boolean;
  /** Properties left out in implicit mode. */
  readonly exclude: ReadonlySet<string>;
}

/** Splits `'pkg.mod.Name'` at its last dot; use `{ module, name }` for nested qualnames. */
export function parsePythonName(text: string | PythonName): PythonName {
  if (typeof text !== 'string') return text;
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) {
    throw new TypeError(`'${text}' is not a qualified Python name such as 'module.Class'`);
  }
  return { module: text.slice(0, dot), name: text.slice(dot + 1) };
}

/** Resolves options into a schema. */
export function buildSchema(cls: MappedClass, options: ClassOptions): ClassSchema {
  const fields: FieldSchema[] = [];
  const byPythonName = new Map<string, FieldSchema>();
  for (const [property, field] of Object.entries(options.fields ?? {})) {
    const schema: FieldSchema = {
      property,
      pythonName: field.name ?? property,
      aliases: field.aliases ?? [],
      type: field.type,
    };
    fields.push(schema);
  }
  // Current names win over aliases when both appear.
  for (const field of fields) for (const alias of field.aliases) byPythonName.set(alias, field);
  for (const field of fields) byPythonName.set(field.pythonName, field);
  return {
    cls,
    module: options.module,
    name: options.name,
    fields,
    byPythonName,
    slots: new Set(options.slots ?? []),
    implicit: options.implicit ?? fields.length === 0,
    exclude: new Set(options.exclude ?? []),
  };
}

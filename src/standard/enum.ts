// registerEnum: a Python enum class (Enum, IntEnum, StrEnum, Flag, IntFlag) declared from a
// TypeScript enum or a const object of its members, as one PyClassHandler built with the public
// API. What CPython writes for a member (3.11, 3.12 and 3.13 alike, every protocol):
//
//   REDUCE(cls, (value,))        Enum.__reduce_ex__; flags combined with | too (Perm(6))
//   REDUCE(getattr, (cls, name)) classes that set __reduce_ex__ = enum.pickle_by_enum_name
//
// Both load as the member; `dumps` writes the first form (the second with `byName: true`).
import { invalidArgument } from '../values/invalid-argument.js';
import { parsePythonName, type PythonName } from '../registry/python-name.js';
import { hashedAs } from '../codec/python-hash.js';
import { defaultRegistry, type PyClassHandler, type Reduction, type Registry } from '../registry/registry.js';
import { PyEnumMember, PyEnumType } from '../values/collections.js';
import { PyGlobal } from '../values/global.js';
import { Tuple } from '../values/tuple.js';

/** Options of `registerEnum`. */
export interface RegisterEnumOptions {
  /** The registry to add the enum to; the shared default one when omitted. */
  registry?: Registry;
  /** A `Flag` or `IntFlag`: values that are no member's are combinations of members' bits. */
  flag?: boolean;
  /**
   * What `loads` gives for a member: `'member'` (default), the `PyEnumMember` objects
   * `registerEnum` returns, which `dumps` writes back as the member; or `'value'`, the plain
   * value (the TypeScript enum's own value), which `dumps` then writes as a plain int or str.
   */
  loadAs?: 'member' | 'value';
  /** The Python class pickles members by name (`__reduce_ex__ = enum.pickle_by_enum_name`). */
  byName?: boolean;
  /** Old names that still load as this enum: `'old_shop.Color'` or `{ module, name }`. */
  aliases?: ReadonlyArray<string | PythonName>;
}

/** The member names of a TypeScript enum or const object (a numeric enum's reverse keys are numbers). */
export type EnumMemberName<M> = Extract<keyof M, string>;

/** The values of an enum's members: a TypeScript enum's own type, or the union of a const object's values. */
export type EnumValue<M> = M[EnumMemberName<M>];

/** What `registerEnum` returns: each member by name (values typed as the enum's, so members combine). */
export type PyEnumMembers<M> = { readonly [K in EnumMemberName<M>]: PyEnumMember<EnumValue<M>> };

const GETATTR = new PyGlobal('builtins', 'getattr');

const typesByMembers = new WeakMap<object, PyEnumType>();

/**
 * The members of a TypeScript enum or const object, in definition order. A numeric TypeScript
 * enum also maps each value back to its name (`Color[1] === 'RED'`): those reverse entries are
 * recognised (a string value naming a member whose value prints as the key) and left out.
 */
function memberEntries(members: object): Array<[string, unknown]> {
  const record = members as Record<string, unknown>;
  return Object.keys(record)
    .filter((key) => {
      const target = record[key];
      if (typeof target !== 'string' || !Object.prototype.hasOwnProperty.call(record, target)) return true;
      const forward = record[target];
      return !(typeof forward === 'number' && String(forward) === key);
    })
    .map((key) => [key, record[key]]);
}

/** The handler of an enum class: `cls(value)` and `getattr(cls, name)` give members, members reduce to `cls(value)`. */
function enumHandler(type: PyEnumType, options: RegisterEnumOptions): PyClassHandler<PyEnumMember> {
  const cls = new PyGlobal(type.module, type.name);
  const loaded = (member: PyEnumMember): unknown => (options.loadAs === 'value' ? member.value : member);
  const lookUp = (args: readonly unknown[]): unknown => {
    if (args.length !== 1) throw new Error(`${type.module}.${type.name}() takes one value, got ${args.length} arguments`);
    return loaded(type.of(args[0]));
  };
  const handler: PyClassHandler<PyEnumMember> & { getAttribute(name: string): unknown } = {
    module: type.module,
    name: type.name,
    kind: 'class',
    jsClass: type.memberClass,
    // Color(1): REDUCE, as Enum.__reduce_ex__ pickles a member.
    call: (args) => lookUp(args) as PyEnumMember,
    // Enum.__new__(Color, 1) also looks the value up.
    newInstance: (args) => lookUp(args) as PyEnumMember,
    // getattr(Color, 'RED'): enum.pickle_by_enum_name. Undefined for other names, which then
    // load as the global 'Color.NAME' (a class nested in the enum, say).
    getAttribute(name) {
      const member = type.byName(name);
      return member === undefined ? undefined : loaded(member);
    },
    reduce(member): Reduction {
      if (options.byName && member.name !== null) return [GETATTR, Tuple.from([cls, member.name])];
      return [cls, Tuple.from([member.value])];
    },
    // Members are one per value (Python hashes them by name); flag combinations are equal by value.
    // An IntEnum or StrEnum member also equals its value in Python, which the registration does not say.
    hashAs: (member) => hashedAs(`${type.module}.${type.name}`, type.flag || member.name === null ? member.value : member.name),
  };
  return handler;
}

/**
 * Declares a Python enum class from its members, a TypeScript enum or a const object:
 *
 * ```ts
 * enum Color { RED = 1, GREEN = 2 }
 * const PyColor = registerEnum('shop.Color', Color);
 * loads(bytes) === PyColor.RED;         // a pickled shop.Color.RED loads as this member
 * PyColor.RED.value === Color.RED;      // its value is the TypeScript enum's
 * dumps(PyColor.GREEN);                 // Python reads shop.Color.GREEN
 * ```
 *
 * Members with the same value are aliases (the same member, under its first name), as in Python.
 * Returns the members by name; `enumTypeOf(members)` gives the enum class (lookups by value).
 */
export function registerEnum<const M extends object>(
  python: string | PythonName,
  members: M,
  options: RegisterEnumOptions = {},
): PyEnumMembers<M> {
  const { module, name } = parsePythonName(python);
  if (!module || !name) throw invalidArgument('registerEnum needs the Python module and name');
  const entries = memberEntries(members);
  const type = new PyEnumType<unknown>(module, name, entries, options.flag ?? false);
  const registry = options.registry ?? defaultRegistry();
  registry.register(enumHandler(type, options));
  for (const alias of options.aliases ?? []) {
    const old = parsePythonName(alias);
    registry.aliasName(old.module, old.name, module, name);
  }
  const result: Record<string, PyEnumMember> = {};
  for (const [memberName] of entries) {
    Object.defineProperty(result, memberName, { value: type.byName(memberName), enumerable: true });
  }
  Object.freeze(result);
  typesByMembers.set(result, type);
  return result as unknown as PyEnumMembers<M>;
}

/** The enum class of what `registerEnum` returned, or of a member. */
export function enumTypeOf<V = unknown>(membersOrMember: object): PyEnumType<V> {
  if (membersOrMember instanceof PyEnumMember) return membersOrMember.enumType as PyEnumType<V>;
  const type = typesByMembers.get(membersOrMember);
  if (!type) throw invalidArgument('not the members of a registered enum (nor one of them)');
  return type as PyEnumType<V>;
}

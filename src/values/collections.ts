// Values of Python's collections and enum types: subclasses of the JavaScript containers they
// behave like (so a loaded OrderedDict is used as any Map and a deque as any array), distinct
// classes so that they pickle back as what they were. The registry handlers that load and dump
// them are in src/standard/collections.ts and src/standard/enum.ts.
import { shown } from './describe.js';
import { invalidArgument } from './invalid-argument.js';
import { PyFloat } from './float.js';
import { PyGlobal } from './global.js';
import { Tuple } from './tuple.js';

/**
 * `collections.OrderedDict`: a `Map`, whose insertion order is the dict's order. Attributes a
 * Python OrderedDict carried in its `__dict__` are kept in `extraState(dict)` and written back.
 */
export class PyOrderedDict<K = unknown, V = unknown> extends Map<K, V> {
  /** `OrderedDict.move_to_end(key, last)`: moves an existing key to the end (or the front). */
  moveToEnd(key: K, last = true): void {
    if (!this.has(key)) throw invalidArgument(`key not found: ${shown(key)}`);
    const value = this.get(key) as V;
    if (last) {
      this.delete(key);
      this.set(key, value);
      return;
    }
    const rest = [...this].filter(([k]) => k !== key);
    this.clear();
    this.set(key, value);
    for (const [k, v] of rest) this.set(k, v);
  }
}

/** `collections.Counter`: a `Map` from element to count. */
export class PyCounter<K = unknown, V = number> extends Map<K, V> {
  /** `counter[key]`: the count, 0 for an element never counted (Python's `__missing__`). */
  count(key: K): V | 0 {
    return this.has(key) ? (this.get(key) as V) : 0;
  }
}

/**
 * `collections.defaultdict`: a `Map` that keeps its `default_factory`, usually a `PyGlobal` such
 * as `builtins.list` or `builtins.int`, or `null` for `defaultdict(None)`. Nothing is ever called:
 * reading a missing key gives `undefined` as in any Map.
 */
export class PyDefaultDict<K = unknown, V = unknown> extends Map<K, V> {
  /** Python's `default_factory`: the callable (a `PyGlobal` or placeholder), or `null`. */
  defaultFactory: unknown;

  constructor(defaultFactory: unknown = null, entries?: Iterable<readonly [K, V]> | null) {
    super(entries);
    this.defaultFactory = defaultFactory;
  }
}

/**
 * `collections.deque`: an `Array` subclass (so `Array.isArray` holds and indexing works) that
 * keeps `maxlen` (`null` when unbounded). `append`, `appendLeft` and `extend` drop items from the
 * other end once `maxlen` is reached, as Python's do; the plain Array methods (`push`,
 * `unshift`…) do not, and a deque longer than its `maxlen` keeps only its last `maxlen` items
 * when Python loads it.
 */
export class PyDeque<T = unknown> extends Array<T> {
  // map/filter/slice give plain arrays, as for Tuple.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** Builds an unbounded deque from the items of any iterable or array-like. */
  static override from<T>(items: Iterable<T> | ArrayLike<T>): PyDeque<T> {
    return new PyDeque(Array.from(items));
  }

  readonly #maxlen: number | null;

  /** `deque(items, maxlen)`. */
  constructor(items: Iterable<T> = [], maxlen: number | null = null) {
    super();
    if (typeof (items as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
      throw invalidArgument(`a deque is made from an iterable, not ${shown(items)}`);
    }
    if (maxlen !== null && (!Number.isSafeInteger(maxlen) || maxlen < 0)) {
      throw invalidArgument('maxlen must be a non-negative integer or null');
    }
    this.#maxlen = maxlen;
    this.extend(items);
  }

  /** Python's `maxlen`: the most items the deque holds, or `null`. */
  get maxlen(): number | null {
    return this.#maxlen;
  }

  /** `deque.extend`: adds at the right, dropping from the left beyond maxlen. */
  extend(items: Iterable<T>): this {
    for (const item of items) this.push(item);
    if (this.#maxlen !== null && this.length > this.#maxlen) this.splice(0, this.length - this.#maxlen);
    return this;
  }

  /** `deque.append`: adds at the right, dropping from the left beyond maxlen. */
  append(...items: T[]): this {
    return this.extend(items);
  }

  /** `deque.appendleft` (`extendleft` for several): adds at the left, dropping from the right beyond maxlen. */
  appendLeft(...items: T[]): this {
    for (const item of items) this.unshift(item);
    if (this.#maxlen !== null && this.length > this.#maxlen) this.length = this.#maxlen;
    return this;
  }
}

// ---- enums ------------------------------------------------------------------------------------

/**
 * The key under which an enum finds a scalar value, equal for the scalars Python finds equal
 * (1, 1.0 and True; an int loaded as a number or as a bigint); undefined for anything else.
 */
function scalarKey(value: unknown): string | undefined {
  const plain = value instanceof PyFloat ? value.value : value;
  switch (typeof plain) {
    // Integers in hexadecimal, which is exact for both forms and linear for huge bigints.
    case 'number':
      return Number.isInteger(plain) ? `n${plain.toString(16)}` : `f${String(plain)}`;
    case 'bigint':
      return `n${plain.toString(16)}`;
    case 'boolean':
      return plain ? 'n1' : 'n0';
    case 'string':
      return `s${plain}`;
    default:
      return plain === null || plain === undefined ? 'None' : undefined;
  }
}

/**
 * Python's `==` between a member's value and a loaded one, for the values enums use: scalars
 * by key, tuples item by item, bytes byte by byte, globals by name, anything else by identity.
 * It never walks deeper than the member's own value, however deep the loaded one is.
 */
function sameValue(memberValue: unknown, value: unknown): boolean {
  const key = scalarKey(memberValue);
  if (key !== undefined) return key === scalarKey(value);
  if (memberValue instanceof Tuple) {
    return value instanceof Tuple && value.length === memberValue.length && memberValue.every((item, i) => sameValue(item, value[i]));
  }
  if (memberValue instanceof Uint8Array && memberValue.constructor === Uint8Array) {
    return value instanceof Uint8Array && value.constructor === Uint8Array && value.length === memberValue.length && value.every((b, i) => b === memberValue[i]);
  }
  if (memberValue instanceof PyGlobal) return value instanceof PyGlobal && value.module === memberValue.module && value.name === memberValue.name;
  return memberValue === value;
}

/** Unknown flag bits are named in decimal below 4300 digits (CPython's int_max_str_digits). */
const DECIMAL_NAME_LIMIT = 10n ** 4300n;

/** Combinations of flags are kept (so each value is one object) up to this many per enum. */
const MAX_COMBINED_FLAGS = 4096;

/** An integer value as a bigint (flags combine bit by bit); undefined for anything else. */
function asBigInt(value: unknown): bigint | undefined {
  const plain = value instanceof PyFloat ? value.value : value;
  if (typeof plain === 'bigint') return plain;
  if (typeof plain === 'number' && Number.isSafeInteger(plain)) return BigInt(plain);
  if (typeof plain === 'boolean') return plain ? 1n : 0n;
  return undefined;
}

/** A bigint back as Python's int is loaded: a number when safe, a bigint beyond. */
function fromBigInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * A member of a Python enum (`Enum`, `IntEnum`, `StrEnum`, `Flag`, `IntFlag`): one frozen object
 * per member, so loaded members compare with `===` against the ones `registerEnum` returned.
 * Each registered enum has its own subclass (named after the Python class), whose prototype
 * holds `enumType`.
 */
export class PyEnumMember<V = unknown> {
  /** The enum class this member belongs to. */
  declare readonly enumType: PyEnumType<V>;

  constructor(
    /** Python's `_name_`: the member's name (the first name, for an alias); `null` for a flag value no member names. */
    readonly name: string | null,
    /** Python's `_value_`, as registered (a TypeScript enum's value). */
    readonly value: V,
  ) {}

  /** The value, so that `member == 1`, `+member` and template strings work as with IntEnum. */
  valueOf(): V {
    return this.value;
  }

  /** `Color.RED`, as Python's `str()` of an Enum member; `Perm.R|W` for a combined flag. */
  toString(): string {
    const cls = this.enumType.name.slice(this.enumType.name.lastIndexOf('.') + 1);
    return this.name === null ? `${cls}(${String(this.value)})` : `${cls}.${this.name}`;
  }

  /** JSON gives the value. */
  toJSON(): V {
    return this.value;
  }

  /** Flags: `self | other…`, the member (or combination) with the union of the bits. */
  or(...others: Array<PyEnumMember<V>>): PyEnumMember<V> {
    let bits = this.#bits();
    for (const other of others) bits |= other.#bits();
    return this.enumType.of(fromBigInt(bits));
  }

  /** Flags: `other in self`, whether every bit of `other` is set here. */
  has(other: PyEnumMember<V>): boolean {
    const bits = other.#bits();
    return (this.#bits() & bits) === bits;
  }

  #bits(): bigint {
    const bits = asBigInt(this.value);
    if (!this.enumType.flag || bits === undefined) {
      throw invalidArgument(`${this.enumType.module}.${this.enumType.name} is not a flag enum`);
    }
    return bits;
  }
}

/**
 * A Python enum class as `registerEnum` declares it: its members in definition order, looked up
 * by value as `Color(1)` does (`of`) or by name as `Color['RED']` does (`byName`). Flag enums also
 * give combinations of members (`Perm.R|Perm.W`), one object per distinct value.
 */
export class PyEnumType<V = unknown> {
  /** The JavaScript class of this enum's members (the registry handler's `jsClass`). */
  readonly memberClass: new (name: string | null, value: V) => PyEnumMember<V>;
  readonly #byName = new Map<string, PyEnumMember<V>>();
  readonly #byKey = new Map<string, PyEnumMember<V>>();
  readonly #canonical: Array<PyEnumMember<V>> = [];
  /** Combinations of flags made on demand, by value, so each value is one object (up to MAX_COMBINED_FLAGS). */
  readonly #combined = new Map<string, PyEnumMember<V>>();

  constructor(
    /** Python module, e.g. "shop". */
    readonly module: string,
    /** Qualified name inside the module, e.g. "Color" or "Outer.Color". */
    readonly name: string,
    members: Iterable<readonly [string, V]>,
    /** A `Flag`/`IntFlag`: values that are no member's combine the members' bits. */
    readonly flag = false,
  ) {
    const enumType = this;
    const memberClass = class extends PyEnumMember<V> {};
    Object.defineProperty(memberClass, 'name', { value: name.slice(name.lastIndexOf('.') + 1) });
    Object.defineProperty(memberClass.prototype, 'enumType', { value: enumType });
    this.memberClass = memberClass;
    for (const [memberName, value] of members) {
      if (this.#byName.has(memberName)) throw invalidArgument(`${module}.${name}: member ${memberName} defined twice`);
      const key = scalarKey(value);
      const existing = key === undefined ? this.#canonical.find((m) => sameValue(m.value, value)) : this.#byKey.get(key);
      if (existing) {
        // An alias, as in Python: the same member under a second name.
        this.#byName.set(memberName, existing);
        continue;
      }
      const member = new memberClass(memberName, value);
      Object.freeze(member);
      this.#byName.set(memberName, member);
      if (key !== undefined) this.#byKey.set(key, member);
      this.#canonical.push(member);
    }
  }

  /** The members in definition order, aliases left out (Python's `list(Color)`, for plain enums). */
  get members(): ReadonlyArray<PyEnumMember<V>> {
    return this.#canonical;
  }

  /** Every name with its member, aliases included (Python's `Color.__members__`). */
  get names(): ReadonlyMap<string, PyEnumMember<V>> {
    return this.#byName;
  }

  /** `Color['RED']`: the member of that name (or alias), or undefined. */
  byName(name: string): PyEnumMember<V> | undefined {
    return this.#byName.get(name);
  }

  /**
   * `Color(value)`: the member with that value. A flag enum gives a combination for a value made
   * of members' bits (bits no member has are kept, as IntFlag does). Throws, as Python does, for
   * a value that is no member's.
   */
  of(value: unknown): PyEnumMember<V> {
    const key = scalarKey(value);
    const found = key === undefined ? this.#canonical.find((m) => sameValue(m.value, value)) : this.#byKey.get(key);
    if (found) return found;
    const bits = this.flag ? asBigInt(value) : undefined;
    if (bits === undefined || bits < 0n || key === undefined) {
      throw invalidArgument(`${describeValue(value)} is not a valid ${this.module}.${this.name}`);
    }
    let combined = this.#combined.get(key);
    if (!combined) {
      combined = new this.memberClass(this.#flagName(bits), fromBigInt(bits) as V);
      Object.freeze(combined);
      // Python keeps every combination; a long-running process loading untrusted pickles must
      // not, so past the limit new ones are made afresh (equal by value, no longer by identity).
      if (this.#combined.size < MAX_COMBINED_FLAGS) this.#combined.set(key, combined);
    }
    return combined;
  }

  /** Python 3.11's name of a combined flag: its single-bit members in definition order, then any unknown bits. */
  #flagName(bits: bigint): string | null {
    const names: string[] = [];
    let known = 0n;
    for (const member of this.#canonical) {
      const memberBits = asBigInt(member.value);
      if (memberBits === undefined || memberBits <= 0n || (memberBits & (memberBits - 1n)) !== 0n) continue;
      if ((bits & memberBits) === memberBits) {
        names.push(member.name!);
        known |= memberBits;
      }
    }
    if (names.length === 0) return null;
    const unknown = bits & ~known;
    // Decimal as Python writes it, but never more digits than Python's int_max_str_digits.
    if (unknown !== 0n) names.push(unknown < DECIMAL_NAME_LIMIT ? String(unknown) : `0x${unknown.toString(16)}`);
    return names.join('|');
  }
}

/** A short description of a value for error messages (never deep, never long). */
function describeValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return value < 10n ** 40n && value > -(10n ** 40n) ? String(value) : 'a large int';
  if (value instanceof Tuple) {
    if (depth >= 2 || value.length > 4) return `a tuple of ${value.length}`;
    return `(${value.map((item) => describeValue(item, depth + 1)).join(', ')}${value.length === 1 ? ',' : ''})`;
  }
  if (value instanceof PyFloat) return String(value);
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'object'}`;
  return String(value);
}

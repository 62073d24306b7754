// Python's equality of dict keys and set members, for the values this package models. A Map or
// Set keeps apart what JavaScript tells apart (1 and true, two tuples with the same items), but
// the dict or set Python builds from the pickle keeps one of each group Python finds equal, and
// refuses members it cannot hash (a list, a dict). `keyOf` gives each value a string that is the
// same for two values exactly when Python would merge them, so the pickler can refuse both cases
// instead of writing a pickle that loses entries or that Python cannot load.
import type { PyClassHandler } from '../registry/registry.js';
import { latin1String } from './text-latin1.js';
import { PyByteArray } from '../values/bytearray.js';
import { PyComplex } from '../values/complex.js';
import { isPlainDict } from '../values/dict.js';
import { PyFloat } from '../values/float.js';
import { PyFrozenSet } from '../values/frozenset.js';
import { PyGlobal } from '../values/global.js';
import { PickleBuffer } from '../values/picklebuffer.js';
import { Tuple } from '../values/tuple.js';

/** What a handler's `hashAs` returns for a value Python cannot hash (`__hash__ = None`). */
export const UNHASHABLE: unique symbol = Symbol.for('pickle-mapper.unhashable');

/**
 * A value that is equal, as a dict key, only to other values hashed as the same `tag` and an
 * equal `value`: `hashedAs('shop.Point', tuple(p.x, p.y))` for a class with value equality.
 */
export class HashedAs {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}

/** `new HashedAs(tag, value)`. */
export function hashedAs(tag: string, value: unknown): HashedAs {
  return new HashedAs(tag, value);
}

/**
 * @internal The exact number numerator/denominator (denominator > 0): what `hashAs` of Decimal,
 * Fraction and numpy scalars gives, equal to an int, float or bool of the same value, as in Python.
 */
export class ExactNumber {
  constructor(
    readonly numerator: bigint,
    readonly denominator: bigint = 1n,
  ) {}
}

/** A key (or a part of one) Python cannot hash: the Python type, and where in the key it sits. */
export class UnhashableKey extends Error {
  /** Steps from the key to the unhashable part, innermost last (`[1]`, `<frozenset member 0>`). */
  readonly where: string[] = [];
  constructor(readonly typeName: string) {
    super(`unhashable type: '${typeName}'`);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The key of the exact number n/d, shared by every numeric type. */
function rationalKey(numerator: bigint, denominator: bigint): string {
  if (denominator < 0n) [numerator, denominator] = [-numerator, -denominator];
  const g = gcd(numerator, denominator);
  if (g > 1n) [numerator, denominator] = [numerator / g, denominator / g];
  return denominator === 1n ? `n${numerator};` : `n${numerator}/${denominator};`;
}

const FLOAT_BITS = new DataView(new ArrayBuffer(8));

/** A finite, non-integral double as its exact value mantissa / 2^k, in lowest terms. */
function fractionKey(value: number): string {
  FLOAT_BITS.setFloat64(0, value);
  const high = FLOAT_BITS.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(FLOAT_BITS.getUint32(4));
  let exponent = biased - 1075; // value = mantissa * 2^exponent
  if (biased === 0) exponent = -1074;
  else mantissa |= 1n << 52n;
  // Not integral, so exponent < 0: strip the factors of two the denominator shares.
  while ((mantissa & 1n) === 0n && exponent < 0) {
    mantissa >>= 1n;
    exponent++;
  }
  const sign = value < 0 ? '-' : '';
  return `n${sign}${mantissa}/${1n << BigInt(-exponent)};`;
}

/**
 * Gives values their Python equality keys. One instance per check: NaNs and values Python
 * compares by identity get ids that are only meaningful within it.
 */
export class PythonKeys {
  readonly #handlerFor: (value: object) => PyClassHandler | undefined;
  readonly #classHandler: (cls: unknown) => PyClassHandler | undefined;
  #ids: Map<unknown, number> | undefined;
  #nans = 0;
  /** Tuples and frozensets whose keys are being made (a tuple that contains itself). */
  readonly #open = new Set<object>();

  constructor(
    handlerFor: (value: object) => PyClassHandler | undefined,
    classHandler: (cls: unknown) => PyClassHandler | undefined,
  ) {
    this.#handlerFor = handlerFor;
    this.#classHandler = classHandler;
  }

  /** The handler the dump's registries have for `value`'s class. */
  handlerOf(value: object): PyClassHandler | undefined {
    return this.#handlerFor(value);
  }

  /** The key of `value`; throws UnhashableKey when Python cannot hash it. */
  keyOf(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return `s${value.length}:${value}`;
      case 'number':
        return this.#numberKey(value);
      case 'boolean':
        return value ? 'n1;' : 'n0;';
      case 'bigint':
        return `n${value};`;
      case 'undefined':
        return 'N';
      case 'function':
        return this.#classKey(value);
      case 'object':
        return value === null ? 'N' : this.#objectKey(value);
      default:
        return this.#identity(value);
    }
  }

  #numberKey(value: number): string {
    if (Number.isInteger(value)) return Number.isSafeInteger(value) ? `n${value + 0};` : `n${BigInt(value)};`;
    // Each NaN is a float object of its own in the pickle, and Python's NaN equals nothing else.
    if (Number.isNaN(value)) return `nan${++this.#nans};`;
    if (!Number.isFinite(value)) return value > 0 ? 'ninf;' : 'n-inf;';
    return fractionKey(value);
  }

  /** Compared by identity, as Python's default `__eq__` does. */
  #identity(value: unknown): string {
    this.#ids ??= new Map();
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(value, id);
    }
    return `o${id};`;
  }

  /** A registered class (or function) is the global it pickles as. */
  #classKey(cls: unknown): string {
    const handler = this.#classHandler(cls);
    return handler !== undefined && handler.kind !== 'function' ? globalKey(handler.module, handler.name) : this.#identity(cls);
  }

  #objectKey(value: object): string {
    if (value instanceof Tuple) return this.#nested(value, () => this.#tupleKey(value));
    if (value instanceof PyFloat) return this.#numberKey(value.value);
    if (value instanceof PyGlobal) return globalKey(value.module, value.name);
    if (value instanceof PyByteArray) throw new UnhashableKey('bytearray');
    if (value instanceof Uint8Array) return `b${value.length}:${latin1String(value)}`;
    if (value instanceof PyComplex) {
      if (value.imag === 0) return this.#numberKey(value.real);
      return `c${this.#numberKey(value.real)}${this.#numberKey(value.imag)}`;
    }
    if (value instanceof PyFrozenSet) return this.#nested(value, () => this.#frozenSetKey(value));
    if (value instanceof ExactNumber) return rationalKey(value.numerator, value.denominator);
    if (value instanceof HashedAs) return `v${value.tag.length}:${value.tag}${this.keyOf(value.value)}`;
    if (value instanceof PickleBuffer) {
      // Read-only data loads as bytes, writable data as a bytearray.
      if (!value.readonly) throw new UnhashableKey('bytearray');
      return this.keyOf(value.raw());
    }
    const handler = this.#handlerFor(value);
    const typeName = handler === undefined ? undefined : pythonTypeName(handler);
    if (handler?.hashAs !== undefined) {
      const as = handler.hashAs(value);
      if (as === UNHASHABLE) throw new UnhashableKey(typeName!);
      if (as !== value) return this.keyOf(as);
    }
    // A container of JavaScript's own (or a subclass a handler writes as a Python container).
    if (Array.isArray(value)) throw new UnhashableKey(typeName ?? 'list');
    if (value instanceof Map || isPlainDict(value)) throw new UnhashableKey(typeName ?? 'dict');
    if (value instanceof Set) throw new UnhashableKey(typeName ?? 'set');
    return this.#identity(value);
  }

  /** A tuple's or frozenset's key, refusing one that contains itself. */
  #nested(value: object, make: () => string): string {
    if (this.#open.has(value)) throw new UnhashableKey(value instanceof Tuple ? 'tuple (containing itself)' : 'frozenset (containing itself)');
    this.#open.add(value);
    try {
      return make();
    } finally {
      this.#open.delete(value);
    }
  }

  #tupleKey(items: Tuple): string {
    let key = `t${items.length}:`;
    for (let i = 0; i < items.length; i++) key += this.#partKey(items[i], `[${i}]`);
    return key;
  }

  #frozenSetKey(set: PyFrozenSet): string {
    const keys = new Set<string>();
    let i = 0;
    for (const member of set) keys.add(this.#partKey(member, `<frozenset member ${i++}>`));
    // Equal sets whatever the order: the members' keys sorted.
    const sorted = [...keys].sort();
    return `f${sorted.length}:${sorted.join('')}`;
  }

  #partKey(part: unknown, step: string): string {
    try {
      return this.keyOf(part);
    } catch (error) {
      if (error instanceof UnhashableKey) error.where.unshift(step);
      throw error;
    }
  }
}

/** The type name Python's messages use: `slice`, `collections.deque`. */
function pythonTypeName(handler: PyClassHandler): string {
  return handler.module === 'builtins' ? handler.name : `${handler.module}.${handler.name}`;
}

function globalKey(module: string, name: string): string {
  return `g${module.length}:${module}${name.length}:${name}`;
}

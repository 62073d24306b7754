// Python's decimal.Decimal, fractions.Fraction, uuid.UUID, range and slice as immutable
// TypeScript values. Each keeps exactly what Python's object holds, so that a loaded value pickles
// back to what Python wrote: a Decimal's digits, exponent and sign (NaN payloads and -0 too), a
// Fraction's exact terms, a UUID's 128 bits and `is_safe`.

import { quoted, shown } from './describe.js';
import { invalidArgument } from './invalid-argument.js';
import { asciiDigit, pythonStrip } from './python-text.js';
/** A Python int in the value model: a number when safe, a bigint beyond ±(2^53 − 1). */
export type PyInt = number | bigint;

function toPyInt(value: bigint): PyInt {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

function toBigInt(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'boolean') return value ? 1n : 0n;
  throw invalidArgument(`${what} must be an integer, not ${typeof value === 'number' ? value : typeof value}`);
}

/** Unicode decimal digits ('١٢' is 12 to Python) as ASCII digits; other characters as they are. */
function asciiDigits(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  let out = '';
  for (const char of text) {
    out += char.codePointAt(0)! > 0x7f ? (asciiDigit(char) ?? char) : char;
  }
  return out;
}

/** A float's exact value as `[sign, integer coefficient, power of ten]` (Python's `Decimal(float)`). */
function exactFloat(value: number): [0 | 1, bigint, number] {
  const sign = value < 0 || Object.is(value, -0) ? 1 : 0;
  const magnitude = Math.abs(value);
  if (Number.isInteger(magnitude)) return [sign, BigInt(magnitude), 0];
  // magnitude = mantissa × 2^exponent exactly, with an odd mantissa.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, magnitude);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent++;
  }
  // mantissa / 2^k = mantissa × 5^k / 10^k
  const k = -exponent;
  return [sign, mantissa * 5n ** BigInt(k), -k];
}

// ---- PyDecimal ------------------------------------------------------------------------------

const DECIMAL_FORMAT = /^([-+])?(?:(?=\d|\.\d)(\d*)(?:\.(\d*))?(?:E([-+]?\d+))?|(Inf(?:inity)?)|(s)?(NaN)(\d*))$/i;

/** CPython's decimal.MAX_EMAX and MIN_ETINY (64-bit builds): the exponents Decimal(str) accepts. */
const DECIMAL_MAX_EMAX = 999_999_999_999_999_999n;
const DECIMAL_MIN_ETINY = -1_999_999_999_999_999_997n;

/** What a Decimal is: a finite number, an infinity, a quiet NaN or a signaling NaN. */
export type DecimalKind = 'finite' | 'infinity' | 'nan' | 'snan';

/**
 * Python's `decimal.Decimal`, exact: sign, coefficient digits and exponent as Python holds them,
 * with `NaN`, `sNaN` (and their payloads), `±Infinity` and `-0`. `toString()` is Python's
 * `str()`, which is also what pickles carry, so `new PyDecimal('1.50')` keeps its trailing zero.
 */
export class PyDecimal {
  /** 1 for negative (including -0 and -NaN), 0 otherwise. */
  readonly sign: 0 | 1;
  readonly kind: DecimalKind;
  /**
   * The coefficient digits without leading zeros ('0' for zero): Python's `as_tuple().digits`
   * as a string. A NaN's payload ('' when none); '0' for an infinity.
   */
  readonly coefficient: string;
  /** The power of ten of the last digit (`as_tuple().exponent`); 0 for the special values. */
  readonly exponent: PyInt;
  readonly #text: string;

  /**
   * Parses a decimal string as Python's `Decimal(str)` does: surrounding whitespace, underscores
   * and Unicode digits allowed; `'Inf'`, `'nan'`, `'sNaN12'` in any case.
   */
  constructor(value: string) {
    if (typeof value !== 'string') throw invalidArgument('PyDecimal expects a string (see PyDecimal.from for numbers)');
    const match = DECIMAL_FORMAT.exec(asciiDigits(pythonStrip(value).replace(/_/g, '')));
    if (!match) throw invalidArgument(`invalid literal for Decimal: ${quoted(value)}`);
    const [, signText, intPart, fracPart, expText, inf, signaling, nan, payload] = match;
    this.sign = signText === '-' ? 1 : 0;
    if (inf !== undefined) {
      this.kind = 'infinity';
      this.coefficient = '0';
      this.exponent = 0;
    } else if (nan !== undefined) {
      this.kind = signaling ? 'snan' : 'nan';
      this.coefficient = payload!.replace(/^0+/, '');
      this.exponent = 0;
    } else {
      const fraction = fracPart ?? '';
      this.kind = 'finite';
      this.coefficient = `${intPart ?? ''}${fraction}`.replace(/^0+(?=\d)/, '');
      // An exponent of more than 20 digits is out of range whatever the coefficient: refuse it
      // before converting it (a million-digit exponent would take a while to parse).
      if (expText !== undefined && expText.replace(/^[-+]?0*/, '').length > 20) {
        throw invalidArgument(`decimal exponent out of range: ${quoted(value)}`);
      }
      const exponent = BigInt(expText ?? 0) - BigInt(fraction.length);
      // CPython's decimal (libmpdec) refuses exponents it cannot represent: InvalidOperation.
      if (exponent < DECIMAL_MIN_ETINY || exponent + BigInt(this.coefficient.length) - 1n > DECIMAL_MAX_EMAX) {
        throw invalidArgument(`decimal exponent out of range: ${quoted(value)}`);
      }
      this.exponent = toPyInt(exponent);
    }
    this.#text = this.#render();
  }

  /**
   * A Decimal from a string, an int (number or bigint), a float (its exact binary value, as
   * Python's `Decimal(0.1)` is 0.1000000000000000055511151231257827021181583404541015625), or
   * `[sign, digits, exponent]` as Python's `Decimal((0, (1, 5), -1))`.
   */
  static from(value: string | number | bigint | PyDecimal | readonly [number, readonly number[], PyInt | 'n' | 'N' | 'F']): PyDecimal {
    if (value instanceof PyDecimal) return value;
    if (typeof value === 'string') return new PyDecimal(value);
    if (typeof value === 'bigint') return new PyDecimal(String(value));
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return new PyDecimal('NaN');
      if (!Number.isFinite(value)) return new PyDecimal(value < 0 ? '-Infinity' : 'Infinity');
      const [sign, coefficient, exponent] = exactFloat(value);
      return new PyDecimal(`${sign ? '-' : ''}${coefficient}E${exponent}`);
    }
    if (Array.isArray(value) && value.length === 3) {
      const [sign, digits, exponent] = value;
      if (sign !== 0 && sign !== 1) throw invalidArgument('the sign of a Decimal tuple must be 0 or 1');
      if (!Array.isArray(digits) || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9)) {
        throw invalidArgument('the digits of a Decimal tuple must be integers 0..9');
      }
      const text = digits.join('');
      const prefix = sign ? '-' : '';
      if (exponent === 'F') return new PyDecimal(`${prefix}Infinity`);
      if (exponent === 'n' || exponent === 'N') return new PyDecimal(`${prefix}${exponent === 'N' ? 's' : ''}NaN${text}`);
      return new PyDecimal(`${prefix}${text === '' ? '0' : text}E${toBigInt(exponent, 'the exponent of a Decimal tuple')}`);
    }
    throw invalidArgument(`cannot convert ${typeof value} to PyDecimal`);
  }

  /** Python's to-scientific-string (`str(Decimal)`). */
  #render(): string {
    const sign = this.sign ? '-' : '';
    if (this.kind === 'infinity') return `${sign}Infinity`;
    if (this.kind === 'nan') return `${sign}NaN${this.coefficient}`;
    if (this.kind === 'snan') return `${sign}sNaN${this.coefficient}`;
    const digits = this.coefficient;
    const exponent = BigInt(this.exponent);
    const leftDigits = exponent + BigInt(digits.length);
    // Plain notation when the exponent is ≤ 0 and there are not too many leading zeros.
    const dotPlace = exponent <= 0n && leftDigits > -6n ? leftDigits : 1n;
    let intPart: string;
    let fracPart: string;
    if (dotPlace <= 0n) {
      intPart = '0';
      fracPart = `.${'0'.repeat(Number(-dotPlace))}${digits}`;
    } else if (dotPlace >= BigInt(digits.length)) {
      intPart = digits + '0'.repeat(Number(dotPlace) - digits.length);
      fracPart = '';
    } else {
      intPart = digits.slice(0, Number(dotPlace));
      fracPart = `.${digits.slice(Number(dotPlace))}`;
    }
    const shown = leftDigits - dotPlace;
    const exp = leftDigits === dotPlace ? '' : `E${shown >= 0n ? '+' : ''}${shown}`;
    return `${sign}${intPart}${fracPart}${exp}`;
  }

  /** True for NaN and sNaN. */
  isNaN(): boolean {
    return this.kind === 'nan' || this.kind === 'snan';
  }

  /** True for a finite number (neither infinite nor NaN). */
  isFinite(): boolean {
    return this.kind === 'finite';
  }

  /** True for 0 and -0 with any exponent. */
  isZero(): boolean {
    return this.kind === 'finite' && this.coefficient === '0';
  }

  /**
   * The nearest float (Python's `float(d)`): lossy for most values. A signaling NaN is an error,
   * as in Python.
   */
  toNumber(): number {
    if (this.kind === 'snan') throw invalidArgument('cannot convert signaling NaN to float');
    if (this.kind === 'nan') return NaN;
    return Number(this.#text);
  }

  /** Python's `as_tuple()`: `{ sign, digits, exponent }`, exponent 'n', 'N' or 'F' for NaN, sNaN, Infinity. */
  asTuple(): { sign: 0 | 1; digits: number[]; exponent: PyInt | 'n' | 'N' | 'F' } {
    const digits = Array.from(this.coefficient, Number);
    const exponent = this.kind === 'finite' ? this.exponent : this.kind === 'infinity' ? 'F' : this.kind === 'nan' ? 'n' : 'N';
    return { sign: this.sign, digits, exponent };
  }

  /** The same representation (so `1.0` and `1.00` differ, unlike Python's `==`; NaN equals NaN). */
  equals(other: unknown): boolean {
    return other instanceof PyDecimal && other.#text === this.#text;
  }

  /** Python's `str()`: `'1.50'`, `'-0'`, `'1E+3'`, `'NaN'`, `'-Infinity'`. */
  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    return this.#text;
  }
}

// ---- PyFraction -----------------------------------------------------------------------------

const RATIONAL_FORMAT = /^([-+]?)(?=\d|\.\d)(\d*|\d+(?:_\d+)*)(?:(?:\/(\d+(?:_\d+)*))?|(?:\.(\d*|\d+(?:_\d+)*))?(?:E([-+]?\d+(?:_\d+)*))?)$/i;

/**
 * The largest power of ten a Fraction is made with from an exponent (`'1e100000'`, a Decimal's
 * exponent) when no `charge` option bounds the work: Python expands any, at a cost that grows
 * faster than the text (10^4000000 takes seconds); this keeps the work for a short string bounded.
 */
const MAX_FRACTION_EXPONENT = 100_000n;

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Options of `PyFraction.of` and `PyFraction.from`. */
export interface FractionOptions {
  /**
   * Called, before the work is done, with an estimate of it: the digits of a power of ten
   * (`'1e500'`) and the machine-word steps of reducing huge terms. A caller can throw to refuse
   * absurd input; `loads` charges its work budget with it.
   */
  charge?: (units: number) => void;
  /**
   * Most digits in each integer part of a string (Python's `int_max_str_digits`, which
   * `Fraction(str)` obeys): 4300 by default, as in Python.
   */
  maxDigits?: number;
}

function words(value: bigint): number {
  return Math.ceil((value < 0n ? -value : value).toString(16).length / 16);
}

/** The cost of Euclid's gcd in word operations: a first division, then the smaller term squared. */
function gcdCost(a: bigint, b: bigint): number {
  const [x, y] = [words(a), words(b)];
  return Math.min(x, y) ** 2 + Math.max(x, y);
}

/**
 * Python's `fractions.Fraction`: an exact rational in lowest terms, the denominator positive.
 * The terms follow the value model (number when safe, bigint beyond).
 */
export class PyFraction {
  readonly numerator: PyInt;
  readonly denominator: PyInt;

  /** `Fraction(numerator, denominator)`, reduced to lowest terms as Python reduces it. */
  constructor(numerator: PyInt = 0, denominator: PyInt = 1) {
    let n = toBigInt(numerator, 'numerator');
    let d = toBigInt(denominator, 'denominator');
    if (d === 0n) throw invalidArgument(`Fraction(${words(n) > 4 ? '…' : n}, 0)`);
    let g = gcd(n, d);
    if (d < 0n) g = -g;
    n /= g;
    d /= g;
    this.numerator = toPyInt(n);
    this.denominator = toPyInt(d);
  }

  /**
   * A Fraction from a string (`'3/4'`, `'-1.5e-3'`, as Python's `Fraction(str)` parses it), an
   * int, a float (its exact value) or a PyDecimal (exact; NaN and infinities are errors).
   */
  /**
   * `Fraction(numerator, denominator)` with options: `charge` hears of the work reducing huge
   * terms takes before it is done (see FractionOptions).
   */
  static of(numerator: PyInt, denominator: PyInt = 1, options: FractionOptions = {}): PyFraction {
    const [n, d] = [toBigInt(numerator, 'numerator'), toBigInt(denominator, 'denominator')];
    options.charge?.(gcdCost(n, d));
    return new PyFraction(n, d);
  }

  /**
   * A Fraction from a string (`'3/4'`, `'-1.5e-3'`, as Python's `Fraction(str)` parses it), an
   * int, a float (its exact value) or a PyDecimal (exact; NaN and infinities are errors).
   */
  static from(value: string | number | bigint | PyDecimal | PyFraction, options: FractionOptions = {}): PyFraction {
    if (value instanceof PyFraction) return value;
    if (typeof value === 'bigint') return new PyFraction(value);
    const power = (exponent: bigint): bigint => {
      // A caller that charges the work (loads) sets its own budget; others get this bound.
      if (options.charge === undefined && exponent > MAX_FRACTION_EXPONENT) {
        throw invalidArgument(`a Fraction of 10^${exponent > 10n ** 30n ? 'huge' : exponent} is too large to make exactly here (the limit is 10^${MAX_FRACTION_EXPONENT})`);
      }
      options.charge?.(Number(exponent));
      return 10n ** exponent;
    };
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidArgument(`cannot convert ${value} to a Fraction`);
      const [sign, coefficient, exponent] = exactFloat(value);
      return new PyFraction(sign ? -coefficient : coefficient, 10n ** BigInt(-exponent));
    }
    if (value instanceof PyDecimal) {
      if (!value.isFinite()) throw invalidArgument(`cannot convert ${value} to a Fraction`);
      options.charge?.(value.coefficient.length);
      const n = BigInt(value.coefficient) * (value.sign ? -1n : 1n);
      const e = BigInt(value.exponent);
      return e >= 0n ? PyFraction.of(n * power(e), 1, options) : PyFraction.of(n, power(-e), options);
    }
    if (typeof value !== 'string') throw invalidArgument(`cannot convert ${typeof value} to a Fraction`);
    const match = RATIONAL_FORMAT.exec(asciiDigits(pythonStrip(value)));
    if (!match) throw invalidArgument(`invalid literal for Fraction: ${quoted(value)}`);
    const [, sign, num, denom, decimal, exp] = match;
    const maxDigits = options.maxDigits ?? 4300;
    const int = (digits: string): bigint => {
      const clean = digits.replace(/_/g, '');
      if (clean.length > maxDigits) {
        throw invalidArgument(`exceeds the limit (${maxDigits} digits) for integer string conversion: value has ${clean.length} digits`);
      }
      return BigInt(clean);
    };
    let n = int(num || '0');
    let d = 1n;
    if (denom !== undefined) {
      d = int(denom);
    } else {
      if (decimal) {
        const fraction = int(decimal);
        const scale = power(BigInt(decimal.replace(/_/g, '').length));
        n = n * scale + fraction;
        d *= scale;
      }
      if (exp) {
        const e = int(exp);
        if (e >= 0n) n *= power(e);
        else d *= power(-e);
      }
    }
    if (sign === '-') n = -n;
    return PyFraction.of(n, d, options);
  }

  /** The nearest float, correctly rounded as Python's `float(fraction)`. */
  toNumber(): number {
    const n = this.numerator;
    const d = this.denominator;
    if (typeof n === 'number' && typeof d === 'number') return n / d;
    let num = BigInt(n);
    const den = BigInt(d);
    const negative = num < 0n;
    if (negative) num = -num;
    // A quotient of at least 64 bits, with a sticky bit for any remainder, rounds correctly.
    const shift = Math.max(0, 64 - (num.toString(2).length - den.toString(2).length));
    const scaled = num << BigInt(shift);
    let q = scaled / den;
    if (q * den !== scaled) q |= 1n;
    // Scale down in steps: 2 ** shift alone would overflow for tiny values.
    let value = Number(q);
    let rest = shift;
    while (rest > 1000) {
      value /= 2 ** 1000;
      rest -= 1000;
    }
    value /= 2 ** rest;
    return negative ? -value : value;
  }

  /** Same numerator and denominator. */
  equals(other: unknown): boolean {
    return other instanceof PyFraction && BigInt(other.numerator) === BigInt(this.numerator) &&
      BigInt(other.denominator) === BigInt(this.denominator);
  }

  /** Python's `str()`: `'3/4'`, or `'3'` for a whole number. */
  toString(): string {
    return BigInt(this.denominator) === 1n ? String(this.numerator) : `${this.numerator}/${this.denominator}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

// ---- PyUUID ---------------------------------------------------------------------------------

/** Python's `uuid.SafeUUID`: whether the UUID was generated in a multiprocessing-safe way. */
export type SafeUUID = 'safe' | 'unsafe' | 'unknown';

const UUID_MAX = 1n << 128n;

/**
 * Python's `uuid.UUID`: 128 bits (as `hex`, `int`, `bytes`) and `isSafe` (Python's `is_safe`).
 * `toString()` gives the hyphenated form.
 */
/** Python's `str.strip('{}')`, with index loops: an anchored regex backtracks quadratically. */
function stripBraces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === '{' || text[start] === '}')) start++;
  while (end > start && (text[end - 1] === '{' || text[end - 1] === '}')) end--;
  return text.slice(start, end);
}

export class PyUUID {
  #hex: string;
  #isSafe: SafeUUID;

  /**
   * Parses a UUID as Python's `UUID(hex)` does: hyphens, braces and a `urn:uuid:` prefix are
   * allowed around the 32 hex digits.
   */
  constructor(hex: string, options: { isSafe?: SafeUUID } = {}) {
    if (typeof hex !== 'string') throw invalidArgument(`PyUUID expects a string of hex digits, not ${typeof hex} (see PyUUID.fromInt and fromBytes)`);
    const digits = stripBraces(hex.replace('urn:', '').replace('uuid:', '')).replace(/-/g, '');
    if (!/^[0-9a-fA-F]{32}$/.test(digits)) throw invalidArgument(`badly formed hexadecimal UUID string: ${quoted(hex)}`);
    this.#hex = digits.toLowerCase();
    this.#isSafe = PyUUID.#checkSafe(options?.isSafe ?? 'unknown');
  }

  static #checkSafe(value: SafeUUID): SafeUUID {
    if (value !== 'safe' && value !== 'unsafe' && value !== 'unknown') throw invalidArgument(`isSafe must be 'safe', 'unsafe' or 'unknown'`);
    return value;
  }

  /** The UUID of a 128-bit integer (Python's `UUID(int=…)`). */
  static fromInt(value: PyInt, options: { isSafe?: SafeUUID } = {}): PyUUID {
    const int = toBigInt(value, 'int');
    if (int < 0n || int >= UUID_MAX) throw invalidArgument('int is out of range (need a 128-bit value)');
    return new PyUUID(int.toString(16).padStart(32, '0'), options);
  }

  /** The UUID of 16 big-endian bytes (Python's `UUID(bytes=…)`). */
  static fromBytes(bytes: Uint8Array, options: { isSafe?: SafeUUID } = {}): PyUUID {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 16) throw invalidArgument('bytes is not a 16-char string');
    return new PyUUID(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''), options);
  }

  /** 32 lowercase hex digits. */
  get hex(): string {
    return this.#hex;
  }

  /** The 128-bit integer. */
  get int(): bigint {
    return BigInt(`0x${this.#hex}`);
  }

  /** The 16 bytes, big-endian (a new array each time). */
  get bytes(): Uint8Array {
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = parseInt(this.#hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }

  /** Python's `is_safe`. */
  get isSafe(): SafeUUID {
    return this.#isSafe;
  }

  /** The RFC 4122 version number, or null when the variant is not RFC 4122 (as Python's `version`). */
  get version(): number | null {
    const variantBits = parseInt(this.#hex[16]!, 16) & 0xc;
    return variantBits === 0x8 ? parseInt(this.#hex[12]!, 16) : null;
  }

  /** `'urn:uuid:…'`. */
  get urn(): string {
    return `urn:uuid:${this.toString()}`;
  }

  /**
   * Python's `UUID.__getstate__()`: `{ int }`, plus `is_safe` (0 safe, -1 unsafe) when known.
   * This is the state pickles carry.
   */
  __getstate__(): { int: PyInt; is_safe?: 0 | -1 } {
    const state: { int: PyInt; is_safe?: 0 | -1 } = { int: toPyInt(this.int) };
    if (this.#isSafe !== 'unknown') state.is_safe = this.#isSafe === 'safe' ? 0 : -1;
    return state;
  }

  /**
   * Python's `UUID.__setstate__(state)`, which unpickling calls on a new UUID: a dict (plain
   * object or Map) with `int` and optionally `is_safe` (0, -1 or None).
   */
  __setstate__(state: unknown): void {
    const get = (key: string): unknown =>
      state instanceof Map ? state.get(key) : typeof state === 'object' && state !== null ? (state as Record<string, unknown>)[key] : undefined;
    if (typeof state !== 'object' || state === null || get('int') === undefined) {
      throw invalidArgument("UUID state must be a dict with an 'int' key");
    }
    const int = toBigInt(get('int'), "UUID state 'int'");
    if (int < 0n || int >= UUID_MAX) throw invalidArgument('UUID state int is out of range (need a 128-bit value)');
    const safe = get('is_safe');
    let isSafe: SafeUUID;
    if (safe === undefined || safe === null) isSafe = 'unknown';
    else if (safe === 0) isSafe = 'safe';
    else if (safe === -1) isSafe = 'unsafe';
    else throw invalidArgument(`${shown(safe)} is not a valid SafeUUID`);
    this.#hex = int.toString(16).padStart(32, '0');
    this.#isSafe = isSafe;
  }

  /** The same 128 bits (Python's `==`, which ignores `is_safe`). */
  equals(other: unknown): boolean {
    return other instanceof PyUUID && other.#hex === this.#hex;
  }

  /** `'12345678-1234-5678-1234-567812345678'`. */
  toString(): string {
    const h = this.#hex;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

// ---- PyRange --------------------------------------------------------------------------------

/** Python's `range(start, stop, step)`: the three ints as given (Python keeps them unnormalized). */
export class PyRange implements Iterable<PyInt> {
  readonly start: PyInt;
  readonly stop: PyInt;
  readonly step: PyInt;

  /** `new PyRange(stop)`, `new PyRange(start, stop)` or `new PyRange(start, stop, step)`, as Python's `range`. */
  constructor(startOrStop: PyInt, stop?: PyInt, step?: PyInt) {
    const args = stop === undefined ? [0n, toBigInt(startOrStop, 'stop'), 1n] : [
      toBigInt(startOrStop, 'start'), toBigInt(stop, 'stop'), step === undefined ? 1n : toBigInt(step, 'step'),
    ];
    if (args[2] === 0n) throw invalidArgument('range() arg 3 must not be zero');
    [this.start, this.stop, this.step] = args.map(toPyInt) as [PyInt, PyInt, PyInt];
  }

  /** `len(range)`: how many ints it yields (a bigint when beyond 2^53). */
  get length(): PyInt {
    return toPyInt(this.#length());
  }

  #length(): bigint {
    const [start, stop, step] = [BigInt(this.start), BigInt(this.stop), BigInt(this.step)];
    if (step > 0n && start < stop) return (stop - start - 1n) / step + 1n;
    if (step < 0n && start > stop) return (start - stop - 1n) / -step + 1n;
    return 0n;
  }

  /** `range[index]` (negative indices count from the end); undefined when out of range. */
  at(index: PyInt): PyInt | undefined {
    let i = toBigInt(index, 'index');
    const length = this.#length();
    if (i < 0n) i += length;
    if (i < 0n || i >= length) return undefined;
    return toPyInt(BigInt(this.start) + i * BigInt(this.step));
  }

  *[Symbol.iterator](): Iterator<PyInt> {
    const step = BigInt(this.step);
    const length = this.#length();
    let value = BigInt(this.start);
    for (let i = 0n; i < length; i++, value += step) yield toPyInt(value);
  }

  /** Same start, stop and step (stricter than Python's `==`, which compares the sequences). */
  equals(other: unknown): boolean {
    return other instanceof PyRange && BigInt(other.start) === BigInt(this.start) &&
      BigInt(other.stop) === BigInt(this.stop) && BigInt(other.step) === BigInt(this.step);
  }

  /** Python's `repr()`: `'range(0, 10)'`, `'range(1, 10, -2)'`. */
  toString(): string {
    return BigInt(this.step) === 1n ? `range(${this.start}, ${this.stop})` : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
}

// ---- PySlice --------------------------------------------------------------------------------

function showSlicePart(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Python's `slice(start, stop, step)`: three values of any type, null for None. */
export class PySlice {
  readonly start: unknown;
  readonly stop: unknown;
  readonly step: unknown;

  constructor(start: unknown = null, stop: unknown = null, step: unknown = null) {
    this.start = start === undefined ? null : start;
    this.stop = stop === undefined ? null : stop;
    this.step = step === undefined ? null : step;
  }

  /**
   * Python's `slice.indices(length)`: the `[start, stop, step]` this slice selects from a
   * sequence of `length` items (null parts filled in, negative ones counted from the end, all
   * clamped). The parts must be integers or null.
   */
  indices(length: number): [number, number, number] {
    const part = (value: unknown, what: string): number | null => {
      if (value === null) return null;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw invalidArgument(`slice ${what} must be an integer or None`);
    };
    if (!Number.isSafeInteger(length) || length < 0) throw invalidArgument('length should not be negative');
    const step = part(this.step, 'step') ?? 1;
    if (step === 0) throw invalidArgument('slice step cannot be zero');
    const [lower, upper] = step < 0 ? [-1, length - 1] : [0, length];
    const clamp = (value: number | null, fallback: number): number => {
      if (value === null) return fallback;
      const v = value < 0 ? value + length : value;
      return v < lower ? lower : v > upper ? upper : v;
    };
    return [
      clamp(part(this.start, 'start'), step < 0 ? upper : lower),
      clamp(part(this.stop, 'stop'), step < 0 ? lower : upper),
      step,
    ];
  }

  /** Parts equal by `Object.is` (objects by identity). */
  equals(other: unknown): boolean {
    return other instanceof PySlice && Object.is(other.start, this.start) && Object.is(other.stop, this.stop) &&
      Object.is(other.step, this.step);
  }

  /** Python's `repr()`: `'slice(1, None, 3)'`. */
  toString(): string {
    return `slice(${showSlicePart(this.start)}, ${showSlicePart(this.stop)}, ${showSlicePart(this.step)})`;
  }
}

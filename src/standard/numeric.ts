// Handlers for Python's numeric standard types: decimal.Decimal, fractions.Fraction, uuid.UUID,
// range and slice (complex is a builtin, in builtins.ts). Like every standard handler these use
// only the public PyClassHandler API: `call` rebuilds a value from REDUCE arguments, `newInstance`
// and `setState` follow NEWOBJ + BUILD, and `jsClass` + `reduce` write the value back exactly as
// CPython's `__reduce_ex__(protocol)` does.
//
// What CPython 3.11 writes:
//   Decimal  → (decimal.Decimal, (str(d),))
//   Fraction → (fractions.Fraction, (numerator, denominator)); Python 2 and early Python 3 wrote
//              (Fraction, ('n/d',)), which loads too
//   UUID     → NEWOBJ uuid.UUID () + BUILD {'int': n} (plus 'is_safe': 0 or -1 when known); at
//              protocols 0 and 1 copyreg._reconstructor(uuid.UUID, object, None) + BUILD
//   range    → (range, (start, stop, step)), named __builtin__.xrange below protocol 3
//   slice    → (slice, (start, stop, step))
import { ExactNumber, hashedAs, UNHASHABLE } from '../codec/python-hash.js';
import type { LoadContext, PyClassHandler, Reduction } from '../registry/registry.js';
import { PyFloat } from '../values/float.js';
import { PyGlobal, COPYREG_NEWOBJ as NEWOBJ, COPYREG_RECONSTRUCTOR as RECONSTRUCTOR, BUILTINS_OBJECT as OBJECT } from '../values/global.js';
import { PyDecimal, PyFraction, type PyInt, PyRange, PySlice, PyUUID } from '../values/numeric.js';
import { Tuple } from '../values/tuple.js';

const DECIMAL = new PyGlobal('decimal', 'Decimal');
const FRACTION = new PyGlobal('fractions', 'Fraction');
const UUID = new PyGlobal('uuid', 'UUID');
const RANGE = new PyGlobal('builtins', 'range');
const SLICE = new PyGlobal('builtins', 'slice');

/** Python 2 text loaded with encoding 'bytes' arrives as bytes: read it as ASCII. */
function asText(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  let text = '';
  for (const byte of value) {
    if (byte > 0x7f) throw new TypeError('a numeric string must be ASCII');
    text += String.fromCharCode(byte);
  }
  return text;
}

function isInt(value: unknown): value is number | bigint | boolean {
  return typeof value === 'bigint' || typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value));
}

function asInt(value: number | bigint | boolean): PyInt {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function arity(callee: string, args: readonly unknown[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    throw new TypeError(`${callee}() takes ${min === max ? min : `${min} to ${max}`} arguments (${args.length} given)`);
  }
}

// ---- decimal.Decimal ------------------------------------------------------------------------

/** `Decimal(value='0', context=None)`: a string, an int, a float (exactly), a Decimal or a tuple. */
function makeDecimal(args: readonly unknown[], context: LoadContext): PyDecimal {
  arity('Decimal', args, 0, 2);
  const value = asText(args.length === 0 ? '0' : args[0]);
  if (typeof value === 'bigint') {
    // bigint → decimal text costs more than linear time in its size: charge it so.
    const words = Math.ceil(value.toString(16).length / 16);
    context.charge(Math.ceil((words * words) / 64) + words);
  }
  if (typeof value === 'string' || typeof value === 'bigint' || value instanceof PyDecimal) return PyDecimal.from(value);
  if (typeof value === 'number') return PyDecimal.from(value);
  if (value instanceof PyFloat) return PyDecimal.from(value.value);
  if (typeof value === 'boolean') return PyDecimal.from(value ? 1 : 0);
  if (Array.isArray(value) && value.length === 3) {
    const [sign, digits, exponent] = value as [unknown, unknown, unknown];
    if (!Array.isArray(digits)) throw new TypeError('the digits of a Decimal tuple must be a tuple');
    return PyDecimal.from([Number(asInt(sign as number)), digits as number[], exponent as PyInt | 'n' | 'N' | 'F']);
  }
  throw new TypeError('conversion to Decimal from this type is not supported');
}

const decimalHandler: PyClassHandler<PyDecimal> = {
  module: 'decimal',
  name: 'Decimal',
  jsClass: PyDecimal,
  call: (args, context) => makeDecimal(args, context),
  newInstance: (args, _kwargs, context) => makeDecimal(args, context),
  reduce: (d) => [DECIMAL, [d.toString()]],
  hashAs: decimalHashAs,
};

/** Beyond this power of ten a Decimal is keyed by its digits rather than as an exact number. */
const EXACT_DECIMAL_EXPONENT = 5000n;

/**
 * A Decimal equals the int, float or Fraction of the same exact value, as in Python; a quiet NaN
 * equals nothing (and is hashed by identity), and a signaling NaN cannot be hashed.
 */
function decimalHashAs(d: PyDecimal): unknown {
  if (d.kind === 'snan') return UNHASHABLE;
  if (d.kind === 'nan') return NaN;
  if (d.kind === 'infinity') return d.sign ? -Infinity : Infinity;
  // Trailing zeros moved into the exponent: 1.50 and 1.5 are one number.
  const coefficient = d.coefficient.replace(/0+$/, '');
  if (coefficient === '') return 0;
  const exponent = BigInt(d.exponent) + BigInt(d.coefficient.length - coefficient.length);
  const digits = BigInt(coefficient) * (d.sign ? -1n : 1n);
  // A float's exact value needs at most 1074 decimal places and 309 integer digits.
  if (exponent > EXACT_DECIMAL_EXPONENT || exponent < -EXACT_DECIMAL_EXPONENT) return hashedAs('decimal', `${digits}E${exponent}`);
  return exponent >= 0n ? new ExactNumber(digits * 10n ** exponent) : new ExactNumber(digits, 10n ** -exponent);
}

// ---- fractions.Fraction ---------------------------------------------------------------------

/** A numbers.Rational argument as [numerator, denominator]. */
function rational(value: unknown): [PyInt, PyInt] {
  if (isInt(value)) return [asInt(value), 1];
  if (value instanceof PyFraction) return [value.numerator, value.denominator];
  throw new TypeError('both arguments should be Rational instances');
}

/**
 * `Fraction(numerator=0, denominator=None)`, as Python 3.11 accepts it. Reducing huge terms to
 * lowest terms and expanding '1e999999' take time out of proportion to the pickle's size: the
 * `charge` option hands the estimate to the load's work budget first.
 */
function makeFraction(args: readonly unknown[], context: LoadContext): PyFraction {
  arity('Fraction', args, 0, 2);
  const options = { charge: (units: number) => context.charge(units) };
  if (args.length < 2 || args[1] === null) {
    const value = asText(args.length === 0 ? 0 : args[0]);
    if (isInt(value)) return new PyFraction(asInt(value));
    const single = value instanceof PyFloat ? value.value : value;
    if (typeof single === 'string' || typeof single === 'number' || single instanceof PyDecimal || single instanceof PyFraction) {
      return PyFraction.from(single, options);
    }
    throw new TypeError('argument should be a string or a Rational instance');
  }
  const [n1, d1] = rational(args[0]);
  const [n2, d2] = rational(args[1]);
  if (d1 === 1 && d2 === 1) return PyFraction.of(n1, n2, options); // the form CPython writes
  return PyFraction.of(BigInt(n1) * BigInt(d2), BigInt(d1) * BigInt(n2), options);
}

const fractionHandler: PyClassHandler<PyFraction> = {
  module: 'fractions',
  name: 'Fraction',
  jsClass: PyFraction,
  call: makeFraction,
  newInstance: (args, _kwargs, context) => makeFraction(args, context),
  reduce: (f) => [FRACTION, [f.numerator, f.denominator]],
  hashAs: (f) => new ExactNumber(BigInt(f.numerator), BigInt(f.denominator)),
};

// ---- uuid.UUID ------------------------------------------------------------------------------

/** `UUID(hex=None, bytes=None, bytes_le=None, fields=None, int=None)` by position: hex, bytes or int. */
function callUuid(args: readonly unknown[]): PyUUID {
  arity('UUID', args, 1, 5);
  const [hex, bytes, bytesLe, fields, int] = args.concat([null, null, null, null, null]);
  const given = [hex, bytes, bytesLe, fields, int].filter((part) => part !== null && part !== undefined).length;
  if (given !== 1) throw new TypeError('one of the hex, bytes, bytes_le, fields, or int arguments must be given');
  if (typeof hex === 'string') return new PyUUID(hex);
  if (bytes instanceof Uint8Array) return PyUUID.fromBytes(bytes);
  if (isInt(int)) return PyUUID.fromInt(asInt(int));
  throw new TypeError('UUID() with bytes_le or fields is not supported while loading');
}

const uuidHandler: PyClassHandler<PyUUID> = {
  module: 'uuid',
  name: 'UUID',
  jsClass: PyUUID,
  call: (args) => callUuid(args),
  // UUID.__new__(UUID): a UUID whose state BUILD then sets (Python's object.__new__ + __setstate__).
  newInstance(args) {
    if (args.length !== 0) throw new TypeError('UUID.__new__() takes no arguments');
    return PyUUID.fromInt(0);
  },
  setState: (uuid, state) => uuid.__setstate__(state),
  reduce(uuid, protocol): Reduction {
    const state = uuid.__getstate__();
    // copyreg.__reduce_ex__: NEWOBJ from protocol 2, copyreg._reconstructor before.
    return protocol >= 2 ? [NEWOBJ, [UUID], state] : [RECONSTRUCTOR, [UUID, OBJECT, null], state];
  },
  hashAs: (uuid) => hashedAs('uuid.UUID', uuid.hex),
};

// ---- range and slice ------------------------------------------------------------------------

function makeRange(args: readonly unknown[]): PyRange {
  arity('range', args, 1, 3);
  if (!args.every(isInt)) throw new TypeError('range() arguments must be integers');
  const [a, b, c] = (args as Array<number | bigint | boolean>).map(asInt);
  return args.length === 1 ? new PyRange(a!) : new PyRange(a!, b, c);
}

const rangeHandler: PyClassHandler<PyRange> = {
  module: 'builtins',
  name: 'range',
  jsClass: PyRange,
  call: (args) => makeRange(args),
  newInstance: (args) => makeRange(args),
  reduce: (r) => [RANGE, [r.start, r.stop, r.step]],
  hashAs: rangeHashAs,
};

/** Ranges are equal when they give the same ints: by length, first item and step. */
function rangeHashAs(r: PyRange): unknown {
  const length = BigInt(r.length);
  if (length === 0n) return hashedAs('range', 0);
  if (length === 1n) return hashedAs('range', Tuple.from([1, BigInt(r.start)]));
  return hashedAs('range', Tuple.from([length, BigInt(r.start), BigInt(r.step)]));
}

function makeSlice(args: readonly unknown[]): PySlice {
  arity('slice', args, 1, 3);
  return args.length === 1 ? new PySlice(null, args[0]) : new PySlice(args[0], args[1], args[2]);
}

const sliceHandler: PyClassHandler<PySlice> = {
  module: 'builtins',
  name: 'slice',
  jsClass: PySlice,
  call: (args) => makeSlice(args),
  newInstance: (args) => makeSlice(args),
  reduce: (s) => [SLICE, Tuple.from([s.start, s.stop, s.step])],
  // Hashable only from Python 3.12 on.
  hashAs: () => UNHASHABLE,
};

/** Handlers for Python's numeric standard types. */
export const NUMERIC_HANDLERS: readonly PyClassHandler[] = [
  decimalHandler,
  fractionHandler,
  uuidHandler,
  rangeHandler,
  sliceHandler,
] as readonly PyClassHandler[];

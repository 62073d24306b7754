// Integer and float decoding with Python's rules: two's-complement LONG1/LONG4 bytes, and the
// text literals of protocol 0 (INT, LONG, FLOAT) as int(bytes, 0) and float(bytes) accept them,
// for the unpickler, the disassembler and int()/float() reductions alike.
import { PickleError } from '../errors.js';
import { latin1String } from './text-latin1.js';
import { asciiDigit, isPythonSpace } from '../values/python-text.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A Python int as the value model gives it: a number when safe, a bigint beyond 2^53. */
export function normalizeInt(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

// Scratch for assembling 64-bit chunks that do not sit whole in the input: BigInts come from
// DataView reads, one allocation each, instead of from hex text.
const longScratch = new Uint8Array(8);
const longScratchView = new DataView(longScratch.buffer);

/** Longest LONG1/LONG4 argument built from 64-bit chunks; longer ones go through hex text, linear in length. */
const MAX_CHUNKED_LONG = 64;

/**
 * Decodes `length` bytes at `start` as a little-endian two's-complement integer (LONG1/LONG4).
 * `view` is a DataView over the same bytes, for callers that have one at hand.
 */
export function decodeLong(bytes: Uint8Array, start: number, length: number, view?: DataView): number | bigint {
  if (length === 0) return 0;
  // The top byte taken as signed carries the sign through the byte-at-a-time sums below.
  const top = (bytes[start + length - 1]! << 24) >> 24;
  if (length <= 6) {
    let value = top;
    for (let i = length - 2; i >= 0; i--) value = value * 256 + bytes[start + i]!;
    return value;
  }
  view ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (length <= 8) {
    const low = view.getUint32(start, true);
    // The bytes above the low 32 bits, sign-extended: 3 of them for length 7, 4 for length 8.
    const high = length === 8
      ? view.getInt32(start + 4, true)
      : ((view.getUint16(start + 4, true) | (bytes[start + 6]! << 16)) << 8) >> 8;
    // Within ±2^53 the two halves give the number exactly, with no BigInt at all.
    if (high >= -0x20_0000 && high < 0x20_0000) {
      const value = high * 0x1_0000_0000 + low;
      if (value >= -Number.MAX_SAFE_INTEGER) return value;
    }
    return length === 8 ? view.getBigInt64(start, true) : BigInt(high * 0x1_0000_0000) + BigInt(low);
  }
  if (length <= 14) {
    // The bytes above the low 64 bits (at most 6) as an exact signed number; times 2^64 it is
    // still exact as a double, so one BigInt() of it and one OR make the value.
    let high = top;
    for (let i = length - 2; i >= 8; i--) high = high * 256 + bytes[start + i]!;
    const value = BigInt(high * 2 ** 64) | view.getBigUint64(start, true);
    // Only a high part of 0 or -1 (a non-minimal encoding) can leave a safe integer.
    return high === 0 || high === -1 ? normalizeInt(value) : value;
  }
  if (length <= MAX_CHUNKED_LONG) {
    // The top chunk (sign-extended when short), then each lower 64-bit chunk shifted in.
    const topLength = ((length - 1) & 7) + 1;
    const topStart = start + length - topLength;
    const scratch = longScratch;
    for (let i = 0; i < topLength; i++) scratch[i] = bytes[topStart + i]!;
    scratch.fill(top < 0 ? 0xff : 0, topLength, 8);
    let value = longScratchView.getBigInt64(0, true);
    for (let at = topStart - 8; at >= start; at -= 8) value = (value << 64n) | view.getBigUint64(at, true);
    return normalizeInt(value);
  }
  let hex = '';
  for (let i = length - 1; i >= 0; i--) hex += HEX_BYTE[bytes[start + i]!];
  let value = BigInt('0x' + hex);
  if (top < 0) value -= 1n << BigInt(8 * length);
  return normalizeInt(value);
}

/**
 * CPython's int_max_str_digits refusal (a guard against quadratic conversion), as a RangeError
 * that names the load option; `pythonMessage` is CPython's own wording.
 */
export class IntDigitsLimitError extends RangeError {
  constructor(
    readonly maxDigits: number,
    readonly digits: number,
  ) {
    super(`${IntDigitsLimitError.#exceeds(maxDigits, digits)}; the maxIntDigits load option raises the limit`);
  }

  /** The message of the ValueError CPython raises. */
  get pythonMessage(): string {
    return `${IntDigitsLimitError.#exceeds(this.maxDigits, this.digits)}; use sys.set_int_max_str_digits() to increase the limit`;
  }

  static #exceeds(maxDigits: number, digits: number): string {
    return `Exceeds the limit (${maxDigits} digits) for integer string conversion: value has ${digits} digits`;
  }
}

/**
 * A str as CPython's int() and float() read it (_PyUnicode_TransformDecimalAndSpaceToASCII), as
 * the bytes parsePythonInt and parsePythonFloat take: ASCII as it is; beyond ASCII, whitespace as
 * a space, a decimal digit as its ASCII digit, anything else as '?', which no number has.
 */
export function asciiNumberText(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint < 0x80) out[n++] = codePoint;
    else if (isPythonSpace(codePoint)) out[n++] = 0x20;
    else out[n++] = (asciiDigit(char) ?? '?').charCodeAt(0);
  }
  return out.subarray(0, n);
}

/** The 0b/0o/0x letter `int(text, base)` lets the digits of bases 2, 8 and 16 start with. */
const BASE_PREFIX: Readonly<Record<number, string>> = { 2: 'b', 8: 'o', 16: 'x' };

/** A digit's value in bases up to 36 (either case), by char code; 99 for anything else. */
const DIGIT_VALUE: readonly number[] = Array.from({ length: 256 }, (_, code) => {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return code < 0x80 && lower >= 0x61 && lower <= 0x7a ? lower - 0x61 + 10 : 99;
});

/** C's isspace in the C locale: the only whitespace CPython's int() and float() strip from ASCII text. */
function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/**
 * `int(bytes[start, end), base)` as CPython's PyLong_FromString reads it, for base 0 or 2 to 36:
 * the bytes of a bytes object, or of a str made ASCII (see asciiNumberText). Around it ASCII
 * whitespace; then a sign; for base 0 the base from a 0x/0o/0b prefix, else decimal without
 * leading zeros (but for zero itself); for bases 2, 8 and 16 their prefix (and one underscore
 * after it); then digits of the base with single underscores between them. Null for text Python
 * rejects; an IntDigitsLimitError when a base that is not a power of two has more than
 * `maxDigits` digits (counted, as CPython counts them, before anything after the digits is
 * looked at). Linear in the length; a string is made only of the digits of a valid literal.
 */
export function parsePythonInt(bytes: Uint8Array, start: number, end: number, base: number, maxDigits: number): number | bigint | null {
  while (start < end && isAsciiSpace(bytes[start]!)) start++;
  while (end > start && isAsciiSpace(bytes[end - 1]!)) end--;
  const at = (i: number) => (i < end ? bytes[i]! : -1);
  let i = start;
  const negative = at(i) === 0x2d;
  if (negative || at(i) === 0x2b) i++;
  let errorIfNonzero = false;
  if (base === 0) {
    const letter = at(i) === 0x30 ? at(i + 1) | 0x20 : -1;
    base = at(i) !== 0x30 ? 10 : letter === 0x78 ? 16 : letter === 0x6f ? 8 : letter === 0x62 ? 2 : 10;
    errorIfNonzero = at(i) === 0x30 && base === 10; // an old C-style octal literal: only zero is allowed
  }
  const prefix = BASE_PREFIX[base];
  if (prefix !== undefined && at(i) === 0x30 && (at(i + 1) | 0x20) === prefix.charCodeAt(0)) {
    i += 2;
    if (at(i) === 0x5f) i++;
  }
  if (at(i) === 0x5f) return null;
  const digitsStart = i;
  let digits = 0;
  let underscores = false;
  let underscore = false;
  for (; i < end; i++) {
    const code = bytes[i]!;
    if (code === 0x5f) {
      if (underscore) return null; // only one underscore at a time
      underscore = underscores = true;
      continue;
    }
    if (DIGIT_VALUE[code]! >= base) break;
    digits++;
    underscore = false;
  }
  if (underscore) return null; // nor one at the end
  const powerOfTwo = (base & (base - 1)) === 0;
  if (!powerOfTwo && digits > maxDigits) throw new IntDigitsLimitError(maxDigits, digits);
  if (digits === 0 || i !== end) return null;
  const raw = latin1String(bytes, digitsStart, i);
  const text = underscores ? raw.replace(/_/g, '') : raw;
  let value: bigint;
  if (base === 10 && digits <= 15) {
    const small = Number(text);
    if (errorIfNonzero && small !== 0) return null;
    return negative ? -small || 0 : small;
  } else if (base === 10) {
    value = BigInt(text);
  } else if (base === 2 || base === 8 || base === 16) {
    value = BigInt(`0${prefix}${text}`);
  } else if (powerOfTwo) {
    // Bases 4 and 32: each digit is a fixed number of bits.
    const bits = Math.log2(base);
    let binary = '0b';
    for (let k = 0; k < text.length; k++) binary += DIGIT_VALUE[text.charCodeAt(k)]!.toString(2).padStart(bits, '0');
    value = BigInt(binary);
  } else {
    // Other bases: chunks of digits small enough to sum exactly as a number, then shifted in.
    const chunk = Math.floor(53 / Math.log2(base));
    value = 0n;
    for (let from = 0; from < text.length; from += chunk) {
      const part = text.slice(from, from + chunk);
      let partValue = 0;
      for (let k = 0; k < part.length; k++) partValue = partValue * base + DIGIT_VALUE[part.charCodeAt(k)]!;
      value = value * BigInt(base) ** BigInt(part.length) + BigInt(partValue);
    }
  }
  if (errorIfNonzero && value !== 0n) return null;
  return normalizeInt(negative ? -value : value);
}

/** The longest float text read (longer would near the longest string V8 makes). */
const MAX_FLOAT_TEXT = 1 << 28;

/** A float literal longer than MAX_FLOAT_TEXT bytes: a bound of this package, not of Python. */
export class FloatTextLimitError extends PickleError {
  constructor(length: number) {
    super(`a float of ${length} bytes of text is longer than this package reads (${MAX_FLOAT_TEXT})`, { code: 'LIMIT_EXCEEDED' });
  }
}

const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * True when bytes [from, to) are a decimal float literal: sign, digits with one optional point,
 * exponent. Underscores, already checked to sit between digits, are skipped.
 */
function isDecimalFloat(s: Uint8Array, from: number, to: number): boolean {
  let i = from;
  const digitsFrom = (): number => {
    let count = 0;
    while (i < to && (isDigit(s[i]!) || s[i] === 0x5f)) {
      if (s[i] !== 0x5f) count++;
      i++;
    }
    return count;
  };
  if (i < to && (s[i] === 0x2b || s[i] === 0x2d)) i++;
  let mantissa = digitsFrom();
  if (i < to && s[i] === 0x2e) {
    i++;
    mantissa += digitsFrom();
  }
  if (mantissa === 0) return false;
  if (i < to && (s[i] === 0x65 || s[i] === 0x45)) {
    i++;
    if (i < to && (s[i] === 0x2b || s[i] === 0x2d)) i++;
    if (digitsFrom() === 0) return false;
  }
  return i === to;
}

/**
 * `float(bytes[start, end))` as CPython reads it: the bytes of a bytes object, or of a str made
 * ASCII (see asciiNumberText). Around it ASCII whitespace; then a decimal literal (digits with
 * single underscores between them, an optional point, an exponent) or inf, infinity or nan in
 * any case, signed or not. Null for text Python rejects; a FloatTextLimitError for a valid literal
 * longer than MAX_FLOAT_TEXT. Checked on the bytes, linear, no regex over the whole text; a
 * string is made only of a valid literal.
 */
export function parsePythonFloat(bytes: Uint8Array, start: number, end: number): number | null {
  for (let i = start; i < end; i++) {
    if (bytes[i] === 0x5f && !(i > start && isDigit(bytes[i - 1]!) && i + 1 < end && isDigit(bytes[i + 1]!))) return null;
  }
  let a = start;
  let b = end;
  while (a < b && isAsciiSpace(bytes[a]!)) a++;
  while (b > a && isAsciiSpace(bytes[b - 1]!)) b--;
  if (b - a <= 9) {
    const special = SPECIAL_FLOAT.exec(latin1String(bytes, a, b));
    if (special) {
      if (special[2]!.toLowerCase() === 'nan') return NaN;
      return special[1] === '-' ? -Infinity : Infinity;
    }
  }
  if (!isDecimalFloat(bytes, a, b)) return null;
  if (b - a > MAX_FLOAT_TEXT) throw new FloatTextLimitError(b - a);
  return Number(latin1String(bytes, a, b).replace(/_/g, ''));
}

/** Python's `repr(float)`: the shortest round-tripping digits, in Python's layout ('1e+16', '0.0001', '1.0'). */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest digits that round-trip.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exponent = Number(exponentText);
  const decimalPoint = exponent + 1; // digits are 0.DIGITS × 10^decimalPoint
  let body: string;
  if (decimalPoint > 16 || decimalPoint < -3) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const sign = exponent < 0 ? '-' : '+';
    body = `${fraction}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else if (decimalPoint <= 0) {
    body = `0.${'0'.repeat(-decimalPoint)}${digits}`;
  } else if (decimalPoint >= digits.length) {
    body = `${digits}${'0'.repeat(decimalPoint - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`;
  }
  return negative ? `-${body}` : body;
}

const HEX_VALUE: readonly number[] = (() => {
  const table: number[] = new Array(128).fill(0);
  for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = i;
  return table;
})();

const INT64_MIN = -(1n << 63n);
const INT64_LIMIT = 1n << 63n;

/** Ints of up to this many 64-bit chunks are encoded chunk by chunk; wider ones through hex text. */
const MAX_ENCODE_CHUNKS = 8;
/** Ints in [-CHUNKED_LIMIT, CHUNKED_LIMIT) fit MAX_ENCODE_CHUNKS chunks of two's complement. */
const CHUNKED_LIMIT = 1n << BigInt(64 * MAX_ENCODE_CHUNKS - 1);
const encodeScratch = new Uint8Array(8 * MAX_ENCODE_CHUNKS);
const encodeScratchView = new DataView(encodeScratch.buffer);

/** The length of the minimal two's complement among bytes[at, at + length): redundant sign bytes dropped. */
export function minimalLength(bytes: Uint8Array, length: number, at = 0): number {
  while (length > 1) {
    const top = bytes[at + length - 1]!;
    const next = bytes[at + length - 2]!;
    if ((top === 0 && next < 0x80) || (top === 0xff && next >= 0x80)) length--;
    else break;
  }
  return length;
}

/**
 * The bytes of a Python int in little-endian two's complement, as few as CPython's LONG1 writes
 * (it always gives the minimal form: no redundant 0x00 or 0xff at the top).
 */
export function encodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  // Each shift in encodeChunkedLong copies the value, so only moderately wide ints go chunk by chunk.
  if (value < -CHUNKED_LIMIT || value >= CHUNKED_LIMIT) return encodeWideLong(value);
  return encodeScratch.slice(0, encodeChunkedLong(value, encodeScratch, encodeScratchView, 0));
}

/** The most bytes encodeChunkedLong writes. */
export const MAX_CHUNKED_LONG_BYTES = 8 * MAX_ENCODE_CHUNKS;

/** Whether encodeChunkedLong takes `value`: a nonzero int of at most MAX_CHUNKED_LONG_BYTES bytes. */
export function isChunkedLong(value: bigint): boolean {
  return value !== 0n && value >= -CHUNKED_LIMIT && value < CHUNKED_LIMIT;
}

/**
 * Writes encodeLong's bytes of `value` (see isChunkedLong) at `at` in `bytes` (`view` is over the
 * same memory), which must have MAX_CHUNKED_LONG_BYTES of room there (the bytes past the result
 * are scratch). Returns how many it wrote.
 */
export function encodeChunkedLong(value: bigint, bytes: Uint8Array, view: DataView, at: number): number {
  // Unsigned 64-bit chunks from the bottom while what remains is wider than 64 bits; then the
  // rest as a signed chunk, which carries the sign. setBigUint64 keeps the low 64 bits itself.
  let rest = value;
  let n = 0;
  while (rest < INT64_MIN || rest >= INT64_LIMIT) {
    view.setBigUint64(at + n, rest, true);
    n += 8;
    rest >>= 64n;
  }
  view.setBigInt64(at + n, rest, true);
  return minimalLength(bytes, n + 8, at);
}

/** encodeLong for wide ints: via hex text, linear in the size. */
function encodeWideLong(value: bigint): Uint8Array {
  // Wider ints: the two's complement as hex text (BigInt arithmetic is slower in V8), decoded
  // two digits a byte, then trimmed to the minimal form.
  const signed = value.toString(16);
  const digits = signed.length - (value < 0n ? 1 : 0);
  const n = Math.floor((digits * 4 + 1) / 8) + 1;
  const hex = BigInt.asUintN(8 * n, value).toString(16);
  const out = new Uint8Array(n);
  // Byte i (little-endian) is the hex pair ending 2*i digits from the right.
  for (let i = 0, end = hex.length; i < n; i++, end -= 2) {
    const low = end - 1 >= 0 ? HEX_VALUE[hex.charCodeAt(end - 1)]! : 0;
    const high = end - 2 >= 0 ? HEX_VALUE[hex.charCodeAt(end - 2)]! : 0;
    out[i] = high * 16 + low;
  }
  const length = minimalLength(out, n);
  return length === n ? out : out.subarray(0, length);
}

// Integer and float decoding with Python's rules: two's-complement LONG1/LONG4 bytes, and the
// text literals of protocol 0 (INT, LONG, FLOAT) as int(s, 0) and float(s) accept them.
import { asciiDigit, isPythonSpace, pythonStrip, stripWhere } from '../values/python-text.js';

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

const INT_LITERAL =
  /^([+-]?)(?:(0[xX](?:_?[0-9a-fA-F])+)|(0[oO](?:_?[0-7])+)|(0[bB](?:_?[01])+)|(0(?:_?0)*)|([1-9](?:_?[0-9])*))$/;

/** CPython's int_max_str_digits refusal (a guard against quadratic conversion), as a RangeError. */
function tooManyDigits(maxDigits: number, digits: number): RangeError {
  return new RangeError(
    `Exceeds the limit (${maxDigits} digits) for integer string conversion: value has ${digits} digits; ` +
      'the maxIntDigits load option raises the limit',
  );
}

/**
 * `int(text, 0)`: decimal, 0x/0o/0b prefixes and underscores, surrounding whitespace allowed.
 * Returns null for text Python rejects; a RangeError for a decimal literal of more than
 * `maxDigits` digits.
 */
export function parsePythonInt(text: string, maxDigits: number): number | bigint | null {
  const match = INT_LITERAL.exec(pythonStrip(text));
  if (!match) return null;
  const sign = match[1] === '-' ? -1n : 1n;
  const prefixed = match[2] ?? match[3] ?? match[4];
  if (prefixed !== undefined) return normalizeInt(sign * BigInt(prefixed.replace(/_/g, '')));
  if (match[5] !== undefined) return 0;
  const digits = match[6]!.replace(/_/g, '');
  if (digits.length > maxDigits) throw tooManyDigits(maxDigits, digits.length);
  if (digits.length <= 15) return sign < 0n ? -Number(digits) : Number(digits);
  return normalizeInt(sign * BigInt(digits));
}

/**
 * A str as CPython's int() and float() read it (_PyUnicode_TransformDecimalAndSpaceToASCII): ASCII
 * as it is; beyond ASCII, whitespace as a space, a decimal digit as its ASCII digit, anything else
 * as '?', which no number has.
 */
export function asciiNumberText(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint < 0x80) out += char;
    else if (isPythonSpace(codePoint)) out += ' ';
    else out += asciiDigit(char) ?? '?';
  }
  return out;
}

/** The 0b/0o/0x letter `int(text, base)` lets the digits of bases 2, 8 and 16 start with. */
const BASE_PREFIX: Readonly<Record<number, string>> = { 2: 'b', 8: 'o', 16: 'x' };

/** A digit's value in bases up to 36 (either case), by char code; 99 for anything else. */
const DIGIT_VALUE: readonly number[] = Array.from({ length: 128 }, (_, code) => {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a ? lower - 0x61 + 10 : 99;
});

/** C's isspace in the C locale: the only whitespace CPython's int() and float() strip from ASCII text. */
function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** `text` without the ASCII whitespace around it. */
export function stripAsciiSpace(text: string): string {
  return stripWhere(text, isAsciiSpace);
}

/**
 * `int(text, base)` as CPython's PyLong_FromString reads it, for base 0 or 2 to 36. `text` is what
 * it sees: ASCII, as int() makes a str (see asciiNumberText), or the bytes of a bytes object. Around it
 * ASCII whitespace; then a sign; for base 0 the base from a 0x/0o/0b prefix, else decimal without
 * leading zeros (but for zero itself); for bases 2, 8 and 16 their prefix (and one underscore after
 * it); then digits of the base with single underscores between them. Null for text Python rejects;
 * a RangeError when a base that is not a power of two has more than `maxDigits` digits (counted,
 * as CPython counts them, before anything after the digits is looked at).
 */
export function parsePythonIntInBase(source: string, base: number, maxDigits: number): number | bigint | null {
  const text = stripAsciiSpace(source);
  let i = 0;
  const negative = text[i] === '-';
  if (negative || text[i] === '+') i++;
  let errorIfNonzero = false;
  if (base === 0) {
    const letter = text[i] === '0' ? (text[i + 1] ?? '').toLowerCase() : '';
    base = text[i] !== '0' ? 10 : letter === 'x' ? 16 : letter === 'o' ? 8 : letter === 'b' ? 2 : 10;
    errorIfNonzero = text[i] === '0' && base === 10; // an old C-style octal literal: only zero is allowed
  }
  const prefix = BASE_PREFIX[base];
  if (prefix !== undefined && text[i] === '0' && (text[i + 1] ?? '').toLowerCase() === prefix) {
    i += 2;
    if (text[i] === '_') i++;
  }
  if (text[i] === '_') return null;
  let digits = '';
  let underscore = false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5f) {
      if (underscore) return null; // only one underscore at a time
      underscore = true;
      continue;
    }
    if (code >= 128 || DIGIT_VALUE[code]! >= base) break;
    digits += text[i];
    underscore = false;
  }
  if (underscore) return null; // nor one at the end
  const powerOfTwo = (base & (base - 1)) === 0;
  if (!powerOfTwo && digits.length > maxDigits) throw tooManyDigits(maxDigits, digits.length);
  if (digits.length === 0 || i !== text.length) return null;
  let value: bigint;
  if (base === 10 && digits.length <= 15) {
    const small = Number(digits);
    if (errorIfNonzero && small !== 0) return null;
    return negative ? -small || 0 : small;
  } else if (base === 10) {
    value = BigInt(digits);
  } else if (base === 2 || base === 8 || base === 16) {
    value = BigInt(`0${prefix}${digits}`);
  } else if (powerOfTwo) {
    // Bases 4 and 32: each digit is a fixed number of bits.
    const bits = Math.log2(base);
    let binary = '0b';
    for (let k = 0; k < digits.length; k++) binary += DIGIT_VALUE[digits.charCodeAt(k)]!.toString(2).padStart(bits, '0');
    value = BigInt(binary);
  } else {
    // Other bases: chunks of digits small enough to sum exactly as a number, then shifted in.
    const chunk = Math.floor(53 / Math.log2(base));
    value = 0n;
    for (let start = 0; start < digits.length; start += chunk) {
      const part = digits.slice(start, start + chunk);
      let partValue = 0;
      for (let k = 0; k < part.length; k++) partValue = partValue * base + DIGIT_VALUE[part.charCodeAt(k)]!;
      value = value * BigInt(base) ** BigInt(part.length) + BigInt(partValue);
    }
  }
  if (errorIfNonzero && value !== 0n) return null;
  return normalizeInt(negative ? -value : value);
}

const FLOAT_LITERAL = /^[+-]?(?:(?:[0-9](?:_?[0-9])*)(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * `float(text)`: decimal and exponent forms, inf/infinity/nan in any case; null otherwise. `strip`
 * takes the whitespace around it off: Python's str.strip() for the FLOAT opcode's line, ASCII
 * whitespace for float() (see asciiNumberText).
 */
export function parsePythonFloat(text: string, strip: (text: string) => string = pythonStrip): number | null {
  const trimmed = strip(text);
  const special = SPECIAL_FLOAT.exec(trimmed);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_LITERAL.test(trimmed)) return null;
  return Number(trimmed.replace(/_/g, ''));
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

// Python's repr() of the scalar types, character for character as CPython 3.11 writes it: str
// (quote choice, escapes, printable characters per Unicode 14), bytes, bytearray, int (with
// CPython's 4300-digit guard), float and complex. No Node imports: the disassembler and the
// value printer in the library use these.
import { pythonFloatRepr } from './numbers.js';
import { isPrintable } from './python-printable.js';

const HEX = '0123456789abcdef';

function hex2(n: number): string {
  return HEX[(n >> 4) & 15]! + HEX[n & 15]!;
}

/** Python's `repr(str)`. Lone surrogates are code points of their own, as in Python. */
export function reprStr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  let plainStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const unit = text.charCodeAt(i);
    // Fast path: printable ASCII other than the quote and the backslash.
    if (unit >= 0x20 && unit < 0x7f && unit !== 0x5c && unit !== quote.charCodeAt(0)) {
      i++;
      continue;
    }
    let cp = unit;
    let width = 1;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        width = 2;
      }
    }
    let escape: string | undefined;
    if (cp === 0x5c || cp === quote.charCodeAt(0)) escape = '\\' + String.fromCharCode(cp);
    else if (cp === 0x09) escape = '\\t';
    else if (cp === 0x0a) escape = '\\n';
    else if (cp === 0x0d) escape = '\\r';
    else if (cp < 0x20 || cp === 0x7f) escape = '\\x' + hex2(cp);
    else if (cp >= 0x80 && !isPrintable(cp)) {
      if (cp <= 0xff) escape = '\\x' + hex2(cp);
      else if (cp <= 0xffff) escape = '\\u' + cp.toString(16).padStart(4, '0');
      else escape = '\\U' + cp.toString(16).padStart(8, '0');
    }
    if (escape !== undefined) {
      out += text.slice(plainStart, i) + escape;
      plainStart = i + width;
    }
    i += width;
  }
  return out + text.slice(plainStart) + quote;
}

/** The quote Python's repr of a str or bytes picks: ' unless the text holds ' and no ". */
export function reprQuote(codes: ArrayLike<number>): number {
  let hasSingle = false;
  let hasDouble = false;
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] === 0x27) hasSingle = true;
    else if (codes[i] === 0x22) hasDouble = true;
  }
  return hasSingle && !hasDouble ? 0x22 : 0x27;
}

/**
 * Python's `repr(str)` of a string given as code points. Python strings may hold a high and a
 * low surrogate as two separate code points (surrogatepass, raw-unicode-escape); a JavaScript
 * string cannot tell those from the astral character they spell, so the disassembler keeps
 * its text arguments as code points.
 */
export function reprCodePoints(codePoints: ArrayLike<number>): string {
  const quote = reprQuote(codePoints);
  const parts: string[] = [String.fromCharCode(quote)];
  let chunk = '';
  for (let i = 0; i < codePoints.length; i++) {
    const cp = codePoints[i]!;
    if (cp === quote || cp === 0x5c) chunk += '\\' + String.fromCharCode(cp);
    else if (cp === 0x09) chunk += '\\t';
    else if (cp === 0x0a) chunk += '\\n';
    else if (cp === 0x0d) chunk += '\\r';
    else if (cp < 0x20 || cp === 0x7f) chunk += '\\x' + hex2(cp);
    else if (cp < 0x7f || isPrintable(cp)) chunk += String.fromCodePoint(cp);
    else if (cp <= 0xff) chunk += '\\x' + hex2(cp);
    else if (cp <= 0xffff) chunk += '\\u' + cp.toString(16).padStart(4, '0');
    else chunk += '\\U' + cp.toString(16).padStart(8, '0');
    if (chunk.length > 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk, String.fromCharCode(quote));
  return parts.join('');
}

/**
 * The body of a bytes literal (between the quotes) and its quote character. `escapeSingle`: a
 * single quote is escaped whichever quote encloses it, as CPython's bytearray repr does.
 */
function bytesBody(bytes: ArrayLike<number>, escapeSingle = false): { quote: string; body: string } {
  const quote = reprQuote(bytes);
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === quote || b === 0x5c || (escapeSingle && b === 0x27)) chunk += '\\' + String.fromCharCode(b);
    else if (b === 0x09) chunk += '\\t';
    else if (b === 0x0a) chunk += '\\n';
    else if (b === 0x0d) chunk += '\\r';
    else if (b < 0x20 || b >= 0x7f) chunk += '\\x' + hex2(b);
    else chunk += String.fromCharCode(b);
    if (chunk.length > 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return { quote: String.fromCharCode(quote), body: parts.join('') };
}

/** Python's `repr(bytes)`: `b'...'`. */
export function reprBytes(bytes: ArrayLike<number>): string {
  const { quote, body } = bytesBody(bytes);
  return `b${quote}${body}${quote}`;
}

/** Python's `repr(bytearray)`: `bytearray(b'...')`; a `'` is escaped even between double quotes. */
export function reprByteArray(bytes: ArrayLike<number>): string {
  const { quote, body } = bytesBody(bytes, true);
  return `bytearray(b${quote}${body}${quote})`;
}

/** CPython's default `sys.get_int_max_str_digits()`. */
export const INT_MAX_STR_DIGITS = 4300;

const LIMIT = 10n ** BigInt(INT_MAX_STR_DIGITS);

/** Raised where Python raises ValueError for an int too long to convert to decimal text. */
export class IntTooLongError extends Error {
  constructor() {
    super(
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
}

/**
 * Python's `repr(int)`. With `limit` (the default), an int of more than 4300 decimal digits
 * throws IntTooLongError as CPython's repr does.
 */
export function reprInt(value: number | bigint, limit = true): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (limit && (value >= LIMIT || value <= -LIMIT)) throw new IntTooLongError();
  return value.toString();
}

/**
 * An int as the printers show it: Python's `repr`, or, past the 4300 digits CPython's repr
 * refuses, hex (`0x…`): the same int in Python syntax, written in time linear in its size.
 */
export function reprIntShown(value: number | bigint): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (value >= LIMIT) return `0x${value.toString(16)}`;
  if (value <= -LIMIT) return `-0x${(-value).toString(16)}`;
  return value.toString();
}

/** Python's `repr(float)`. */
export function reprFloat(value: number): string {
  return pythonFloatRepr(value);
}

/** A float as `complex.__repr__` writes each part: repr digits without a forced '.0'. */
function complexPart(value: number): string {
  const text = pythonFloatRepr(value);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** Python's `repr(complex)`: `1j`, `(1+2j)`, `(-0-1j)`, `(nan+infj)`. */
export function reprComplex(real: number, imag: number): string {
  const im = complexPart(imag);
  if (real === 0 && !Object.is(real, -0)) return `${im}j`;
  const sign = im.startsWith('-') ? '' : '+';
  return `(${complexPart(real)}${sign}${im}j)`;
}

/** Length of a string in code points, as Python's `len(str)` counts (a lone surrogate is one). */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Compares two strings by code point, as Python orders str (UTF-16 order differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // Step back onto a high surrogate shared by both, so the whole code point is compared.
  if (i > 0) {
    const prev = a.charCodeAt(i - 1);
    if (prev >= 0xd800 && prev <= 0xdbff) i--;
  }
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

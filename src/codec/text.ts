// Text codecs pickles need that TextDecoder does not give: UTF-8 with Python's "surrogatepass"
// (lone surrogates survive), strict Latin-1 and ASCII, raw-unicode-escape (protocol 0 UNICODE)
// and Python's string-escape (protocol 0 STRING), as the unpickler wants them: a string (or
// bytes), or null on input it must reject. The decoding itself is text-decoders.ts's, which the
// disassembler shares; the fast paths here (short UTF-8, TextDecoder, text without escapes) take
// the common valid input and are tested to agree with it.

import {
  asciiFailure,
  type CodePointDecoder,
  DecodeFailure,
  decodeRawUnicodeEscapeCodePoints,
  type DecodeState,
  decodeUtf8CodePoints,
  escapeDecode,
} from './text-decoders.js';
import { decodeLatin1Utf8, fromCharCodes, LATIN1_TEXT_MIN, latin1String } from './text-latin1.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strings of fewer bytes than this are decoded in JavaScript; longer ones by TextDecoder. */
const SHORT_UTF8 = 64;

/** Decodes bytes[start, end) as UTF-8, keeping encoded lone surrogates; null when invalid. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | null {
  // Short strings: a plain loop beats TextDecoder's call overhead (and its subarray garbage).
  if (end - start < SHORT_UTF8) return decodeShortUtf8(bytes, start, end);
  if (end - start >= LATIN1_TEXT_MIN) {
    const latin1 = decodeLatin1Utf8(bytes, start, end);
    if (latin1 !== undefined) return latin1;
  }
  try {
    return utf8Decoder.decode(bytes.subarray(start, end));
  } catch {
    return decodeUtf8Surrogatepass(bytes, start, end);
  }
}

const fromCharCode = String.fromCharCode;

// One array per length for String.fromCharCode.apply: filling an exact-length array avoids both a
// new array per string and shrinking a shared one (a slow path in V8).
const unitArrays: number[][] = Array.from({ length: SHORT_UTF8 + 1 }, (_, n) => new Array<number>(n).fill(0));

/**
 * Decodes fewer than SHORT_UTF8 bytes with decodeUtf8Surrogatepass's rules; null when invalid.
 * A first pass counts the UTF-16 units (every byte but continuation bytes, twice for 4-byte
 * leads) so the second can write them into an array of exactly that length.
 */
function decodeShortUtf8(bytes: Uint8Array, start: number, end: number): string | null {
  let count = 0;
  let any = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    any |= b;
    if (b < 0x80) count++;
    else if (b >= 0xc0) count += b >= 0xf0 ? 2 : 1;
  }
  if (any < 0x80) return decodeShortAscii(bytes, start, end);
  if (count > end - start) return null; // valid UTF-8 never has more units than bytes
  // Only whole, valid sequences are written, and their units are all counted: no index passes count.
  const units = unitArrays[count]!;
  let n = 0;
  let i = start;
  while (i < end) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      units[n++] = b0;
      i++;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 >= end) return null;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return null;
      units[n++] = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 >= end) return null;
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return null;
      const cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (cp < 0x800) return null; // overlong
      units[n++] = cp; // encoded surrogates included, as surrogatepass keeps them
      i += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 >= end) return null;
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      const b3 = bytes[i + 3]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return null;
      const cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null; // overlong or beyond Unicode
      units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[n++] = 0xdc00 + (cp & 0x3ff);
      i += 4;
    } else {
      return null; // a continuation byte where a sequence starts, or a lead that is never valid
    }
  }
  return fromCharCode.apply(null, units);
}

/**
 * Short ASCII: String.fromCharCode with the bytes as arguments (up to 12, the common short
 * keys and names), cheaper than spreading an array; longer ones through an exact-length array.
 */
function decodeShortAscii(b: Uint8Array, s: number, end: number): string {
  switch (end - s) {
    case 0: return '';
    case 1: return fromCharCode(b[s]!);
    case 2: return fromCharCode(b[s]!, b[s + 1]!);
    case 3: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9:
      return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!);
    case 10:
      return fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
      );
    case 11:
      return fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!,
      );
    case 12:
      return fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!, b[s + 11]!,
      );
  }
  const units = unitArrays[end - s]!;
  for (let i = 0; i < units.length; i++) units[i] = b[s + i]!;
  return fromCharCode.apply(null, units);
}

/** The slow path (encoded surrogates, or bad bytes): text-decoders.ts's decoder. */
function decodeUtf8Surrogatepass(bytes: Uint8Array, start: number, end: number): string | null {
  return decodeWith(decodeUtf8CodePoints, bytes.subarray(start, end));
}

/** Texts of up to this many bytes are decoded into one scratch array, longer ones into their own. */
const SCRATCH_BYTES = 4096;
const codePointScratch = new Uint32Array(SCRATCH_BYTES);

/** The text `decode` (a text-decoders.ts decoder) makes of `bytes`; null where Python refuses them. */
function decodeWith(decode: CodePointDecoder, bytes: Uint8Array): string | null {
  const out = bytes.length <= SCRATCH_BYTES ? codePointScratch : new Uint32Array(bytes.length);
  const state: DecodeState = { at: 0, failure: undefined };
  const count = decode(bytes, state, out);
  return state.failure === undefined ? fromCodePoints(out, count) : null;
}

/** The string of codePoints[0, count) (a surrogate code point is one unit, as JavaScript keeps it). */
function fromCodePoints(codePoints: Uint32Array, count: number): string {
  let length = count;
  for (let i = 0; i < count; i++) if (codePoints[i]! > 0xffff) length++;
  // Short texts through an exact-length array, as decodeShortUtf8 makes them.
  const units = length <= SHORT_UTF8 ? unitArrays[length]! : new Uint16Array(length);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const cp = codePoints[i]!;
    if (cp > 0xffff) {
      units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[n++] = 0xdc00 + (cp & 0x3ff);
    } else {
      units[n++] = cp;
    }
  }
  return length <= SHORT_UTF8 ? fromCharCode.apply(null, units as number[]) : fromCharCodes(units, 0, length);
}

/** Decodes bytes[start, end) as Latin-1: every byte is the code point of the same value. */
export function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  return latin1String(bytes, start, end);
}

/** Decodes bytes[start, end) as strict ASCII; null when a byte is above 0x7f. */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string | null {
  return asciiFailure(bytes, start, end) === undefined ? fromCharCodes(bytes, start, end) : null;
}

/**
 * Python's raw-unicode-escape decoder: bytes are Latin-1 code points, except `\uXXXX` and
 * `\UXXXXXXXX` after an odd number of backslashes. Null on a truncated or out-of-range escape.
 */
export function decodeRawUnicodeEscape(bytes: Uint8Array, start: number, end: number): string | null {
  const line = bytes.subarray(start, end);
  if (line.indexOf(0x5c) < 0) return decodeLatin1(bytes, start, end);
  return decodeWith(decodeRawUnicodeEscapeCodePoints, line);
}

/**
 * Python's `codecs.escape_decode` (the protocol 0 STRING argument between its quotes): returns
 * the bytes, or null on a malformed `\x` escape or a trailing backslash.
 */
export function decodeStringEscape(bytes: Uint8Array, start: number, end: number): Uint8Array | null {
  const decoded = escapeDecode(bytes, start, end);
  return decoded instanceof DecodeFailure ? null : decoded;
}

/** Bytes `text` takes in UTF-8 with surrogatepass (a lone surrogate takes 3 bytes). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a pair: 2 units, 4 bytes
        i++;
        continue;
      }
      n += 2;
    } else {
      n += 2;
    }
  }
  return n;
}

/**
 * Encodes `text` as UTF-8 with surrogatepass into `out` at `at` (which has room for
 * utf8Length(text) bytes); returns the offset after the last byte written.
 */
export function encodeUtf8Into(text: string, out: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[p++] = 0xf0 | (c >> 18);
          out[p++] = 0x80 | ((c >> 12) & 0x3f);
          out[p++] = 0x80 | ((c >> 6) & 0x3f);
          out[p++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * Protocol 0 UNICODE argument: Python's raw-unicode-escape plus the escapes CPython's pickler
 * adds (backslash, NUL, newline, carriage return and Ctrl-Z as \\uXXXX) so the line stays a line.
 */
export function encodeRawUnicodeEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c >= 0x10000) out += '\\U' + c.toString(16).padStart(8, '0');
    else if (c >= 0x100 || c === 0x5c || c === 0 || c === 0x0a || c === 0x0d || c === 0x1a) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += char;
  }
  return out;
}

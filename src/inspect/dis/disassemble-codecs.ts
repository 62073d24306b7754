// The text and number codecs pickletools' argument readers use, with CPython's error messages:
// UTF-8 with surrogatepass, raw-unicode-escape, escape_decode, ASCII, int() and float() of
// bytes. Each is linear in its input; the two Unicode decoders work in chunks, so a long
// argument is checked, and later printed, without holding all its code points. No Node imports.
import { reprBytes } from '../../codec/python-repr.js';

/** The Python exception pickletools raises for a malformed pickle. */
export type PythonErrorType = 'ValueError' | 'UnicodeDecodeError' | 'IndexError';

/** A Python exception inside the port; the disassembler turns it into a DisassemblyError. */
export class PyError extends Error {
  constructor(
    readonly pythonType: PythonErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** A bound of this port that pickletools does not have was reached. */
export class PortLimitError extends Error {}

export const valueError = (message: string) => new PyError('ValueError', message);

/** Bytes quoted in an error message: Python's repr, cut short past 1 MiB (Python quotes all). */
export function reprForMessage(bytes: Uint8Array): string {
  const shown = 1 << 20;
  if (bytes.length <= shown) return reprBytes(bytes);
  return `${reprBytes(bytes.subarray(0, shown))}... (${bytes.length} bytes)`;
}

function unicodeDecodeError(codec: string, start: number, end: number, byte: number, reason: string): PyError {
  const where = end === start + 1
    ? `byte 0x${byte.toString(16).padStart(2, '0')} in position ${start}`
    : `bytes in position ${start}-${end - 1}`;
  return new PyError('UnicodeDecodeError', `'${codec}' codec can't decode ${where}: ${reason}`);
}

/**
 * A decoder of bytes into code points: decodes from `state.at` until `out` is full or the bytes
 * end, advances `state.at`, returns the count written. Error positions are those of `bytes`.
 */
export type CodePointDecoder = (bytes: Uint8Array, state: { at: number }, out: Uint32Array) => number;

/** Every code point of `bytes` (never more code points than bytes, for both decoders). */
export function decodeAll(decode: CodePointDecoder, bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length);
  return out.subarray(0, decode(bytes, { at: 0 }, out));
}

const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/** `str(bytes, 'utf-8', 'surrogatepass')`, with CPython's error positions. */
export const decodeUtf8SurrogatePass: CodePointDecoder = (b, state, out) => {
  const end = b.length;
  let s = state.at;
  let n = 0;
  while (s < end && n < out.length) {
    const ch = b[s]!;
    if (ch < 0x80) {
      out[n++] = ch;
      s++;
      continue;
    }
    // 0: unexpected end of data; 1: invalid start byte; 2-4: invalid continuation byte.
    let err: number;
    if (ch < 0xe0) {
      if (ch < 0xc2) err = 1;
      else if (end - s < 2) err = 0;
      else if (!isContinuation(b[s + 1])) err = 2;
      else {
        out[n++] = ((ch & 0x1f) << 6) | (b[s + 1]! & 0x3f);
        s += 2;
        continue;
      }
    } else if (ch < 0xf0) {
      const ch2 = b[s + 1];
      if (end - s < 3) {
        if (end - s < 2) err = 0;
        else err = !isContinuation(ch2) || (ch2! < 0xa0 ? ch === 0xe0 : ch === 0xed) ? 2 : 0;
      } else if (!isContinuation(ch2) || (ch === 0xe0 && ch2! < 0xa0) || (ch === 0xed && ch2! >= 0xa0)) {
        err = 2;
      } else if (!isContinuation(b[s + 2])) {
        err = 3;
      } else {
        out[n++] = ((ch & 0x0f) << 12) | ((ch2! & 0x3f) << 6) | (b[s + 2]! & 0x3f);
        s += 3;
        continue;
      }
    } else if (ch < 0xf5) {
      const ch2 = b[s + 1];
      if (end - s < 4) {
        if (end - s < 2) err = 0;
        else if (!isContinuation(ch2) || (ch2! < 0x90 ? ch === 0xf0 : ch === 0xf4)) err = 2;
        else if (end - s < 3) err = 0;
        else err = isContinuation(b[s + 2]) ? 0 : 3;
      } else if (!isContinuation(ch2) || (ch === 0xf0 && ch2! < 0x90) || (ch === 0xf4 && ch2! >= 0x90)) {
        err = 2;
      } else if (!isContinuation(b[s + 2])) {
        err = 3;
      } else if (!isContinuation(b[s + 3])) {
        err = 4;
      } else {
        out[n++] = ((ch & 0x07) << 18) | ((ch2! & 0x3f) << 12) | ((b[s + 2]! & 0x3f) << 6) | (b[s + 3]! & 0x3f);
        s += 4;
        continue;
      }
    } else {
      err = 1;
    }
    // The surrogatepass handler: three bytes from the error position that encode a surrogate
    // decode to it; anything else re-raises the decoder's error.
    if (end - s >= 3 && (b[s]! & 0xf0) === 0xe0 && isContinuation(b[s + 1]) && isContinuation(b[s + 2])) {
      const cp = ((b[s]! & 0x0f) << 12) | ((b[s + 1]! & 0x3f) << 6) | (b[s + 2]! & 0x3f);
      if (cp >= 0xd800 && cp <= 0xdfff) {
        out[n++] = cp;
        s += 3;
        continue;
      }
    }
    const errEnd = err === 0 ? end : err === 1 ? s + 1 : s + err - 1;
    const reason = err === 0 ? 'unexpected end of data' : err === 1 ? 'invalid start byte' : 'invalid continuation byte';
    throw unicodeDecodeError('utf-8', s, errEnd, ch, reason);
  }
  state.at = s;
  return n;
};

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** `str(bytes, 'raw-unicode-escape')`. */
export const decodeRawUnicodeEscape: CodePointDecoder = (b, state, out) => {
  const end = b.length;
  let s = state.at;
  let n = 0;
  while (s < end && n < out.length) {
    const c = b[s++]!;
    if (c !== 0x5c || s >= end) {
      out[n++] = c;
      continue;
    }
    const next = b[s++]!;
    if (next !== 0x75 && next !== 0x55) {
      // Two code points; the second waits for room in the next call.
      if (n + 2 > out.length) {
        s -= 2;
        break;
      }
      out[n++] = 0x5c;
      out[n++] = next;
      continue;
    }
    const start = s - 2;
    let count = next === 0x75 ? 4 : 8;
    const truncated = next === 0x75 ? 'truncated \\uXXXX escape' : 'truncated \\UXXXXXXXX escape';
    let cp = 0;
    for (; count > 0; s++, count--) {
      const digit = s < end ? hexDigit(b[s]!) : -1;
      if (digit < 0) throw unicodeDecodeError('rawunicodeescape', start, s, b[start]!, truncated);
      cp = cp * 16 + digit;
    }
    if (cp > 0x10ffff) throw unicodeDecodeError('rawunicodeescape', start, s, b[start]!, '\\Uxxxxxxxx out of range');
    out[n++] = cp;
  }
  state.at = s;
  return n;
};

/** `codecs.escape_decode(bytes)[0]`. */
export function escapeDecode(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  let n = 0;
  let s = 0;
  const end = b.length;
  while (s < end) {
    if (b[s] !== 0x5c) {
      out[n++] = b[s++]!;
      continue;
    }
    s++;
    if (s === end) throw valueError('Trailing \\ in string');
    const c = b[s++]!;
    switch (c) {
      case 0x0a: break;
      case 0x5c: out[n++] = 0x5c; break;
      case 0x27: out[n++] = 0x27; break;
      case 0x22: out[n++] = 0x22; break;
      case 0x62: out[n++] = 0x08; break; // \b
      case 0x66: out[n++] = 0x0c; break; // \f
      case 0x74: out[n++] = 0x09; break; // \t
      case 0x6e: out[n++] = 0x0a; break; // \n
      case 0x72: out[n++] = 0x0d; break; // \r
      case 0x76: out[n++] = 0x0b; break; // \v
      case 0x61: out[n++] = 0x07; break; // \a
      case 0x78: { // \xhh
        if (s + 1 < end) {
          const hi = hexDigit(b[s]!);
          const lo = hexDigit(b[s + 1]!);
          if (hi >= 0 && lo >= 0) {
            out[n++] = hi * 16 + lo;
            s += 2;
            break;
          }
        }
        throw valueError(`invalid \\x escape at position ${s - 2}`);
      }
      default:
        if (c >= 0x30 && c <= 0x37) {
          let v = c - 0x30;
          if (s < end && b[s]! >= 0x30 && b[s]! <= 0x37) {
            v = v * 8 + (b[s++]! - 0x30);
            if (s < end && b[s]! >= 0x30 && b[s]! <= 0x37) v = v * 8 + (b[s++]! - 0x30);
          }
          out[n++] = v & 0xff;
        } else {
          // An unknown escape keeps its backslash; the character is read again as itself.
          out[n++] = 0x5c;
          s--;
        }
    }
  }
  return out.subarray(0, n);
}

/** `bytes.decode('ascii')` as code points. */
export function decodeAscii(b: Uint8Array): Uint8Array {
  for (let i = 0; i < b.length; i++) {
    if (b[i]! >= 0x80) throw unicodeDecodeError('ascii', i, i + 1, b[i]!, 'ordinal not in range(128)');
  }
  return b;
}

// ---- numbers from text, as int(bytes) and float(bytes) parse them ---------------------------

const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

function latin1(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 8192) {
    out += String.fromCharCode.apply(null, Array.from(b.subarray(i, Math.min(b.length, i + 8192))));
  }
  return out;
}

/** `int(bytes)` (base 10), with CPython's messages and its 4300-digit limit. */
export function parseInt10(s: Uint8Array): bigint {
  const invalid = () => valueError(`invalid literal for int() with base 10: ${reprBytes(s.subarray(0, 200)).slice(0, 200)}`);
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s[i]!)) i++;
  let negative = false;
  if (i < n && (s[i] === 0x2b || s[i] === 0x2d)) negative = s[i++] === 0x2d;
  if (i < n && s[i] === 0x5f) throw invalid();
  const digitStart = i;
  let digits = 0;
  let prev = 0;
  while (i < n && (isDigit(s[i]!) || s[i] === 0x5f)) {
    if (s[i] === 0x5f) {
      if (prev === 0x5f) throw invalid();
    } else {
      digits++;
    }
    prev = s[i++]!;
  }
  if (prev === 0x5f) throw invalid();
  if (digits > 4300) {
    throw valueError(
      `Exceeds the limit (4300 digits) for integer string conversion: value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  if (digits === 0) throw invalid();
  const digitEnd = i;
  while (i < n && isSpace(s[i]!)) i++;
  if (i !== n) throw invalid();
  const value = BigInt(latin1(s.subarray(digitStart, digitEnd)).replace(/_/g, ''));
  return negative ? -value : value;
}

const SPECIAL_FLOAT_TEXT = /^([+-]?)(inf|infinity|nan)$/i;

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

/** The longest float text read (longer would near the longest string V8 makes). */
const MAX_FLOAT_TEXT = 1 << 28;

/** `float(bytes)`, with CPython's message. Checked on the bytes; a string is made only of a valid literal. */
export function parseFloatText(s: Uint8Array): number {
  const invalid = () => valueError(`could not convert string to float: ${reprForMessage(s)}`);
  for (let i = 0; i < s.length; i++) {
    if (s[i] === 0x5f && !(i > 0 && isDigit(s[i - 1]!) && i + 1 < s.length && isDigit(s[i + 1]!))) throw invalid();
  }
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a]!)) a++;
  while (b > a && isSpace(s[b - 1]!)) b--;
  if (b - a <= 9) {
    const special = SPECIAL_FLOAT_TEXT.exec(latin1(s.subarray(a, b)));
    if (special) {
      if (special[2]!.toLowerCase() === 'nan') return NaN;
      return special[1] === '-' ? -Infinity : Infinity;
    }
  }
  if (!isDecimalFloat(s, a, b)) throw invalid();
  if (b - a > MAX_FLOAT_TEXT) throw new PortLimitError(`a float of ${b - a} bytes of text is longer than this port reads (${MAX_FLOAT_TEXT})`);
  return Number(latin1(s.subarray(a, b)).replace(/_/g, ''));
}

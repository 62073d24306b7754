// Python's text decoders as CPython runs them: UTF-8 with "surrogatepass" (BINUNICODE), raw-
// unicode-escape (protocol 0 UNICODE), codecs.escape_decode (protocol 0 STRING) and strict ASCII.
// They decode to code points, not JavaScript strings: Python keeps a high and a low surrogate
// apart as two code points, which a string cannot tell from the astral character they spell. The
// two Unicode decoders work in pieces, so a long text can be checked, and later decoded again,
// without holding all its code points. Bad input is reported, not thrown: a DecodeFailure carries
// the exception CPython raises, position and reason included in its message. The unpickler needs
// only to know that the input is bad (text.ts wraps these, with fast paths for valid text); the
// disassembler prints what pickletools prints.

/** The exception Python's decoder raises for bad input, worded as CPython words it. */
export class DecodeFailure {
  constructor(
    readonly pythonType: 'UnicodeDecodeError' | 'ValueError',
    readonly message: string,
  ) {}
}

/** CPython's UnicodeDecodeError for bytes [start, end) of the input, which begin with `byte`. */
function unicodeDecodeFailure(encoding: string, start: number, end: number, byte: number, reason: string): DecodeFailure {
  const where = end === start + 1
    ? `byte 0x${byte.toString(16).padStart(2, '0')} in position ${start}`
    : `bytes in position ${start}-${end - 1}`;
  return new DecodeFailure('UnicodeDecodeError', `'${encoding}' codec can't decode ${where}: ${reason}`);
}

/** How far a CodePointDecoder has read, and why it stopped short, if it did. */
export interface DecodeState {
  at: number;
  failure: DecodeFailure | undefined;
}

/**
 * A decoder of bytes into code points: decodes from `state.at` until `out` is full, the bytes
 * end, or bad bytes (then `state.failure` is set and `state.at` is where they start); advances
 * `state.at` and returns the count written. Positions in failures count from the start of
 * `bytes`. Neither decoder writes more code points than it reads bytes.
 */
export type CodePointDecoder = (bytes: Uint8Array, state: DecodeState, out: Uint32Array) => number;

/** Every code point of `bytes`, or why Python refuses them. */
export function decodeAll(decode: CodePointDecoder, bytes: Uint8Array): Uint32Array | DecodeFailure {
  const out = new Uint32Array(bytes.length);
  const state: DecodeState = { at: 0, failure: undefined };
  const count = decode(bytes, state, out);
  return state.failure ?? out.subarray(0, count);
}

const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/**
 * `str(bytes, 'utf-8', 'surrogatepass')`: CPython's UTF-8 decoder, whose errors say where a bad
 * sequence starts and how long it is, and its surrogatepass handler, which lets an encoded
 * surrogate (U+D800..U+DFFF, ED A0 80..ED BF BF) through as its code point.
 */
export const decodeUtf8CodePoints: CodePointDecoder = (b, state, out) => {
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
    // decode to it; anything else is the decoder's error.
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
    state.failure = unicodeDecodeFailure('utf-8', s, errEnd, ch, reason);
    break;
  }
  state.at = s;
  return n;
};

/** The value of a hex digit's byte, or -1. */
function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/**
 * `str(bytes, 'raw-unicode-escape')`: each byte is the code point of the same value, except
 * `\uXXXX` and `\UXXXXXXXX`; a backslash before anything else stands for itself, and so does
 * the byte after it (so only an odd run of backslashes escapes).
 */
export const decodeRawUnicodeEscapeCodePoints: CodePointDecoder = (b, state, out) => {
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
    let cp = 0;
    for (; count > 0; s++, count--) {
      const digit = s < end ? hexDigit(b[s]!) : -1;
      if (digit < 0) break;
      cp = cp * 16 + digit;
    }
    if (count > 0 || cp > 0x10ffff) {
      const reason = count > 0
        ? (next === 0x75 ? 'truncated \\uXXXX escape' : 'truncated \\UXXXXXXXX escape')
        : '\\Uxxxxxxxx out of range';
      state.failure = unicodeDecodeFailure('rawunicodeescape', start, s, 0x5c, reason);
      s = start;
      break;
    }
    out[n++] = cp;
  }
  state.at = s;
  return n;
};

/**
 * `codecs.escape_decode(bytes[start, end))[0]`: Python's string escapes (the protocol 0 STRING
 * argument between its quotes). Positions in the failure count from `start`.
 */
export function escapeDecode(b: Uint8Array, start: number, end: number): Uint8Array | DecodeFailure {
  const out = new Uint8Array(end - start);
  let n = 0;
  let s = start;
  while (s < end) {
    if (b[s] !== 0x5c) {
      out[n++] = b[s++]!;
      continue;
    }
    s++;
    if (s === end) return new DecodeFailure('ValueError', 'Trailing \\ in string');
    const c = b[s++]!;
    switch (c) {
      case 0x0a: break; // backslash-newline: a line continuation, dropped
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
      case 0x78: { // \xhh: exactly two hex digits
        if (s + 1 < end) {
          const hi = hexDigit(b[s]!);
          const lo = hexDigit(b[s + 1]!);
          if (hi >= 0 && lo >= 0) {
            out[n++] = hi * 16 + lo;
            s += 2;
            break;
          }
        }
        return new DecodeFailure('ValueError', `invalid \\x escape at position ${s - 2 - start}`);
      }
      default:
        if (c >= 0x30 && c <= 0x37) { // \o, \oo, \ooo
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
  return n === out.length ? out : out.slice(0, n);
}

/** Why `bytes[start, end).decode('ascii')` fails (positions from `start`), or undefined when it does not. */
export function asciiFailure(bytes: Uint8Array, start: number, end: number): DecodeFailure | undefined {
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return unicodeDecodeFailure('ascii', i - start, i - start + 1, bytes[i]!, 'ordinal not in range(128)');
  }
  return undefined;
}

// The disassembler: what `python -m pickletools` prints, text for text. It is a port of
// pickletools.dis() (CPython 3.11) over the opcode table in opcodes.ts: the same offsets, opcode
// characters, MARK indentation, argument reprs, memo annotations and sanity checks, and the same
// error, raised at the same point, where pickletools raises one. No Node imports.
import { PickleError, type PickleErrorCode } from './errors.js';
import { decodeLong } from './numbers.js';
import { type ArgumentKind, OPCODE_BY_CODE, type OpcodeInfo } from './opcodes.js';
import { codePointLength, IntTooLongError, reprByteArray, reprBytes, reprCodePoints, reprFloat, reprInt } from './python-repr.js';

/** The Python exception pickletools raises for a malformed pickle. */
export type DisassemblyErrorType = 'ValueError' | 'UnicodeDecodeError' | 'IndexError';

/**
 * pickletools.dis() raised: the pickle is malformed. `output` holds what was printed before the
 * failure (pickletools prints as it goes), `pythonType` and `reason` the exception Python raises.
 */
export class DisassemblyError extends PickleError {
  override name = 'DisassemblyError';
  static override defaultCode: PickleErrorCode = 'DISASSEMBLY';
  constructor(
    /** The Python exception class: ValueError, UnicodeDecodeError or IndexError. */
    readonly pythonType: DisassemblyErrorType,
    /** The exception message, as Python words it. */
    readonly reason: string,
    /** The disassembly printed before the failure. */
    readonly output: string,
    /** Offset of the opcode being disassembled when it failed. */
    readonly offset: number,
  ) {
    super(`${pythonType}: ${reason}`);
  }
}

/** The memo a disassembly records (pickletools' `memo` argument): pass one to several calls to
 * disassemble pickles written by one Pickler (`python -m pickletools --memo`). */
export type DisassemblyMemo = Map<string, string>;

export interface DisassembleOptions {
  /** Blanks per MARK level. Default 4. */
  indentLevel?: number;
  /** Column hint for a one-line description of each opcode; 0 (default) for none. `-a` is 30. */
  annotate?: number;
  /** The memo, kept across calls when the same map is passed again. Default: a fresh one. */
  memo?: DisassemblyMemo;
  /** Offset of the pickle in `data`; offsets are printed relative to the start of `data`. */
  start?: number;
  /**
   * Receives the text as it is produced, in pieces, instead of collecting it: for big pickles.
   * The result's `text` (and a DisassemblyError's `output`) is then empty.
   */
  write?: (text: string) => void;
}

export interface Disassembly {
  /** The text pickletools prints, lines ending in "\n". */
  readonly text: string;
  /** Offset just past the STOP opcode: where the next pickle in the data starts. */
  readonly end: number;
  /** The highest protocol among the opcodes seen. */
  readonly highestProtocol: number;
}

/** A Python exception inside the port; becomes a DisassemblyError carrying the output. */
class PyError extends Error {
  constructor(
    readonly pythonType: DisassemblyErrorType,
    message: string,
  ) {
    super(message);
  }
}

const valueError = (message: string) => new PyError('ValueError', message);

/** An argument as pickletools' readers return it. */
type Arg =
  | { readonly kind: 'int'; readonly value: bigint | 'huge' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'str'; readonly value: ArrayLike<number> }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'bytearray'; readonly value: Uint8Array }
  | { readonly kind: 'float'; readonly value: number };

function reprArg(arg: Arg): string {
  switch (arg.kind) {
    case 'int':
      if (arg.value === 'huge') throw new IntTooLongError();
      return reprInt(arg.value);
    case 'bool':
      return arg.value ? 'True' : 'False';
    case 'str':
      return reprCodePoints(arg.value);
    case 'bytes':
      return reprBytes(arg.value);
    case 'bytearray':
      return reprByteArray(arg.value);
    case 'float':
      return reprFloat(arg.value);
  }
}

/** The memo key Python would use: ints and bools hash alike (True == 1). */
function memoKey(arg: Arg | null): string | null {
  if (arg === null) return null;
  if (arg.kind === 'int') return typeof arg.value === 'bigint' ? arg.value.toString() : null;
  if (arg.kind === 'bool') return arg.value ? '1' : '0';
  return null;
}

// ---- text codecs with CPython's error messages --------------------------------------------

function unicodeDecodeError(codec: string, start: number, end: number, byte: number, reason: string): PyError {
  const where = end === start + 1
    ? `byte 0x${byte.toString(16).padStart(2, '0')} in position ${start}`
    : `bytes in position ${start}-${end - 1}`;
  return new PyError('UnicodeDecodeError', `'${codec}' codec can't decode ${where}: ${reason}`);
}

const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/** `str(bytes, 'utf-8', 'surrogatepass')` as code points, with CPython's error positions. */
function decodeUtf8SurrogatePass(b: Uint8Array): number[] {
  const out: number[] = [];
  const end = b.length;
  let s = 0;
  while (s < end) {
    const ch = b[s]!;
    if (ch < 0x80) {
      out.push(ch);
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
        out.push(((ch & 0x1f) << 6) | (b[s + 1]! & 0x3f));
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
        out.push(((ch & 0x0f) << 12) | ((ch2! & 0x3f) << 6) | (b[s + 2]! & 0x3f));
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
        out.push(((ch & 0x07) << 18) | ((ch2! & 0x3f) << 12) | ((b[s + 2]! & 0x3f) << 6) | (b[s + 3]! & 0x3f));
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
        out.push(cp);
        s += 3;
        continue;
      }
    }
    const errEnd = err === 0 ? end : err === 1 ? s + 1 : s + err - 1;
    const reason = err === 0 ? 'unexpected end of data' : err === 1 ? 'invalid start byte' : 'invalid continuation byte';
    throw unicodeDecodeError('utf-8', s, errEnd, ch, reason);
  }
  return out;
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** `str(bytes, 'raw-unicode-escape')` as code points. */
function decodeRawUnicodeEscape(b: Uint8Array): number[] {
  const out: number[] = [];
  const end = b.length;
  let s = 0;
  while (s < end) {
    const c = b[s++]!;
    if (c !== 0x5c || s >= end) {
      out.push(c);
      continue;
    }
    const next = b[s++]!;
    if (next !== 0x75 && next !== 0x55) {
      out.push(0x5c, next);
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
    out.push(cp);
  }
  return out;
}

/** `codecs.escape_decode(bytes)[0]`. */
function escapeDecode(b: Uint8Array): Uint8Array {
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
function decodeAscii(b: Uint8Array): Uint8Array {
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
function parseInt10(s: Uint8Array): bigint {
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

const FLOAT_TEXT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_FLOAT_TEXT = /^([+-]?)(inf|infinity|nan)$/i;

/** `float(bytes)`, with CPython's message. */
function parseFloatText(s: Uint8Array): number {
  const invalid = () => valueError(`could not convert string to float: ${reprBytes(s)}`);
  let text = latin1(s);
  if (text.includes('_')) {
    for (let i = 0; i < s.length; i++) {
      if (s[i] === 0x5f && !(i > 0 && isDigit(s[i - 1]!) && i + 1 < s.length && isDigit(s[i + 1]!))) throw invalid();
    }
    text = text.replace(/_/g, '');
  }
  let a = 0;
  let b = text.length;
  while (a < b && isSpace(text.charCodeAt(a))) a++;
  while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
  text = text.slice(a, b);
  const special = SPECIAL_FLOAT_TEXT.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_TEXT.test(text)) throw invalid();
  return Number(text);
}

// ---- the argument readers -------------------------------------------------------------------

const SYS_MAXSIZE = (1n << 63n) - 1n;

class Reader {
  pos: number;
  constructor(
    readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /** BytesIO.read(n): up to n bytes. */
  read(n: number | bigint): Uint8Array {
    const left = this.data.length - this.pos;
    const take = typeof n === 'bigint' ? (n > BigInt(left) ? left : Number(n)) : Math.min(n, left);
    const out = this.data.subarray(this.pos, this.pos + take);
    this.pos += take;
    return out;
  }

  /** BytesIO.readline(): through the next newline, or to the end. */
  readline(): { line: Uint8Array; newline: boolean } {
    const at = this.data.indexOf(0x0a, this.pos);
    const end = at < 0 ? this.data.length : at + 1;
    const line = this.data.subarray(this.pos, at < 0 ? end : at);
    this.pos = end;
    return { line, newline: at >= 0 };
  }

  fixed(n: number, what: string): DataView {
    const bytes = this.read(n);
    if (bytes.length !== n) throw valueError(`not enough data in stream to read ${what}`);
    return new DataView(bytes.buffer, bytes.byteOffset, n);
  }

  uint1(): number {
    return this.fixed(1, 'uint1').getUint8(0);
  }

  uint2(): number {
    return this.fixed(2, 'uint2').getUint16(0, true);
  }

  int4(): number {
    return this.fixed(4, 'int4').getInt32(0, true);
  }

  uint4(): number {
    return this.fixed(4, 'uint4').getUint32(0, true);
  }

  uint8(): bigint {
    return this.fixed(8, 'uint8').getBigUint64(0, true);
  }

  /** read_stringnl: the line without its newline, quotes stripped and escapes decoded on request. */
  stringnl(decode: boolean, stripQuotes: boolean): Uint8Array {
    const { line, newline } = this.readline();
    if (!newline) throw valueError('no newline found when trying to read stringnl');
    let data = line;
    if (stripQuotes) {
      let quoted = false;
      for (const q of [0x22, 0x27]) {
        if (data.length > 0 && data[0] === q) {
          if (data[data.length - 1] !== q) {
            throw valueError(`strinq quote ${reprBytes([q])} not found at both ends of ${reprBytes(data)}`);
          }
          data = data.subarray(1, Math.max(1, data.length - 1));
          quoted = true;
          break;
        }
      }
      if (!quoted) throw valueError(`no string quotes around ${reprBytes(data)}`);
    }
    if (decode) data = decodeAscii(escapeDecode(data));
    return data;
  }

  counted(n: number | bigint, what: string): Uint8Array {
    const data = this.read(n);
    if (BigInt(data.length) !== BigInt(n)) {
      throw valueError(`expected ${n} bytes in a ${what}, but only ${data.length} remain`);
    }
    return data;
  }

  long(n: number, what: string): Arg {
    const data = this.read(n);
    if (data.length !== n) throw valueError(`not enough data in stream to read ${what}`);
    return { kind: 'int', value: decodeLongArg(data) };
  }

  arg(kind: ArgumentKind): Arg {
    switch (kind) {
      case 'uint1':
        return { kind: 'int', value: BigInt(this.uint1()) };
      case 'uint2':
        return { kind: 'int', value: BigInt(this.uint2()) };
      case 'int4':
        return { kind: 'int', value: BigInt(this.int4()) };
      case 'uint4':
        return { kind: 'int', value: BigInt(this.uint4()) };
      case 'uint8':
        return { kind: 'int', value: this.uint8() };
      case 'float8':
        return { kind: 'float', value: this.fixed(8, 'float8').getFloat64(0, false) };
      case 'stringnl':
        return { kind: 'str', value: this.stringnl(true, true) };
      case 'stringnl_noescape':
        return { kind: 'str', value: this.stringnl(true, false) };
      case 'stringnl_noescape_pair': {
        const module = this.stringnl(true, false);
        const name = this.stringnl(true, false);
        const pair = new Uint8Array(module.length + 1 + name.length);
        pair.set(module);
        pair[module.length] = 0x20;
        pair.set(name, module.length + 1);
        return { kind: 'str', value: pair };
      }
      case 'string1':
        return { kind: 'str', value: this.counted(this.uint1(), 'string1') };
      case 'string4': {
        const n = this.int4();
        if (n < 0) throw valueError(`string4 byte count < 0: ${n}`);
        return { kind: 'str', value: this.counted(n, 'string4') };
      }
      case 'bytes1':
        return { kind: 'bytes', value: this.counted(this.uint1(), 'bytes1') };
      case 'bytes4':
        return { kind: 'bytes', value: this.counted(this.uint4(), 'bytes4') };
      case 'bytes8':
      case 'bytearray8': {
        const n = this.uint8();
        if (n > SYS_MAXSIZE) throw valueError(`${kind} byte count > sys.maxsize: ${n}`);
        const data = this.counted(n, kind);
        return kind === 'bytes8' ? { kind: 'bytes', value: data } : { kind: 'bytearray', value: data };
      }
      case 'unicodestringnl': {
        const { line, newline } = this.readline();
        if (!newline) throw valueError('no newline found when trying to read unicodestringnl');
        return { kind: 'str', value: decodeRawUnicodeEscape(line) };
      }
      case 'unicodestring1':
        return { kind: 'str', value: decodeUtf8SurrogatePass(this.counted(this.uint1(), 'unicodestring1')) };
      case 'unicodestring4':
        return { kind: 'str', value: decodeUtf8SurrogatePass(this.counted(this.uint4(), 'unicodestring4')) };
      case 'unicodestring8': {
        const n = this.uint8();
        if (n > SYS_MAXSIZE) throw valueError(`unicodestring8 byte count > sys.maxsize: ${n}`);
        return { kind: 'str', value: decodeUtf8SurrogatePass(this.counted(n, 'unicodestring8')) };
      }
      case 'decimalnl_short': {
        const s = this.stringnl(false, false);
        if (s.length === 2 && s[0] === 0x30 && (s[1] === 0x30 || s[1] === 0x31)) {
          return { kind: 'bool', value: s[1] === 0x31 };
        }
        return { kind: 'int', value: parseInt10(s) };
      }
      case 'decimalnl_long': {
        let s = this.stringnl(false, false);
        if (s.length > 0 && s[s.length - 1] === 0x4c) s = s.subarray(0, s.length - 1);
        return { kind: 'int', value: parseInt10(s) };
      }
      case 'floatnl':
        return { kind: 'float', value: parseFloatText(this.stringnl(false, false)) };
      case 'long1':
        return this.long(this.uint1(), 'long1');
      case 'long4': {
        const n = this.int4();
        if (n < 0) throw valueError(`long4 byte count < 0: ${n}`);
        return this.long(n, 'long4');
      }
    }
  }
}

/** A LONG1/LONG4 payload as a bigint, or 'huge' when its decimal repr exceeds Python's limit. */
function decodeLongArg(data: Uint8Array): bigint | 'huge' {
  let length = data.length;
  if (length > 2000) {
    // Drop the sign-extension bytes; what is left decides the magnitude.
    const fill = (data[length - 1]! & 0x80) !== 0 ? 0xff : 0x00;
    let top = length - 1;
    while (top >= 0 && data[top] === fill) top--;
    length = Math.min(length, top + 2);
    if (length > 2000) return 'huge';
  }
  return BigInt(decodeLong(data, 0, length));
}

// ---- the disassembly ------------------------------------------------------------------------

/**
 * The annotation pickletools prints: the first line of the opcode's doc. The table keeps each
 * doc on one line, so the line is recovered as the first sentence, except for the four
 * memo-storing opcodes, whose first line runs on into a second sentence (with two spaces).
 */
function summary(op: OpcodeInfo): string {
  const own = (op as { summary?: unknown }).summary;
  if (typeof own === 'string') return own;
  const sentences = /^(.*?\.)(?:\s+(.*?\.))?(?=\s|$)/.exec(op.doc);
  if (!sentences) return op.doc;
  return PUTS.has(op.name) && sentences[2] !== undefined ? `${sentences[1]}  ${sentences[2]}` : sentences[1]!;
}

/** The opcode character as pickletools shows it: `repr(code)[1:-1]`. */
function codeText(code: number): string {
  if (code === 0x5c) return '\\\\';
  if (code === 0x27) return "'";
  if (code >= 0x20 && code < 0x7f) return String.fromCharCode(code);
  if (code === 0x09) return '\\t';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  return '\\x' + code.toString(16).padStart(2, '0');
}

const PUTS = new Set(['PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE']);
const GETS = new Set(['GET', 'BINGET', 'LONG_BINGET']);
const MARK = 'mark';

/**
 * Disassembles the pickle at `options.start` (default 0) through its STOP opcode, as
 * `pickletools.dis()` does. Throws DisassemblyError, carrying the text printed so far, where
 * pickletools raises.
 */
export function disassemble(data: Uint8Array, options: DisassembleOptions = {}): Disassembly {
  const indentChunk = ' '.repeat(Math.max(0, options.indentLevel ?? 4));
  const annotate = options.annotate ?? 0;
  const memo = options.memo ?? new Map<string, string>();
  const reader = new Reader(data, options.start ?? 0);
  const write = options.write;
  let out: string[] = [];
  const stack: string[] = [];
  const markStack: number[] = [];
  let maxProto = -1;
  let annoCol = annotate;
  let opPos = reader.pos;
  try {
    for (;;) {
      // genops: the opcode and its argument, before anything about it is printed.
      opPos = reader.pos;
      if (reader.pos >= data.length) throw valueError('pickle exhausted before seeing STOP');
      const code = data[reader.pos++]!;
      const op = OPCODE_BY_CODE[code];
      if (!op) throw valueError(`at position ${opPos}, opcode ${reprBytes([code])} unknown`);
      const arg = op.arg === null ? null : reader.arg(op.arg);

      out.push(`${String(opPos).padStart(5)}: `);
      let line = `${codeText(code).padEnd(4)} ${indentChunk.repeat(markStack.length)}${op.name}`;
      maxProto = Math.max(maxProto, op.proto);
      const before = op.stackBefore;
      let after: readonly string[] = op.stackAfter;
      let numToPop = before.length;

      let markMsg: string | null = null;
      let errorMsg: string | null = null;
      if (before.includes(MARK) || (op.name === 'POP' && stack.length > 0 && stack[stack.length - 1] === MARK)) {
        if (markStack.length > 0) {
          markMsg = `(MARK at ${markStack.pop()})`;
          // Pop everything at and after the topmost markobject.
          for (;;) {
            if (stack.length === 0) throw new PyError('IndexError', 'list index out of range');
            if (stack[stack.length - 1] === MARK) break;
            stack.pop();
          }
          stack.pop();
          const at = before.indexOf(MARK);
          numToPop = at < 0 ? 0 : at;
        } else {
          errorMsg = markMsg = 'no MARK exists on stack';
        }
      }

      if (PUTS.has(op.name)) {
        let key: string | null;
        if (op.name === 'MEMOIZE') {
          key = String(memo.size);
          markMsg = `(as ${memo.size})`;
        } else {
          key = memoKey(arg);
        }
        if (key !== null && memo.has(key)) {
          errorMsg = `memo key ${arg === null ? 'None' : reprArg(arg)} already defined`;
        } else if (stack.length === 0) {
          errorMsg = "stack is empty -- can't store into memo";
        } else if (stack[stack.length - 1] === MARK) {
          errorMsg = "can't store markobject in the memo";
        } else if (key !== null) {
          memo.set(key, stack[stack.length - 1]!);
        }
      } else if (GETS.has(op.name)) {
        const key = memoKey(arg);
        const stored = key === null ? undefined : memo.get(key);
        if (stored !== undefined) after = [stored];
        else errorMsg = `memo key ${arg === null ? 'None' : reprArg(arg)} has never been stored into`;
      }

      if (arg !== null || markMsg !== null) {
        line += ' '.repeat(Math.max(0, 10 - op.name.length));
        if (arg !== null) line += ' ' + reprArg(arg);
        if (markMsg !== null) line += ' ' + markMsg;
      }
      if (annotate) {
        line += ' '.repeat(Math.max(0, annoCol - codePointLength(line)));
        annoCol = codePointLength(line);
        if (annoCol > 50) annoCol = annotate;
        line += ' ' + summary(op);
      }
      out.push(line, '\n');
      if (write && out.length >= 4096) {
        write(out.join(''));
        out = [];
      }

      if (errorMsg !== null) throw valueError(errorMsg);
      if (stack.length < numToPop) {
        throw valueError(`tries to pop ${numToPop} items from stack with only ${stack.length} items`);
      }
      if (numToPop) stack.length -= numToPop;
      if (after.includes(MARK)) markStack.push(opPos);
      for (const item of after) stack.push(item);
      if (code === 0x2e) break; // STOP
    }
    out.push(`highest protocol among opcodes = ${maxProto}\n`);
    if (stack.length > 0) throw valueError(`stack not empty after STOP: [${stack.join(', ')}]`);
  } catch (error) {
    let output = out.join('');
    if (write) {
      write(output);
      output = '';
    }
    if (error instanceof PyError) throw new DisassemblyError(error.pythonType, error.message, output, opPos);
    if (error instanceof IntTooLongError) throw new DisassemblyError('ValueError', error.message, output, opPos);
    throw error;
  }
  let text = out.join('');
  if (write) {
    write(text);
    text = '';
  }
  return { text, end: reader.pos, highestProtocol: maxProto };
}

/** The disassembly of the first pickle in `data`, as `python -m pickletools FILE` prints it. */
export function dis(data: Uint8Array, options: DisassembleOptions = {}): string {
  return disassemble(data, options).text;
}

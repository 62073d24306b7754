// The disassembler: what `python -m pickletools` prints, text for text. It is a port of
// pickletools.dis() (CPython 3.11) over the opcode table in opcodes.ts: the same offsets, opcode
// characters, MARK indentation, argument reprs, memo annotations and sanity checks, and the same
// error, raised at the same point, where pickletools raises one. No Node imports.
import {
  decodeError,
  decodeOrRaise,
  escapeDecodeAscii,
  floatOf,
  intOf,
  PortLimitError,
  PyError,
  reprForMessage,
  valueError,
} from './disassemble-codecs.js';
import {
  type CodePointDecoder,
  decodeAll,
  DecodeFailure,
  decodeRawUnicodeEscapeCodePoints,
  type DecodeState,
  decodeUtf8CodePoints,
} from '../../codec/text-decoders.js';
import { type Arg, isLong, LONG_ARGUMENT, MAX_COLLECTED, OutputLimitError, putLongRepr, reprArg, TextSink, WriteFailure } from './disassemble-output.js';
import { PickleError, type PickleErrorCode } from '../../errors.js';
import { decodeLong } from '../../codec/numbers.js';
import { type ArgumentKind, OPCODE_BY_CODE, Opcode, type OpcodeInfo } from '../../protocol/opcodes.js';
import { codePointLength, IntTooLongError, reprBytes, reprStr } from '../../codec/python-repr.js';

/** The Python exception pickletools raises for a malformed pickle. */
export type DisassemblyErrorType = 'ValueError' | 'UnicodeDecodeError' | 'IndexError';

/**
 * pickletools.dis() raised: the pickle is malformed (code `DISASSEMBLY`). `output` holds what was
 * printed before the failure (pickletools prints as it goes), `pythonType` and `reason` the
 * exception Python raises. `pythonType` is null where pickletools would not have raised: an
 * option out of range (code `INVALID_ARGUMENT`), text beyond `maxOutputLength` (code
 * `FORMAT_LIMIT`), or a float literal of more than 2^28 bytes (code `LIMIT_EXCEEDED`).
 */
export class DisassemblyError extends PickleError {
  override name = 'DisassemblyError';
  static override defaultCode: PickleErrorCode = 'DISASSEMBLY';
  constructor(
    /** The Python exception class: ValueError, UnicodeDecodeError or IndexError; null for a limit or a bad option. */
    readonly pythonType: DisassemblyErrorType | null,
    /** The exception message, as Python words it. */
    readonly reason: string,
    /** The disassembly printed before the failure. */
    readonly output: string,
    /** Offset of the opcode being disassembled when it failed. */
    readonly offset: number,
    code?: PickleErrorCode,
  ) {
    super(pythonType === null ? reason : `${pythonType}: ${reason}`, { code });
  }
}

/** The memo a disassembly records (pickletools' `memo` argument): pass one to several calls to
 * disassemble pickles written by one Pickler (`python -m pickletools --memo`). */
export type DisassemblyMemo = Map<string, string>;

export interface DisassembleOptions {
  /** Blanks per MARK level, an integer (below 0 counts as 0). Default 4. */
  indentLevel?: number;
  /** Column hint for a one-line description of each opcode, an integer; 0 (default) for none. `-a` is 30. */
  annotate?: number;
  /** The memo, kept across calls when the same map is passed again. Default: a fresh one. */
  memo?: DisassemblyMemo;
  /** Offset of the pickle in `data`; offsets are printed relative to the start of `data`. */
  start?: number;
  /**
   * Receives the text as it is produced, in pieces of at most about 1 MiB, instead of
   * collecting it: for big pickles. The result's `text` (and a DisassemblyError's `output`) is
   * then empty.
   */
  write?: (text: string) => void;
  /**
   * The most characters of text produced before a DisassemblyError with code `FORMAT_LIMIT`.
   * pickletools' text grows with the square of the MARK nesting, and a long argument's repr can
   * be four times its bytes. Default: 2^28 when the text is collected, no limit with `write`.
   */
  maxOutputLength?: number;
}

export interface Disassembly {
  /** The text pickletools prints, lines ending in "\n". */
  readonly text: string;
  /** Offset just past the STOP opcode: where the next pickle in the data starts. */
  readonly end: number;
  /** The highest protocol among the opcodes seen. */
  readonly highestProtocol: number;
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
            throw valueError(`strinq quote ${reprBytes([q])} not found at both ends of ${reprForMessage(data)}`);
          }
          data = data.subarray(1, Math.max(1, data.length - 1));
          quoted = true;
          break;
        }
      }
      if (!quoted) throw valueError(`no string quotes around ${reprForMessage(data)}`);
    }
    if (decode) data = escapeDecodeAscii(data);
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
        return textArg(line, decodeRawUnicodeEscapeCodePoints);
      }
      case 'unicodestring1':
        return textArg(this.counted(this.uint1(), 'unicodestring1'), decodeUtf8CodePoints);
      case 'unicodestring4':
        return textArg(this.counted(this.uint4(), 'unicodestring4'), decodeUtf8CodePoints);
      case 'unicodestring8': {
        const n = this.uint8();
        if (n > SYS_MAXSIZE) throw valueError(`unicodestring8 byte count > sys.maxsize: ${n}`);
        return textArg(this.counted(n, 'unicodestring8'), decodeUtf8CodePoints);
      }
      case 'decimalnl_short': {
        const s = this.stringnl(false, false);
        if (s.length === 2 && s[0] === 0x30 && (s[1] === 0x30 || s[1] === 0x31)) {
          return { kind: 'bool', value: s[1] === 0x31 };
        }
        return { kind: 'int', value: intOf(s) };
      }
      case 'decimalnl_long': {
        let s = this.stringnl(false, false);
        if (s.length > 0 && s[s.length - 1] === 0x4c) s = s.subarray(0, s.length - 1);
        return { kind: 'int', value: intOf(s) };
      }
      case 'floatnl':
        return { kind: 'float', value: floatOf(this.stringnl(false, false)) };
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

/**
 * A str argument: its code points, or for a long one the bytes, checked now (pickletools decodes
 * before it prints anything of the opcode) and decoded again in pieces when printed.
 */
function textArg(bytes: Uint8Array, decode: CodePointDecoder): Arg {
  if (bytes.length <= LONG_ARGUMENT) {
    const codePoints = decodeAll(decode, bytes);
    if (codePoints instanceof DecodeFailure) throw decodeError(codePoints);
    return { kind: 'str', value: codePoints };
  }
  const scratch = new Uint32Array(LONG_ARGUMENT);
  const state: DecodeState = { at: 0, failure: undefined };
  let single = false;
  let double = false;
  while (state.at < bytes.length) {
    const count = decodeOrRaise(decode, bytes, state, scratch);
    for (let i = 0; i < count; i++) {
      if (scratch[i] === 0x27) single = true;
      else if (scratch[i] === 0x22) double = true;
    }
  }
  return { kind: 'text', bytes, decode, quote: single && !double ? 0x22 : 0x27 };
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
  return reprStr(String.fromCharCode(code)).slice(1, -1);
}

const PUTS = new Set(['PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE']);
const GETS = new Set(['GET', 'BINGET', 'LONG_BINGET']);
const MARK = 'mark';

/** The memo key Python would use: ints and bools hash alike (True == 1). */
function memoKey(arg: Arg | null): string | null {
  if (arg === null) return null;
  if (arg.kind === 'int') return typeof arg.value === 'bigint' ? arg.value.toString() : null;
  if (arg.kind === 'bool') return arg.value ? '1' : '0';
  return null;
}

/** Items of the stack listed in the "stack not empty" message; Python lists all of them. */
const MESSAGE_STACK_ITEMS = 100_000;

function stackList(stack: readonly string[]): string {
  if (stack.length <= MESSAGE_STACK_ITEMS) return `[${stack.join(', ')}]`;
  return `[${stack.slice(0, MESSAGE_STACK_ITEMS).join(', ')}, ... (${stack.length} items)]`;
}

/** An option the caller got wrong: a DisassemblyError with code INVALID_ARGUMENT. */
function badOption(message: string): DisassemblyError {
  return new DisassemblyError(null, message, '', 0, 'INVALID_ARGUMENT');
}

const describe = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

function integerOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw badOption(`${name} must be an integer, not ${describe(value)}`);
  return value;
}

interface Settings {
  readonly data: Uint8Array;
  readonly indentLevel: number;
  readonly annotate: number;
  readonly memo: DisassemblyMemo;
  readonly start: number;
  readonly write: ((text: string) => void) | undefined;
  readonly limit: number;
}

/** The arguments checked, so that nothing later fails on them with a TypeError. */
function settings(data: unknown, options: DisassembleOptions): Settings {
  if (options === null || typeof options !== 'object') throw badOption(`options must be an object, not ${describe(options)}`);
  const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : undefined;
  if (!bytes) throw badOption(`dis() expects a Uint8Array or ArrayBuffer, not ${data === null ? 'null' : typeof data === 'object' ? (data.constructor?.name ?? 'object') : typeof data}`);
  const start = integerOption(options.start, 'start', 0);
  if (start < 0 || start > bytes.length) throw badOption(`start must be from 0 to ${bytes.length}, not ${start}`);
  const memo = options.memo ?? new Map<string, string>();
  if (!(memo instanceof Map)) throw badOption('memo must be a Map');
  const write = options.write;
  if (write !== undefined && typeof write !== 'function') throw badOption('write must be a function');
  const limitOption = options.maxOutputLength;
  if (limitOption !== undefined && (typeof limitOption !== 'number' || !(limitOption >= 0) || (limitOption !== Infinity && !Number.isInteger(limitOption)))) {
    throw badOption(`maxOutputLength must be a non-negative integer or Infinity, not ${describe(limitOption)}`);
  }
  // Collected text is one string in the end, so it can be no longer than V8 makes one.
  const limit = write ? (limitOption ?? Infinity) : Math.min(limitOption ?? DEFAULT_MAX_COLLECTED, MAX_COLLECTED);
  return {
    data: bytes,
    indentLevel: Math.max(0, integerOption(options.indentLevel, 'indentLevel', 4)),
    annotate: integerOption(options.annotate, 'annotate', 0),
    memo,
    start,
    write,
    limit,
  };
}

/** The default `maxOutputLength` of collected text. */
const DEFAULT_MAX_COLLECTED = 2 ** 28;

/**
 * Disassembles the pickle at `options.start` (default 0) through its STOP opcode, as
 * `pickletools.dis()` does. Throws DisassemblyError, carrying the text printed so far, where
 * pickletools raises; and with a null `pythonType` for a bad option or text beyond
 * `maxOutputLength`. Work is linear in the input plus the text printed.
 */
export function disassemble(data: Uint8Array | ArrayBuffer, options: DisassembleOptions = {}): Disassembly {
  const { data: bytes, indentLevel, annotate, memo, start, write, limit } = settings(data, options);
  const reader = new Reader(bytes, start);
  const sink = new TextSink(write, limit);
  const stack: string[] = [];
  const markStack: number[] = [];
  let maxProto = -1;
  let annoCol = annotate;
  let opPos = reader.pos;
  try {
    for (;;) {
      // genops: the opcode and its argument, before anything about it is printed.
      opPos = reader.pos;
      if (reader.pos >= bytes.length) throw valueError('pickle exhausted before seeing STOP');
      const code = bytes[reader.pos++]!;
      const op = OPCODE_BY_CODE[code];
      if (!op) throw valueError(`at position ${opPos}, opcode ${reprBytes([code])} unknown`);
      const arg = op.arg === null ? null : reader.arg(op.arg);

      sink.put(`${String(opPos).padStart(5)}: `);
      const depth = markStack.length;
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

      // The line, printed in pieces: its indentation and a long argument's repr can be longer
      // than one string may be. A short repr is made first: it may raise, before any of the line.
      const long = arg !== null && isLong(arg);
      const argText = arg === null || long ? null : reprArg(arg);
      let lineLength = 0;
      const put = (text: string) => {
        sink.put(text);
        lineLength += annotate ? codePointLength(text) : text.length;
      };
      put(`${codeText(code).padEnd(4)} `);
      const indent = indentLevel * depth;
      sink.putSpaces(indent);
      lineLength += indent;
      put(op.name);
      if (arg !== null || markMsg !== null) {
        put(' '.repeat(Math.max(0, 10 - op.name.length)));
        if (arg !== null) {
          put(' ');
          if (long) putLongRepr(arg, put);
          else put(argText!);
        }
        if (markMsg !== null) put(' ' + markMsg);
      }
      if (annotate) {
        const pad = Math.max(0, annoCol - lineLength);
        sink.putSpaces(pad);
        annoCol = lineLength + pad;
        if (annoCol > 50) annoCol = annotate;
        sink.put(' ' + summary(op));
      }
      sink.put('\n');

      if (errorMsg !== null) throw valueError(errorMsg);
      if (stack.length < numToPop) {
        throw valueError(`tries to pop ${numToPop} items from stack with only ${stack.length} items`);
      }
      if (numToPop) stack.length -= numToPop;
      if (after.includes(MARK)) markStack.push(opPos);
      for (const item of after) stack.push(item);
      if (code === Opcode.STOP) break;
    }
    sink.put(`highest protocol among opcodes = ${maxProto}\n`);
    if (stack.length > 0) throw valueError(`stack not empty after STOP: ${stackList(stack)}`);
  } catch (error) {
    if (error instanceof WriteFailure) throw error.error;
    let output: string;
    try {
      output = sink.finish();
    } catch (failure) {
      throw failure instanceof WriteFailure ? failure.error : failure;
    }
    if (error instanceof PyError) throw new DisassemblyError(error.pythonType, error.message, output, opPos);
    if (error instanceof IntTooLongError) throw new DisassemblyError('ValueError', error.message, output, opPos);
    if (error instanceof OutputLimitError) {
      const where = write ? 'maxOutputLength' : 'maxOutputLength (pass write to stream the text instead)';
      throw new DisassemblyError(null, `the disassembly is longer than ${where}: ${limit} characters`, output, opPos, 'FORMAT_LIMIT');
    }
    if (error instanceof PortLimitError) throw new DisassemblyError(null, error.message, output, opPos, 'LIMIT_EXCEEDED');
    throw error;
  }
  let text: string;
  try {
    text = sink.finish();
  } catch (failure) {
    throw failure instanceof WriteFailure ? failure.error : failure;
  }
  return { text, end: reader.pos, highestProtocol: maxProto };
}

/** The disassembly of the first pickle in `data`, as `python -m pickletools FILE` prints it. */
export function dis(data: Uint8Array | ArrayBuffer, options: DisassembleOptions = {}): string {
  return disassemble(data, options).text;
}

// How the disassembler's text is made: argument reprs (whole, or in pieces for long arguments,
// so no repr has to fit in one string) and the sink that collects the text up to a limit or
// streams it in bounded pieces. No Node imports.
import { decodeOrRaise } from './disassemble-codecs.js';
import { type CodePointDecoder, type DecodeState } from '../../codec/text-decoders.js';
import { IntTooLongError, reprByteArray, reprBytes, reprCodePoints, reprFloat, reprInt, reprQuote } from '../../codec/python-repr.js';

/** An argument as pickletools' readers return it. */
export type Arg =
  | { readonly kind: 'int'; readonly value: bigint | 'huge' }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** A str as its code points (a Uint8Array when every code point is below 256). */
  | { readonly kind: 'str'; readonly value: Uint8Array | Uint32Array }
  /** A long str, checked already, decoded again piece by piece when printed. */
  | { readonly kind: 'text'; readonly bytes: Uint8Array; readonly decode: CodePointDecoder; readonly quote: number }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'bytearray'; readonly value: Uint8Array }
  | { readonly kind: 'float'; readonly value: number };

/** Arguments longer than this (in bytes or code points) print in pieces. */
export const LONG_ARGUMENT = 1 << 16;

/** Code points per piece of a long repr. */
const PIECE = 1 << 15;

/** Whether the argument prints in pieces (see {@link putLongRepr}). */
export function isLong(arg: Arg): boolean {
  switch (arg.kind) {
    case 'text':
      return true;
    case 'str':
    case 'bytes':
    case 'bytearray':
      return arg.value.length > LONG_ARGUMENT;
    default:
      return false;
  }
}

/** Python's repr of a short argument, as one string. Throws IntTooLongError as Python raises. */
export function reprArg(arg: Arg): string {
  switch (arg.kind) {
    case 'int':
      if (arg.value === 'huge') throw new IntTooLongError();
      return reprInt(arg.value);
    case 'bool':
      return arg.value ? 'True' : 'False';
    case 'str':
      return reprCodePoints(arg.value);
    case 'text':
      throw new Error('a long str prints in pieces');
    case 'bytes':
      return reprBytes(arg.value);
    case 'bytearray':
      return reprByteArray(arg.value);
    case 'float':
      return reprFloat(arg.value);
  }
}

/**
 * Each byte as it shows inside a bytes repr (quotes aside): up to four ASCII codes at 4 * byte
 * and their count, taken from reprBytes itself.
 */
let escapeCodes: Uint8Array | undefined;
let escapeLengths: Uint8Array | undefined;

const asciiDecoder = new TextDecoder('utf-8');

/** The body of a bytes repr for a run without quote characters: a table lookup per byte. */
function bytesRunText(run: Uint8Array): string {
  if (!escapeCodes || !escapeLengths) {
    escapeCodes = new Uint8Array(1024);
    escapeLengths = new Uint8Array(256);
    for (let b = 0; b < 256; b++) {
      const text = reprBytes([b]).slice(2, -1);
      escapeLengths[b] = text.length;
      for (let i = 0; i < text.length; i++) escapeCodes[4 * b + i] = text.charCodeAt(i);
    }
  }
  const codes = escapeCodes;
  const lengths = escapeLengths;
  const out = new Uint8Array(run.length * 4);
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const b = run[i]!;
    const length = lengths[b]!;
    const at = 4 * b;
    out[n] = codes[at]!;
    if (length > 1) {
      out[n + 1] = codes[at + 1]!;
      out[n + 2] = codes[at + 2]!;
      out[n + 3] = codes[at + 3]!;
    }
    n += length;
  }
  return asciiDecoder.decode(out.subarray(0, n));
}

/**
 * The body of a repr (between its quotes) in pieces. Runs without quote characters go through
 * the repr functions whole (their quote choice cannot matter there); each quote character is
 * written here, escaped when it is the repr's own quote.
 */
function putBody(codePoints: Uint8Array | Uint32Array, quote: number, bytes: boolean, put: (text: string) => void): void {
  let runStart = 0;
  const n = codePoints.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? codePoints[i]! : -1;
    const isQuote = c === 0x27 || c === 0x22;
    if (!isQuote && c !== -1 && i - runStart < PIECE) continue;
    if (i > runStart) {
      const run = codePoints.subarray(runStart, i);
      put(bytes ? bytesRunText(run as Uint8Array) : reprCodePoints(run).slice(1, -1));
    }
    if (isQuote) {
      put(c === quote ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c));
      runStart = i + 1;
    } else {
      runStart = i;
    }
  }
}

/** Python's repr of a long str, bytes or bytearray argument, written in pieces. */
export function putLongRepr(arg: Arg, put: (text: string) => void): void {
  switch (arg.kind) {
    case 'str': {
      const quote = reprQuote(arg.value);
      put(String.fromCharCode(quote));
      putBody(arg.value, quote, false, put);
      put(String.fromCharCode(quote));
      return;
    }
    case 'text': {
      const q = String.fromCharCode(arg.quote);
      put(q);
      const scratch = new Uint32Array(PIECE);
      const state: DecodeState = { at: 0, failure: undefined };
      while (state.at < arg.bytes.length) {
        const count = decodeOrRaise(arg.decode, arg.bytes, state, scratch);
        putBody(scratch.subarray(0, count), arg.quote, false, put);
      }
      put(q);
      return;
    }
    case 'bytes':
    case 'bytearray': {
      const quote = reprQuote(arg.value);
      const q = String.fromCharCode(quote);
      put(arg.kind === 'bytes' ? `b${q}` : `bytearray(b${q}`);
      putBody(arg.value, quote, true, put);
      put(arg.kind === 'bytes' ? q : `${q})`);
      return;
    }
    default:
      put(reprArg(arg));
  }
}

/** The collected text would pass the output limit. */
export class OutputLimitError extends Error {}

/** An error the caller's `write` threw: passed on to the caller untouched. */
export class WriteFailure extends Error {
  constructor(readonly error: unknown) {
    super("write failed");
  }
}

/** Characters (or pieces) gathered before they are joined and written or kept. */
const FLUSH_CHARS = 1 << 16;
const FLUSH_PIECES = 4096;

/** The longest text collected into one string: V8's own limit on a string's length. */
export const MAX_COLLECTED = 2 ** 29 - 24;

/**
 * Where the text goes: to `write` in joined pieces of about 64 KiB, or collected in blocks of that
 * size (never one array entry per piece, never a string past `limit`).
 */
export class TextSink {
  #pieces: string[] = [];
  #pending = 0;
  readonly #blocks: string[] = [];
  #total = 0;

  constructor(
    private readonly write: ((text: string) => void) | undefined,
    private readonly limit: number,
  ) {}

  put(text: string): void {
    const total = this.#total + text.length;
    if (total > this.limit) throw new OutputLimitError();
    this.#total = total;
    this.#pieces.push(text);
    this.#pending += text.length;
    if (this.#pending >= FLUSH_CHARS || this.#pieces.length >= FLUSH_PIECES) this.#flush();
  }

  /** Writes `count` blanks in pieces. */
  putSpaces(count: number): void {
    while (count > 0) {
      const take = Math.min(count, FLUSH_CHARS);
      this.put(spaces(take));
      count -= take;
    }
  }

  #flush(): void {
    if (this.#pieces.length === 0) return;
    const block = this.#pieces.length === 1 ? this.#pieces[0]! : this.#pieces.join('');
    this.#pieces = [];
    this.#pending = 0;
    if (!this.write) {
      this.#blocks.push(block);
      return;
    }
    try {
      this.write(block);
    } catch (error) {
      throw new WriteFailure(error);
    }
  }

  /** Passes on what is pending; returns the collected text ('' when streaming). */
  finish(): string {
    this.#flush();
    return this.#blocks.join('');
  }
}

let blanks = '';

/** `count` blanks (at most FLUSH_CHARS), from one string made once. */
function spaces(count: number): string {
  if (blanks.length < count) blanks = ' '.repeat(FLUSH_CHARS);
  return count === blanks.length ? blanks : blanks.slice(0, count);
}

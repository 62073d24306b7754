// Finds where each pickle of a byte stream ends, one chunk at a time, without loading it: a
// resumable walk over opcodes and their arguments (lengths come from the opcode table and the
// length prefixes; protocol 0/1 text arguments end at a newline). FRAME headers are stepped over
// like any other opcode, so the opcodes inside a frame are walked as well.
import { UnpicklingError } from '../errors.js';
import { ARGUMENT_WIDTH, OPCODES, Opcode } from '../protocol/opcodes.js';

// What follows each opcode byte.
const UNKNOWN = 0;
const NO_ARGUMENT = 1;
const FIXED = 2; // ARG_SIZE bytes
const PREFIXED = 3; // a little-endian length of ARG_SIZE bytes (SIGNED or not), then that many bytes
const LINES = 4; // ARG_SIZE newline-terminated lines

const ARG_KIND = new Uint8Array(256);
const ARG_SIZE = new Uint8Array(256);
const SIGNED = new Uint8Array(256);
const NAMES: string[] = [];
for (const op of OPCODES) {
  NAMES[op.code] = op.name;
  if (op.arg === null) {
    ARG_KIND[op.code] = NO_ARGUMENT;
    continue;
  }
  const width = ARGUMENT_WIDTH[op.arg];
  if (width > 0) {
    ARG_KIND[op.code] = FIXED;
    ARG_SIZE[op.code] = width;
  } else if (width === -1) {
    ARG_KIND[op.code] = LINES;
    ARG_SIZE[op.code] = op.arg === 'stringnl_noescape_pair' ? 2 : 1;
  } else {
    ARG_KIND[op.code] = PREFIXED;
    ARG_SIZE[op.code] = width === -2 ? 1 : width === -5 ? 8 : 4;
    SIGNED[op.code] = width === -3 ? 1 : 0;
  }
}

// Where the walk stands between two bytes.
const AT_OPCODE = 0;
const IN_FIXED = 1;
const IN_PREFIX = 2;
const IN_PAYLOAD = 3;
const IN_LINES = 4;

/**
 * Walks the opcodes of one pickle after another. `scan(chunk, from)` returns the index just past
 * the STOP that ends the current pickle, or -1 when the chunk ends first (the walk resumes where
 * it stopped with the next chunk). Bytes are only looked at, never kept.
 */
export class PickleBoundaryScanner {
  readonly #maxPickleBytes: number;
  #state = AT_OPCODE;
  /** Bytes of the current pickle walked so far. */
  #walked = 0;
  /** The current opcode and its offset in the pickle (for errors). */
  #opcode = 0;
  #opcodeOffset = 0;
  /** IN_FIXED, IN_PAYLOAD: bytes still to skip. IN_PREFIX: length bytes still to read. IN_LINES: newlines still to find. */
  #remaining = 0;
  /** IN_PREFIX: the length read so far and the weight of its next byte. */
  #length = 0;
  #weight = 1;

  constructor(maxPickleBytes: number) {
    this.#maxPickleBytes = maxPickleBytes;
  }

  /** True between pickles: no byte of the next one has been seen. */
  get atPickleStart(): boolean {
    return this.#walked === 0;
  }

  /** Bytes of the current (unfinished) pickle walked so far. */
  get walked(): number {
    return this.#walked;
  }

  scan(chunk: Uint8Array, from: number): number {
    const end = chunk.length;
    let pos = from;
    let state = this.#state;
    let remaining = this.#remaining;
    // Offset in the pickle of chunk[0]: walked counts bytes before `from`.
    const base = this.#walked - from;
    try {
      while (pos < end) {
        switch (state) {
          case AT_OPCODE: {
            // The common case, opcodes and short arguments, stays in this loop.
            const code = chunk[pos]!;
            const kind = ARG_KIND[code]!;
            this.#opcode = code;
            this.#opcodeOffset = base + pos;
            pos++;
            if (kind === NO_ARGUMENT) {
              if (code === Opcode.STOP) {
                this.#walked = 0;
                state = AT_OPCODE;
                this.#checkSize(base + pos);
                return pos;
              }
            } else if (kind === FIXED) {
              const size = ARG_SIZE[code]!;
              if (end - pos >= size) pos += size;
              else {
                remaining = size - (end - pos);
                pos = end;
                state = IN_FIXED;
              }
            } else if (kind === PREFIXED) {
              state = IN_PREFIX;
              remaining = ARG_SIZE[code]!;
              this.#length = 0;
              this.#weight = 1;
            } else if (kind === LINES) {
              state = IN_LINES;
              remaining = ARG_SIZE[code]!;
            } else {
              throw new UnpicklingError(`invalid load key, '\\x${code.toString(16).padStart(2, '0')}': not a pickle opcode`, {
                offset: base + pos - 1,
                code: 'UNKNOWN_OPCODE',
              });
            }
            break;
          }
          case IN_FIXED: {
            const take = Math.min(remaining, end - pos);
            pos += take;
            remaining -= take;
            if (remaining === 0) state = AT_OPCODE;
            break;
          }
          case IN_PREFIX: {
            this.#length += chunk[pos++]! * this.#weight;
            this.#weight *= 256;
            if (--remaining === 0) {
              let length = this.#length;
              if (SIGNED[this.#opcode] && length >= 2 ** 31) {
                length -= 2 ** 32;
                this.#fail(`${NAMES[this.#opcode]} has a negative length (${length})`, 'INVALID_PICKLE');
              }
              // Known before any of the argument is buffered.
              if (base + pos + length > this.#maxPickleBytes) this.#tooLarge(base + pos + length);
              remaining = length;
              state = remaining === 0 ? AT_OPCODE : IN_PAYLOAD;
            }
            break;
          }
          case IN_PAYLOAD: {
            const take = Math.min(remaining, end - pos);
            pos += take;
            remaining -= take;
            if (remaining === 0) state = AT_OPCODE;
            break;
          }
          case IN_LINES: {
            const newline = chunk.indexOf(0x0a, pos);
            if (newline < 0) pos = end;
            else {
              pos = newline + 1;
              if (--remaining === 0) state = AT_OPCODE;
            }
            break;
          }
        }
      }
      this.#walked = base + pos;
      this.#checkSize(this.#walked);
      return -1;
    } finally {
      this.#state = state;
      this.#remaining = remaining;
    }
  }

  #checkSize(size: number): void {
    if (size > this.#maxPickleBytes) this.#tooLarge(size);
  }

  #tooLarge(size: number): never {
    throw new UnpicklingError(`pickle of at least ${size} bytes exceeds maxPickleBytes (${this.#maxPickleBytes})`, {
      offset: this.#opcodeOffset,
      opcode: NAMES[this.#opcode],
      code: 'LIMIT_EXCEEDED',
    });
  }

  #fail(reason: string, code: 'INVALID_PICKLE'): never {
    throw new UnpicklingError(reason, { offset: this.#opcodeOffset, opcode: NAMES[this.#opcode], code });
  }
}

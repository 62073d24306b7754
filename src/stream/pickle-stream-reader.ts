// The push form of the stream reader: feed chunks as they arrive, get the values of the pickles
// they complete. Each pickle is loaded once, from exactly its own bytes, when its STOP arrives.
import { UnpicklingError } from '../errors.js';
import { Unpickler, replaceInput, type LoadOptions } from '../codec/unpickler.js';
import { PickleBoundaryScanner } from './pickle-boundary.js';

/** Options of `readPickles` and `PickleStreamReader`: those of `loads`, and a size limit per pickle. */
export interface StreamReadOptions extends LoadOptions {
  /**
   * Largest single pickle accepted, in bytes; a larger one is an UnpicklingError with code
   * 'LIMIT_EXCEEDED', raised before more than that (plus the chunk at hand) is buffered.
   * Default: `maxInputBytes`, or 2 GiB.
   */
  maxPickleBytes?: number;
}

const EMPTY = new Uint8Array(0);
/** A pending buffer larger than this is dropped after its pickle, not kept for the next. */
const KEEP_BUFFER_BYTES = 1 << 20;

/**
 * Reads a stream of pickles pushed chunk by chunk (socket 'data' events, a WebSocket's messages),
 * the chunk boundaries anywhere. `push(chunk)` returns the values of the pickles the chunk
 * completes; `end()` says the stream is over. Chunks may be reused by the caller after `push`.
 *
 * Errors are UnpicklingErrors: code 'TRUNCATED' when the stream ends inside a pickle,
 * 'UNKNOWN_OPCODE' or 'INVALID_PICKLE' for corrupt bytes, 'LIMIT_EXCEEDED' past maxPickleBytes.
 * When a chunk completes some pickles and then fails, `push` returns those values and the error
 * is thrown by the next `push` or `end` (and is `error` at once); the reader stays failed.
 */
export class PickleStreamReader {
  readonly #scanner: PickleBoundaryScanner;
  readonly #unpickler: Unpickler;
  /** The bytes of the current pickle that came in earlier chunks (copied: chunks may be reused). */
  #pending: Uint8Array = EMPTY;
  #pendingLength = 0;
  /** Stream offset of the current pickle's first byte. */
  #pickleStart = 0;
  #picklesRead = 0;
  #error: UnpicklingError | undefined;
  #ended = false;

  constructor(options: StreamReadOptions = {}) {
    const { maxPickleBytes, ...loadOptions } = options;
    const limit = maxPickleBytes ?? options.maxInputBytes ?? 2 ** 31;
    if (!(limit >= 0)) throw new UnpicklingError(`maxPickleBytes must be a non-negative number, not ${String(limit)}`, { code: 'INVALID_ARGUMENT' });
    this.#scanner = new PickleBoundaryScanner(limit);
    this.#unpickler = new Unpickler(EMPTY, loadOptions);
  }

  /** The error that stopped the reader, if one did. */
  get error(): UnpicklingError | undefined {
    return this.#error;
  }

  /** How many pickles have been read. */
  get picklesRead(): number {
    return this.#picklesRead;
  }

  /** True between pickles: the bytes pushed so far end exactly where a pickle ends. */
  get atPickleBoundary(): boolean {
    return this.#scanner.atPickleStart;
  }

  /** Feeds the next chunk; returns the values of the pickles it completes, in order. */
  push(chunk: Uint8Array): unknown[] {
    this.#checkUsable('push');
    if (!(chunk instanceof Uint8Array)) {
      throw new UnpicklingError(`a pickle stream's chunks must be Uint8Arrays (or Buffers), not ${chunk === null ? 'null' : typeof chunk}`, {
        code: 'INVALID_ARGUMENT',
      });
    }
    const values: unknown[] = [];
    let from = 0;
    try {
      while (from < chunk.length) {
        const stop = this.#scanWrapped(chunk, from);
        if (stop < 0) {
          this.#append(chunk, from, chunk.length);
          break;
        }
        values.push(this.#load(chunk, from, stop));
        from = stop;
      }
    } catch (error) {
      this.#error = error as UnpicklingError;
      if (values.length === 0) throw error;
    }
    return values;
  }

  /** Says the stream is over: an UnpicklingError ('TRUNCATED') if it ended inside a pickle. */
  end(): void {
    this.#checkUsable('end');
    this.#ended = true;
    if (!this.#scanner.atPickleStart) {
      this.#error = new UnpicklingError(
        `pickle data was truncated: the stream ended ${this.#scanner.walked} bytes into pickle ${this.#picklesRead + 1}`,
        { offset: this.#pickleStart + this.#scanner.walked, code: 'TRUNCATED' },
      );
      throw this.#error;
    }
  }

  #checkUsable(what: string): void {
    if (this.#error) throw this.#error;
    if (this.#ended) throw new UnpicklingError(`${what}() after end()`, { code: 'INVALID_ARGUMENT' });
  }

  #scanWrapped(chunk: Uint8Array, from: number): number {
    try {
      return this.#scanner.scan(chunk, from);
    } catch (error) {
      throw this.#inStream(error);
    }
  }

  /** Loads the pickle whose bytes are the pending ones and chunk[from, stop). */
  #load(chunk: Uint8Array, from: number, stop: number): unknown {
    let bytes: Uint8Array;
    if (this.#pendingLength === 0) {
      bytes = chunk.subarray(from, stop);
    } else {
      this.#append(chunk, from, stop);
      bytes = this.#pending.subarray(0, this.#pendingLength);
    }
    const size = bytes.length;
    replaceInput(this.#unpickler, bytes);
    let value: unknown;
    try {
      value = this.#unpickler.load();
    } catch (error) {
      throw this.#inStream(error);
    } finally {
      this.#pendingLength = 0;
      if (this.#pending.length > KEEP_BUFFER_BYTES) this.#pending = EMPTY;
      replaceInput(this.#unpickler, EMPTY);
    }
    this.#pickleStart += size;
    this.#picklesRead++;
    return value;
  }

  #append(chunk: Uint8Array, from: number, to: number): void {
    const needed = this.#pendingLength + (to - from);
    if (needed > this.#pending.length) {
      const grown = new Uint8Array(Math.max(needed, Math.min(this.#pending.length * 2, 2 ** 31), 4096));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(chunk.subarray(from, to), this.#pendingLength);
    this.#pendingLength = needed;
  }

  /** The error, its offset counted from the start of the stream. */
  #inStream(error: unknown): unknown {
    if (!(error instanceof UnpicklingError)) return error;
    const where = `pickle ${this.#picklesRead + 1} of the stream, which starts at byte ${this.#pickleStart}`;
    return new UnpicklingError(`${error.reason} (in ${where})`, {
      offset: error.offset === undefined ? this.#pickleStart : this.#pickleStart + error.offset,
      opcode: error.opcode,
      code: error.code,
      cause: error,
    });
  }
}

// The pull form of the stream reader: an async generator over any byte stream.
import { UnpicklingError } from '../errors.js';
import { describe } from '../values/describe.js';
import { PickleStreamReader, type StreamReadOptions } from './pickle-stream-reader.js';

/** What a web ReadableStream offers (declared here: the package's types need no DOM library). */
export interface WebReadableStreamLike {
  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; releaseLock(): void };
}

/** A byte source: a Node Readable or socket, a fetch body, any async iterable of Uint8Arrays. */
export type PickleByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | WebReadableStreamLike | Uint8Array;

/** The chunks of a source; a web ReadableStream without async iteration (Safari) is read by its reader. */
async function* chunksOf(source: PickleByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source !== null && typeof source === 'object') {
    if (Symbol.asyncIterator in source || Symbol.iterator in source) {
      yield* source as AsyncIterable<Uint8Array>;
      return;
    }
    if (typeof (source as WebReadableStreamLike).getReader === 'function') {
      const reader = (source as WebReadableStreamLike).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value!;
        }
      } finally {
        reader.releaseLock();
      }
    }
  }
  throw new UnpicklingError('readPickles() expects an async iterable of Uint8Arrays or a ReadableStream', { code: 'INVALID_ARGUMENT' });
}

/**
 * Yields the value of each pickle of a byte stream as soon as its last byte arrives, the chunk
 * boundaries anywhere. Each pickle is walked once to find its end and loaded once; memory is the
 * largest pickle plus a chunk. With `keepMemo`, the pickles share one memo, as the repeated
 * `dump()` calls of one Python Pickler need. The stream ending inside a pickle is an
 * UnpicklingError with code 'TRUNCATED'; corrupt bytes are 'UNKNOWN_OPCODE' or 'INVALID_PICKLE',
 * thrown after the values of the pickles before them. Given a class (`readPickles(socket, Order)`),
 * every value must be an instance of it, typed as one (SCHEMA_MISMATCH otherwise).
 */
export function readPickles<T>(source: PickleByteSource, cls: abstract new (...args: never[]) => T, options?: StreamReadOptions): AsyncGenerator<T, void, undefined>;
export function readPickles(source: PickleByteSource, options?: StreamReadOptions): AsyncGenerator<unknown, void, undefined>;
export function readPickles<T>(
  source: PickleByteSource,
  clsOrOptions?: (abstract new (...args: never[]) => T) | StreamReadOptions,
  maybeOptions?: StreamReadOptions,
): AsyncGenerator<unknown, void, undefined> {
  if (typeof clsOrOptions === 'function') return readTyped(source, clsOrOptions, maybeOptions);
  return readAll(source, clsOrOptions);
}

async function* readAll(source: PickleByteSource, options: StreamReadOptions | undefined): AsyncGenerator<unknown, void, undefined> {
  const reader = new PickleStreamReader(options);
  for await (const chunk of chunksOf(source)) {
    const values = reader.push(chunk);
    for (const value of values) yield value;
    if (reader.error) throw reader.error;
  }
  reader.end();
}

/** Each value must be an instance of `cls` (a registered class): another is a SCHEMA_MISMATCH error, after the values before it. */
async function* readTyped<T>(source: PickleByteSource, cls: abstract new (...args: never[]) => T, options: StreamReadOptions | undefined): AsyncGenerator<T, void, undefined> {
  let index = 0;
  for await (const value of readAll(source, options)) {
    if (!(value instanceof cls)) {
      throw new UnpicklingError(`pickle ${index} of the stream: expected a ${cls.name}, got ${describe(value)}`, { code: 'SCHEMA_MISMATCH' });
    }
    index++;
    yield value;
  }
}

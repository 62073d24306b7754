// Successive pickles written to a Node Writable or a web WritableStream, waiting when the sink
// asks for it (backpressure). Browser-safe: the Node Writable is used through its methods only.
import { PickleError } from '../errors.js';
import { Pickler, type DumpOptions } from '../codec/pickler.js';

/** What a Node Writable (a socket, a file stream, a pipe) offers: write() returning false means wait for 'drain'. */
export interface NodeWritableLike {
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  end(callback?: () => void): unknown;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  off(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

/** What a web WritableStream offers (declared here: the package's types need no DOM library). */
export interface WebWritableStreamLike {
  getWriter(): { readonly ready: Promise<unknown>; write(chunk: Uint8Array): Promise<void>; close(): Promise<void> };
}

/** A sink for `writePickles`. */
export type PickleSink = NodeWritableLike | WebWritableStreamLike;

/** Writes one pickle per `write(value)`; see `writePickles`. */
export interface PickleStreamWriter {
  /** Pickles `value` and writes it; resolves once the sink can take more. */
  write(value: unknown): Promise<void>;
  /** Waits for what was written, then ends (closes) the sink. */
  close(): Promise<void>;
}

function isWebWritable(sink: PickleSink): sink is WebWritableStreamLike {
  return typeof (sink as WebWritableStreamLike).getWriter === 'function';
}

/**
 * Writes successive pickles to `sink`, each `write(value)` one pickle, as repeated
 * `pickle.dump(value, file)` calls do; with `keepMemo`, as repeated `dump()` calls of one Python
 * Pickler do (read them with `readPickles(source, { keepMemo: true })`). `write` waits while the
 * sink's buffer is full. A value that cannot be pickled throws its PicklingError and writes
 * nothing; the writer can go on.
 */
export function writePickles(sink: PickleSink, options?: DumpOptions): PickleStreamWriter {
  const pickler = new Pickler(options);
  return isWebWritable(sink) ? webWriter(sink, pickler) : nodeWriter(sink, pickler);
}

function webWriter(sink: WebWritableStreamLike, pickler: Pickler): PickleStreamWriter {
  const writer = sink.getWriter();
  return {
    async write(value) {
      const pickle = pickler.dump(value);
      await writer.ready;
      await writer.write(pickle);
    },
    async close() {
      await writer.close();
    },
  };
}

function nodeWriter(sink: NodeWritableLike, pickler: Pickler): PickleStreamWriter {
  let failure: unknown;
  const onError = (error: unknown) => {
    failure ??= error;
  };
  sink.once('error', onError);
  const check = () => {
    if (failure !== undefined) throw failure instanceof Error ? failure : new PickleError(String(failure));
  };
  return {
    async write(value) {
      check();
      const pickle = pickler.dump(value);
      if (sink.write(pickle)) return;
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: unknown) => {
          sink.off('drain', settle);
          sink.off('error', settle);
          sink.off('close', settle);
          if (error instanceof Error) reject(error);
          else resolve();
        };
        sink.once('drain', settle);
        sink.once('error', settle);
        sink.once('close', settle);
      });
      check();
    },
    async close() {
      check();
      await new Promise<void>((resolve) => sink.end(resolve));
      sink.off('error', onError);
      check();
    },
  };
}

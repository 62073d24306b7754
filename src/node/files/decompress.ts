// Decompressing a pickle file's bytes, whole or as a stream, with a limit on what decompression
// may produce: a small file that inflates to gigabytes (a "bomb") stops at the limit, never
// after it is held in memory.
import { promisify } from 'node:util';
import { constants as bufferConstants } from 'node:buffer';
import { createGunzip, createInflate, gunzip, gunzipSync, inflate, inflateSync, type InputType, type ZlibOptions } from 'node:zlib';
import { Readable } from 'node:stream';
import { UnpicklingError } from '../../errors.js';
import type { Compression } from './compression.js';
import { loadSeekBzip, loadXzDecompress } from './optional-peer.js';

/** Default limit on the bytes decompression may produce: 1 GiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 1024 ** 3;

const gunzipAsync = promisify(gunzip) as (data: InputType, options: ZlibOptions) => Promise<Buffer>;
const inflateAsync = promisify(inflate) as (data: InputType, options: ZlibOptions) => Promise<Buffer>;

function checkedLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UnpicklingError(`maxDecompressedBytes must be a positive integer, not ${String(limit)}`, { code: 'INVALID_ARGUMENT' });
  }
  return Math.min(limit, bufferConstants.MAX_LENGTH);
}

const overLimit = (compression: Compression, limit: number, name: string): UnpicklingError =>
  new UnpicklingError(`${name}: ${compression} data decompresses to more than maxDecompressedBytes (${limit} bytes)`, { code: 'LIMIT_EXCEEDED' });

/** A zlib failure as an UnpicklingError: a cut-off stream is TRUNCATED, bad data INVALID_PICKLE. */
function zlibError(error: unknown, compression: Compression, limit: number, name: string): UnpicklingError {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE') return overLimit(compression, limit, name);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR') return new UnpicklingError(`${name}: ${compression} data is truncated (${message})`, { code: 'TRUNCATED', cause: error });
  return new UnpicklingError(`${name}: ${compression} data is corrupt (${message})`, { code: 'INVALID_PICKLE', cause: error });
}

// xz-embedded's return codes (xz.h): what a failed xz stream reports.
const XZ_DATA_ERROR = 7;
const XZ_BUF_ERROR = 8;

function xzError(error: unknown, name: string): UnpicklingError {
  const message = error instanceof Error ? error.message : String(error);
  const xzCode = Number(/error code (\d+)/.exec(message)?.[1]);
  if (xzCode === XZ_BUF_ERROR) return new UnpicklingError(`${name}: xz data is truncated`, { code: 'TRUNCATED', cause: error });
  const what = xzCode === XZ_DATA_ERROR ? 'xz data is corrupt' : `xz data could not be decompressed (${message})`;
  return new UnpicklingError(`${name}: ${what}`, { code: 'INVALID_PICKLE', cause: error });
}

/** Bytes gathered in growing chunks, refusing to pass `limit`. */
class LimitedSink {
  readonly #chunks: Uint8Array[] = [];
  #current = new Uint8Array(64 * 1024);
  #used = 0;
  #total = 0;
  constructor(
    readonly limit: number,
    readonly onOverLimit: () => Error,
  ) {}

  writeByte(byte: number): void {
    if (this.#used === this.#current.length) this.#grow();
    this.#current[this.#used++] = byte;
    if (++this.#total > this.limit) throw this.onOverLimit();
  }

  write(chunk: Uint8Array): void {
    this.#total += chunk.length;
    if (this.#total > this.limit) throw this.onOverLimit();
    this.#chunks.push(this.#current.subarray(0, this.#used), chunk);
    this.#current = new Uint8Array(0);
    this.#used = 0;
  }

  #grow(): void {
    this.#chunks.push(this.#current);
    this.#current = new Uint8Array(Math.min(this.#current.length * 2 || 64 * 1024, 16 * 1024 * 1024));
    this.#used = 0;
  }

  bytes(): Uint8Array {
    const chunks = [...this.#chunks, this.#current.subarray(0, this.#used)].filter((chunk) => chunk.length > 0);
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(this.#total);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

async function bunzip(data: Uint8Array, limit: number, name: string): Promise<Uint8Array> {
  const bzip = await loadSeekBzip();
  const sink = new LimitedSink(limit, () => overLimit('bz2', limit, name));
  try {
    bzip.decode(data, sink, true);
  } catch (error) {
    if (error instanceof UnpicklingError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UnpicklingError(`${name}: bz2 data is corrupt or truncated (${message})`, { code: 'INVALID_PICKLE', cause: error });
  }
  return sink.bytes();
}

/** A web stream of one chunk. */
function webStreamOf(data: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
}

async function unxz(data: Uint8Array, limit: number, name: string): Promise<Uint8Array> {
  const sink = new LimitedSink(limit, () => overLimit('xz', limit, name));
  for await (const chunk of xzChunks(webStreamOf(data), name)) sink.write(chunk);
  return sink.bytes();
}

async function* xzChunks(compressed: ReadableStream<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const { XzReadableStream } = await loadXzDecompress();
  const reader = new XzReadableStream(compressed).getReader();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        finished = true;
        throw xzError(error, name);
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // xz-decompress lets one stream decode at a time: one left unfinished (a limit reached, a
    // consumer that stopped) must be cancelled, or every later xz stream waits for it forever.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * The decompressed bytes of `data`, refusing (UnpicklingError 'LIMIT_EXCEEDED') to produce more
 * than `limit` bytes. `name` (a path) starts every error message.
 */
export async function decompress(data: Uint8Array, compression: Compression, limit: number, name: string): Promise<Uint8Array> {
  const max = checkedLimit(limit);
  switch (compression) {
    case 'gzip':
    case 'zlib':
      try {
        return await (compression === 'gzip' ? gunzipAsync : inflateAsync)(data, { maxOutputLength: max });
      } catch (error) {
        throw zlibError(error, compression, max, name);
      }
    case 'bz2':
      return bunzip(data, max, name);
    case 'xz':
      return unxz(data, max, name);
  }
}

/** `decompress` without waiting: gzip and zlib only (bz2 and xz are read by async code). */
export function decompressSync(data: Uint8Array, compression: Compression, limit: number, name: string): Uint8Array {
  const max = checkedLimit(limit);
  if (compression !== 'gzip' && compression !== 'zlib') {
    throw new UnpicklingError(`${name}: a ${compression}-compressed file is read by loadFile (async), not loadFileSync`, { code: 'INVALID_ARGUMENT' });
  }
  try {
    return (compression === 'gzip' ? gunzipSync : inflateSync)(data, { maxOutputLength: max });
  } catch (error) {
    throw zlibError(error, compression, max, name);
  }
}

/**
 * The decompressed chunks of a compressed byte stream, as they come: memory stays a chunk or two
 * (bz2, whose decoder needs its input whole, is read whole and limited by `limit`).
 */
export async function* decompressChunks(
  source: AsyncIterable<Uint8Array>,
  compression: Compression,
  limit: number,
  name: string,
): AsyncGenerator<Uint8Array> {
  const max = checkedLimit(limit);
  if (compression === 'gzip' || compression === 'zlib') {
    const inflater = compression === 'gzip' ? createGunzip() : createInflate();
    const input = Readable.from(source);
    input.on('error', (error) => inflater.destroy(error));
    input.pipe(inflater);
    try {
      for await (const chunk of inflater) yield chunk as Uint8Array;
    } catch (error) {
      throw error instanceof UnpicklingError ? error : zlibError(error, compression, max, name);
    } finally {
      input.destroy();
      inflater.destroy();
    }
    return;
  }
  if (compression === 'xz') {
    yield* xzChunks(Readable.toWeb(Readable.from(source)) as ReadableStream<Uint8Array>, name);
    return;
  }
  const whole = new LimitedSink(Number.MAX_SAFE_INTEGER, () => new Error('unreachable'));
  for await (const chunk of source) whole.write(chunk);
  yield await bunzip(whole.bytes(), max, name);
}

// Reading pickle files: one pickle (loadFile), or every pickle a file holds, as Python's repeated
// pickle.dump calls append them (readPicklesFromFile). Compressed files (gzip, zlib, bz2, xz) are
// recognised by their first bytes and decompressed on the way, whatever their name.
import { createReadStream, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { LoadOptions } from '../../codec/unpickler.js';
import { loads } from '../../mapper/typed-loads.js';
import type { MappedClass } from '../../mapper/types.js';
import { readPickles } from '../../stream/read-pickles.js';
import type { StreamReadOptions } from '../../stream/pickle-stream-reader.js';
import { detectCompression } from './compression.js';
import { decompress, decompressChunks, decompressSync, DEFAULT_MAX_DECOMPRESSED_BYTES } from './decompress.js';

/** How many first bytes tell every compression apart. */
const MAGIC_BYTES = 6;

/** Options of loadFile: those of `loads`, and a limit on decompression. */
export interface FileLoadOptions extends LoadOptions {
  /**
   * The most bytes a compressed file may decompress to; beyond it, an UnpicklingError with code
   * 'LIMIT_EXCEEDED' is raised before more is held. Default 1 GiB.
   */
  maxDecompressedBytes?: number;
}

/** Options of readPicklesFromFile: those of `readPickles`, and a limit on bz2 decompression. */
export interface FileStreamOptions extends StreamReadOptions {
  /**
   * For bz2 files, which are decompressed whole: the most bytes they may decompress to (default
   * 1 GiB). gzip, zlib and xz files are decompressed as they are read, and `maxPickleBytes`
   * bounds what is held.
   */
  maxDecompressedBytes?: number;
}

function splitOptions<T extends { maxDecompressedBytes?: number }>(options: T | undefined): [number, Omit<T, 'maxDecompressedBytes'> | undefined] {
  if (options === undefined) return [DEFAULT_MAX_DECOMPRESSED_BYTES, undefined];
  const { maxDecompressedBytes, ...rest } = options;
  return [maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, rest];
}

type ClassOrOptions<T, O> = MappedClass<T> | O | undefined;

function classAndOptions<T, O>(clsOrOptions: ClassOrOptions<T, O>, options: O | undefined): [MappedClass<T> | undefined, O | undefined] {
  return typeof clsOrOptions === 'function' ? [clsOrOptions as MappedClass<T>, options] : [undefined, clsOrOptions as O | undefined];
}

function loadBytes<T>(bytes: Uint8Array, cls: MappedClass<T> | undefined, options: LoadOptions | undefined): unknown {
  return cls ? loads(bytes, cls, options) : loads(bytes, options);
}

/**
 * Loads the pickle a file holds (what Python's `pickle.load(open(path, 'rb'))` reads), gzip,
 * zlib, bz2 or xz compressed or not. With a class, the root must be an instance of it, as with
 * `loads(bytes, cls)`. bz2 needs the optional package `seek-bzip`, xz `xz-decompress`.
 */
export async function loadFile<T>(path: string, cls: MappedClass<T>, options?: FileLoadOptions): Promise<T>;
export async function loadFile(path: string, options?: FileLoadOptions): Promise<unknown>;
export async function loadFile<T>(path: string, clsOrOptions?: ClassOrOptions<T, FileLoadOptions>, maybeOptions?: FileLoadOptions): Promise<unknown> {
  const [cls, options] = classAndOptions(clsOrOptions, maybeOptions);
  const [limit, loadOptions] = splitOptions(options);
  const raw = await readFile(path);
  const compression = detectCompression(raw.subarray(0, MAGIC_BYTES));
  const bytes = compression ? await decompress(raw, compression, limit, path) : raw;
  return loadBytes(bytes, cls, loadOptions);
}

/** `loadFile` without waiting; bz2 and xz files are read by `loadFile` only. */
export function loadFileSync<T>(path: string, cls: MappedClass<T>, options?: FileLoadOptions): T;
export function loadFileSync(path: string, options?: FileLoadOptions): unknown;
export function loadFileSync<T>(path: string, clsOrOptions?: ClassOrOptions<T, FileLoadOptions>, maybeOptions?: FileLoadOptions): unknown {
  const [cls, options] = classAndOptions(clsOrOptions, maybeOptions);
  const [limit, loadOptions] = splitOptions(options);
  const raw = readFileSync(path);
  const compression = detectCompression(raw.subarray(0, MAGIC_BYTES));
  const bytes = compression ? decompressSync(raw, compression, limit, path) : raw;
  return loadBytes(bytes, cls, loadOptions);
}

/** The chunks of an async iterable, the first one handed over already read. */
async function* withFirst(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/**
 * Yields every pickle of a file in order, as Python's `pickle.load` called until EOFError reads
 * them: the file is read in chunks and each value yielded as soon as its pickle is complete, so
 * memory stays the largest pickle plus a chunk. Compressed files are decompressed as they are
 * read. Options are those of `readPickles` (keepMemo for one Pickler's repeated dumps).
 */
export async function* readPicklesFromFile(path: string, options?: FileStreamOptions): AsyncGenerator<unknown, void, undefined> {
  const [limit, readOptions] = splitOptions(options);
  const file = createReadStream(path);
  try {
    const chunks = (file as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const first = await chunks.next();
    if (first.done) return;
    const compression = detectCompression(first.value.subarray(0, MAGIC_BYTES));
    const raw = withFirst(first.value, chunks);
    yield* readPickles(compression ? decompressChunks(raw, compression, limit, path) : raw, readOptions);
  } finally {
    file.destroy();
  }
}

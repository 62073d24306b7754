// Writing pickle files, compressed as their name asks (`.gz`, `.zlib`) or as told. The value is
// pickled whole before the file is opened: a value that cannot be pickled leaves the file as it was.
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflate, deflateSync, gzip, gzipSync, type InputType, type ZlibOptions } from 'node:zlib';
import { dumps, type DumpOptions } from '../../codec/pickler.js';
import { PicklingError } from '../../errors.js';
import { type Compression, compressionOfPath } from './compression.js';

/** Options of dumpFile: those of `dumps`, and the compression to write. */
export interface FileDumpOptions extends DumpOptions {
  /**
   * 'gzip' (what Python's gzip.open reads) or 'zlib' (zlib.decompress), or 'none'. By default,
   * the file name's extension decides: `.gz` gzip, `.zlib` or `.zz` zlib, anything else none.
   * bz2 and xz are read, not written: no well-kept JavaScript compressor for them exists.
   */
  compression?: Compression | 'none';
}

const gzipAsync = promisify(gzip) as (data: InputType, options?: ZlibOptions) => Promise<Buffer>;
const deflateAsync = promisify(deflate) as (data: InputType, options?: ZlibOptions) => Promise<Buffer>;

function plan(path: string, options: FileDumpOptions | undefined): [Compression | undefined, DumpOptions | undefined] {
  if (options === undefined) return [writable(compressionOfPath(path), path), undefined];
  const { compression, ...dumpOptions } = options;
  if (compression !== undefined && compression !== 'none' && compression !== 'gzip' && compression !== 'zlib' && compression !== 'bz2' && compression !== 'xz') {
    throw new PicklingError(`compression must be 'gzip', 'zlib' or 'none', not ${JSON.stringify(compression)}`, undefined, { code: 'INVALID_ARGUMENT' });
  }
  return [writable(compression === 'none' ? undefined : (compression ?? compressionOfPath(path)), path), dumpOptions];
}

function writable(compression: Compression | undefined, path: string): 'gzip' | 'zlib' | undefined {
  if (compression === 'bz2' || compression === 'xz') {
    throw new PicklingError(
      `${path}: pickle-mapper reads ${compression} files but does not write them; write gzip (.gz) or pass { compression: 'none' }`,
      undefined,
      { code: 'INVALID_ARGUMENT' },
    );
  }
  return compression;
}

/**
 * Pickles `value` into a file (what Python's `pickle.dump(value, open(path, 'wb'))` writes),
 * gzip or zlib compressed when the name or `compression` says so.
 */
export async function dumpFile(path: string, value: unknown, options?: FileDumpOptions): Promise<void> {
  const [compression, dumpOptions] = plan(path, options);
  const bytes = dumps(value, dumpOptions);
  await writeFile(path, compression === 'gzip' ? await gzipAsync(bytes) : compression === 'zlib' ? await deflateAsync(bytes) : bytes);
}

/** `dumpFile` without waiting. */
export function dumpFileSync(path: string, value: unknown, options?: FileDumpOptions): void {
  const [compression, dumpOptions] = plan(path, options);
  const bytes = dumps(value, dumpOptions);
  writeFileSync(path, compression === 'gzip' ? gzipSync(bytes) : compression === 'zlib' ? deflateSync(bytes) : bytes);
}

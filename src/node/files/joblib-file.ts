// joblib files on disk: read with the compression their first bytes name (zlib, gzip, bz2, xz,
// as joblib.load tells them), written uncompressed or zlib/gzip compressed as joblib.dump's
// `compress` asks.
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflate, gzip, type InputType, type ZlibOptions } from 'node:zlib';
import type { LoadOptions } from '../../codec/unpickler.js';
import { PicklingError, UnpicklingError } from '../../errors.js';
import { type JoblibDumpOptions, dumpJoblib } from '../../standard/joblib/dump.js';
import { type JoblibCompression, detectJoblibCompression } from '../../standard/joblib/format.js';
import { loadJoblib } from '../../standard/joblib/load.js';
import { decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from './decompress.js';

/** Options of loadJoblibFile: those of `loads`, and a limit on decompression. */
export interface JoblibFileLoadOptions extends LoadOptions {
  /** The most bytes a compressed file may decompress to (UnpicklingError 'LIMIT_EXCEEDED' beyond). Default 1 GiB. */
  maxDecompressedBytes?: number;
}

/** The compressors dumpJoblibFile writes. */
export type JoblibWriteCompression = 'zlib' | 'gzip';

/** Options of dumpJoblibFile: those of dumpJoblib, and joblib.dump's `compress`. */
export interface JoblibFileDumpOptions extends Omit<JoblibDumpOptions, 'allowMmap'> {
  /**
   * As joblib.dump's `compress`: 0 or false none, 1–9 zlib at that level, true zlib at 3,
   * ['zlib' | 'gzip', level]. By default the file name decides as joblib's does: `.z` zlib,
   * `.gz` gzip (level 3), anything else none. bz2, lzma and xz are read, not written.
   */
  compress?: boolean | number | readonly [JoblibCompression, number];
}

const gzipAsync = promisify(gzip) as (data: InputType, options?: ZlibOptions) => Promise<Buffer>;
const deflateAsync = promisify(deflate) as (data: InputType, options?: ZlibOptions) => Promise<Buffer>;

const EXTENSIONS: Record<string, JoblibCompression> = { '.z': 'zlib', '.gz': 'gzip', '.bz2': 'bz2', '.lzma': 'lzma', '.xz': 'xz' };

/**
 * Loads a file `joblib.dump` wrote, compressed (zlib, gzip, bz2, xz) or not: see `loadJoblib`.
 * bz2 needs the optional package `seek-bzip`, xz `xz-decompress`; lzma (joblib's `.lzma`,
 * LZMA-alone) and lz4 files are refused with an error saying so.
 */
export async function loadJoblibFile(path: string, options: JoblibFileLoadOptions = {}): Promise<unknown> {
  const { maxDecompressedBytes, ...loadOptions } = options;
  const raw = await readFile(path);
  const compression = detectJoblibCompression(raw.subarray(0, 8));
  if (compression === undefined) return loadJoblib(raw, loadOptions);
  if (compression === 'lzma' || compression === 'lz4') {
    throw new UnpicklingError(
      `${path}: ${compression}-compressed joblib files are not read (no decoder for them here); re-save with compress=('xz', 3) or ('gzip', 3)`,
      { code: 'INVALID_ARGUMENT' },
    );
  }
  const bytes = await decompress(raw, compression, maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, path);
  return loadJoblib(bytes, loadOptions);
}

function compressionPlan(path: string, compress: JoblibFileDumpOptions['compress']): [JoblibCompression, number] | undefined {
  const extension = /\.[a-z0-9]+$/i.exec(path)?.[0]?.toLowerCase();
  const byName = extension !== undefined ? EXTENSIONS[extension] : undefined;
  let plan: [JoblibCompression, number] | undefined;
  if (compress === undefined || compress === false || compress === 0) plan = byName ? [byName, 3] : undefined;
  else if (compress === true) plan = [byName ?? 'zlib', 3];
  else if (typeof compress === 'number') plan = [byName ?? 'zlib', compress];
  else if (Array.isArray(compress) && compress.length === 2) plan = [compress[0], compress[1]];
  else throw new PicklingError(`compress must be a bool, a level 0-9 or [method, level], not ${JSON.stringify(compress)}`, undefined, { code: 'INVALID_ARGUMENT' });
  if (plan === undefined) return undefined;
  const [method, level] = plan;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new PicklingError(`the compression level must be 0-9, not ${String(level)}`, undefined, { code: 'INVALID_ARGUMENT' });
  if (method !== 'zlib' && method !== 'gzip') {
    throw new PicklingError(`${path}: joblib files are written uncompressed, zlib or gzip; ${String(method)} is read, not written`, undefined, { code: 'INVALID_ARGUMENT' });
  }
  return level === 0 ? undefined : plan;
}

/**
 * Writes `value` as `joblib.dump(value, path, compress=...)` does (see `dumpJoblib`), so that
 * `joblib.load(path)` reads it back. The value is pickled whole before the file is opened.
 */
export async function dumpJoblibFile(path: string, value: unknown, options: JoblibFileDumpOptions = {}): Promise<void> {
  const { compress, ...dumpOptions } = options;
  const plan = compressionPlan(path, compress);
  const bytes = dumpJoblib(value, { ...dumpOptions, allowMmap: plan === undefined });
  if (plan === undefined) return writeFile(path, bytes);
  const [method, level] = plan;
  await writeFile(path, method === 'gzip' ? await gzipAsync(bytes, { level }) : await deflateAsync(bytes, { level }));
}

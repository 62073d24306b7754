// Reading a command's input: a file or stdin (`-`), gunzipped when it starts with gzip's magic.
// Both the bytes read and the bytes gunzipped are limited by --max-input-bytes, and the limit
// is enforced as they arrive: a file that never ends (/dev/zero) or a gzip bomb stops at the
// limit, never after it has been held in memory whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { constants } from 'node:buffer';
import { type ParsedArgs, UsageError } from './args.js';
import { describeSystemError } from './system-error.js';

export interface Input {
  /** The name to show: the path, or `<stdin>` as Python names it. */
  readonly name: string;
  readonly data: Uint8Array;
}

/** A failure to read or decompress the input; printed as `pickle-mapper: NAME: message`. */
export class InputError extends Error {
  constructor(
    readonly inputName: string,
    message: string,
  ) {
    super(message);
  }
}

/** The option every reading command takes. */
export const MAX_INPUT_OPTION = { long: 'max-input-bytes', value: true } as const;

/** The default --max-input-bytes: 256 MiB, read or decompressed. */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;

export const MAX_INPUT_HELP = `      --max-input-bytes N  the most bytes an input may hold, read or gunzipped (default
                         256M; K, M and G suffixes count in 1024s)`;

const SUFFIX: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** The --max-input-bytes option: a byte count, with an optional K, M or G suffix. */
export function maxInputBytesOption(args: ParsedArgs): number {
  const raw = args.options.get(MAX_INPUT_OPTION.long);
  if (raw === undefined) return DEFAULT_MAX_INPUT_BYTES;
  const match = typeof raw === 'string' ? /^(\d{1,16})([kmg]?)$/i.exec(raw.trim()) : null;
  const value = match ? Number(match[1]) * SUFFIX[match[2]!.toLowerCase()]! : NaN;
  // A Buffer can be no longer than constants.MAX_LENGTH, and neither can a gunzipped input.
  if (!Number.isSafeInteger(value) || value < 1 || value > constants.MAX_LENGTH) {
    throw new UsageError(`--max-input-bytes needs a byte count from 1 to ${constants.MAX_LENGTH} (K, M, G allowed), not '${String(raw)}'`);
  }
  return value;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** True when the bytes start with gzip's magic number. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === GZIP_MAGIC_0 && data[1] === GZIP_MAGIC_1;
}

const tooLarge = (name: string, limit: number) => new InputError(name, `input is larger than the limit of ${limit} bytes (--max-input-bytes)`);

/** Waits a little, for a non-blocking descriptor that has nothing yet (EAGAIN). */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
}

function readSome(fd: number, buffer: Uint8Array, offset: number): number {
  for (;;) {
    try {
      return readSync(fd, buffer, offset, buffer.length - offset, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      pause();
    }
  }
}

/**
 * Everything `fd` holds, or an InputError once more than `limit` bytes arrive: at most one byte
 * past the limit is ever read. A regular file's size is checked before anything is read, and
 * fits in the first buffer.
 */
export function readBounded(fd: number, name: string, limit: number): Uint8Array {
  const stat = fstatSync(fd);
  if (stat.isFile() && stat.size > limit) throw tooLarge(name, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let want = Math.max(1 << 16, stat.isFile() ? stat.size + 1 : 0);
  for (;;) {
    const buffer = new Uint8Array(Math.min(want, limit + 1 - total));
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSome(fd, buffer, filled);
      if (n === 0) break;
      filled += n;
    }
    total += filled;
    if (total > limit) throw tooLarge(name, limit);
    chunks.push(buffer.subarray(0, filled));
    if (filled < buffer.length) break;
    want = Math.min(want * 2, 1 << 24);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Reads standard input, bounded as files are. */
export function readStdin(limit: number): Uint8Array {
  return readBounded(0, '<stdin>', limit);
}

function readFile(path: string, limit: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new InputError(path, `cannot read: ${describeSystemError(error)}`);
  }
  try {
    return readBounded(fd, path, limit);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, `cannot read: ${describeSystemError(error)}`);
  } finally {
    closeSync(fd);
  }
}

/** Gunzips `raw`, stopping with an InputError as soon as the output passes `limit` bytes. */
function gunzipBounded(raw: Uint8Array, name: string, limit: number): Uint8Array {
  try {
    return gunzipSync(raw, { maxOutputLength: limit, chunkSize: 1 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(name, `decompressed input is larger than the limit of ${limit} bytes (--max-input-bytes)`);
    }
    throw new InputError(name, `not a valid gzip file: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The bytes of `path` (`-` for stdin), gunzipped when they are gzip, within `limit` bytes. */
export function readInput(path: string, stdin: (limit: number) => Uint8Array, limit: number = DEFAULT_MAX_INPUT_BYTES): Input {
  const name = path === '-' ? '<stdin>' : path;
  let raw: Uint8Array;
  if (path === '-') {
    try {
      raw = stdin(limit);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(name, `cannot read: ${describeSystemError(error)}`);
    }
  } else {
    raw = readFile(path, limit);
  }
  if (isGzip(raw)) raw = gunzipBounded(raw, name, limit);
  // A plain Uint8Array view (not a Buffer), so values loaded from it are ordinary arrays.
  return { name, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
}

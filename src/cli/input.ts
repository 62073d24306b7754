// Reading a command's input: a file or stdin (`-`), gunzipped when it starts with gzip's magic.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

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

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** True when the bytes start with gzip's magic number. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === GZIP_MAGIC_0 && data[1] === GZIP_MAGIC_1;
}

export function readInput(path: string, stdin: () => Uint8Array = () => readFileSync(0)): Input {
  const name = path === '-' ? '<stdin>' : path;
  let raw: Uint8Array;
  try {
    raw = path === '-' ? stdin() : readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'No such file or directory'
        : code === 'EISDIR' ? 'Is a directory'
          : code === 'EACCES' ? 'Permission denied'
            : error instanceof Error ? error.message : String(error);
    throw new InputError(name, `cannot read: ${reason}`);
  }
  if (isGzip(raw)) {
    try {
      raw = gunzipSync(raw);
    } catch (error) {
      throw new InputError(name, `not a valid gzip file: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // A plain Uint8Array view (not a Buffer), so values loaded from it are ordinary arrays.
  return { name, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
}

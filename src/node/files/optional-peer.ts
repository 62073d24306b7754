// The optional peer packages that decompress what Node's zlib cannot (bz2, xz), loaded on first
// use: a user who never meets such a file installs nothing more.
import { PickleError } from '../../errors.js';

/** seek-bzip's decoder, as much of it as is used here. */
export interface SeekBzip {
  decode(input: Uint8Array, output: { writeByte(byte: number): void }, multistream?: boolean): void;
}

/** xz-decompress's stream, as much of it as is used here. */
export interface XzDecompress {
  XzReadableStream: new (compressed: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

async function importPeer(name: string, purpose: string): Promise<unknown> {
  try {
    // A specifier in a variable: bundlers and the type checker leave the optional peer alone.
    const specifier = name;
    return await import(specifier);
  } catch (cause) {
    throw new PickleError(`${purpose} needs the optional package '${name}': npm install ${name}`, { cause, code: 'MISSING_DEPENDENCY' });
  }
}

/** The module's own exports whether it was loaded as ESM or as CommonJS through import(). */
function commonJsExports<T>(module: unknown, has: (value: unknown) => boolean): T {
  if (has(module)) return module as T;
  const inner = (module as { default?: unknown }).default;
  if (has(inner)) return inner as T;
  throw new PickleError('an optional package does not export what pickle-mapper expects: check its version', { code: 'MISSING_DEPENDENCY' });
}

export async function loadSeekBzip(): Promise<SeekBzip> {
  const module = await importPeer('seek-bzip', 'reading a bz2-compressed file');
  return commonJsExports<SeekBzip>(module, (value) => typeof (value as SeekBzip | undefined)?.decode === 'function');
}

export async function loadXzDecompress(): Promise<XzDecompress> {
  const module = await importPeer('xz-decompress', 'reading an xz-compressed file');
  return commonJsExports<XzDecompress>(module, (value) => typeof (value as XzDecompress | undefined)?.XzReadableStream === 'function');
}

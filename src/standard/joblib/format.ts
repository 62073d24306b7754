// joblib's numpy_pickle format, as joblib 0.10 and later write it: a pickle in which each numpy
// array is a `joblib.numpy_pickle.NumpyArrayWrapper` (its class, shape, order 'C'/'F', dtype,
// allow_mmap and, from joblib 1.2, numpy_array_alignment_bytes), and right after that wrapper's
// BUILD the array itself: a padding-length byte and that many 0xff bytes (when the wrapper has an
// alignment), then the raw bytes in the wrapper's order — or, for arrays holding objects, a
// complete protocol-2 pickle of the array. The whole stream may be compressed; joblib tells the
// compressor by the first bytes.
import { UnpicklingError } from '../../errors.js';

export const WRAPPER_MODULE = 'joblib.numpy_pickle';
export const WRAPPER_NAME = 'NumpyArrayWrapper';
/** What joblib 1.2 aligns array data to (NUMPY_ARRAY_ALIGNMENT_BYTES). */
export const ARRAY_ALIGNMENT = 16;

/** A compressor joblib writes, told by its prefix. */
export type JoblibCompression = 'zlib' | 'gzip' | 'bz2' | 'xz' | 'lzma' | 'lz4';

const PREFIXES: ReadonlyArray<readonly [JoblibCompression, readonly number[]]> = [
  ['zlib', [0x78]],
  ['gzip', [0x1f, 0x8b]],
  ['bz2', [0x42, 0x5a]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
  ['lzma', [0x5d, 0x00]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
];

/** The compressor a joblib file's first bytes name (joblib's `_detect_compressor`), or undefined. */
export function detectJoblibCompression(head: Uint8Array): JoblibCompression | undefined {
  for (const [name, prefix] of PREFIXES) {
    if (head.length >= prefix.length && prefix.every((byte, i) => head[i] === byte)) return name;
  }
  return undefined;
}

/** joblib < 0.9.3 wrote 'ZF' files (zlib with a length header) and kept arrays in other files. */
export function isLegacyZFile(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x5a && head[1] === 0x46;
}

export function compressedInputError(compression: JoblibCompression): UnpicklingError {
  return new UnpicklingError(
    `this joblib data is ${compression}-compressed: read the file with loadJoblibFile from 'pickle-mapper/node', or decompress it before loadJoblib`,
    { code: 'INVALID_ARGUMENT' },
  );
}

/** A NumpyArrayWrapper while it is read: the state its BUILD gave it. */
export class NumpyArrayWrapper {
  state: unknown = undefined;
}

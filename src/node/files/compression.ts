// Which compression a file uses, told by its first bytes as Python's gzip, bz2, lzma and zlib
// modules write them. No pickle Python writes starts with these bytes.

/** A compression this package recognises in a file's first bytes. */
export type Compression = 'gzip' | 'zlib' | 'bz2' | 'xz';

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;

/**
 * The compression `head` (a file's first bytes; six are enough) starts with, or `undefined` for
 * data that is not compressed in a way this package recognises.
 */
export function detectCompression(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  // bz2: "BZh" and a block size digit 1-9.
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bz2';
  if (head.length >= XZ_MAGIC.length && XZ_MAGIC.every((byte, i) => head[i] === byte)) return 'xz';
  // zlib (RFC 1950) with the 32 KiB window zlib.compress uses, and the header checksum. Smaller
  // windows start with bytes that are opcodes ('(' is MARK, 'X' BINUNICODE): not guessed.
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0) return 'zlib';
  return undefined;
}

/** The compression a file name's extension asks for when writing (`.gz`, `.zlib`...). */
export function compressionOfPath(path: string): Compression | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  switch (extension) {
    case 'gz':
    case 'gzip':
      return 'gzip';
    case 'zz':
    case 'zlib':
      return 'zlib';
    case 'bz2':
      return 'bz2';
    case 'xz':
      return 'xz';
    default:
      return undefined;
  }
}

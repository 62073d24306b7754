// What `loads` adds to its error when the input is not a pickle at all but a compressed file or an
// archive (a .pkl.gz, a torch.save checkpoint), recognised by its magic bytes. Only error paths
// call it: a valid pickle loads as it always does.

interface Signature {
  /** The magic bytes, in hex as a hex dump shows them (file signatures, not opcodes). */
  readonly magic: string;
  /** Further bytes, any of which may follow the magic (zlib's second byte), in hex. */
  readonly next?: string;
  /**
   * The first byte is an opcode (BINBYTES, PERSID, MARK), so the load may fail well past the
   * magic (a huge BINBYTES length that happens to fit); no pickle starts with the whole magic.
   */
  readonly anywhere?: boolean;
  readonly hint: string;
}

const SIGNATURES: readonly Signature[] = [
  {
    magic: '1f 8b',
    hint:
      'the input is gzip-compressed (it starts with 1f 8b), not a pickle: decompress it first, ' +
      "e.g. loads(gunzipSync(data)) with gunzipSync from Node's node:zlib",
  },
  {
    magic: '42 5a 68', // 'BZh'
    anywhere: true,
    hint:
      "the input is bzip2-compressed (it starts with 'BZh'), not a pickle: decompress it first " +
      "(Node's zlib has no bzip2: use the bzip2 command or a bzip2 package)",
  },
  {
    magic: 'fd 37 7a 58 5a 00',
    hint:
      'the input is xz-compressed (it starts with fd 37 7a 58 5a 00), not a pickle: decompress it first ' +
      "(Node's zlib has no xz: use the xz command or an xz/lzma package)",
  },
  {
    magic: '50 4b 03 04', // 'PK\x03\x04'
    anywhere: true,
    hint:
      "the input is a zip archive (it starts with 'PK\\x03\\x04'), not a pickle. A PyTorch checkpoint " +
      '(torch.save) is a zip archive that holds the pickle as <name>/data.pkl, beside files with the ' +
      "tensors' data: load it with loadTorch(bytes), or loadTorchFile(path) from pickle-mapper/node",
  },
  {
    magic: '28 b5 2f fd',
    anywhere: true,
    hint:
      'the input is Zstandard-compressed (it starts with 28 b5 2f fd), not a pickle: decompress it first ' +
      "(zstdDecompressSync in the node:zlib of recent Node versions, or the zstd command)",
  },
  {
    magic: '78',
    next: '01 5e 9c da',
    hint:
      'the input is zlib-compressed (it starts with 78 and a zlib header byte), not a pickle: decompress it first, ' +
      "e.g. loads(inflateSync(data)) with inflateSync from Node's node:zlib",
  },
];

/**
 * What the input is, when the pickle starting at `start` begins with a compression or archive
 * format's magic bytes and the load failed (at `offset`) inside them, or anywhere for a magic
 * that begins with an opcode; undefined otherwise.
 */
export function compressedInputHint(data: Uint8Array, start: number, offset: number): string | undefined {
  for (const signature of SIGNATURES) {
    const { anywhere, hint } = signature;
    const magic = hexBytes(signature.magic);
    const next = signature.next === undefined ? undefined : hexBytes(signature.next);
    const length = magic.length + (next ? 1 : 0);
    if ((!anywhere && offset - start >= length) || data.length - start < length) continue;
    if (!magic.every((byte, i) => data[start + i] === byte)) continue;
    if (next && !next.includes(data[start + magic.length]!)) continue;
    return hint;
  }
  return undefined;
}

/** The bytes a hex text such as '1f 8b' stands for. */
function hexBytes(hex: string): number[] {
  return hex.split(' ').map((byte) => Number.parseInt(byte, 16));
}

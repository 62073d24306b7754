// The integer and UTF-8 codecs against plain reference versions, on random input (fast-check,
// fixed seed). The fast versions take different paths by length (numbers, 64-bit chunks, hex;
// a JavaScript loop or TextDecoder), so lengths are drawn across every boundary.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dumps } from '../../src/index.js';
import { decodeLong, encodeLong } from '../../src/codec/numbers.js';
import { decodeUtf8 } from '../../src/codec/text.js';

const SEED = 20240607;

/** LONG1/LONG4 bytes the obvious way: one byte at a time into a BigInt. */
function referenceDecodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= -(2n ** 53n - 1n) && value <= 2n ** 53n - 1n ? Number(value) : value;
}

/** UTF-8 with Python's surrogatepass: well-formed sequences, encoded surrogates allowed; else null. */
function referenceDecodeUtf8(bytes: Uint8Array): string | null {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b0 = bytes[i]!;
    const need = b0 < 0x80 ? 0 : b0 >= 0xc2 && b0 <= 0xdf ? 1 : b0 >= 0xe0 && b0 <= 0xef ? 2 : b0 >= 0xf0 && b0 <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length) return null;
    let cp = need === 0 ? b0 : b0 & (0x7f >> (need + 1));
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < [0, 0x80, 0x800, 0x10000][need]! || cp > 0x10ffff) return null;
    out += cp >= 0x10000 ? String.fromCodePoint(cp) : String.fromCharCode(cp);
    i += need + 1;
  }
  return out;
}

/** Bytes biased to sign-extension runs (0x00 and 0xff), where the edge cases of two's complement are. */
const longBytes = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.array(fc.oneof(fc.constant(0), fc.constant(0xff), fc.constant(0x80), fc.constant(0x7f), fc.integer({ min: 0, max: 255 })), { maxLength: 40 })
    .map((a) => Uint8Array.from(a)),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).chain((v) => fc.integer({ min: 0, max: 12 }).map((pad) => {
    // The minimal two's complement of v, then `pad` redundant sign bytes.
    let n = 1;
    while (BigInt.asIntN(8 * n, v) !== v) n++;
    n += pad;
    const out = new Uint8Array(n);
    let u = BigInt.asUintN(8 * n, v);
    for (let i = 0; i < n; i++, u >>= 8n) out[i] = Number(u & 0xffn);
    return out;
  })),
);

/** UTF-8 fragments: valid sequences of each width, encoded surrogates, and malformed ones. */
const utf8Piece = fc.constantFrom(
  [0x41], [0x7a], [0x00], [0xc3, 0xa9], [0xdf, 0xbf], [0xe4, 0xb8, 0xad], [0xe0, 0xa0, 0x80], [0xef, 0xbb, 0xbf],
  [0xf0, 0x9f, 0x98, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x9f, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80],
  [0x80], [0xbf], [0xc2], [0xe0, 0xa0], [0xf0, 0x90, 0x80], [0xf5], [0xf8], [0xff],
);
const utf8Bytes = fc.oneof(
  fc.array(utf8Piece, { maxLength: 40 }).map((pieces) => Uint8Array.from(pieces.flat())),
  fc.array(fc.constantFrom([0x61], [0xc3, 0xa9], [0xe4, 0xb8, 0xad], [0xf0, 0x9f, 0x98, 0x80]), { maxLength: 40 })
    .map((pieces) => Uint8Array.from(pieces.flat())),
  fc.uint8Array({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 100 }).map((a) => a.map((b) => b & 0x7f)),
);

describe('decodeLong', () => {
  it('matches a byte-at-a-time BigInt decoding, at any offset', () => {
    fc.assert(
      fc.property(longBytes, fc.integer({ min: 0, max: 3 }), (bytes, offset) => {
        // A view into a larger buffer, so that byteOffset matters too.
        const padded = new Uint8Array(offset + bytes.length + 5).fill(0xa5).subarray(3);
        padded.set(bytes, offset);
        const expected = referenceDecodeLong(bytes);
        expect(decodeLong(padded, offset, bytes.length)).toStrictEqual(expected);
        const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength);
        expect(decodeLong(padded, offset, bytes.length, view)).toStrictEqual(expected);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('gives numbers exactly up to the safe-integer limits, bigints beyond', () => {
    for (const value of [2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n, -(2n ** 64n)]) {
      for (let n = 1; n <= 20; n++) {
        if (BigInt.asIntN(8 * n, value) !== value) continue;
        const bytes = new Uint8Array(n);
        let u = BigInt.asUintN(8 * n, value);
        for (let i = 0; i < n; i++, u >>= 8n) bytes[i] = Number(u & 0xffn);
        expect(decodeLong(bytes, 0, n)).toStrictEqual(referenceDecodeLong(bytes));
      }
    }
  });
});

/** The minimal little-endian two's complement, byte by byte (CPython's LONG1 argument). */
function referenceEncodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  let n = 1;
  while (BigInt.asIntN(8 * n, value) !== value) n++;
  const out = new Uint8Array(n);
  let u = BigInt.asUintN(8 * n, value);
  for (let i = 0; i < n; i++, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}

describe('encodeLong', () => {
  const widths = [8, 31, 32, 53, 63, 64, 65, 100, 127, 128, 129, 200, 447, 448, 449, 511, 512, 513, 600, 2000];
  it('gives the minimal two\'s complement, for ints of every chunk count', () => {
    fc.assert(
      fc.property(fc.constantFrom(...widths), fc.bigInt({ min: 0n, max: 2n ** 2000n }), fc.boolean(), fc.integer({ min: -2, max: 2 }), (bits, raw, negative, nudge) => {
        // Values near a power of two, where the byte count changes.
        const magnitude = (raw % (1n << BigInt(bits))) + BigInt(nudge);
        const value = negative ? -magnitude : magnitude;
        expect(encodeLong(value)).toStrictEqual(referenceEncodeLong(value));
      }),
      { seed: SEED, numRuns: 3000 },
    );
    for (const bits of widths) {
      for (const value of [1n << BigInt(bits), (1n << BigInt(bits)) - 1n, -(1n << BigInt(bits)), -(1n << BigInt(bits)) + 1n]) {
        expect(encodeLong(value)).toStrictEqual(referenceEncodeLong(value));
      }
    }
  });
});

describe('dumps of wide ints', () => {
  it('writes LONG1 with encodeLong\'s bytes in place, at any offset in the output', () => {
    fc.assert(
      fc.property(fc.constantFrom(64, 65, 100, 127, 128, 129, 300, 511, 512), fc.bigInt({ min: 0n, max: 2n ** 520n }), fc.boolean(), fc.nat(9), (bits, raw, negative, pad) => {
        const magnitude = (raw % (1n << BigInt(bits))) + (1n << 63n);
        const value = negative ? -magnitude : magnitude;
        const expected = referenceEncodeLong(value);
        // A string of `pad` characters before it moves the int to another output offset.
        const out = dumps(['x'.repeat(pad), value], { protocol: 2 });
        const tail = out.subarray(out.length - expected.length - 4);
        expect([...tail]).toEqual([0x8a, expected.length, ...expected, 0x65, 0x2e]);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('decodeUtf8', () => {
  it('matches a reference surrogatepass decoder, at any offset', () => {
    fc.assert(
      fc.property(utf8Bytes, fc.integer({ min: 0, max: 3 }), (bytes, offset) => {
        const padded = new Uint8Array(offset + bytes.length + 2).fill(0xe4);
        padded.set(bytes, offset);
        expect(decodeUtf8(padded, offset, offset + bytes.length)).toBe(referenceDecodeUtf8(bytes));
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});

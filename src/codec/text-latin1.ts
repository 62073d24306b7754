// Long UTF-8 text whose characters are all Latin-1 (U+0000..U+00FF), which is how bytes arrive
// below protocol 3 (`_codecs.encode(text, 'latin1')`): decoded to Latin-1 bytes in one
// branch-free pass. When the unpickler finds that idiom whole it keeps only the bytes (see
// latin1-bytes-idiom.ts). Otherwise the text is made from the bytes by Node's native Latin-1
// decoder (TextDecoder is several times slower on such non-ASCII input), and the bytes are kept
// for the `_codecs.encode` call that usually follows, which takes them instead of encoding the
// text again. Browsers have no Buffer: there TextDecoder decodes, and encode encodes.

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype.latin1Slice;

/** Texts this long or longer are tried; shorter ones are cheap enough either way. */
export const LATIN1_TEXT_MIN = 4096;

/** The last text decoded here and its Latin-1 bytes, until encodeLatin1 takes them. */
let pending: { text: string; bytes: Uint8Array } | undefined;

/**
 * Decodes bytes[start, end) when it is well-formed UTF-8 of Latin-1 characters only; undefined
 * otherwise (any other character, or any error), leaving the general decoder to judge it.
 */
export function decodeLatin1Utf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (latin1Slice === undefined || end - start < LATIN1_TEXT_MIN) return undefined;
  const out = latin1BytesOfUtf8(bytes, start, end);
  if (out === undefined) return undefined;
  const text = latin1Slice.call(out, 0, out.length);
  pending = { text, bytes: out };
  return text;
}

/**
 * The Latin-1 bytes that bytes[start, end) encodes, when it is well-formed UTF-8 of Latin-1
 * characters only (each its own byte: U+0000..U+00FF); undefined otherwise.
 */
export function latin1BytesOfUtf8(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  if (end <= start) return new Uint8Array(0);
  // Such text mixes one- and two-byte characters at random, so both passes are branch-free
  // (a mispredicted branch per byte costs more than the work). First the exact size: every byte
  // but the continuation bytes (10xxxxxx) is a character.
  const out = new Uint8Array(end - start - countContinuationBytes(bytes, start, end));
  // Then the characters: a byte below 0x80 is one; otherwise it must be C2 or C3 followed by a
  // continuation byte, the two giving U+0080..U+00FF. Errors are gathered in `bad`. The loop
  // stops before the last byte, so that the byte after each one is always there to read.
  let n = 0;
  let i = start;
  let bad = 0;
  const last = end - 1;
  while (i < last) {
    const b = bytes[i]!;
    const two = b >> 7; // 1 for a two-byte sequence
    const mask = -two;
    const next = bytes[i + 1]!;
    bad |= mask & (((b & 0xfe) ^ 0xc2) | ((next & 0xc0) ^ 0x80));
    out[n++] = (b & ~mask) | ((((b & 0x03) << 6) | (next & 0x3f)) & mask);
    i += 1 + two;
  }
  if (i === last) {
    // The last byte starts a character: it can only be a whole one alone.
    bad |= bytes[i]! >> 7;
    out[n++] = bytes[i++]!;
  }
  // Stray continuation bytes are flagged as bad leads; they also leave n away from the size.
  return bad !== 0 || n !== out.length ? undefined : out;
}

/** How many bytes of bytes[start, end) are UTF-8 continuation bytes (10xxxxxx). */
function countContinuationBytes(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  let i = start;
  // Four bytes at a time from an aligned offset: bit 7 set and bit 6 clear in a byte is
  // w & ~(w << 1) & 0x80808080 (the shift cannot carry into a bit 7), and a multiply sums the
  // four flags into the top byte.
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    const b = bytes[i++]!;
    count += (b >> 7) & ~(b >> 6);
  }
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >> 2);
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    count += Math.imul((w & ~(w << 1) & 0x80808080) >>> 7, 0x01010101) >>> 24;
  }
  for (i += words.length * 4; i < end; i++) {
    const b = bytes[i]!;
    count += (b >> 7) & ~(b >> 6);
  }
  return count;
}

/** The text whose characters are the Latin-1 bytes[start, end): Node's native decoder, else in chunks. */
export function latin1String(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  return fromCharCodes(bytes, start, end);
}

const CHUNK = 0x2000;

/** The text of UTF-16 units codes[start, end), built in chunks that stay within the argument limit. */
export function fromCharCodes(codes: ArrayLike<number>, start: number, end: number): string {
  if (end - start <= CHUNK) {
    return String.fromCharCode.apply(null, Array.prototype.slice.call(codes, start, end) as number[]);
  }
  let out = '';
  for (let i = start; i < end; i += CHUNK) {
    out += String.fromCharCode.apply(
      null,
      Array.prototype.slice.call(codes, i, Math.min(end, i + CHUNK)) as number[],
    );
  }
  return out;
}

/**
 * The Latin-1 bytes of `text` when it is the text decodeLatin1Utf8 made last (each time a new
 * array: they are handed out once); undefined otherwise.
 */
export function takeLatin1Bytes(text: string): Uint8Array | undefined {
  if (pending === undefined || pending.text.length !== text.length || pending.text !== text) return undefined;
  const { bytes } = pending;
  pending = undefined;
  return bytes;
}

/** Lets go of bytes nobody took (called when a load ends). */
export function releaseLatin1Bytes(): void {
  pending = undefined;
}

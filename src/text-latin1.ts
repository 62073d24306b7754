// Long UTF-8 text whose characters are all Latin-1 (U+0000..U+00FF), which is how bytes arrive
// below protocol 3 (`_codecs.encode(text, 'latin1')`): decoded to Latin-1 bytes in one pass, then
// made a string by Node's native Latin-1 decoder. TextDecoder is several times slower on such
// non-ASCII input. Browsers have no Buffer: there this returns undefined and TextDecoder decodes.

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype.latin1Slice;

/** Texts this long or longer are tried; shorter ones are cheap enough either way. */
export const LATIN1_TEXT_MIN = 4096;
/** Longer texts go to TextDecoder, which makes the string without a second buffer this size. */
const LATIN1_TEXT_MAX = 4 * 1024 * 1024;

/**
 * The Latin-1 bytes of the text being decoded. Reused between calls, and held weakly so that a
 * collection can take it back once loading is over.
 */
let scratchRef: WeakRef<Uint8Array> | undefined;

function scratch(size: number): Uint8Array {
  let buffer = scratchRef?.deref();
  if (!buffer || buffer.length < size) {
    buffer = new Uint8Array(Math.max(size, 64 * 1024));
    scratchRef = new WeakRef(buffer);
  }
  return buffer;
}

/**
 * Decodes bytes[start, end) when it is well-formed UTF-8 of Latin-1 characters only; undefined
 * otherwise (any other character, or any error), leaving the general decoder to judge it.
 */
export function decodeLatin1Utf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  if (latin1Slice === undefined || length < LATIN1_TEXT_MIN || length > LATIN1_TEXT_MAX) return undefined;
  const out = scratch(length);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out[n++] = b;
    } else if ((b === 0xc2 || b === 0xc3) && i + 1 < end) {
      // U+0080..U+00FF: C2 80..C3 BF.
      const next = bytes[++i]!;
      if ((next & 0xc0) !== 0x80) return undefined;
      out[n++] = ((b & 0x03) << 6) | (next & 0x3f);
    } else {
      return undefined;
    }
  }
  return latin1Slice.call(out, 0, n);
}

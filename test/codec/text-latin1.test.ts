import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8 } from '../../src/codec/text.js';
import { LATIN1_TEXT_MIN, latin1BytesOfUtf8 } from '../../src/codec/text-latin1.js';

// Long texts of Latin-1 characters take their own decoder (text-latin1.ts); it must agree with a
// strict UTF-8 decoder on every input, falling back whenever the text is anything else.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const reference = (bytes: Uint8Array): string | null => {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
};
const latin1Text = (length: number, seed: number): string =>
  Array.from({ length }, (_, i) => String.fromCharCode(((i + seed) * 7919) & 0xff)).join('');
const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

describe('long Latin-1 text', () => {
  it('decodes as TextDecoder does, within a larger buffer too', () => {
    const text = latin1Text(LATIN1_TEXT_MIN * 3, 1);
    const bytes = utf8(text);
    expect(decodeUtf8(bytes, 0, bytes.length)).toBe(text);
    const framed = new Uint8Array([0x41, ...bytes, 0xff]);
    expect(decodeUtf8(framed, 1, framed.length - 1)).toBe(text);
  });

  it('decodes at every alignment of the text and of its buffer (the size is counted by words)', () => {
    for (let length = LATIN1_TEXT_MIN; length < LATIN1_TEXT_MIN + 4; length++) {
      const text = latin1Text(length, length);
      const bytes = utf8(text);
      for (let offset = 0; offset < 8; offset++) {
        const backing = new Uint8Array(bytes.length + 16).fill(0x80); // stray continuations around it
        backing.set(bytes, offset + 4);
        const view = backing.subarray(offset % 4); // a view whose byteOffset is not aligned
        const at = offset + 4 - (offset % 4);
        expect(latin1BytesOfUtf8(view, at, at + bytes.length)).toEqual(Uint8Array.from(text, (c) => c.charCodeAt(0)));
        expect(decodeUtf8(view, at, at + bytes.length)).toBe(text);
        expect(latin1BytesOfUtf8(view, at, at + bytes.length + 1)).toBeUndefined(); // one stray byte more
      }
    }
  });

  it('leaves other characters and every malformed sequence to the general decoder', () => {
    const text = latin1Text(LATIN1_TEXT_MIN, 2);
    const cases: Uint8Array[] = [
      utf8(`${text}\u0100`),
      utf8(`${text}😀`),
      utf8(`\u20ac${text}`),
      new Uint8Array([...utf8(text), 0xc3]), // a lead byte at the very end
      new Uint8Array([...utf8(text), 0xc3, 0x41]), // a lead byte without its continuation
      new Uint8Array([...utf8(text), 0x80]), // a continuation byte alone
      new Uint8Array([...utf8(text), 0xc1, 0x81]), // an overlong form
      new Uint8Array([...utf8(text), 0xed, 0xa0, 0x80]), // an encoded surrogate (surrogatepass)
    ];
    for (const bytes of cases) {
      const expected = bytes.at(-3) === 0xed ? `${text}\ud800` : reference(bytes);
      expect(decodeUtf8(bytes, 0, bytes.length)).toBe(expected);
    }
  });

  it('agrees with TextDecoder on random long byte strings biased to Latin-1 UTF-8', () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }).map((b) => [b]),
      fc.integer({ min: 0x80, max: 0xff }).map((c) => [0xc0 | (c >> 6), 0x80 | (c & 0x3f)]),
      fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]),
    );
    fc.assert(
      fc.property(fc.array(unit, { minLength: LATIN1_TEXT_MIN, maxLength: LATIN1_TEXT_MIN + 64 }), (units) => {
        const bytes = new Uint8Array(units.flat());
        const decoded = decodeUtf8(bytes, 0, bytes.length);
        const expected = reference(bytes);
        if (expected !== null) expect(decoded).toBe(expected);
        else if (!bytes.includes(0xed)) expect(decoded).toBeNull(); // 0xED may start an encoded surrogate
      }),
      { numRuns: 200 },
    );
  });
});

// The output buffer's chunk list: a large payload is referenced, not copied, and the writes after
// it go on in the same buffer, so the buffer may grow while earlier parts of it already belong to
// the chunk list. Each test starts from a fresh 256-byte buffer (no writer in this file hands one
// on), so the growth after a payload is certain to happen.
import { describe, expect, it } from 'vitest';
import { PickleWriter } from '../../src/codec/writer.js';
import { firstDifference } from './pickler/python-graph.js';

const filled = (n: number, byte: number): Uint8Array => new Uint8Array(n).fill(byte);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** FRAME and its little-endian uint64 length. */
function frameHeader(length: number): Uint8Array {
  const header = new Uint8Array(9);
  header[0] = 0x95;
  new DataView(header.buffer).setUint32(1, length, true);
  return header;
}

const BINBYTES = (n: number): Uint8Array => {
  const header = new Uint8Array(5);
  header[0] = 0x42;
  new DataView(header.buffer).setUint32(1, n, true);
  return header;
};

describe('PickleWriter: writes after a large payload share the buffer with the chunk list', () => {
  it('without frames: every part comes out once, in order, across growths of the buffer', () => {
    const writer = new PickleWriter();
    expect(writer.buffer.length).toBe(256);
    const a = filled(100, 1);
    const p1 = filled(70_000, 2);
    const b = filled(5_000, 3); // outgrows the 256-byte buffer after the first payload
    const p2 = filled(65_536, 4);
    const c = filled(300_000, 5);
    writer.bytes(a);
    writer.largeBytes(() => writer.bytes(BINBYTES(p1.length)), p1);
    expect(writer.length).toBe(100 + 5 + 70_000);
    writer.bytes(b);
    expect(writer.length).toBe(100 + 5 + 70_000 + 5_000);
    writer.largeBytes(() => writer.bytes(BINBYTES(p2.length)), p2);
    for (let i = 0; i < c.length; i += 1000) writer.bytes(c.subarray(i, i + 1000));
    const expected = concat(a, BINBYTES(p1.length), p1, b, BINBYTES(p2.length), p2, c);
    expect(writer.length).toBe(expected.length);
    expect(firstDifference(writer.result(), expected)).toBe(-1);
  });

  it('with frames: a frame in progress when the buffer grows keeps its header in place', () => {
    const writer = new PickleWriter();
    writer.setFraming(true);
    const a = filled(10, 1);
    const p1 = filled(70_000, 2);
    const b1 = filled(20, 3); // starts a frame after the payload
    const b2 = filled(4_000, 4); // grows the buffer within that frame
    writer.bytes(a);
    writer.largeBytes(() => writer.bytes(BINBYTES(p1.length)), p1);
    writer.bytes(b1);
    writer.bytes(b2);
    const expected = concat(frameHeader(10), a, BINBYTES(p1.length), p1, frameHeader(4_020), b1, b2);
    expect(firstDifference(writer.result(), expected)).toBe(-1);
  });

  it('a tiny frame after a payload is dropped without touching the bytes before it', () => {
    const writer = new PickleWriter();
    writer.setFraming(true);
    const p1 = filled(65_536, 7);
    writer.largeBytes(() => writer.bytes(BINBYTES(p1.length)), p1);
    writer.byte(0x2e); // STOP alone: a frame of one byte is not written
    expect(firstDifference(writer.result(), concat(BINBYTES(p1.length), p1, Uint8Array.of(0x2e)))).toBe(-1);
  });

  it('reset() forgets the chunks: the next pickle starts empty in the same buffer', () => {
    const writer = new PickleWriter();
    const p1 = filled(65_536, 7);
    writer.bytes(filled(3, 1));
    writer.largeBytes(() => writer.bytes(BINBYTES(p1.length)), p1);
    writer.bytes(filled(3, 2));
    writer.reset();
    expect(writer.length).toBe(0);
    writer.bytes(filled(4, 9));
    expect(firstDifference(writer.result(), filled(4, 9))).toBe(-1);
  });
});

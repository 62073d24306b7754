// The pickler's output buffer: grows geometrically, and frames its output at protocol 4+ the
// way CPython does: a 9-byte FRAME header is reserved when a frame starts, filled in when the
// frame is committed, and dropped again when the frame holds fewer than 4 bytes.

import { Opcode } from '../protocol/opcodes.js';

const FRAME_HEADER_SIZE = 9;
/** A frame is committed at the first opcode boundary after it reaches 64 KiB. */
export const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;
/** The smallest buffer a writer starts with or grows to. */
const INITIAL_SIZE = 256;
const NEWLINE = 0x0a;

/**
 * The output would be larger than one Uint8Array can be (4 GiB in Node 20). Thrown from inside a
 * write, so the pickler reports it with the path of the value being written.
 */
export class OutputTooLarge extends Error {
  constructor(bytes: number) {
    super(`the pickle would need ${bytes} bytes in one Uint8Array, more than this runtime can allocate`);
  }
}

/** A new buffer of `size` bytes, or OutputTooLarge when the runtime cannot make one that large. */
function allocate(size: number): Uint8Array {
  try {
    return new Uint8Array(size);
  } catch (error) {
    if (error instanceof RangeError) throw new OutputTooLarge(size);
    throw error;
  }
}

export class PickleWriter {
  /** A buffer a finished one-shot writer left behind, so `dumps` does not regrow from scratch. */
  static #spare: Uint8Array | null = null;
  #buf: Uint8Array = PickleWriter.#takeSpare();
  #view = new DataView(this.#buf.buffer);

  static #takeSpare(): Uint8Array {
    const spare = PickleWriter.#spare;
    PickleWriter.#spare = null;
    return spare ?? new Uint8Array(INITIAL_SIZE);
  }

  /**
   * Hands this writer's buffer on to the next writer made. Idempotent: a released writer holds an
   * empty buffer, which is never handed on (nor is the one already waiting in the slot).
   */
  release(): void {
    const buf = this.#buf;
    if (buf.length === 0) return;
    const spare = PickleWriter.#spare;
    if (buf.length <= 64 * 1024 * 1024 && buf !== spare && (!spare || spare.length < buf.length)) {
      PickleWriter.#spare = buf;
    }
    this.#buf = new Uint8Array(0);
    this.#view = new DataView(this.#buf.buffer);
    this.#len = 0;
    this.#chunkStart = 0;
  }
  #len = 0;
  #framing = false;
  #frameStart = -1;
  /** Finished parts of the output (large payloads kept as the caller's arrays, not copied). */
  #chunks: Uint8Array[] = [];
  #chunkedLength = 0;
  /** Where the part of #buf not yet in #chunks starts (the bytes before it must not change). */
  #chunkStart = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#chunkedLength + this.#len - this.#chunkStart;
  }

  /** Turns framing on (protocol 4+) or off; a frame in progress is committed when turned off. */
  setFraming(on: boolean): void {
    if (!on) this.commitFrame();
    this.#framing = on;
  }

  /** Reserves `n` bytes, starting a frame first when one is due, and returns their offset. */
  reserve(n: number): number {
    const startFrame = this.#framing && this.#frameStart < 0;
    const need = this.#len + n + (startFrame ? FRAME_HEADER_SIZE : 0);
    if (need > this.#buf.length) this.#grow(need);
    if (startFrame) {
      this.#frameStart = this.#len;
      this.#len += FRAME_HEADER_SIZE;
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }

  #grow(need: number): void {
    // Bytes before #chunkStart belong to the chunk list, which keeps the old buffer alive: only
    // the rest moves, to the start of the new buffer.
    // The new one is sized for what moves (at most 1 MiB to start with, as the old one may be a
    // large spare of which the chunks hold nearly all).
    const start = this.#chunkStart;
    const live = need - start;
    // Never from 0 (a released writer's empty buffer): doubling it would stay 0 for ever.
    let size = Math.max(INITIAL_SIZE, start > 0 ? Math.min(this.#buf.length, 1 << 20) : this.#buf.length * 2);
    while (size < live) size *= 2;
    let next: Uint8Array;
    try {
      next = allocate(size);
    } catch (error) {
      // Doubling overshot what the runtime allows: exactly what is needed may still fit.
      if (!(error instanceof OutputTooLarge) || size === live) throw error;
      next = allocate(live);
    }
    next.set(this.#buf.subarray(start, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
    this.#len -= start;
    if (this.#frameStart >= 0) this.#frameStart -= start;
    this.#chunkStart = 0;
  }

  /** Gives back bytes reserved but not used (the tail of a worst-case reservation). */
  unreserve(n: number): void {
    this.#len -= n;
  }

  get buffer(): Uint8Array {
    return this.#buf;
  }

  get view(): DataView {
    return this.#view;
  }

  // Each writer reserves before touching #buf: reserve() may replace the buffer when it grows.
  byte(b: number): void {
    const at = this.reserve(1);
    this.#buf[at] = b;
  }

  byte2(a: number, b: number): void {
    const at = this.reserve(2);
    this.#buf[at] = a;
    this.#buf[at + 1] = b;
  }

  /** An opcode followed by a little-endian uint16. */
  opU16(op: number, value: number): void {
    const at = this.reserve(3);
    this.#buf[at] = op;
    this.#view.setUint16(at + 1, value, true);
  }

  /** An opcode followed by a little-endian int32 or uint32. */
  opU32(op: number, value: number): void {
    const at = this.reserve(5);
    this.#buf[at] = op;
    this.#view.setUint32(at + 1, value >>> 0, true);
  }

  /** An opcode followed by a little-endian uint64 (a length below 2^53). */
  opU64(op: number, value: number): void {
    const at = this.reserve(9);
    this.#buf[at] = op;
    this.#view.setUint32(at + 1, value % 0x1_0000_0000, true);
    this.#view.setUint32(at + 5, Math.floor(value / 0x1_0000_0000), true);
  }

  /** An opcode followed by a big-endian float64 (BINFLOAT). */
  opF64(op: number, value: number): void {
    const at = this.reserve(9);
    this.#buf[at] = op;
    this.#view.setFloat64(at + 1, value, false);
  }

  bytes(data: Uint8Array): void {
    const at = this.reserve(data.length);
    this.#buf.set(data, at);
  }

  /** Text known to be Latin-1 (ASCII opcodes' arguments, numbers, escaped strings). */
  latin1(text: string): void {
    const at = this.reserve(text.length);
    const buf = this.#buf;
    for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
  }

  /** A protocol 0 opcode and its argument: the Latin-1 text `text` and a newline. */
  opLine(op: number, text: string): void {
    const at = this.reserve(text.length + 2);
    const buf = this.#buf;
    buf[at] = op;
    for (let i = 0; i < text.length; i++) buf[at + 1 + i] = text.charCodeAt(i);
    buf[at + 1 + text.length] = NEWLINE;
  }

  /** Closes the current frame: fills in its header, or removes it when the frame is tiny. */
  commitFrame(): void {
    const start = this.#frameStart;
    if (start < 0) return;
    const frameLength = this.#len - start - FRAME_HEADER_SIZE;
    if (frameLength >= FRAME_SIZE_MIN) {
      this.#buf[start] = Opcode.FRAME;
      this.#view.setUint32(start + 1, frameLength % 0x1_0000_0000, true);
      this.#view.setUint32(start + 5, Math.floor(frameLength / 0x1_0000_0000), true);
    } else {
      this.#buf.copyWithin(start, start + FRAME_HEADER_SIZE, this.#len);
      this.#len -= FRAME_HEADER_SIZE;
    }
    this.#frameStart = -1;
  }

  /** Between two objects: a frame that reached its target size is committed. */
  opcodeBoundary(): void {
    if (this.#frameStart >= 0 && this.#len - this.#frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) {
      this.commitFrame();
    }
  }

  /**
   * Writes a header and a payload of 64 KiB or more outside any frame, as CPython does, so a
   * reader can load large payloads without copying them through a frame buffer.
   */
  largePayload(writeHeader: () => void, payload: () => void): void {
    const framing = this.#framing;
    this.commitFrame();
    this.#framing = false;
    writeHeader();
    payload();
    this.#framing = framing;
  }

  /**
   * A header and a payload of 64 KiB or more, outside any frame (as largePayload), with the
   * payload referenced rather than copied into the buffer: it is copied once, by result().
   */
  largeBytes(writeHeader: () => void, payload: Uint8Array): void {
    const framing = this.#framing;
    this.commitFrame();
    this.#framing = false;
    writeHeader();
    // Later writes go on in the same buffer after the part handed to the chunk list (a fresh
    // buffer of up to 1 MiB for each payload had made a dump of a thousand 70 KB bytes 5-7x
    // slower).
    this.#chunks.push(this.#buf.subarray(this.#chunkStart, this.#len), payload);
    this.#chunkedLength += this.#len - this.#chunkStart + payload.length;
    this.#chunkStart = this.#len;
    this.#framing = framing;
  }

  /** Empties the buffer for the next pickle, keeping its memory. */
  reset(): void {
    this.#len = 0;
    this.#frameStart = -1;
    this.#framing = false;
    this.#chunks = [];
    this.#chunkedLength = 0;
    this.#chunkStart = 0;
  }

  /** The bytes written, as a new array of exactly their length. */
  result(): Uint8Array {
    this.commitFrame();
    if (this.#chunks.length === 0) return this.#buf.slice(0, this.#len);
    const out = allocate(this.length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    out.set(this.#buf.subarray(this.#chunkStart, this.#len), at);
    this.#chunks = [];
    this.#chunkedLength = 0;
    this.#chunkStart = 0;
    return out;
  }
}

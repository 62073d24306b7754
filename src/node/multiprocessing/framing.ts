// The framing of multiprocessing.connection: each message is a 4-byte big-endian signed length
// and the payload; a length of -1 is followed by an 8-byte big-endian length (CPython sends that
// form only above 0x7fffffff bytes, and accepts it for any size).
import type { Socket } from 'node:net';
import { UnpicklingError } from '../../errors.js';
import { ConnectionClosedError } from './errors.js';

/** The largest length the 4-byte form carries. */
const SHORT_FORM_MAX = 0x7fffffff;
/** Bytes buffered ahead of the reader before the socket is paused. */
const READ_AHEAD = 1 << 20;

/** The header CPython writes before a payload of `length` bytes. */
export function frameHeader(length: number): Buffer {
  if (length <= SHORT_FORM_MAX) {
    const header = Buffer.allocUnsafe(4);
    header.writeInt32BE(length, 0);
    return header;
  }
  const header = Buffer.allocUnsafe(12);
  header.writeInt32BE(-1, 0);
  header.writeBigUInt64BE(BigInt(length), 4);
  return header;
}

/**
 * Reads whole messages from a socket: bytes are buffered only up to the message being read (plus
 * a bounded read-ahead), and a length above the limit is refused before its payload is read.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  /** Set when this side gave up on the stream: what is buffered can no longer be framed. */
  private abandoned: string | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered > READ_AHEAD && !this.wake) socket.pause();
      this.notify();
    });
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', (error) => {
      this.failure ??= error;
      this.notify();
    });
  }

  /**
   * The next message's payload; `maxBytes` bounds its length. A peer closing before a message
   * begins is CONNECTION_CLOSED, inside one TRUNCATED.
   */
  async readMessage(maxBytes: number): Promise<Buffer> {
    const first = await this.readExactly(4, true);
    let length = first.readInt32BE(0);
    if (length === -1) {
      const long = (await this.readExactly(8, false)).readBigUInt64BE(0);
      if (long > BigInt(Number.MAX_SAFE_INTEGER)) this.refuse(`a message of ${long} bytes is beyond this connection's maxMessageBytes (${maxBytes})`);
      length = Number(long);
    } else if (length < 0) {
      this.abandon('a bad message length');
      throw new UnpicklingError(`bad message length ${length} in a multiprocessing connection frame`);
    }
    if (length > maxBytes) this.refuse(`a message of ${length} bytes is beyond this connection's maxMessageBytes (${maxBytes})`);
    return this.readExactly(length, false);
  }

  private refuse(message: string): never {
    // The payload is never read, so the stream cannot go on: close it, as CPython does.
    this.abandon('a message beyond maxMessageBytes');
    throw new UnpicklingError(message, { code: 'LIMIT_EXCEEDED' });
  }

  private abandon(why: string): void {
    this.abandoned = why;
    this.chunks.length = 0;
    this.buffered = 0;
    this.socket.destroy();
  }

  private async readExactly(length: number, atBoundary: boolean): Promise<Buffer> {
    if (this.abandoned) throw new ConnectionClosedError(`the connection was closed after ${this.abandoned}`);
    while (this.buffered < length) {
      if (this.failure) throw this.closedError(atBoundary && this.buffered === 0, this.failure);
      if (this.ended) throw this.closedError(atBoundary && this.buffered === 0);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.socket.resume();
      });
    }
    return this.take(length);
  }

  private closedError(betweenMessages: boolean, cause?: Error): ConnectionClosedError {
    return betweenMessages
      ? new ConnectionClosedError('the peer closed the connection', { cause })
      : new ConnectionClosedError('the peer closed the connection inside a message', { code: 'TRUNCATED', cause });
  }

  private take(length: number): Buffer {
    let result: Buffer;
    const head = this.chunks[0];
    if (head && head.length >= length) {
      result = head.subarray(0, length);
      if (head.length === length) this.chunks.shift();
      else this.chunks[0] = head.subarray(length);
    } else {
      result = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const chunk = this.chunks[0]!;
        const used = Math.min(chunk.length, length - filled);
        chunk.copy(result, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(used);
      }
    }
    this.buffered -= length;
    return result;
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

// A multiprocessing.connection Connection over a socket: framed bytes, and pickles in them.
import type { Socket } from 'node:net';
import { dumps, type DumpOptions } from '../../codec/pickler.js';
import type { LoadOptions } from '../../codec/unpickler.js';
import { loads } from '../../mapper/typed-loads.js';
import type { MappedClass } from '../../mapper/types.js';
import { ConnectionClosedError } from './errors.js';
import { FrameReader, frameHeader } from './framing.js';
import { HANDSHAKE_MESSAGE_MAX, type HandshakeChannel } from './handshake.js';

/** The default of `maxMessageBytes`: the largest pickle `loads` takes by default (`maxInputBytes`). */
export const DEFAULT_MAX_MESSAGE_BYTES = 2 ** 31;
/** CPython concatenates header and payload up to this size (fewer packets under Nagle). */
const CONCAT_LIMIT = 16384;

/** Options of a connection, given to `Client` or `Listener`. */
export interface ConnectionOptions {
  /** Options of `loads` for `recv()`. */
  loadOptions?: LoadOptions;
  /** Options of `dumps` for `send()` (protocol 4 by default, as CPython 3.8–3.13 send). */
  dumpOptions?: DumpOptions;
  /**
   * The longest message received: a longer one is refused (LIMIT_EXCEEDED) before its payload is
   * read, and the connection is closed. Default 2 GiB.
   */
  maxMessageBytes?: number;
}

/** One end of a connection to Python's `multiprocessing.connection` (or to another of ours). */
export class Connection implements HandshakeChannel {
  private readonly reader: FrameReader;
  private receiving: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly maxMessageBytes: number;

  /** @internal Made by `Client` and `Listener.accept()`. */
  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions = {},
  ) {
    this.reader = new FrameReader(socket);
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    socket.setNoDelay?.(true);
  }

  /** Pickles `value` and sends it as one message (Python's `conn.send(obj)`). */
  send(value: unknown): Promise<void> {
    return this.sendBytes(dumps(value, this.options.dumpOptions));
  }

  /** Receives one message and unpickles it into an instance of `cls` (as `loads(bytes, cls)`). */
  recv<T>(cls: MappedClass<T>): Promise<T>;
  /** Receives one message and unpickles it (Python's `conn.recv()`). */
  recv(): Promise<unknown>;
  async recv<T>(cls?: MappedClass<T>): Promise<unknown> {
    const payload = await this.recvBytes();
    return cls ? loads(payload, cls, this.options.loadOptions) : loads(payload, this.options.loadOptions);
  }

  /** Sends bytes as one message (Python's `conn.send_bytes(buf)`). */
  sendBytes(data: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new ConnectionClosedError('send on a closed connection'));
    const header = frameHeader(data.length);
    const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (data.length <= CONCAT_LIMIT) return this.write(Buffer.concat([header, payload]));
    this.socket.write(header);
    return this.write(payload);
  }

  /** Receives one message's bytes (Python's `conn.recv_bytes()`). */
  recvBytes(): Promise<Buffer> {
    return this.receive(this.maxMessageBytes);
  }

  /** @internal A handshake message: at most 256 bytes, as CPython reads them. */
  receiveHandshakeMessage(): Promise<Buffer> {
    return this.receive(HANDSHAKE_MESSAGE_MAX);
  }

  /** Closes the connection; the peer's `recv()` then raises EOFError. */
  close(): Promise<void> {
    this.closed = true;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }

  /** @internal Drops the socket at once (a failed handshake). */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Whether `close()` was called or the socket is gone. */
  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  private receive(maxBytes: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new ConnectionClosedError('receive on a closed connection'));
    // One message at a time, in call order, whatever the caller awaits.
    const next = this.receiving.then(
      () => this.reader.readMessage(maxBytes),
      () => this.reader.readMessage(maxBytes),
    );
    this.receiving = next.catch(() => undefined);
    return next;
  }

  private write(chunk: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(chunk, (error) => (error ? reject(new ConnectionClosedError(`send failed: ${error.message}`, { cause: error })) : resolve()));
    });
  }
}

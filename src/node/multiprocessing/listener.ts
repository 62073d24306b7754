// Listener(address, { authkey }): accepts connections from Python's multiprocessing Client (or ours).
import { createServer, type Server } from 'node:net';
import { type Address, authkeyBytes, socketOptions } from './address.js';
import { authenticate, type AuthOptions } from './client.js';
import { Connection } from './connection.js';
import { ConnectionClosedError } from './errors.js';

/** A listening socket; `accept()` gives the next authenticated connection. */
export class ConnectionListener {
  // Each socket becomes a Connection as it arrives, so that its errors and closing are seen
  // even while it waits for accept().
  private readonly pending: Connection[] = [];
  private readonly waiting: Array<{ resolve: (connection: Connection) => void; reject: (error: Error) => void }> = [];
  private closed = false;

  /** @internal Made by `Listener`. */
  constructor(
    private readonly server: Server,
    /** Where it listens: `[host, port]` (the port chosen when 0 was asked) or the socket's path. */
    readonly address: readonly [host: string, port: number] | string,
    private readonly options: AuthOptions,
  ) {
    server.on('connection', (socket) => {
      const connection = new Connection(socket, this.options);
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(connection);
      else this.pending.push(connection);
    });
  }

  /**
   * The next connection, once the handshake has passed (Python's `listener.accept()`); a peer
   * with a wrong authkey makes it reject with an AuthenticationError.
   */
  async accept(): Promise<Connection> {
    const connection =
      this.pending.shift() ??
      (await new Promise<Connection>((resolve, reject) => {
        if (this.closed) reject(new ConnectionClosedError('accept on a closed listener'));
        else this.waiting.push({ resolve, reject });
      }));
    await authenticate(connection, this.options, 'listener');
    return connection;
  }

  /** Stops listening; connections already accepted stay open. */
  close(): Promise<void> {
    this.closed = true;
    for (const connection of this.pending.splice(0)) connection.destroy();
    for (const waiter of this.waiting.splice(0)) waiter.reject(new ConnectionClosedError('the listener was closed'));
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Listens on `address` (Python's `multiprocessing.connection.Listener`); port 0 picks a free port. */
export async function Listener(address: Address, options: AuthOptions = {}): Promise<ConnectionListener> {
  const target = socketOptions(address);
  authkeyBytes(options.authkey);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen('path' in target ? { path: target.path } : { host: target.host, port: target.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const where = typeof bound === 'string' || bound === null ? (bound ?? '') : ([bound.address, bound.port] as const);
  return new ConnectionListener(server, where, options);
}

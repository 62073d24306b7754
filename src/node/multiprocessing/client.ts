// Client(address, { authkey }): connects to a Python multiprocessing Listener (or ours).
import { connect } from 'node:net';
import { type Address, authkeyBytes, socketOptions } from './address.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { AuthenticationError } from './errors.js';
import { answerChallenge, deliverChallenge, type ChallengeDigest } from './handshake.js';

/** Options of `Client` and `Listener`. */
export interface AuthOptions extends ConnectionOptions {
  /**
   * The shared secret (Python's `authkey` bytes; a string is UTF-8). Without it there is no
   * handshake, as in Python; with it both sides prove they hold it before any message.
   */
  authkey?: Uint8Array | string;
  /**
   * The form of the challenge this side sends: 'sha256' (default; CPython 3.12's, which every
   * Python answers) or 'md5' (the form of 3.11 and older). Answers follow the peer's form.
   */
  challengeDigest?: ChallengeDigest;
  /**
   * The most milliseconds the handshake may take (default 30 000; 0: no limit). A peer that
   * connects and then says nothing is dropped with an AuthenticationError (`HANDSHAKE_TIMEOUT`)
   * instead of holding `Client()` or `accept()` for ever.
   */
  handshakeTimeoutMs?: number;
}

/** The default of `handshakeTimeoutMs`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

/** Runs the handshake for one side; a failure closes the socket. */
export async function authenticate(connection: Connection, options: AuthOptions, side: 'client' | 'listener'): Promise<void> {
  const key = authkeyBytes(options.authkey);
  if (!key) return;
  const form = options.challengeDigest ?? 'sha256';
  const limit = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const handshake = async (): Promise<void> => {
    if (side === 'listener') {
      await deliverChallenge(connection, key, form);
      await answerChallenge(connection, key);
    } else {
      await answerChallenge(connection, key);
      await deliverChallenge(connection, key, form);
    }
  };
  try {
    if (limit <= 0) {
      await handshake();
      return;
    }
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AuthenticationError(`the peer did not complete the handshake within ${limit} ms`, { code: 'HANDSHAKE_TIMEOUT' })),
        limit,
      );
    });
    await Promise.race([handshake(), expired]);
  } catch (error) {
    connection.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Connects to `address` and authenticates (Python's `multiprocessing.connection.Client`). */
export async function Client(address: Address, options: AuthOptions = {}): Promise<Connection> {
  const target = socketOptions(address);
  authkeyBytes(options.authkey);
  const socket = connect(target);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const connection = new Connection(socket, options);
  await authenticate(connection, options, 'client');
  return connection;
}

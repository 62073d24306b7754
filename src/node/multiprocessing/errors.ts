// Errors of multiprocessing connections, coded like every PickleError.
import { PickleError, type PickleErrorOptions } from '../../errors.js';

/**
 * The HMAC challenge-response handshake failed: the peer has another authkey, or does not speak
 * the handshake. Python raises `multiprocessing.AuthenticationError` here; nothing from the peer
 * is unpickled.
 */
export class AuthenticationError extends PickleError {
  override name = 'AuthenticationError';
  static override defaultCode = 'AUTHENTICATION_FAILED' as const;
  constructor(message: string, options?: PickleErrorOptions) {
    super(message, options);
  }
}

/**
 * The connection is closed: by the peer between messages (`CONNECTION_CLOSED`, Python's
 * EOFError), inside a message (`TRUNCATED`), or by this side before the call.
 */
export class ConnectionClosedError extends PickleError {
  override name = 'ConnectionClosedError';
  static override defaultCode = 'CONNECTION_CLOSED' as const;
  constructor(message: string, options?: PickleErrorOptions) {
    super(message, options);
  }
}

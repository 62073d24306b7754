// pickle-mapper/multiprocessing: Python's multiprocessing.connection Client and Listener, over
// TCP and Unix sockets (Node only; the core entry stays browser-safe). Its connections send and
// receive the standard types (datetime, numpy...) as the full entry does: importing this entry
// installs them, the one statement below (package.json's `sideEffects` names its files).
/**
 * Python's `multiprocessing.connection`: `Client` and `Listener` over TCP and Unix sockets, with
 * CPython's HMAC handshake (Node only).
 * @module pickle-mapper/multiprocessing
 */
import { installStandardTypes } from '../../standard/index.js';

export { Client, type AuthOptions } from './client.js';
export { Listener, ConnectionListener } from './listener.js';
export { Connection, DEFAULT_MAX_MESSAGE_BYTES, type ConnectionOptions } from './connection.js';
export { AuthenticationError, ConnectionClosedError } from './errors.js';
export type { Address } from './address.js';
export type { ChallengeDigest } from './handshake.js';

installStandardTypes();

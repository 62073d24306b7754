// The addresses Python's multiprocessing.connection takes: a (host, port) pair for TCP, a path
// for a Unix socket.
import { PickleError } from '../../errors.js';

/** `['127.0.0.1', 6000]` (Python's tuple), `{ host, port }`, or a Unix socket's path. */
export type Address = readonly [host: string, port: number] | { readonly host: string; readonly port: number } | string;

/** Node's `net` options for an address. */
export function socketOptions(address: Address): { host: string; port: number } | { path: string } {
  if (typeof address === 'string') return { path: address };
  const [host, port] = Array.isArray(address) ? address : [(address as { host: string }).host, (address as { port: number }).port];
  if (typeof host !== 'string' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PickleError(`not a multiprocessing address: ${JSON.stringify(address)} (give [host, port], { host, port } or a socket path)`, {
      code: 'INVALID_ARGUMENT',
    });
  }
  return { host, port };
}

/** An authkey as bytes: strings are UTF-8 (Python's authkey is `bytes`). */
export function authkeyBytes(authkey: Uint8Array | string | undefined): Uint8Array | undefined {
  if (authkey === undefined || authkey instanceof Uint8Array) return authkey;
  if (typeof authkey === 'string') return Buffer.from(authkey, 'utf8');
  throw new PickleError('authkey must be a Uint8Array or a string', { code: 'INVALID_ARGUMENT' });
}

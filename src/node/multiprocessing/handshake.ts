// The HMAC challenge-response of multiprocessing.connection, in both of CPython's forms:
// - up to 3.11: `#CHALLENGE#` + 20 random bytes, answered by the raw 16-byte HMAC-MD5 of them;
// - 3.12 and later: `#CHALLENGE#{sha256}` + 40 random bytes, answered by `{sha256}` + the
//   HMAC-SHA256 of everything after `#CHALLENGE#` (prefix included). A 3.11 peer answers that
//   challenge with a raw HMAC-MD5 of the same bytes, which the verifier accepts.
// The listener challenges first, then the client challenges the listener; each verdict is a
// framed `#WELCOME#` or `#FAILURE#`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from './errors.js';

const CHALLENGE = Buffer.from('#CHALLENGE#');
const WELCOME = Buffer.from('#WELCOME#');
const FAILURE = Buffer.from('#FAILURE#');
/** Handshake messages are short; a longer one is refused before it is read (as CPython's 256). */
export const HANDSHAKE_MESSAGE_MAX = 256;
const LEGACY_CHALLENGE_BYTES = 20;
const CHALLENGE_BYTES = 40;
const MD5_BYTES = 16;
/** The digests CPython accepts in a `{digest}` prefix, by their Node names. */
const DIGESTS: ReadonlyMap<string, string> = new Map([
  ['md5', 'md5'],
  ['sha256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha3_256', 'sha3-256'],
  ['sha3_384', 'sha3-384'],
]);
const MAX_DIGEST_NAME = 8;

/**
 * The challenge this side sends: 'sha256' is CPython 3.12's form (every Python answers it: 3.11
 * and older with HMAC-MD5, 3.12+ with HMAC-SHA256); 'md5' is the form of 3.11 and older.
 */
export type ChallengeDigest = 'sha256' | 'md5';

/** What the handshake needs of a connection: framed bytes both ways. */
export interface HandshakeChannel {
  sendBytes(data: Uint8Array): Promise<void>;
  receiveHandshakeMessage(): Promise<Buffer>;
}

/** A `{digest}` prefix and the rest, or no digest for the legacy 16/20-byte messages. */
function splitDigest(message: Buffer): { digest: string | undefined; payload: Buffer } {
  if (message.length === LEGACY_CHALLENGE_BYTES || message.length === MD5_BYTES) return { digest: undefined, payload: message };
  if (message[0] === 0x7b) {
    const close = message.subarray(0, MAX_DIGEST_NAME + 2).indexOf(0x7d, 1);
    const name = close > 0 ? DIGESTS.get(message.subarray(1, close).toString('latin1')) : undefined;
    if (name) return { digest: name, payload: message.subarray(close + 1) };
  }
  throw new AuthenticationError(`unsupported handshake message: ${message.length} bytes without a known {digest} prefix`);
}

function hmac(digest: string, key: Uint8Array, message: Uint8Array): Buffer {
  return createHmac(digest, key).update(message).digest();
}

/** Sends a challenge, checks the answer, and tells the peer the verdict. */
export async function deliverChallenge(channel: HandshakeChannel, authkey: Uint8Array, form: ChallengeDigest): Promise<void> {
  const message =
    form === 'md5'
      ? randomBytes(LEGACY_CHALLENGE_BYTES)
      : Buffer.concat([Buffer.from('{sha256}'), randomBytes(CHALLENGE_BYTES)]);
  await channel.sendBytes(Buffer.concat([CHALLENGE, message]));
  const response = await channel.receiveHandshakeMessage();
  let accepted = false;
  try {
    const { digest, payload } = splitDigest(response);
    const expected = hmac(digest ?? 'md5', authkey, message);
    accepted = expected.length === payload.length && timingSafeEqual(expected, payload);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
  }
  if (!accepted) {
    await channel.sendBytes(FAILURE);
    throw new AuthenticationError('the peer answered the challenge wrongly: its authkey differs from ours');
  }
  await channel.sendBytes(WELCOME);
}

/** Answers the peer's challenge in the peer's form, and waits for its verdict. */
export async function answerChallenge(channel: HandshakeChannel, authkey: Uint8Array): Promise<void> {
  const message = await channel.receiveHandshakeMessage();
  if (!message.subarray(0, CHALLENGE.length).equals(CHALLENGE)) {
    throw new AuthenticationError('the peer sent no challenge: it does not expect an authkey, or is no multiprocessing connection');
  }
  const challenge = message.subarray(CHALLENGE.length);
  if (challenge.length < LEGACY_CHALLENGE_BYTES) throw new AuthenticationError(`the peer's challenge is too short (${challenge.length} bytes)`);
  const { digest } = splitDigest(challenge);
  // The MAC covers the whole challenge, digest prefix included; a legacy challenge gets a raw MD5.
  const response = digest
    ? Buffer.concat([Buffer.from(`{${[...DIGESTS].find(([, node]) => node === digest)![0]}}`), hmac(digest, authkey, challenge)])
    : hmac('md5', authkey, challenge);
  await channel.sendBytes(response);
  const verdict = await channel.receiveHandshakeMessage();
  if (!verdict.equals(WELCOME)) throw new AuthenticationError('the peer rejected our answer to its challenge: its authkey differs from ours');
}

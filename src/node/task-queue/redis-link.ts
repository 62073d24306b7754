// The Redis commands RQ and Celery need, over an ioredis client (an optional peer: the user's own
// client, or one made from a URL). Replies come back as Buffers: job data, results and task
// bodies are binary. Blocking pops and subscriptions get their own connections, as a blocked
// connection answers nothing else.
import { PickleError } from '../../errors.js';
import { commonJsExports, importPeer } from '../optional-peer.js';

/** A command argument as Redis takes it. */
export type RedisArgument = string | Buffer | number;

/**
 * The part of an ioredis client (`new Redis(...)`, ioredis 5 or 6) that pickle-mapper uses. Pass
 * your own client to share its connection settings; pickle-mapper never closes a client it was
 * given (only the extra connections it duplicated from it).
 */
export interface RedisClient {
  callBuffer(command: string, ...args: RedisArgument[]): Promise<unknown>;
  multi(commands: RedisArgument[][]): { exec(): Promise<Array<[Error | null, unknown]> | null> };
  duplicate(): RedisClient;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'messageBuffer', listener: (channel: Buffer, message: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Where to find Redis: a URL (`redis://host:port/db`) or an ioredis client. */
export type RedisSource = string | RedisClient;

interface IoredisModule {
  Redis: new (url: string, options?: Record<string, unknown>) => RedisClient;
}

async function loadIoredis(): Promise<IoredisModule> {
  const module = await importPeer('ioredis', 'talking to Redis');
  const exports = commonJsExports<IoredisModule | IoredisModule['Redis']>(module, (value) => typeof (value as IoredisModule | undefined)?.Redis === 'function' || typeof value === 'function');
  return typeof exports === 'function' ? { Redis: exports } : exports;
}

/** A Redis error reply or a failed transaction, as a PickleError the caller can tell by its code. */
export class RedisCommandError extends PickleError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause, code: 'REDIS_ERROR' });
    this.name = 'RedisCommandError';
  }
}

/** One connection to Redis, with the client it came from. */
export class RedisLink {
  private constructor(
    readonly client: RedisClient,
    private readonly owned: boolean,
  ) {
    // A connection made here reports its failures through the commands that meet them (and a
    // worker's onError): without a listener, ioredis would also print each reconnection attempt.
    if (owned) client.on('error', () => undefined);
  }

  /** A link over the given client, or over a new one to the given URL (closed by `close()`). */
  static async open(source: RedisSource): Promise<RedisLink> {
    if (typeof source !== 'string') return new RedisLink(source, false);
    const { Redis } = await loadIoredis();
    // A command fails after a few reconnection attempts (a clear REDIS_ERROR instead of a wait
    // for ever); a worker reports it, waits and tries again.
    return new RedisLink(new Redis(source, { maxRetriesPerRequest: 3 }), true);
  }

  /** A second connection to the same server, for blocking pops or subscriptions; closed by its own `close()`. */
  duplicate(): RedisLink {
    return new RedisLink(this.client.duplicate(), true);
  }

  /** Runs one command; bulk replies are Buffers. A failure is a RedisCommandError (REDIS_ERROR). */
  async call(command: string, ...args: RedisArgument[]): Promise<unknown> {
    try {
      return await this.client.callBuffer(command, ...args);
    } catch (error) {
      throw new RedisCommandError(`Redis ${command} failed: ${(error as Error).message}`, error);
    }
  }

  /** Runs the commands in one MULTI/EXEC: all or none. */
  async transaction(commands: RedisArgument[][]): Promise<unknown[]> {
    let replies: Array<[Error | null, unknown]> | null;
    try {
      // ioredis batches commands by method name: `call` takes any command as it is.
      replies = await this.client.multi(commands.map((command) => ['call', ...command])).exec();
    } catch (error) {
      throw new RedisCommandError(`a Redis transaction failed: ${(error as Error).message}`, error);
    }
    if (replies === null) throw new RedisCommandError('a Redis transaction was aborted');
    return replies.map(([error, reply], i) => {
      if (error) throw new RedisCommandError(`Redis refused ${String(commands[i]![0])}: ${error.message}`, error);
      return reply;
    });
  }

  /** Closes the connection if this link made it (a client the user gave stays open). */
  async close(): Promise<void> {
    if (!this.owned) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Drops the connection at once, unanswered commands included (a blocked pop). */
  abort(): void {
    if (this.owned) this.client.disconnect();
  }
}

/** A Redis reply as text: bulk strings arrive as Buffers. */
export function replyText(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

/** A hash reply (HGETALL: a flat list of field, value) as a Map of field name to Buffer. */
export function replyHash(reply: unknown): Map<string, Buffer> {
  const hash = new Map<string, Buffer>();
  if (!Array.isArray(reply)) return hash;
  for (let i = 0; i + 1 < reply.length; i += 2) hash.set(String(reply[i]), reply[i + 1] as Buffer);
  return hash;
}

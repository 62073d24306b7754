// The connections one queue, client or worker holds: a main one for commands, opened on first
// use, and blocking ones (a blocked BLPOP, BRPOP, XREAD or SUBSCRIBE answers nothing else), one
// per concurrent wait, kept for the next.
import { RedisLink, type RedisSource } from './redis-link.js';

export class RedisConnections {
  private main: Promise<RedisLink> | undefined;
  private readonly idle: RedisLink[] = [];
  private readonly busy = new Set<RedisLink>();
  private closed = false;

  constructor(private readonly source: RedisSource) {}

  /** The connection for ordinary commands. */
  link(): Promise<RedisLink> {
    if (this.closed) return Promise.reject(new Error('the Redis connection was closed'));
    this.main ??= RedisLink.open(this.source);
    return this.main;
  }

  /** Runs `body` on a connection of its own, which may block. */
  async withBlocking<T>(body: (link: RedisLink) => Promise<T>): Promise<T> {
    const link = this.idle.pop() ?? (await this.link()).duplicate();
    this.busy.add(link);
    let reusable = true;
    try {
      return await body(link);
    } catch (error) {
      reusable = false;
      throw error;
    } finally {
      this.busy.delete(link);
      if (reusable && !this.closed) this.idle.push(link);
      else await link.close();
    }
  }

  /** Drops the blocking connections in use at once: their waits fail. */
  abortBlocking(): void {
    for (const link of this.busy) link.abort();
  }

  /** Closes every connection made here (a client the user gave stays open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.busy) link.abort();
    await Promise.all(this.idle.splice(0).map((link) => link.close()));
    if (this.main) await (await this.main).close();
  }
}

// Waiting for task results as Celery's AsyncResult.get() does: subscribed to the result's
// channel first, then a look at the key (a result stored before the subscription), then the
// published result. One subscriber connection serves every wait of a client.
import type { RedisConnections } from '../task-queue/connections.js';
import type { RedisLink } from '../task-queue/redis-link.js';

type Waiter = (message: Buffer) => void;

export class ResultWaiter {
  private subscriber: Promise<RedisLink> | undefined;
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Each channel's SUBSCRIBE, which every wait on it awaits before it looks at the key. */
  private readonly subscriptions = new Map<string, Promise<unknown>>();

  constructor(private readonly connections: RedisConnections) {}

  private connect(): Promise<RedisLink> {
    this.subscriber ??= this.connections.link().then((main) => {
      const link = main.duplicate();
      link.client.on('messageBuffer', (channel, message) => {
        for (const waiter of this.waiters.get(channel.toString()) ?? []) waiter(message);
      });
      return link;
    });
    return this.subscriber;
  }

  /**
   * The first value on `channel` that `accept` takes, or what `current()` finds once subscribed;
   * undefined when `timeoutMs` passes first.
   */
  async wait<T>(channel: string, timeoutMs: number, current: () => Promise<T | undefined>, accept: (message: Buffer) => T | undefined): Promise<T | undefined> {
    const subscriber = await this.connect();
    let resolveWith!: (value: T | undefined) => void;
    let rejectWith!: (error: unknown) => void;
    const outcome = new Promise<T | undefined>((resolve, reject) => {
      resolveWith = resolve;
      rejectWith = reject;
    });
    const waiter: Waiter = (message) => {
      try {
        const value = accept(message);
        if (value !== undefined) resolveWith(value);
      } catch (error) {
        rejectWith(error);
      }
    };
    let set = this.waiters.get(channel);
    if (set === undefined) this.waiters.set(channel, (set = new Set()));
    set.add(waiter);
    let subscribed = this.subscriptions.get(channel);
    if (subscribed === undefined) this.subscriptions.set(channel, (subscribed = subscriber.client.subscribe(channel)));
    const timer = setTimeout(() => resolveWith(undefined), timeoutMs);
    try {
      await subscribed;
      const now = await current();
      if (now !== undefined) resolveWith(now);
      return await outcome;
    } finally {
      clearTimeout(timer);
      set.delete(waiter);
      if (set.size === 0 && this.waiters.get(channel) === set) {
        this.waiters.delete(channel);
        this.subscriptions.delete(channel);
        await subscriber.client.unsubscribe(channel).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    if (this.subscriber) await (await this.subscriber).close();
  }
}

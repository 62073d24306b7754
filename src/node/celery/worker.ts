// A TypeScript Celery worker: takes the tasks Python's `task.delay()` / `apply_async` (or
// CeleryClient) put on its queues, runs the function registered under the task's name, and
// stores the result where Celery's Redis result backend keeps it (SET and PUBLISH), so that
// Python's `AsyncResult.get()` returns it, or raises the failure. A task held here is recorded in
// kombu's `unacked` hash and `unacked_index` set until its result is stored, as kombu's own
// consumer does: a task of a worker that dies is put back by kombu's restore of unacked messages.
import { Backoff } from '../task-queue/backoff.js';
import { RedisConnections } from '../task-queue/connections.js';
import type { RedisArgument, RedisLink } from '../task-queue/redis-link.js';
import { InvalidMessageError, pythonExceptionOf, tracebackText, type PythonException } from '../task-queue/task-errors.js';
import { WorkerRun } from '../task-queue/worker-run.js';
import { TaskRegistry, type TaskFunction, type TaskOptions } from '../task-queue/task-registry.js';
import type { CeleryOptions } from './client.js';
import { decodeTaskMessage, parseEnvelope, PRIORITY_STEPS, priorityQueue, type ReceivedMessage } from './message.js';
import { DEFAULT_RESULT_EXPIRES, failureMeta, resultKey, successMeta } from './result-meta.js';

const UNACKED_KEY = 'unacked';
const UNACKED_INDEX_KEY = 'unacked_index';

export interface CeleryWorkerOptions extends CeleryOptions {
  /** Tasks by name (`tasks.add`); more with `register`. */
  tasks?: Record<string, TaskFunction>;
  /** Seconds a stored result lives (Celery's `result_expires`, default one day; 0: for ever). */
  resultExpires?: number;
  /** Seconds each wait for a task blocks before the worker checks whether it should stop (default 1). */
  pollSeconds?: number;
  /**
   * Told of messages the worker dropped or could not answer (not JSON, a body that does not
   * decode) and of Redis failing a command or the connection (the worker waits, longer each
   * time, and tries again). The worker goes on. Default: nothing.
   */
  onError?: (error: Error, taskId?: string) => void;
}

/** Options of one `work()` run. */
export interface CeleryWorkOptions {
  /** Stop when the queues are empty instead of waiting for more. */
  burst?: boolean;
  /** Stop after this many tasks. */
  maxTasks?: number;
}

/** What a `work()` run did. */
export interface CeleryWorkSummary {
  readonly succeeded: number;
  readonly failed: number;
}

function notRegistered(name: string): PythonException {
  return { module: 'celery.exceptions', type: 'NotRegistered', args: [name], traceback: `celery.exceptions.NotRegistered: '${name}'` };
}

export class CeleryWorker {
  private readonly queues: readonly string[];
  private readonly registry = new TaskRegistry();
  private readonly connections: RedisConnections;
  private readonly lifecycle: WorkerRun<CeleryWorkSummary>;

  constructor(
    queues: string | readonly string[],
    private readonly options: CeleryWorkerOptions,
  ) {
    this.queues = typeof queues === 'string' ? [queues] : [...queues];
    if (this.queues.length === 0) throw new TypeError('a CeleryWorker needs at least one queue');
    this.connections = new RedisConnections(options.connection);
    this.lifecycle = new WorkerRun(this.connections, options.pollSeconds ?? 1);
    for (const [name, fn] of Object.entries(options.tasks ?? {})) this.register(name, fn);
  }

  /** Registers `fn` as the task `name` (the name Python's `@app.task` gives it). */
  register(name: string, fn: TaskFunction, options?: TaskOptions): this {
    this.registry.register(name, fn, options);
    return this;
  }

  /** Takes and runs tasks until `stop()` (or, with `burst`, until the queues are empty). */
  work(options: CeleryWorkOptions = {}): Promise<CeleryWorkSummary> {
    return this.lifecycle.start(() => this.loop(options), 'the worker');
  }

  /** Asks the worker to stop after the task it is running, and waits for it; closes its connections. */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /** Every list the worker reads, highest priority first (kombu's BRPOP order). */
  private lists(): string[] {
    return PRIORITY_STEPS.flatMap((step) => this.queues.map((queue) => priorityQueue(queue, step)));
  }

  private async loop(options: CeleryWorkOptions): Promise<CeleryWorkSummary> {
    const link = await this.connections.link();
    let succeeded = 0;
    let failed = 0;
    const backoff = new Backoff();
    while (!this.lifecycle.stopping && (options.maxTasks === undefined || succeeded + failed < options.maxTasks)) {
      try {
        const raw = options.burst ? await this.popAny(link) : await this.waitForMessage();
        if (raw === undefined) {
          if (options.burst) break;
          continue;
        }
        const outcome = await this.handle(link, raw);
        if (outcome === 'succeeded') succeeded++;
        else if (outcome === 'failed') failed++;
        backoff.reset();
      } catch (error) {
        // Redis failed the worker (a lost connection, a refused command): say so, wait, go on.
        this.report(error);
        await backoff.wait(() => this.lifecycle.stopping);
      }
    }
    return { succeeded, failed };
  }

  private async popAny(link: RedisLink): Promise<string | undefined> {
    for (const list of this.lists()) {
      const reply = await link.call('RPOP', list);
      if (Buffer.isBuffer(reply)) return reply.toString('utf8');
    }
    return undefined;
  }

  private waitForMessage(): Promise<string | undefined> {
    const seconds = this.options.pollSeconds ?? 1;
    return this.connections.withBlocking(async (blocking) => {
      const reply = await blocking.call('BRPOP', ...this.lists(), seconds);
      return Array.isArray(reply) ? String(reply[1]) : undefined;
    });
  }

  /** Runs one message's task and stores its result; 'dropped' for a message with no task to run. */
  private async handle(link: RedisLink, raw: string): Promise<'succeeded' | 'failed' | 'dropped'> {
    let envelope;
    try {
      envelope = parseEnvelope(raw);
    } catch (error) {
      this.report(error);
      return 'dropped';
    }
    let message: ReceivedMessage;
    try {
      message = decodeTaskMessage(envelope, this.options.loadOptions);
    } catch (error) {
      this.report(error, envelope.id);
      // The caller waits on the id: answer it with the failure rather than leave it pending.
      if (envelope.id !== undefined) {
        await this.store(link, envelope.id, failureMeta(envelope.id, { module: 'kombu.exceptions', type: 'DecodeError', args: [(error as Error).message] }));
        return 'failed';
      }
      return 'dropped';
    }
    await this.hold(link, message);
    try {
      return await this.execute(link, message);
    } finally {
      await this.ack(link, message).catch((error) => this.report(error, message.id));
    }
  }

  private async execute(link: RedisLink, message: ReceivedMessage): Promise<'succeeded' | 'failed'> {
    if (message.expires !== null && Date.parse(message.expires) < Date.now()) {
      const exception = { module: 'celery.exceptions', type: 'TaskRevokedError', args: ['expired'] };
      await this.store(link, message.id, failureMeta(message.id, exception, 'REVOKED'));
      return 'failed';
    }
    if (message.eta !== null) {
      const wait = Date.parse(message.eta) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (!this.registry.has(message.task)) {
      await this.store(link, message.id, failureMeta(message.id, notRegistered(message.task)));
      return 'failed';
    }
    let meta: Uint8Array;
    let outcome: 'succeeded' | 'failed' = 'succeeded';
    try {
      const value = await this.registry.call(message.task, message.args, message.kwargs);
      meta = successMeta(message.id, value, this.options.dumpOptions);
    } catch (error) {
      const exception = pythonExceptionOf(error);
      meta = failureMeta(message.id, { ...exception, traceback: tracebackText(exception) });
      outcome = 'failed';
    }
    if (!message.ignoreResult) await this.store(link, message.id, meta);
    return outcome;
  }

  /** Records the message as delivered and not yet acknowledged (kombu's QoS.append). */
  private hold(link: RedisLink, message: ReceivedMessage): Promise<unknown> {
    return link.transaction([
      ['ZADD', UNACKED_INDEX_KEY, Date.now() / 1000, message.deliveryTag],
      ['HSET', UNACKED_KEY, message.deliveryTag, JSON.stringify([JSON.parse(message.raw), message.exchange, message.routingKey])],
    ]);
  }

  private ack(link: RedisLink, message: ReceivedMessage): Promise<unknown> {
    return link.transaction([
      ['ZREM', UNACKED_INDEX_KEY, message.deliveryTag],
      ['HDEL', UNACKED_KEY, message.deliveryTag],
    ]);
  }

  /** Stores a result as the Redis backend does: SET with its expiry, and PUBLISH to whoever waits. */
  private store(link: RedisLink, id: string, meta: Uint8Array): Promise<unknown> {
    const key = resultKey(id);
    const value = Buffer.from(meta.buffer, meta.byteOffset, meta.byteLength);
    const expires = this.options.resultExpires ?? DEFAULT_RESULT_EXPIRES;
    const set: RedisArgument[] = expires > 0 ? ['SETEX', key, expires, value] : ['SET', key, value];
    return link.transaction([set, ['PUBLISH', key, value]]);
  }

  private report(error: unknown, taskId?: string): void {
    const reported = error instanceof Error ? error : new InvalidMessageError(String(error));
    this.options.onError?.(reported, taskId);
  }
}

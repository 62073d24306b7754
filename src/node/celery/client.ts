// Celery from TypeScript: send tasks that Python's Celery workers (or CeleryWorker) run, through
// the Redis broker, and read their results from the Redis result backend.
import { randomUUID } from 'node:crypto';
import type { DumpOptions } from '../../codec/pickler.js';
import type { LoadOptions } from '../../codec/unpickler.js';
import { UnpicklingError } from '../../errors.js';
import { describeValue, pythonNameOf } from '../../mapper/convert.js';
import type { MappedClass } from '../../mapper/types.js';
import { RedisConnections } from '../task-queue/connections.js';
import type { RedisSource } from '../task-queue/redis-link.js';
import { exceptionLine, TaskFailedError, TaskTimeoutError } from '../task-queue/task-errors.js';
import { encodeTaskMessage, PRIORITY_SEPARATOR, priorityQueue } from './message.js';
import { decodeMeta, exceptionOfResult, READY_STATES, resultKey, type CeleryState, type ResultMeta } from './result-meta.js';
import { ResultWaiter } from './result-waiter.js';

/** Where the broker and result backend live and how values are pickled. */
export interface CeleryOptions {
  /**
   * The Redis of the broker and the result backend (`redis://host:port/db`, or an ioredis client;
   * ioredis is an optional peer: `npm install ioredis`).
   */
  connection: RedisSource;
  /** Options of `loads` for results and task bodies. */
  loadOptions?: LoadOptions;
  /** Options of `dumps` for task bodies and results (protocol 4, as kombu writes, unless set). */
  dumpOptions?: DumpOptions;
}

/** Options of one task, as `apply_async`'s. */
export interface SendTaskOptions {
  /** Keyword arguments of the call. */
  kwargs?: Record<string, unknown>;
  /** The queue (default `celery`). */
  queue?: string;
  /** The task's id (default: a new uuid4). */
  taskId?: string;
  /** Run no earlier than this many seconds from now. */
  countdown?: number;
  /** Run no earlier than this time. */
  eta?: Date;
  /** Revoke the task if it has not run by then (a Date, or seconds from now). */
  expires?: Date | number;
  /** 0–9; kombu's Redis transport serves lower numbers first. */
  priority?: number;
  /** Ask the worker not to store a result. */
  ignoreResult?: boolean;
}

/** Options of waiting for a result. */
export interface GetOptions {
  /** How long to wait, in milliseconds (default 60 000). */
  timeoutMs?: number;
}

/** A task's result by its id: Celery's `AsyncResult`. */
export class CeleryAsyncResult {
  /** @internal Made by CeleryClient. */
  constructor(
    readonly id: string,
    private readonly connections: RedisConnections,
    private readonly waiter: ResultWaiter,
    private readonly loadOptions: LoadOptions | undefined,
  ) {}

  /** The stored result, or undefined while there is none (PENDING). */
  async meta(): Promise<ResultMeta | undefined> {
    const data = await (await this.connections.link()).call('GET', resultKey(this.id));
    return Buffer.isBuffer(data) ? decodeMeta(data, this.id, this.loadOptions) : undefined;
  }

  /** The task's state; PENDING when no result is stored (yet, or ever). */
  async state(): Promise<CeleryState> {
    return (await this.meta())?.status ?? 'PENDING';
  }

  /**
   * Waits for the result and gives the return value (an instance of `cls`, when given); a task
   * that failed or was revoked throws a TaskFailedError with the exception Python raised.
   */
  async get<T>(cls: MappedClass<T>, options?: GetOptions): Promise<T>;
  async get(options?: GetOptions): Promise<unknown>;
  async get<T>(clsOrOptions?: MappedClass<T> | GetOptions, maybeOptions?: GetOptions): Promise<unknown> {
    const cls = typeof clsOrOptions === 'function' ? clsOrOptions : undefined;
    const options = typeof clsOrOptions === 'function' ? maybeOptions : clsOrOptions;
    const timeoutMs = options?.timeoutMs ?? 60_000;
    const ready = (meta: ResultMeta | undefined): ResultMeta | undefined => (meta !== undefined && READY_STATES.has(meta.status) ? meta : undefined);
    const meta = await this.waiter.wait(
      resultKey(this.id),
      timeoutMs,
      async () => ready(await this.meta()),
      (message) => ready(decodeMeta(message, this.id, this.loadOptions)),
    );
    if (meta === undefined) throw new TaskTimeoutError(`task ${this.id}: no result within ${timeoutMs} ms`);
    if (meta.status !== 'SUCCESS') {
      const exception = exceptionOfResult(meta.result, meta.traceback);
      throw new TaskFailedError(`task ${this.id} ${meta.status === 'REVOKED' ? 'was revoked' : 'failed'}: ${exceptionLine(exception)}`, exception, this.id);
    }
    if (cls !== undefined && !(meta.result instanceof cls)) {
      throw new UnpicklingError(`task ${this.id}: expected its result to be a ${pythonNameOf(cls)} (${cls.name}), got ${describeValue(meta.result)}`, {
        code: 'SCHEMA_MISMATCH',
      });
    }
    return meta.result;
  }
}

export class CeleryClient {
  private readonly connections: RedisConnections;
  private readonly waiter: ResultWaiter;

  constructor(private readonly options: CeleryOptions) {
    this.connections = new RedisConnections(options.connection);
    this.waiter = new ResultWaiter(this.connections);
  }

  /** Sends a task by name: Celery's `app.send_task(name, args, kwargs, ...)`. */
  async sendTask(name: string, args: readonly unknown[] = [], options: SendTaskOptions = {}): Promise<CeleryAsyncResult> {
    const id = options.taskId ?? randomUUID();
    const queue = options.queue ?? 'celery';
    const eta = options.eta ?? (options.countdown !== undefined ? new Date(Date.now() + options.countdown * 1000) : undefined);
    const expires = typeof options.expires === 'number' ? new Date(Date.now() + options.expires * 1000) : options.expires;
    const text = encodeTaskMessage(
      { id, task: name, args, kwargs: options.kwargs ?? {} },
      {
        queue,
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
        ...(eta !== undefined ? { eta } : {}),
        ...(expires !== undefined ? { expires } : {}),
        ...(options.ignoreResult !== undefined ? { ignoreResult: options.ignoreResult } : {}),
        ...(this.options.dumpOptions !== undefined ? { dumpOptions: this.options.dumpOptions } : {}),
      },
    );
    // kombu's binding of the queue to the default exchange, as a Python producer declares it.
    await (await this.connections.link()).transaction([
      ['SADD', `_kombu.binding.${queue}`, `${queue}${PRIORITY_SEPARATOR}${PRIORITY_SEPARATOR}${queue}`],
      ['LPUSH', priorityQueue(queue, options.priority ?? 0), text],
    ]);
    return this.asyncResult(id);
  }

  /** The result of a task by its id. */
  asyncResult(id: string): CeleryAsyncResult {
    return new CeleryAsyncResult(id, this.connections, this.waiter, this.options.loadOptions);
  }

  /** Closes the connections this client opened (a client you gave stays open). */
  async close(): Promise<void> {
    await this.waiter.close();
    await this.connections.close();
  }
}

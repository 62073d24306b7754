// A job of an RQ queue, by its id: its status, its results as RQ stores them, and a wait for the
// next result.
import type { LoadOptions } from '../../codec/unpickler.js';
import { loads } from '../../mapper/typed-loads.js';
import type { MappedClass } from '../../mapper/types.js';
import type { RedisConnections } from '../task-queue/connections.js';
import { replyHash, replyText } from '../task-queue/redis-link.js';
import { InvalidMessageError, TaskFailedError, TaskTimeoutError } from '../task-queue/task-errors.js';
import { decodeJobData, type JobCall } from './job-data.js';
import { jobKey, resultsKey } from './keys.js';
import { exceptionOfTraceback, parseResultEntry, type StoredResult } from './results.js';
import { parseRqTimestamp } from './timestamps.js';

/** RQ's JobStatus. */
export type RqJobStatus = 'queued' | 'started' | 'finished' | 'failed' | 'deferred' | 'scheduled' | 'stopped' | 'canceled';

/** A job's result: its value, or the traceback of its failure. */
export type RqResult<T = unknown> =
  | { readonly type: 'successful'; readonly value: T; readonly createdAt: Date; readonly id: string }
  | { readonly type: 'failed'; readonly excString: string; readonly createdAt: Date; readonly id: string }
  | { readonly type: 'stopped'; readonly createdAt: Date; readonly id: string };

/** What a job's hash says, decoded. */
export interface RqJobInfo {
  readonly id: string;
  readonly status?: RqJobStatus;
  readonly origin?: string;
  readonly description?: string;
  readonly createdAt?: Date;
  readonly enqueuedAt?: Date;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly workerName?: string;
  /** The call, decoded from the job's data. */
  readonly call: JobCall;
}

/** Options of waiting for a result. */
export interface WaitOptions {
  /** How long to wait, in milliseconds (default 60 000). */
  timeoutMs?: number;
}

export class RqJob {
  /** @internal Made by RqQueue. */
  constructor(
    /** The job's id (RQ's are uuid4 text). */
    readonly id: string,
    private readonly connections: RedisConnections,
    private readonly loadOptions: LoadOptions | undefined,
  ) {}

  /** The job's status as its hash holds it; undefined once the job has expired or never was. */
  async status(): Promise<RqJobStatus | undefined> {
    const link = await this.connections.link();
    return replyText(await link.call('HGET', jobKey(this.id), 'status')) as RqJobStatus | undefined;
  }

  /** The job's hash, decoded (Python's `Job.fetch(id)`); undefined once it has expired. */
  async fetch(): Promise<RqJobInfo | undefined> {
    const link = await this.connections.link();
    const hash = replyHash(await link.call('HGETALL', jobKey(this.id)));
    if (hash.size === 0) return undefined;
    const data = hash.get('data');
    if (data === undefined) throw new InvalidMessageError(`job ${this.id} has no data field`);
    const text = (field: string): string | undefined => {
      const value = hash.get(field)?.toString('utf8');
      return value === '' ? undefined : value;
    };
    return {
      id: this.id,
      status: text('status') as RqJobStatus | undefined,
      origin: text('origin'),
      description: text('description'),
      createdAt: parseRqTimestamp(text('created_at')),
      enqueuedAt: parseRqTimestamp(text('enqueued_at')),
      startedAt: parseRqTimestamp(text('started_at')),
      endedAt: parseRqTimestamp(text('ended_at')),
      workerName: text('worker_name'),
      call: decodeJobData(data, this.id, this.loadOptions),
    };
  }

  /** The latest execution's result (Python's `job.latest_result()`), the value loaded. */
  async latestResult<T>(cls: MappedClass<T>): Promise<RqResult<T> | undefined>;
  async latestResult(): Promise<RqResult | undefined>;
  async latestResult<T>(cls?: MappedClass<T>): Promise<RqResult | undefined> {
    const link = await this.connections.link();
    const reply = await link.call('XREVRANGE', resultsKey(this.id), '+', '-', 'COUNT', 1);
    if (!Array.isArray(reply) || reply.length === 0) return undefined;
    return this.loaded(parseResultEntry(reply[0], this.id), cls);
  }

  /**
   * The return value once the job has run (Python's `job.return_value()`): waits for the first
   * result of this job, and throws a TaskFailedError (with the traceback) if it failed.
   */
  async result<T>(cls: MappedClass<T>, options?: WaitOptions): Promise<T>;
  async result(options?: WaitOptions): Promise<unknown>;
  async result<T>(clsOrOptions?: MappedClass<T> | WaitOptions, maybeOptions?: WaitOptions): Promise<unknown> {
    const cls = typeof clsOrOptions === 'function' ? clsOrOptions : undefined;
    const options = typeof clsOrOptions === 'function' ? maybeOptions : clsOrOptions;
    const timeoutMs = options?.timeoutMs ?? 60_000;
    const stored = await this.connections.withBlocking(async (link) => {
      // XREAD from the stream's start: an entry already there returns at once, else the first one added.
      const reply = await link.call('XREAD', 'COUNT', 1, 'BLOCK', Math.max(1, Math.round(timeoutMs)), 'STREAMS', resultsKey(this.id), '0');
      if (!Array.isArray(reply) || reply.length === 0) return undefined;
      const [, entries] = reply[0] as [unknown, unknown[]];
      return parseResultEntry(entries[0], this.id);
    });
    if (stored === undefined) throw new TaskTimeoutError(`job ${this.id}: no result within ${timeoutMs} ms`);
    const result = this.loaded(stored, cls);
    if (result.type === 'successful') return result.value;
    const traceback = result.type === 'failed' ? result.excString : 'the job was stopped';
    const exception = exceptionOfTraceback(traceback);
    throw new TaskFailedError(`job ${this.id} failed: ${traceback.trimEnd().split('\n').pop()}`, exception, this.id);
  }

  private loaded(stored: StoredResult, cls: MappedClass | undefined): RqResult {
    const { id, createdAt } = stored;
    if (stored.type === 'failed') return { type: 'failed', excString: stored.excString ?? '', createdAt, id };
    if (stored.type === 'stopped') return { type: 'stopped', createdAt, id };
    if (stored.pickledValue === undefined) {
      return { type: 'successful', value: null, createdAt, id };
    }
    const value = cls ? loads(stored.pickledValue, cls, this.loadOptions) : loads(stored.pickledValue, this.loadOptions);
    return { type: 'successful', value, createdAt, id };
  }
}

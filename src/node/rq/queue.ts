// An RQ queue seen from TypeScript: enqueue jobs that Python's `rq worker` (or RqWorker) runs, as
// RQ 1.x's Queue.enqueue writes them, and follow them by id.
import { randomUUID } from 'node:crypto';
import type { DumpOptions } from '../../codec/pickler.js';
import type { LoadOptions } from '../../codec/unpickler.js';
import { dumps } from '../../codec/pickler.js';
import { RedisConnections } from '../task-queue/connections.js';
import type { RedisSource } from '../task-queue/redis-link.js';
import { encodeJobData, RQ_PICKLE_PROTOCOL } from './job-data.js';
import { describeCall } from '../task-queue/describe-call.js';
import { RqJob } from './job.js';
import { jobKey, QUEUES_KEY, queueKey } from './keys.js';
import { rqTimestamp } from './timestamps.js';

/** RQ's default job timeout, in seconds. */
export const RQ_DEFAULT_TIMEOUT = 180;

/** Where the queue lives and how values are pickled. */
export interface RqOptions {
  /** A `redis://` URL or an ioredis client (ioredis is an optional peer: `npm install ioredis`). */
  connection: RedisSource;
  /** Options of `loads` for results and job data. */
  loadOptions?: LoadOptions;
  /** Options of `dumps` for job data (protocol 5, as RQ writes, unless set). */
  dumpOptions?: DumpOptions;
}

/** Options of one job, as `Queue.enqueue`'s keyword arguments. */
export interface EnqueueOptions {
  /** Keyword arguments of the call. */
  kwargs?: Record<string, unknown>;
  /** The job's id (default: a new uuid4). */
  jobId?: string;
  /** The most seconds the job may run (default 180; -1: no limit). */
  timeout?: number;
  /** Seconds the result is kept (RQ's default 500; 0: not kept; -1: kept for ever). */
  resultTtl?: number;
  /** Seconds a failed job is kept (RQ's default one year). */
  failureTtl?: number;
  /** Seconds the job may wait in the queue before it is dropped. */
  ttl?: number;
  /** The job's description (default: the call as Python writes it, `tasks.add(1, 2)`). */
  description?: string;
  /** Put the job at the front of the queue. */
  atFront?: boolean;
  /** The job's `meta` dict. */
  meta?: Record<string, unknown>;
  /** Retries after a failure: how many, and the seconds to wait before each (`Retry(max, interval)`). */
  retry?: { max: number; intervals?: number[] };
}

export class RqQueue {
  private readonly connections: RedisConnections;

  constructor(
    /** The queue's name (`default` in RQ). */
    readonly name: string,
    private readonly options: RqOptions,
  ) {
    this.connections = new RedisConnections(options.connection);
  }

  /** Puts a job on the queue: Python's `queue.enqueue(funcName, *args, **kwargs)`. */
  async enqueue(funcName: string, args: readonly unknown[] = [], options: EnqueueOptions = {}): Promise<RqJob> {
    const id = options.jobId ?? randomUUID();
    const kwargs = options.kwargs ?? {};
    const now = rqTimestamp(new Date());
    const fields: Array<string | Buffer | number> = [
      'status', 'queued',
      'created_at', now,
      'enqueued_at', now,
      'data', encodeJobData({ funcName, instance: null, args, kwargs }, this.options.dumpOptions),
      'origin', this.name,
      'description', options.description ?? describeCall(funcName, args, kwargs),
      'timeout', options.timeout ?? RQ_DEFAULT_TIMEOUT,
      'success_callback_name', '',
      'failure_callback_name', '',
      'started_at', '',
      'ended_at', '',
      'last_heartbeat', '',
      'worker_name', '',
    ];
    if (options.resultTtl !== undefined) fields.push('result_ttl', options.resultTtl);
    if (options.failureTtl !== undefined) fields.push('failure_ttl', options.failureTtl);
    if (options.ttl !== undefined) fields.push('ttl', options.ttl);
    if (options.meta !== undefined) fields.push('meta', Buffer.from(dumps(options.meta, { protocol: RQ_PICKLE_PROTOCOL, ...this.options.dumpOptions })));
    if (options.retry !== undefined) {
      fields.push('retries_left', options.retry.max, 'retry_intervals', JSON.stringify(options.retry.intervals ?? [0]));
    }
    const commands: Array<Array<string | Buffer | number>> = [
      ['SADD', QUEUES_KEY, queueKey(this.name)],
      ['HSET', jobKey(id), ...fields],
    ];
    if (options.ttl !== undefined && options.ttl > 0) commands.push(['EXPIRE', jobKey(id), options.ttl]);
    commands.push([options.atFront ? 'LPUSH' : 'RPUSH', queueKey(this.name), id]);
    await (await this.connections.link()).transaction(commands);
    return this.job(id);
  }

  /** A job by its id (whether or not it exists: ask its status). */
  job(id: string): RqJob {
    return new RqJob(id, this.connections, this.options.loadOptions);
  }

  /** How many jobs wait in the queue. */
  async count(): Promise<number> {
    return Number(await (await this.connections.link()).call('LLEN', queueKey(this.name)));
  }

  /** Closes the connections this queue opened (a client you gave stays open). */
  close(): Promise<void> {
    return this.connections.close();
  }
}

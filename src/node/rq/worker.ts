// A TypeScript RQ worker: takes the jobs Python's `Queue.enqueue` (or RqQueue) put on its
// queues, runs the function registered under the job's function name, and stores the result or
// the failure where RQ 1.x keeps them, so that Python's `job.return_value()`,
// `job.latest_result()`, `job.get_status()` and the registries (`rq info`) see what a Python
// worker would have left. One job at a time, as RQ's worker.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Backoff } from '../task-queue/backoff.js';
import { RedisConnections } from '../task-queue/connections.js';
import { replyHash, replyText, type RedisArgument, type RedisLink } from '../task-queue/redis-link.js';
import { InvalidMessageError, pythonExceptionOf, tracebackText } from '../task-queue/task-errors.js';
import { WorkerRun } from '../task-queue/worker-run.js';
import { TaskRegistry, type TaskFunction, type TaskOptions } from '../task-queue/task-registry.js';
import { decodeJobData } from './job-data.js';
import {
  failedRegistryKey,
  finishedRegistryKey,
  jobKey,
  queueKey,
  queueNameOf,
  resultsKey,
  scheduledRegistryKey,
  startedRegistryKey,
  workerKey,
  workersByQueueKey,
  WORKERS_KEY,
} from './keys.js';
import type { RqOptions } from './queue.js';
import { failureFields, successFields } from './results.js';
import { rqTimestamp, unixSeconds } from './timestamps.js';

/** RQ's defaults (rq/defaults.py). */
const DEFAULT_RESULT_TTL = 500;
const DEFAULT_FAILURE_TTL = 31_536_000;
const DEFAULT_WORKER_TTL = 420;
const JOB_MONITORING_INTERVAL = 30;
const DEFAULT_JOB_TIMEOUT = 180;

export interface RqWorkerOptions extends RqOptions {
  /** Functions by the name Python enqueues them under (`tasks.add`); more with `register`. */
  functions?: Record<string, TaskFunction>;
  /** The worker's name (default: a uuid4 in hex, as RQ's). */
  name?: string;
  /** Seconds a result is kept when the job does not say (default 500). */
  resultTtl?: number;
  /** Seconds a failed job is kept when the job does not say (default one year). */
  failureTtl?: number;
  /** Seconds each wait for a job blocks before the worker checks whether it should stop (default 1). */
  pollSeconds?: number;
  /**
   * Told of what the worker skipped or could not do: a job id with no job, a job hash that is not
   * RQ's, Redis failing a command or the connection (the worker waits, longer each time, and
   * tries again). The worker goes on. Default: nothing.
   */
  onError?: (error: Error, jobId?: string) => void;
}

/** Options of one `work()` run. */
export interface WorkOptions {
  /** Stop when the queues are empty instead of waiting for more (`rq worker --burst`). */
  burst?: boolean;
  /** Stop after this many jobs. */
  maxJobs?: number;
}

/** What a `work()` run did. */
export interface WorkSummary {
  readonly succeeded: number;
  readonly failed: number;
}

interface JobHash {
  readonly id: string;
  readonly origin: string;
  readonly hash: Map<string, Buffer>;
}

/** RQ's parse_timeout: seconds, or text with a unit (`90`, `1h`, `5m`, `30s`, `2d`). */
function parseTimeout(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_JOB_TIMEOUT;
  const match = /^(-?\d+)([dhms]?)$/i.exec(text.trim());
  if (!match) return DEFAULT_JOB_TIMEOUT;
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * factor;
}

function intField(hash: Map<string, Buffer>, field: string): number | undefined {
  const text = hash.get(field)?.toString();
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

class JobTimeout extends Error {
  constructor(seconds: number) {
    super(`Task exceeded maximum timeout value (${seconds} seconds)`);
  }
}

export class RqWorker {
  /** The worker's name, as `rq info` lists it. */
  readonly name: string;
  private readonly queues: readonly string[];
  private readonly registry = new TaskRegistry();
  private readonly connections: RedisConnections;
  private readonly lifecycle: WorkerRun<WorkSummary>;

  constructor(
    queues: string | readonly string[],
    private readonly options: RqWorkerOptions,
  ) {
    this.queues = typeof queues === 'string' ? [queues] : [...queues];
    if (this.queues.length === 0) throw new TypeError('an RqWorker needs at least one queue');
    this.name = options.name ?? randomUUID().replaceAll('-', '');
    this.connections = new RedisConnections(options.connection);
    this.lifecycle = new WorkerRun(this.connections, options.pollSeconds ?? 1);
    for (const [name, fn] of Object.entries(options.functions ?? {})) this.register(name, fn);
  }

  /** Registers `fn` as the function jobs name `name` (`module.function`, as Python enqueues it). */
  register(name: string, fn: TaskFunction, options?: TaskOptions): this {
    this.registry.register(name, fn, options);
    return this;
  }

  /** Takes and runs jobs until `stop()` (or, with `burst`, until the queues are empty). */
  work(options: WorkOptions = {}): Promise<WorkSummary> {
    return this.lifecycle.start(() => this.loop(options), `worker ${this.name}`);
  }

  /** Asks the worker to stop after the job it is running, and waits for it; closes its connections. */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  private async loop(options: WorkOptions): Promise<WorkSummary> {
    const link = await this.connections.link();
    await this.registerBirth(link);
    const idleBeat = setInterval(() => void this.heartbeat(link).catch((error) => this.report(error)), JOB_MONITORING_INTERVAL * 1000);
    let succeeded = 0;
    let failed = 0;
    try {
      const backoff = new Backoff();
      while (!this.lifecycle.stopping && (options.maxJobs === undefined || succeeded + failed < options.maxJobs)) {
        try {
          const next = options.burst ? await this.popAny(link) : await this.waitForJob();
          if (next === undefined) {
            if (options.burst) break;
            continue;
          }
          const job = await this.fetchJob(link, next.queue, next.id);
          if (job === undefined) continue;
          if (await this.perform(link, job)) succeeded++;
          else failed++;
          backoff.reset();
        } catch (error) {
          // Redis failed the worker (a lost connection, a refused command): say so, wait, go on.
          this.report(error);
          await backoff.wait(() => this.lifecycle.stopping);
        }
      }
    } finally {
      clearInterval(idleBeat);
      await this.registerDeath(link).catch((error) => this.report(error));
    }
    return { succeeded, failed };
  }

  /** The next job id of the first non-empty queue, without waiting (burst mode). */
  private async popAny(link: RedisLink): Promise<{ queue: string; id: string } | undefined> {
    for (const queue of this.queues) {
      const id = replyText(await link.call('LPOP', queueKey(queue)));
      if (id !== undefined) return { queue, id };
    }
    return undefined;
  }

  /** The next job id, waiting up to pollSeconds (BLPOP over the queues in order, as RQ). */
  private waitForJob(): Promise<{ queue: string; id: string } | undefined> {
    const seconds = this.options.pollSeconds ?? 1;
    return this.connections.withBlocking(async (blocking) => {
      const reply = await blocking.call('BLPOP', ...this.queues.map(queueKey), seconds);
      if (!Array.isArray(reply)) return undefined;
      return { queue: queueNameOf(String(reply[0])), id: String(reply[1]) };
    });
  }

  private async fetchJob(link: RedisLink, queue: string, id: string): Promise<JobHash | undefined> {
    const hash = replyHash(await link.call('HGETALL', jobKey(id)));
    // A job that expired or was deleted while queued: RQ passes over it.
    if (hash.size === 0) return undefined;
    if (!hash.has('data')) {
      this.report(new InvalidMessageError(`job ${id} on queue ${queue} has no data field: skipped`), id);
      return undefined;
    }
    return { id, origin: hash.get('origin')?.toString() || queue, hash };
  }

  /** Runs one job and records how it ended; true when it succeeded. */
  private async perform(link: RedisLink, job: JobHash): Promise<boolean> {
    const timeout = parseTimeout(job.hash.get('timeout')?.toString());
    const started = Date.now();
    await link.transaction([...this.startCommands(job, timeout, started), ['PERSIST', jobKey(job.id)]]);
    const jobBeat = setInterval(() => {
      void link.transaction(this.jobHeartbeatCommands(job, timeout, started)).catch((error) => this.report(error, job.id));
    }, JOB_MONITORING_INTERVAL * 1000);
    try {
      const value = await this.run(job, timeout);
      let fields: string[];
      try {
        fields = successFields(value, this.options.dumpOptions);
      } catch (error) {
        await this.fail(link, job, error, started);
        return false;
      }
      await this.succeed(link, job, fields, started);
      return true;
    } catch (error) {
      await this.fail(link, job, error, started);
      return false;
    } finally {
      clearInterval(jobBeat);
    }
  }

  private async run(job: JobHash, timeout: number): Promise<unknown> {
    const call = decodeJobData(job.hash.get('data')!, job.id, this.options.loadOptions);
    const outcome = this.registry.call(call.funcName, call.args, call.kwargs, call.instance ?? undefined);
    if (!(outcome instanceof Promise) || timeout <= 0) return await outcome;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JobTimeout(timeout)), timeout * 1000);
    });
    try {
      return await Promise.race([outcome, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private heartbeatTtl(timeout: number, started: number): number {
    if (timeout <= 0) return DEFAULT_WORKER_TTL;
    const remaining = timeout - (Date.now() - started) / 1000;
    return Math.ceil(Math.min(remaining, JOB_MONITORING_INTERVAL) + 60);
  }

  private startCommands(job: JobHash, timeout: number, started: number): RedisArgument[][] {
    const now = rqTimestamp(new Date(started));
    const ttl = this.heartbeatTtl(timeout, started);
    return [
      ['HSET', workerKey(this.name), 'current_job', job.id, 'current_job_working_time', 0, 'state', 'busy', 'last_heartbeat', now],
      ['EXPIRE', workerKey(this.name), ttl],
      ['HSET', jobKey(job.id), 'last_heartbeat', now, 'status', 'started', 'started_at', now, 'worker_name', this.name],
      ['ZADD', startedRegistryKey(job.origin), unixSeconds() + ttl, job.id],
    ];
  }

  private jobHeartbeatCommands(job: JobHash, timeout: number, started: number): RedisArgument[][] {
    const now = rqTimestamp(new Date());
    const ttl = this.heartbeatTtl(timeout, started);
    return [
      ['HSET', workerKey(this.name), 'last_heartbeat', now, 'current_job_working_time', (Date.now() - started) / 1000],
      ['EXPIRE', workerKey(this.name), ttl],
      ['HSET', jobKey(job.id), 'last_heartbeat', now],
      ['ZADD', startedRegistryKey(job.origin), 'XX', unixSeconds() + ttl, job.id],
    ];
  }

  /** The worker's own bookkeeping once a job has ended. */
  private endCommands(job: JobHash, started: number, counter: string): RedisArgument[][] {
    return [
      ['ZREM', startedRegistryKey(job.origin), job.id],
      ['HDEL', workerKey(this.name), 'current_job'],
      ['HSET', workerKey(this.name), 'state', 'idle'],
      ['HINCRBY', workerKey(this.name), counter, 1],
      ['HINCRBYFLOAT', workerKey(this.name), 'total_working_time', (Date.now() - started) / 1000],
    ];
  }

  private async succeed(link: RedisLink, job: JobHash, fields: string[], started: number): Promise<void> {
    const resultTtl = intField(job.hash, 'result_ttl') ?? this.options.resultTtl ?? DEFAULT_RESULT_TTL;
    const key = jobKey(job.id);
    const commands: RedisArgument[][] = [];
    if (resultTtl !== 0) {
      commands.push(['HSET', key, 'status', 'finished', 'ended_at', rqTimestamp(new Date())]);
      commands.push(['XADD', resultsKey(job.id), 'MAXLEN', 10, '*', ...fields]);
      commands.push(resultTtl < 0 ? ['PERSIST', resultsKey(job.id)] : ['EXPIRE', resultsKey(job.id), resultTtl]);
      commands.push(['ZADD', finishedRegistryKey(job.origin), resultTtl < 0 ? '+inf' : unixSeconds() + resultTtl, job.id]);
    }
    // Job.cleanup(result_ttl): 0 deletes the job, a positive ttl expires it, a negative one keeps it.
    if (resultTtl === 0) commands.push(['DEL', key]);
    else if (resultTtl > 0) commands.push(['EXPIRE', key, resultTtl]);
    commands.push(...this.endCommands(job, started, 'successful_job_count'));
    await link.transaction(commands);
  }

  private async fail(link: RedisLink, job: JobHash, thrown: unknown, started: number): Promise<void> {
    const exception =
      thrown instanceof JobTimeout
        ? { module: 'rq.timeouts', type: 'JobTimeoutException', args: [thrown.message], traceback: thrown.stack }
        : thrown instanceof InvalidMessageError
          ? { module: 'rq.exceptions', type: 'DeserializationError', args: [thrown.message], traceback: thrown.stack }
          : pythonExceptionOf(thrown);
    const excString = tracebackText(exception);
    const key = jobKey(job.id);
    const commands: RedisArgument[][] = [];
    const retriesLeft = intField(job.hash, 'retries_left');
    if (retriesLeft !== undefined && retriesLeft > 0) {
      commands.push(...this.retryCommands(job, retriesLeft));
    } else {
      const failureTtl = intField(job.hash, 'failure_ttl') ?? this.options.failureTtl ?? DEFAULT_FAILURE_TTL;
      commands.push(['HSET', key, 'status', 'failed', 'ended_at', rqTimestamp(new Date())]);
      commands.push(['ZADD', failedRegistryKey(job.origin), failureTtl < 0 ? '+inf' : unixSeconds() + failureTtl, job.id]);
      if (failureTtl > 0) commands.push(['EXPIRE', key, failureTtl]);
      commands.push(['XADD', resultsKey(job.id), 'MAXLEN', 10, '*', ...failureFields(excString)]);
      commands.push(failureTtl < 0 ? ['PERSIST', resultsKey(job.id)] : ['EXPIRE', resultsKey(job.id), failureTtl]);
    }
    commands.push(...this.endCommands(job, started, 'failed_job_count'));
    await link.transaction(commands);
  }

  /** Job.retry: queued again at once, or scheduled after the interval RQ's Retry gives this attempt. */
  private retryCommands(job: JobHash, retriesLeft: number): RedisArgument[][] {
    let intervals: number[] = [];
    try {
      const parsed: unknown = JSON.parse(job.hash.get('retry_intervals')?.toString() ?? '[]');
      if (Array.isArray(parsed)) intervals = parsed.map(Number);
    } catch {
      intervals = [];
    }
    const interval = intervals.length === 0 ? 0 : intervals[Math.max(intervals.length - retriesLeft, 0)] ?? 0;
    const key = jobKey(job.id);
    if (interval > 0) {
      return [
        ['HSET', key, 'retries_left', retriesLeft - 1, 'status', 'scheduled'],
        ['ZADD', scheduledRegistryKey(job.origin), unixSeconds() + interval, job.id],
      ];
    }
    return [
      ['HSET', key, 'retries_left', retriesLeft - 1, 'status', 'queued', 'enqueued_at', rqTimestamp(new Date())],
      ['RPUSH', queueKey(job.origin), job.id],
    ];
  }

  private async registerBirth(link: RedisLink): Promise<void> {
    const key = workerKey(this.name);
    const exists = Number(await link.call('EXISTS', key)) === 1;
    if (exists && Number(await link.call('HEXISTS', key, 'death')) === 0) {
      throw new Error(`There exists an active worker named '${this.name}' already`);
    }
    const now = rqTimestamp(new Date());
    await link.transaction([
      ['DEL', key],
      [
        'HSET', key,
        'birth', now,
        'last_heartbeat', now,
        'queues', this.queues.join(','),
        'pid', process.pid,
        'hostname', hostname(),
        'ip_address', '',
        'version', 'pickle-mapper',
        'python_version', `Node.js ${process.version}`,
        'state', 'idle',
      ],
      ['SADD', WORKERS_KEY, key],
      ...this.queues.map((queue) => ['SADD', workersByQueueKey(queue), key]),
      ['EXPIRE', key, DEFAULT_WORKER_TTL + 60],
    ]);
  }

  private heartbeat(link: RedisLink): Promise<unknown> {
    const key = workerKey(this.name);
    return link.transaction([
      ['EXPIRE', key, DEFAULT_WORKER_TTL + 60],
      ['HSET', key, 'last_heartbeat', rqTimestamp(new Date())],
    ]);
  }

  private async registerDeath(link: RedisLink): Promise<void> {
    const key = workerKey(this.name);
    await link.transaction([
      ['SREM', WORKERS_KEY, key],
      ...this.queues.map((queue) => ['SREM', workersByQueueKey(queue), key]),
      ['HSET', key, 'death', rqTimestamp(new Date())],
      ['EXPIRE', key, 60],
    ]);
  }

  private report(error: unknown, jobId?: string): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)), jobId);
  }
}

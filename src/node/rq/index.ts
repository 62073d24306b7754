// pickle-mapper/rq: RQ (Python's Redis Queue) from TypeScript, Node only. Jobs enqueued here run
// on Python's `rq worker`; jobs Python enqueues run on an RqWorker; results and failures are
// stored where RQ 1.x keeps them. Redis is reached through ioredis, an optional peer dependency.
// Values travel as the full entry pickles them: this entry installs the standard types.
/**
 * RQ over Redis: `RqQueue` enqueues jobs for Python workers and reads their results; `RqWorker`
 * runs the jobs Python enqueues with TypeScript functions (Node only; needs `ioredis`).
 * @module pickle-mapper/rq
 */
import { installStandardTypes } from '../../standard/index.js';

export { RqQueue, RQ_DEFAULT_TIMEOUT, type RqOptions, type EnqueueOptions } from './queue.js';
export { RqJob, type RqJobStatus, type RqResult, type RqJobInfo, type WaitOptions } from './job.js';
export { RqWorker, type RqWorkerOptions, type WorkOptions, type WorkSummary } from './worker.js';
export type { JobCall } from './job-data.js';
export { TaskFailedError, TaskTimeoutError, InvalidMessageError, type PythonException } from '../task-queue/task-errors.js';
export type { TaskFunction, TaskOptions } from '../task-queue/task-registry.js';
export { RedisCommandError, type RedisClient, type RedisSource } from '../task-queue/redis-link.js';

installStandardTypes();

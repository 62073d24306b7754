// pickle-mapper/celery: Celery with the Redis broker and result backend and the pickle
// serializer, from TypeScript, Node only. Tasks sent here run on Python's Celery workers; tasks
// Python sends run on a CeleryWorker; results go where Celery's backend keeps them. Redis is
// reached through ioredis, an optional peer dependency. Values travel as the full entry pickles
// them: this entry installs the standard types.
/**
 * Celery over Redis: `CeleryClient` sends tasks to Python workers and reads their results;
 * `CeleryWorker` runs the tasks Python sends with TypeScript functions (Node only; needs `ioredis`).
 * @module pickle-mapper/celery
 */
import { installStandardTypes } from '../../standard/index.js';

export { CeleryClient, CeleryAsyncResult, type CeleryOptions, type SendTaskOptions, type GetOptions } from './client.js';
export { CeleryWorker, type CeleryWorkerOptions, type CeleryWorkOptions, type CeleryWorkSummary } from './worker.js';
export type { CeleryState, ResultMeta } from './result-meta.js';
export { TaskFailedError, TaskTimeoutError, InvalidMessageError, type PythonException } from '../task-queue/task-errors.js';
export type { TaskFunction, TaskOptions } from '../task-queue/task-registry.js';
export { RedisCommandError, type RedisClient, type RedisSource } from '../task-queue/redis-link.js';

installStandardTypes();

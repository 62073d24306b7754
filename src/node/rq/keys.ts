// The Redis keys RQ 1.x uses (rq/queue.py, job.py, registry.py, results.py, worker.py).

export const QUEUES_KEY = 'rq:queues';
export const WORKERS_KEY = 'rq:workers';

export const queueKey = (queue: string): string => `rq:queue:${queue}`;
export const jobKey = (id: string): string => `rq:job:${id}`;
export const resultsKey = (id: string): string => `rq:results:${id}`;
export const startedRegistryKey = (queue: string): string => `rq:wip:${queue}`;
export const finishedRegistryKey = (queue: string): string => `rq:finished:${queue}`;
export const failedRegistryKey = (queue: string): string => `rq:failed:${queue}`;
export const scheduledRegistryKey = (queue: string): string => `rq:scheduled:${queue}`;
export const workerKey = (name: string): string => `rq:worker:${name}`;
export const workersByQueueKey = (queue: string): string => `rq:workers:${queue}`;

/** A queue's name from its key (`rq:queue:default` → `default`). */
export function queueNameOf(key: string): string {
  return key.startsWith('rq:queue:') ? key.slice('rq:queue:'.length) : key;
}

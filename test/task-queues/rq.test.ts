// pickle-mapper/rq against a real Redis and Python's RQ 1.x: jobs enqueued here run on
// `rq worker`; jobs Python enqueues run on RqWorker and Python reads their results, statuses and
// registries; mapped classes travel both ways; failures, unknown functions, malformed jobs,
// retries and timeouts end as RQ ends them, and the worker goes on.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Tuple } from 'pickle-mapper';
import { InvalidMessageError, RedisCommandError, RqQueue, RqWorker, TaskFailedError, TaskTimeoutError } from 'pickle-mapper/rq';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { describeWithTaskQueues, runRqWorkerBurst, runTaskPython } from '../helpers/task-queues.js';
import { Order, Receipt } from './models.js';

describeWithTaskQueues('RQ over a real Redis', () => {
  let redis: RedisServer;
  const closers: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
  const queue = (name: string) => {
    const q = new RqQueue(name, { connection: redis.url });
    closers.push(q);
    return q;
  };
  const worker = (name: string, options: Partial<ConstructorParameters<typeof RqWorker>[1]> = {}) => {
    const w = new RqWorker(name, { connection: redis.url, ...options });
    closers.push(w);
    return w;
  };
  /** Python source that fetches job `id` as `job` on connection `c`. */
  const fetchJob = (id: string) => `
from redis import Redis
from rq.job import Job
c = Redis.from_url('${redis.url}')
job = Job.fetch('${id}', connection=c)
`;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const closer of closers) await ('close' in closer ? closer.close() : closer.stop());
    await redis?.stop();
  });

  it('enqueues jobs that Python’s rq worker runs, and reads their results, statuses and failures', async () => {
    const q = queue('ts-to-py');
    const added = await q.enqueue('tasks.add', [2, 3]);
    const keyworded = await q.enqueue('tasks.add', [1], { kwargs: { b: 10 } });
    const failing = await q.enqueue('tasks.fail', ['boom']);
    const echoed = await q.enqueue('tasks.echo', ['é', 2n ** 70n, Buffer.from([0, 255]), null], { kwargs: { flag: true } });
    expect(await q.count()).toBe(4);
    expect(await added.status()).toBe('queued');

    const described = await runTaskPython(`${fetchJob(added.id)}print(job.description, job.origin, job.timeout, job.get_status())`, redis.url);
    expect(described.trim()).toBe('tasks.add(2, 3) ts-to-py 180 queued');

    await runRqWorkerBurst(redis.url, ['ts-to-py']);
    expect(await added.result()).toBe(5);
    expect(await keyworded.result()).toBe(11);
    expect(await added.status()).toBe('finished');
    const echo = (await echoed.result()) as unknown[];
    expect(echo[0]).toEqual(Tuple.from(['é', 2n ** 70n, new Uint8Array([0, 255]), null]));
    expect(echo[1]).toEqual({ flag: true });

    await expect(failing.result()).rejects.toThrow(TaskFailedError);
    const error = (await failing.result().catch((e: unknown) => e)) as TaskFailedError;
    expect(error.code).toBe('TASK_FAILED');
    expect(error.exception).toMatchObject({ module: 'builtins', type: 'ValueError', args: ['boom'] });
    expect(error.exception.traceback).toContain('raise ValueError(message)');
    expect(await failing.status()).toBe('failed');
    const latest = await failing.latestResult();
    expect(latest?.type).toBe('failed');

    const info = await added.fetch();
    expect(info?.call).toEqual({ funcName: 'tasks.add', instance: null, args: [2, 3], kwargs: {} });
    expect(info?.status).toBe('finished');
    expect(info?.workerName).toBeTruthy();
  });

  it('sends mapped classes to a Python job and gets a mapped class back', async () => {
    const q = queue('ts-models');
    const job = await q.enqueue('tasks.total', [new Order('pen', 3, 1.5)]);
    await runRqWorkerBurst(redis.url, ['ts-models']);
    const receipt = await job.result(Receipt);
    expect(receipt).toBeInstanceOf(Receipt);
    expect(receipt).toEqual(new Receipt('pen', 4.5, ['pen', 'pen', 'pen']));
  });

  it('times out waiting for a job no worker runs', async () => {
    const job = await queue('nobody').enqueue('tasks.add', [1, 2]);
    const error = await job.result({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect((error as TaskTimeoutError).code).toBe('TASK_TIMEOUT');
  });

  it('runs jobs Python enqueued with TypeScript functions; Python reads results, statuses and registries', async () => {
    const ids = (
      await runTaskPython(
        `
from redis import Redis
from rq import Queue
import tasks
q = Queue('py-to-ts', connection=Redis.from_url('${redis.url}'))
print(q.enqueue(tasks.add, 40, b=2).id)
print(q.enqueue(tasks.total, tasks.Order('cup', 2, 2.25)).id)
print(q.enqueue(tasks.noop).id)
print(q.enqueue(tasks.fail, 'bad input').id)
`,
        redis.url,
      )
    )
      .trim()
      .split('\n');
    const seen: unknown[] = [];
    const w = worker('py-to-ts');
    w.register('tasks.add', (a: number, b = 0) => a + b, { parameters: ['a', 'b'] });
    w.register(
      'tasks.total',
      (order: Order) => {
        seen.push(order);
        return new Receipt(order.sku, order.quantity * order.price, Array.from({ length: order.quantity }, () => order.sku));
      },
      { types: [Order] },
    );
    w.register('tasks.noop', () => undefined);
    w.register('tasks.fail', (message: string) => {
      const error = new Error(message);
      error.name = 'ValueError';
      throw error;
    });
    expect(await w.work({ burst: true })).toEqual({ succeeded: 3, failed: 1 });
    expect(seen[0]).toBeInstanceOf(Order);
    expect(seen[0]).toEqual(new Order('cup', 2, 2.25));

    const report = await runTaskPython(
      `
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.results import Result
import tasks
c = Redis.from_url('${redis.url}')
add, total, noop, fail = (Job.fetch(i, connection=c) for i in ${JSON.stringify(ids)})
print(add.get_status(), add.return_value(), add.latest_result().type == Result.Type.SUCCESSFUL)
print(total.return_value() == tasks.Receipt('cup', 4.5, ['cup', 'cup']))
print(noop.get_status(), noop.return_value())
print(fail.get_status(), fail.latest_result().type == Result.Type.FAILED, fail.latest_result().exc_string.strip().splitlines()[-1])
q = Queue('py-to-ts', connection=c)
print(sorted(q.finished_job_registry.get_job_ids()) == sorted([add.id, total.id, noop.id]), q.failed_job_registry.get_job_ids() == [fail.id], q.started_job_registry.get_job_ids() == [])
print(add.worker_name == '${w.name}', add.started_at is not None, add.ended_at >= add.started_at)
`,
      redis.url,
    );
    expect(report.trim().split('\n')).toEqual([
      'finished 42 True',
      'True',
      'finished None',
      'failed True ValueError: bad input',
      'True True True',
      'True True True',
    ]);
  });

  it('fails a job whose function is unknown, whose arguments do not bind or whose data are not a job, and goes on', async () => {
    const ids = (
      await runTaskPython(
        `
from redis import Redis
from rq import Queue
import tasks
c = Redis.from_url('${redis.url}')
q = Queue('bad-jobs', connection=c)
print(q.enqueue('tasks.nowhere', 1).id)
print(q.enqueue(tasks.add, 1, c=2).id)
broken = q.enqueue(tasks.add, 1, 2)
c.hset(broken.key, 'data', b'\\x80\\x05not a pickle')
print(broken.id)
c.rpush(q.key, 'no-such-job')
nodata = q.enqueue(tasks.add, 0, 0)
c.hdel(nodata.key, 'data')
print(nodata.id)
print(q.enqueue(tasks.add, 5, 6).id)
`,
        redis.url,
      )
    )
      .trim()
      .split('\n');
    const reported: Array<[string, string | undefined]> = [];
    const w = worker('bad-jobs', { onError: (error, id) => reported.push([error.name, id]) });
    w.register('tasks.add', (a: number, b = 0) => a + b, { parameters: ['a', 'b'] });
    expect(await w.work({ burst: true })).toEqual({ succeeded: 1, failed: 3 });
    expect(reported).toEqual([['InvalidMessageError', ids[3]]]);

    // The job without data: Python's Job.fetch cannot read it either (RQ: "Unexpected job format").
    const lines = (
      await runTaskPython(
        `
from redis import Redis
from rq.job import Job
c = Redis.from_url('${redis.url}')
for i in ${JSON.stringify([ids[0], ids[1], ids[2], ids[4]])}:
    job = Job.fetch(i, connection=c)
    r = job.latest_result()
    print(job.get_status(), r.exc_string.strip().splitlines()[-1] if r.exc_string else job.return_value())
`,
        redis.url,
      )
    )
      .trim()
      .split('\n');
    expect(lines[0]).toBe("failed AttributeError: no task named 'tasks.nowhere' is registered with this worker");
    expect(lines[1]).toBe("failed TypeError: tasks.add() got an unexpected keyword argument 'c'");
    expect(lines[2]).toMatch(/^failed rq\.exceptions\.DeserializationError: job .* its data do not load/);
    expect(lines[3]).toBe('finished 11');
  });

  it('checks argument classes before the function runs', async () => {
    const q = queue('typed');
    const job = await q.enqueue('tasks.total', [{ sku: 'not an order' }]);
    let ran = false;
    const w = worker('typed');
    w.register('tasks.total', () => (ran = true), { types: [Order], parameters: ['order'] });
    expect(await w.work({ burst: true })).toEqual({ succeeded: 0, failed: 1 });
    expect(ran).toBe(false);
    const error = (await job.result().catch((e: unknown) => e)) as TaskFailedError;
    expect(error.exception.type).toBe('TypeError');
    expect(error.exception.args[0]).toBe('tasks.total() argument order: expected tasks.Order (Order), got dict');
  });

  it('retries a failing job as many times as Retry(max) says, then fails it', async () => {
    const [id] = (
      await runTaskPython(
        `
from redis import Redis
from rq import Queue, Retry
import tasks
q = Queue('retry', connection=Redis.from_url('${redis.url}'))
print(q.enqueue(tasks.fail, 'again', retry=Retry(max=2)).id)
`,
        redis.url,
      )
    )
      .trim()
      .split('\n');
    let calls = 0;
    const w = worker('retry');
    w.register('tasks.fail', () => {
      calls++;
      throw new Error('again');
    });
    expect(await w.work({ burst: true })).toEqual({ succeeded: 0, failed: 3 });
    expect(calls).toBe(3);
    const report = await runTaskPython(`${fetchJob(id!)}print(job.get_status(), job.retries_left, len(job.results()))`, redis.url);
    expect(report.trim()).toBe('failed 0 1');
  });

  it('fails a job that runs past its timeout with RQ’s JobTimeoutException', async () => {
    const q = queue('slow');
    const job = await q.enqueue('tasks.slow', [], { timeout: 1 });
    const w = worker('slow');
    w.register('tasks.slow', () => new Promise(() => undefined));
    expect(await w.work({ burst: true })).toEqual({ succeeded: 0, failed: 1 });
    const error = (await job.result().catch((e: unknown) => e)) as TaskFailedError;
    expect(error.exception).toMatchObject({ module: 'rq.timeouts', type: 'JobTimeoutException' });
  });

  it('serves while it works: each of many jobs Python waits on runs once, and stop() ends the worker', async () => {
    const w = worker('serve');
    let calls = 0;
    w.register('tasks.add', (a: number, b = 0) => {
      calls++;
      return a + b;
    }, { parameters: ['a', 'b'] });
    const working = w.work();
    const out = await runTaskPython(
      `
import time
from redis import Redis
from rq import Queue
import tasks
q = Queue('serve', connection=Redis.from_url('${redis.url}'))
jobs = [q.enqueue(tasks.add, i, b=1) for i in range(50)]
deadline = time.time() + 30
while time.time() < deadline and any(j.get_status(refresh=True) != 'finished' for j in jobs):
    time.sleep(0.05)
print(sum(j.return_value() for j in jobs), sum(len(j.results()) for j in jobs))
`,
      redis.url,
    );
    expect(out.trim()).toBe(`${(49 * 50) / 2 + 50} 50`);
    await w.stop();
    expect(await working).toEqual({ succeeded: 50, failed: 0 });
    expect(calls).toBe(50);
    const workers = await runTaskPython(
      `from redis import Redis; from rq import Worker; print(len(Worker.all(connection=Redis.from_url('${redis.url}'))))`,
      redis.url,
    );
    expect(workers.trim()).toBe('0');
  });

  it('works over an ioredis client the user gives, and leaves it open when closed', async () => {
    const client = new Redis(redis.url);
    const q = new RqQueue('given-client', { connection: client });
    const w = new RqWorker('given-client', { connection: client, functions: { 'tasks.add': (a: number, b: number) => a + b } });
    const job = await q.enqueue('tasks.add', [20, 22]);
    expect(await w.work({ burst: true })).toEqual({ succeeded: 1, failed: 0 });
    expect(await job.result()).toBe(42);
    await w.stop();
    await q.close();
    expect(client.status).toBe('ready');
    expect(await client.llen('rq:queue:given-client')).toBe(0);
    await client.quit();
  });

  it('a working worker outlives a Redis restart: it reports the lost connection and takes the jobs enqueued after', async () => {
    const own = await startRedisServer();
    const errors: string[] = [];
    const w = new RqWorker('restart', {
      connection: own.url,
      functions: { 'tasks.add': (a: number, b: number) => a + b },
      onError: (error) => errors.push((error as RedisCommandError).code),
    });
    const working = w.work();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await own.stop();
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(errors[0]).toBe('REDIS_ERROR');
      const again = await startRedisServer(own.port);
      const q = new RqQueue('restart', { connection: again.url });
      const job = await q.enqueue('tasks.add', [1, 2]);
      expect(await job.result({ timeoutMs: 30_000 })).toBe(3);
      await w.stop();
      expect(await working).toEqual({ succeeded: 1, failed: 0 });
      await q.close();
      await again.stop();
    } finally {
      await w.stop();
    }
  }, 90_000);

  it('enqueueing where no Redis answers fails with a RedisCommandError (REDIS_ERROR)', async () => {
    const gone = await startRedisServer();
    await gone.stop();
    const q = new RqQueue('nowhere', { connection: gone.url });
    const error = await q.enqueue('tasks.add', [1, 2]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisCommandError);
    expect((error as RedisCommandError).code).toBe('REDIS_ERROR');
    await q.close();
  }, 60_000);

  it('refuses job data that are not RQ’s with an InvalidMessageError', async () => {
    const { decodeJobData } = await import('../../src/node/rq/job-data.js');
    expect(() => decodeJobData(Buffer.from([0x80, 0x05, 0x4b, 0x01, 0x2e]), 'x')).toThrow(InvalidMessageError);
    expect(() => decodeJobData(Buffer.from('garbage'), 'x')).toThrow(/job x: its data do not load/);
  });
});

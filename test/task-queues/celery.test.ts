// pickle-mapper/celery against a real Redis and Python's Celery 5 (pickle serializer, Redis
// broker and result backend): tasks sent here run on a Python Celery worker; tasks Python sends
// run on CeleryWorker and Python's AsyncResult.get() returns their results or raises their
// failures; mapped classes travel both ways; malformed messages, unknown tasks and expired tasks
// end as documented, and the worker goes on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CeleryClient, CeleryWorker, TaskFailedError, TaskTimeoutError } from 'pickle-mapper/celery';
import { RedisLink } from '../../src/node/task-queue/redis-link.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { describeWithTaskQueues, PythonCeleryWorker, runTaskPython } from '../helpers/task-queues.js';
import { Order, Receipt } from './models.js';

describeWithTaskQueues('Celery over a real Redis', () => {
  let redis: RedisServer;
  let client: CeleryClient;
  const workers: CeleryWorker[] = [];
  const worker = (queue: string | string[], options: Partial<ConstructorParameters<typeof CeleryWorker>[1]> = {}) => {
    const w = new CeleryWorker(queue, { connection: redis.url, ...options });
    workers.push(w);
    return w;
  };
  const raw = async () => RedisLink.open(redis.url);

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new CeleryClient({ connection: redis.url });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await client?.close();
    await redis?.stop();
  });

  it('sends tasks a Python Celery worker runs, and gets their results, failures and mapped classes', async () => {
    const python = new PythonCeleryWorker(redis.url, ['ts-to-py']);
    try {
      const added = await client.sendTask('tasks.add', [2, 3], { queue: 'ts-to-py' });
      const keyworded = await client.sendTask('tasks.add', [1], { queue: 'ts-to-py', kwargs: { b: 10 }, priority: 5 });
      const failing = await client.sendTask('tasks.fail', ['boom'], { queue: 'ts-to-py' });
      const total = await client.sendTask('tasks.total', [new Order('pen', 3, 1.5)], { queue: 'ts-to-py' });
      const echoed = await client.sendTask('tasks.echo', ['é', 2n ** 70n], { queue: 'ts-to-py', kwargs: { flag: null } });
      expect(await added.get({ timeoutMs: 30_000 })).toBe(5);
      expect(await keyworded.get({ timeoutMs: 30_000 })).toBe(11);
      const receipt = await total.get(Receipt, { timeoutMs: 30_000 });
      expect(receipt).toBeInstanceOf(Receipt);
      expect(receipt).toEqual(new Receipt('pen', 4.5, ['pen', 'pen', 'pen']));
      expect(await echoed.get({ timeoutMs: 30_000 })).toEqual([['é', 2n ** 70n], { flag: null }]);
      const error = (await failing.get({ timeoutMs: 30_000 }).catch((e: unknown) => e)) as TaskFailedError;
      expect(error).toBeInstanceOf(TaskFailedError);
      expect(error.code).toBe('TASK_FAILED');
      expect(error.exception).toMatchObject({ module: 'builtins', type: 'ValueError', args: ['boom'] });
      expect(error.exception.traceback).toContain('raise ValueError(message)');
      expect(await added.state()).toBe('SUCCESS');
      expect(await failing.state()).toBe('FAILURE');
    } finally {
      await python.stop();
    }
  });

  it('gets a result stored before the wait began, and times out on a task no worker runs', async () => {
    const python = new PythonCeleryWorker(redis.url, ['early']);
    const sent = await client.sendTask('tasks.add', [20, 22], { queue: 'early' });
    const link = await raw();
    for (let i = 0; i < 300 && (await link.call('EXISTS', `celery-task-meta-${sent.id}`)) !== 1; i++) await new Promise((r) => setTimeout(r, 50));
    await link.close();
    await python.stop();
    expect(await sent.get({ timeoutMs: 1000 })).toBe(42);

    const never = await client.sendTask('tasks.add', [1, 1], { queue: 'nobody' });
    expect(await never.state()).toBe('PENDING');
    const error = await never.get({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
  });

  it('runs tasks Python sent with TypeScript functions; Python gets results and the exceptions they raise', async () => {
    const w = worker(['py-to-ts', 'celery']);
    const seen: unknown[] = [];
    w.register('tasks.add', (a: number, b = 0) => a + b, { parameters: ['a', 'b'] });
    w.register(
      'tasks.total',
      (order: Order) => {
        seen.push(order);
        return new Receipt(order.sku, order.quantity * order.price, Array.from({ length: order.quantity }, () => order.sku));
      },
      { types: [Order] },
    );
    w.register('tasks.fail', (message: string) => {
      const error = new Error(message);
      error.name = 'KeyError';
      throw error;
    });
    w.register('tasks.noop', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    const working = w.work();
    const out = await runTaskPython(
      `
import celery_app as app, tasks
from celery.exceptions import NotRegistered
print(app.add.apply_async(queue='py-to-ts', args=(40,), kwargs={'b': 2}).get(timeout=20))
print(app.total.apply_async(queue='py-to-ts', args=(tasks.Order('cup', 2, 2.25),)).get(timeout=20) == tasks.Receipt('cup', 4.5, ['cup', 'cup']))
print(app.noop.apply_async(queue='py-to-ts').get(timeout=20))
try:
    app.fail.apply_async(queue='py-to-ts', args=('bad',)).get(timeout=20)
except KeyError as e:
    print('KeyError', e.args)
try:
    app.app.send_task('tasks.nothere', (1,), queue='py-to-ts').get(timeout=20)
except NotRegistered as e:
    print('NotRegistered', e)
print(app.add.apply_async(queue='py-to-ts', args=(1, 2), priority=9).get(timeout=20))
print(app.add.delay(5, 6).get(timeout=20))
`,
      redis.url,
    );
    expect(out.trim().split('\n')).toEqual(['42', 'True', 'None', "KeyError ('bad',)", "NotRegistered 'tasks.nothere'", '3', '11']);
    expect(seen[0]).toBeInstanceOf(Order);
    await w.stop();
    expect(await working).toEqual({ succeeded: 5, failed: 2 });
    const link = await raw();
    expect(await link.call('HLEN', 'unacked')).toBe(0);
    expect(await link.call('ZCARD', 'unacked_index')).toBe(0);
    await link.close();
  });

  it('drops a message that is not JSON, answers one whose body does not decode, revokes an expired task, and goes on', async () => {
    const link = await raw();
    await link.call('LPUSH', 'bad', '{not json');
    const undecodable = JSON.stringify({
      body: Buffer.from('\x80\x04garbage').toString('base64'),
      'content-encoding': 'binary',
      'content-type': 'application/x-python-serialize',
      headers: { lang: 'py', task: 'tasks.add', id: 'undecodable-1' },
      properties: { body_encoding: 'base64', delivery_tag: 'tag-1', delivery_info: { exchange: '', routing_key: 'bad' } },
    });
    await link.call('LPUSH', 'bad', undecodable);
    await link.close();
    const expired = await client.sendTask('tasks.add', [1, 2], { queue: 'bad', expires: new Date(Date.now() - 1000) });
    const fine = await client.sendTask('tasks.add', [3, 4], { queue: 'bad' });
    const reported: string[] = [];
    const w = worker('bad', { onError: (error) => reported.push(error.name) });
    w.register('tasks.add', (a: number, b: number) => a + b);
    expect(await w.work({ burst: true })).toEqual({ succeeded: 1, failed: 2 });
    expect(reported).toEqual(['InvalidMessageError', 'InvalidMessageError']);
    expect(await fine.get({ timeoutMs: 1000 })).toBe(7);
    const revoked = (await expired.get({ timeoutMs: 1000 }).catch((e: unknown) => e)) as TaskFailedError;
    expect(revoked.exception).toMatchObject({ module: 'celery.exceptions', type: 'TaskRevokedError' });
    expect(await expired.state()).toBe('REVOKED');
    const out = await runTaskPython(
      `
import celery_app as app
from kombu.exceptions import DecodeError
try:
    app.app.AsyncResult('undecodable-1').get(timeout=5)
except DecodeError as e:
    print('DecodeError')
`,
      redis.url,
    );
    expect(out.trim()).toBe('DecodeError');
  });

  it('takes higher-priority tasks first, as kombu’s Redis transport orders them', async () => {
    const order: number[] = [];
    const sent = [];
    for (const priority of [9, 6, 0, 3]) sent.push(await client.sendTask('tasks.add', [priority, 0], { queue: 'prio', priority }));
    const w = worker('prio');
    w.register('tasks.add', (a: number) => order.push(a));
    await w.work({ burst: true });
    expect(order).toEqual([0, 3, 6, 9]);
  });

  it('a TypeScript client and a TypeScript worker talk through Redis alone, mapped classes included', async () => {
    const w = worker('ts-only');
    w.register('tasks.total', (order: Order) => new Receipt(order.sku, order.quantity * order.price, [order.sku]), { types: [Order] });
    const working = w.work();
    const result = await client.sendTask('tasks.total', [new Order('ink', 2, 0.5)], { queue: 'ts-only' });
    expect(await result.get(Receipt, { timeoutMs: 10_000 })).toEqual(new Receipt('ink', 1, ['ink']));
    await w.stop();
    await working;
  });
});

// A TypeScript producer feeding a Python Celery worker: tasks sent with dataclass arguments
// (mapped classes here), results read back typed from the Redis result backend, and a task
// that raises in Python arriving as a TaskFailedError with Python's exception.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CeleryClient, TaskFailedError } from 'pickle-mapper/celery';
import { PyClass, PyField } from 'pickle-mapper/decorators';
import { privateRedis, pythonWith } from '../private-redis.js';

@PyClass('shipping.Parcel', { model: 'dataclass' })
class Parcel {
  @PyField() destination = '';
  @PyField({ name: 'weight_kg', type: 'float' }) weightKg = 0;
  @PyField({ type: 'bool' }) express = false;
}

@PyClass('shipping.Quote', { model: 'dataclass' })
class Quote {
  @PyField() destination = '';
  @PyField({ type: 'float' }) price = 0;
  @PyField({ type: 'int' }) days = 0;
}

const redis = await privateRedis();
const here = dirname(fileURLToPath(import.meta.url));
// C_FORCE_ROOT: Celery refuses to run a pickle-accepting worker as root without it.
const worker = spawn(pythonWith('celery'), ['-m', 'celery', '-A', 'shipping', 'worker', '--pool=solo', '--loglevel=WARNING', '--without-mingle', '--without-gossip'], {
  cwd: here,
  env: { ...process.env, REDIS_URL: redis.url, C_FORCE_ROOT: '1' },
  stdio: 'ignore',
});

const celery = new CeleryClient({ connection: redis.url });
try {
  const parcels = [
    Object.assign(new Parcel(), { destination: 'FR', weightKg: 2 }),
    Object.assign(new Parcel(), { destination: 'JP', weightKg: 0.5, express: true }),
  ];
  const sent = await Promise.all(parcels.map((parcel) => celery.sendTask('shipping.quote', [parcel])));
  for (const result of sent) {
    const quote = await result.get(Quote, { timeoutMs: 30_000 });
    console.log(`typescript: ${quote.destination}: ${quote.price.toFixed(2)} in ${quote.days} days (${quote.constructor.name})`);
  }
  const heavy = await celery.sendTask('shipping.quote', [Object.assign(new Parcel(), { destination: 'US', weightKg: 45 })]);
  try {
    await heavy.get({ timeoutMs: 30_000 });
  } catch (error) {
    if (!(error instanceof TaskFailedError)) throw error;
    console.log(`typescript: refused by Python: ${error.exception.type}: ${String(error.exception.args[0])}`);
  }
} finally {
  await celery.close();
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('close', resolve));
  await redis.stop();
}

// A TypeScript RQ worker serving a Python producer: Python enqueues `billing.invoice_total` jobs
// with dataclass arguments (producer.py); the worker runs them here, typed, and Python reads the
// results (dataclasses again) or the failure, as if a Python `rq worker` had run them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listOf } from 'pickle-mapper';
import { PyClass, PyField } from 'pickle-mapper/decorators';
import { RqWorker } from 'pickle-mapper/rq';
import { privateRedis, pythonWith } from '../private-redis.js';

@PyClass('billing.Invoice', { model: 'dataclass' })
class Invoice {
  @PyField({ type: 'int' }) number = 0;
  @PyField() customer = '';
  @PyField({ type: listOf('float') }) amounts: number[] = [];
  @PyField({ name: 'vat_rate', type: 'float' }) vatRate = 0.2;
}

@PyClass('billing.Total', { model: 'dataclass' })
class Total {
  @PyField({ type: 'int' }) number = 0;
  @PyField({ type: 'float' }) net = 0;
  @PyField({ type: 'float' }) vat = 0;
  @PyField({ type: 'float' }) gross = 0;
}

function invoiceTotal(invoice: Invoice): Total {
  if (invoice.amounts.length === 0) throw Object.assign(new Error(`invoice ${invoice.number} has no lines`), { name: 'ValueError' });
  const net = invoice.amounts.reduce((sum, amount) => sum + amount, 0);
  const vat = Math.round(net * invoice.vatRate * 100) / 100;
  console.log(`typescript: invoice ${invoice.number} for ${invoice.customer}, ${invoice.amounts.length} lines`);
  return Object.assign(new Total(), { number: invoice.number, net, vat, gross: net + vat });
}

const redis = await privateRedis();
const worker = new RqWorker('billing', { connection: redis.url });
worker.register('billing.invoice_total', invoiceTotal, { parameters: ['invoice'], types: [Invoice] });
const working = worker.work();
console.log(`typescript: worker ${worker.name} waits on queue 'billing'`);

const here = dirname(fileURLToPath(import.meta.url));
const producer = spawn(pythonWith('rq'), ['producer.py'], { cwd: here, env: { ...process.env, REDIS_URL: redis.url }, stdio: ['ignore', 'inherit', 'inherit'] });
const [code] = (await once(producer, 'close')) as [number];
await worker.stop();
const { succeeded, failed } = await working;
console.log(`typescript: ${succeeded} jobs done, ${failed} failed`);
await redis.stop();
if (code !== 0) throw new Error(`the Python producer exited with ${code}`);

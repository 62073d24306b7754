// A Python service listening with multiprocessing.connection.Listener, and a TypeScript client:
// the HMAC handshake with the shared authkey, then typed requests and typed answers. A client
// with the wrong authkey is turned away before anything is unpickled.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PyClass, PyField } from 'pickle-mapper/decorators';
import { AuthenticationError, Client } from 'pickle-mapper/multiprocessing';

@PyClass('__main__.StockQuery', { model: 'dataclass' })
class StockQuery {
  @PyField() sku = '';
  @PyField({ type: 'int' }) quantity = 0;
}

@PyClass('__main__.StockLevel', { model: 'dataclass' })
class StockLevel {
  @PyField() sku = '';
  @PyField({ name: 'on_hand', type: 'int' }) onHand = 0;
  @PyField({ type: 'bool' }) reserved = false;
  @PyField({ name: 'unit_price', type: 'float' }) unitPrice = 0;
}

const here = dirname(fileURLToPath(import.meta.url));
const python = spawn(process.env.PYTHON ?? 'python3', [join(here, 'warehouse.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = once(python, 'close') as Promise<[number]>;
const lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
const port = Number((await lines.next()).value);
console.log(`typescript: the Python Listener is on port ${port}`);

try {
  await Client(['127.0.0.1', port], { authkey: 'a guess' });
} catch (error) {
  if (!(error instanceof AuthenticationError)) throw error;
  console.log(`typescript: wrong authkey refused (${error.code})`);
  console.log((await lines.next()).value);
}

const conn = await Client(['127.0.0.1', port], { authkey: 'warehouse-secret' });
for (const [sku, quantity] of [['notebook', 5], ['pen', 10]] as const) {
  await conn.send(Object.assign(new StockQuery(), { sku, quantity }));
  const level = await conn.recv(StockLevel);
  console.log(`typescript: ${level.sku}: ${level.onHand} on hand at ${level.unitPrice}, ${quantity} ${level.reserved ? 'reserved' : 'not available'}`);
}
await conn.send('bye');
await conn.close();
console.log((await lines.next()).value);
const [code] = await exited;
if (code !== 0) throw new Error(`python exited with ${code}`);

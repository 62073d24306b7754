// The main demo: a TypeScript process and a real python3 process exchange typed objects over a
// pipe. TypeScript sends a shop.Order built from its own classes; Python unpickles it into its
// own shop.Order, confirms it, and answers with the order and a shop.Receipt dataclass, which
// TypeScript loads back as typed instances.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumps, loads, tuple } from 'pickle-mapper';
import { Customer, LineItem, Order, Receipt } from './models.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Length-prefixed framing over a byte stream: 4-byte big-endian length, then the pickle. */
function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

async function main(): Promise<void> {
  const python = spawn(process.env.PYTHON ?? 'python3', [join(here, 'service.py')], {
    cwd: here,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const replies: Buffer[] = [];
  let pending = Buffer.alloc(0);
  python.stdout.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
      const length = pending.readUInt32BE(0);
      replies.push(pending.subarray(4, 4 + length));
      pending = pending.subarray(4 + length);
    }
  });

  const order = new Order();
  order.id = 1042;
  order.customer = Object.assign(new Customer(), { name: 'Ada Lovelace', email: 'ada@example.com' });
  order.items = [
    Object.assign(new LineItem(), { sku: 'notebook', price: 12, quantity: 2 }),
    Object.assign(new LineItem(), { sku: 'pen', price: 1.5, quantity: 4 }),
  ];
  order.tags = tuple('priority', 'gift');
  console.log(`typescript: sending order ${order.id} (${order.items.length} items, total ${order.total})`);
  python.stdin.write(frame(dumps(order)));
  python.stdin.end();

  const [code] = (await once(python, 'close')) as [number];
  if (code !== 0 || replies.length !== 1) throw new Error(`python service failed (exit ${code})`);

  const [confirmed, receipt] = loads(replies[0]!) as [Order, Receipt];
  if (!(confirmed instanceof Order) || !(receipt instanceof Receipt)) throw new Error('expected typed objects back');
  console.log(`typescript: got back ${confirmed.constructor.name} ${confirmed.id}, status '${confirmed.status}'`);
  for (const item of confirmed.items) {
    console.log(`  ${item.constructor.name} ${item.sku} x${item.quantity} at ${item.price}`);
  }
  console.log(`typescript: ${receipt.constructor.name} total ${receipt.total} over ${receipt.lines} lines (${receipt.notes.join(', ')})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

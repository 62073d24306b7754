// One process, the package loaded through `require` (cjs-side) and through `import` (esm-side):
// each side dumps values the other made, and loads instances of classes the other registered.
// Reads Python's order from argv[2]; writes pickles for python3 to check into argv[3].
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esm from './esm-side.mjs';

const cjs = createRequire(import.meta.url)('./cjs-side.cjs') as typeof import('./cjs-side.cjs');
const [input, out] = process.argv.slice(2) as [string, string];

const customer = new cjs.Customer();
customer.name = 'Grace';
const item = new esm.LineItem();
item.sku = 'ink';
item.price = 3;
item.size = esm.tuple(1, 1);
// Values made by one side, dumped by the other.
writeFileSync(join(out, 'esm-dumps-cjs-values.pkl'), esm.dumps({ point: cjs.tuple(1, 2), ratio: cjs.pyFloat(2), customer }));
writeFileSync(join(out, 'cjs-dumps-esm-values.pkl'), cjs.dumps({ point: esm.tuple(3, 4), ratio: esm.pyFloat(3), item }));

// Python's order through each side: Order and Customer were registered by cjs, LineItem by esm.
const checks: Record<string, boolean> = { sameRegistry: esm.defaultRegistry() === cjs.defaultRegistry() };
for (const [side, copy] of [['esm', esm], ['cjs', cjs]] as const) {
  const order = copy.loads(readFileSync(input)) as InstanceType<typeof cjs.Order>;
  const items = order.items as Array<InstanceType<typeof esm.LineItem>>;
  checks[`${side}.loads Order`] = order instanceof cjs.Order && order.customer instanceof cjs.Customer;
  checks[`${side}.loads LineItem`] = items.every((line) => line instanceof esm.LineItem);
  checks[`${side}.loads Tuple`] = items.every((line) => line.size instanceof esm.Tuple && line.size instanceof cjs.Tuple);
  order.status = `shipped by ${side}`;
  items.push(item);
  // Loaded and edited by one side, dumped by the other.
  order.notes = { point: copy.tuple(5, 6), ratio: copy.pyFloat(4) };
  writeFileSync(join(out, `order-loaded-by-${side}.pkl`), (side === 'esm' ? cjs : esm).dumps(order));
}
console.log(JSON.stringify(checks));

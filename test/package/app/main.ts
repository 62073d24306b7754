// A user's program: loads the order Python pickled (argv[2]), edits it, and dumps it (argv[3]).
// It prints what it found; the test checks that, and python3 checks the dump.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { dumps, loads, pyFloat, Tuple, tuple } from 'pickle-mapper';
import { Customer, LineItem, Order } from './models.js';

const [input, output] = process.argv.slice(2) as [string, string];
const order = loads(readFileSync(input)) as Order;
const item = order.items[1]!;
console.log(
  [
    `Order ${order instanceof Order}`,
    `Customer ${order.customer instanceof Customer}`,
    `LineItem ${order.items.every((line) => line instanceof LineItem)}`,
    `Tuple ${item.size instanceof Tuple}`,
    `${order.id} ${order.customer.name} ${item.sku} ${item.price} ${item.size.join('x')}`,
  ].join(', '),
);

order.status = 'shipped';
const tape = new LineItem();
tape.sku = 'tape';
tape.price = 4; // a 'float' field: Python gets 4.0
tape.size = tuple(5, 5);
order.items.push(tape);
// Untyped positions: pyFloat and tuple say what Python gets.
order.notes = { discount: pyFloat(1), origin: tuple('web', 2) };
writeFileSync(output, dumps(order));

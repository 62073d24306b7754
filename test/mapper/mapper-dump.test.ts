// Issue 4, dumping: instances built in TypeScript with `new` pickle to objects of the Python
// classes, with Python's attribute names and types (floats stay floats, tuples stay tuples,
// nested objects are instances of their Python classes), at every protocol.
import { beforeAll, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dumps, loads, PyObject, tuple } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { pythonCheck } from './py.js';

type Models = typeof import('./models.js');
const MODELS = fileURLToPath(new URL('./models.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

/** The TypeScript-built values, by name; everything made with `new` and plain assignments. */
function build(models: Models) {
  const { Customer, LineItem, Order, Category, Regressor, Plain, VipCustomer, Inner, Tokenizer, Person } = models;
  const ada = Object.assign(new Customer(), { name: 'Ada', id: 7 });
  const order = Object.assign(new Order(), {
    id: 1,
    customer: ada,
    items: [Object.assign(new LineItem(), { sku: 'a', price: 2, quantity: 3 }), Object.assign(new LineItem(), { sku: 'b', price: 1.5 })],
    tags: tuple('x', 'y'),
  });
  const second = Object.assign(new Order(), { id: 2, customer: ada });
  const root = Object.assign(new Category(), { name: 'root' });
  const kid = Object.assign(new Category(), { name: 'kid', parent: root });
  root.children.push(kid);
  const regressor = Object.assign(new Regressor(), { weights: [1, 2, 0.5], bias: 0, iterations: 10, name: 'r' });
  const plain = Object.assign(new Plain(), { a: 2, b: 'z' });
  const vip = Object.assign(new VipCustomer(), { name: 'Vera', id: 11, level: 3 });
  const big = Object.assign(new Customer(), { name: 'Big', id: 2n ** 70n });
  const inner = Object.assign(new Inner(), { label: 'in' });
  const tokenizer = Object.assign(new Tokenizer(), { num_words: 20 });
  const person = Object.assign(new Person(), { name: 'Ann', age: 41 });
  return { order, shared: [order, second], root, regressor, plain, vip, big, inner, tokenizer, person };
}

const ORDER = {
  class: 'shop.Order',
  attrs: {
    id: 'int 1',
    customer: { class: 'shop.Customer', attrs: { name: 'str Ada', id: 'int 7' } },
    items: [
      { class: 'shop.LineItem', attrs: { sku: 'str a', price: 'float 2.0', quantity: 'int 3' } },
      { class: 'shop.LineItem', attrs: { sku: 'str b', price: 'float 1.5', quantity: 'int 1' } },
    ],
    tags: { tuple: ['str x', 'str y'] },
  },
};

const EXPECTED: Record<string, unknown> = {
  order: ORDER,
  root: {
    class: 'shop.Category',
    attrs: {
      name: 'str root',
      parent: null,
      children: [{ class: 'shop.Category', attrs: { name: 'str kid', parent: { cycle: 'shop.Category' }, children: [] } }],
    },
  },
  regressor: {
    class: 'ml.Regressor',
    attrs: { weights: ['float 1.0', 'float 2.0', 'float 0.5'], b: 'float 0.0', n_iter: 'int 10', name: 'str r' },
  },
  plain: { class: 'misc.Plain', attrs: { a: 'int 2', b: 'str z' } },
  vip: { class: 'shop.VipCustomer', attrs: { name: 'str Vera', id: 'int 11', level: 'int 3' } },
  big: { class: 'shop.Customer', attrs: { name: 'str Big', id: `int ${2n ** 70n}` } },
  inner: { class: 'geo.shapes.Outer.Inner', attrs: { label: 'str in' } },
  tokenizer: { class: 'keras.src.legacy.preprocessing.text.Tokenizer', attrs: { num_words: 'int 20', lower: true } },
  person: { class: 'person.Person', attrs: { name: 'str Ann', age: 'int 41' } },
};

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: TypeScript-built instances in Python (${standard} decorators)`, () => {
    let models: Models;
    let seen: Record<string, unknown>;
    let written: Record<string, Uint8Array>;
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      written = {};
      for (const p of PROTOCOLS) {
        for (const [name, value] of Object.entries(build(models))) {
          written[`${name}.${p}`] = dumps(value, { protocol: p, registry: models.registry });
        }
      }
      // One python3 for the whole group: describe() of every pickle, plus the identity facts
      // describe() cannot show.
      seen = pythonCheck(written, `
for p in range(6):
    a, b = objs[f'shared.{p}']
    result[f'shared.{p}'] = [describe(a), describe(b), a.customer is b.customer]
    root = objs[f'root.{p}']
    result[f'cycle.{p}'] = root.children[0].parent is root
    r = objs[f'regressor.{p}']
    result[f'types.{p}'] = [type(w).__name__ for w in r.weights] + [type(r.b).__name__, type(r.n_iter).__name__]
    result[f'tags.{p}'] = type(objs[f'order.{p}'].tags).__name__
`);
    });

    it.each(PROTOCOLS)('at protocol %i Python sees its own classes, attribute names and types', (p) => {
      for (const [name, expected] of Object.entries(EXPECTED)) {
        expect({ name, seen: seen[`${name}.${p}`] }).toEqual({ name, seen: expected });
      }
    });

    it.each(PROTOCOLS)('at protocol %i float fields holding integers are floats, tuples are tuples', (p) => {
      expect(seen[`types.${p}`]).toEqual(['float', 'float', 'float', 'float', 'int']);
      expect(seen[`tags.${p}`]).toBe('tuple');
    });

    it.each(PROTOCOLS)('at protocol %i shared objects stay shared and cycles stay cycles', (p) => {
      const [a, b, same] = seen[`shared.${p}`] as [unknown, unknown, boolean];
      expect(a).toEqual(ORDER);
      expect(b).toEqual({
        class: 'shop.Order',
        attrs: { id: 'int 2', customer: ORDER.attrs.customer, items: [], tags: { tuple: [] } },
      });
      expect(same).toBe(true);
      expect(seen[`cycle.${p}`]).toBe(true);
    });

    it('dumping does not change the instances (the float copies are the pickle\'s own)', () => {
      const { regressor, order } = build(models);
      dumps([regressor, order], { registry: models.registry });
      expect(regressor.weights).toEqual([1, 2, 0.5]);
      expect(typeof regressor.bias).toBe('number');
      expect(order.items[0]!.price).toBe(2);
    });

    it.each(PROTOCOLS)('what it writes at protocol %i loads back into the same TS classes', (p) => {
      const order = loads(written[`order.${p}`]!, { registry: models.registry }) as InstanceType<Models['Order']>;
      expect(order).toBeInstanceOf(models.Order);
      expect(order.customer).toBeInstanceOf(models.Customer);
      expect(order.items[1]).toBeInstanceOf(models.LineItem);
      const root = loads(written[`root.${p}`]!, { registry: models.registry }) as InstanceType<Models['Category']>;
      expect(root.children[0]!.parent).toBe(root);
      const vip = loads(written[`vip.${p}`]!, { registry: models.registry });
      expect(vip).toBeInstanceOf(models.VipCustomer);
      expect({ ...(vip as object) }).toEqual({ name: 'Vera', id: 11, level: 3 });
      const big = loads(written[`big.${p}`]!, { registry: models.registry }) as InstanceType<Models['Customer']>;
      expect(big.id).toBe(2n ** 70n);
    });

    it.each(PROTOCOLS)('a nested qualname it writes at protocol %i loads back as Inner', (p) => {
      // Below protocol 4 the pickler writes getattr(geo.shapes.Outer, 'Inner'), as CPython does.
      const inner = loads(written[`inner.${p}`]!, { registry: models.registry });
      expect(inner).not.toBeInstanceOf(PyObject);
      expect(inner).toBeInstanceOf(models.Inner);
    });
  });
}

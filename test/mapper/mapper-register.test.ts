// Issue 4, the plain-function form: registerClass on undecorated classes behaves as the
// decorators do (same loads, same Python objects, same bytes), and scoped registries keep
// registrations of the same Python name apart.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  defaultRegistry,
  dumps,
  extraState,
  loads,
  PicklingError,
  PyGlobal,
  PyObject,
  registerClass,
  Registry,
  schemaOf,
  type Tuple,
  tuple,
} from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { importDecorated } from '../helpers/decorated.js';
import { hex, pythonCheck, pythonPickles } from './py.js';

type Models = typeof import('./models.js');
const MODELS = fileURLToPath(new URL('./models.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

/** The models of models.ts again, as plain classes (no decorators) registered by function. */
function plainModels(registry: Registry) {
  class Customer {
    name: string;
    id: number | bigint;
    constructor() {
      this.name = '';
      this.id = 0;
    }
  }
  class LineItem {
    sku: string;
    price: number;
    quantity: number;
    constructor() {
      this.sku = '';
      this.price = 0;
      this.quantity = 1;
    }
  }
  class Order {
    id = 0;
    customer?: Customer = undefined;
    items: LineItem[] = [];
    tags: Tuple<string> = tuple();
  }
  class Category {
    name = '';
    parent: Category | null = null;
    children: Category[] = [];
  }
  class Regressor {
    weights: number[] = [];
    bias = 0;
    iterations = 0;
    name = '';
  }
  class Point {
    static constructorCalls: unknown[][] = [];
    x: number;
    y: number;
    constructor(x = 0, y = 0) {
      this.x = x;
      this.y = y;
      Point.constructorCalls.push([x, y]);
    }
    __reduce__() {
      return [new PyGlobal('geo', 'Point'), tuple(this.x, this.y)] as const;
    }
  }
  class Plain {
    a = 0;
    b = 'x';
  }
  class Vec {
    x = 0;
    y = 0;
  }
  registerClass(Customer, { module: 'shop', name: 'Customer', fields: { name: {}, id: { type: 'int' } }, registry });
  registerClass(LineItem, {
    module: 'shop',
    name: 'LineItem',
    fields: { sku: {}, price: { type: 'float' }, quantity: { type: 'int' } },
    registry,
  });
  registerClass(Order, {
    module: 'shop',
    name: 'Order',
    fields: { id: { type: 'int' }, customer: { type: () => Customer }, items: { type: () => LineItem }, tags: {} },
    registry,
  });
  registerClass(Category, {
    module: 'shop',
    name: 'Category',
    fields: { name: {}, parent: { type: () => Category }, children: { type: () => Category } },
    registry,
  });
  registerClass(Regressor, {
    module: 'ml',
    name: 'Regressor',
    aliases: ['ml_old.LinearModel'],
    fields: {
      weights: { name: 'weights', aliases: ['w'], type: 'float' },
      bias: { name: 'b', type: 'float' },
      iterations: { name: 'n_iter' },
      name: {},
    },
    registry,
  });
  registerClass(Point, { module: 'geo', name: 'Point', registry });
  registerClass(Plain, { module: 'misc', name: 'Plain', registry });
  registerClass(Vec, { module: 'geo', name: 'Vec', fields: { x: { type: 'float' }, y: { type: 'float' } }, slots: ['x', 'y'], registry });
  return { registry, Customer, LineItem, Order, Category, Regressor, Point, Plain, Vec };
}
type Plain = ReturnType<typeof plainModels>;

/** The same graph from either kind of models. */
function graph(models: Plain | Models): unknown[] {
  const set = Object.assign;
  const ada = set(new models.Customer(), { name: 'Ada', id: 7 });
  const order = set(new models.Order(), {
    id: 1,
    customer: ada,
    items: [set(new models.LineItem(), { sku: 'a', price: 2, quantity: 3 }), set(new models.LineItem(), { sku: 'b', price: 1.5 })],
    tags: tuple('x', 'y'),
  });
  const root = set(new models.Category(), { name: 'root' });
  root.children.push(set(new models.Category(), { name: 'kid', parent: root }));
  return [
    order,
    set(new models.Order(), { id: 2, customer: ada }),
    root,
    set(new models.Regressor(), { weights: [1, 2.5], bias: 3, iterations: 4, name: 'r' }),
    new models.Point(5, 6),
    set(new models.Plain(), { a: 5 }),
    set(new models.Vec(), { x: 1, y: 2.5 }),
  ];
}

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
c = m.Customer('Ada', 7)
order = m.Order(1, c, [m.LineItem('a', 2.0, 3), m.LineItem('b', 1.5)], ('x', 'y'))
root = m.Category('root')
m.Category('kid', root)
vip = m.Customer('Vic', 3)
vip.vip = True
holder_module = m.module('reg_a')
class Holder:
    pass
m.place(holder_module, Holder)
holder = Holder()
holder.thing = {'x_a': 1}
out['holder'] = pickle.dumps(holder, protocol=4)
cached = m.Cached()
cached.label = 'x'
cached.size = 3
cached.cache = 'from python'
out['cached'] = pickle.dumps(cached, protocol=4)
for p in range(6):
    out[f'order.{p}'] = pickle.dumps(order, protocol=p)
    out[f'category.{p}'] = pickle.dumps(root, protocol=p)
    out[f'linear.{p}'] = pickle.dumps(m.LinearModel([1.5, 2.5], 0), protocol=p)
    out[f'point.{p}'] = pickle.dumps(m.Point(3, 4), protocol=p)
    out[f'vip.{p}'] = pickle.dumps(vip, protocol=p)
    if p >= 2:
        out[f'vec.{p}'] = pickle.dumps(m.Vec(1.0, 2.5), protocol=p)
`));
}

describeWithPython('mapper: registerClass on plain classes', () => {
  let plain: Plain;
  let pickles: Record<string, Uint8Array>;
  beforeAll(() => {
    plain = plainModels(new Registry());
    pickles = fromPython();
  });
  const load = (name: string) => loads(pickles[name]!, { registry: plain.registry });

  it.each(PROTOCOLS)('CPython pickles at protocol %i load as the plain classes', (p) => {
    const order = load(`order.${p}`) as InstanceType<Plain['Order']>;
    expect(order).toBeInstanceOf(plain.Order);
    expect(order.customer).toBeInstanceOf(plain.Customer);
    expect(order.items.map((item) => item instanceof plain.LineItem)).toEqual([true, true]);
    expect(order.items.map((item) => ({ ...item }))).toEqual([
      { sku: 'a', price: 2, quantity: 3 },
      { sku: 'b', price: 1.5, quantity: 1 },
    ]);
    expect([...order.tags]).toEqual(['x', 'y']);

    const root = load(`category.${p}`) as InstanceType<Plain['Category']>;
    expect(root).toBeInstanceOf(plain.Category);
    expect(root.children[0]!.parent).toBe(root);

    const regressor = load(`linear.${p}`) as InstanceType<Plain['Regressor']>;
    expect(regressor).toBeInstanceOf(plain.Regressor);
    expect({ ...regressor }).toEqual({ weights: [1.5, 2.5], bias: 0, iterations: 0, name: '' });

    plain.Point.constructorCalls.length = 0;
    const point = load(`point.${p}`);
    expect(point).toBeInstanceOf(plain.Point);
    expect(plain.Point.constructorCalls).toEqual([[3, 4]]);

    const vip = load(`vip.${p}`) as InstanceType<Plain['Customer']>;
    expect({ ...vip }).toEqual({ name: 'Vic', id: 3 });
    expect(extraState(vip).get('vip')).toBe(true);

    if (p >= 2) {
      const vec = load(`vec.${p}`);
      expect(vec).toBeInstanceOf(plain.Vec);
      expect({ ...(vec as object) }).toEqual({ x: 1, y: 2.5 });
    }
  });

  it('TS-built plain instances reach Python as its classes, with its names and types', () => {
    const written: Record<string, Uint8Array> = {};
    for (const p of PROTOCOLS) {
      written[`graph.${p}`] = dumps(graph(plain).slice(0, p >= 2 ? undefined : -1), { protocol: p, registry: plain.registry });
    }
    const seen = pythonCheck(written, `
for p in range(6):
    g = objs[f'graph.{p}']
    result[f'graph.{p}'] = [describe(x) for x in g[2:]] + [describe(g[0]), g[0].customer is g[1].customer, g[2].children[0].parent is g[2]]`);
    for (const p of PROTOCOLS) {
      const [root, regressor, point, plainValue, ...rest] = seen[`graph.${p}`] as unknown[];
      expect(root).toMatchObject({ class: 'shop.Category', attrs: { name: 'str root', parent: null } });
      expect(regressor).toEqual({
        class: 'ml.Regressor',
        attrs: { weights: ['float 1.0', 'float 2.5'], b: 'float 3.0', n_iter: 'int 4', name: 'str r' },
      });
      expect(point).toEqual({ class: 'geo.Point', attrs: { x: 'int 5', y: 'int 6' } });
      expect(plainValue).toEqual({ class: 'misc.Plain', attrs: { a: 'int 5', b: 'str x' } });
      if (p >= 2) expect(rest.shift()).toEqual({ class: 'geo.Vec', attrs: { x: 'float 1.0', y: 'float 2.5' } });
      const [order, shared, cycle] = rest;
      expect(order).toMatchObject({
        class: 'shop.Order',
        attrs: {
          items: [
            { class: 'shop.LineItem', attrs: { sku: 'str a', price: 'float 2.0', quantity: 'int 3' } },
            { class: 'shop.LineItem', attrs: { sku: 'str b', price: 'float 1.5', quantity: 'int 1' } },
          ],
          tags: { tuple: ['str x', 'str y'] },
        },
      });
      expect(shared).toBe(true);
      expect(cycle).toBe(true);
    }
  });

  it.each(PROTOCOLS)('plain and decorated (legacy, tc39) models write identical bytes at protocol %i', async (p) => {
    for (const standard of ['legacy', 'tc39'] as const) {
      const models = await importDecorated<Models>(MODELS, standard);
      const values = (m: Plain | Models) => graph(m).slice(0, p >= 2 ? undefined : -1);
      const ours = dumps(values(plain), { protocol: p, registry: plain.registry });
      const theirs = dumps(values(models), { protocol: p, registry: models.registry });
      expect({ standard, bytes: hex(ours) }).toEqual({ standard, bytes: hex(theirs) });
    }
  });

  it('implicit mode, exclude, and implicit with a few renamed fields', () => {
    const registry = new Registry();
    class Cached {
      label = 'l';
      size = 2;
      cache = new Map<string, number>();
    }
    registerClass(Cached, { module: 'misc', name: 'Cached', exclude: ['cache'], registry });
    class Mixed {
      weights: number[] = [];
      note = 'n';
    }
    registerClass(Mixed, { module: 'misc', name: 'Mixed', fields: { weights: { name: 'w_', type: 'float' } }, implicit: true, registry });
    const cached = Object.assign(new Cached(), { label: 'c' });
    cached.cache.set('k', 1);
    const mixed = Object.assign(new Mixed(), { weights: [1, 2] });
    const checked = pythonCheck({ cached: dumps(cached, { registry }), mixed: dumps(mixed, { registry }) });
    expect(checked.cached).toEqual({ class: 'misc.Cached', attrs: { label: 'str c', size: 'int 2' } });
    expect(checked.mixed).toEqual({ class: 'misc.Mixed', attrs: { note: 'str n', w_: ['float 1.0', 'float 2.0'] } });

    // Loading: an excluded key in the state is not set on the instance (kept aside instead).
    const back = loads(fromPython().cached!, { registry }) as Cached;
    expect(back).toBeInstanceOf(Cached);
    expect(back.label).toBe('x');
    expect(back.cache).toBeInstanceOf(Map);
    expect(extraState(back).get('cache')).toBe('from python');
  });
});

describe('mapper: scoped registries keep registrations apart', () => {
  it('two registries with their own class for shop.Customer each load and dump their own', () => {
    const a = new Registry();
    const b = new Registry();
    class CustomerA {
      name = '';
      id = 0;
    }
    class CustomerB {
      full_name = '';
    }
    registerClass(CustomerA, { module: 'shop', name: 'Customer', fields: { name: {}, id: { type: 'int' } }, registry: a });
    registerClass(CustomerB, { module: 'shop', name: 'Customer', fields: { full_name: { name: 'name' } }, registry: b });
    const data = dumps(Object.assign(new CustomerA(), { name: 'Ada', id: 7 }), { registry: a });
    const inA = loads(data, { registry: a });
    const inB = loads(data, { registry: b });
    expect(inA).toBeInstanceOf(CustomerA);
    expect(inB).toBeInstanceOf(CustomerB);
    expect({ ...(inB as object) }).toEqual({ full_name: 'Ada' });
    expect(extraState(inB as object).get('id')).toBe(7);
    // Neither leaks into the default registry, nor into the other.
    expect(loads(data)).toBeInstanceOf(PyObject);
    expect(defaultRegistry().resolve('shop', 'Customer')).toBeUndefined();
    expect(() => dumps(new CustomerA(), { registry: b })).toThrow(PicklingError);
    expect(() => dumps(new CustomerB(), { registry: a })).toThrow(PicklingError);
    // B writes its own class under the shared Python name, with its own field names.
    expect(hex(dumps(inB, { registry: b }))).toBe(hex(dumps(Object.assign(new CustomerA(), { name: 'Ada', id: 7 }), { registry: a })));
  });

  it('a child registry inherits its parent and may override a name without touching the parent', () => {
    const parent = new Registry();
    class Base {
      name = '';
    }
    class Override {
      name = '';
    }
    registerClass(Base, { module: 'shop', name: 'Customer', registry: parent });
    const child = new Registry({ parent });
    const data = dumps(Object.assign(new Base(), { name: 'x' }), { registry: parent });
    expect(loads(data, { registry: child })).toBeInstanceOf(Base);
    registerClass(Override, { module: 'shop', name: 'Customer', registry: child });
    expect(loads(data, { registry: child })).toBeInstanceOf(Override);
    expect(loads(data, { registry: parent })).toBeInstanceOf(Base);
  });

  it('the legacy and tc39 compilations of models.ts each keep their own shop.Customer', async () => {
    const legacy = await importDecorated<Models>(MODELS, 'legacy');
    const tc39 = await importDecorated<Models>(MODELS, 'tc39');
    const data = dumps(Object.assign(new legacy.Customer(), { name: 'Ada', id: 7 }), { registry: legacy.registry });
    expect(loads(data, { registry: legacy.registry })).toBeInstanceOf(legacy.Customer);
    expect(loads(data, { registry: tc39.registry })).toBeInstanceOf(tc39.Customer);
    expect(loads(data, { registry: tc39.registry })).not.toBeInstanceOf(legacy.Customer);
  });

  it('registerClass without a registry uses the default one (loads/dumps without options)', () => {
    class Gadget {
      serial = '';
    }
    const handler = registerClass(Gadget, { module: 'pm_register_test', name: 'Gadget', fields: { serial: { name: 'serial_no' } } });
    expect(handler.module).toBe('pm_register_test');
    expect(schemaOf(Gadget)?.fields.map((field) => field.pythonName)).toEqual(['serial_no']);
    const back = loads(dumps(Object.assign(new Gadget(), { serial: 'S1' })));
    expect(back).toBeInstanceOf(Gadget);
    expect((back as Gadget).serial).toBe('S1');
    expect(defaultRegistry().resolve('pm_register_test', 'Gadget')).toBe(handler);
  });

  it('one class registered in two registries under different names keeps each mapping', () => {
    const a = new Registry();
    const b = new Registry();
    class Thing {
      x = 0;
    }
    class Holder {
      thing: Thing | null = null;
    }
    registerClass(Thing, { module: 'reg_a', name: 'Thing', fields: { x: { name: 'x_a', type: 'int' } }, registry: a });
    registerClass(Holder, { module: 'reg_a', name: 'Holder', fields: { thing: { type: () => Thing } }, registry: a });
    registerClass(Thing, { module: 'reg_b', name: 'Thing', fields: { x: { name: 'x_b', type: 'int' } }, registry: b });
    const thing = Object.assign(new Thing(), { x: 1 });
    // Dumping goes through each registry's own handler.
    const viaA = loads(dumps(thing, { registry: a })) as PyObject;
    const viaB = loads(dumps(thing, { registry: b })) as PyObject;
    expect([viaA.cls, viaA.state]).toEqual([new PyGlobal('reg_a', 'Thing'), { x_a: 1 }]);
    expect([viaB.cls, viaB.state]).toEqual([new PyGlobal('reg_b', 'Thing'), { x_b: 1 }]);
  });
});

describeWithPython('mapper: one class in two registries, nested dict state', () => {
  it('a dict state converted to a nested instance uses the mapping of the registry being loaded', () => {
    // reg_a.Holder whose `thing` attribute Python stored as a dict {'x_a': 1}.
    const a = new Registry();
    const b = new Registry();
    class Thing {
      x = 0;
    }
    class Holder {
      thing: Thing | null = null;
    }
    registerClass(Thing, { module: 'reg_a', name: 'Thing', fields: { x: { name: 'x_a', type: 'int' } }, registry: a });
    registerClass(Holder, { module: 'reg_a', name: 'Holder', fields: { thing: { type: () => Thing } }, registry: a });
    // A later registration of the same class elsewhere must not change how registry a reads.
    registerClass(Thing, { module: 'reg_b', name: 'Thing', fields: { x: { name: 'x_b', type: 'int' } }, registry: b });
    const holder = loads(fromPython().holder!, { registry: a }) as Holder;
    expect(holder).toBeInstanceOf(Holder);
    expect(holder.thing).toBeInstanceOf(Thing);
    expect(holder.thing!.x).toBe(1);
  });
});

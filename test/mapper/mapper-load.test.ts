// Issue 4, loading: pickles written by CPython load as instances of the decorated TypeScript
// classes (nested objects, lists of objects, cycles), through renamed attributes, renamed
// classes and renamed modules, keeping what the class does not declare; and back to Python.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { aliasModule, dumps, extraState, loads, PyObject, Registry, Tuple } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { expectSameBytes, pythonCheck, pythonPickles } from './py.js';

type Models = typeof import('./models.js');
const MODELS = fileURLToPath(new URL('./models.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

/** Every pickle this file loads, made by one python3 process. */
let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
c = m.Customer('Ada', 7)
order = m.Order(1, c, [m.LineItem('a', 2.0, 3), m.LineItem('b', 1.5)], ('x', 'y'))
root = m.Category('root')
kid = m.Category('kid', root)
m.Category('grandkid', kid)
m.Category('kid2', root)

# ml_old.LinearModel: the old class name with the old attribute names w and b.
linear = m.LinearModel([1.5, 2.5], 0)
# ml.Regressor written before weights was renamed: its dict says w.
regressor_w = m.Regressor([0.5, 1.0], 0.75, 10, 'old')
regressor_w.w = regressor_w.__dict__.pop('weights')
# TupleRegressor's __getstate__ gives the tuple (w, b).
tupled = m.TupleRegressor([0.5, 1.25], 2.5)

# An old module path, and classes of a script (__main__).
tokenizer = m.OldTokenizer(num_words=100, lower=False)
class Person:
    def __init__(self, name, age):
        self.name = name
        self.age = age
class Human(Person):
    pass
renamed_module = m.module('legacy_keras.text')
OlderTokenizer = type('Tokenizer', (), {})
m.place(renamed_module, OlderTokenizer)
older = OlderTokenizer()
older.num_words = 5
older.lower = True

# Attributes the TypeScript classes do not declare.
vip = m.Customer('Vic', 3)
vip.vip = True
vip.notes = {'since': 2019, 'tags': ('gold',)}
plain = m.Plain(1, 'y')
plain.c = [1, 2]
# Attribute names that mean something to JavaScript objects.
odd = m.Plain(1, 'y')
odd.__dict__['__proto__'] = {'polluted': 1}
odd.__dict__['constructor'] = 'c'

# Old pickles that lack declared fields.
short_item = m.LineItem('z', 3.0, 5)
del short_item.quantity
bare_orders = [m.Order(8), m.Order(9)]
for o in bare_orders:
    del o.items, o.tags
old_settings = []
for version in (2, 3):
    s = m.Settings.__new__(m.Settings)
    s.version = version
    old_settings.append(s)

for p in range(6):
    out[f'order.{p}'] = pickle.dumps(order, protocol=p)
    out[f'category.{p}'] = pickle.dumps(root, protocol=p)
    out[f'shared.{p}'] = pickle.dumps([order, m.Order(2, c)], protocol=p)
    out[f'inner.{p}'] = pickle.dumps(m.Outer.Inner('in'), protocol=p)
    out[f'linear.{p}'] = pickle.dumps(linear, protocol=p)
    out[f'regressor_w.{p}'] = pickle.dumps(regressor_w, protocol=p)
    out[f'tupled.{p}'] = pickle.dumps(tupled, protocol=p)
    out[f'tokenizer.{p}'] = pickle.dumps(tokenizer, protocol=p)
    out[f'older.{p}'] = pickle.dumps(older, protocol=p)
    out[f'main_person.{p}'] = pickle.dumps(Person('Ann', 41), protocol=p)
    out[f'main_human.{p}'] = pickle.dumps(Human('Hal', 9), protocol=p)
    out[f'vip.{p}'] = pickle.dumps(vip, protocol=p)
    out[f'plain.{p}'] = pickle.dumps(plain, protocol=p)
    out[f'odd.{p}'] = pickle.dumps(odd, protocol=p)
    out[f'short_item.{p}'] = pickle.dumps(short_item, protocol=p)
    out[f'bare_orders.{p}'] = pickle.dumps(bare_orders, protocol=p)
    out[f'old_settings.{p}'] = pickle.dumps(old_settings, protocol=p)
    out[f'point.{p}'] = pickle.dumps(m.Point(3, 4), protocol=p)
    out[f'point56.{p}'] = pickle.dumps(m.Point(5, 6), protocol=p)
`));
}

const float = (value: number) => `float ${Number.isInteger(value) ? `${value}.0` : value}`;

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: loading CPython pickles (${standard} decorators)`, () => {
    let models: Models;
    let pickles: Record<string, Uint8Array>;
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      pickles = fromPython();
    });
    const load = (name: string, options: Parameters<typeof loads>[1] = {}) =>
      loads(pickles[name]!, { registry: models.registry, ...options });

    describe('1. objects, nested objects, lists of objects, cycles', () => {
      it.each(PROTOCOLS)('an Order graph at protocol %i loads as instances of the TS classes', (p) => {
        const order = load(`order.${p}`) as InstanceType<Models['Order']>;
        expect(order).toBeInstanceOf(models.Order);
        expect(order.id).toBe(1);
        expect(order.customer).toBeInstanceOf(models.Customer);
        expect({ ...order.customer }).toEqual({ name: 'Ada', id: 7 });
        expect(Array.isArray(order.items)).toBe(true);
        expect(order.items).toHaveLength(2);
        for (const item of order.items) expect(item).toBeInstanceOf(models.LineItem);
        expect(order.items.map((item) => ({ ...item }))).toEqual([
          { sku: 'a', price: 2, quantity: 3 },
          { sku: 'b', price: 1.5, quantity: 1 },
        ]);
        expect(order.tags).toBeInstanceOf(Tuple);
        expect([...order.tags]).toEqual(['x', 'y']);
        // Nothing undeclared came along.
        expect(extraState(order).size).toBe(0);
      });

      it.each(PROTOCOLS)('a Category tree at protocol %i keeps its cycles (child.parent is the parent)', (p) => {
        const root = load(`category.${p}`) as InstanceType<Models['Category']>;
        expect(root).toBeInstanceOf(models.Category);
        expect(root.parent).toBeNull();
        expect(root.children.map((child) => child.name)).toEqual(['kid', 'kid2']);
        const [kid, kid2] = root.children;
        expect(kid).toBeInstanceOf(models.Category);
        expect(kid!.parent).toBe(root);
        expect(kid2!.parent).toBe(root);
        const grandkid = kid!.children[0]!;
        expect(grandkid).toBeInstanceOf(models.Category);
        expect(grandkid.name).toBe('grandkid');
        expect(grandkid.parent).toBe(kid);
      });

      it.each(PROTOCOLS)('an object shared by two others at protocol %i stays one instance', (p) => {
        const [a, b] = load(`shared.${p}`) as InstanceType<Models['Order']>[];
        expect(a).toBeInstanceOf(models.Order);
        expect(b).toBeInstanceOf(models.Order);
        expect(a!.customer).toBeInstanceOf(models.Customer);
        expect(b!.customer).toBe(a!.customer);
        expect(b!.items).toEqual([]);
      });

      it('loads the same with dicts: "map" and with keepFloatType', () => {
        for (const options of [{ dicts: 'map' as const }, { keepFloatType: true }]) {
          const order = load('order.4', options) as InstanceType<Models['Order']>;
          expect(order).toBeInstanceOf(models.Order);
          expect(order.customer).toBeInstanceOf(models.Customer);
          expect(order.items.map((item) => item.price)).toEqual([2, 1.5]);
          expect(order.items[0]).toBeInstanceOf(models.LineItem);
          expect(extraState(order).size).toBe(0);
        }
      });

      it('without the registry the same pickle loads as placeholders', () => {
        expect(loads(pickles['order.4']!)).toBeInstanceOf(PyObject);
      });

      it.each(PROTOCOLS)('a nested qualname (geo.shapes Outer.Inner) at protocol %i loads as Inner', (p) => {
        // Below protocol 4 CPython names Outer.Inner as getattr(Outer, 'Inner').
        const inner = load(`inner.${p}`);
        expect(inner).toBeInstanceOf(models.Inner);
        expect((inner as InstanceType<Models['Inner']>).label).toBe('in');
      });
    });

    describe('3. w → weights', () => {
      it.each(PROTOCOLS)('ml_old.LinearModel (w, b) at protocol %i loads into Regressor.weights/bias', (p) => {
        const model = load(`linear.${p}`) as InstanceType<Models['Regressor']>;
        expect(model).toBeInstanceOf(models.Regressor);
        expect(model.weights).toEqual([1.5, 2.5]);
        expect(model.bias).toBe(0);
        // Missing from the old pickle: the class's defaults.
        expect(model.iterations).toBe(0);
        expect(model.name).toBe('');
        expect(extraState(model).size).toBe(0);
      });

      it.each(PROTOCOLS)('ml.Regressor whose dict says w, at protocol %i, loads into weights', (p) => {
        const model = load(`regressor_w.${p}`) as InstanceType<Models['Regressor']>;
        expect(model).toBeInstanceOf(models.Regressor);
        expect({ ...model }).toEqual({ weights: [0.5, 1], bias: 0.75, iterations: 10, name: 'old' });
        expect(extraState(model).size).toBe(0);
      });

      it.each(PROTOCOLS)('TupleRegressor state (w, b) at protocol %i loads through the TS __setstate__', (p) => {
        const model = load(`tupled.${p}`) as InstanceType<Models['TupleRegressor']>;
        expect(model).toBeInstanceOf(models.TupleRegressor);
        expect(model.weights).toEqual([0.5, 1.25]);
        expect(model.bias).toBe(2.5);
      });

      it('dumping writes the current form (ml.Regressor: weights, b, n_iter, name) that Python reads', () => {
        const written: Record<string, Uint8Array> = {};
        for (const p of PROTOCOLS) {
          written[`linear.${p}`] = dumps(load(`linear.${p}`), { protocol: p, registry: models.registry });
          written[`regressor_w.${p}`] = dumps(load(`regressor_w.${p}`), { protocol: p, registry: models.registry });
          written[`tupled.${p}`] = dumps(load(`tupled.${p}`), { protocol: p, registry: models.registry });
        }
        const seen = pythonCheck(written);
        for (const p of PROTOCOLS) {
          expect(seen[`linear.${p}`]).toEqual({
            class: 'ml.Regressor',
            // The int 0 Python had in b is a float now: b is a float field.
            attrs: { weights: [float(1.5), float(2.5)], b: float(0), n_iter: 'int 0', name: 'str ' },
          });
          expect(seen[`regressor_w.${p}`]).toEqual({
            class: 'ml.Regressor',
            attrs: { weights: [float(0.5), float(1)], b: float(0.75), n_iter: 'int 10', name: 'str old' },
          });
          expect(seen[`tupled.${p}`]).toEqual({
            class: 'ml.TupleRegressor',
            attrs: { weights: [float(0.5), float(1.25)], bias: float(2.5) },
          });
        }
      });
    });

    describe('4. renamed modules and classes', () => {
      it.each(PROTOCOLS)('keras.src.preprocessing.text.Tokenizer at protocol %i loads through aliasModule', (p) => {
        const tokenizer = load(`tokenizer.${p}`) as InstanceType<Models['Tokenizer']>;
        expect(tokenizer).toBeInstanceOf(models.Tokenizer);
        expect({ ...tokenizer }).toEqual({ num_words: 100, lower: false });
      });

      it('the function form aliasModule(old, new, registry) works on a scoped registry', () => {
        const scoped = new Registry({ parent: models.registry });
        expect(loads(pickles['older.4']!, { registry: scoped })).toBeInstanceOf(PyObject);
        aliasModule('legacy_keras.text', 'keras.src.preprocessing.text', scoped); // chains on to the models' alias
        for (const p of PROTOCOLS) {
          const tokenizer = loads(pickles[`older.${p}`]!, { registry: scoped }) as InstanceType<Models['Tokenizer']>;
          expect(tokenizer).toBeInstanceOf(models.Tokenizer);
          expect({ ...tokenizer }).toEqual({ num_words: 5, lower: true });
        }
        // The alias stays in the scoped registry.
        expect(load('older.4')).toBeInstanceOf(PyObject);
      });

      it.each(PROTOCOLS)('__main__.Person at protocol %i loads as person.Person (PyClass alias)', (p) => {
        const person = load(`main_person.${p}`) as InstanceType<Models['Person']>;
        expect(person).toBeInstanceOf(models.Person);
        expect({ ...person }).toEqual({ name: 'Ann', age: 41 });
      });

      it('__main__.Human loads as person.Person through registry.aliasName', () => {
        const scoped = new Registry({ parent: models.registry });
        scoped.aliasName('__main__', 'Human', 'person', 'Person');
        for (const p of PROTOCOLS) {
          const person = loads(pickles[`main_human.${p}`]!, { registry: scoped }) as InstanceType<Models['Person']>;
          expect(person).toBeInstanceOf(models.Person);
          expect({ ...person }).toEqual({ name: 'Hal', age: 9 });
        }
      });

      it('renamed classes dump under their current names, which Python reads', () => {
        const written: Record<string, Uint8Array> = {};
        const scoped = new Registry({ parent: models.registry }).aliasName('__main__', 'Human', 'person', 'Person');
        for (const p of PROTOCOLS) {
          written[`tokenizer.${p}`] = dumps(load(`tokenizer.${p}`), { protocol: p, registry: models.registry });
          written[`person.${p}`] = dumps(load(`main_person.${p}`), { protocol: p, registry: models.registry });
          const human = loads(pickles[`main_human.${p}`]!, { registry: scoped });
          written[`human.${p}`] = dumps(human, { protocol: p, registry: scoped });
        }
        const seen = pythonCheck(written);
        for (const p of PROTOCOLS) {
          expect(seen[`tokenizer.${p}`]).toEqual({
            class: 'keras.src.legacy.preprocessing.text.Tokenizer',
            attrs: { num_words: 'int 100', lower: false },
          });
          expect(seen[`person.${p}`]).toEqual({ class: 'person.Person', attrs: { name: 'str Ann', age: 'int 41' } });
          expect(seen[`human.${p}`]).toEqual({ class: 'person.Person', attrs: { name: 'str Hal', age: 'int 9' } });
        }
      });
    });

    describe('5. undeclared attributes and missing fields', () => {
      it('an undeclared attribute survives load → modify a field → dump', () => {
        const written: Record<string, Uint8Array> = {};
        for (const p of PROTOCOLS) {
          const customer = load(`vip.${p}`) as InstanceType<Models['Customer']>;
          expect(customer).toBeInstanceOf(models.Customer);
          expect({ ...customer }).toEqual({ name: 'Vic', id: 3 }); // only the declared fields
          const extras = extraState(customer);
          expect(extras.get('vip')).toBe(true);
          expect(extras.get('notes')).toEqual({ since: 2019, tags: ['gold'] });
          customer.name = 'Victoria';
          customer.id = 4;
          written[`vip.${p}`] = dumps(customer, { protocol: p, registry: models.registry });

          // Implicit mode (no @PyField) keeps every attribute as a property of its own name.
          const plain = load(`plain.${p}`) as InstanceType<Models['Plain']> & { c?: number[] };
          expect(plain).toBeInstanceOf(models.Plain);
          expect({ ...plain }).toEqual({ a: 1, b: 'y', c: [1, 2] });
          plain.a = 2;
          written[`plain.${p}`] = dumps(plain, { protocol: p, registry: models.registry });
        }
        const seen = pythonCheck(written);
        for (const p of PROTOCOLS) {
          expect(seen[`vip.${p}`]).toEqual({
            class: 'shop.Customer',
            attrs: {
              name: 'str Victoria',
              id: 'int 4',
              vip: true,
              notes: { dict: { since: 'int 2019', tags: { tuple: ['str gold'] } } },
            },
          });
          expect(seen[`plain.${p}`]).toEqual({ class: 'misc.Plain', attrs: { a: 'int 2', b: 'str y', c: ['int 1', 'int 2'] } });
        }
      });

      it.each(PROTOCOLS)('implicit attributes named __proto__ or constructor pollute nothing (protocol %i)', (p) => {
        const odd = load(`odd.${p}`) as Record<string, unknown>;
        expect(odd).toBeInstanceOf(models.Plain);
        expect(Object.getPrototypeOf(odd)).toBe(models.Plain.prototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(odd).sort()).toEqual(['__proto__', 'a', 'b', 'constructor']);
        expect(odd.constructor).toBe('c');
      });

      it('an instance with an own property named constructor (loaded in implicit mode) still dumps', () => {
        // Its class is what its prototype says, not what its own `constructor` property says.
        const written: Record<string, Uint8Array> = {};
        for (const p of PROTOCOLS) written[`odd.${p}`] = dumps(load(`odd.${p}`), { protocol: p, registry: models.registry });
        const seen = pythonCheck(written);
        for (const p of PROTOCOLS) {
          expect(seen[`odd.${p}`]).toEqual({
            class: 'misc.Plain',
            attrs: { a: 'int 1', b: 'str y', ['__proto__']: { dict: { polluted: 'int 1' } }, constructor: 'str c' },
          });
        }
      });

      it.each(PROTOCOLS)('declared fields missing from an old pickle (protocol %i) take the defaults', (p) => {
        const item = load(`short_item.${p}`) as InstanceType<Models['LineItem']>;
        expect(item).toBeInstanceOf(models.LineItem);
        expect({ ...item }).toEqual({ sku: 'z', price: 3, quantity: 1 });

        const [a, b] = load(`bare_orders.${p}`) as InstanceType<Models['Order']>[];
        expect(a).toBeInstanceOf(models.Order);
        expect(a!.id).toBe(8);
        expect(b!.id).toBe(9);
        expect(a!.items).toEqual([]);
        expect([...a!.tags]).toEqual([]);
        expect(a!.tags).toBeInstanceOf(Tuple);
        expect(a!.items).not.toBe(b!.items);
        a!.items.push(new models.LineItem());
        expect(b!.items).toEqual([]);
        expect(new models.Order().items).toEqual([]);
      });

      it.each(PROTOCOLS)('list and dict defaults are fresh copies per loaded instance (protocol %i)', (p) => {
        const [a, b] = load(`old_settings.${p}`) as InstanceType<Models['Settings']>[];
        expect(a).toBeInstanceOf(models.Settings);
        expect(a!.version).toBe(2);
        expect(b!.version).toBe(3);
        expect(a!.tags).toEqual([]);
        expect(a!.options).toEqual({});
        expect(a!.tags).not.toBe(b!.tags);
        expect(a!.options).not.toBe(b!.options);
        a!.tags.push('mutated');
        a!.options.mutated = true;
        expect(b!.tags).toEqual([]);
        expect(b!.options).toEqual({});
        const later = load(`old_settings.${p}`) as InstanceType<Models['Settings']>[];
        expect(later[0]!.tags).toEqual([]);
        expect(later[0]!.options).toEqual({});
        expect(new models.Settings().tags).toEqual([]);
      });

      it.each(PROTOCOLS)('a class-instance default (owner = new Customer()) is not shared either (protocol %i)', (p) => {
        const [a, b] = load(`old_settings.${p}`) as InstanceType<Models['Settings']>[];
        // Otherwise renaming one loaded instance's owner renames every other one's.
        expect(a!.owner).toBeInstanceOf(models.Customer);
        expect(a!.owner).not.toBe(b!.owner);
        a!.owner.name = 'mutated';
        expect(b!.owner.name).toBe('');
        const later = load(`old_settings.${p}`) as InstanceType<Models['Settings']>[];
        expect(later[0]!.owner.name).toBe('');
      });
    });

    describe('6. __reduce__ classes', () => {
      it('geo.Point loads through its constructor (REDUCE → new Point(x, y))', () => {
        for (const p of PROTOCOLS) {
          models.Point.constructorCalls.length = 0;
          const point = load(`point.${p}`) as InstanceType<Models['Point']>;
          expect(point).toBeInstanceOf(models.Point);
          expect({ ...point }).toEqual({ x: 3, y: 4 });
          expect(models.Point.constructorCalls).toEqual([[3, 4]]);
        }
      });

      it('geo.Point dumps through its reduction, byte for byte as CPython', () => {
        const ours: Record<string, Uint8Array> = {};
        for (const p of PROTOCOLS) ours[`point56.${p}`] = dumps(new models.Point(5, 6), { protocol: p, registry: models.registry });
        expectSameBytes(ours, pickles);
        const seen = pythonCheck(ours, `result = {k: (type(v) is m.Point, v == m.Point(5, 6)) for k, v in objs.items()}`);
        for (const p of PROTOCOLS) expect(seen[`point56.${p}`]).toEqual([true, true]);
      });
    });
  });
}

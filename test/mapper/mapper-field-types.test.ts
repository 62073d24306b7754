// Issue 17: every Python field type declared by documented means (dicts and Maps of instances,
// lists, tuples, sets, Optional, datetime, date, Decimal, UUID, enums, nested classes), loaded
// from CPython and written back so that Python gets what it had, edits included. A dict of
// instances declared as one instance is an error, never a silent misreading.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  dictOf,
  dumps,
  enumOf,
  mapOf,
  registerEnum,
  extraState,
  loads,
  PyDate,
  PyDatetime,
  PyDecimal,
  PyFrozenSet,
  PyUUID,
  Registry,
  registerClass,
  Tuple,
  tuple,
  UnpicklingError,
} from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { kindsCheck, pythonCheck, pythonPickles } from './py.js';

type Models = typeof import('./models-kinds.js');
const MODELS = fileURLToPath(new URL('./models-kinds.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
import python_kinds as k
cart = k.full_cart()
bad_dims = k.full_cart(); bad_dims.dims = (1, 'two')
bad_quantity = k.full_cart(); bad_quantity.by_sku['a'] = k.LineItem('a', 1.0, None)
bad_ratio = k.full_cart(); bad_ratio.ratios = [1.0, 'x']
float_quantity = k.LineItem('q', 1.0, 2.5)
list_for_tuple = k.full_cart(); list_for_tuple.dims = [1, 2]
for p in range(6):
    out[f'cart.{p}'] = pickle.dumps(cart, protocol=p)
    out[f'empty.{p}'] = pickle.dumps(k.Cart(), protocol=p)
    out[f'bad_dims.{p}'] = pickle.dumps(bad_dims, protocol=p)
    out[f'bad_quantity.{p}'] = pickle.dumps(bad_quantity, protocol=p)
    out[f'bad_ratio.{p}'] = pickle.dumps(bad_ratio, protocol=p)
    out[f'float_quantity.{p}'] = pickle.dumps(float_quantity, protocol=p)
    out[f'list_for_tuple.{p}'] = pickle.dumps(list_for_tuple, protocol=p)
`));
}

function loadError(data: Uint8Array, registry: Registry): UnpicklingError {
  try {
    loads(data, { registry });
  } catch (error) {
    expect(error).toBeInstanceOf(UnpicklingError);
    return error as UnpicklingError;
  }
  return expect.fail('expected an UnpicklingError');
}

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: field types (${standard} decorators)`, () => {
    let models: Models;
    let pickles: Record<string, Uint8Array>;
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      pickles = fromPython();
    });
    type Cart = InstanceType<Models['Cart']>;
    const load = (name: string) => loads(pickles[name]!, models.Cart, { registry: models.registry });

    it.each(PROTOCOLS)('a Cart with a field of each type loads typed (protocol %i)', (p) => {
      const cart = load(`cart.${p}`);
      const { LineItem } = models;
      // dict[str, LineItem]: a plain object of LineItems (issue 17, finding 1).
      expect(Object.keys(cart.bySku)).toEqual(['a', 'b']);
      expect(cart.bySku.a).toBeInstanceOf(LineItem);
      expect({ ...cart.bySku.a }).toEqual({ sku: 'a', price: 2, quantity: 3 });
      // dict[int, LineItem]: a Map, its values the same LineItems.
      expect(cart.byId).toBeInstanceOf(Map);
      expect([...cart.byId.keys()]).toEqual([1, 2]);
      expect(cart.byId.get(1)).toBe(cart.bySku.a);
      expect(cart.items[1]).toBe(cart.bySku.b);
      expect(cart.owner).toBe(cart.bySku.a);
      expect(cart.dims).toBeInstanceOf(Tuple);
      expect([...cart.dims]).toEqual([2, 3, 4]);
      expect([...cart.pair]).toEqual(['x', 7]);
      expect(cart.tags).toEqual(new Set(['new']));
      expect(cart.frozenTags).toBeInstanceOf(PyFrozenSet);
      expect(cart.note).toBe('gift');
      expect(cart.created).toBeInstanceOf(PyDatetime);
      expect(cart.created!.toISOString()).toBe('2024-05-06T07:08:09.123456');
      expect(cart.day).toBeInstanceOf(PyDate);
      expect(cart.amount).toBeInstanceOf(PyDecimal);
      expect(cart.amount.toString()).toBe('12.50');
      expect(cart.uid).toBeInstanceOf(PyUUID);
      expect(cart.color).toBe(models.Color.GREEN);
      expect(cart.ratios).toEqual([1, 0.5, 2]);
      expect(extraState(cart).size).toBe(0);
      expect(extraState(cart.bySku.a!).size).toBe(0);
    });

    it.each(PROTOCOLS)('Python gets the untouched Cart back equal, and TypeScript edits reach it (protocol %i)', (p) => {
      const untouched = load(`cart.${p}`);
      const edited = load(`cart.${p}`);
      edited.bySku.a!.price = 9; // a float field: Python gets 9.0
      edited.bySku.c = Object.assign(new models.LineItem(), { sku: 'c', price: 4, quantity: 2 });
      edited.byId.set(3, edited.bySku.c);
      edited.dims = tuple(5, 6);
      edited.note = null;
      edited.color = models.Color.RED;
      edited.amount = new PyDecimal('0.10');
      edited.ratios.push(3);
      const result = kindsCheck<Record<string, unknown>>(
        { untouched: dumps(untouched, { protocol: p, registry: models.registry }), edited: dumps(edited, { protocol: p, registry: models.registry }) },
        `
e = objs['edited']
result = {
  'untouched_equal': objs['untouched'] == k.full_cart(),
  'shared': e.by_sku['a'] is e.by_id[1] and e.items[0] is e.by_sku['a'] and e.owner is e.by_sku['a'],
  'by_sku': {key: [type(v).__name__, v.sku, repr(v.price), v.quantity] for key, v in e.by_sku.items()},
  'by_id': sorted(e.by_id),
  'new_shared': e.by_id[3] is e.by_sku['c'],
  'dims': repr(e.dims), 'note': e.note, 'color': repr(e.color), 'amount': repr(e.amount),
  'ratios': repr(e.ratios),
}`,
      );
      expect(result).toEqual({
        untouched_equal: true,
        shared: true,
        by_sku: { a: ['LineItem', 'a', '9.0', 3], b: ['LineItem', 'b', '1.5', 1], c: ['LineItem', 'c', '4.0', 2] },
        by_id: [1, 2, 3],
        new_shared: true,
        dims: '(5, 6)',
        note: null,
        color: '<Color.RED: 1>',
        amount: "Decimal('0.10')",
        ratios: '[1.0, 0.5, 2.0, 3.0]',
      });
    });

    it('a Cart made in TypeScript is the Cart Python makes', () => {
      const { Cart, LineItem } = models;
      const a = Object.assign(new LineItem(), { sku: 'a', price: 2, quantity: 3 });
      const b = Object.assign(new LineItem(), { sku: 'b', price: 1.5 });
      const cart: Cart = Object.assign(new Cart(), {
        bySku: { a, b },
        byId: new Map([[1, a], [2, b]]),
        items: [a, b],
        dims: tuple(2, 3, 4),
        pair: tuple('x', 7),
        tags: new Set(['new']),
        frozenTags: new Set(['f']), // a plain Set for a frozenset field is written as a frozenset
        note: 'gift',
        created: new PyDatetime(2024, 5, 6, 7, 8, 9, 123456),
        day: new PyDate(2024, 5, 6),
        amount: new PyDecimal('12.50'),
        uid: new PyUUID('12345678123456781234567812345678'),
        color: models.Color.GREEN,
        owner: a,
        ratios: [1, 0.5, 2],
      });
      const result = kindsCheck<Record<string, unknown>>({ cart: dumps(cart, { registry: models.registry }) }, `
result = {'equal': objs['cart'] == k.full_cart(), 'frozen': type(objs['cart'].frozen_tags).__name__}`);
      expect(result).toEqual({ equal: true, frozen: 'frozenset' });
    });

    it.each(PROTOCOLS)('an empty Cart round-trips (protocol %i)', (p) => {
      const cart = load(`empty.${p}`);
      expect(cart.note).toBeNull();
      expect(cart.bySku).toEqual({});
      const result = kindsCheck({ cart: dumps(cart, { protocol: p, registry: models.registry }) }, `
result = {'equal': objs['cart'] == k.Cart()}`);
      expect(result).toEqual({ equal: true });
    });

    it.each(PROTOCOLS)('values that do not fit their declared types are errors naming class, field and position (protocol %i)', (p) => {
      expect(loadError(pickles[`bad_dims.${p}`]!, models.registry).message).toMatch(/kinds\.Cart\.dims\[1\]: expected int, got "two" \(str\)/);
      // The LineItem is a Python object of its own: its BUILD fails, before the Cart's.
      expect(loadError(pickles[`bad_quantity.${p}`]!, models.registry).message).toMatch(
        /^kinds\.LineItem\.quantity: expected int, got None \(declare the field's type optional\(\.\.\.\) to allow None\) \(at byte \d+, opcode BUILD\)$/,
      );
      expect(loadError(pickles[`bad_ratio.${p}`]!, models.registry).message).toMatch(/kinds\.Cart\.ratios\[1\]: expected float, got "x" \(str\)/);
      // quantity = 1 says int: Python's 2.5 is refused, and the message says where the type came from.
      expect(loadError(pickles[`float_quantity.${p}`]!, models.registry).message).toMatch(
        /kinds\.LineItem\.quantity: expected int, got 2\.5 \(float\); the type int comes from the default 1/,
      );
      // A list where the field says tuple: refused rather than turned into a tuple on the way back.
      expect(loadError(pickles[`list_for_tuple.${p}`]!, models.registry).message).toMatch(/kinds\.Cart\.dims: expected tuple\[int, \.\.\.\], got list/);
    });

    it('dumping values that do not fit is a PicklingError naming class, field and position', () => {
      const cart = new models.Cart();
      cart.bySku = { a: 'not an item' as unknown as InstanceType<Models['LineItem']> };
      expect(() => dumps(cart, { registry: models.registry })).toThrow(/kinds\.Cart\.by_sku\["a"\] \(property bySku\): expected kinds\.LineItem, got "not an item" \(str\)/);
      const item = Object.assign(new models.LineItem(), { quantity: 1.5 });
      expect(() => dumps(item, { registry: models.registry })).toThrow(/kinds\.LineItem\.quantity: expected int, got 1\.5 \(float\)/);
      const none = Object.assign(new models.LineItem(), { sku: null });
      expect(() => dumps(none, { registry: models.registry })).toThrow(/kinds\.LineItem\.sku: expected str, got null \(declare the field's type optional/);
    });
  });
}

describeWithPython('mapper: a dict of instances declared as one instance (issue 17, finding 1)', () => {
  it.each(PROTOCOLS)('is an UnpicklingError that says how to declare it (protocol %i)', (p) => {
    class LineItem {
      sku = '';
      price = 0.5;
      quantity = 1;
    }
    class Cart {
      bySku: Record<string, LineItem> = {};
    }
    const registry = new Registry();
    registerClass(LineItem, { module: 'kinds', name: 'LineItem', registry, fields: { sku: {}, price: {}, quantity: {} } });
    registerClass(Cart, { module: 'kinds', name: 'Cart', registry, fields: { bySku: { name: 'by_sku', type: () => LineItem } } });
    const error = loadError(fromPython()[`cart.${p}`]!, registry);
    expect(error.message).toMatch(/kinds\.Cart\.by_sku \(property bySku\): a dict with keys 'a', 'b' is not the state of a kinds\.LineItem/);
    expect(error.message).toContain('dictOf(() => LineItem)');
    // Declared as a dict of them, the same pickle loads.
    const fixed = new Registry();
    registerClass(LineItem, { module: 'kinds', name: 'LineItem', registry: fixed, fields: { sku: {}, price: {}, quantity: {} } });
    registerClass(Cart, { module: 'kinds', name: 'Cart', registry: fixed, fields: { bySku: { name: 'by_sku', type: dictOf(() => LineItem) } } });
    const cart = loads(fromPython()[`cart.${p}`]!, Cart, { registry: fixed });
    expect(cart.bySku.a).toBeInstanceOf(LineItem);
  });
});

describeWithPython('mapper: enumOf, mapOf, and the dict a field holds', () => {
  class LineItem {
    sku = '';
    price = 0.5;
    quantity = 1;
  }
  class Cart {
    bySku = new Map<string, LineItem>();
    byId: Record<string, LineItem> | Map<unknown, LineItem> = {};
    color: unknown = null;
  }
  const registry = new Registry();
  const Color = registerEnum('kinds.Color', { RED: 1, GREEN: 2 }, { registry });
  registerClass(LineItem, { module: 'kinds', name: 'LineItem', registry, model: 'dataclass', fields: { sku: {}, price: {}, quantity: {} } });
  registerClass(Cart, {
    module: 'kinds',
    name: 'Cart',
    registry,
    model: 'dataclass',
    fields: {
      bySku: { name: 'by_sku', type: mapOf(() => LineItem) },
      byId: { name: 'by_id', type: dictOf('any', () => LineItem) },
      color: { type: enumOf(Color) },
    },
  });

  it.each(PROTOCOLS)('mapOf holds a Map, dictOf("any", V) what the load gave, enumOf the member (protocol %i)', (p) => {
    const cart = loads(fromPython()[`cart.${p}`]!, Cart, { registry });
    expect(cart.bySku).toBeInstanceOf(Map);
    expect(cart.bySku.get('a')).toBeInstanceOf(LineItem);
    expect(cart.byId).toBeInstanceOf(Map); // its keys are ints
    expect((cart.byId as Map<unknown, LineItem>).get(1)).toBe(cart.bySku.get('a'));
    expect(cart.color).toBe(Color.GREEN);
    // A value one of the members has is written as that member.
    const edited = loads(fromPython()[`cart.${p}`]!, Cart, { registry });
    edited.color = 1;
    expect(kindsCheck({ same: dumps(cart, { protocol: p, registry }), edited: dumps(edited, { protocol: p, registry }) }, `
result = {'same': objs['same'] == k.full_cart(), 'color': repr(objs['edited'].color)}`)).toEqual({ same: true, color: '<Color.RED: 1>' });
    edited.color = 3;
    expect(() => dumps(edited, { registry })).toThrow(/kinds\.Cart\.color: expected kinds\.Color, got 3 \(int\)/);
  });

  it('dictOf(V) holds a plain object even when the load makes every dict a Map, and mapOf a Map from a plain dict', async () => {
    const models = await importDecorated<Models>(MODELS, 'tc39');
    const cart = loads(fromPython()['cart.4']!, models.Cart, { registry: models.registry, dicts: 'map' });
    expect(Object.getPrototypeOf(cart.bySku)).toBe(Object.prototype);
    expect(cart.bySku.a).toBeInstanceOf(models.LineItem);
    const mapped = loads(fromPython()['cart.4']!, Cart, { registry });
    expect([...mapped.bySku.keys()]).toEqual(['a', 'b']);
  });
});

describeWithPython('mapper: a dict that is one instance\'s state', () => {
  class Thing {
    x = 0;
  }
  class Node {
    left: Node | null = null;
  }
  class Holder {
    a: Thing | null = null;
    b: Thing | null = null;
    loop: Node | null = null;
  }
  const registry = new Registry();
  registerClass(Thing, { module: 'kinds', name: 'Thing', registry, fields: { x: { name: 'x_a' } } });
  registerClass(Node, { module: 'kinds', name: 'Node', registry, fields: { left: { type: () => Node } } });
  registerClass(Holder, { module: 'kinds', name: 'Holder', registry, fields: { a: { type: () => Thing }, b: { type: () => Thing }, loop: { type: () => Node } } });

  it.each(PROTOCOLS)('becomes the instance, and is written back as the dict it was, shared and cyclic as it was (protocol %i)', (p) => {
    const pickles = pythonPickles(`
class Holder: pass
m.place(m.module('kinds'), Holder)
h = Holder()
h.a = h.b = {'x_a': 1}
h.loop = {}
h.loop['left'] = h.loop
out['holder'] = pickle.dumps(h, protocol=${p})`);
    const holder = loads(pickles.holder!, Holder, { registry });
    expect(holder.a).toBeInstanceOf(Thing);
    expect(holder.b).toBe(holder.a);
    expect(holder.loop!.left).toBe(holder.loop);
    holder.a!.x = 5;
    const result = pythonCheck({ holder: dumps(holder, { protocol: p, registry }) }, `
h = objs['holder']
result = {'a': [type(h.a).__name__, h.a], 'shared': h.a is h.b, 'cycle': h.loop['left'] is h.loop, 'loop_keys': list(h.loop)}`,
      "class Holder: pass\nm.place(m.module('kinds'), Holder)",
    );
    expect(result).toEqual({ a: ['dict', { x_a: 5 }], shared: true, cycle: true, loop_keys: ['left'] });
  });
});

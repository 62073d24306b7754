// Issue 4, the bytes: what `dumps` writes for a registered class is what CPython's
// `pickle.dumps` writes for the equivalent Python object (GLOBAL/STACK_GLOBAL, EMPTY_TUPLE,
// NEWOBJ or NEWOBJ_EX, the state, BUILD; copyreg._reconstructor at protocols 0 and 1), and the
// two decorator standards write the same bytes for the same models.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dumps, loads, tuple } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { expectSameBytes, hex, pythonCheck, pythonPickles } from './py.js';

type Models = typeof import('./models.js');
const MODELS = fileURLToPath(new URL('./models.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
for p in range(6):
    out[f'sample.{p}'] = pickle.dumps(m.Sample(3, 'abc', 2.0, [1, 2, 3]), protocol=p)
    out[f'sample_wide.{p}'] = pickle.dumps(m.Sample(-70000, 'h\\u00e9llo \\u2603', 0.1, [300, 70000, -1, 2**40]), protocol=p)
    out[f'sample_empty.{p}'] = pickle.dumps(m.Sample(0, '', 0.0, []), protocol=p)
    out[f'customer.{p}'] = pickle.dumps(m.Customer('Ada', 7), protocol=p)
    out[f'vip.{p}'] = pickle.dumps(m.VipCustomer('Vera', 11, 2), protocol=p)
    out[f'empty.{p}'] = pickle.dumps(m.Empty(), protocol=p)
    out[f'money.{p}'] = pickle.dumps(m.Money(5, 'GBP'), protocol=p)
    out[f'stamp.{p}'] = pickle.dumps(m.Stamp('A1', weight=2.0), protocol=p)
    root = m.Category('root')
    m.Category('kid', root)
    out[f'order.{p}'] = pickle.dumps(m.Order(1, m.Customer('Ada', 7), [m.LineItem('a', 2.0, 3), m.LineItem('b', 1.5)], ('x', 'y')), protocol=p)
    out[f'category.{p}'] = pickle.dumps(root, protocol=p)
    out[f'regressor.{p}'] = pickle.dumps(m.Regressor([1.0, 2.5], 3.0, 4, 'r'), protocol=p)
    if p >= 2:  # CPython refuses slots-only objects below protocol 2
        out[f'vec.{p}'] = pickle.dumps(m.Vec(1.0, 2.5), protocol=p)
`));
}

const set = <T extends object>(target: T, values: Partial<T>): T => Object.assign(target, values);

/** The TypeScript twins of the Python objects above. */
function twins(models: Models): Record<string, object> {
  return {
    sample: set(new models.Sample(), { count: 3, label: 'abc', ratio: 2, values: [1, 2, 3] }),
    sample_wide: set(new models.Sample(), { count: -70000, label: 'h\u00e9llo \u2603', ratio: 0.1, values: [300, 70000, -1, 2 ** 40] }),
    sample_empty: new models.Sample(),
    customer: set(new models.Customer(), { name: 'Ada', id: 7 }),
    vip: set(new models.VipCustomer(), { name: 'Vera', id: 11, level: 2 }),
    empty: new models.Empty(),
    money: set(new models.Money(), { amount: 5, currency: 'GBP' }),
    stamp: set(new models.Stamp(), { code: 'A1', weight: 2 }),
    vec: set(new models.Vec(), { x: 1, y: 2.5 }),
    order: set(new models.Order(), {
      id: 1,
      customer: set(new models.Customer(), { name: 'Ada', id: 7 }),
      items: [set(new models.LineItem(), { sku: 'a', price: 2, quantity: 3 }), set(new models.LineItem(), { sku: 'b', price: 1.5 })],
      tags: tuple('x', 'y'),
    }),
    category: (() => {
      const root = set(new models.Category(), { name: 'root' });
      root.children.push(set(new models.Category(), { name: 'kid', parent: root }));
      return root;
    })(),
    regressor: set(new models.Regressor(), { weights: [1, 2.5], bias: 3, iterations: 4, name: 'r' }),
  };
}

function ourPickles(models: Models, names: string[], protocols: number[]): Record<string, Uint8Array> {
  const values = twins(models);
  const result: Record<string, Uint8Array> = {};
  for (const p of protocols) {
    for (const name of names) result[`${name}.${p}`] = dumps(values[name], { protocol: p, registry: models.registry });
  }
  return result;
}

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: bytes equal to CPython's (${standard} decorators)`, () => {
    let models: Models;
    /** What one python3 saw in our sample, money and stamp pickles: opcodes, objects, __new__ calls. */
    let python: { ops: Record<string, string>; seen: Record<string, unknown> };
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      python = pythonCheck(ourPickles(models, ['sample', 'money', 'stamp'], PROTOCOLS), `
ops = {k: ' '.join(op.name for op, arg, pos in pickletools.genops(v)) for k, v in raw.items()}
calls = []
orig_new = m.Stamp.__new__
def spy(cls, *args, **kwargs):
    calls.append((args, kwargs))
    return orig_new(cls, *args, **kwargs)
m.Stamp.__new__ = spy
for k, v in raw.items():
    if k.startswith('stamp'):
        calls.clear()
        obj = pickle.loads(v)
        result[k] = [describe(obj), list(calls)]
m.Stamp.__new__ = orig_new
result = {'ops': ops, 'seen': result}`);
    });

    describe('7. a registered class, protocols 0–5', () => {
      it('sample.Sample (int, str, float holding 2, list of ints) matches pickle.dumps byte for byte', () => {
        expectSameBytes(ourPickles(models, ['sample'], PROTOCOLS), fromPython());
      });

      it('the same with wider values (BININT, non-ASCII str, fractional float, LONG1) and empty ones', () => {
        expectSameBytes(ourPickles(models, ['sample_wide', 'sample_empty'], PROTOCOLS), fromPython());
      });

      it('two-field and inherited classes (Customer, VipCustomer: the base class fields first)', () => {
        expectSameBytes(ourPickles(models, ['customer', 'vip'], PROTOCOLS), fromPython());
      });

      it('nested objects, a list of objects, a tuple, a cycle, renamed float fields', () => {
        // Attribute names repeat across instances here: CPython memoizes them (interned strs)
        // exactly where the pickler memoizes equal strings.
        expectSameBytes(ourPickles(models, ['order', 'category', 'regressor'], PROTOCOLS), fromPython());
      });

      it('a class without attributes: no state, no BUILD', () => {
        expectSameBytes(ourPickles(models, ['empty'], PROTOCOLS), fromPython());
      });

      it('a slots class: state (None, {slots}) at protocols 2–5', () => {
        expectSameBytes(ourPickles(models, ['vec'], [2, 3, 4, 5]), fromPython());
      });

      it('the opcodes are the expected ones (protocol 2: GLOBAL, EMPTY_TUPLE, NEWOBJ, BUILD; 4: STACK_GLOBAL)', () => {
        const dis = python.ops;
        expect(dis['sample.0']).toMatch(/^GLOBAL PUT MARK GLOBAL PUT GLOBAL PUT NONE TUPLE PUT REDUCE PUT MARK DICT PUT .* SETITEM BUILD STOP$/);
        expect(dis['sample.0']).toContain('FLOAT'); // ratio 2 is written as a float
        expect(dis['sample.2']).toMatch(/^PROTO GLOBAL BINPUT EMPTY_TUPLE NEWOBJ BINPUT EMPTY_DICT BINPUT MARK .* SETITEMS BUILD STOP$/);
        expect(dis['sample.2']).toContain('BINFLOAT');
        expect(dis['sample.4']).toMatch(/^PROTO FRAME SHORT_BINUNICODE MEMOIZE SHORT_BINUNICODE MEMOIZE STACK_GLOBAL MEMOIZE EMPTY_TUPLE NEWOBJ MEMOIZE EMPTY_DICT .* BUILD STOP$/);
      });
    });

    describe('11. __getnewargs__ and __getnewargs_ex__', () => {
      it('__getnewargs__ gives NEWOBJ with the arguments, byte for byte as CPython (protocols 0–5)', () => {
        const ours = ourPickles(models, ['money'], PROTOCOLS);
        expectSameBytes(ours, fromPython());
        const { ops } = python;
        expect(ops['money.1']).not.toContain('NEWOBJ');
        expect(ops['money.2']).toMatch(/^PROTO GLOBAL BINPUT BININT1 BINUNICODE BINPUT TUPLE2 BINPUT NEWOBJ /);
        expect(ops['money.4']).toMatch(/STACK_GLOBAL MEMOIZE BININT1 SHORT_BINUNICODE MEMOIZE TUPLE2 MEMOIZE NEWOBJ /);
      });

      it('__getnewargs_ex__ gives NEWOBJ_EX at protocols 4 and 5, byte for byte as CPython', () => {
        const ours = ourPickles(models, ['stamp'], [4, 5]);
        expectSameBytes(ours, fromPython());
        expect(python.ops['stamp.4']).toMatch(/STACK_GLOBAL MEMOIZE SHORT_BINUNICODE MEMOIZE TUPLE1 MEMOIZE EMPTY_DICT MEMOIZE SHORT_BINUNICODE MEMOIZE BINFLOAT SETITEM NEWOBJ_EX /);
        expect(python.ops['stamp.5']).toContain('NEWOBJ_EX');
      });

      it('below protocol 4 (no NEWOBJ_EX) Python reads what it writes; 0 and 1 match CPython', () => {
        expectSameBytes(ourPickles(models, ['stamp'], [0, 1]), fromPython());
        // At 2 and 3 CPython writes functools.partial(cls.__new__, ...); copyreg.__newobj_ex__ is
        // the equivalent the pickler writes instead.
        const { seen } = python;
        for (const p of PROTOCOLS) {
          const [picture, calls] = seen[`stamp.${p}`] as [unknown, unknown[]];
          expect(picture).toEqual({ class: 'bank.Stamp', attrs: { code: 'str A1', weight: 'float 2.0' } });
          // Protocols 2+ call __new__ with the arguments __getnewargs_ex__ gave; 0 and 1 use
          // copyreg._reconstructor, which calls object.__new__ directly.
          expect(calls).toEqual(p >= 2 ? [[['A1'], { weight: 2 }]] : []);
          expect(seen[`money.${p}`]).toEqual({ class: 'bank.Money', attrs: { amount: 'int 5', currency: 'str GBP' } });
        }
      });

      it('they load back into the TS classes', () => {
        const ours = ourPickles(models, ['stamp', 'money'], PROTOCOLS);
        const theirs = fromPython();
        for (const p of PROTOCOLS) {
          for (const source of [ours, theirs]) {
            const money = loads(source[`money.${p}`]!, { registry: models.registry });
            expect(money).toBeInstanceOf(models.Money);
            expect({ ...(money as object) }).toEqual({ amount: 5, currency: 'GBP' });
          }
          // At 2 and 3: see the next test (ours) and the note there (CPython's).
          if (p === 2 || p === 3) continue;
          for (const source of [ours, theirs]) {
            const stamp = loads(source[`stamp.${p}`]!, { registry: models.registry });
            expect(stamp).toBeInstanceOf(models.Stamp);
            expect({ ...(stamp as object) }).toEqual({ code: 'A1', weight: 2 });
          }
        }
      });

      it.each([2, 3])('the copyreg.__newobj_ex__ call it writes for Stamp at protocol %i loads back as a Stamp', (p) => {
        // (CPython's own protocol 2/3 form, functools.partial(getattr(Stamp, '__new__'), ...),
        // is not expected to map: it calls functions the loader does not run.)
        const ours = ourPickles(models, ['stamp'], [p]);
        const stamp = loads(ours[`stamp.${p}`]!, { registry: models.registry });
        expect(stamp).toBeInstanceOf(models.Stamp);
        expect({ ...(stamp as object) }).toEqual({ code: 'A1', weight: 2 });
      });
    });
  });
}

describe('12. both decorator standards write the same bytes', () => {
  /** One of every model, TypeScript-built, in one graph. */
  function graph(models: Models): unknown {
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
      set(new models.TupleRegressor(), { weights: [1, 2], bias: 3 }),
      set(new models.Inner(), { label: 'in' }),
      set(new models.Tokenizer(), { num_words: 9 }),
      new models.Point(1, 2),
      set(new models.Plain(), { a: 5 }),
      set(new models.Person(), { name: 'Ann', age: 41 }),
      set(new models.Settings(), { tags: ['t'], version: 3 }),
      new models.Empty(),
      ...Object.values(twins(models)),
    ];
  }

  it.each(PROTOCOLS)('legacy and tc39 models give identical pickles at protocol %i', async (p) => {
    const legacy = await importDecorated<Models>(MODELS, 'legacy');
    const tc39 = await importDecorated<Models>(MODELS, 'tc39');
    expect(legacy.Order).not.toBe(tc39.Order);
    const a = dumps(graph(legacy), { protocol: p, registry: legacy.registry });
    const b = dumps(graph(tc39), { protocol: p, registry: tc39.registry });
    expect(hex(a)).toBe(hex(b));
    // And each reads the other's: the Python names are the same.
    expect(loads(a, { registry: tc39.registry })).toEqual(loads(b, { registry: tc39.registry }));
    expect((loads(a, { registry: tc39.registry }) as unknown[])[0]).toBeInstanceOf(tc39.Order);
  });
});

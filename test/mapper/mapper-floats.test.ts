// Issue 17, item 8 for mapped classes: a Python -> TypeScript -> Python round trip of a registered
// class's instances gives back every float as a float and every int as an int, with default
// options, in every kind of model (plain __dict__, implicit fields, __slots__, a frozen slotted
// dataclass's positional state, pydantic v2), for fields declared without a type, kept extra
// state and container fields; a field typed 'int' refuses an integral float as it refuses 2.5.
import { expect, it } from 'vitest';
import { dumps, extraState, listOf, loads, mapOf, PickleError, Registry, registerClass } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { pythonCheck, pythonPickles } from './py.js';

const registry = new Registry();

class Model {
  alpha: number | null = null;
  weights: unknown[] = [];
  count = 0;
  rate = 0;
  byName = new Map<string, unknown>();
  zero: number | null = null;
}
registerClass(Model, {
  module: 'floaty', name: 'Model', registry,
  fields: { alpha: {}, weights: {}, count: {}, rate: { type: 'float' }, byName: { name: 'by_name', type: mapOf('any') }, zero: {} },
});

class Implicit {}
registerClass(Implicit, { module: 'floaty', name: 'Implicit', registry });

class Slotted {
  x: unknown = null;
  y: unknown = null;
}
registerClass(Slotted, { module: 'floaty', name: 'Slotted', registry, slots: true, fields: { x: {}, y: {} } });

class Point {
  x: number | null = null;
  n = 0;
}
registerClass(Point, { module: 'floaty', name: 'Point', registry, model: 'dataclass', slots: true, frozen: true, fields: { x: {}, n: {} } });

class Settings {
  c: number | null = null;
  n = 0;
}
registerClass(Settings, { module: 'floaty', name: 'Settings', registry, model: 'pydantic', fields: { c: {}, n: {} } });

const SAMPLES = ['model', 'implicit', 'slotted', 'point', 'settings'] as const;
const IMPORTS = 'import python_floats as f';

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
import python_floats as f
for p in range(6):
    for name, obj in f.samples().items():
        if name == 'slotted' and p < 2:
            continue
        out[f'{name}.{p}'] = pickle.dumps(obj, protocol=p)
    out[f'counter.{p}'] = pickle.dumps(f.Counter(), protocol=p)
    out[f'counter_list.{p}'] = pickle.dumps(f.Counter(2, (1.0, 2)), protocol=p)
`));
}

describeWithPython('mapper: integral floats round-trip as floats (default options)', () => {
  it('gives Python back each sample type for type, at every protocol', () => {
    const pickles = fromPython();
    const back: Record<string, Uint8Array> = {};
    for (const [key, bytes] of Object.entries(pickles)) {
      if (key.startsWith('counter')) continue;
      back[key] = dumps(loads(bytes, { registry }), { protocol: Number(key.split('.')[1]), registry });
    }
    const result = pythonCheck<Record<string, [unknown, unknown]>>(back, `
orig = f.samples()
def view(o):
    if isinstance(o, f.Settings):
        return describe(o.model_dump())
    if isinstance(o, (f.Slotted, f.Point)):
        return {s: describe(getattr(o, s)) for s in type(o).__slots__}
    return describe(o)
result = {k: [view(v), view(orig[k.split('.')[0]])] for k, v in objs.items()}`, IMPORTS);
    expect(Object.keys(result).length).toBe(SAMPLES.length * 6 - 2);
    for (const [key, [got, want]] of Object.entries(result)) expect(got, key).toEqual(want);
  });

  it('loads the floats as plain numbers, and an edited field is written as what it now holds', () => {
    const model = loads(fromPython()['model.4']!, Model, { registry });
    expect(model.alpha).toBe(1);
    expect(model.weights).toEqual([1, 2.5, 3, 4]);
    expect(model.byName).toEqual(new Map<string, unknown>([['x', 1], ['y', 2]]));
    expect(extraState(model).get('kept_aside')).toBe(0);
    model.alpha = 7; // still integral: the field was loaded as a float, so Python gets 7.0
    model.count = 5;
    model.weights[0] = 'w';
    const result = pythonCheck({ m: dumps(model, { registry }) }, `
o = objs['m']
result = {'alpha': describe(o.alpha), 'count': describe(o.count), 'weights': describe(o.weights), 'kept': describe(o.kept_aside)}`, IMPORTS);
    expect(result).toEqual({
      alpha: 'float 7.0',
      count: 'int 5',
      weights: ['str w', 'float 2.5', 'float 3.0', 'int 4'],
      kept: 'float 0.0',
    });
  });

  it("refuses an integral float in a field typed 'int', as it refuses 2.5", () => {
    class Counter {
      count = 0;
      counts: number[] = [];
    }
    const scoped = new Registry();
    registerClass(Counter, { module: 'floaty', name: 'Counter', registry: scoped, fields: { count: {}, counts: { type: listOf('int') } } });
    for (let p = 0; p <= 5; p++) {
      const error = (() => {
        try {
          loads(fromPython()[`counter.${p}`]!, { registry: scoped });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, `protocol ${p}`).toBeInstanceOf(PickleError);
      expect((error as PickleError).code).toBe('SCHEMA_MISMATCH');
      expect((error as Error).message).toMatch(/floaty\.Counter\.count.*2\.0.*float/);
      expect(() => loads(fromPython()[`counter_list.${p}`]!, { registry: scoped })).toThrow(/floaty\.Counter\.counts\[0\].*1\.0.*float/);
    }
  });
});

describeWithPython('mapper floats: TypeScript-made values', () => {
  it('writes a number as an int where nothing loaded a float, and a float field as floats', () => {
    const model = Object.assign(new Model(), { alpha: 1, rate: 2, weights: [1, 2.5] });
    const result = pythonCheck({ m: dumps(model, { registry }) }, `
o = objs['m']
result = {'alpha': describe(o.alpha), 'rate': describe(o.rate), 'weights': describe(o.weights)}`, IMPORTS);
    expect(result).toEqual({ alpha: 'int 1', rate: 'float 2.0', weights: ['int 1', 'float 2.5'] });
  });
});

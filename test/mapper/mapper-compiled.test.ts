// Mapped classes get three functions compiled for them (src/mapper/compile.ts): the instance maker
// with the class's defaults, BUILD's loop over a plain state dict, and the state dumps writes. Where compiling is not
// allowed (a Content-Security-Policy without 'unsafe-eval'), the generic loops run instead. Both
// must load every pickle to the same instances, and names that need escaping must stay names.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as compiled from '../../src/index.js';

type Library = typeof compiled;

/** A model with a field of each kind of type, an alias, a renamed field and object defaults. */
function defineModel(library: Library) {
  class Part {
    name = '';
  }
  class Sample {
    count = 0;
    ratio = 0.5;
    label = '';
    flag = false;
    raw = new Uint8Array(0);
    part: Part | null = null;
    anything: unknown = null;
    weights: number[] = [];
    tags = new Map<string, number>();
  }
  const registry = new library.Registry();
  library.registerClass(Part, { module: 'lab', name: 'Part', registry, fields: { name: { type: 'str' } } });
  library.registerClass(Sample, {
    module: 'lab',
    name: 'Sample',
    registry,
    fields: {
      count: { type: 'int' },
      ratio: { type: 'float' },
      label: { type: 'str', aliases: ['title'] },
      flag: { type: 'bool' },
      raw: { type: 'bytes' },
      part: { type: () => Part },
      anything: {},
      weights: { name: 'w', aliases: ['old_w'] },
    },
  });
  return { Sample, Part, registry };
}

/** Pickles of lab.Sample instances with these states (protocol 4), as Python's default reduction writes them. */
function pickleOf(states: unknown[]): Uint8Array {
  const { PyGlobal, PyObject, tuple } = compiled;
  return compiled.dumps(
    states.map((state) => {
      const placeholder = new PyObject(new PyGlobal('lab', 'Sample'), tuple(), 'newobj');
      placeholder.state = state;
      return placeholder;
    }),
    { protocol: 4 },
  );
}

const part = (name: unknown) => {
  const placeholder = new compiled.PyObject(new compiled.PyGlobal('lab', 'Part'), compiled.tuple(), 'newobj');
  placeholder.state = { name };
  return placeholder;
};

const STATES: unknown[] = [
  { count: 1, ratio: 2.5, label: 'a', flag: true, raw: new Uint8Array([1, 2]), part: part('p'), anything: [1], w: [0.5] },
  { ratio: 3, count: 2n ** 70n, title: 'by alias', flag: false }, // reordered, an alias, a bigint int
  { count: 7.0000001, label: 'needs no conversion?' }, // a float for an int field: a conversion error
  { count: 3, extra: 'kept aside', old_w: [1, 2] }, // an undeclared key, the old alias of a renamed field
  { label: 5 }, // an int for a str field
  { flag: 1 }, // an int for a bool field
  {},
];

/** Instances to dump: fields of every type with values that are written as they are and ones that are converted. */
function dumpCases(library: Library, model: ReturnType<typeof defineModel>): unknown[] {
  const cases: Array<Partial<InstanceType<typeof model.Sample>> & Record<string, unknown>> = [
    { count: 3, ratio: 2.5, label: 'x', flag: true, raw: new Uint8Array([7]), anything: { a: [1] }, weights: [1, 2.5] },
    { count: 2 ** 60, ratio: 3, label: '', flag: false }, // an int beyond 2^53, a whole float
    { count: -0, ratio: -0, anything: undefined }, // -0 both ways, a missing value
    { ratio: Number.NaN, count: (10n ** 30n) as unknown as number }, // a bigint in an int field
    { label: 42 as unknown as string }, // a number for a str field: an error naming the field
    { count: 1.5 }, // a fraction for an int field
  ];
  const part = new model.Part();
  part.name = 'inner';
  return cases.map((fields) => {
    const sample = Object.assign(new model.Sample(), fields);
    if (fields.count === 3) sample.part = part;
    try {
      return [...library.dumps(sample, { protocol: 4, registry: model.registry })];
    } catch (error) {
      return { error: (error as Error).message };
    }
  });
}

/** Loads each state on its own, as the instance it gives or the error message it fails with. */
function loadEach(library: Library, registry: compiled.Registry): unknown[] {
  return STATES.map((state) => {
    try {
      const [instance] = library.loads(pickleOf([state]), { registry }) as object[];
      return { instance, keys: Object.keys(instance!), extra: [...library.extraState(instance!)] };
    } catch (error) {
      return { error: (error as Error).message };
    }
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('mapper: compiled instance makers and state loops', () => {
  it('where compiling is forbidden, the generic loops load to the same instances and dump the same bytes and errors', async () => {
    vi.resetModules();
    const generic = (await import('../../src/index.js')) as Library;
    expect(generic).not.toBe(compiled);
    const model = defineModel(generic);
    const refused = vi.fn(function refuse(): never {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed");
    });
    vi.stubGlobal('Function', refused);
    const fallback = loadEach(generic, model.registry);
    const fallbackDumps = dumpCases(generic, model);
    vi.unstubAllGlobals();
    // Tried once, then never again: one policy report, not one per class or per load.
    expect(refused).toHaveBeenCalledTimes(1);
    expect(loadEach(generic, model.registry)).toEqual(fallback);

    const reference = defineModel(compiled);
    const fast = loadEach(compiled, reference.registry);
    expect(fast).toEqual(fallback);
    // The cases really differ from each other: conversions, errors, extras.
    expect(fast.filter((result) => 'error' in (result as object))).toHaveLength(3);
    expect((fast[3] as { extra: unknown[] }).extra).toEqual([['extra', 'kept aside']]);
    expect((fast[1] as { instance: { count: unknown; label: unknown } }).instance).toMatchObject({ count: 2n ** 70n, label: 'by alias' });

    const fastDumps = dumpCases(compiled, reference);
    expect(fastDumps).toEqual(fallbackDumps);
    expect(fastDumps.filter((result) => 'error' in (result as object))).toHaveLength(2);
  });

  it('made instances hold fresh copies of object defaults, in the order new Class() sets them', () => {
    const { Sample, registry } = defineModel(compiled);
    const [first, second] = compiled.loads(pickleOf([{}, {}]), { registry }) as InstanceType<typeof Sample>[];
    expect(first).toBeInstanceOf(Sample);
    expect(Object.keys(first!)).toEqual(Object.keys(new Sample()));
    expect(first!.weights).not.toBe(second!.weights);
    expect(first!.tags).not.toBe(second!.tags);
    expect(first!.ratio).toBe(0.5);
  });

  it('property and Python names that would break source code stay plain names', () => {
    const awkward = ['quote"and\\backslash', "'); throw new Error('injected'); ('", 'line\nbreak\u2028', '__defineSetter__x', '0'];
    class Odd {
      [key: string]: unknown;
      constructor() {
        for (const [i, name] of awkward.entries()) this[name] = `default ${i}`;
      }
    }
    const registry = new compiled.Registry();
    compiled.registerClass(Odd, {
      module: 'lab',
      name: 'Odd',
      registry,
      fields: Object.fromEntries(awkward.map((name, i) => [name, { name: `py ${name} ${i}`, type: 'str' as const }])),
    });
    const placeholder = new compiled.PyObject(new compiled.PyGlobal('lab', 'Odd'), compiled.tuple(), 'newobj');
    placeholder.state = Object.fromEntries(awkward.slice(1).map((name, i) => [`py ${name} ${i + 1}`, `loaded ${i + 1}`]));
    const loaded = compiled.loads(compiled.dumps(placeholder, { protocol: 4 }), { registry }) as Odd;
    expect(loaded).toBeInstanceOf(Odd);
    expect(awkward.map((name) => loaded[name])).toEqual(['default 0', 'loaded 1', 'loaded 2', 'loaded 3', 'loaded 4']);
  });

  it('compiled functions are strict, as the generic code is: stores that cannot happen throw', () => {
    // A field with only a getter: BUILD cannot store it.
    class ReadOnly {
      get x(): number {
        return 1;
      }
    }
    const registry = new compiled.Registry();
    compiled.registerClass(ReadOnly, { module: 'lab', name: 'ReadOnly', registry, fields: { x: { type: 'int' } } });
    const readOnly = new compiled.PyObject(new compiled.PyGlobal('lab', 'ReadOnly'), compiled.tuple(), 'newobj');
    readOnly.state = { x: 5 };
    expect(() => compiled.loads(compiled.dumps(readOnly, { protocol: 4 }), { registry })).toThrow(/only a getter/);

    // A default that lands on an inherited getter: making the instance cannot store it.
    class Base {
      get kind(): string {
        return 'base';
      }
    }
    class Derived extends Base {
      // @ts-expect-error a field over an accessor, which class fields define (so new Derived() works)
      kind = 'derived';
    }
    compiled.registerClass(Derived, { module: 'lab', name: 'Derived', registry, fields: {} });
    const derived = new compiled.PyObject(new compiled.PyGlobal('lab', 'Derived'), compiled.tuple(), 'newobj');
    derived.state = { other: 1 };
    expect(() => compiled.loads(compiled.dumps(derived, { protocol: 4 }), { registry })).toThrow(/only a getter/);
  });

  it('persistentId sees a float field\'s value as the PyFloat the generic code writes', () => {
    const { Sample, registry } = defineModel(compiled);
    const sample = Object.assign(new Sample(), { ratio: 2.5, count: 3 });
    const seen: unknown[] = [];
    compiled.dumps(sample, { protocol: 4, registry, persistentId: (value) => void seen.push(value) });
    expect(seen).toContainEqual(new compiled.PyFloat(2.5));
    expect(seen.filter((value) => value === 2.5)).toEqual([]);
  });
});

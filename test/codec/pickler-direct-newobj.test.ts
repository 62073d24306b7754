// Instances written by NEWOBJ with no arguments (a registered class's default reduction, and
// `newobj` placeholders) take a direct path once their class is in the memo: no program of ops
// is built. Giving a persistentId (that names nothing) sends every value the generic way, so the
// two paths can be compared byte for byte, error for error; CPython's own bytes check both.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PicklingError, PyGlobal, PyObject, Registry, registerClass, tuple } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;
const GENERIC = { persistentId: () => undefined };

class Point {
  x = 0;
  y = 0;
  label: unknown = '';
}
const registry = new Registry();
// label holds anything (a string default would make it a str field).
registerClass(Point, { module: 'shapes', name: 'Point', registry, fields: { x: {}, y: { type: 'float' }, label: { type: 'any' } } });

function point(x: number, label: unknown = `p${x}`): Point {
  const p = new Point();
  p.x = x;
  p.y = x / 2;
  p.label = label;
  return p;
}

/** One class object for all, as loading gives (the direct path looks the class up by identity). */
const BLOB = new PyGlobal('shapes', 'Blob');

function placeholder(state: unknown): PyObject {
  const object = new PyObject(BLOB, tuple(), 'newobj');
  object.state = state;
  return object;
}

/** A shapes.Point as a placeholder with this state (as loading it without a registry gives it). */
function placeholderPoint(state: Record<string, unknown>): PyObject {
  const object = new PyObject(new PyGlobal('shapes', 'Point'), tuple(), 'newobj');
  object.state = state;
  return object;
}

/** Registered instances: shared, nested, cyclic, and enough of them to cross 64 KiB frames. */
function points(): unknown[] {
  const shared = point(1);
  const cyclic = point(2);
  cyclic.label = cyclic;
  const outer = point(3, point(4, point(5)));
  const many = Array.from({ length: 3000 }, (_, i) => point(i, `label ${i} ${'x'.repeat(i % 40)}`));
  return [shared, cyclic, shared, { at: shared }, outer, many, point(6, [shared, cyclic])];
}

/** Placeholders: a shared state, None, no state at all, a tuple, a self-reference, many. */
function placeholders(): unknown[] {
  const sharedState = { k: 1 };
  const selfish = placeholder(undefined);
  selfish.state = { me: selfish };
  return [
    placeholder(sharedState),
    placeholder(sharedState),
    placeholder(null),
    placeholder(undefined),
    placeholder(tuple(null, { slot: 2 })),
    selfish,
    Array.from({ length: 3000 }, (_, i) => placeholder({ i, text: 'y'.repeat(i % 50) })),
  ];
}

function errorOf(fn: () => unknown): { message: string; path: string | undefined } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PicklingError);
    return { message: (error as PicklingError).message, path: (error as PicklingError).path };
  }
  return expect.fail('expected a PicklingError');
}

describe('NEWOBJ written directly is what the generic path writes', () => {
  it.each(PROTOCOLS)('protocol %i: registered instances', (protocol) => {
    const value = points();
    const direct = dumps(value, { protocol, registry });
    expect(Buffer.from(direct).equals(Buffer.from(dumps(value, { protocol, registry, ...GENERIC })))).toBe(true);
    const loaded = loads(direct, { registry }) as unknown[];
    expect(loaded[0]).toBeInstanceOf(Point);
    expect(loaded[2]).toBe(loaded[0]);
    expect((loaded[1] as Point).label).toBe(loaded[1]);
    expect(((loaded[4] as Point).label as Point).label).toBeInstanceOf(Point);
    expect((loaded[5] as Point[])[2999]).toEqual(point(2999, `label 2999 ${'x'.repeat(2999 % 40)}`));
  });

  it.each(PROTOCOLS)('protocol %i: placeholders', (protocol) => {
    const value = placeholders();
    const direct = dumps(value, { protocol });
    expect(Buffer.from(direct).equals(Buffer.from(dumps(value, { protocol, ...GENERIC })))).toBe(true);
    const loaded = loads(direct) as PyObject[];
    expect(loaded[1]!.state).toBe(loaded[0]!.state);
    expect(loaded[2]!.state).toBeNull();
    expect(loaded[3]!.state).toBeUndefined();
    expect((loaded[5]!.state as { me: unknown }).me).toBe(loaded[5]);
  });

  it.each([2, 4])('protocol %i: frames end at the same opcode boundaries, wherever an instance crosses 64 KiB', (protocol) => {
    // Strings before the instances put the frame's 64 KiB mark at each byte of an instance in turn.
    for (let pad = 0; pad < 60; pad++) {
      const filler = Array.from({ length: 960 }, (_, i) => `${i}:${'f'.repeat(60)}`);
      filler.push('p'.repeat(pad));
      const both = [filler, Array.from({ length: 60 }, (_, i) => point(i)), Array.from({ length: 60 }, (_, i) => placeholder(i % 2 ? { i } : null))];
      const direct = dumps(both, { protocol, registry });
      const generic = dumps(both, { protocol, registry, ...GENERIC });
      expect(Buffer.from(direct).equals(Buffer.from(generic)), `pad ${pad}`).toBe(true);
    }
  });

  it('fails with the same message and path, inside a later instance', () => {
    const bad = [point(1), point(2, Symbol('unpicklable'))];
    const direct = errorOf(() => dumps(bad, { registry }));
    expect(direct.path).toBe('value[1]<state>.label');
    expect(direct).toEqual(errorOf(() => dumps(bad, { registry, ...GENERIC })));
    const badPlaceholders = [placeholder({}), placeholder({ deep: [Symbol('unpicklable')] })];
    const placeholderError = errorOf(() => dumps(badPlaceholders));
    expect(placeholderError.path).toBe('value[1].state.deep[0]');
    expect(placeholderError).toEqual(errorOf(() => dumps(badPlaceholders, GENERIC)));
  });

  it('meets maxDepth where the generic path does, in later instances too', () => {
    // Tag's state holds only a string, so an instance fails only where its own parts sit:
    // value (0) > list (1) > list (2) > the instance's class, args and state (3 and deeper).
    class Tag {
      name = '';
    }
    const tags = new Registry();
    registerClass(Tag, { module: 'shapes', name: 'Tag', registry: tags, fields: { name: {} } });
    const tag = (name: string) => Object.assign(new Tag(), { name });
    const value = [tag('a'), [tag('b')], [[tag('c')]]];
    const run = (maxDepth: number, options: object) => {
      try {
        return Buffer.from(dumps(value, { registry: tags, maxDepth, ...options })).toString('hex');
      } catch (error) {
        return errorOf(() => {
          throw error;
        });
      }
    };
    for (const maxDepth of [1, 2, 3, 4, 5]) expect(run(maxDepth, {}), `maxDepth ${maxDepth}`).toEqual(run(maxDepth, GENERIC));
    expect(run(3, {})).toEqual({ message: 'nesting deeper than maxDepth (3) (at value[1][0]<args>)', path: 'value[1][0]<args>' });
    expect(run(4, {})).toMatchObject({ path: 'value[2][0][0]<args>' });
    expect(run(5, {})).toEqual(Buffer.from(dumps(value, { registry: tags })).toString('hex'));
  });
});

describe("a registered class's state written without its reduction", () => {
  // After the first instance, an instance of a registered class with none of the dunders has its
  // state taken alone (no reduction built). The dunders, reducerOverride and fast mode must still
  // be honoured, per instance, as the generic path honours them.
  it.each(PROTOCOLS)('protocol %i: an instance with its own __getstate__ or __getnewargs__ among plain ones', (protocol) => {
    const own = point(2);
    (own as Point & { __getstate__?: () => unknown }).__getstate__ = () => ({ x: 99, y: 0.5, label: 'own' });
    const withArgs = point(3);
    (withArgs as Point & { __getnewargs__?: () => unknown[] }).__getnewargs__ = () => [7];
    const value = [point(1), own, point(4), withArgs, point(5)];
    const direct = dumps(value, { protocol, registry });
    expect(Buffer.from(direct).equals(Buffer.from(dumps(value, { protocol, registry, ...GENERIC })))).toBe(true);
    const loaded = loads(direct, { registry }) as Point[];
    expect(loaded[1]).toEqual(Object.assign(new Point(), { x: 99, y: 0.5, label: 'own' }));
    expect(loaded[4]).toEqual(point(5));
  });

  it.each([2, 4, 5])('protocol %i: slots, implicit fields and state kept on the side go the way they went', (protocol) => {
    class Slotted {
      x = 0;
      y = 0;
    }
    class Loose {
      a = 0;
      b = '';
    }
    const kinds = new Registry();
    registerClass(Slotted, { module: 'shapes', name: 'Slotted', registry: kinds, fields: { x: {}, y: {} }, slots: ['y'] });
    registerClass(Loose, { module: 'shapes', name: 'Loose', registry: kinds, implicit: true });
    registerClass(Point, { module: 'shapes', name: 'Point', registry: kinds, fields: { x: {}, y: { type: 'float' }, label: { type: 'any' } } });
    // A Point loaded with a key it does not declare keeps it on the side, and writes it back.
    const withExtra = loads(dumps(placeholderPoint({ x: 1, y: 0.5, label: 'e', extra: [1] }), { protocol }), { registry: kinds }) as Point;
    const value = [
      Object.assign(new Slotted(), { x: 1, y: 2 }), Object.assign(new Slotted(), { x: 3, y: 4 }),
      Object.assign(new Loose(), { a: 1, b: 'one' }), Object.assign(new Loose(), { a: 2, b: 'two' }),
      point(1), withExtra, point(2),
    ];
    const direct = dumps(value, { protocol, registry: kinds });
    expect(Buffer.from(direct).equals(Buffer.from(dumps(value, { protocol, registry: kinds, ...GENERIC })))).toBe(true);
    const loaded = loads(direct, { registry: kinds }) as unknown[];
    expect(loaded[1]).toEqual(value[1]);
    expect(loaded[3]).toEqual(value[3]);
    expect(loads(dumps(loaded[5], { protocol, registry: kinds }))).toEqual(placeholderPoint({ x: 1, y: 0.5, label: 'e', extra: [1] }));
  });

  it.each([2, 4, 5])('protocol %i: reducerOverride still comes first, for every instance', (protocol) => {
    const override = (value: unknown) => (value instanceof Point && value.x === 2 ? ([new PyGlobal('builtins', 'int'), tuple(2)] as const) : undefined);
    const loaded = loads(dumps([point(1), point(2), point(3)], { protocol, registry, reducerOverride: override }), { registry }) as unknown[];
    expect(loaded[0]).toEqual(point(1));
    expect(loaded[1]).toBe(2);
    expect(loaded[2]).toEqual(point(3));
  });

  it.each([2, 4, 5])('protocol %i: fast mode writes the class for each instance, as the generic path does', (protocol) => {
    const value = [point(1), point(2), [point(3)]];
    const fast = dumps(value, { protocol, registry, fast: true });
    expect(Buffer.from(fast).equals(Buffer.from(dumps(value, { protocol, registry, fast: true, ...GENERIC })))).toBe(true);
    expect(loads(fast, { registry })).toEqual(value);
  });
});

describeWithPython('NEWOBJ written directly, against CPython', () => {
  it('instances CPython pickled load as placeholders and dump back to the same bytes', () => {
    const hexes = runPython(`
import pickle, sys, types
mod = types.ModuleType('shapes'); sys.modules['shapes'] = mod
class Blob: pass
Blob.__module__ = 'shapes'; mod.Blob = Blob
class Empty: pass
Empty.__module__ = 'shapes'; mod.Empty = Empty
shared = Blob(); shared.k = 1
selfish = Blob(); selfish.me = selfish
many = []
for i in range(3000):
    b = Blob(); b.i = i; b.text = f'{i}:' + 'y' * (i % 50); many.append(b)
value = [shared, shared, selfish, Empty(), Empty(), {'at': shared}, many]
print(' '.join(pickle.dumps(value, p).hex() for p in range(2, 6)))
`)
      .toString()
      .trim()
      .split(' ');
    hexes.forEach((hex, k) => {
      const theirs = Buffer.from(hex, 'hex');
      const loaded = loads(theirs) as PyObject[];
      expect(loaded[1]).toBe(loaded[0]);
      expect(Buffer.from(dumps(loaded, { protocol: k + 2 })).equals(theirs), `protocol ${k + 2}`).toBe(true);
    });
  });
});

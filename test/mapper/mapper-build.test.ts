// BUILD of registered classes remembers, per class, which field each position of a state dict
// named. These states vary their keys from one instance to the next within one load, so that
// what is remembered is wrong for the next instance and must not be trusted.
import { describe, expect, it } from 'vitest';
import { dumps, extraState, loads, PyGlobal, PyObject, Registry, registerClass, tuple } from '../../src/index.js';

class Reading {
  value = 0;
  unit = '';
  note = 'none';
}

function registry(): Registry {
  const registry = new Registry();
  registerClass(Reading, {
    module: 'lab',
    name: 'Reading',
    registry,
    fields: { value: { name: 'v', aliases: ['old_v'], type: 'float' }, unit: { type: 'str' }, note: {} },
  });
  return registry;
}

/** A pickle of `lab.Reading` instances with these states, as Python's default reduction writes them. */
function pickle(states: unknown[], protocol = 4): Uint8Array {
  return dumps(
    states.map((state) => {
      const placeholder = new PyObject(new PyGlobal('lab', 'Reading'), tuple(), 'newobj');
      placeholder.state = state;
      return placeholder;
    }),
    { protocol },
  );
}

describe('mapper: BUILD with state keys that change between instances', () => {
  it.each([2, 4, 5])('names, aliases, reordered and extra keys each land where they belong (protocol %i)', (p) => {
    const states = [
      { v: 1, unit: 'm', note: 'a' },
      { unit: 's', v: 2, note: 'b' }, // reordered
      { old_v: 3, unit: 'kg', note: 'c' }, // the alias where the name was
      { v: 4, extra: 'kept', unit: 'A' }, // an undeclared key where a field was
      { extra: 'again', v: 5 },
      { v: 6, unit: 'm', note: 'd' },
      { note: 'e' },
      {},
      { v: 7, old_v: 8 }, // both the name and an alias: assigned in order, so the later wins
      { old_v: 9, v: 10 },
    ];
    const loaded = loads(pickle(states, p), { registry: registry() }) as Reading[];
    expect(loaded.map((r) => [r.value, r.unit, r.note])).toEqual([
      [1, 'm', 'a'],
      [2, 's', 'b'],
      [3, 'kg', 'c'],
      [4, 'A', 'none'],
      [5, '', 'none'],
      [6, 'm', 'd'],
      [0, '', 'e'],
      [0, '', 'none'],
      [8, '', 'none'],
      [10, '', 'none'],
    ]);
    for (const r of loaded) expect(r).toBeInstanceOf(Reading);
    expect([...extraState(loaded[3]!)]).toEqual([['extra', 'kept']]);
    expect([...extraState(loaded[4]!)]).toEqual([['extra', 'again']]);
    expect(extraState(loaded[0]!).size).toBe(0);
    expect(Object.keys(loaded[3]!)).toEqual(['value', 'unit', 'note']);
  });

  it('a state with a non-string key (a Map) keeps that key as extra state, before and after plain states', () => {
    const states = [{ v: 1, unit: 'm' }, new Map<unknown, unknown>([[1, 'one'], ['v', 2], ['unit', 's']]), { v: 3, unit: 'g' }];
    const loaded = loads(pickle(states), { registry: registry() }) as Reading[];
    expect(loaded.map((r) => [r.value, r.unit])).toEqual([
      [1, 'm'],
      [2, 's'],
      [3, 'g'],
    ]);
    expect([...extraState(loaded[1]!)]).toEqual([[1, 'one']]);
  });

  it('a wrong type names the class and field, also once positions are remembered', () => {
    const reg = registry();
    expect(() => loads(pickle([{ v: 1, unit: 'm' }, { v: 2, unit: 3 }]), { registry: reg })).toThrow(/lab\.Reading\.unit.*expected str, got 3/);
    expect(() => loads(pickle([{ v: 1 }, { old_v: 'x' }]), { registry: reg })).toThrow(/lab\.Reading\.v \(property value\).*expected float/);
  });

  it('ints in a float field become numbers; bools and strings do not pass as floats', () => {
    const reg = registry();
    const [a, b] = loads(pickle([{ v: 1n << 60n }, { v: 2 }]), { registry: reg }) as Reading[];
    expect(a!.value).toBe(2 ** 60);
    expect(b!.value).toBe(2);
    expect(() => loads(pickle([{ v: true }]), { registry: reg })).toThrow(/expected float/);
  });

  it('a state key named __proto__ is kept as extra state and changes no prototype', () => {
    const [a, b] = loads(pickle([{ v: 1, ['__proto__']: { polluted: 1 } }, { ['__proto__']: 2, v: 3 }]), { registry: registry() }) as Reading[];
    expect(Object.getPrototypeOf(a)).toBe(Reading.prototype);
    expect([a!.value, b!.value]).toEqual([1, 3]);
    expect([...extraState(a!)]).toEqual([['__proto__', { polluted: 1 }]]);
    expect([...extraState(b!)]).toEqual([['__proto__', 2]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('enumerable properties inherited from Object.prototype are not state', () => {
    Object.defineProperty(Object.prototype, 'note', { value: 'polluted', enumerable: true, configurable: true, writable: true });
    try {
      const [a] = loads(pickle([{ v: 1 }]), { registry: registry() }) as Reading[];
      expect(a!.value).toBe(1);
      expect(Object.hasOwn(a!, 'note')).toBe(true);
      expect(a!.note).toBe('none');
      expect(extraState(a!).size).toBe(0);
    } finally {
      delete (Object.prototype as Record<string, unknown>).note;
    }
  });
});

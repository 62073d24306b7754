// Issue 18: field maps and state keys named `__proto__`, `constructor` and `prototype` are data
// everywhere: a pickle cannot replace an instance's prototype through a declared field (the
// compiled BUILD loop and the generic one), an undeclared key or extra state, and dumps writes
// the instance's own values under those names, never its prototype or its class.
import { describe, expect, it } from 'vitest';
import { dumps, extraState, loads, Registry, registerClass } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

/** Python: an object of class `m.<name>` whose __dict__ holds each reserved name (and `ok`), at each protocol. */
function pythonPickles(cls: string): Uint8Array[] {
  const out = runPython(`
import pickle, sys, types
m = types.ModuleType('m'); sys.modules['m'] = m
class ${cls}: pass
${cls}.__module__ = 'm'; m.${cls} = ${cls}
o = ${cls}()
o.__dict__.update({'__proto__': {'polluted': 1}, 'constructor': 2, 'prototype': [3], 'ok': 4})
print(' '.join(pickle.dumps(o, protocol=p).hex() for p in range(6)))
`);
  return out.toString().trim().split(' ').map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
}

function checkPython(pickle: Uint8Array): unknown {
  const out = runPython(`
import pickle, sys, types, json
m = types.ModuleType('m'); sys.modules['m'] = m
for name in ('Declared', 'Implicit', 'Other'):
    cls = type(name, (), {}); cls.__module__ = 'm'; setattr(m, name, cls)
o = pickle.loads(sys.stdin.buffer.read())
print(json.dumps({k: o.__dict__[k] for k in sorted(o.__dict__)}))
`, pickle);
  return JSON.parse(out.toString());
}

const EXPECTED: unknown = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2, "prototype": [3], "ok": 4}');

describeWithPython('reserved property names are data', () => {
  it('declared fields named __proto__, constructor, prototype load as own properties and dump back', () => {
    class Declared {
      ok = 0;
    }
    const registry = new Registry();
    const fields = JSON.parse('{"__proto__": {}, "constructor": {}, "prototype": {}, "ok": {}}') as Record<string, object>;
    registerClass(Declared, { module: 'm', name: 'Declared', registry, fields });
    pythonPickles('Declared').forEach((pickle, protocol) => {
      const obj = loads(pickle, { registry }) as Record<string, unknown>;
      expect(obj, `protocol ${protocol}`).toBeInstanceOf(Declared);
      expect(Object.getPrototypeOf(obj)).toBe(Declared.prototype);
      expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toEqual({ polluted: 1 });
      expect(Object.getOwnPropertyDescriptor(obj, 'constructor')?.value).toBe(2);
      expect(obj.polluted).toBeUndefined();
      expect(checkPython(dumps(obj, { protocol, registry }))).toEqual(EXPECTED);
    });
  });

  it('an implicit class and a class keeping extra state take the keys as data', () => {
    class Implicit {}
    class Other {
      ok = 0;
    }
    const registry = new Registry();
    registerClass(Implicit, { module: 'm', name: 'Implicit', registry });
    registerClass(Other, { module: 'm', name: 'Other', registry, fields: { ok: {} } });
    pythonPickles('Implicit').forEach((pickle, protocol) => {
      const obj = loads(pickle, { registry }) as Record<string, unknown>;
      expect(Object.getPrototypeOf(obj)).toBe(Implicit.prototype);
      expect(obj.polluted).toBeUndefined();
      expect(checkPython(dumps(obj, { protocol, registry }))).toEqual(EXPECTED);
    });
    pythonPickles('Other').forEach((pickle, protocol) => {
      const obj = loads(pickle, { registry }) as Other;
      expect(Object.getPrototypeOf(obj)).toBe(Other.prototype);
      expect(extraState(obj).get('__proto__')).toEqual({ polluted: 1 });
      expect(checkPython(dumps(obj, { protocol, registry }))).toEqual(EXPECTED);
    });
  });
});

describe('dumps reads only own values under reserved names', () => {
  it('a declared constructor or __proto__ field that the instance does not hold is None, not the class', () => {
    class Declared {
      ok = 1;
    }
    const registry = new Registry();
    const fields = JSON.parse('{"__proto__": {}, "constructor": {}, "ok": {}}') as Record<string, object>;
    registerClass(Declared, { module: 'm', name: 'Declared', registry, fields });
    const back = loads(dumps(new Declared(), { registry }), { registry }) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(back, 'constructor')?.value).toBeNull();
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBeNull();
    expect(Object.getPrototypeOf(back)).toBe(Declared.prototype);
  });
});

describe('defaults under reserved names', () => {
  it('a default object with an own __proto__ key is copied as data into each loaded instance', () => {
    class WithMeta {
      ok = 0;
      meta = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    }
    const registry = new Registry();
    registerClass(WithMeta, { module: 'm', name: 'WithMeta', registry, fields: { ok: {} } });
    // The state holds only ok: meta is the default a no-argument constructor sets, copied.
    const loaded = loads(dumps(Object.assign(new WithMeta(), { ok: 3 }), { registry }), { registry }) as WithMeta;
    expect(loaded.ok).toBe(3);
    expect(Object.getPrototypeOf(loaded.meta)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(loaded.meta, '__proto__')?.value).toEqual({ x: 1 });
    expect(loaded.meta).not.toBe(new WithMeta().meta);
  });
});

// Robustness properties 6 and 7, about dicts.
//   6. Prototype pollution: keys like '__proto__', 'constructor', 'prototype', 'toString' and
//      '__defineGetter__' (in plain dicts, nested dicts, instance state, keyword arguments, via
//      DICT, SETITEM, SETITEMS and BUILD, in dicts:'map' mode) never touch Object.prototype or
//      any other built-in prototype, and land as own data properties (or Map keys) holding the
//      right value.
//   7. A dict that gets a non-string key after being referenced elsewhere loads as one Map that
//      every reference points to (itself included), at every protocol.
import { describe, expect, it } from 'vitest';
import { loads, type LoadOptions, PyObject, Tuple } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { latin1 } from './util.js';

const PROTOTYPES: ReadonlyArray<[string, object]> = [
  ['Object', Object.prototype],
  ['Array', Array.prototype],
  ['Map', Map.prototype],
  ['Set', Set.prototype],
  ['Function', Function.prototype],
  ['Uint8Array', Uint8Array.prototype],
  ['Error', Error.prototype],
  ['PyObject', PyObject.prototype],
  ['Tuple', Tuple.prototype],
];

/**
 * Every own property of the built-in prototypes, flattened to (label, thing) pairs compared by
 * identity: the prototype's own prototype, and each key's value, getter, setter and flags.
 */
function snapshot(): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [name, proto] of PROTOTYPES) {
    out.push([`${name} [[Prototype]]`, Object.getPrototypeOf(proto)]);
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      const label = `${name}.${String(key)}`;
      out.push([`${label} value`, d.value], [`${label} get`, d.get], [`${label} set`, d.set]);
      out.push([`${label} flags`, `${d.writable}/${d.enumerable}/${d.configurable}`]);
    }
  }
  return out;
}

function changes(before: Array<[string, unknown]>, after: Array<[string, unknown]>): string[] {
  const previous = new Map(before);
  const current = new Map(after);
  const out: string[] = [];
  for (const [label, thing] of after) {
    if (!previous.has(label)) out.push(`added ${label}`);
    else if (!Object.is(previous.get(label), thing)) out.push(`changed ${label}`);
  }
  for (const [label] of before) if (!current.has(label)) out.push(`removed ${label}`);
  return out;
}

/** Loads `data` and checks no built-in prototype changed and nothing leaks into new objects. */
function loadCleanly(data: Uint8Array, options?: LoadOptions): unknown {
  const before = snapshot();
  const value = loads(data, options);
  expect(changes(before, snapshot())).toEqual([]);
  const fresh = {} as Record<string, unknown>;
  expect(fresh.polluted).toBeUndefined();
  expect(Object.keys(fresh)).toEqual([]);
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(fresh.toString).toBe(Object.prototype.toString);
  expect(fresh.constructor).toBe(Object);
  // eslint-disable-next-line no-proto
  expect((fresh as { __proto__?: unknown }).__proto__).toBe(Object.prototype);
  return value;
}

/** `dict` is a plain object whose own data property `key` holds something equal to `value`. */
function expectOwnData(dict: unknown, key: string, value: unknown): void {
  expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
  const descriptor = Object.getOwnPropertyDescriptor(dict, key);
  expect(descriptor, `own property ${key}`).toBeDefined();
  expect('value' in descriptor!, `${key} is a data property`).toBe(true);
  expect([descriptor!.writable, descriptor!.enumerable, descriptor!.configurable]).toEqual([true, true, true]);
  expect(descriptor!.value).toEqual(value);
}

const POLLUTER = { polluted: 1 };
const POLLUTER_MAP = new Map([['polluted', 1]]);

describe('robustness: prototype pollution through dict keys', () => {
  // Hand-built, so that each opcode path is exercised on its own (protocol 0 text keys).
  const inner = '}Vpolluted\nK\x01s'; // {'polluted': 1} via SETITEM
  const handBuilt: Array<[string, string]> = [
    ['DICT', '(V__proto__\n' + inner + 'Vconstructor\n' + inner + 'd.'],
    ['SETITEM', '}V__proto__\n' + inner + 'sVconstructor\n' + inner + 's.'],
    ['SETITEMS', '}(V__proto__\n' + inner + 'Vconstructor\n' + inner + 'u.'],
    ['SETITEMS with STRING keys', "}(S'__proto__'\n" + inner + "S'constructor'\n" + inner + 'u.'],
    ['dict() then SETITEMS', 'cbuiltins\ndict\n)R(V__proto__\n' + inner + 'Vconstructor\n' + inner + 'u.'],
  ];

  it.each(handBuilt)('%s', (_name, text) => {
    const data = latin1(text);
    const value = loadCleanly(data) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expectOwnData(value, '__proto__', POLLUTER);
    expectOwnData(value, 'constructor', POLLUTER);
    expectOwnData(value.__proto__, 'polluted', 1);

    const map = loadCleanly(data, { dicts: 'map' }) as Map<unknown, unknown>;
    expect(map).toBeInstanceOf(Map);
    expect([...map.keys()]).toEqual(['__proto__', 'constructor']);
    expect(map.get('__proto__')).toEqual(POLLUTER_MAP);
    expect(Object.getOwnPropertyNames(map)).toEqual([]);
  });

  it('every dangerous key at once, with a non-string key making the dict a Map', () => {
    const keys = ['__proto__', 'constructor', 'prototype', 'toString', '__defineGetter__', 'hasOwnProperty', 'valueOf'];
    let text = '}(';
    for (const key of keys) text += `V${key}\n` + inner;
    const value = loadCleanly(latin1(text + 'u.')) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(keys);
    for (const key of keys) expectOwnData(value, key, POLLUTER);
    const promoted = loadCleanly(latin1(text + 'K\x01K\x02u.')) as Map<unknown, unknown>;
    expect(promoted).toBeInstanceOf(Map);
    expect([...promoted.keys()]).toEqual([...keys, 1]);
    for (const key of keys) expect(promoted.get(key)).toEqual(POLLUTER);
  });

  it('instance state, merged by a second BUILD', () => {
    // NEWOBJ __main__.P; BUILD {'a': 1}; BUILD {'__proto__': {...}, 'toString': 'x'}.
    const data = latin1(
      '\x80\x02c__main__\nP\n)\x81}Va\nK\x01sb}(V__proto__\n' + inner + 'VtoString\nVx\nub.',
    );
    const obj = loadCleanly(data) as PyObject;
    expect(obj).toBeInstanceOf(PyObject);
    expect(Object.keys(obj.state as object)).toEqual(['a', '__proto__', 'toString']);
    expectOwnData(obj.state, '__proto__', POLLUTER);
    expectOwnData(obj.state, 'toString', 'x');
    expectOwnData(obj.state, 'a', 1);
  });

  it('NEWOBJ_EX keyword arguments', () => {
    const data = latin1('\x80\x04c__main__\nP\n)}(V__proto__\n' + inner + 'V__defineGetter__\nK\x02u\x92.');
    const obj = loadCleanly(data) as PyObject;
    expect(obj.creation).toBe('newobj_ex');
    expectOwnData(obj.kwargs, '__proto__', POLLUTER);
    expectOwnData(obj.kwargs, '__defineGetter__', 2);
  });

  describeWithPython('as CPython pickles them', () => {
    const script = `
import json, pickle

class Obj:
    pass

class Slots:
    __slots__ = ('__proto__', 'constructor', '__dict__')

class Kw:
    def __new__(cls, **kwargs):
        return super().__new__(cls)
    def __getnewargs_ex__(self):
        return ((), {'__proto__': {'polluted': 1}, 'toString': 'kw'})

class Sub(dict):
    pass

def polluter():
    return {'polluted': 1}

o = Obj()
o.__dict__.update({'__proto__': polluter(), 'constructor': {'prototype': polluter()},
                   'toString': 'str', '__defineGetter__': None})
s = Slots()
setattr(s, '__proto__', polluter())
s.constructor = {'prototype': polluter()}
s.toString = 'slot dict'

values = {
    'proto': {'__proto__': polluter()},
    'constructor': {'constructor': {'prototype': polluter()}},
    'prototype': {'prototype': polluter()},
    'toString': {'toString': polluter(), 'valueOf': 'x'},
    'defineGetter': {'__defineGetter__': polluter()},
    'nested': {'a': [{'__proto__': polluter()}]},
    'promoted': {'__proto__': polluter(), 1: 'x'},
    'instance': o,
    'slots': s,
    'kwargs': Kw(),
    'subclass': Sub({'__proto__': polluter()}),
}
out = {}
for name, value in values.items():
    for protocol in range(6):
        try:
            out['%s/%d' % (name, protocol)] = pickle.dumps(value, protocol=protocol).hex()
        except Exception:
            pass  # e.g. __slots__ below protocol 2
print(json.dumps(out))
`;
    const pickles = JSON.parse(runPython(script).toString()) as Record<string, string>;
    const entries = Object.entries(pickles);
    const get = (name: string) => entries.filter(([key]) => key.startsWith(`${name}/`));
    const bytesOf = (hexText: string) => Uint8Array.from(Buffer.from(hexText, 'hex'));

    it('covers every value at most protocols', () => {
      expect(entries.length).toBeGreaterThanOrEqual(60);
      for (const name of ['proto', 'constructor', 'instance', 'kwargs', 'subclass']) expect(get(name)).toHaveLength(6);
      expect(get('slots').length).toBeGreaterThanOrEqual(4);
    });

    it.each(entries)('%s', (key, hexText) => {
      const name = key.split('/')[0]!;
      const data = bytesOf(hexText);
      const value = loadCleanly(data);
      const mapped = loadCleanly(data, { dicts: 'map' });
      switch (name) {
        case 'proto':
          expectOwnData(value, '__proto__', POLLUTER);
          expect((mapped as Map<unknown, unknown>).get('__proto__')).toEqual(POLLUTER_MAP);
          break;
        case 'constructor':
          expectOwnData(value, 'constructor', { prototype: POLLUTER });
          expectOwnData((value as Record<string, unknown>).constructor, 'prototype', POLLUTER);
          break;
        case 'prototype':
          expectOwnData(value, 'prototype', POLLUTER);
          break;
        case 'toString':
          expectOwnData(value, 'toString', POLLUTER);
          expectOwnData(value, 'valueOf', 'x');
          break;
        case 'defineGetter':
          expectOwnData(value, '__defineGetter__', POLLUTER);
          expect((mapped as Map<unknown, unknown>).get('__defineGetter__')).toEqual(POLLUTER_MAP);
          break;
        case 'nested': {
          const list = (value as Record<string, unknown[]>).a!;
          expectOwnData(list[0], '__proto__', POLLUTER);
          break;
        }
        case 'promoted': {
          const map = value as Map<unknown, unknown>;
          expect(map).toBeInstanceOf(Map);
          expect([...map.keys()]).toEqual(['__proto__', 1]);
          expect(map.get('__proto__')).toEqual(POLLUTER);
          break;
        }
        case 'instance': {
          const obj = value as PyObject;
          expect(obj).toBeInstanceOf(PyObject);
          expect(Object.keys(obj.state as object)).toEqual(['__proto__', 'constructor', 'toString', '__defineGetter__']);
          expectOwnData(obj.state, '__proto__', POLLUTER);
          expectOwnData(obj.state, 'constructor', { prototype: POLLUTER });
          expectOwnData(obj.state, 'toString', 'str');
          expectOwnData(obj.state, '__defineGetter__', null);
          expect((mapped as PyObject).state).toEqual(
            new Map<string, unknown>([
              ['__proto__', POLLUTER_MAP],
              ['constructor', new Map([['prototype', POLLUTER_MAP]])],
              ['toString', 'str'],
              ['__defineGetter__', null],
            ]),
          );
          break;
        }
        case 'slots': {
          // State (dict, slots): ({'toString': ...}, {'__proto__': ..., 'constructor': ...}).
          const { dict, slots } = (value as PyObject).stateParts;
          expectOwnData(dict, 'toString', 'slot dict');
          expectOwnData(slots, '__proto__', POLLUTER);
          expectOwnData(slots, 'constructor', { prototype: POLLUTER });
          break;
        }
        case 'kwargs': {
          // NEWOBJ_EX at protocol 4 and 5; below that a functools.partial placeholder.
          const obj = value as PyObject;
          expect(obj).toBeInstanceOf(PyObject);
          if (obj.creation === 'newobj_ex') {
            expectOwnData(obj.kwargs, '__proto__', POLLUTER);
            expectOwnData(obj.kwargs, 'toString', 'kw');
          }
          break;
        }
        case 'subclass': {
          // Protocols 2+: SETITEMS on the placeholder; 0 and 1: copyreg._reconstructor(Sub, dict, {...}).
          const obj = value as PyObject;
          if (obj.creation === 'reconstructor') expectOwnData(obj.args[1], '__proto__', POLLUTER);
          else expect(obj.dictItems).toEqual([['__proto__', POLLUTER]]);
          break;
        }
        default:
          throw new Error(`unexpected case ${key}`);
      }
    });
  });
});

// ---- property 7 ------------------------------------------------------------------------------

function asMap(value: unknown): Map<unknown, unknown> {
  expect(value).toBeInstanceOf(Map);
  return value as Map<unknown, unknown>;
}

/** Checks each structure of PROMOTION_SCRIPT, loaded with `options`. */
const PROMOTION_CHECKS: Record<string, (value: unknown) => void> = {
  // d = {}; d['self'] = d; d[1] = 'one'
  self(value) {
    const m = asMap(value);
    expect([...m.keys()]).toEqual(['self', 1]);
    expect(m.get('self')).toBe(m);
    expect(m.get(1)).toBe('one');
  },
  // d = {}; lst = [d, d]; d['a'] = lst; d[2] = 'x'  (pickled: d)
  sharedList(value) {
    const m = asMap(value);
    expect([...m.keys()]).toEqual(['a', 2]);
    const lst = m.get('a') as unknown[];
    expect(lst).toHaveLength(2);
    expect(lst[0]).toBe(m);
    expect(lst[1]).toBe(m);
    expect(m.get(2)).toBe('x');
  },
  // the same, pickled: lst
  sharedListRoot(value) {
    const lst = value as unknown[];
    expect(lst).toHaveLength(2);
    expect(lst[0]).toBe(lst[1]);
    const m = asMap(lst[0]);
    expect(m.get('a')).toBe(lst);
    expect(m.get(2)).toBe('x');
  },
  // d = {'a': 0}; d[(1, 2)] = [d]
  tupleKey(value) {
    const m = asMap(value);
    const keys = [...m.keys()];
    expect(keys[0]).toBe('a');
    expect(keys[1]).toBeInstanceOf(Tuple);
    expect([...(keys[1] as Tuple)]).toEqual([1, 2]);
    expect(m.get('a')).toBe(0);
    const lst = m.get(keys[1]) as unknown[];
    expect(lst).toHaveLength(1);
    expect(lst[0]).toBe(m);
  },
  // d = {}; e = {'d': d}; d['e'] = e; d[1] = 1; e[2] = 2  (pickled: [d, e])
  mutual(value) {
    const [d, e] = value as unknown[];
    const md = asMap(d);
    const me = asMap(e);
    expect(md.get('e')).toBe(me);
    expect(me.get('d')).toBe(md);
    expect(md.get(1)).toBe(1);
    expect(me.get(2)).toBe(2);
  },
  // o = Obj(); d = {}; o.ref = d; d['o'] = o; d[3] = 3  (pickled: [o, d])
  instanceState(value) {
    const [o, d] = value as unknown[];
    const m = asMap(d);
    expect(o).toBeInstanceOf(PyObject);
    const state = (o as PyObject).state;
    const ref = state instanceof Map ? state.get('ref') : (state as Record<string, unknown>).ref;
    expect(ref).toBe(m);
    expect(m.get('o')).toBe(o);
    expect(m.get(3)).toBe(3);
  },
  // d = {}; t = (d,); d['t'] = t; d[1] = 1  (pickled: t)
  recursiveTuple(value) {
    const t = value as Tuple;
    expect(t).toBeInstanceOf(Tuple);
    expect(t).toHaveLength(1);
    const m = asMap(t[0]);
    expect(m.get('t')).toBe(t);
    expect(m.get(1)).toBe(1);
  },
};

const PROMOTION_SCRIPT = `
import json, pickle

class Obj:
    pass

def self_():
    d = {}
    d['self'] = d
    d[1] = 'one'
    return d

def shared():
    d = {}
    lst = [d, d]
    d['a'] = lst
    d[2] = 'x'
    return d, lst

def tuple_key():
    d = {'a': 0}
    d[(1, 2)] = [d]
    return d

def mutual():
    d = {}
    e = {'d': d}
    d['e'] = e
    d[1] = 1
    e[2] = 2
    return [d, e]

def instance_state():
    o = Obj()
    d = {}
    o.ref = d
    d['o'] = o
    d[3] = 3
    return [o, d]

def recursive_tuple():
    d = {}
    t = (d,)
    d['t'] = t
    d[1] = 1
    return t

values = {
    'self': self_(),
    'sharedList': shared()[0],
    'sharedListRoot': shared()[1],
    'tupleKey': tuple_key(),
    'mutual': mutual(),
    'instanceState': instance_state(),
    'recursiveTuple': recursive_tuple(),
}
print(json.dumps({name: [pickle.dumps(v, protocol=p).hex() for p in range(6)] for name, v in values.items()}))
`;

describe('robustness: dicts that gain a non-string key after being referenced', () => {
  it('a hand-built self-referencing dict (memo GET inside SETITEMS) becomes one Map', () => {
    // EMPTY_DICT, BINPUT 0, MARK, 'self', BINGET 0, 1, 'one', SETITEMS
    const data = latin1('\x80\x02}q\x00(X\x04\x00\x00\x00selfh\x00K\x01X\x03\x00\x00\x00oneu.');
    PROMOTION_CHECKS.self!(loads(data));
    PROMOTION_CHECKS.self!(loads(data, { dicts: 'map' }));
  });

  it('a hand-built dict referenced through DUP becomes one Map', () => {
    // EMPTY_DICT d, DUP, TUPLE1 → d, (d,); BINPUT 0 the tuple, POP; d[1] = 2 (d becomes a Map);
    // BINGET 0, TUPLE2 → (d, (d,)): both places must hold the same Map.
    const data = latin1('\x80\x02}2\x85q\x000K\x01K\x02sh\x00\x86.');
    const [m, inner] = loads(data) as [unknown, Tuple];
    expect([...asMap(m)]).toEqual([[1, 2]]);
    expect(inner[0]).toBe(m);
    // Two stack slots holding the same dict: EMPTY_DICT, DUP, SETITEM 1: 2, TUPLE2.
    const pair = loads(latin1('\x80\x02}2K\x01K\x02s\x86.')) as Tuple;
    expect(pair[0]).toBe(pair[1]);
    expect([...asMap(pair[0])]).toEqual([[1, 2]]);
  });

  describeWithPython('as CPython pickles them, at protocols 0-5', () => {
    const pickles = JSON.parse(runPython(PROMOTION_SCRIPT).toString()) as Record<string, string[]>;
    const cases = Object.entries(pickles).flatMap(([name, hexes]) =>
      hexes.map((hexText, protocol) => [`${name} protocol ${protocol}`, name, hexText] as const),
    );

    it('covers every structure at every protocol', () => {
      expect(Object.keys(pickles).sort()).toEqual(Object.keys(PROMOTION_CHECKS).sort());
      expect(cases).toHaveLength(Object.keys(PROMOTION_CHECKS).length * 6);
    });

    it.each(cases)('%s', (_label, name, hexText) => {
      const data = Uint8Array.from(Buffer.from(hexText, 'hex'));
      const check = PROMOTION_CHECKS[name]!;
      check(loads(data));
      check(loads(data, { dicts: 'map' }));
    });
  });
});

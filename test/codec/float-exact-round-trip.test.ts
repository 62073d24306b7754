// Integral floats (2.0) load as plain numbers, and with default options a Python -> TypeScript ->
// Python round trip still gives back every float as a float and every int as an int: the
// container that held a float records it (src/values/float-marks.ts). Every case below is made
// by CPython at every protocol, loaded and dumped here with default options, and compared in
// CPython type for type (test/interop/compare_graphs.py).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { dumps, fromJson, loads, pformat, PyFloat, pyRepr, registerNamedTuple, Registry, toJson } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const INTEROP = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop');
const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

/** The Python side: each case's value, built fresh by `make()`. Classes live in module `floatcases`. */
const CASES_PY = String.raw`
import collections, pickle, sys, types
sys.dont_write_bytecode = True
sys.path.insert(0, ${JSON.stringify(INTEROP)})
mod = types.ModuleType('floatcases')
sys.modules['floatcases'] = mod

def place(cls):
    cls.__module__ = 'floatcases'
    setattr(mod, cls.__name__, cls)
    return cls

@place
class Plain:
    def __init__(self):
        self.price = 10.0
        self.count = 3
        self.ratio = 0.5
        self.weights = [1.0, 2, 0.0]

@place
class Slotted:
    __slots__ = ('x', 'y')
    def __init__(self):
        self.x = 1.0
        self.y = 2

@place
class FloatState:
    def __getstate__(self):
        return 4.0
    def __setstate__(self, state):
        self.state = state
    def __eq__(self, other):
        return type(other) is FloatState and other.state == self.state and type(other.state) is type(self.state)

@place
class Reduced:
    def __init__(self, a, b):
        self.a, self.b = a, b
    def __reduce__(self):
        return (Reduced, (self.a, self.b))

@place
class FloatList(list):
    pass

@place
class FloatDict(dict):
    pass

Point = place(collections.namedtuple('Point', ['x', 'y']))

def recursive_tuple():
    # CPython writes a recursive tuple's items, then POPs them and fetches the tuple: the slot
    # that held 1.0 is reused by the int 1 after it.
    inner = []
    t = (inner, 1.0)
    inner.append(t)
    return [t, 1, 1.0]

def cases():
    fs = FloatState(); fs.state = 4.0
    return {
        'scalars in a list': [0.0, -0.0, 1.0, 1, 2.5, 2, float(2**53), 2**53, 1e300, True, None],
        'long list (batches)': [float(i) if i % 3 else i for i in range(2500)],
        'list of floats only': [float(i) for i in range(3000)],
        'tuples': [(1.0,), (1.0, 2), (1, 2.0, 3), (1.0, 2, 3.0, 4)],
        'dict values': {'a': 1.0, 'b': 1, 'c': [2.0], 'd': {'e': 3.0}},
        'dict with float keys': {1.0: 'one', 2: 'two', 3.0: 3.0},
        'negative zero keys': [{-0.0: 'z', 1: 'o'}, {-0.0, 2}, frozenset({-0.0}), [-0.0, 0.0, 0]],
        'sets': [{1.0, 2}, frozenset({3.0, 4}), set(), {0.0}],
        'nested': {'rows': [{'id': i, 'price': float(i), 'tags': (1.0, 'x')} for i in range(50)]},
        'shared list': (lambda l: [l, l, {'k': l}])([1.0, 2]),
        'OrderedDict': collections.OrderedDict([('a', 1.0), ('b', 2)]),
        'defaultdict': collections.defaultdict(float, {'x': 3.0, 'y': 2}),
        'Counter': collections.Counter({'a': 2.0, 'b': 3}),
        'deque': collections.deque([1.0, 2, 3.0]),
        'deque maxlen': collections.deque([1.0, 2, 3.0, 4], maxlen=3),
        'namedtuple': [Point(1.0, 2), Point(3, 4.0)],
        'instance': Plain(),
        'slots': Slotted(),
        'bare float state': fs,
        'reduce arguments': Reduced(1.0, 2),
        'list subclass': FloatList([1.0, 2]),
        'dict subclass': FloatDict(a=1.0, b=2),
        'recursive tuple': recursive_tuple(),
    }

if __name__ == '__main__':
    import base64, json
    out = {}
    for name, value in cases().items():
        out[name] = {str(p): base64.b64encode(pickle.dumps(value, protocol=p)).decode() for p in range(6)
                     if not (p < 2 and name == 'slots')}
    print(json.dumps(out))
`;

/** Loads each of our pickles in CPython and compares it with the case, type for type. */
const CHECK_PY = `${CASES_PY.replace("if __name__ == '__main__':", 'if False:')}
import base64, json
from compare_graphs import compare
expected = cases()
result = {}
for name, pickles in json.load(sys.stdin).items():
    for protocol, data in pickles.items():
        try:
            diff = compare(expected[name], pickle.loads(base64.b64decode(data)))
        except Exception as exc:
            diff = f'{type(exc).__name__}: {exc}'
        result[f'{name} p{protocol}'] = diff
print(json.dumps(result))
`;

const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const toBase64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');

describeWithPython('integral floats come back as floats, ints as ints, with default options', () => {
  let results: Record<string, string | null> = {};
  let pickles: Record<string, Record<string, string>> = {};

  beforeAll(() => {
    pickles = JSON.parse(runPython(CASES_PY).toString('utf8')) as Record<string, Record<string, string>>;
    const ours: Record<string, Record<string, string>> = {};
    for (const [name, byProtocol] of Object.entries(pickles)) {
      ours[name] = {};
      for (const [protocol, data] of Object.entries(byProtocol)) {
        ours[name][protocol] = toBase64(dumps(loads(fromBase64(data)), { protocol: Number(protocol) }));
      }
    }
    results = JSON.parse(runPython(CHECK_PY, JSON.stringify(ours)).toString('utf8')) as Record<string, string | null>;
  }, 60_000);

  it('checked every case at every protocol', () => {
    expect(Object.keys(pickles).length).toBeGreaterThanOrEqual(23);
    expect(Object.keys(results).length).toBe(Object.values(pickles).reduce((n, p) => n + Object.keys(p).length, 0));
  });

  it.each(PROTOCOLS)('every case is type-exact at protocol %i', (protocol) => {
    const wrong = Object.entries(results).filter(([key, diff]) => key.endsWith(` p${protocol}`) && diff !== null);
    expect(wrong).toEqual([]);
  });

  it('integral floats load as plain numbers', () => {
    const list = loads(fromBase64(pickles['scalars in a list']!['4']!)) as unknown[];
    expect(list.slice(0, 6)).toEqual([0, -0, 1, 1, 2.5, 2]);
    expect(typeof list[2]).toBe('number');
    const dict = loads(fromBase64(pickles['dict values']!['2']!)) as Record<string, unknown>;
    expect(dict).toEqual({ a: 1, b: 1, c: [2], d: { e: 3 } });
  });

  it('pyRepr and pformat print them as floats, as Python does', () => {
    const value = loads(fromBase64(pickles['dict values']!['4']!));
    expect(pyRepr(value)).toBe("{'a': 1.0, 'b': 1, 'c': [2.0], 'd': {'e': 3.0}}");
    expect(pformat(loads(fromBase64(pickles['sets']!['4']!)))).toBe('[{1.0, 2}, frozenset({3.0, 4}), set(), {0.0}]');
    expect(pyRepr(loads(fromBase64(pickles['defaultdict']!['2']!)))).toBe("defaultdict(<class 'float'>, {'x': 3.0, 'y': 2})");
  });

  it('the JSON mapping keeps them: fromJson(toJson(value)) dumps the same floats', () => {
    for (const name of ['dict values', 'dict with float keys', 'tuples', 'sets', 'instance', 'reduce arguments']) {
      const original = fromBase64(pickles[name]!['4']!);
      const value = loads(original);
      expect(dumps(fromJson(toJson(value)), { protocol: 4 }), name).toEqual(dumps(value, { protocol: 4 }));
    }
    expect(toJson(loads(fromBase64(pickles['dict values']!['4']!)))).toBe('{"a":1.0,"b":1,"c":[2.0],"d":{"e":3.0}}');
    expect(fromJson('[2.0, 2]', { keepFloatType: true })).toEqual([new PyFloat(2), 2]);
    expect(fromJson('2.0')).toBe(2);
  });

  it('the check is not vacuous: the same values without their records come back as ints', () => {
    const list = loads(fromBase64(pickles['scalars in a list']!['4']!)) as unknown[];
    const copy = [...list]; // a copy carries no record of which numbers were floats
    const back = runPython(
      'import pickle, sys; print([type(x).__name__ for x in pickle.loads(sys.stdin.buffer.read())[:4]])',
      dumps(copy),
    ).toString('utf8');
    expect(back.trim()).toBe("['int', 'float', 'int', 'int']");
  });
});

describeWithPython('the record of loaded floats', () => {
  // [1.0, 2, {'k': 3.0}] at protocol 2, as CPython writes it.
  const data = fromBase64('gAJdcQAoRz/wAAAAAAAASwJ9cQFYAQAAAGtxAkdACAAAAAAAAHNlLg==');
  const kinds = (bytes: Uint8Array): string =>
    runPython('import pickle, sys; v = pickle.loads(sys.stdin.buffer.read()); print(type(v[0]).__name__, type(v[1]).__name__, type(v[2]["k"]).__name__, len(v))', bytes)
      .toString('utf8')
      .trim();

  it('is invisible: no key, symbol or enumerable property, and equal to plain values', () => {
    const value = loads(data) as [number, number, Record<string, number>];
    expect(value).toEqual([1, 2, { k: 3 }]);
    expect(Object.getOwnPropertySymbols(value)).toEqual([]);
    expect(Object.getOwnPropertyNames(value[2])).toEqual(['k']);
    expect(JSON.stringify(value)).toBe('[1,2,{"k":3}]');
  });

  it('types the position or key, while it holds an integral number', () => {
    const value = loads(data) as [number, number, Record<string, number>];
    value[0] = 7; // still an integral number in a float position
    value[2]!.k = 4;
    value.push(5); // a new position: an int
    expect(kinds(dumps(value))).toBe('float int float 4');
    value[0] = 7.5;
    value[2]!.k = 'text' as unknown as number;
    expect(kinds(dumps(value))).toBe('float int str 4');
  });

  it('a structured copy carries none of it', () => {
    const value = loads(data) as [number, number, Record<string, number>];
    expect(kinds(dumps(structuredClone(value)))).toBe('int int int 3');
  });

  it('keepFloatType still gives PyFloat', () => {
    const value = loads(data, { keepFloatType: true }) as unknown[];
    expect(value[0]).toBeInstanceOf(PyFloat);
    expect(value[1]).toBe(2);
  });

  it('a float at the top level loads as a number and is written as an int (nothing holds it)', () => {
    // pickle.dumps(2.0, protocol=2)
    const two = loads(fromBase64('gAJHQAAAAAAAAAAu'));
    expect(two).toBe(2);
    expect(kinds(dumps([two, two, { k: two }]))).toBe('int int int 3');
  });

  it('a float fetched from the memo is a float wherever it lands', () => {
    // PROTO 4, EMPTY_LIST, MARK, BINFLOAT 1.0, MEMOIZE, BINGET 0 ... APPENDS, STOP: [1.0, 1.0, 1.0]
    const bytes = Uint8Array.from([
      0x80, 4, 0x5d, 0x28, 0x47, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x94, 0x68, 0, 0x68, 0, 0x65, 0x2e,
    ]);
    const list = loads(bytes) as unknown[];
    expect(list).toEqual([1, 1, 1]);
    expect(runPython('import pickle, sys; print([type(x).__name__ for x in pickle.loads(sys.stdin.buffer.read())])', dumps(list)).toString().trim())
      .toBe("['float', 'float', 'float']");
  });

  it('a registered namedtuple keeps the floats of its untyped fields', () => {
    class Point {
      constructor(readonly x: unknown, readonly y: unknown) {}
    }
    const registry = new Registry();
    registerNamedTuple(Point, { module: 'floatcases', name: 'Point', fields: ['x', 'y'], registry });
    const pickled = runPython(`${CASES_PY.replace("if __name__ == '__main__':", 'if False:')}
sys.stdout.buffer.write(pickle.dumps(Point(1.0, 2), protocol=2))`);
    const point = loads(new Uint8Array(pickled), { registry }) as Point;
    expect(point).toBeInstanceOf(Point);
    expect(point.x).toBe(1);
    const back = runPython(`${CASES_PY.replace("if __name__ == '__main__':", 'if False:')}
p = pickle.loads(sys.stdin.buffer.read()); print(type(p).__name__, type(p.x).__name__, type(p.y).__name__)`, dumps(point, { registry }));
    expect(back.toString().trim()).toBe('Point float int');
  });
});

// Map keys and Set members that Python could not build a dict or set from: one it cannot hash
// (Python could not load the pickle at all), or two that JavaScript keeps apart and Python finds
// equal (Python would keep one entry for both). dumps refuses both with a PicklingError whose
// path names the member. Against a live python3:
//  - every refused value, written without the check (the same entries through a `dict()` /
//    `set()` call, which builds them as a dict or set literal does), really fails to load in
//    Python or loads with fewer entries than the Map or Set has;
//  - every accepted value loads in Python to a dict or set equal to the one expected, with as
//    many entries;
//  - dicts and sets Python wrote, loaded with the default `dicts: 'auto'`, dump back equal.
import { describe, expect, it } from 'vitest';
import {
  dumps,
  loads,
  NdArray,
  NumpyScalar,
  PickleBuffer,
  PicklingError,
  PyByteArray,
  PyComplex,
  PyDate,
  PyDatetime,
  PyDecimal,
  PyFloat,
  PyFraction,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  PyOrderedDict,
  PyRange,
  PySlice,
  PyTimedelta,
  PyTimezone,
  PyUUID,
  Registry,
  registerClass,
  tuple,
  type DumpOptions,
} from '../../src/index.js';
import { PyCounter, PyDefaultDict, PyDeque } from '../../src/values/collections.js';
import { registerNamedTuple } from '../../src/standard/namedtuple.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

function picklingError(run: () => unknown): PicklingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PicklingError);
    return error as PicklingError;
  }
  throw new Error('expected a PicklingError');
}

/** A class registered (in a scoped registry) as Python's fractions.Fraction, for class keys. */
class FractionClass {}
/** A namedtuple Python has: urllib.parse.DefragResult(url, fragment). */
class Defrag {
  constructor(
    readonly url: string,
    readonly fragment: string,
  ) {}
}
const registry = new Registry();
registerClass(FractionClass, { module: 'fractions', name: 'Fraction', registry });
registerNamedTuple(Defrag, { module: 'urllib.parse', name: 'DefragResult', fields: ['url', 'fragment'], registry });
const OPTIONS: DumpOptions = { registry };

const utcPlus1 = new PyTimezone(new PyTimedelta(0, 3600));

/** Values dumps refuses, with the member the error names and what it says. */
const REFUSED: Array<{ name: string; value: Map<unknown, unknown> | Set<unknown>; path: string; message: RegExp }> = [
  // Python cannot hash these.
  { name: 'a plain-object key', value: new Map([[{ a: 1 }, 'v']]), path: 'value.keys()[0]', message: /^unhashable type: 'dict': a dict key must be hashable in Python, and this one is a dict/ },
  { name: 'an array key', value: new Map<unknown, string>([['ok', 'a'], [[1, 2], 'v']]), path: 'value.keys()[1]', message: /^unhashable type: 'list': .*tuple\(\.\.\.items\)/ },
  { name: 'a Map key', value: new Map([[new Map([[1, 2]]), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'dict'/ },
  { name: 'a Set key', value: new Map([[new Set([1]), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'set'.*PyFrozenSet/ },
  { name: 'a bytearray key', value: new Map([[PyByteArray.fromBytes([1]), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'bytearray'/ },
  { name: 'a tuple key holding a list', value: new Map([[tuple(1, tuple('a', [2])), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'list': .*holds a list \(a JavaScript array\) at \[1\]\[1\]/ },
  { name: 'an OrderedDict key', value: new Map([[new PyOrderedDict([[1, 2]]), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'collections.OrderedDict'/ },
  { name: 'an ndarray key', value: new Map([[NdArray.from(new Float64Array([1])), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'numpy.ndarray'/ },
  { name: 'a slice key', value: new Map([[new PySlice(1, 2), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'slice'/ },
  { name: "a signaling NaN Decimal key", value: new Map([[new PyDecimal('sNaN'), 'v']]), path: 'value.keys()[0]', message: /unhashable type: 'decimal.Decimal'/ },
  { name: 'an array member', value: new Set([1, [1]]), path: 'value<set item 1>', message: /^unhashable type: 'list': a set member must be hashable in Python/ },
  { name: 'a deque member', value: new Set([PyDeque.from([1])]), path: 'value<set item 0>', message: /unhashable type: 'collections.deque'/ },
  { name: 'a plain-object member', value: new Set([{}]), path: 'value<set item 0>', message: /unhashable type: 'dict'/ },
  // JavaScript keeps these apart; Python finds them equal.
  { name: '1 and true', value: new Map<unknown, string>([[1, 'a'], [true, 'b']]), path: 'value.keys()[1]', message: /^dict keys \.keys\(\)\[0\] and \.keys\(\)\[1\] are one key in Python \(1 == True\): the dict Python loads would keep one entry for both \(at/ },
  { name: '0 and false', value: new Map<unknown, string>([[false, 'a'], [0, 'b']]), path: 'value.keys()[1]', message: /False == 0/ },
  { name: '-0 and false', value: new Map<unknown, string>([[-0.5, 'x'], [false, 'a'], [-0, 'b']]), path: 'value.keys()[2]', message: /one key in Python/ },
  { name: '1 and 1n', value: new Map<unknown, string>([[1, 'a'], [1n, 'b']]), path: 'value.keys()[1]', message: /1 == 1\)/ },
  { name: '2^53 (a float) and 2n ** 53n', value: new Map<unknown, string>([[2 ** 53, 'a'], [2n ** 53n, 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: '1 and pyFloat(1)', value: new Map<unknown, string>([[1, 'a'], [new PyFloat(1), 'b']]), path: 'value.keys()[1]', message: /1 == 1\.0/ },
  { name: 'null and undefined', value: new Map<unknown, string>([[null, 'a'], [undefined, 'b']]), path: 'value.keys()[1]', message: /None == None/ },
  { name: 'two equal tuples', value: new Map([[tuple(1, 2), 'a'], [tuple(1, 2), 'b']]), path: 'value.keys()[1]', message: /\(1, 2\) == \(1, 2\)/ },
  { name: 'equal tuples of equal numbers', value: new Map<unknown, string>([[tuple(1, tuple(true, 'a')), 'a'], [tuple(true, tuple(1n, 'a')), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'equal bytes', value: new Map([[Uint8Array.of(1, 2), 'a'], [Uint8Array.of(1, 2), 'b']]), path: 'value.keys()[1]', message: /b'\\x01\\x02' == b'\\x01\\x02'/ },
  { name: 'read-only PickleBuffer and bytes', value: new Map<unknown, string>([[Uint8Array.of(7), 'a'], [new PickleBuffer(Uint8Array.of(7)), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'one global twice', value: new Map([[new PyGlobal('fractions', 'Fraction'), 'a'], [new PyGlobal('fractions', 'Fraction'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'a registered class and its global', value: new Map<unknown, string>([[FractionClass, 'a'], [new PyGlobal('fractions', 'Fraction'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'equal frozensets', value: new Map([[new PyFrozenSet([1, 2]), 'a'], [new PyFrozenSet([2, true]), 'b']]), path: 'value.keys()[1]', message: /frozenset\(\{1, 2\}\) == frozenset\(\{2, True\}\)/ },
  { name: 'Decimal and int', value: new Map<unknown, string>([[new PyDecimal('1.0'), 'a'], [1, 'b']]), path: 'value.keys()[1]', message: /Decimal\('1\.0'\) == 1/ },
  { name: 'Decimal and float', value: new Map<unknown, string>([[0.5, 'a'], [new PyDecimal('0.500'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'Fraction and float', value: new Map<unknown, string>([[new PyFraction(3, 4), 'a'], [0.75, 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'Fraction and Decimal', value: new Map<unknown, string>([[new PyFraction(1, 8), 'a'], [new PyDecimal('0.125'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'complex and int', value: new Map<unknown, string>([[new PyComplex(2, 0), 'a'], [2, 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'numpy float64 and int', value: new Map<unknown, string>([[new NumpyScalar('float64', 3), 'a'], [3, 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'numpy str_ and str', value: new Map<unknown, string>([[new NumpyScalar('U1', 'x'), 'a'], ['x', 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'one instant in two timezones', value: new Map([[new PyDatetime(2024, 1, 1, 12, 0, 0, 0, PyTimezone.utc), 'a'], [new PyDatetime(2024, 1, 1, 13, 0, 0, 0, utcPlus1), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'naive datetimes differing in fold', value: new Map([[new PyDatetime(2024, 1, 1), 'a'], [new PyDatetime(2024, 1, 1, 0, 0, 0, 0, null, 1), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'equal dates', value: new Map([[new PyDate(2024, 2, 29), 'a'], [new PyDate(2024, 2, 29), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'equal timedeltas', value: new Map([[PyTimedelta.of({ hours: 1 }), 'a'], [new PyTimedelta(0, 3600), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'timezones differing in name only', value: new Map([[new PyTimezone(new PyTimedelta(0, 60), 'A'), 'a'], [new PyTimezone(new PyTimedelta(0, 60), 'B'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'equal UUIDs', value: new Map([[new PyUUID('12345678123456781234567812345678'), 'a'], [new PyUUID('{12345678-1234-5678-1234-567812345678}'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'equal ranges', value: new Map([[new PyRange(0), 'a'], [new PyRange(5, 5), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: 'a namedtuple and the tuple of its fields', value: new Map<unknown, string>([[new Defrag('u', 'f'), 'a'], [tuple('u', 'f'), 'b']]), path: 'value.keys()[1]', message: /one key/ },
  { name: '1 and true in a Set', value: new Set<unknown>([1, 'x', true]), path: 'value<set item 2>', message: /^set members <set item 0> and <set item 2> are one member in Python \(1 == True\): Python's set would keep one of them \(at/ },
  { name: 'equal tuples in a Set', value: new Set([tuple('a'), tuple('a')]), path: 'value<set item 1>', message: /one member/ },
  { name: '1 and true in a frozenset', value: new PyFrozenSet<unknown>([1, true]), path: 'value<frozenset item 1>', message: /^frozenset members .* are one member in Python/ },
];

/** Values dumps accepts, with the Python value each must load as. */
const ACCEPTED: Array<{ name: string; value: Map<unknown, unknown> | Set<unknown>; python: string }> = [
  { name: 'str, int, float, bigint keys', value: new Map<unknown, string>([['1', 'a'], [1, 'b'], [1.5, 'c'], [2n ** 70n, 'd'], [-0.5, 'e']]), python: "{'1': 'a', 1: 'b', 1.5: 'c', 2**70: 'd', -0.5: 'e'}" },
  { name: 'None, bool and str keys', value: new Map<unknown, string>([[null, 'a'], [true, 'b'], ['True', 'c'], [false, 'd']]), python: "{None: 'a', True: 'b', 'True': 'c', False: 'd'}" },
  { name: 'tuples differing in an item', value: new Map([[tuple(1, 2), 'a'], [tuple(1, '2'), 'b'], [tuple(1, 2, 3), 'c'], [tuple(), 'd']]), python: "{(1, 2): 'a', (1, '2'): 'b', (1, 2, 3): 'c', (): 'd'}" },
  { name: 'bytes and str keys', value: new Map<unknown, string>([[Uint8Array.of(97), 'a'], ['a', 'b'], [Uint8Array.of(98), 'c']]), python: "{b'a': 'a', 'a': 'b', b'b': 'c'}" },
  { name: 'frozensets and globals', value: new Map<unknown, string>([[new PyFrozenSet([1]), 'a'], [new PyFrozenSet(['1']), 'b'], [new PyGlobal('fractions', 'Fraction'), 'c'], [new PyGlobal('decimal', 'Decimal'), 'd']]), python: "{frozenset({1}): 'a', frozenset({'1'}): 'b', __import__('fractions').Fraction: 'c', __import__('decimal').Decimal: 'd'}" },
  { name: 'a registered class key', value: new Map<unknown, string>([[FractionClass, 'a'], ['Fraction', 'b']]), python: "{__import__('fractions').Fraction: 'a', 'Fraction': 'b'}" },
  { name: 'numbers of every kind that differ', value: new Map<unknown, string>([[new PyDecimal('0.1'), 'a'], [0.1, 'b'], [new PyFraction(1, 3), 'c'], [new PyComplex(1, 1), 'd'], [1, 'e']]), python: "{__import__('decimal').Decimal('0.1'): 'a', 0.1: 'b', __import__('fractions').Fraction(1, 3): 'c', 1+1j: 'd', 1: 'e'}" },
  { name: 'datetimes that differ', value: new Map<unknown, string>([[new PyDatetime(2024, 1, 1, 12), 'naive'], [new PyDatetime(2024, 1, 1, 12, 0, 0, 0, PyTimezone.utc), 'aware'], [new PyDate(2024, 1, 1), 'date']]), python: "{__import__('datetime').datetime(2024, 1, 1, 12): 'naive', __import__('datetime').datetime(2024, 1, 1, 12, tzinfo=__import__('datetime').timezone.utc): 'aware', __import__('datetime').date(2024, 1, 1): 'date'}" },
  { name: 'a namedtuple and another tuple', value: new Map<unknown, string>([[new Defrag('u', 'f'), 'a'], [tuple('u', 'g'), 'b']]), python: "{('u', 'f'): 'a', ('u', 'g'): 'b'}" },
  { name: 'a Set of distinct members', value: new Set<unknown>([1, '1', tuple(1, 2), 2.5, null, Uint8Array.of(1)]), python: "{1, '1', (1, 2), 2.5, None, b'\\x01'}" },
  { name: 'a frozenset of distinct members', value: new PyFrozenSet<unknown>([1, 'a', tuple()]), python: "frozenset({1, 'a', ()})" },
  { name: 'a Counter of non-string keys', value: new PyCounter<unknown, number>([[1, 2], [tuple(1), 3]]), python: "__import__('collections').Counter({1: 2, (1,): 3})" },
];

/** The same entries written without the check: `dict()` + SETITEMS, `set(list)`, `frozenset(list)`. */
function unchecked(value: Map<unknown, unknown> | Set<unknown>): PyObject {
  if (value instanceof Map) {
    const dict = new PyObject(new PyGlobal('builtins', 'dict'), tuple(), 'reduce');
    dict.dictItems = [...value];
    return dict;
  }
  const cls = value instanceof PyFrozenSet ? 'frozenset' : 'set';
  return new PyObject(new PyGlobal('builtins', cls), tuple([...value]), 'reduce');
}

describe('dumps refuses Map keys and Set members that Python could not keep', () => {
  it.each(REFUSED)('$name', ({ value, path, message }) => {
    const error = picklingError(() => dumps(value, OPTIONS));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message.endsWith(`(at ${path})`)).toBe(true);
  });

  it('names the member by its path wherever the Map or Set sits, at every protocol', () => {
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      expect(picklingError(() => dumps({ a: [new Map<unknown, number>([[1, 1], [true, 2]])] }, { protocol })).path).toBe('value.a[0].keys()[1]');
      expect(picklingError(() => dumps({ s: new Set([[1]]) }, { protocol })).path).toBe('value.s<set item 0>');
      expect(picklingError(() => dumps(tuple(new PyFrozenSet([tuple(1), tuple(1n)])), { protocol })).path).toBe('value[0]<frozenset item 1>');
      // OrderedDict and defaultdict are written by their reductions, their entries as dict items.
      expect(picklingError(() => dumps(new PyOrderedDict<unknown, number>([[1, 1], [true, 2]]), { protocol })).path).toBe('value<dict items>[1][0]');
      expect(picklingError(() => dumps(new PyDefaultDict(null, [[[1], 1]]), { protocol })).message).toMatch(/unhashable type: 'list'/);
      // A Map as a registered instance's state, and the Counter's dict argument.
      expect(picklingError(() => dumps(new PyCounter<unknown, number>([[0, 1], [false, 2]]), { protocol })).path).toBe('value<args>[0].keys()[1]');
    }
  });

  it('refuses a frozenset key holding an unhashable member', () => {
    const error = picklingError(() => dumps(new Map([[new PyFrozenSet([[1]]), 'v']])));
    expect(error.message).toMatch(/holds a list \(a JavaScript array\) at <frozenset member 0>/);
  });

  it('refuses a tuple key that contains itself instead of looping', () => {
    const self = tuple<unknown>(1);
    self.push(self);
    expect(picklingError(() => dumps(new Map([[self, 'v']]))).message).toMatch(/unhashable type: 'tuple \(containing itself\)'/);
  });

  it("uses a handler's hashAs, and compares other instances by identity", () => {
    class Sku {
      constructor(readonly code: string) {}
    }
    const scoped = new Registry();
    registerClass(Sku, { module: 'shop', name: 'Sku', registry: scoped });
    // Two instances of a registered class without hashAs: Python's default equality is identity.
    expect(() => dumps(new Set([new Sku('a'), new Sku('a')]), { registry: scoped })).not.toThrow();
    // One that declares value equality.
    const handler = scoped.handlerForClass(Sku)!;
    scoped.register({ ...handler, hashAs: (sku: Sku) => tuple('shop.Sku', sku.code) } as typeof handler);
    expect(picklingError(() => dumps(new Set([new Sku('a'), new Sku('a')]), { registry: scoped })).path).toBe('value<set item 1>');
    // Placeholders of classes nobody registered: identity too (documented).
    const a = new PyObject(new PyGlobal('m', 'C'), tuple(), 'newobj');
    const b = new PyObject(new PyGlobal('m', 'C'), tuple(), 'newobj');
    expect(() => dumps(new Set([a, b]))).not.toThrow();
  });

  it('keeps distinct NaNs apart: a number NaN and a PyFloat NaN are two Python floats', () => {
    expect(() => dumps(new Set<unknown>([NaN, new PyFloat(NaN), tuple(NaN), tuple(NaN)]))).not.toThrow();
  });
});

describe('dumps does not look at Maps and Sets of strings and numbers', () => {
  it('writes them as before, byte for byte', () => {
    // A Map of strings and numbers is written exactly as the same dict from a plain object.
    const map = new Map<unknown, unknown>([['a', 1], ['b', [2]]]);
    expect(hex(dumps(map))).toBe(hex(dumps({ a: 1, b: [2] })));
    expect(() => dumps(new Set<unknown>([1, 1.5, -0, NaN, 'x']))).not.toThrow();
  });
});

describe('loads keeps every NaN key of a dict and member of a set', () => {
  it('gives the second NaN a PyFloat of its own, which dumps writes back as a float', () => {
    // {nan: 1, nan: 2} with two NaN float objects, as Python can hold it: two BINFLOATs.
    const nan = [0x47, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0];
    const dict = Uint8Array.from([0x80, 0x04, 0x7d, 0x28, ...nan, 0x4b, 1, ...nan, 0x4b, 2, 0x75, 0x2e]);
    const map = loads(dict) as Map<unknown, number>;
    expect(map).toBeInstanceOf(Map);
    expect(map.size).toBe(2);
    const keys = [...map.keys()];
    expect(keys[0]).toBeNaN();
    expect(keys[1]).toBeInstanceOf(PyFloat);
    expect((keys[1] as PyFloat).value).toBeNaN();
    const again = loads(dumps(map)) as Map<unknown, number>;
    expect([...again.values()]).toEqual([1, 2]);
    expect([...again.keys()][1]).toBeInstanceOf(PyFloat);
    const set = Uint8Array.from([0x80, 0x04, 0x8f, 0x28, ...nan, ...nan, 0x90, 0x2e]);
    expect((loads(set) as Set<unknown>).size).toBe(2);
    const frozen = Uint8Array.from([0x80, 0x04, 0x28, ...nan, ...nan, 0x91, 0x2e]);
    expect((loads(frozen) as Set<unknown>).size).toBe(2);
  });
});

describeWithPython('Python agrees: refused values fail or lose entries, accepted ones load whole', () => {
  interface Outcome {
    error?: string;
    size?: number;
    equal?: boolean;
    type?: string;
  }

  const LOAD = `
import json, sys, pickle
cases = json.load(sys.stdin)
out = []
for case in cases:
    try:
        value = pickle.loads(bytes.fromhex(case['pickle']))
    except Exception as exc:
        out.append({'error': f'{type(exc).__name__}: {exc}'})
        continue
    result = {'size': len(value), 'type': type(value).__name__}
    if case.get('python') is not None:
        expected = eval(case['python'])
        result['equal'] = value == expected and type(value) is type(expected) and len(value) == len(expected)
    out.append(result)
print(json.dumps(out))
`;

  function loadInPython(cases: Array<{ pickle: Uint8Array; python?: string }>): Outcome[] {
    const input = JSON.stringify(cases.map(({ pickle, python }) => ({ pickle: hex(pickle), python })));
    return JSON.parse(runPython(LOAD, input).toString('utf8')) as Outcome[];
  }

  it('every refused value, written without the check, fails to load or loses entries in Python', () => {
    const outcomes = loadInPython(REFUSED.map(({ value }) => ({ pickle: dumps(unchecked(value), { ...OPTIONS, protocol: 5 }) })));
    REFUSED.forEach(({ name, value }, i) => {
      const outcome = outcomes[i]!;
      const size = value instanceof Map ? value.size : value.size;
      const lost = outcome.error === undefined ? outcome.size! < size : /unhashable|hash/i.test(outcome.error);
      expect({ name, outcome, lost }).toEqual({ name, outcome, lost: true });
    });
  });

  it('every accepted value loads in Python as the dict or set expected, whole', () => {
    const outcomes = loadInPython(ACCEPTED.map(({ value, python }) => ({ pickle: dumps(value, OPTIONS), python })));
    ACCEPTED.forEach(({ name, value }, i) => {
      expect({ name, ...outcomes[i] }).toEqual({ name, size: value.size, equal: true, type: outcomes[i]!.type });
    });
  });

  it("dicts and sets Python wrote round-trip through loads (dicts: 'auto') and dumps", () => {
    const values = [
      "{1: 'a', '1': 'b'}",
      "{1.5: 'x', 2: 'y', '2': 'z', -2.5: 'w'}",
      "{b'a': 1, 'a': 2, (1, 2): 3, (1, '2'): 4}",
      "{frozenset({1}): 1, frozenset({'1'}): 2, None: 3, 'None': 4, True: 5}",
      "{__import__('decimal').Decimal('1.5'): 1, __import__('fractions').Fraction(1, 3): 2, 0.5: 3}",
      "{1, '1', (1, 2), b'1', 2.5, frozenset({1})}",
      "frozenset({1, '1', (1, 2)})",
      "{float('nan'): 1, float('nan'): 2}",
      "{float('nan'), float('nan'), 1}",
    ];
    const written = runPython(
      `import json, pickle, sys\nprint(json.dumps([pickle.dumps(eval(v), protocol=4).hex() for v in json.load(sys.stdin)]))`,
      JSON.stringify(values),
    );
    const pickles = (JSON.parse(written.toString('utf8')) as string[]).map((h) => new Uint8Array(Buffer.from(h, 'hex')));
    const back = pickles.map((data) => dumps(loads(data)));
    const outcomes = JSON.parse(
      runPython(
        `import json, math, pickle, sys
out = []
for v, h in json.load(sys.stdin):
    value = pickle.loads(bytes.fromhex(h))
    expected = eval(v)
    def plain(x):
        # NaN is not equal to itself: compare NaNs by count.
        return sorted((repr(k) for k in x), key=str)
    out.append({'size': len(value), 'expected': len(expected), 'same': plain(value) == plain(expected), 'type': type(value) is type(expected)})
print(json.dumps(out))`,
        JSON.stringify(values.map((v, i) => [v, hex(back[i]!)])),
      ).toString('utf8'),
    ) as Array<{ size: number; expected: number; same: boolean; type: boolean }>;
    outcomes.forEach((outcome, i) => {
      expect({ value: values[i], ...outcome }).toEqual({ value: values[i], size: outcome.expected, expected: outcome.expected, same: true, type: true });
    });
  });
});

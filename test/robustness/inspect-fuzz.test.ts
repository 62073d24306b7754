// fast-check over the inspection entry points (pformat, pyRepr, toJson, fromJson), with fixed
// seeds: random Python-like values (shared references, cycles, placeholders, memo DAGs) dumped
// with our dumps and loaded back print and map to JSON and back without fail; random mutations
// of valid pickles, whatever loads accepts, print and map to JSON with only the library's own
// errors. Python is the oracle for repr() of random values, and for pprint where its output
// does not depend on object addresses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dumps,
  type LoadOptions,
  loads,
  PickleError,
  PyComplex,
  PyGlobal,
  PyObject,
  type PyObjectCreation,
  tuple,
  Unpickler,
} from '../../src/index.js';
import { fromJson, toJson } from '../../src/inspect/json/json-mapping.js';
import { pformat, pyRepr } from '../../src/inspect/format/python-format.js';
import { materialize, topModel } from '../codec/pickler/value-model.js';
import { corpusFiles, fixtureFiles, toHex } from './util.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const LOADS: ReadonlyArray<{ name: string; options: LoadOptions }> = [
  { name: 'default', options: {} },
  { name: 'as show and json load', options: { keepFloatType: true, dicts: 'map' } },
];

/**
 * A random value of the model, with placeholders, complex numbers, globals and shared DAGs: made
 * from a description fast-check can print (a DAG itself would print as 2^levels nodes).
 */
const valueSpecArb = fc.tuple(
  topModel,
  topModel,
  fc.constantFrom<PyObjectCreation>('newobj', 'newobj_ex', 'reduce'),
  fc.integer({ min: 0, max: 6 }),
  fc.boolean(),
  fc.double(),
  fc.integer({ min: 0, max: 45 }),
);

function makeValue([a, b, creation, shape, selfRef, real, levels]: (typeof valueSpecArb extends fc.Arbitrary<infer T> ? T : never)): unknown {
  const first = materialize(a);
  const second = materialize(b);
  const object = new PyObject(new PyGlobal('shop', 'Order'), tuple(first), creation, creation === 'newobj_ex' ? { key: second } : undefined);
  object.state = selfRef ? { me: object, other: second } : { other: second };
  let dag: unknown = [first];
  for (let i = 0; i < levels; i++) dag = [dag, dag];
  switch (shape) {
    case 0:
      return first;
    case 1:
      return [first, object, second];
    case 2:
      return [new PyComplex(real, -real), new PyGlobal('collections', 'OrderedDict'), second];
    case 3:
      return dag;
    case 4: {
      object.listItems = [first, object];
      object.dictItems = [['k', second]];
      return tuple(object, object);
    }
    case 5:
      return new Map<unknown, unknown>([[tuple(1, 'x'), dag], ['o', object]]);
    default:
      return [second, first, second];
  }
}

/** Runs an entry point: its result, or the PickleError it threw; anything else fails the test. */
function libraryOnly<T>(what: string, run: () => T): T | PickleError {
  try {
    return run();
  } catch (error) {
    if (error instanceof PickleError) return error;
    throw new Error(`${what} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
}

describe('random values dumped and loaded back', () => {
  it('print, map to JSON and read back: same JSON, same pickle', () => {
    fc.assert(
      fc.property(valueSpecArb, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: LOADS.length - 1 }), (spec, protocol, option) => {
        const { options } = LOADS[option]!;
        const value = loads(dumps(makeValue(spec), { protocol }), options);
        expect(typeof pformat(value)).toBe('string');
        expect(typeof pformat(value, { width: 20 })).toBe('string');
        expect(typeof pyRepr(value)).toBe('string');
        for (const indent of [undefined, 2]) {
          const text = toJson(value, { indent });
          const back = fromJson(text, { keepFloatType: options.keepFloatType, dicts: options.dicts === 'map' ? 'map' : 'auto' });
          expect(toJson(back, { indent })).toBe(text);
          expect(dumps(back, { protocol })).toEqual(dumps(value, { protocol }));
        }
      }),
      { seed: 0x1575_0001, numRuns: 150 },
    );
  }, 120_000);
});

// ---- mutated pickles -----------------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; to: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }), to: fc.nat() }),
);

function mutate(base: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let data = base;
  for (const m of mutations) {
    const n = data.length;
    const at = m.at % (n + 1);
    switch (m.kind) {
      case 'flip':
        if (n === 0) break;
        data = data.slice();
        data[m.at % n]! ^= 1 << m.bit;
        break;
      case 'set':
        if (n === 0) break;
        data = data.slice();
        data[m.at % n] = m.byte;
        break;
      case 'insert':
        data = Uint8Array.from([...data.subarray(0, at), ...m.bytes, ...data.subarray(at)]);
        break;
      case 'delete':
        data = Uint8Array.from([...data.subarray(0, at), ...data.subarray(Math.min(n, at + m.length))]);
        break;
      case 'duplicate': {
        const piece = data.slice(at, at + m.length);
        const to = m.to % (n + 1);
        data = Uint8Array.from([...data.subarray(0, to), ...piece, ...data.subarray(to)]);
        break;
      }
    }
  }
  return data;
}

/** Everything the inspection entry points do with a loaded value: only PickleErrors may come out. */
function inspect(value: unknown, keepFloatType: boolean): void {
  libraryOnly('pformat', () => pformat(value));
  libraryOnly('pformat (width 10)', () => pformat(value, { width: 10, sortDicts: false }));
  libraryOnly('pyRepr', () => pyRepr(value));
  const text = libraryOnly('toJson', () => toJson(value, { indent: 1 }));
  if (typeof text !== 'string') return;
  const back = libraryOnly('fromJson', () => fromJson(text, { keepFloatType, dicts: 'map' }));
  if (back instanceof PickleError) throw new Error(`fromJson refused what toJson wrote (${back.message}): ${text.slice(0, 300)}`);
  expect(toJson(back, { indent: 1 })).toBe(text);
}

describe('random mutations of valid pickles', () => {
  const bases = [...corpusFiles(), ...fixtureFiles()].map((file) => file.data);
  for (const spec of fc.sample(valueSpecArb, { seed: 0x1575_0002, numRuns: 40 })) bases.push(dumps(makeValue(spec), { protocol: 4 }));

  it('whatever loads accepts prints and maps to JSON, with library errors only', () => {
    let inspected = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (which, mutations, keepFloatType) => {
        const data = mutate(bases[which % bases.length]!, mutations);
        let value: unknown;
        try {
          value = new Unpickler(data, { keepFloatType, dicts: keepFloatType ? 'map' : 'auto' }).load();
        } catch (error) {
          if (error instanceof PickleError) return;
          throw error;
        }
        inspected++;
        try {
          inspect(value, keepFloatType);
        } catch (error) {
          throw new Error(`${(error as Error).message}\nfor pickle ${toHex(data)}`, { cause: error });
        }
      }),
      { seed: 0x1575_0003, numRuns: 3000 },
    );
    // The mutations are not all refused by loads: the entry points saw many loaded values.
    expect(inspected).toBeGreaterThan(200);
  }, 240_000);
});

// ---- Python as the oracle ------------------------------------------------------------------------

const PY_PRINT = String.raw`
import base64, json, pickle, pprint, sys
sys.setrecursionlimit(10000)
# pprint orders values that do not compare by type name, then by id(): an order of addresses.
# Say when that decided anything, so that such output is not compared.
by_address = [False]
def lt(self, other):
    try:
        return self.obj < other.obj
    except TypeError:
        if type(self.obj) is type(other.obj):
            by_address[0] = True
        return (str(type(self.obj)), id(self.obj)) < (str(type(other.obj)), id(other.obj))
pprint._safe_key.__lt__ = lt
out = []
for line in sys.stdin:
    value = pickle.loads(base64.b64decode(line))
    by_address[0] = False
    text = pprint.pformat(value, width=40)
    out.append({'pickle': base64.b64encode(pickle.dumps(value, 4)).decode(), 'repr': repr(value), 'pprint': text,
                'recursive': pprint.isrecursive(value), 'byAddress': by_address[0]})
json.dump(out, sys.stdout)
`;

const recursionAsRepr = (text: string) =>
  text.replace(/<Recursion on (\w+) with id=\d+>/g, (_, type: string) => (type === 'list' ? '[...]' : type === 'dict' ? '{...}' : `(...)`));
const oneLine = (text: string) => text.replace(/\n */g, ' ');

describeWithPython('pyRepr and pformat of random values, against Python', () => {
  it('print what repr() and pprint print for the value Python loaded and pickled again', () => {
    // Builtin types only (Python would print placeholders with addresses); small memo DAGs.
    const samples = fc.sample(topModel, { seed: 0x1575_0004, numRuns: 400 }).map((model) => materialize(model));
    const input = samples.map((value) => Buffer.from(dumps(value, { protocol: 4 })).toString('base64')).join('\n') + '\n';
    const printed = JSON.parse(runPython(PY_PRINT, input).toString('utf8')) as Array<{
      pickle: string;
      repr: string;
      pprint: string;
      recursive: boolean;
      byAddress: boolean;
    }>;
    expect(printed).toHaveLength(samples.length);
    let compared = 0;
    for (const py of printed) {
      // Python's pickle: sets in Python's iteration order, which repr follows.
      const value = new Unpickler(new Uint8Array(Buffer.from(py.pickle, 'base64')), { keepFloatType: true, dicts: 'map' }).load();
      expect(pyRepr(value), py.repr).toBe(py.repr);
      if (py.byAddress) continue;
      compared++;
      const pretty = pformat(value, { width: 40 });
      if (py.recursive) expect(oneLine(pretty), py.pprint).toBe(oneLine(recursionAsRepr(py.pprint)));
      else expect(pretty, py.repr).toBe(py.pprint);
    }
    expect(compared).toBeGreaterThan(300);
  }, 60_000);
});

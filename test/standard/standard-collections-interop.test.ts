// Round trips through CPython (python3 is spawned once per describe block):
//  1. Python -> TypeScript -> Python: every collections fixture, written back at every protocol
//     0-5, must load in CPython to a value `==` to the original, of the same type, with the same
//     graph (types all the way down, sharing, cycles, deque maxlen, defaultdict factory), and
//     be byte for byte what CPython itself writes for that value at that protocol.
//  2. TypeScript -> Python: values built in TypeScript (a PyOrderedDict, enum members, a
//     registered namedtuple instance...) must load in CPython as the right types and values,
//     again byte for byte what CPython writes.
// test/standard/collections/check_interop.py does the Python side.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWithPython, runPython } from '../helpers/python.js';
import {
  dumps,
  enumTypeOf,
  extraState,
  loads,
  PyCounter,
  PyDefaultDict,
  PyDeque,
  PyGlobal,
  PyOrderedDict,
  Registry,
  tuple,
} from './collections/api.js';
import { declareFixtureTypes, Employee, Point, Tagged } from './collections/declarations.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIR = join(HERE, 'collections');
const PICKLES = join(DIR, 'pickles');
const CHECKER = readFileSync(join(DIR, 'check_interop.py'), 'utf8');
const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

const manifest = JSON.parse(readFileSync(join(PICKLES, 'MANIFEST.json'), 'utf8')) as {
  files: Array<{ file: string; case: string; protocol: number }>;
};

interface Result {
  problems: string[];
  identical: boolean;
}

type Header = { fixture: string; protocol: number } | { expr: string; protocol: number };

/** Runs check_interop.py over the records; one result per record. */
function checkInPython(records: Array<{ header: Header; data: Uint8Array }>): Result[] {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  for (const { header, data } of records) {
    const head = Buffer.from(JSON.stringify(header));
    parts.push(u32(head.length), head, u32(data.length), Buffer.from(data));
  }
  // The checker is run as source with its own path in sys.argv[0]'s place: it finds its
  // neighbours (fixture_collections.py, ../../interop/compare_graphs.py) through __file__.
  const source = `__file__ = ${JSON.stringify(join(DIR, 'check_interop.py'))}\n${CHECKER}`;
  return JSON.parse(runPython(source, Buffer.concat(parts)).toString('utf8')) as Result[];
}

const registry = new Registry();
const declared = declareFixtureTypes(registry);

describeWithPython('collections: Python -> TypeScript -> Python', () => {
  const records: Array<{ header: Header; data: Uint8Array; label: string }> = [];
  let results: Result[] = [];

  beforeAll(() => {
    for (const entry of manifest.files) {
      const value = loads(new Uint8Array(readFileSync(join(PICKLES, entry.file))), { registry });
      for (const protocol of PROTOCOLS) {
        records.push({
          header: { fixture: entry.file, protocol },
          data: dumps(value, { protocol, registry }),
          label: `${entry.file} -> p${protocol}`,
        });
      }
    }
    results = checkInPython(records);
  });

  it('checks every fixture at every output protocol', () => {
    expect(records.length).toBe(manifest.files.length * PROTOCOLS.length);
    expect(results.length).toBe(records.length);
  });

  it('CPython reads back equal values of the same types and graphs', () => {
    const failures = records.flatMap((record, i) => results[i]!.problems.map((p) => `${record.label}: ${p}`));
    expect(failures).toEqual([]);
  });

  it('the bytes are exactly what CPython writes for the same value at the same protocol', () => {
    const different = records.filter((_, i) => !results[i]!.identical).map((r) => r.label);
    expect(different).toEqual([]);
  });
});

describeWithPython('collections: TypeScript -> Python', () => {
  const { Color, Level, Mode, Perm, Bits, ByName, Suit } = declared;
  const list = new PyGlobal('builtins', 'list');
  const shared = new Point(1, 2);
  const tagged = new Tagged('q', 1);
  extraState(tagged).set('note', 'x');

  // [TypeScript value, the Python expression it must load as]
  const CASES: Array<[string, unknown, string]> = [
    ['PyOrderedDict', new PyOrderedDict<unknown, unknown>([[1, 'a'], ['b', new PyOrderedDict()]]), "OrderedDict([(1, 'a'), ('b', OrderedDict())])"],
    ['empty PyOrderedDict', new PyOrderedDict(), 'OrderedDict()'],
    ['PyCounter', new PyCounter([['x', 2], ['y', 0]]), 'Counter(x=2, y=0)'],
    ['PyDefaultDict(list)', new PyDefaultDict(list, [['a', [1]]]), "defaultdict(list, a=[1])"],
    ['PyDefaultDict(None)', new PyDefaultDict(null, [[1, 2]]), 'defaultdict(None, {1: 2})'],
    ['PyDeque', new PyDeque([1, 'b', tuple(3)]), "deque([1, 'b', (3,)])"],
    ['PyDeque with maxlen (trimmed as Python trims)', new PyDeque([1, 2, 3], 2), 'deque([2, 3], maxlen=2)'],
    ['Enum member', Color.BLUE, 'Color.BLUE'],
    ['Enum alias', Color.CRIMSON, 'Color.RED'],
    ['IntEnum member (bigint value)', Level.HUGE, 'Level.HUGE'],
    ['StrEnum member', Mode.WRITE, 'Mode.WRITE'],
    ['Flag member', Perm.W, 'Perm.W'],
    ['Flag combination', Perm.R.or(Perm.X), 'Perm.R | Perm.X'],
    ['Flag zero', enumTypeOf<number>(Perm).of(0), 'Perm(0)'],
    ['IntFlag with unknown bits', enumTypeOf<number>(Bits).of(2 ** 40 + 8), 'Bits.BIG | Bits(8)'],
    ['member pickled by name', ByName.TWO, 'ByName.TWO'],
    ['nested enum', Suit.SPADES, 'Outer.Suit.SPADES'],
    ['namedtuple', new Point('a', [1]), "Point('a', [1])"],
    ['typing.NamedTuple with an integral float', new Employee('z', 2, 4), "Employee('z', 2, 4.0)"],
    ['namedtuple subclass with attributes', tagged, "tagged('q', 1, note='x')"],
    ['shared namedtuple', [shared, shared], '(lambda p: [p, p])(Point(1, 2))'],
    [
      'everything nested',
      new PyOrderedDict<unknown, unknown>([
        [Level.LOW, new PyDeque([new PyCounter([['k', 1]])], 3)],
        ['dd', new PyDefaultDict(list, [[Mode.READ, [new Employee('n', 1, 0.5)]]])],
      ]),
      "OrderedDict([(Level.LOW, deque([Counter(k=1)], maxlen=3)), ('dd', defaultdict(list, {Mode.READ: [Employee('n', 1, 0.5)]}))])",
    ],
  ];

  const records: Array<{ header: Header; data: Uint8Array; label: string }> = [];
  let results: Result[] = [];

  beforeAll(() => {
    for (const [label, value, expr] of CASES) {
      for (const protocol of PROTOCOLS) {
        records.push({ header: { expr, protocol }, data: dumps(value, { protocol, registry }), label: `${label} p${protocol}` });
      }
    }
    results = checkInPython(records);
  });

  it('CPython reads each as the right type and value', () => {
    const failures = records.flatMap((record, i) => results[i]!.problems.map((p) => `${record.label}: ${p}`));
    expect(failures).toEqual([]);
  });

  it('the bytes are exactly what CPython writes for that value', () => {
    const different = records.filter((_, i) => !results[i]!.identical).map((r) => r.label);
    expect(different).toEqual([]);
  });
});

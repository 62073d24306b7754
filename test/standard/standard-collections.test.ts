// CPython-written fixtures of collections.OrderedDict / Counter / defaultdict / deque, enum members
// (Enum, IntEnum, StrEnum, Flag, IntFlag, pickle_by_enum_name, nested) and namedtuples
// (collections.namedtuple, typing.NamedTuple, a subclass with a __dict__), each at protocols 0-5
// (and a few from Python 2.7), must load to the hand-written values of
// test/standard/collections/declarations.ts, and dump back to CPython's very bytes.
// The fixtures are written by test/standard/collections/generate.py and committed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dumps, loads, PyObject, Registry } from './collections/api.js';
import { declareFixtureTypes, expectedValues } from './collections/declarations.js';
import { collectionsDiff } from './collections/same.js';

const PICKLES = join(dirname(fileURLToPath(import.meta.url)), 'collections', 'pickles');

interface Manifest {
  python: string;
  python2: string | null;
  cases: Record<string, number[]>;
  files: Array<{ file: string; case: string; protocol: number; bytes: number; sha256: string }>;
}

const manifest = JSON.parse(readFileSync(join(PICKLES, 'MANIFEST.json'), 'utf8')) as Manifest;
const fixture = (name: string, protocol: number): Uint8Array => new Uint8Array(readFileSync(join(PICKLES, `${name}.p${protocol}.pkl`)));

const registry = new Registry();
const declared = declareFixtureTypes(registry);
const EXPECTED = expectedValues(declared);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('collections fixture manifest', () => {
  it('has an expected value for exactly the cases it lists', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(manifest.cases).sort());
    for (const [name, protocols] of Object.entries(manifest.cases)) {
      expect(protocols, name).toEqual(name.startsWith('py2_') ? [0, 2] : [0, 1, 2, 3, 4, 5]);
    }
  });

  it('lists every pickle in the directory with its size and hash', () => {
    const onDisk = readdirSync(PICKLES).filter((f) => f.endsWith('.pkl')).sort();
    expect(manifest.files.map((f) => f.file).sort()).toEqual(onDisk);
    for (const entry of manifest.files) {
      const data = readFileSync(join(PICKLES, entry.file));
      expect(data.length, entry.file).toBe(entry.bytes);
      expect(createHash('sha256').update(data).digest('hex'), entry.file).toBe(entry.sha256);
      if (entry.protocol >= 2) expect([data[0], data[1]], entry.file).toEqual([0x80, entry.protocol]);
    }
    expect(manifest.python).toMatch(/^3\.11\./);
    expect(manifest.python2).toMatch(/^2\.7\./);
  });
});

describe('collections fixtures load to the documented values', () => {
  for (const [name, protocols] of Object.entries(manifest.cases)) {
    describe(name, () => {
      it.each(protocols)('protocol %i', (protocol) => {
        const loaded = loads(fixture(name, protocol), { registry });
        expect(collectionsDiff(loaded, EXPECTED[name]!())).toBeUndefined();
      });
    });
  }
});

describe('collections fixtures dump back to CPython 3.11 bytes', () => {
  // Every Python 3 case, at its own protocol: loads then dumps gives the fixture byte for byte
  // (Employee.rate is declared a float, so 3.0 stays 3.0 without keepFloatType).
  const python3Cases = Object.entries(manifest.cases).filter(([name]) => !name.startsWith('py2_'));
  for (const [name, protocols] of python3Cases) {
    it.each(protocols)(`${name} at protocol %i`, (protocol) => {
      const original = fixture(name, protocol);
      const again = dumps(loads(original, { registry }), { protocol, registry });
      expect(hex(again)).toBe(hex(original));
    });
  }

  it('writes Python 2 pickles back in the Python 3 form (same values)', () => {
    for (const name of ['py2_od', 'py2_deque', 'py2_counter', 'py2_dd', 'py2_point']) {
      for (const protocol of [0, 2]) {
        const value = loads(fixture(name, protocol), { registry });
        expect(collectionsDiff(loads(dumps(value, { protocol, registry }), { registry }), EXPECTED[name]!())).toBeUndefined();
      }
    }
  });
});

describe('without registration', () => {
  it('collections types are standard: they load with an empty registry', () => {
    const scoped = new Registry();
    for (const name of ['od_mixed_keys', 'counter', 'dd_list', 'deque_maxlen', 'recursive']) {
      for (const protocol of [0, 1, 2, 3, 4, 5]) {
        const loaded = loads(fixture(name, protocol), { registry: scoped });
        expect(collectionsDiff(loaded, EXPECTED[name]!()), `${name} p${protocol}`).toBeUndefined();
        expect(hex(dumps(loaded, { protocol, registry: scoped }))).toBe(hex(fixture(name, protocol)));
      }
    }
  });

  it('enums and namedtuples nobody registered stay placeholders that round-trip exactly', () => {
    const scoped = new Registry();
    for (const name of ['enum_color', 'enum_flag', 'point', 'employee', 'tagged']) {
      for (const protocol of [0, 1, 2, 3, 4, 5]) {
        const original = fixture(name, protocol);
        const loaded = loads(original, { registry: scoped });
        const first = Array.isArray(loaded) && !(loaded instanceof PyObject) ? loaded[0] : loaded;
        expect(first, `${name} p${protocol}`).toBeInstanceOf(PyObject);
        expect(hex(dumps(loaded, { protocol, registry: scoped })), `${name} p${protocol}`).toBe(hex(original));
      }
    }
  });
});

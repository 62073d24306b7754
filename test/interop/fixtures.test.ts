// Every CPython fixture in test/fixtures/pickles (written by test/fixtures/generate.py) must load
// to the value written by hand in test/fixtures/expected-*.ts: types, -0, NaN, bigint vs number,
// lone surrogates, placeholders, and identity (shared references and cycles) included.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type LoadOptions, loads, PyByteArray } from '../../src/index.js';
import { CONTAINER_CASES, MAP_OPTION_CASES } from '../fixtures/expected-containers.js';
import { OBJECT_CASES } from '../fixtures/expected-objects.js';
import { REFERENCE_CASES } from '../fixtures/expected-references.js';
import { patternBytes, SCALAR_CASES } from '../fixtures/expected-scalars.js';
import { expectPy, type FixtureCase } from '../fixtures/py-equal.js';

const PICKLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pickles');

interface Manifest {
  python: string;
  cases: Record<string, number[]>;
  files: Array<{ file: string; case: string; protocol: number; bytes: number; sha256: string }>;
}

const manifest = JSON.parse(readFileSync(join(PICKLES, 'MANIFEST.json'), 'utf8')) as Manifest;

const THEMES: Record<string, Record<string, FixtureCase>> = {
  scalars: SCALAR_CASES,
  containers: CONTAINER_CASES,
  references: REFERENCE_CASES,
  objects: OBJECT_CASES,
};
const CASES: Record<string, FixtureCase> = Object.assign({}, ...Object.values(THEMES));

/** The fixture's bytes as a plain Uint8Array (not the Buffer readFileSync gives). */
function fixtureBytes(name: string, protocol: number): Uint8Array {
  return new Uint8Array(readFileSync(join(PICKLES, `${name}.p${protocol}.pkl`)));
}

function loadFixture(name: string, protocol: number, options?: LoadOptions): unknown {
  return loads(fixtureBytes(name, protocol), options);
}

describe('fixture manifest', () => {
  it('has expectations for exactly the cases it lists, with the same protocols', () => {
    const themed = Object.values(THEMES).flatMap((cases) => Object.keys(cases));
    expect(new Set(themed).size, 'a case name is defined in two expected-*.ts files').toBe(themed.length);
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(manifest.cases).sort());
    for (const [name, spec] of Object.entries(CASES)) {
      expect([...spec.protocols], name).toEqual(manifest.cases[name]);
    }
  });

  it('lists every pickle in the directory, each with its size and hash', () => {
    const onDisk = readdirSync(PICKLES).filter((f) => f.endsWith('.pkl')).sort();
    expect(manifest.files.map((f) => f.file).sort()).toEqual(onDisk);
    const expectedFiles = Object.entries(manifest.cases)
      .flatMap(([name, protocols]) => protocols.map((p) => `${name}.p${p}.pkl`))
      .sort();
    expect(onDisk).toEqual(expectedFiles);
    for (const entry of manifest.files) {
      const data = readFileSync(join(PICKLES, entry.file));
      expect(entry.file).toBe(`${entry.case}.p${entry.protocol}.pkl`);
      expect(data.length, entry.file).toBe(entry.bytes);
      expect(createHash('sha256').update(data).digest('hex'), entry.file).toBe(entry.sha256);
      // Each was written with the protocol its name says (protocol 0 and 1 have no PROTO opcode).
      if (entry.protocol >= 2) expect([data[0], data[1]], entry.file).toEqual([0x80, entry.protocol]);
      else expect(data[0], entry.file).not.toBe(0x80);
    }
  });

  it('stays small', () => {
    const total = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    expect(total).toBeLessThan(3_000_000);
  });
});

for (const [theme, cases] of Object.entries(THEMES)) {
  describe(`fixtures: ${theme}`, () => {
    for (const [name, spec] of Object.entries(cases)) {
      describe(name, () => {
        it.each(spec.protocols.map((p) => [p]))('protocol %i', (protocol) => {
          const value = loadFixture(name, protocol);
          expectPy(value, spec.expected(protocol));
          spec.check?.(value, protocol);
        });
      });
    }
  });
}

describe("fixtures with { dicts: 'map' }", () => {
  for (const [name, spec] of Object.entries(MAP_OPTION_CASES)) {
    describe(name, () => {
      it.each(spec.protocols.map((p) => [p]))('protocol %i', (protocol) => {
        const value = loadFixture(name, protocol, { dicts: 'map' });
        expectPy(value, spec.expected(protocol));
        spec.check?.(value, protocol);
      });
    });
  }
});

// readFileSync gives a Buffer, which is what most callers pass. Bytes must still load as plain
// Uint8Array copies: not Buffers, and not views into the caller's input.
describe('fixtures loaded straight from a Buffer', () => {
  for (const [name, length] of [['bytes_1', 1], ['bytes_70000', 70000]] as const) {
    describe(name, () => {
      it.each(CASES[name]!.protocols.map((p) => [p]))('protocol %i', (protocol) => {
        const input = readFileSync(join(PICKLES, `${name}.p${protocol}.pkl`));
        const value = loads(input) as Uint8Array;
        const kind = (value as object).constructor.name;
        expect.soft(Object.getPrototypeOf(value) === Uint8Array.prototype, `bytes loaded as a ${kind}`).toBe(true);
        expect.soft(value.buffer === input.buffer, 'bytes share memory with the input Buffer').toBe(false);
        input.fill(0);
        expect.soft(Array.from(value.subarray(0, 8)), 'bytes changed when the input was overwritten').toEqual(
          Array.from(patternBytes(length).subarray(0, 8)),
        );
      });
    });
  }
  it('bytearray is a PyByteArray copy', () => {
    const input = readFileSync(join(PICKLES, 'bytearray_256.p5.pkl'));
    const value = loads(input) as Uint8Array;
    expect(Object.getPrototypeOf(value) === PyByteArray.prototype).toBe(true);
    expect(value.buffer === input.buffer).toBe(false);
  });
});

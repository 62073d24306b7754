// Robustness property 2: seeded random mutations of valid pickles (byte flips, overwrites,
// insertions, deletions, truncations, duplications, splices between two pickles, hostile length
// fields) and random opcode streams each either load to a value of the value model or fail with
// an UnpicklingError: never another error type, never a hang. fast-check runs with fixed seeds,
// so every run tests the same inputs; a failure prints the mutated bytes in hex.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LoadOptions, loads, OPCODES, UnpicklingError } from '../../src/index.js';
import { ARGUMENT_WIDTH, type ArgumentKind } from '../../src/protocol/opcodes.js';
import {
  checkValueModel,
  concat,
  corpusFiles,
  describeError,
  fixtureFiles,
  latin1,
  le,
  toHex,
} from './util.js';

/** Hang guard only: a load of a few KiB that takes this long is stuck, not slow. */
const HANG_MS = 2000;
const HANG_GUARD_MAX_INPUT = 10 * 1024;

const OPTION_SETS: ReadonlyArray<{ name: string; options: LoadOptions }> = [
  { name: 'default', options: {} },
  { name: 'dicts:map', options: { dicts: 'map' } },
  { name: 'encoding:bytes', options: { encoding: 'bytes' } },
  { name: 'encoding:latin1, fixImports:false', options: { encoding: 'latin1', fixImports: false } },
  { name: 'strict', options: { strict: true } },
  { name: 'small limits', options: { maxDepth: 40, maxMemo: 8, maxIntDigits: 10 } },
  {
    name: 'persistentLoad, buffers, extensions',
    options: {
      persistentLoad: (pid) => ['persistent', pid],
      buffers: [Uint8Array.of(1, 2, 3), new ArrayBuffer(2), Uint8Array.of(4)],
      extensions: new Map([
        [1, ['builtins', 'set'] as const],
        [2, ['__main__', 'Point'] as const],
        [0x1234, ['copyreg', '_reconstructor'] as const],
      ]),
    },
  },
];

interface Stats {
  runs: number;
  values: number;
  errors: number;
  slowestMs: number;
  slowestHex: string;
}

const newStats = (): Stats => ({ runs: 0, values: 0, errors: 0, slowestMs: 0, slowestHex: '' });

/**
 * Loads `data` and throws (failing the property, with the input in hex) unless the outcome is a
 * value of the value model or an UnpicklingError.
 */
function loadOneOf(data: Uint8Array, optionSet: number, stats: Stats): void {
  const { name, options } = OPTION_SETS[optionSet]!;
  const where = () => `input ${toHex(data)} with options ${name}`;
  const started = performance.now();
  let value: unknown;
  let failed = false;
  try {
    value = loads(data, options);
  } catch (error) {
    failed = true;
    if (!(error instanceof UnpicklingError)) {
      throw new Error(`threw ${describeError(error)} instead of an UnpicklingError for ${where()}`);
    }
  }
  const elapsed = performance.now() - started;
  stats.runs++;
  if (elapsed > stats.slowestMs) {
    stats.slowestMs = elapsed;
    stats.slowestHex = toHex(data.subarray(0, 64));
  }
  if (data.length < HANG_GUARD_MAX_INPUT && elapsed > HANG_MS) {
    throw new Error(`load took ${Math.round(elapsed)} ms (hang) for ${where()}`);
  }
  if (failed) {
    stats.errors++;
    return;
  }
  stats.values++;
  if (value === undefined) throw new Error(`loaded undefined for ${where()}`);
  try {
    checkValueModel(value);
  } catch (error) {
    throw new Error(`loaded a value outside the value model (${describeError(error)}) for ${where()}`);
  }
}

// ---- mutations of real pickles ---------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number; to: number }
  | { kind: 'splice'; other: number; at: number; from: number }
  | { kind: 'length'; at: number; width: number; value: bigint };

const OPCODE_BYTES = OPCODES.map((op) => op.code);

/** Byte values worth putting in a length or count field. */
const HOSTILE_VALUES = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  2n ** 53n, 2n ** 62n, 2n ** 64n - 1n];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(...OPCODE_BYTES) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.constantFrom(...OPCODE_BYTES).map((b) => Uint8Array.of(b)),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 32 }),
    to: fc.nat(),
  }),
  fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: fc.nat(), from: fc.nat() }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    width: fc.constantFrom(1, 2, 4, 8),
    value: fc.constantFrom(...HOSTILE_VALUES),
  }),
);

function mutate(base: Uint8Array, mutations: readonly Mutation[], pool: readonly Uint8Array[]): Uint8Array {
  let data = base;
  for (const m of mutations) {
    const n = data.length;
    const at = m.at % (n + 1);
    switch (m.kind) {
      case 'flip':
        if (n === 0) break;
        data = data.slice();
        data[m.at % n] ^= 1 << m.bit;
        break;
      case 'set':
        if (n === 0) break;
        data = data.slice();
        data[m.at % n] = m.byte;
        break;
      case 'insert':
        data = concat(data.subarray(0, at), m.bytes, data.subarray(at));
        break;
      case 'delete':
        data = concat(data.subarray(0, at), data.subarray(Math.min(n, at + m.length)));
        break;
      case 'truncate':
        data = data.subarray(0, at);
        break;
      case 'duplicate': {
        const piece = data.slice(at, at + m.length);
        const to = m.to % (n + 1);
        data = concat(data.subarray(0, to), piece, data.subarray(to));
        break;
      }
      case 'splice': {
        const other = pool[m.other % pool.length]!;
        data = concat(data.subarray(0, at), other.subarray(m.from % (other.length + 1)));
        break;
      }
      case 'length': {
        if (n === 0) break;
        const field = le(m.value & ((1n << BigInt(8 * m.width)) - 1n), m.width);
        data = data.slice();
        data.set(field.subarray(0, Math.min(m.width, n - (m.at % n))), m.at % n);
        break;
      }
    }
  }
  return data;
}

// ---- random opcode streams -------------------------------------------------------------------

const GLOBAL_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['builtins', 'set'], ['builtins', 'frozenset'], ['builtins', 'list'], ['builtins', 'tuple'],
  ['builtins', 'bytes'], ['builtins', 'bytearray'], ['builtins', 'complex'], ['builtins', 'int'],
  ['builtins', 'float'], ['builtins', 'str'], ['builtins', 'bool'], ['builtins', 'dict'],
  ['builtins', 'getattr'], ['builtins', 'eval'], ['builtins', 'object'], ['copyreg', '_reconstructor'],
  ['copy_reg', '_reconstructor'], ['__builtin__', 'set'], ['_codecs', 'encode'], ['__main__', 'Point'],
  ['collections', 'OrderedDict'], ['os', 'system'], ['__proto__', 'constructor'],
];
const WORDS = ['', 'a', 'k', 'builtins', 'set', 'latin1', 'utf-8', '__proto__', 'constructor', '\u20ac'];

function argumentArb(kind: ArgumentKind): fc.Arbitrary<Uint8Array> {
  const width = ARGUMENT_WIDTH[kind];
  const word = fc.constantFrom(...WORDS).map((w) => Buffer.from(w, 'utf8'));
  switch (kind) {
    case 'decimalnl_short':
    case 'decimalnl_long':
      return fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom('00', '01', '0x10', '1_000', '9' .repeat(30)))
        .map((v) => latin1(`${v}${kind === 'decimalnl_long' ? 'L' : ''}\n`));
    case 'floatnl':
      return fc.constantFrom('1.5', 'nan', '-inf', '1e400', '0x1', '').map((v) => latin1(`${v}\n`));
    case 'stringnl':
      return fc.constantFrom("'a'", '"b\\x41"', "'\\xff'", "'unterminated", "''").map((v) => latin1(`${v}\n`));
    case 'unicodestringnl':
      return fc.constantFrom('abc', 'caf\\u00e9', '\\U0001f600', '\\u12', '').map((v) => latin1(`${v}\n`));
    case 'stringnl_noescape':
      return fc.constantFrom('pid', '', '1').map((v) => latin1(`${v}\n`));
    case 'stringnl_noescape_pair':
      return fc.constantFrom(...GLOBAL_NAMES).map(([m, n]) => latin1(`${m}\n${n}\n`));
    case 'uint1':
      return fc.integer({ min: 0, max: 6 }).map((v) => le(v, 1));
    case 'uint2':
      return fc.integer({ min: 0, max: 0xffff }).map((v) => le(v, 2));
    case 'int4':
    case 'uint4':
      return fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-1, 0x1234, 0xfffffffd)).map((v) => le(BigInt.asUintN(32, BigInt(v)), 4));
    case 'uint8':
      return fc.integer({ min: 0, max: 40 }).map((v) => le(v, 8));
    case 'float8':
      return fc.double().map((v) => {
        const out = new Uint8Array(8);
        new DataView(out.buffer).setFloat64(0, v, false);
        return out;
      });
    default: {
      // Length-prefixed: a word or random bytes behind a 1, 4 or 8-byte length.
      const prefix = width === -2 ? 1 : width === -5 ? 8 : 4;
      const payload = fc.oneof(word, fc.uint8Array({ maxLength: 12 }));
      return payload.map((p) => concat(le(p.length, prefix), p));
    }
  }
}

const opcodeArb: fc.Arbitrary<Uint8Array> = fc.constantFrom(...OPCODES.filter((op) => op.name !== 'STOP')).chain((op) =>
  op.arg === null ? fc.constant(Uint8Array.of(op.code)) : argumentArb(op.arg).map((arg) => concat(Uint8Array.of(op.code), arg)),
);

const streamArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 6 })), fc.array(opcodeArb, { minLength: 1, maxLength: 40 }))
  .map(([proto, ops]) => concat(proto === null ? new Uint8Array(0) : Uint8Array.of(0x80, proto), ...ops, Uint8Array.of(0x2e)));

// ---- the properties --------------------------------------------------------------------------

describe('robustness: mutated and random pickles', () => {
  const corpus = corpusFiles().map((f) => f.data).filter((d) => d.length <= 16 * 1024);
  const fixtures = fixtureFiles().map((f) => f.data).filter((d) => d.length <= 16 * 1024);

  it('has pickles to mutate', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
  });

  it('10 000 seeded mutations of corpus pickles load or fail with UnpicklingError', () => {
    const stats = newStats();
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.nat(OPTION_SETS.length - 1),
        (base, mutations, optionSet) => {
          loadOneOf(mutate(corpus[base % corpus.length]!, mutations, corpus), optionSet, stats);
        },
      ),
      { seed: 0x5eed_0001, numRuns: 10_000 },
    );
    expect(stats.runs).toBeGreaterThanOrEqual(10_000);
    // Both outcomes are common: the mutations are neither all harmless nor all fatal.
    expect(stats.values).toBeGreaterThan(500);
    expect(stats.errors).toBeGreaterThan(5000);
    console.info(`mutations: ${stats.values} values, ${stats.errors} UnpicklingErrors, slowest ${stats.slowestMs.toFixed(1)} ms (${stats.slowestHex}…)`);
  });

  it('3000 seeded mutations of the interop fixtures load or fail with UnpicklingError', () => {
    if (fixtures.length === 0) return;
    const stats = newStats();
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.nat(OPTION_SETS.length - 1),
        (base, mutations, optionSet) => {
          loadOneOf(mutate(fixtures[base % fixtures.length]!, mutations, fixtures), optionSet, stats);
        },
      ),
      { seed: 0x5eed_0002, numRuns: 3000 },
    );
    expect(stats.runs).toBeGreaterThanOrEqual(3000);
    expect(stats.values + stats.errors).toBe(stats.runs);
  });

  it('6000 seeded random opcode streams load or fail with UnpicklingError', () => {
    const stats = newStats();
    fc.assert(
      fc.property(streamArb, fc.nat(OPTION_SETS.length - 1), (data, optionSet) => {
        loadOneOf(data, optionSet, stats);
      }),
      { seed: 0x5eed_0003, numRuns: 6000 },
    );
    expect(stats.runs).toBeGreaterThanOrEqual(6000);
    expect(stats.values).toBeGreaterThan(100);
    expect(stats.errors).toBeGreaterThan(3000);
    console.info(`opcode streams: ${stats.values} values, ${stats.errors} UnpicklingErrors, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });

  it('mutate() applies each kind of mutation as described', () => {
    const base = Uint8Array.of(1, 2, 3, 4);
    const other = Uint8Array.of(9, 8, 7);
    expect([...mutate(base, [{ kind: 'flip', at: 5, bit: 1 }], [other])]).toEqual([1, 0, 3, 4]);
    expect([...mutate(base, [{ kind: 'set', at: 2, byte: 0xff }], [other])]).toEqual([1, 2, 0xff, 4]);
    expect([...mutate(base, [{ kind: 'insert', at: 4, bytes: Uint8Array.of(5) }], [other])]).toEqual([1, 2, 3, 4, 5]);
    expect([...mutate(base, [{ kind: 'delete', at: 1, length: 2 }], [other])]).toEqual([1, 4]);
    expect([...mutate(base, [{ kind: 'truncate', at: 3 }], [other])]).toEqual([1, 2, 3]);
    expect([...mutate(base, [{ kind: 'duplicate', at: 0, length: 2, to: 4 }], [other])]).toEqual([1, 2, 3, 4, 1, 2]);
    expect([...mutate(base, [{ kind: 'splice', other: 0, at: 2, from: 1 }], [other])]).toEqual([1, 2, 8, 7]);
    expect([...mutate(base, [{ kind: 'length', at: 1, width: 4, value: 0xffffffffn }], [other])]).toEqual([1, 0xff, 0xff, 0xff]);
    expect([...base]).toEqual([1, 2, 3, 4]); // the base pickle is never modified in place
  });
});

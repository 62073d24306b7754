// Byte identity of `dumps` with CPython's C pickler (pickle.dumps) for values of Python's builtin
// types. The random-value properties are in pickler-bytes-properties.test.ts.
//
// (a) every committed CPython fixture round-trips byte for byte: dumps(loads(file)) === file, at
//     the fixture's protocol (no python3 needed). The one documented exception is the `strings`
//     case: its Python str '\udbff\udc00' is two code points (a high and a low surrogate, only
//     producible with surrogatepass) that JavaScript cannot tell from the astral character
//     U+10FC00 they form; the test checks that this element, and nothing else, differs.
// (c) with an equal string repeated as distinct Python objects, CPython writes it each time and
//     we (memoizing strings by value) once, so ours is shorter. (How far apart repeats are still
//     shared is the shareStrings option's business: pickler-string-memo.test.ts.)
// (d) hand-picked cases compared with python3's output at every protocol: frames crossing
//     64 KiB, large bytes/str/bytearray, batch boundaries, cycles, LONG_BINPUT/LONG_BINGET,
//     empty and one-element containers.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumps, loads, PyByteArray, PyFrozenSet, pyFloat, Tuple, tuple } from '../../src/index.js';
import { describeWithPython, hasPython, runPython } from '../helpers/python.js';
import {
  type CPythonResult,
  cpythonPickles,
  explainMismatch,
  firstDifference,
  mismatchReport,
  toTagged,
} from './pickler/python-graph.js';
import { FLOAT_EDGES, INT_EDGES, STRING_EDGES } from './pickler/value-model.js';
import { seededRandom as prng } from '../helpers/random.js';

const PICKLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pickles');
const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

interface ManifestEntry {
  file: string;
  case: string;
  protocol: number;
  bytes: number;
  sha256: string;
}
const manifest = JSON.parse(readFileSync(join(PICKLES, 'MANIFEST.json'), 'utf8')) as {
  cases: Record<string, number[]>;
  files: ManifestEntry[];
};

function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PICKLES, file)));
}

function hexWindow(data: Uint8Array, at: number): string {
  const from = Math.max(0, at - 16);
  return `${from}: ${Buffer.from(data.subarray(from, at)).toString('hex')} | ${Buffer.from(data.subarray(at, at + 24)).toString('hex')}`;
}

/** Fails with the first differing byte (and pickletools.dis of both when python3 is here). */
function expectSameBytes(ours: Uint8Array, expected: Uint8Array, label: string): void {
  const at = firstDifference(ours, expected);
  if (at === -1) return;
  expect.fail(
    [
      `${label}: first difference at byte ${at} (ours ${ours.length} bytes, expected ${expected.length})`,
      `ours:     ${hexWindow(ours, at)}`,
      `expected: ${hexWindow(expected, at)}`,
      hasPython() ? explainMismatch(ours, expected) : '',
    ].join('\n'),
  );
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function indexOf(data: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= data.length; i++) {
    for (let j = 0; j < needle.length; j++) if (data[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** `data` with the single occurrence of `from` replaced by `to` (fails unless exactly one). */
function replaceOnce(data: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const at = indexOf(data, from);
  expect(at, `${Buffer.from(from).toString('hex')} occurs in the fixture`).toBeGreaterThanOrEqual(0);
  expect(indexOf(data, from, at + 1), `${Buffer.from(from).toString('hex')} occurs only once`).toBe(-1);
  return concat(data.subarray(0, at), to, data.subarray(at + from.length));
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

// ---- (a) fixtures ------------------------------------------------------------------------------

/** The `strings` fixture's element that JavaScript cannot represent as Python has it. */
const SURROGATE_PAIR_INDEX = 8;
/** How CPython writes the str '\udbff\udc00' (two code points) and how we write U+10FC00. */
function surrogatePairEncodings(protocol: number): { python: Uint8Array; ours: Uint8Array } {
  if (protocol === 0) return { python: ascii('V\\udbff\\udc00\n'), ours: ascii('V\\U0010fc00\n') };
  const python = [0xed, 0xaf, 0xbf, 0xed, 0xb0, 0x80]; // UTF-8 with surrogatepass, 3 bytes each
  const ours = [0xf4, 0x8f, 0xb0, 0x80]; // UTF-8 of U+10FC00
  if (protocol < 4) return { python: concat([0x58, 6, 0, 0, 0], python), ours: concat([0x58, 4, 0, 0, 0], ours) }; // BINUNICODE
  return { python: concat([0x8c, 6], python), ours: concat([0x8c, 4], ours) }; // SHORT_BINUNICODE
}

/** The bytes we must write for the `strings` fixture: the fixture with that one string re-encoded. */
function expectedForStrings(file: Uint8Array, protocol: number): Uint8Array {
  const { python, ours } = surrogatePairEncodings(protocol);
  let expected = replaceOnce(file, python, ours);
  if (protocol >= 4) {
    // One frame holds the whole pickle (PROTO, FRAME <len>, ..., STOP): it is 2 bytes shorter.
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    expect(file[2]).toBe(0x95);
    expect(Number(view.getBigUint64(3, true))).toBe(file.length - 11);
    expected = expected.slice();
    new DataView(expected.buffer).setBigUint64(3, BigInt(expected.length - 11), true);
  }
  return expected;
}

describe('CPython fixtures round-trip byte for byte: dumps(loads(file), { protocol }), also with keepFloatType', () => {
  it('the manifest lists exactly the .pkl files present, with their sizes and hashes', () => {
    const present = readdirSync(PICKLES).filter((name) => name.endsWith('.pkl')).sort();
    expect(manifest.files.map((f) => f.file).sort()).toEqual(present);
    for (const entry of manifest.files) {
      const data = fixture(entry.file);
      expect(entry.file).toBe(`${entry.case}.p${entry.protocol}.pkl`);
      expect(data.length, entry.file).toBe(entry.bytes);
      expect(createHash('sha256').update(data).digest('hex'), entry.file).toBe(entry.sha256);
    }
    expect(manifest.files.length).toBeGreaterThan(300);
  });

  const regular = manifest.files.filter((f) => f.case !== 'strings');
  it.each(regular.map((f) => [f.file, f] as const))('%s', (_, entry) => {
    const file = fixture(entry.file);
    expectSameBytes(dumps(loads(file), { protocol: entry.protocol }), file, entry.file);
    expectSameBytes(dumps(loads(file, { keepFloatType: true }), { protocol: entry.protocol }), file, `${entry.file} (keepFloatType)`);
  });

  describe("strings: the documented exception, '\\udbff\\udc00' (two code points in Python) comes back as '\\U0010fc00'", () => {
    it('the exception covers the strings case at every protocol, and nothing else', () => {
      expect(manifest.cases.strings).toEqual([...PROTOCOLS]);
      expect(manifest.files.length - regular.length).toBe(PROTOCOLS.length);
    });

    it.each(PROTOCOLS.map((p) => [p]))('protocol %i: only that element is written differently', (protocol) => {
      const file = fixture(`strings.p${protocol}.pkl`);
      const loaded = loads(file) as string[];
      expect(loaded).toHaveLength(12);
      expect(loaded[SURROGATE_PAIR_INDEX]).toBe('\udbff\udc00');
      expect(loaded[SURROGATE_PAIR_INDEX]).toBe('\u{10fc00}'); // the same JavaScript string
      const ours = dumps(loaded, { protocol });
      expect(firstDifference(ours, file), 'the fixture itself cannot be reproduced').not.toBe(-1);
      expectSameBytes(ours, expectedForStrings(file, protocol), `strings.p${protocol}.pkl with element 8 as U+10FC00`);
    });
  });
});

describeWithPython('CPython reads our strings fixture output as the fixture, except element 8', () => {
  it('pickle.loads(ours) == fixture value with [8] = "\\U0010fc00", at every protocol', () => {
    const ours = PROTOCOLS.map((p) => {
      const file = fixture(`strings.p${p}.pkl`);
      return { fixture: Buffer.from(file).toString('base64'), ours: Buffer.from(dumps(loads(file), { protocol: p })).toString('base64') };
    });
    const script = `
import base64, json, pickle, sys
out = []
for pair in json.load(sys.stdin):
    original = pickle.loads(base64.b64decode(pair['fixture']))
    mine = pickle.loads(base64.b64decode(pair['ours']))
    assert original[8] == '\\udbff\\udc00' and len(original[8]) == 2
    expected = list(original)
    expected[8] = '\\U0010fc00'
    out.append([mine == expected, [i for i, (a, b) in enumerate(zip(mine, original)) if a != b]])
print(json.dumps(out))
`;
    const answer = JSON.parse(runPython(script, JSON.stringify(ours)).toString('utf8')) as Array<[boolean, number[]]>;
    expect(answer).toEqual(PROTOCOLS.map(() => [true, [SURROGATE_PAIR_INDEX]]));
  });
});

// ---- (c) never longer; repeated equal strings -------------------------------------------------

describeWithPython('never longer than CPython: an equal string repeated as distinct objects', () => {
  const text = 'spam and eggs';
  const value = () => [text, text, tuple(text, 1), { [text]: text }, ['x', text]];
  let distinct: CPythonResult;
  let shared: CPythonResult;
  beforeAll(() => {
    // json gives every occurrence its own str object: CPython writes each; with shareStrings the
    // Python value uses one object throughout, as our pickler (which memoizes by value) assumes.
    [distinct] = cpythonPickles([value()], PROTOCOLS, { allowRepeatedStrings: true });
    [shared] = cpythonPickles([value()], PROTOCOLS, { shareStrings: true });
  });

  it.each(PROTOCOLS.map((p) => [p]))('protocol %i: ours is shorter than CPython (one object per occurrence) and loads equal', (protocol) => {
    const ours = dumps(value(), { protocol });
    const theirs = distinct.pickles.get(protocol)!;
    expect(ours.length).toBeLessThan(theirs.length);
    // Six occurrences in all: CPython writes the text 6 times, we once.
    const occurrences = (data: Uint8Array) => {
      let n = 0;
      for (let at = indexOf(data, ascii(text)); at !== -1; at = indexOf(data, ascii(text), at + 1)) n++;
      return n;
    };
    expect(occurrences(theirs)).toBe(6);
    expect(occurrences(ours)).toBe(1);
    const same = runPython(
      'import base64, pickle, sys; a, b = sys.stdin.read().split(); print(pickle.loads(base64.b64decode(a)) == pickle.loads(base64.b64decode(b)))',
      `${Buffer.from(ours).toString('base64')} ${Buffer.from(theirs).toString('base64')}`,
    );
    expect(same.toString().trim()).toBe('True');
  });

  it.each(PROTOCOLS.map((p) => [p]))('protocol %i: identical to CPython when Python shares the one str object', (protocol) => {
    const report = mismatchReport(`repeated string (one object) p${protocol}`, dumps(value(), { protocol }), shared.pickles.get(protocol)!);
    if (report) expect.fail(report);
  });
});

// ---- (d) targeted cases -------------------------------------------------------------------------

/** Strings are unique within each case (we memoize them by value, CPython by identity). */
let stringSerial = 0;
function uniqueText(length: number, fill = 'x'): string {
  const head = `${(stringSerial++).toString(36)}:`;
  return head.length >= length ? head : head + fill.repeat(length - head.length);
}

/** Unique short strings (1-40 characters, a few non-ASCII) whose lengths add up to `total`. */
function shortStrings(total: number, seed: number, nonAscii = false): string[] {
  const next = prng(seed);
  const out: string[] = [];
  let sum = 0;
  while (sum < total) {
    const length = Math.min(total - sum, 4 + Math.floor(next() * 37));
    out.push(uniqueText(length, nonAscii && next() < 0.3 ? 'é' : 'x'));
    sum += length;
  }
  return out;
}

function pattern(size: number, seed: number): Uint8Array {
  const next = prng(seed);
  return Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
}

/** A str of exactly `utf8Size` UTF-8 bytes made of 2-byte characters (plus one ASCII if odd). */
function twoByteText(utf8Size: number): string {
  return `${(stringSerial++ % 10).toString()}${'é'.repeat((utf8Size - 1) >> 1)}${(utf8Size - 1) % 2 ? 'z' : ''}`;
}

interface TargetedCase {
  name: string;
  make: () => unknown;
}

function targetedCases(): TargetedCase[] {
  const cases: TargetedCase[] = [];
  const add = (name: string, make: () => unknown) => cases.push({ name, make });

  // Frames at protocol 4/5 crossing 64 KiB in many ways.
  for (let total = 65536 - 700; total <= 65536 + 300; total += 53) {
    add(`frame: short strings totalling ${total} characters`, () => shortStrings(total, total));
  }
  for (const total of [65000, 65530, 65536, 65540, 131072, 200_000]) {
    add(`frame: short non-ASCII strings totalling ${total} characters`, () => shortStrings(total, total + 1, true));
  }
  for (const n of [21840, 21843, 21845, 21846, 21848]) {
    add(`frame: ${n} BININT2 ints in one list (about 64 KiB)`, () => Array.from({ length: n }, (_, i) => 256 + i));
  }
  add('frame: nested lists of ints crossing 64 KiB several times', () =>
    Array.from({ length: 70 }, (_, j) => Array.from({ length: 997 + j }, (_, i) => (i * 31 + j) % 70000)),
  );
  add('frame: a tuple of dicts crossing 64 KiB', () =>
    Tuple.from(Array.from({ length: 40 }, (_, j) => Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`d${j}_${i}`, i * j - 5000])))),
  );
  for (const size of [65535, 65536, 65537]) {
    add(`large: bytes of ${size} inside a list`, () => [1, pattern(size, size), 'after' + size]);
    add(`large: bytes of ${size} at top level`, () => pattern(size, size + 1));
    add(`large: ASCII str of ${size} inside a list`, () => [uniqueText(3), uniqueText(size, 'a'), 2]);
    add(`large: str of ${size} UTF-8 bytes (2-byte characters) inside a list`, () => [twoByteText(size), null]);
    add(`large: bytearray of ${size} inside a list`, () => [PyByteArray.fromBytes(pattern(size, size + 2)), true]);
    add(`large: short strings up to 65530 then bytes of ${size}`, () => [...shortStrings(65530, size), pattern(size, size + 3), 'tail' + size]);
    add(`large: dict value and Map key of ${size} bytes`, () => [{ k: pattern(size, size + 4) }, new Map([[pattern(size, size + 5), 1]])]);
  }
  add('large: several large values in a row', () => [
    pattern(65536, 1),
    pattern(65536, 2),
    uniqueText(70000, 'q'),
    'small',
    PyByteArray.fromBytes(pattern(70000, 3)),
    pattern(65535, 4),
    [uniqueText(65537, 'r'), pattern(100_000, 5)],
    twoByteText(65536),
    pattern(65537, 6),
  ]);
  add('large: alone in a list, a tuple, a dict, a Map key and a frozenset (tiny frames dropped)', () => {
    const big = (seed: number) => pattern(65536, seed);
    return [[big(10)], tuple(big(11)), { only: big(12) }, new Map([[big(13), null]]), new PyFrozenSet([big(14)])];
  });
  add('large: a list holding only one large bytes, at top level', () => [pattern(65536, 20)]);
  add('large: str with astral characters and lone surrogates of about 64 KiB', () => [
    `${uniqueText(2)}${'😀\ud800'.repeat(9362)}`, // 7 UTF-8 bytes each
    `${uniqueText(2)}${'中\udfff'.repeat(10923)}`,
  ]);

  // Scalars at their encoding boundaries.
  add('scalars: ints at every width boundary (BININT1/2, BININT, LONG1/LONG4, I/L at protocol 0-1)', () => [...INT_EDGES, ...INT_EDGES.filter((v) => Number.isSafeInteger(Number(v))).map(Number)]);
  add('scalars: float edges, as numbers and as PyFloat', () => [...FLOAT_EDGES, ...FLOAT_EDGES.map((v) => pyFloat(v))]);
  add('scalars: string edges (escapes, non-ASCII, astral, lone surrogates)', () => [...STRING_EDGES]);

  // Batch boundaries (BATCHSIZE 1000).
  for (const n of [999, 1000, 1001, 1999, 2000, 2001]) {
    add(`batch: list of ${n}`, () => Array.from({ length: n }, (_, i) => i));
    add(`batch: tuple of ${n}`, () => Tuple.from(Array.from({ length: n }, (_, i) => -i)));
    add(`batch: dict of ${n} str keys`, () => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${n}_${i}`, i])));
    add(`batch: dict of ${n} int keys (Map)`, () => new Map(Array.from({ length: n }, (_, i) => [i * 3 - 500, null])));
    add(`batch: set of ${n} ints`, () => new Set(Array.from({ length: n }, (_, i) => i * 5 - 2000)));
    add(`batch: set of ${n} strings`, () => new Set(Array.from({ length: n }, (_, i) => `s${n}_${i}`)));
    add(`batch: frozenset of ${n} ints`, () => new PyFrozenSet(Array.from({ length: n }, (_, i) => i)));
    add(`batch: list of ${n} lists`, () => Array.from({ length: n }, (_, i) => [i]));
  }

  // Recursion and cycles.
  add('cycle: recursive list [l]', () => {
    const l: unknown[] = [];
    l.push(l);
    return l;
  });
  add('cycle: [t] where t = ([t],)', () => {
    const inner: unknown[] = [];
    const t = tuple(inner);
    inner.push(t);
    return [t];
  });
  add('cycle: t = ([t],) at top level', () => {
    const inner: unknown[] = [];
    const t = tuple(inner);
    inner.push(t);
    return t;
  });
  add('cycle: t = ([t], "b", "c", "d") (MARK TUPLE path)', () => {
    const inner: unknown[] = [];
    const t = tuple(inner, 'b', 'c', 'd');
    inner.push(t);
    return [t, t];
  });
  add('cycle: t = ({"self": t}, 2) through a dict', () => {
    const d: Record<string, unknown> = {};
    const t = tuple(d, 2);
    d.self = t;
    return [t];
  });
  add('cycle: l = [(l, 1)]', () => {
    const l: unknown[] = [];
    l.push(tuple(l, 1));
    return l;
  });
  add('cycle: dict containing itself', () => {
    const d: Record<string, unknown> = { name: 'd' };
    d.self = d;
    return d;
  });
  add('cycle: Map containing itself', () => {
    const m = new Map<unknown, unknown>([[1, 'one']]);
    m.set(tuple(2, 3), m);
    return [m, m];
  });
  add('cycle: deep list chain back to the root', () => {
    const root: unknown[] = [];
    let at = root;
    for (let i = 0; i < 50; i++) {
      const next: unknown[] = [i];
      at.push(next);
      at = next;
    }
    at.push(root);
    return root;
  });

  // Memo beyond 255 entries: LONG_BINPUT (protocols 1-3) and LONG_BINGET.
  add('memo: the same dict referenced 300 times', () => {
    const d = { a: 1 };
    return Array.from({ length: 300 }, () => d);
  });
  add('memo: 300 lists, then the same dict 300 times (LONG_BINGET)', () => {
    const d = { shared: 'yes' };
    return [...Array.from({ length: 300 }, (_, i) => [i]), ...Array.from({ length: 300 }, () => d)];
  });
  add('memo: 300 lists and them again reversed', () => {
    const lists = Array.from({ length: 300 }, (_, i) => [i]);
    return [lists, [...lists].reverse()];
  });
  add('memo: 400 strings, tuples and bytes, then shared again', () => {
    const strs = Array.from({ length: 400 }, (_, i) => `str${i}`);
    const tuples = Array.from({ length: 300 }, (_, i) => tuple(i, -i));
    const blobs = Array.from({ length: 300 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7));
    return [strs, tuples, blobs, tuples[299], blobs[299], tuples[0], blobs[0]];
  });
  add('memo: 70000 memo entries (index beyond 65535)', () => {
    const lists = Array.from({ length: 70000 }, (_, i) => [i]);
    return [lists, lists[69999], lists[65536], lists[256]];
  });
  add('shared: tuple, bytes, bytearray, set, frozenset referenced twice', () => {
    const t = tuple(1, 'two');
    const b = Uint8Array.of(1, 2, 3);
    const ba = PyByteArray.fromBytes([4, 5]);
    const s = new Set([1, 2]);
    const f = new PyFrozenSet([tuple(9, 8), 7]);
    return [t, b, ba, s, f, t, b, ba, s, f, new Set([t, f])];
  });

  // Below protocol 3 bytes are _codecs.encode(text, 'latin1'): a fresh text per bytes object,
  // never the value's equal string, except one-character texts, which CPython caches.
  add('bytes below protocol 3: fresh Latin-1 texts', () => {
    const text = 'ab\xff';
    const b = Uint8Array.of(0x61, 0x62, 0xff);
    return [b, text, Uint8Array.of(0x61, 0x62, 0xff), PyByteArray.fromBytes([0x61, 0x62, 0xff]), b, Uint8Array.of(0x79), 'y'];
  });
  // Every byte value, in runs of one- and two-byte characters, ending on each kind.
  add('bytes below protocol 3: every byte value', () => [
    Uint8Array.from({ length: 600 }, (_, i) => (i * 37) & 0xff),
    Uint8Array.from({ length: 513 }, (_, i) => (i * 37) & 0xff),
    Uint8Array.of(0x80, 0x7f, 0xc3, 0xff, 0x00),
  ]);

  // Empty and one-element containers, alone and nested.
  const small: Array<[string, () => unknown]> = [
    ['[]', () => []],
    ['[1]', () => [1]],
    ['()', () => tuple()],
    ['(1,)', () => tuple(1)],
    ['(1, 2)', () => tuple(1, 2)],
    ['(1, 2, 3)', () => tuple(1, 2, 3)],
    ['(1, 2, 3, 4)', () => tuple(1, 2, 3, 4)],
    ['{}', () => ({})],
    ["{'a': 1}", () => ({ a: 1 })],
    ['{} as Map', () => new Map()],
    ['{1: 2}', () => new Map([[1, 2]])],
    ['set()', () => new Set()],
    ['{1}', () => new Set([1])],
    ['frozenset()', () => new PyFrozenSet()],
    ['frozenset({1})', () => new PyFrozenSet([1])],
    ["b''", () => new Uint8Array()],
    ["b'x'", () => Uint8Array.of(0x78)],
    ['bytearray()', () => new PyByteArray()],
    ["bytearray(b'x')", () => PyByteArray.fromBytes([0x78])],
    ["''", () => ''],
    // Not 'x': below protocol 3 b'x' is written as _codecs.encode('x', 'latin1'), and that 'x' is
    // another Python object than the value's own 'x' (CPython writes both, we memoize by value).
    ["'z'", () => 'z'],
    ['None', () => null],
    ['True', () => true],
    ['2.0', () => pyFloat(2)],
    ['-0.0', () => -0],
  ];
  for (const [label, make] of small) add(`small: ${label}`, make);
  add('small: all of them in one list', () => small.map(([, make]) => make()));
  add('small: all of them nested in one-element lists', () => small.map(([, make]) => [make()]));
  add('small: all of them in one-element tuples', () => small.map(([, make]) => tuple(make())));
  return cases;
}

describeWithPython('targeted cases equal CPython at every protocol', () => {
  const cases = targetedCases();
  const values = cases.map((c) => c.make());
  let results: CPythonResult[];
  beforeAll(() => {
    results = cpythonPickles(values, PROTOCOLS); // one python3 run; reorders the sets in place
  }, 120_000);

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (name, i) => {
    const failures: string[] = [];
    for (const protocol of PROTOCOLS) {
      const ours = dumps(values[i], { protocol });
      const report = mismatchReport(`${name} at protocol ${protocol}`, ours, results[i]!.pickles.get(protocol)!, toTagged(values[i]).tagged);
      if (report) failures.push(report);
    }
    if (failures.length > 0) expect.fail(failures.join('\n\n'));
  });
});

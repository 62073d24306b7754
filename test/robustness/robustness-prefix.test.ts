// Robustness property 1: every strict prefix of a valid pickle is rejected with an
// UnpicklingError coded TRUNCATED (never another error, never a value), for the committed robustness corpus
// (test/robustness/corpus, written by test/robustness/make-corpus.py) and for every interop
// fixture under test/fixtures/pickles, globbed when the tests run.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loads, UnpicklingError } from '../../src/index.js';
import {
  corpusFiles,
  describeError,
  FIXTURE_DIR,
  fixtureFiles,
  type PickleFile,
  pickleEnd,
  prng,
  scanOpcodes,
} from './util.js';

/** Files up to this size get every prefix; larger ones a head, a tail and a seeded sample. */
const ALL_PREFIXES_UP_TO = 4096;
const HEAD = 2048;
const TAIL = 2048;
const SAMPLE = 256;
/**
 * Work allowed for one file: a prefix of length L costs 1 + (opcodes starting before L) + L/64
 * (protocol 0 argument lines are scanned and decoded whole). Large protocol 0 fixtures would
 * otherwise cost seconds each; beyond the budget the first 512 and last 32 prefixes stay and a
 * seeded subset of the others fills the budget.
 */
const WORK_BUDGET = 150_000;
const ALWAYS_HEAD = 512;
const ALWAYS_TAIL = 32;

/** The prefix lengths tested for a pickle whose opcodes start at `starts` and which ends at `end`. */
function prefixLengths(starts: readonly number[], end: number, seed: number, budget = WORK_BUDGET): number[] {
  const lengths = new Set<number>();
  if (end <= ALL_PREFIXES_UP_TO) {
    for (let i = 0; i < end; i++) lengths.add(i);
  } else {
    for (let i = 0; i < HEAD; i++) lengths.add(i);
    for (let i = end - TAIL; i < end; i++) lengths.add(i);
    const random = prng(seed);
    for (let i = 0; i < SAMPLE; i++) lengths.add(Math.floor(random() * end));
  }
  const sorted = [...lengths].sort((a, b) => a - b);
  const cost = (length: number): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < length) lo = mid + 1;
      else hi = mid;
    }
    return 1 + lo + length / 64;
  };
  let total = sorted.reduce((sum, length) => sum + cost(length), 0);
  if (total <= budget) return sorted;
  const kept = sorted.filter((length) => length < ALWAYS_HEAD || length >= end - ALWAYS_TAIL);
  total = kept.reduce((sum, length) => sum + cost(length), 0);
  const rest = sorted.filter((length) => length >= ALWAYS_HEAD && length < end - ALWAYS_TAIL);
  const random = prng(seed ^ 0x9e3779b9);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  for (const length of rest) {
    if (total + cost(length) > budget) continue;
    total += cost(length);
    kept.push(length);
  }
  return kept.sort((a, b) => a - b);
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Loads every tested prefix of `data[0, end)` and returns a line for each that did not fail
 * with an UnpicklingError located inside the prefix. Odd lengths are loaded from a view at a
 * nonzero byteOffset whose buffer continues with the rest of the pickle, so reading past the
 * view's end would turn the prefix back into a valid pickle.
 */
function checkPrefixes(file: PickleFile): { tested: number; problems: string[] } {
  const scan = scanOpcodes(file.data)!;
  const end = scan.end;
  const problems: string[] = [];
  const lengths = prefixLengths(scan.starts, end, seedOf(file.name));
  const shifted = new Uint8Array(end + 7);
  shifted.set(file.data.subarray(0, end), 7);
  for (const length of lengths) {
    const prefix = length % 2 === 0 ? file.data.subarray(0, length) : new Uint8Array(shifted.buffer, 7, length);
    let outcome: string | undefined;
    try {
      loads(prefix);
      outcome = 'loaded a value';
    } catch (error) {
      if (!(error instanceof UnpicklingError)) {
        outcome = `threw ${describeError(error)}`;
      } else if (error.offset === undefined || error.offset < 0 || error.offset > length) {
        outcome = `UnpicklingError with offset ${error.offset} outside the prefix: ${error.message}`;
      } else if (error.code !== 'TRUNCATED') {
        // A stream reader tells "wait for more bytes" from "corrupt" by this code alone.
        outcome = `UnpicklingError coded ${error.code}, not TRUNCATED: ${error.message}`;
      }
    }
    if (outcome !== undefined) problems.push(`prefix of ${length}/${end} bytes ${outcome}`);
  }
  return { tested: lengths.length, problems };
}

describe('robustness: strict prefixes of valid pickles', () => {
  const corpus = corpusFiles();
  const fixtures = fixtureFiles();

  it('has a corpus to cut', () => {
    // make-corpus.py writes 189 files covering protocols 0-5.
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      expect(corpus.filter((f) => f.name.endsWith(`-p${protocol}.pkl`)).length).toBeGreaterThan(20);
    }
    if (existsSync(FIXTURE_DIR)) expect(fixtures.length).toBeGreaterThanOrEqual(100);
  });

  it('picks every prefix of small files and head, tail and a sample of large ones', () => {
    const sparse = (end: number) => Array.from({ length: Math.ceil(end / 1000) }, (_, i) => i * 1000);
    expect(prefixLengths([0, 1, 2], 3, 1)).toEqual([0, 1, 2]);
    expect(prefixLengths(sparse(4096), 4096, 1, Infinity)).toHaveLength(4096);
    const large = prefixLengths(sparse(5000), 5000, 1, Infinity);
    expect(large.slice(0, HEAD)).toEqual(Array.from({ length: HEAD }, (_, i) => i));
    expect(large.slice(-TAIL)).toEqual(Array.from({ length: TAIL }, (_, i) => 5000 - TAIL + i));
    expect(large.length).toBeGreaterThan(HEAD + TAIL + 20); // samples between head and tail
    expect(prefixLengths(sparse(5000), 5000, 1, Infinity)).toEqual(large); // seeded: the same every run
    // An opcode-dense large file is thinned to the budget but keeps its first and last prefixes.
    const dense = Array.from({ length: 5000 }, (_, i) => i * 2);
    const thinned = prefixLengths(dense, 10_000, 1, 400_000);
    expect(thinned.length).toBeLessThan(HEAD + TAIL);
    expect(thinned.slice(0, ALWAYS_HEAD)).toEqual(Array.from({ length: ALWAYS_HEAD }, (_, i) => i));
    expect(thinned.slice(-ALWAYS_TAIL)).toEqual(Array.from({ length: ALWAYS_TAIL }, (_, i) => 10_000 - ALWAYS_TAIL + i));
    expect(thinned.length).toBeGreaterThan(ALWAYS_HEAD + ALWAYS_TAIL);
  });

  describe('robustness corpus', () => {
    it.each(corpus.map((f) => [f.name, f] as const))('%s', (_name, file) => {
      // Each corpus file is exactly one complete pickle that loads without options.
      expect(pickleEnd(file.data)).toBe(file.data.length);
      expect(() => loads(file.data)).not.toThrow();
      const { tested, problems } = checkPrefixes(file);
      expect(tested).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });
  });

  describe('interop fixtures (test/fixtures/pickles)', () => {
    // A fixture that is not even a well-formed opcode stream (a deliberately broken one) has no
    // "valid pickle" to cut; every other one is cut at the end of its first pickle.
    const cut = fixtures
      .map((file) => ({ file, end: pickleEnd(file.data) }))
      .filter((entry): entry is { file: PickleFile; end: number } => entry.end !== undefined);

    it('finds the end of nearly every fixture with the opcode table alone', () => {
      if (fixtures.length === 0) return;
      expect(cut.length).toBeGreaterThanOrEqual(Math.ceil(fixtures.length * 0.9));
    });

    if (cut.length === 0) return;
    it.each(cut.map((entry) => [entry.file.name, entry.file] as const))('%s', (_name, file) => {
      const { tested, problems } = checkPrefixes(file);
      expect(tested).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });
  });
});

// Which equal strings the pickler shares through the memo: the `shareStrings` option. `'recent'`
// (default) shares long strings always and short ones within a window of recent strings; `'all'`
// shares every equal string. Both load to the same values; they differ only in size.
import { describe, expect, it } from 'vitest';
import { dumps, loads, Pickler, PicklingError } from '../../src/index.js';
import { CHECK_EVERY, RECENT_STRINGS, SAMPLE_EVERY, SHARED_LENGTH, StringMemo, WIDEN_BY } from '../../src/codec/string-memo.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

/** How many times `text` (as UTF-8) occurs in `data`. */
function occurrences(data: Uint8Array, text: string): number {
  const buffer = Buffer.from(data);
  const needle = Buffer.from(text, 'utf8');
  let n = 0;
  for (let at = buffer.indexOf(needle); at !== -1; at = buffer.indexOf(needle, at + 1)) n++;
  return n;
}

/** `count` distinct short strings that contain no other test string. */
function distinctStrings(count: number, prefix = 'u'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

describe('StringMemo', () => {
  it('finds a short string while it is among the last one to two windows of strings', () => {
    const memo = new StringMemo(3);
    memo.add('a', 0);
    memo.add('b', 1);
    memo.add('c', 2);
    memo.add('d', 3); // turns over: a, b, c are the older generation
    expect(memo.find('b')).toBe(1); // found, and moved back into the recent generation
    memo.add('e', 4); // recent: d, b, e
    memo.add('f', 5); // turns over: a and c are forgotten
    expect(memo.find('a')).toBeUndefined();
    expect(memo.find('c')).toBeUndefined();
    expect([memo.find('b'), memo.find('d'), memo.find('e'), memo.find('f')]).toEqual([1, 3, 4, 5]);
  });

  it('keeps strings of SHARED_LENGTH units or more for good, and every string with an infinite window', () => {
    const long = 'L'.repeat(SHARED_LENGTH);
    const shortOfLong = 'S'.repeat(SHARED_LENGTH - 1);
    const windowed = new StringMemo(2);
    const everything = new StringMemo(Infinity);
    for (const memo of [windowed, everything]) {
      memo.add(long, 0);
      memo.add(shortOfLong, 1);
      distinctStrings(100).forEach((text, i) => memo.add(text, i + 2));
    }
    expect(windowed.find(long)).toBe(0);
    expect(windowed.find(shortOfLong)).toBeUndefined();
    expect(everything.find(long)).toBe(0);
    expect(everything.find(shortOfLong)).toBe(1);
    expect(everything.find('u0')).toBe(2);
  });

  it('keeps its size while strings do not come back from beyond it (each is new, or recent)', () => {
    // Keys come back after 100 strings, within one window of 128: always recent.
    const memo = new StringMemo(128);
    let index = 0;
    for (let round = 0; round < 50; round++) {
      for (const key of ['id', 'name']) if (memo.find(key) === undefined) memo.add(key, index++);
      for (const text of distinctStrings(100, `r${round}-`)) memo.add(text, index++);
    }
    expect(memo.window).toBe(128);
    expect(memo.find('r0-0')).toBeUndefined();
    expect(memo.find('id')).toBe(0);
  });

  it('widens while sampled strings come back from beyond it, until it holds what comes back', () => {
    const start = 16;
    const memo = new StringMemo(start);
    const vocabulary = distinctStrings(4 * SAMPLE_EVERY * CHECK_EVERY, 'v');
    const indexOf = new Map<string, number>();
    let next = 0;
    let added = 0;
    // The vocabulary over and over: every string comes back from beyond the window while it is
    // narrower than the vocabulary. A string found must be found with the index it was written as.
    for (let pass = 0; pass < 30; pass++) {
      added = 0;
      for (const text of vocabulary) {
        const found = memo.find(text);
        if (found !== undefined) expect(found).toBe(indexOf.get(text));
        else {
          memo.add(text, next);
          indexOf.set(text, next++);
          added++;
        }
      }
    }
    expect(memo.window).toBeGreaterThanOrEqual(vocabulary.length / 2);
    expect(memo.window).toBeLessThanOrEqual(vocabulary.length * WIDEN_BY);
    expect(added).toBe(0); // the last pass found every string
  });

  it('a growing working set, each string used once a generation, does not pile up in a shut window', () => {
    // Row r uses every string of the rows before it, then 40 new ones. Each is found in the older
    // generation and moved back; moving back counts towards the turn-over, so as the set outgrows
    // the window, strings leave it, come back, are seen in the sample, and the window widens.
    const memo = new StringMemo(64);
    const seen: string[] = [];
    let next = 0;
    for (let row = 0; row < 200; row++) {
      for (const text of seen) if (memo.find(text) === undefined) memo.add(text, next++);
      for (const text of distinctStrings(40, `r${row}-`)) {
        memo.add(text, next++);
        seen.push(text);
      }
    }
    expect(memo.window).toBeGreaterThan(64);
  });

  it('one string coming back in step with the checks counts once, and does not widen it', () => {
    // Unique strings, and a marker every 2 * 31 of them: a period the checks can keep step with.
    for (let offset = 0; offset < SAMPLE_EVERY * CHECK_EVERY; offset += 7) {
      const memo = new StringMemo(16);
      let next = 0;
      for (let i = 0; i < offset; i++) memo.add(`pre${i}`, next++);
      for (let i = 0; i < 200 * 2 * CHECK_EVERY; i++) {
        const text = i % (2 * CHECK_EVERY) === 0 ? 'MARKER' : `u${i}`;
        if (memo.find(text) === undefined) memo.add(text, next++);
      }
      expect(memo.window, `offset ${offset}`).toBe(16);
    }
  });

  it('copy() is independent of the original', () => {
    const memo = new StringMemo(2);
    memo.add('a', 0);
    memo.add('L'.repeat(SHARED_LENGTH), 1);
    const copy = memo.copy();
    memo.add('b', 2);
    memo.add('c', 3);
    memo.add('d', 4);
    memo.add('e', 5); // `a` has left the original's window
    expect(memo.find('a')).toBeUndefined();
    expect(copy.find('a')).toBe(0);
    expect(copy.find('b')).toBeUndefined();
    expect(copy.find('L'.repeat(SHARED_LENGTH))).toBe(1);
  });
});

describe('shareStrings', () => {
  const far = (text: string) => [text, ...distinctStrings(3 * RECENT_STRINGS), text];

  it.each(PROTOCOLS)("protocol %i: 'recent' writes a short string again once it has left the window; 'all' fetches it", (protocol) => {
    const text = 'far-apart text';
    const recent = dumps(far(text), { protocol });
    const all = dumps(far(text), { protocol, shareStrings: 'all' });
    expect(occurrences(recent, text)).toBe(2);
    expect(occurrences(all, text)).toBe(1);
    expect(all.length).toBeLessThan(recent.length);
    expect(loads(recent)).toEqual(far(text));
    expect(loads(all)).toEqual(far(text));
  });

  it.each(PROTOCOLS)('protocol %i: a long string is shared however far apart, and a hot short one stays shared', (protocol) => {
    const long = `long ${'x'.repeat(SHARED_LENGTH)}`;
    const records = Array.from({ length: 3 * RECENT_STRINGS }, (_, i) => ({ hotKey: i, name: `n${i}` }));
    const value = [long, records, long];
    const data = dumps(value, { protocol });
    expect(occurrences(data, long)).toBe(1);
    expect(occurrences(data, 'hotKey')).toBe(1);
    expect(loads(data)).toEqual(value);
  });

  it('a string fetched from the older generation stays shared through later windows', () => {
    // Used once per window's worth of distinct strings: each use moves it back to the recent generation.
    const value: string[] = [];
    for (let round = 0; round < 5; round++) value.push('returning', ...distinctStrings(RECENT_STRINGS, `r${round}-`));
    const data = dumps(value);
    expect(occurrences(data, 'returning')).toBe(1);
    expect(loads(data)).toEqual(value);
  });

  it.each([2, 4])('protocol %i: a vocabulary wider than the window, used over and over, is written about once', (protocol) => {
    // The far-reuse case: 3 windows' worth of distinct strings, cycled five times. Once the window
    // widens (early in the second cycle) it holds them all: those the first cycle left behind are
    // written a second time, and then never again. Unwidened, it would write all five cycles.
    const vocabulary = distinctStrings(3 * RECENT_STRINGS, 'word');
    const value = [...vocabulary, ...vocabulary, ...vocabulary, ...vocabulary, ...vocabulary];
    const recent = dumps(value, { protocol });
    const all = dumps(value, { protocol, shareStrings: 'all' });
    const once = dumps(vocabulary, { protocol });
    expect(recent.length).toBeGreaterThan(all.length);
    expect(recent.length).toBeLessThan(all.length + once.length);
    expect(occurrences(recent, 'word4000')).toBe(2);
    expect(occurrences(all, 'word4000')).toBe(1);
    expect(loads(recent)).toEqual(value);
  });

  it('refuses anything but recent or all', () => {
    expect(() => dumps('x', { shareStrings: 'none' as 'all' })).toThrow(PicklingError);
    expect(() => new Pickler({ shareStrings: 'none' as 'all' })).toThrow(/shareStrings must be 'recent' or 'all', not none/);
  });
});

describeWithPython('shareStrings against CPython', () => {
  it('records with shared keys and tags and unique names: identical to CPython either way, beyond the window', () => {
    // As Python data usually is: dict keys and the tag strings are shared objects, each name its own.
    const hexes = runPython(`
import pickle, random
rng = random.Random(7)
tags = ['red', 'green', 'blue', 'new', 'sale']
long = 'description ' * 40
value = [{'id': i, 'name': f'user{i:06d}', 'score': rng.random() * 100, 'tags': rng.sample(tags, 2),
          'note': long if i % 1000 == 0 else None} for i in range(${3 * RECENT_STRINGS})]
print(' '.join(pickle.dumps(value, p).hex() for p in range(6)))
`)
      .toString()
      .trim()
      .split(' ');
    for (const protocol of PROTOCOLS) {
      const theirs = Buffer.from(hexes[protocol]!, 'hex');
      const value = loads(theirs);
      expect(Buffer.from(dumps(value, { protocol })).equals(theirs), `protocol ${protocol}, recent`).toBe(true);
      expect(Buffer.from(dumps(value, { protocol, shareStrings: 'all' })).equals(theirs), `protocol ${protocol}, all`).toBe(true);
    }
  });

  it("a vocabulary of shared str objects wider than the window, used over and over: 'all' is CPython's bytes, 'recent' stays close", () => {
    const theirs = Buffer.from(
      runPython(`
import pickle
words = [f'{i:05d}' + 'é' * 40 for i in range(${3 * RECENT_STRINGS})]
print(pickle.dumps(words * 6, 4).hex())
`)
        .toString()
        .trim(),
      'hex',
    );
    const value = loads(theirs) as string[];
    expect(Buffer.from(dumps(value, { shareStrings: 'all' })).equals(theirs)).toBe(true);
    const recent = dumps(value);
    // Shut for good, it would write the vocabulary six times over.
    expect(recent.length).toBeLessThan(theirs.length * 1.6);
    expect(loads(recent)).toEqual(value);
  });

  it("one str object far apart: 'all' is identical to CPython, 'recent' writes it twice and Python loads the same value", () => {
    const count = 3 * RECENT_STRINGS;
    const script = `
import pickle, sys
shared = 'shared ' + 'text'
value = [shared] + [f'u{i}' for i in range(${count})] + [shared]
theirs = pickle.dumps(value, 4)
ours = [bytes.fromhex(h) for h in sys.stdin.read().split()]
print(theirs.hex(), *(pickle.loads(o) == value for o in ours))
`;
    const value = ['shared text', ...distinctStrings(count), 'shared text'];
    const recent = dumps(value);
    const all = dumps(value, { shareStrings: 'all' });
    const [theirs, recentEqual, allEqual] = runPython(script, `${Buffer.from(recent).toString('hex')} ${Buffer.from(all).toString('hex')}`)
      .toString()
      .trim()
      .split(' ');
    expect([recentEqual, allEqual]).toEqual(['True', 'True']);
    expect(Buffer.from(all).toString('hex')).toBe(theirs);
    expect(recent.length).toBeGreaterThan(all.length);
  });
});

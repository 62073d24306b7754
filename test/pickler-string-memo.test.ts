// Which equal strings the pickler shares through the memo: the `shareStrings` option. `'recent'`
// (default) shares long strings always and short ones within a window of recent strings; `'all'`
// shares every equal string. Both load to the same values; they differ only in size.
import { describe, expect, it } from 'vitest';
import { dumps, loads, Pickler, PicklingError } from '../src/index.js';
import { RECENT_STRINGS, SHARED_LENGTH, StringMemo } from '../src/string-memo.js';
import { describeWithPython, runPython } from './helpers/python.js';

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
    memo.set('a', 0);
    memo.set('b', 1);
    memo.set('c', 2);
    memo.set('d', 3); // turns over: a, b, c are the older generation
    expect(memo.get('b')).toBe(1); // found, and moved back into the recent generation
    memo.set('e', 4); // recent: d, b, e
    memo.set('f', 5); // turns over: a and c are forgotten
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('c')).toBeUndefined();
    expect([memo.get('b'), memo.get('d'), memo.get('e'), memo.get('f')]).toEqual([1, 3, 4, 5]);
  });

  it('keeps strings of SHARED_LENGTH units or more for good, and every string with an infinite window', () => {
    const long = 'L'.repeat(SHARED_LENGTH);
    const shortOfLong = 'S'.repeat(SHARED_LENGTH - 1);
    const windowed = new StringMemo(2);
    const everything = new StringMemo(Infinity);
    for (const memo of [windowed, everything]) {
      memo.set(long, 0);
      memo.set(shortOfLong, 1);
      distinctStrings(100).forEach((text, i) => memo.set(text, i + 2));
    }
    expect(windowed.get(long)).toBe(0);
    expect(windowed.get(shortOfLong)).toBeUndefined();
    expect(everything.get(long)).toBe(0);
    expect(everything.get(shortOfLong)).toBe(1);
    expect(everything.get('u0')).toBe(2);
  });

  it('copy() is independent of the original', () => {
    const memo = new StringMemo(2);
    memo.set('a', 0);
    memo.set('L'.repeat(SHARED_LENGTH), 1);
    const copy = memo.copy();
    memo.set('b', 2);
    memo.set('c', 3);
    memo.set('d', 4);
    memo.set('e', 5); // `a` has left the original's window
    expect(memo.get('a')).toBeUndefined();
    expect(copy.get('a')).toBe(0);
    expect(copy.get('b')).toBeUndefined();
    expect(copy.get('L'.repeat(SHARED_LENGTH))).toBe(1);
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

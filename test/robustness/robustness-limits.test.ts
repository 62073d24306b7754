// Robustness properties 3, 4 and 5: resource limits on hostile input.
//   3. a ~20-byte input claiming a gigantic string, bytes, bytearray or frame fails at once with
//      an UnpicklingError and allocates nothing in proportion to the claim;
//   4. 100 000-deep nested lists, tuples, dicts, frozensets and objects load without a stack
//      overflow, and a deep graph survives a dict changing representation underneath it;
//   5. a 2^100-leaf memo graph (100 levels of [x, x]) loads as a shared graph of 101 lists.
// Time is asserted only as a hang guard, with limits far beyond what the work needs.
import { describe, expect, it } from 'vitest';
import { loads, PyFrozenSet, PyObject, Tuple, tuple, UnpicklingError } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { attempt, checkValueModel, concat, describeError, latin1, le, toHex } from './util.js';

const MB = 1024 * 1024;

function memory(): { rss: number; arrayBuffers: number } {
  const { rss, arrayBuffers } = process.memoryUsage();
  return { rss, arrayBuffers };
}

/** Runs `fn` and returns what it threw (failing when it returned instead). */
function thrown(fn: () => unknown): unknown {
  const outcome = attempt(fn);
  if (outcome.ok) throw new Error('expected an UnpicklingError, but a value was loaded');
  return outcome.error;
}

function expectUnpicklingError(fn: () => unknown, opcode?: string, offset?: number): UnpicklingError {
  const error = thrown(fn);
  if (!(error instanceof UnpicklingError)) throw new Error(`expected an UnpicklingError, got ${describeError(error)}`);
  if (opcode !== undefined) expect(error.opcode).toBe(opcode);
  if (offset !== undefined) expect(error.offset).toBe(offset);
  return error;
}

/** Milliseconds `fn` took, and its outcome. */
function timed(fn: () => unknown): { ms: number; outcome: ReturnType<typeof attempt> } {
  const started = performance.now();
  const outcome = attempt(fn);
  return { ms: performance.now() - started, outcome };
}

const PAYLOAD = latin1('abcdefgh.');

describe('robustness: claimed lengths far beyond the input', () => {
  const eightByte = [
    ['BINUNICODE8', 0x8d],
    ['BINBYTES8', 0x8e],
    ['BYTEARRAY8', 0x96],
    ['FRAME', 0x95],
  ] as const;
  const hugeLengths = [2n ** 62n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 2n ** 53n, 2n ** 53n - 1n, 2n ** 52n, 2n ** 32n, 2n ** 31n, 10n];

  const cases: Array<{ label: string; data: Uint8Array; opcode: string }> = [];
  for (const [name, code] of eightByte) {
    for (const length of hugeLengths) {
      cases.push({ label: `${name} ${length}`, data: concat(Uint8Array.of(0x80, 5, code), le(length, 8), PAYLOAD), opcode: name });
    }
  }
  for (const [name, code] of [['BINUNICODE', 0x58], ['BINBYTES', 0x42], ['BINSTRING', 0x54], ['LONG4', 0x8b]] as const) {
    for (const length of [0xffffffff, 0x7fffffff, 0x80000000, 0x10000]) {
      cases.push({ label: `${name} ${length}`, data: concat(Uint8Array.of(0x80, 5, code), le(length, 4), PAYLOAD), opcode: name });
    }
  }
  for (const [name, code] of [['SHORT_BINUNICODE', 0x8c], ['SHORT_BINBYTES', 0x43], ['SHORT_BINSTRING', 0x55], ['LONG1', 0x8a]] as const) {
    cases.push({ label: `${name} 255`, data: concat(Uint8Array.of(0x80, 5, code, 0xff), PAYLOAD), opcode: name });
  }

  it('the inputs are about 20 bytes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const { data } of cases) expect(data.length).toBeLessThanOrEqual(21);
  });

  it.each(cases.map((c) => [c.label, c] as const))('%s fails with an UnpicklingError at the opcode', (_label, { data, opcode }) => {
    const error = expectUnpicklingError(() => loads(data), opcode, 2);
    expect(error.message).not.toMatch(/invalid load key/);
  });

  it('allocates nothing in proportion to the claimed lengths', () => {
    const before = memory();
    for (let round = 0; round < 50; round++) {
      for (const { data } of cases) expect(() => loads(data)).toThrow(UnpicklingError);
    }
    const after = memory();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(100 * MB);
    expect(after.rss - before.rss).toBeLessThan(100 * MB);
  });

  it('a memo index near 2^32 is stored sparsely', () => {
    // LONG_BINPUT 0xfffffffd / 0xffffffff then LONG_BINGET them back.
    const data = latin1('\x80\x02K\x07r\xfd\xff\xff\xffr\xff\xff\xff\xff0j\xfd\xff\xff\xffj\xff\xff\xff\xff\x86.');
    const before = memory();
    expect(loads(data)).toEqual(tuple(7, 7));
    const after = memory();
    expect(after.rss - before.rss).toBeLessThan(100 * MB);
  });

  it('a high memo index does not make a dict changing representation walk every slot below it', () => {
    // EMPTY_DICT, LONG_BINPUT 2^24, DUP (the dict escapes), SETITEM 1: 1 (it becomes a Map).
    // Walking the memo as a dense array of 2^24 slots would cost seconds and hundreds of MB here;
    // the same 15 bytes with LONG_BINPUT 0xfffffffd are tested in a child process in
    // robustness-amplification.test.ts, since a dense walk of those would never finish.
    const data = concat(latin1('\x80\x02}r'), le(2 ** 24, 4), latin1('2K\x01K\x01s.'));
    expect(data.length).toBe(15);
    const before = memory();
    const { ms, outcome } = timed(() => loads(data));
    const after = memory();
    expect(outcome.ok ? 'value' : describeError(outcome.error)).toBe('value');
    const value = (outcome as { value: unknown }).value;
    expect(value).toBeInstanceOf(Map);
    expect([...(value as Map<unknown, unknown>)]).toEqual([[1, 1]]);
    expect(after.rss - before.rss, `input ${toHex(data)}`).toBeLessThan(100 * MB);
    expect(ms, `hang guard, input ${toHex(data)}`).toBeLessThan(2000);
  });
});

const DEPTH = 100_000;

function repeat(text: string, times: number): string {
  return text.repeat(times);
}

/** Follows `step` from `root` while it gives a child; returns how many steps it took and the last node. */
function descend(root: unknown, step: (node: unknown) => unknown): { depth: number; last: unknown } {
  let node = root;
  let depth = 0;
  for (;;) {
    const next = step(node);
    if (next === undefined) return { depth, last: node };
    node = next;
    depth++;
  }
}

const onlyItem = (node: unknown) => (Array.isArray(node) && node.length === 1 ? node[0] : undefined);

describe('robustness: 100 000-deep nesting', () => {
  it('lists built with EMPTY_LIST and APPEND (protocol 2)', () => {
    const data = latin1('\x80\x02' + repeat(']', DEPTH) + repeat('a', DEPTH - 1) + '.');
    const { depth, last } = descend(loads(data), onlyItem);
    expect(depth).toBe(DEPTH - 1);
    expect(last).toEqual([]);
  });

  it('lists built with MARK and LIST (protocol 0)', () => {
    const value = loads(latin1(repeat('(', DEPTH) + repeat('l', DEPTH) + '.'));
    const { depth, last } = descend(value, onlyItem);
    expect(depth).toBe(DEPTH - 1);
    expect(last).toEqual([]);
    expect(checkValueModel(value)).toBe(DEPTH);
  });

  it('tuples built with TUPLE1 and with MARK/TUPLE', () => {
    for (const data of [
      latin1('\x80\x02)' + repeat('\x85', DEPTH) + '.'),
      latin1(repeat('(', DEPTH + 1) + repeat('t', DEPTH + 1) + '.'),
    ]) {
      const value = loads(data);
      const { depth, last } = descend(value, (node) => (node instanceof Tuple && node.length === 1 ? node[0] : undefined));
      expect(depth).toBe(DEPTH);
      expect(last).toBeInstanceOf(Tuple);
      expect(last).toHaveLength(0);
    }
  });

  it('dicts built with MARK/DICT and with SETITEM, as objects and as Maps', () => {
    const key = 'X\x01\x00\x00\x00k';
    const viaDict = latin1('\x80\x02' + repeat('(' + key, DEPTH) + '}' + repeat('d', DEPTH) + '.');
    const viaSetitem = latin1('\x80\x02' + repeat('}' + key, DEPTH) + '}' + repeat('s', DEPTH) + '.');
    for (const data of [viaDict, viaSetitem]) {
      const plain = descend(loads(data), (node) => {
        const d = node as Record<string, unknown>;
        return Object.keys(d).length === 1 ? d.k : undefined;
      });
      expect(plain.depth).toBe(DEPTH);
      expect(plain.last).toEqual({});
      const maps = descend(loads(data, { dicts: 'map' }), (node) =>
        node instanceof Map && node.size === 1 ? node.get('k') : undefined,
      );
      expect(maps.depth).toBe(DEPTH);
      expect(maps.last).toEqual(new Map());
    }
  });

  it('frozensets built with MARK/FROZENSET', () => {
    const value = loads(latin1('\x80\x04' + repeat('(', DEPTH) + repeat('\x91', DEPTH) + '.'));
    const { depth, last } = descend(value, (node) =>
      node instanceof PyFrozenSet && node.size === 1 ? [...node][0] : undefined,
    );
    expect(depth).toBe(DEPTH - 1);
    expect(last).toEqual(new PyFrozenSet());
  });

  it('objects whose BUILD state is the next object', () => {
    // GLOBAL __main__.P, BINPUT 0, POP; then DEPTH x (BINGET 0, EMPTY_TUPLE, NEWOBJ); BUILD x DEPTH-1.
    const data = latin1('\x80\x02c__main__\nP\nq\x000' + repeat('h\x00)\x81', DEPTH) + repeat('b', DEPTH - 1) + '.');
    const { depth, last } = descend(loads(data), (node) => (node instanceof PyObject ? node.state : undefined));
    expect(depth).toBe(DEPTH - 1);
    expect(last).toBeInstanceOf(PyObject);
    expect((last as PyObject).state).toBeUndefined(); // the innermost object has no state
  });

  it('a dict at the bottom of a deep list chain becomes a Map everywhere it is referenced', () => {
    // d = {} (memo 0); DEPTH lists; d appended to the innermost, each list into its parent;
    // then d[1] = 1 through a memo reference: d becomes a Map deep inside the chain.
    const data = latin1('\x80\x02}q\x000' + repeat(']', DEPTH) + 'h\x00' + repeat('a', DEPTH) + 'h\x00K\x01K\x01s0.');
    const { depth, last } = descend(loads(data), (node) => (Array.isArray(node) ? node[0] : undefined));
    expect(depth).toBe(DEPTH);
    expect(last).toBeInstanceOf(Map);
    expect([...(last as Map<unknown, unknown>)]).toEqual([[1, 1]]);
  });

  it('maxDepth turns excessive nesting into an UnpicklingError', () => {
    const data = latin1('\x80\x02' + repeat(']', DEPTH) + repeat('a', DEPTH - 1) + '.');
    const error = expectUnpicklingError(() => loads(data, { maxDepth: 1000 }), 'EMPTY_LIST', 1002);
    expect(error.message).toMatch(/maxDepth/);
  });
});

/** Checks a loaded 2^levels-leaf graph: every level's two children are one object. */
function expectSharedGraph(value: unknown, levels: number): void {
  let node = value as unknown[];
  for (let level = 0; level < levels; level++) {
    expect(Array.isArray(node) && node.length === 2, `level ${level} is a pair`).toBe(true);
    expect(node[0], `level ${level}`).toBe(node[1]);
    node = node[0] as unknown[];
  }
  expect(node).toEqual([]);
  expect(checkValueModel(value)).toBe(levels + 1);
}

describe('robustness: 2^100-leaf memo graph', () => {
  it('loads a hand-built graph as 101 shared lists', () => {
    // EMPTY_LIST, PUT 0; then for each level: MARK, GET k-1, GET k-1, LIST, PUT k.
    let text = '\x80\x02]q\x00';
    for (let k = 1; k <= 100; k++) text += `(h${String.fromCharCode(k - 1)}h${String.fromCharCode(k - 1)}lq${String.fromCharCode(k)}`;
    const data = latin1(text + '.');
    expectSharedGraph(loads(data), 100);
    expectSharedGraph(loads(data, { dicts: 'map' }), 100);
  });

  describeWithPython('as CPython pickles it', () => {
    const pickles = JSON.parse(
      runPython(
        [
          'import json, pickle',
          'x = []',
          'for _ in range(100):',
          '    x = [x, x]',
          'print(json.dumps([pickle.dumps(x, protocol=p).hex() for p in range(6)]))',
        ].join('\n'),
      ).toString(),
    ) as string[];

    it.each(pickles.map((hexText, protocol) => [protocol, hexText] as const))('protocol %i', (_protocol, hexText) => {
      const data = Uint8Array.from(Buffer.from(hexText, 'hex'));
      expect(data.length).toBeLessThan(2000); // the pickle itself is small: 100 levels of memo references
      const { ms, outcome } = timed(() => loads(data));
      if (!outcome.ok) throw outcome.error;
      expectSharedGraph(outcome.value, 100);
      expect(ms, 'hang guard').toBeLessThan(2000);
    });
  });
});

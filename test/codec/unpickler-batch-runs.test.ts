// Lists arrive in batches, MARK, items, APPENDS; a run of batches of simple items (numbers,
// strings, None, booleans, memo fetches) goes straight into its list, sized once for the run.
// Whatever the batches look like, the values and the errors must be those of one opcode at a time.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PyDeque, PyFloat, Registry, Tuple, UnpicklingError } from '../../src/index.js';
import { BatchRunScan, scanBatchRun, startsWithWideNumber } from '../../src/codec/list-batch-run.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const binfloat = (value: number): number[] => {
  const bytes = new Uint8Array(9);
  bytes[0] = 0x47;
  new DataView(bytes.buffer).setFloat64(1, value, false);
  return [...bytes];
};

/** PROTO 2, EMPTY_LIST, then `body`, then STOP. */
const listPickle = (body: number[]): Uint8Array => new Uint8Array([0x80, 2, 0x5d, ...body, 0x2e]);

describe('unpickler: batches of floats', () => {
  it('batches with other items among the floats, and several batches, give every item in order', () => {
    const pickle = listPickle([
      0x28, ...binfloat(1.5), ...binfloat(-0), ...binfloat(NaN), 0x65, // MARK floats APPENDS
      0x28, ...binfloat(2.5), 0x4b, 7, ...binfloat(Infinity), 0x65, // an int among them
      0x28, 0x4e, ...binfloat(3.5), 0x65, // a float after another item
      0x28, 0x65, // an empty batch
    ]);
    const loaded = loads(pickle) as number[];
    expect(loaded).toEqual([1.5, -0, NaN, 2.5, 7, Infinity, null, 3.5]);
    expect(Object.is(loaded[1], -0)).toBe(true);
  });

  it('keepFloatType still gives PyFloat for every float of a batch', () => {
    const loaded = loads(listPickle([0x28, ...binfloat(1), ...binfloat(2), 0x65]), { keepFloatType: true }) as unknown[];
    expect(loaded).toEqual([new PyFloat(1), new PyFloat(2)]);
  });

  it('a MARK on something other than a list: tuples, and a deque, as before', () => {
    const tuple = loads(new Uint8Array([0x80, 2, 0x28, ...binfloat(1), ...binfloat(2), 0x74, 0x2e])) as Tuple;
    expect(tuple).toBeInstanceOf(Tuple);
    expect([...tuple]).toEqual([1, 2]);
    const deque = loads(dumps(new PyDeque([0.5, 1.5, 2.5]), { protocol: 2 }));
    expect(deque).toBeInstanceOf(PyDeque);
    expect([...(deque as PyDeque<number>)]).toEqual([0.5, 1.5, 2.5]);
  });

  it('a batch whose list is below an earlier MARK is the same error as before', () => {
    const pickle = listPickle([0x28, 0x28, ...binfloat(1), 0x65]);
    expect(() => loads(pickle)).toThrow(UnpicklingError);
  });

  it('a batch deeper than maxDepth fails as one float at a time would: at the float that overflows', () => {
    // The list, the MARK and ten floats: the tenth needs a maxDepth of 12.
    const pickle = listPickle([0x28, ...Array.from({ length: 10 }, (_, i) => binfloat(i)).flat(), 0x65]);
    expect(loads(pickle, { maxDepth: 12 })).toHaveLength(10);
    const error = (() => {
      try {
        loads(pickle, { maxDepth: 11 });
      } catch (caught) {
        return caught as UnpicklingError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UnpicklingError);
    expect(error?.message).toMatch(/exceeds maxDepth \(11\)/);
    expect([error?.offset, error?.opcode]).toEqual([4 + 9 * 9, 'BINFLOAT']);
  });

  it('every strict prefix of a batch is an UnpicklingError', () => {
    const pickle = listPickle([0x28, ...binfloat(1), ...binfloat(2), 0x65]);
    for (let length = 0; length < pickle.length; length++) {
      expect(() => loads(pickle.subarray(0, length))).toThrow(UnpicklingError);
    }
  });
});

const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')];
const shortText = (text: string): number[] => [0x8c, utf8(text).length, ...utf8(text)];
const u32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
const frame = (length: number): number[] => [0x95, ...u32(length), 0, 0, 0, 0];
const MARK = 0x28;
const APPENDS = 0x65;
const MEMOIZE = 0x94;

/** PROTO 4, EMPTY_LIST, MEMOIZE (the list is memo 0), then `body`, then STOP. */
const memoListPickle = (body: number[]): Uint8Array => new Uint8Array([0x80, 4, 0x5d, MEMOIZE, ...body, 0x2e]);

/** `count` batches of `size` BININT1 items each (item i is i % 256), the whole list as a run. */
const intBatches = (count: number, size: number): number[] =>
  Array.from({ length: count }, (_, batch) => [
    MARK,
    ...Array.from({ length: size }, (_, i) => [0x4b, (batch * size + i) & 0xff]).flat(),
    APPENDS,
  ]).flat();

const caught = (run: () => unknown): UnpicklingError => {
  try {
    run();
  } catch (error) {
    if (error instanceof UnpicklingError) return error;
    throw error;
  }
  throw new Error('expected an UnpicklingError');
};

const hasNoHoles = (list: unknown[]): boolean => list.every((_, i) => Object.hasOwn(list, i));

describe('unpickler: runs of simple batches', () => {
  it('every simple item kind, with memo puts and fetches, loads in order', () => {
    const pickle = memoListPickle([
      MARK,
      0x4b, 200, // BININT1
      0x4d, 0x34, 0x12, // BININT2
      0x4a, ...u32(0xfffffffe), // BININT -2
      0x8a, 1, 0x80, // LONG1 -128
      0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x40, // LONG1 2**62
      0x8a, 9, 1, 0, 0, 0, 0, 0, 0, 0, 1, // LONG1 2**64 + 1
      ...binfloat(0.25),
      ...shortText('héllo'), MEMOIZE, // memo 1
      0x58, ...u32(3), ...utf8('abc'), 0x71, 2, // BINUNICODE, BINPUT 2
      0x4e, 0x88, 0x89, // None, True, False
      APPENDS,
      MARK,
      0x68, 1, // BINGET of a memo entry from the batch before
      0x6a, ...u32(2), // LONG_BINGET
      0x68, 0, // the list itself
      ...shortText('x'), 0x72, ...u32(3), // LONG_BINPUT 3
      0x68, 3, // fetched in the batch that put it
      APPENDS,
    ]);
    const loaded = loads(pickle) as unknown[];
    expect(loaded.slice(0, 12)).toEqual([200, 0x1234, -2, -128, 2n ** 62n, 2n ** 64n + 1n, 0.25, 'héllo', 'abc', null, true, false]);
    expect(loaded.slice(12, 14)).toEqual(['héllo', 'abc']);
    expect(loaded[14]).toBe(loaded);
    expect(loaded.slice(15)).toEqual(['x', 'x']);
  });

  it('a long run sizes its list once and leaves no holes', () => {
    const loaded = loads(memoListPickle(intBatches(5, 1000))) as number[];
    expect(loaded).toHaveLength(5000);
    expect(loaded.every((value, i) => value === (i & 0xff))).toBe(true);
    expect(hasNoHoles(loaded)).toBe(true);
  });

  it('a run that stops at a batch of other items goes on one opcode at a time', () => {
    const pickle = memoListPickle([
      ...intBatches(2, 1000),
      MARK, 0x5d, 0x4b, 9, APPENDS, // a list among the items: not a simple batch
      ...intBatches(1, 3),
    ]);
    const loaded = loads(pickle) as unknown[];
    expect(loaded).toHaveLength(2005);
    expect(loaded[2000]).toEqual([]);
    expect(loaded.slice(2001)).toEqual([9, 0, 1, 2]);
  });

  it('lone surrogates (surrogatepass UTF-8) load inside a run, as one opcode at a time loads them', () => {
    const surrogate = [0x8c, 3, 0xed, 0xa0, 0x80]; // surrogatepass UTF-8 of U+D800
    const pickle = memoListPickle([...intBatches(2, 1000), MARK, 0x4b, 1, ...surrogate, APPENDS, ...intBatches(2, 1000)]);
    const loaded = loads(pickle) as unknown[];
    expect(loaded).toHaveLength(4002);
    expect(loaded.slice(2000, 2002)).toEqual([1, '\ud800']);
    expect(loaded[3999]).toBe(1997 & 0xff); // the last batches count from 0 again
    expect(hasNoHoles(loaded)).toBe(true);
  });

  it('invalid UTF-8 in a later batch is the error one opcode at a time gives', () => {
    const bad = [0x8c, 2, 0xc3, 0x28];
    const pickle = memoListPickle([...intBatches(2, 1000), MARK, 0x4b, 1, ...bad, APPENDS, ...intBatches(2, 1000)]);
    const offset = 4 + intBatches(2, 1000).length + 3;
    const error = caught(() => loads(pickle));
    expect([error.offset, error.opcode]).toEqual([offset, 'SHORT_BINUNICODE']);
    // The same string in a tuple, never a run, fails with the same message.
    const inTuple = caught(() => loads(new Uint8Array([0x80, 4, MARK, ...bad, 0x74, 0x2e])));
    expect(error.message).toBe(inTuple.message.replace('at byte 3,', `at byte ${offset},`));
  });

  it('a batch deeper than maxDepth fails where one item at a time would, after earlier batches that fit', () => {
    // The list, the MARK and the items: a 5-item batch needs a maxDepth of 7.
    const body = [...intBatches(2, 5), MARK, ...Array.from({ length: 6 }, () => [0x4b, 1]).flat(), APPENDS];
    const error = caught(() => loads(memoListPickle(body), { maxDepth: 7 }));
    expect(error.message).toMatch(/exceeds maxDepth \(7\)/);
    expect([error.offset, error.opcode]).toEqual([4 + intBatches(2, 5).length + 1 + 5 * 2, 'BININT1']);
    expect(loads(memoListPickle(body), { maxDepth: 8 })).toHaveLength(16);
  });

  it('a memo put beyond maxMemo fails at that put', () => {
    const body = [MARK, ...shortText('a'), MEMOIZE, ...shortText('b'), MEMOIZE, ...shortText('c'), MEMOIZE, APPENDS];
    expect(loads(memoListPickle(body), { maxMemo: 4 })).toEqual(['a', 'b', 'c']);
    const error = caught(() => loads(memoListPickle(body), { maxMemo: 3 }));
    expect(error.message).toMatch(/maxMemo/);
    expect([error.offset, error.opcode]).toEqual([4 + 1 + 3 + 1 + 3 + 1 + 3, 'MEMOIZE']);
  });

  it('a BINPUT to an index other than the next, and a fetch of a missing index, load or fail as before', () => {
    const sparse = memoListPickle([MARK, 0x4b, 1, 0x71, 7, 0x68, 7, APPENDS, MARK, 0x4b, 2, 0x68, 7, APPENDS]);
    expect(loads(sparse)).toEqual([1, 1, 2, 1]);
    const missing = memoListPickle([MARK, 0x4b, 1, 0x68, 5, APPENDS]);
    const error = caught(() => loads(missing));
    expect(error.message).toMatch(/memo value not found at index 5/);
    expect([error.offset, error.opcode]).toEqual([7, 'BINGET']);
  });

  it('frames inside and between batches load; a frame begun inside another fails as before', () => {
    // PROTO, then one frame per piece, each piece a whole number of opcodes.
    const pieces = [[0x5d, MEMOIZE, MARK, 0x4b, 1], [0x4b, 2, APPENDS], [MARK, 0x4b, 3, APPENDS, 0x2e]];
    const framed = new Uint8Array([0x80, 4, ...pieces.flatMap((piece) => [...frame(piece.length), ...piece])]);
    expect(loads(framed)).toEqual([1, 2, 3]);
    // The second frame declared before the first ends: the FRAME itself is the error.
    const rest = [...frame(4), 0x4b, 2, APPENDS, 0x2e];
    const early = new Uint8Array([0x80, 4, ...frame(pieces[0]!.length + rest.length), ...pieces[0]!, ...rest]);
    const error = caught(() => loads(early));
    expect(error.message).toMatch(/beginning of a new frame before end of current frame/);
    expect([error.offset, error.opcode]).toEqual([2 + 9 + pieces[0]!.length, 'FRAME']);
  });

  it('a list subclass made by a handler gets its batches through extend, not as a run', () => {
    class Items extends Array<unknown> {}
    const batches: unknown[][] = [];
    const registry = new Registry().register<Items>({
      module: 'm',
      name: 'Items',
      jsClass: Items,
      newInstance: () => new Items(),
      extend: (items, added) => {
        batches.push([...added]);
        items.push(...added);
      },
    });
    // NEWOBJ m.Items, then two batches.
    const pickle = new Uint8Array([0x80, 4, 0x63, ...utf8('m\nItems\n'), 0x29, 0x81, ...intBatches(2, 3), 0x2e]);
    const loaded = loads(pickle, { registry });
    expect(loaded).toBeInstanceOf(Items);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('a list from persistentLoad that refuses items fails at APPENDS, as one opcode at a time fails', () => {
    // PROTO 2, BINPERSID 'x', then one batch of n ints; the list is whatever persistentLoad gives.
    const pickle = (n: number) =>
      new Uint8Array([0x80, 2, 0x8c, 1, 0x78, 0x51, MARK, ...Array.from({ length: n }, (_, i) => [0x4b, i & 0xff]).flat(), APPENDS, 0x2e]);
    const refusals: Array<[string, () => unknown[]]> = [
      ['frozen', () => Object.freeze<unknown[]>([]) as unknown[]],
      ['not extensible', () => Object.preventExtensions([])],
      ['a read-only length', () => Object.defineProperty([], 'length', { writable: false })],
    ];
    for (const n of [2, 1500]) {
      for (const [name, make] of refusals) {
        // What the list itself says when pushed to: the message the load must carry.
        const expected = (() => {
          try {
            make().push(0);
          } catch (error) {
            return (error as Error).message;
          }
          return 'no error';
        })();
        const error = caught(() => loads(pickle(n), { persistentLoad: make }));
        const offset = 7 + 2 * n;
        expect([error.message, error.offset, error.opcode], `${name}, ${n} items`).toEqual([`${expected} (at byte ${offset}, opcode APPENDS)`, offset, 'APPENDS']);
      }
    }
  });

  it('a maxMemo that is not a whole number: each put meets the test it meets one opcode at a time', () => {
    // EMPTY_LIST BINPUT 0, then 'a' 'b' 'c' each with a BINPUT (memo 1-3): the fourth put exceeds 3.5.
    const pickle = new Uint8Array([0x80, 2, 0x5d, 0x71, 0, MARK, ...[1, 2, 3].flatMap((i) => [0x58, 1, 0, 0, 0, 0x60 + i, 0x71, i]), APPENDS, 0x2e]);
    const error = caught(() => loads(pickle, { maxMemo: 3.5 }));
    expect(error.message).toMatch(/maxMemo \(3\.5\)/);
    expect([error.offset, error.opcode]).toEqual([28, 'BINPUT']);
    expect(loads(pickle, { maxMemo: 4 })).toEqual(['a', 'b', 'c']);
  });

  it('every strict prefix of a run is an UnpicklingError', () => {
    const pickle = memoListPickle([...intBatches(2, 3), MARK, ...shortText('é'), MEMOIZE, 0x68, 1, APPENDS]);
    expect(loads(pickle)).toEqual([0, 1, 2, 3, 4, 5, 'é', 'é']);
    for (let length = 0; length < pickle.length; length++) {
      expect(() => loads(pickle.subarray(0, length))).toThrow(UnpicklingError);
    }
  });
});

describe('unpickler: a run that starts with a float or a wide int (its list made as doubles)', () => {
  const long1 = (value: bigint, n: number): number[] => [0x8a, n, ...Array.from({ length: n }, (_, i) => Number(BigInt.asUintN(8 * n, value) >> BigInt(8 * i) & 0xffn))];
  const bigint = long1(2n ** 54n + 1n, 8); // a LONG1 of 8 bytes beyond 2^53: a bigint
  const cases: Array<[string, number[], unknown]> = [
    ['a float', binfloat(1.25), 1.25],
    ['a BININT beyond 2^30', [0x4a, ...u32(0x7000_0000)], 0x7000_0000],
    ['a BININT within small ints', [0x4a, ...u32(-5 >>> 0)], -5],
    ['a 6-byte LONG1', long1(2n ** 40n + 3n, 6), 2 ** 40 + 3],
    ['a 7-byte LONG1 beyond 2^53 (a bigint after all)', long1(2n ** 54n, 7), 2n ** 54n],
  ];
  // Then a run of 2000 more items that are not all numbers: ints, a bigint, strings, None.
  const restItems = (i: number): [number[], unknown] =>
    i % 500 === 7 ? [bigint, 2n ** 54n + 1n]
      : i % 3 === 0 ? [shortText(`s${i}`), `s${i}`]
      : i % 3 === 1 ? [[0x4b, i & 0xff], i & 0xff]
      : i % 7 === 2 ? [[0x4e], null]
      : [binfloat(i + 0.5), i + 0.5];
  it.each(cases)('%s first: every item as one opcode at a time loads it, no holes', (_name, first, firstValue) => {
    const body: number[] = [MARK, ...first];
    const expected: unknown[] = [firstValue];
    for (let i = 0; i < 2000; i++) {
      if (i % 1000 === 999) body.push(APPENDS, MARK);
      const [bytes, value] = restItems(i);
      body.push(...bytes);
      expected.push(value);
    }
    body.push(APPENDS);
    const loaded = loads(memoListPickle(body)) as unknown[];
    expect(loaded).toEqual(expected);
    expect(hasNoHoles(loaded)).toBe(true);
  });

  it('a list that already holds items keeps them when a run of floats is added', () => {
    const body = [MARK, 0x5d, 0x4b, 3, APPENDS]; // an empty list and 3: not a simple batch
    body.push(MARK, ...Array.from({ length: 1500 }, (_, i) => binfloat(i + 0.25)).flat(), APPENDS);
    const loaded = loads(memoListPickle(body)) as unknown[];
    expect(loaded.slice(0, 2)).toEqual([[], 3]);
    expect(loaded.slice(2)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 0.25));
  });

  it('startsWithWideNumber: floats, BININT and LONG1 of up to 7 bytes, past frames after the MARK', () => {
    const at = (item: number[]): boolean => startsWithWideNumber(new Uint8Array([MARK, ...item, APPENDS]), 0);
    expect(cases.every(([, first]) => at(first))).toBe(true);
    expect(at([...frame(10), ...binfloat(1)])).toBe(true);
    expect(at([...frame(10), ...frame(0), 0x4a, 1, 2, 3, 4])).toBe(true);
    expect(at(bigint)).toBe(false);
    expect(at([0x4b, 1])).toBe(false); // BININT1 and BININT2: small ints, kept in small-int slots
    expect(at([0x4d, 1, 2])).toBe(false);
    expect(at(shortText('x'))).toBe(false);
    expect(at([0x4e])).toBe(false);
  });
});

describe('unpickler: a short run into the list EMPTY_LIST just made is copied to one of its exact length', () => {
  // What can be seen of the copy is identity: every reference to the list must be to one object.
  const PUT = 0x94; // MEMOIZE
  const items = [0x28, 0x4b, 1, 0x4b, 2, 0x65]; // MARK 1 2 APPENDS

  it('a list shared through the memo is one object everywhere, at every protocol, as CPython writes it', () => {
    for (const protocol of [1, 2, 3, 4, 5]) {
      const shared = [1, 2];
      const loaded = loads(dumps([shared, shared, { at: shared }, [shared]], { protocol })) as unknown[];
      expect(loaded[0]).toEqual([1, 2]);
      expect(loaded[1]).toBe(loaded[0]);
      expect((loaded[2] as { at: unknown }).at).toBe(loaded[0]);
      expect((loaded[3] as unknown[])[0]).toBe(loaded[0]);
    }
  });

  it('a list that holds itself keeps itself, not the list it was before', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic, 'x');
    for (const protocol of [1, 2, 4]) {
      const loaded = loads(dumps(cyclic, { protocol })) as unknown[];
      expect(loaded[1]).toBe(loaded);
      expect(loaded[2]).toBe('x');
    }
  });

  it('a list referred to from the stack twice (DUP) or from two memo entries stays one object', () => {
    // EMPTY_LIST DUP MARK 1 2 APPENDS TUPLE2
    const dup = loads(new Uint8Array([0x80, 4, 0x5d, 0x32, ...items, 0x86, 0x2e])) as Tuple;
    expect(dup[0]).toEqual([1, 2]);
    expect(dup[1]).toBe(dup[0]);
    // EMPTY_LIST MEMOIZE MEMOIZE MARK 1 2 APPENDS BINGET 0 BINGET 1 TUPLE3
    const twice = loads(new Uint8Array([0x80, 4, 0x5d, PUT, PUT, ...items, 0x68, 0, 0x68, 1, 0x87, 0x2e])) as Tuple;
    expect(twice[0]).toEqual([1, 2]);
    expect(twice[1]).toBe(twice[0]);
    expect(twice[2]).toBe(twice[0]);
    // EMPTY_LIST BINPUT 0 BINGET 0 POP MARK 1 2 APPENDS BINGET 0 TUPLE2: fetched before its items
    const fetched = loads(new Uint8Array([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x30, ...items, 0x68, 0, 0x86, 0x2e])) as Tuple;
    expect(fetched[0]).toEqual([1, 2]);
    expect(fetched[1]).toBe(fetched[0]);
  });

  it('a frame between EMPTY_LIST, its put and the MARK, and a BINPUT over an earlier entry, keep the memo right', () => {
    const frame = (length: number) => [0x95, length, 0, 0, 0, 0, 0, 0, 0];
    const tail = [0x68, 0, 0x86, 0x2e]; // BINGET 0 TUPLE2 STOP
    const body = [...items, ...tail];
    // PROTO 4, a frame holding EMPTY_LIST BINPUT 0, then one holding the rest
    const framed = loads(new Uint8Array([0x80, 4, ...frame(3), 0x5d, 0x71, 0, ...frame(body.length), ...body])) as Tuple;
    expect(framed[0]).toEqual([1, 2]);
    expect(framed[1]).toBe(framed[0]);
    // NONE BINPUT 0 POP, then EMPTY_LIST BINPUT 0 (over it) MARK 1 2 APPENDS BINGET 0 TUPLE2
    const over = loads(new Uint8Array([0x80, 2, 0x4e, 0x71, 0, 0x30, 0x5d, 0x71, 0, ...body])) as Tuple;
    expect(over[0]).toEqual([1, 2]);
    expect(over[1]).toBe(over[0]);
    // NONE BINPUT 0 POP, NEWTRUE BINPUT 1 POP, then EMPTY_LIST BINPUT 0 (not the last entry)
    // MARK 1 2 APPENDS BINGET 0 BINGET 1 TUPLE3: entry 1 is still True
    const earlier = loads(
      new Uint8Array([0x80, 2, 0x4e, 0x71, 0, 0x30, 0x88, 0x71, 1, 0x30, 0x5d, 0x71, 0, ...items, 0x68, 0, 0x68, 1, 0x87, 0x2e]),
    ) as Tuple;
    expect(earlier[0]).toEqual([1, 2]);
    expect(earlier[1]).toBe(earlier[0]);
    expect(earlier[2]).toBe(true);
  });

  it('a list of floats, strings and fetched values loads the same, long or short', () => {
    for (const length of [1, 2, 17, 999, 1000, 1001, 1023, 1024, 3000]) {
      const text = 'shared text';
      const value = Array.from({ length }, (_, i) => (i % 3 === 0 ? i + 0.5 : i % 3 === 1 ? `s${i}` : text));
      const loaded = loads(dumps([value, value]));
      expect(loaded, `length ${length}`).toEqual([value, value]);
      expect((loaded as unknown[])[1]).toBe((loaded as unknown[])[0]);
    }
  });
});

describe('scanBatchRun: which batches a run covers', () => {
  type Limits = Partial<Pick<BatchRunScan, 'frameEnd' | 'itemsPerBatch' | 'memoSize' | 'maxMemo' | 'plainFloats'>>;
  /** The run from position 0, as { items, end }, or undefined when there is none. */
  const scan = (body: number[], limits: Limits = {}) => {
    const data = new Uint8Array(body);
    const run = Object.assign(new BatchRunScan(), { frameEnd: -1, itemsPerBatch: 1000, memoSize: 1, maxMemo: 100, plainFloats: true }, limits);
    return scanBatchRun(data, new DataView(data.buffer), 0, run) ? { items: run.items, end: run.end } : undefined;
  };

  it('counts the items of consecutive batches and ends after the last APPENDS', () => {
    const body = [...intBatches(3, 4), 0x2e];
    expect(scan(body)).toEqual({ items: 12, end: body.length - 1 });
  });

  it('ends before the first batch that fails, for each reason', () => {
    const good = intBatches(1, 2);
    const end = good.length;
    const cases: Array<[string, number[], Limits]> = [
      ['a non-simple item', [MARK, 0x4b, 1, 0x5d, APPENDS], {}],
      ['no APPENDS before the end', [MARK, 0x4b, 1], {}],
      ['a truncated argument', [MARK, 0x4d, 1], {}],
      ['a fetch of an index not yet put', [MARK, 0x68, 1, APPENDS], {}],
      ['a put at an index other than the next', [MARK, 0x4b, 1, 0x71, 3, APPENDS], {}],
      ['a put before any item', [MARK, MEMOIZE, 0x4b, 1, APPENDS], {}],
      ['a put beyond maxMemo', [MARK, 0x4b, 1, MEMOIZE, APPENDS], { maxMemo: 1 }],
      ['more items than the stack has room for', [MARK, 0x4b, 1, 0x4b, 2, 0x4b, 3, APPENDS], { itemsPerBatch: 2 }],
      ['a float kept as PyFloat', [MARK, ...binfloat(1), APPENDS], { plainFloats: false }],
      ['a frame begun inside the current one', [MARK, 0x4b, 1, ...frame(0), APPENDS], { frameEnd: 1000 }],
      ['a frame longer than the input', [MARK, 0x4b, 1, ...frame(1000), APPENDS], {}],
    ];
    for (const [reason, batch, limits] of cases) {
      expect(scan([...good, ...batch, 0x2e], limits), reason).toEqual({ items: 2, end });
      expect(scan([...batch, 0x2e], limits), reason).toBeUndefined();
    }
  });

  it('takes frames between batches and inside them', () => {
    const body = [MARK, 0x4b, 1, ...frame(4), 0x4b, 2, APPENDS, 0x4e, ...frame(5), MARK, 0x4b, 3, APPENDS, 0x2e];
    // The first frame runs to the NONE: the one after it may begin.
    body.splice(body.indexOf(0x4e), 1);
    expect(scan(body)).toEqual({ items: 3, end: body.length - 1 });
  });
});

describeWithPython('unpickler: lists of floats written by CPython', () => {
  it.each([2, 4, 5])('a 25 000-float list across frames and batches equals Python\'s (protocol %i)', (protocol) => {
    const pickle = new Uint8Array(
      runPython(`
import pickle, sys, random
r = random.Random(5)
values = [r.uniform(-1e6, 1e6) for _ in range(25000)] + [float('inf'), -0.0, 1e-310]
sys.stdout.buffer.write(pickle.dumps(values, protocol=${protocol}))
`),
    );
    const loaded = loads(pickle) as number[];
    const reference = JSON.parse(
      runPython(
        `
import pickle, sys, json, struct
values = pickle.loads(sys.stdin.buffer.read())
print(json.dumps([struct.pack('>d', v).hex() for v in values]))
`,
        pickle,
      ).toString(),
    ) as string[];
    expect(loaded).toHaveLength(reference.length);
    const hex = (value: number): string => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, false);
      return Buffer.from(bytes).toString('hex');
    };
    expect(loaded.map(hex)).toEqual(reference);
  });
});

describeWithPython('unpickler: lists of ints, strings and constants written by CPython', () => {
  it.each([0, 1, 2, 3, 4, 5])('a 30 000-item list equals Python\'s, item for item (protocol %i)', (protocol) => {
    // Ints of every width, strings (repeated ones are memo fetches, long ones BINUNICODE), None
    // and booleans, floats, and a few items that end a run (a tuple, a nested list).
    const script = `
import pickle, sys, random
r = random.Random(11)
words = ['a', 'héllo', '中文', 'emoji😀', 'x' * 300, 'y' * 5000]
def item(i):
    k = r.randrange(10)
    if k == 0: return r.randrange(-2**7, 2**8)
    if k == 1: return r.randrange(-2**31, 2**31)
    if k == 2: return r.randrange(-2**62, 2**62)
    if k == 3: return r.randrange(-2**100, 2**100)
    if k == 4: return r.choice(words)
    if k == 5: return f'{r.choice(words)}-{i}'
    if k == 6: return r.choice([None, True, False])
    if k == 7: return r.uniform(-1, 1) or 0.5
    if k == 8: return (i, 'tuple') if i % 997 == 0 else i
    return [i] if i % 1999 == 0 else -i
values = [item(i) for i in range(30000)]
sys.stdout.buffer.write(pickle.dumps(values, protocol=${protocol}))
`;
    const pickle = new Uint8Array(runPython(script));
    const loaded = loads(pickle) as unknown[];
    const floatBits = (value: number): string => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, false);
      return `f:${Buffer.from(bytes).toString('hex')}`;
    };
    // Python's floats all have a fraction here, so a whole number is an int.
    const view = (value: unknown): unknown =>
      typeof value === 'number' && !Number.isInteger(value) ? floatBits(value)
        : typeof value === 'bigint' || typeof value === 'number' ? `n:${String(value)}`
        : value instanceof Tuple ? { tuple: [...value].map(view) }
        : Array.isArray(value) ? value.map(view)
        : value;
    const reference = JSON.parse(
      runPython(
        `
import pickle, sys, json, struct
def view(v):
    if isinstance(v, bool) or v is None or isinstance(v, str): return v
    if isinstance(v, int): return f'n:{v}'
    if isinstance(v, float): return 'f:' + struct.pack('>d', v).hex()
    if isinstance(v, tuple): return {'tuple': [view(x) for x in v]}
    return [view(x) for x in v]
print(json.dumps(view(pickle.loads(sys.stdin.buffer.read())), ensure_ascii=True))
`,
        pickle,
      ).toString(),
    ) as unknown[];
    expect(loaded).toHaveLength(30000);
    expect(loaded.every((_, i) => Object.hasOwn(loaded, i))).toBe(true);
    expect(loaded.map(view)).toEqual(reference);
  });
});

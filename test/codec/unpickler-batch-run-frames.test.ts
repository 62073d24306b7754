// CPython's framer may start a frame between a batch's MARK and its first item (it commits a
// frame at the first save() past 64 KiB, and MARK is not a save). Such a batch must still join
// the run of batches, or the list is sized twice and a batch goes one opcode at a time: a
// 1 000 000-float list written by CPython had one, and loaded ~40% slower for it. The values are
// the same either way, so these tests watch scanBatchRun itself (spied on).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loads, UnpicklingError } from '../../src/index.js';

/** Each scanBatchRun call's result and item count (its BatchRunScan is reused from call to call). */
const scans = vi.hoisted((): Array<{ found: boolean; items: number }> => []);

vi.mock(import('../../src/codec/list-batch-run.js'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    scanBatchRun: (...args: Parameters<typeof original.scanBatchRun>) => {
      const found = original.scanBatchRun(...args);
      scans.push({ found, items: args[3].items });
      return found;
    },
  };
});
const u32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
const frame = (length: number): number[] => [0x95, ...u32(length), 0, 0, 0, 0];
const MARK = 0x28;
const APPENDS = 0x65;

const binfloat = (value: number): number[] => {
  const bytes = new Uint8Array(9);
  bytes[0] = 0x47;
  new DataView(bytes.buffer).setFloat64(1, value, false);
  return [...bytes];
};

/** `count` BINFLOAT items: from + 0.25, from + 1.25, ... */
const floats = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => binfloat(from + i + 0.25)).flat();

/** PROTO 4, then each piece in a frame of its own. */
const framed = (...pieces: number[][]): Uint8Array =>
  new Uint8Array([0x80, 4, ...pieces.flatMap((piece) => [...frame(piece.length), ...piece])]);

beforeEach(() => {
  scans.length = 0;
});

describe('a frame between MARK and the first item keeps the batch in the run', () => {
  it('every batch begins a frame after its MARK: one run covers them all', () => {
    const pickle = framed(
      [0x5d, 0x94, MARK], // EMPTY_LIST, MEMOIZE, MARK: the frame ends at the MARK
      [...floats(0, 1200), APPENDS, MARK],
      [...floats(1200, 1000), APPENDS, MARK],
      [...floats(2200, 3), APPENDS, 0x2e],
    );
    const loaded = loads(pickle) as number[];
    expect(loaded).toEqual(Array.from({ length: 2203 }, (_, i) => i + 0.25));
    expect(scans).toEqual([{ found: true, items: 2203 }]);
  });

  it('ints, strings and floats alike; several frames in a row after the MARK', () => {
    const text = [0x8c, 2, 0x68, 0x69]; // 'hi'
    const pickle = framed(
      [0x5d, 0x94, MARK, 0x4b, 7, 0x4d, 1, 2, APPENDS, MARK],
      [], // an empty frame: pickletools and CPython's loader take it, and so do we
      [...text, 0x4e, APPENDS, MARK],
      [...binfloat(2.5), APPENDS, 0x2e],
    );
    expect(loads(pickle)).toEqual([7, 0x201, 'hi', null, 2.5]);
    expect(scans).toEqual([{ found: true, items: 5 }]);
  });

  it('a frame after a MARK that is not valid ends the run before that batch, with the error as before', () => {
    // The second frame claims more bytes than there are: the run stops after the first batch,
    // and the FRAME fails where one opcode at a time fails.
    const good = [0x80, 4, ...frame(3 + 9 + 2), 0x5d, 0x94, MARK, ...binfloat(1), APPENDS, MARK];
    const pickle = new Uint8Array([...good, ...frame(1000), ...binfloat(2), APPENDS, 0x2e]);
    let error: unknown;
    try {
      loads(pickle);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnpicklingError);
    expect((error as UnpicklingError).opcode).toBe('FRAME');
    expect((error as UnpicklingError).offset).toBe(good.length);
    // The first run takes one batch; the MARK before the bad frame may look again, finding none.
    expect(scans[0]).toEqual({ found: true, items: 1 });
    expect(scans.slice(1).every((scan) => !scan.found)).toBe(true);
  });
});

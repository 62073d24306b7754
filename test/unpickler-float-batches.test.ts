// Lists of floats arrive in batches, MARK, BINFLOAT × n, APPENDS; the unpickler puts a whole
// batch straight into its list. Whatever the batch looks like, the values must be Python's.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PyDeque, PyFloat, Tuple, UnpicklingError } from '../src/index.js';
import { describeWithPython, runPython } from './helpers/python.js';

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

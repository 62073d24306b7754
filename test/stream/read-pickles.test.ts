import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loads, PickleStreamReader, readPickles, Unpickler, UnpicklingError, type StreamReadOptions } from '../../src/index.js';
import { describeWithPython } from '../helpers/python.js';
import { pythonStream, SMALL_VALUES, type PythonStream } from './python-streams.js';
import { seededRandom as seeded } from '../helpers/random.js';

async function readAll(chunks: Uint8Array[], options?: StreamReadOptions): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of readPickles(chunks, options)) values.push(value);
  return values;
}

function pushAll(chunks: Uint8Array[], options?: StreamReadOptions): unknown[] {
  const reader = new PickleStreamReader(options);
  const values: unknown[] = [];
  for (const chunk of chunks) values.push(...reader.push(chunk));
  reader.end();
  return values;
}

function randomChunks(bytes: Uint8Array, random: () => number, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** Every value of the stream loaded alone. */
function eachAlone(stream: PythonStream): unknown[] {
  return stream.pickles.map((pickle) => loads(pickle));
}

/** Every value as one Unpickler with keepMemo reads the whole stream. */
function sequentially(stream: PythonStream): unknown[] {
  const unpickler = new Unpickler(stream.bytes, { keepMemo: true });
  return stream.pickles.map(() => unpickler.load());
}

const CASES = [
  ...[0, 1, 2, 3, 4, 5].map((protocol) => ({ name: `protocol ${protocol}`, protocol, unframed: false })),
  { name: 'protocol 4 unframed', protocol: 4, unframed: true },
  { name: 'protocol 5 unframed', protocol: 5, unframed: true },
];

describeWithPython('readPickles: Python-written streams split anywhere', () => {
  for (const { name, protocol, unframed } of CASES) {
    describe(name, () => {
      const stream = pythonStream(protocol, SMALL_VALUES, { clearMemo: true, unframed });
      const expected = eachAlone(stream);

      it('split in two at every byte boundary, each value equals loads of its pickle alone', async () => {
        expect(stream.pickles.length).toBe(36);
        for (let cut = 0; cut <= stream.bytes.length; cut++) {
          const chunks = [stream.bytes.slice(0, cut), stream.bytes.slice(cut)];
          expect(await readAll(chunks)).toEqual(expected);
        }
      });

      it('one byte at a time, pushed', () => {
        const chunks = Array.from(stream.bytes, (byte) => Uint8Array.of(byte));
        expect(pushAll(chunks)).toEqual(expected);
      });

      it('keepMemo: one Pickler without clear_memo, values shared across pickles', async () => {
        const shared = pythonStream(protocol, `[[s, s] for s in [['shared']] * 3] + ${SMALL_VALUES}`, { clearMemo: false, unframed });
        const reference = sequentially(shared);
        for (let cut = 0; cut <= shared.bytes.length; cut += 7) {
          const values = await readAll([shared.bytes.slice(0, cut), shared.bytes.slice(cut)], { keepMemo: true });
          expect(values).toEqual(reference);
          // The list the first pickle memoized is the very object the later ones refer to.
          const [first, second] = values as unknown[][][];
          expect(second![0]).toBe(first![0]);
        }
      });
    });
  }

  for (const protocol of [0, 2, 4, 5]) {
    it(`protocol ${protocol}: large pickles (a 3 MB bytes payload, a 200 000-item list) at seeded random chunk sizes`, async () => {
      const stream = pythonStream(
        protocol,
        `[bytes(range(256)) * 12000, list(range(200000)), 'tail', {'k': 'v' * 100000}, b'x' * 70000]`,
        { clearMemo: true },
      );
      const expected = eachAlone(stream);
      for (const [seed, maxChunk] of [[1, 100], [2, 5000], [3, 70000], [4, 1 << 20]] as const) {
        const chunks = randomChunks(stream.bytes, seeded(seed), maxChunk);
        const values = await readAll(chunks);
        expect(values).toHaveLength(expected.length);
        // isDeepStrictEqual: toEqual walks a 3 MB Uint8Array element by element, for many seconds.
        for (let i = 0; i < expected.length; i++) expect(isDeepStrictEqual(values[i], expected[i]), `seed ${seed}, pickle ${i}`).toBe(true);
      }
    });
  }

  it('a stream that ends inside a pickle is TRUNCATED, after the values before it', async () => {
    const stream = pythonStream(4, `[1, 'two', [3]]`, { clearMemo: true });
    for (let cut = stream.pickles[0]!.length + stream.pickles[1]!.length + 1; cut < stream.bytes.length; cut++) {
      const values: unknown[] = [];
      const error = await (async () => {
        try {
          for await (const value of readPickles([stream.bytes.slice(0, cut)])) values.push(value);
        } catch (caught) {
          return caught;
        }
      })();
      expect(values).toEqual([1, 'two']);
      expect(error).toBeInstanceOf(UnpicklingError);
      expect((error as UnpicklingError).code).toBe('TRUNCATED');
    }
  });

  it('garbage between pickles: the values before it, then UNKNOWN_OPCODE at its stream offset', async () => {
    const stream = pythonStream(2, `[1, 'two', [3]]`, { clearMemo: true });
    const [a, b, c] = stream.pickles as [Uint8Array, Uint8Array, Uint8Array];
    const bytes = new Uint8Array([...a, ...b, 0xff, 0xfe, ...c]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const values: unknown[] = [];
      let error: unknown;
      try {
        for await (const value of readPickles([bytes.slice(0, cut), bytes.slice(cut)])) values.push(value);
      } catch (caught) {
        error = caught;
      }
      expect(values).toEqual([1, 'two']);
      expect((error as UnpicklingError).code).toBe('UNKNOWN_OPCODE');
      expect((error as UnpicklingError).offset).toBe(a.length + b.length);
    }
  });

  it('push: a chunk that completes pickles and then fails returns them; the next call throws', () => {
    const stream = pythonStream(2, `[1, 'two']`, { clearMemo: true });
    const reader = new PickleStreamReader();
    expect(reader.push(new Uint8Array([...stream.bytes, 0xff]))).toEqual([1, 'two']);
    expect(reader.error?.code).toBe('UNKNOWN_OPCODE');
    expect(() => reader.push(stream.bytes)).toThrow(reader.error!);
    expect(() => reader.end()).toThrow(reader.error!);
  });

  it('an invalid pickle whose opcodes all exist is INVALID_PICKLE from the loader, after the values before', async () => {
    const stream = pythonStream(2, `[1]`, { clearMemo: true });
    // APPEND on an empty stack, then STOP.
    const bytes = new Uint8Array([...stream.bytes, 0x61, 0x2e]);
    const values: unknown[] = [];
    await expect(async () => {
      for await (const value of readPickles([bytes])) values.push(value);
    }).rejects.toMatchObject({ code: 'INVALID_PICKLE' });
    expect(values).toEqual([1]);
  });

  it('maxPickleBytes: a pickle larger than the limit is LIMIT_EXCEEDED before its payload is buffered', () => {
    const stream = pythonStream(4, `['small', b'x' * 1_000_000]`, { clearMemo: true });
    const reader = new PickleStreamReader({ maxPickleBytes: 10_000 });
    // The first pickle and the header of the second (its length prefix) only.
    const head = stream.pickles[0]!.length + 64;
    expect(reader.push(stream.bytes.slice(0, stream.pickles[0]!.length))).toEqual(['small']);
    expect(() => reader.push(stream.bytes.slice(stream.pickles[0]!.length, head))).toThrow(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED' }),
    );
  });

  it('maxPickleBytes bounds protocol 0 text lines too', () => {
    const reader = new PickleStreamReader({ maxPickleBytes: 1000 });
    expect(() => {
      for (let i = 0; i < 100; i++) reader.push(new TextEncoder().encode('V' + 'a'.repeat(100)));
    }).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });
});

describe('readPickles sources', () => {
  it('reads a web ReadableStream', async () => {
    const chunks = [Uint8Array.of(0x80, 0x02, 0x4b), Uint8Array.of(0x07, 0x2e, 0x4e, 0x2e)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const values: unknown[] = [];
    for await (const value of readPickles(body)) values.push(value);
    expect(values).toEqual([7, null]);
  });

  it('an empty stream has no pickles', async () => {
    expect(await readAll([])).toEqual([]);
  });

  it('a string chunk (a Readable with an encoding set) is INVALID_ARGUMENT', async () => {
    await expect(readAll(['abc' as unknown as Uint8Array])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a reused chunk buffer does not corrupt a pickle that spans chunks', () => {
    const reader = new PickleStreamReader();
    const buffer = new Uint8Array(3);
    buffer.set([0x80, 0x02, 0x4b]);
    expect(reader.push(buffer)).toEqual([]);
    buffer.set([0x09, 0x2e, 0x00]);
    expect(reader.push(buffer.subarray(0, 2))).toEqual([9]);
    reader.end();
  });
});

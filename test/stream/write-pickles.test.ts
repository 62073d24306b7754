import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loads, readPickles, writePickles } from '../../src/index.js';
import { describeWithPython, PYTHON, runPython } from '../helpers/python.js';

/** A Writable that takes one chunk per `delayMs`, with a small buffer. */
function slowWritable(delayMs: number) {
  const received: Uint8Array[] = [];
  let pending = 0;
  let maxPending = 0;
  const sink = new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _encoding, callback) {
      pending++;
      maxPending = Math.max(maxPending, pending);
      setTimeout(() => {
        received.push(new Uint8Array(chunk));
        pending--;
        callback();
      }, delayMs);
    },
  });
  return { sink, received, stats: () => ({ maxPending, buffered: sink.writableLength }) };
}

describe('writePickles', () => {
  it('waits for drain: a slow Writable never holds more than its buffer plus one pickle', async () => {
    const { sink, received } = slowWritable(2);
    const writer = writePickles(sink);
    let maxBuffered = 0;
    for (let i = 0; i < 50; i++) {
      await writer.write({ index: i, text: 'x'.repeat(100) });
      maxBuffered = Math.max(maxBuffered, sink.writableLength);
    }
    await writer.close();
    // Without waiting for drain all 50 pickles (over 5 kB) would sit in the buffer at once.
    expect(maxBuffered).toBeLessThan(300);
    const values: unknown[] = [];
    for await (const value of readPickles(received)) values.push(value);
    expect(values).toEqual(Array.from({ length: 50 }, (_, index) => ({ index, text: 'x'.repeat(100) })));
  });

  it('writes to a web WritableStream', async () => {
    const chunks: Uint8Array[] = [];
    const sink = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(chunk) }, { highWaterMark: 1 });
    const writer = writePickles(sink);
    await writer.write([1, 2]);
    await writer.write('two');
    await writer.close();
    expect(chunks.map((chunk) => loads(chunk))).toEqual([[1, 2], 'two']);
  });

  it('a value that cannot be pickled throws and writes nothing; the writer goes on', async () => {
    const { sink, received } = slowWritable(0);
    const writer = writePickles(sink);
    await expect(writer.write(() => 1)).rejects.toMatchObject({ code: 'UNPICKLABLE' });
    await writer.write(5);
    await writer.close();
    expect(received.map((chunk) => loads(chunk))).toEqual([5]);
  });
});

describeWithPython('writePickles and readPickles with python3', () => {
  it('keepMemo writes what one Python Pickler\'s repeated dump() calls write: Python reads it with one Unpickler', async () => {
    const { sink, received } = slowWritable(0);
    const writer = writePickles(sink, { keepMemo: true, protocol: 2 });
    const shared = ['shared'];
    await writer.write([shared, 'a']);
    await writer.write([shared, 'b']);
    await writer.close();
    const bytes = Buffer.concat(received);
    const out = runPython(
      `
import io, pickle, sys
u = pickle.Unpickler(io.BytesIO(sys.stdin.buffer.read()))
a = u.load(); b = u.load()
print(a, b, a[0] is b[0])
`,
      bytes,
    ).toString();
    expect(out.trim()).toBe("[['shared'], 'a'] [['shared'], 'b'] True");
  });

  it('reads the pickles a python3 process writes to a TCP socket, with one Pickler (keepMemo), as they arrive', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const connection = new Promise<import('node:net').Socket>((resolve) => server.once('connection', resolve));
    const python = spawn(PYTHON, [
      '-c',
      `
import pickle, socket, sys
s = socket.create_connection(('127.0.0.1', ${port}))
f = s.makefile('wb')
p = pickle.Pickler(f, protocol=4)
shared = {'k': 'v'}
for i in range(2000):
    p.dump({'i': i, 'shared': shared, 'blob': bytes([i % 256]) * (i % 300)})
p.dump(b'\\x07' * 3_000_000)
f.close(); s.close()
`,
    ]);
    const exited = new Promise((resolve) => python.once('exit', resolve));
    const socket = await connection;
    const values: unknown[] = [];
    for await (const value of readPickles(socket, { keepMemo: true })) values.push(value);
    server.close();
    await exited;
    expect(python.exitCode).toBe(0);
    expect(values).toHaveLength(2001);
    const first = values[0] as { shared: unknown };
    for (let i = 0; i < 2000; i++) {
      const value = values[i] as { i: number; shared: unknown; blob: Uint8Array };
      expect(value.i).toBe(i);
      expect(value.shared).toBe(first.shared);
      expect(value.blob).toEqual(new Uint8Array(i % 300).fill(i % 256));
    }
    expect((values[2000] as Uint8Array).every((byte) => byte === 7)).toBe(true);
    expect((values[2000] as Uint8Array).length).toBe(3_000_000);
  });

  it('a python3 process reads what writePickles writes to a pipe (its stdin)', async () => {
    const python = spawn(PYTHON, ['-c', `
import pickle, sys
u = pickle.Unpickler(sys.stdin.buffer)
n = 0
while True:
    try: v = u.load()
    except EOFError: break
    assert v == {'n': n, 'pad': 'p' * 1000}, v
    n += 1
print(n)
`]);
    const exited = new Promise((resolve) => python.once('exit', resolve));
    let out = '';
    python.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const writer = writePickles(python.stdin);
    for (let n = 0; n < 3000; n++) await writer.write({ n, pad: 'p'.repeat(1000) });
    await writer.close();
    await exited;
    expect(out.trim()).toBe('3000');
  });
});

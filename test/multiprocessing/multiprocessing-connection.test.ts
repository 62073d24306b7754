// pickle-mapper/multiprocessing against Python's own multiprocessing.connection: TS Client ↔
// Python Listener and Python Client ↔ TS Listener, over TCP and Unix sockets, with CPython 3.11's
// handshake and 3.12's {sha256} one (pyenv's 3.12 and 3.13, and a 3.12 handshake written in
// Python run on python3, so the new form is tested wherever python3 is), typed values both ways,
// and the bad cases: wrong authkey, a peer closing inside a message, an oversized message.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listOf, registerClass, Tuple, tuple } from 'pickle-mapper';
import { AuthenticationError, Client, ConnectionClosedError, Listener, type Address } from 'pickle-mapper/multiprocessing';
import { frameHeader } from '../../src/node/multiprocessing/framing.js';
import { answerChallenge } from '../../src/node/multiprocessing/handshake.js';
import { describeWithPython, PYTHON, runPython } from '../helpers/python.js';
import { PythonPeer, pyenvPython } from '../helpers/python-peer.js';

const PEER = fileURLToPath(new URL('./peer.py', import.meta.url));
const KEY = Buffer.from('secret password');
const scratch = mkdtempSync(join(tmpdir(), 'pm-mpconn-'));
let socketCount = 0;
const socketPath = () => join(scratch, `s${socketCount++}.sock`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

class LineItem {
  constructor(
    public sku: string,
    public quantity: number,
    public price: number,
  ) {}
}
class Order {
  constructor(
    public order_id: number,
    public items: LineItem[],
    public status = 'new',
  ) {}
}
registerClass(LineItem, { module: 'mpmodels', name: 'LineItem', fields: { sku: { type: 'str' }, quantity: { type: 'int' }, price: { type: 'float' } } });
registerClass(Order, { module: 'mpmodels', name: 'Order', fields: { order_id: { type: 'int' }, items: { type: listOf(() => LineItem) }, status: { type: 'str' } } });

describe('framing', () => {
  it('uses the 4-byte length up to 0x7fffffff and the -1 + 8-byte form above, as CPython sends', () => {
    expect(frameHeader(0).toString('hex')).toBe('00000000');
    expect(frameHeader(300).toString('hex')).toBe('0000012c');
    expect(frameHeader(0x7fffffff).toString('hex')).toBe('7fffffff');
    expect(frameHeader(0x80000000).toString('hex')).toBe('ffffffff0000000080000000');
    expect(frameHeader(2 ** 40 + 5).toString('hex')).toBe('ffffffff0000010000000005');
  });
});

describe('TypeScript on both ends', () => {
  it.each(['sha256', 'md5'] as const)('authenticates with %s challenges both ways and carries values and bytes', async (form) => {
    const listener = await Listener(['127.0.0.1', 0], { authkey: KEY, challengeDigest: form });
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address, { authkey: KEY, challengeDigest: form })]);
    await client.send({ n: 1, t: tuple(1, 2) });
    expect(await server.recv()).toEqual({ n: 1, t: tuple(1, 2) });
    await server.sendBytes(new Uint8Array([1, 2, 3]));
    expect([...(await client.recvBytes())]).toEqual([1, 2, 3]);
    await client.close();
    await expect(server.recv()).rejects.toMatchObject({ name: 'ConnectionClosedError', code: 'CONNECTION_CLOSED' });
    await listener.close();
  });

  it('a peer that connects and resets before accept() makes that accept fail, not the process; the next one works', async () => {
    const listener = await Listener(['127.0.0.1', 0], { authkey: KEY });
    const { connect } = await import('node:net');
    const rude = connect({ host: '127.0.0.1', port: (listener.address as [string, number])[1] });
    await new Promise((resolve) => rude.once('connect', resolve));
    rude.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(listener.accept()).rejects.toBeInstanceOf(ConnectionClosedError);
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address, { authkey: KEY })]);
    await client.send('still here');
    expect(await server.recv()).toBe('still here');
    await Promise.all([client.close(), server.close(), listener.close()]);
  });

  it('a receiver that is not reading holds the sender back (backpressure), and then gets every message in order', async () => {
    const listener = await Listener(socketPath());
    const [server, client] = await Promise.all([listener.accept(), Client(listener.address)]);
    const big = Buffer.alloc(8 << 20, 1);
    const sent = [client.sendBytes(big), client.send('after')];
    let settled = false;
    void Promise.all(sent).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    expect((await server.recvBytes()).length).toBe(big.length);
    expect(await server.recv()).toBe('after');
    await Promise.all(sent);
    await Promise.all([client.close(), server.close(), listener.close()]);
  });

  it('a wrong authkey fails the handshake on both sides with AUTHENTICATION_FAILED', async () => {
    const listener = await Listener(['127.0.0.1', 0], { authkey: KEY });
    const [accepted, connected] = await Promise.allSettled([listener.accept(), Client(listener.address, { authkey: 'wrong' })]);
    expect(accepted.status === 'rejected' && accepted.reason).toBeInstanceOf(AuthenticationError);
    expect(connected.status === 'rejected' && connected.reason).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    await listener.close();
  });

  it('a peer that connects and says nothing is dropped after handshakeTimeoutMs, on either side', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const client = await Client(['127.0.0.1', port], { authkey: KEY, handshakeTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(client).toBeInstanceOf(AuthenticationError);
    expect(client).toMatchObject({ code: 'HANDSHAKE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((resolve) => silent.close(resolve));

    const listener = await Listener(['127.0.0.1', 0], { authkey: KEY, handshakeTimeoutMs: 200 });
    const mute = connect((listener.address as [string, number])[1], '127.0.0.1');
    await expect(listener.accept()).rejects.toMatchObject({ code: 'HANDSHAKE_TIMEOUT' });
    // The listener goes on: the next peer, with the key, is accepted.
    const [server, good] = await Promise.all([listener.accept(), Client(listener.address, { authkey: KEY })]);
    await good.send('hello');
    expect(await server.recv()).toBe('hello');
    mute.destroy();
    await Promise.all([good.close(), server.close(), listener.close()]);
  });

  it('a peer that sends a pickle instead of answering the challenge gets nothing unpickled', async () => {
    const { dumps } = await import('pickle-mapper');
    const server = createServer((socket) => {
      const pickle = dumps(new Order(1, []));
      socket.write(Buffer.concat([frameHeader(pickle.length), pickle]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await expect(Client(['127.0.0.1', port], { authkey: KEY })).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', message: expect.stringContaining('no challenge') });
    await new Promise((resolve) => server.close(resolve));
  });

  it('rejects a handshake message above 256 bytes before reading it', async () => {
    const server = createServer((socket) => socket.write(frameHeader(1 << 20)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await expect(Client({ host: '127.0.0.1', port }, { authkey: KEY })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await new Promise((resolve) => server.close(resolve));
  });
});

describeWithPython('handshake answers, checked by python3 hmac', () => {
  const challenge = (body: string) => Buffer.concat([Buffer.from('#CHALLENGE#'), Buffer.from(body, 'latin1')]);
  /** What answerChallenge sends for a challenge, the peer then welcoming it. */
  async function answerTo(message: Buffer): Promise<Buffer> {
    const sent: Buffer[] = [];
    const incoming = [message, Buffer.from('#WELCOME#')];
    await answerChallenge({ sendBytes: async (data) => void sent.push(Buffer.from(data)), receiveHandshakeMessage: async () => incoming.shift()! }, KEY);
    return sent[0]!;
  }

  it.each([
    ['a 3.11 challenge: the raw HMAC-MD5', 'x'.repeat(20), 'hmac.new(key, body, "md5").digest()'],
    ['{sha256}', '{sha256}' + 'y'.repeat(40), 'b"{sha256}" + hmac.new(key, body, "sha256").digest()'],
    ['{sha384}', '{sha384}' + 'z'.repeat(40), 'b"{sha384}" + hmac.new(key, body, "sha384").digest()'],
    ['{sha3_256}', '{sha3_256}' + 'w'.repeat(40), 'b"{sha3_256}" + hmac.new(key, body, "sha3_256").digest()'],
    ['{md5}', '{md5}' + 'v'.repeat(40), 'b"{md5}" + hmac.new(key, body, "md5").digest()'],
  ])('%s', async (_, body, python) => {
    const expected = runPython(`import hmac, sys\nkey, body = bytes.fromhex(sys.argv[1]), sys.argv[2].encode('latin1')\nsys.stdout.buffer.write(${python})`, undefined, [KEY.toString('hex'), body]);
    expect((await answerTo(challenge(body))).equals(expected)).toBe(true);
  });

  it('a challenge with an unknown digest or too short is refused', async () => {
    await expect(answerTo(challenge('{sha1}' + 'a'.repeat(40)))).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    await expect(answerTo(challenge('short'))).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });
});

interface Interpreter {
  readonly label: string;
  readonly python: string | undefined;
  readonly handshake: 'native' | 'emulate312';
  /** The form of the challenges this Python sends. */
  readonly sends: 'md5' | 'sha256';
}

const INTERPRETERS: Interpreter[] = [
  { label: 'python3 (3.11 handshake)', python: PYTHON, handshake: 'native', sends: 'md5' },
  { label: 'python3 running the 3.12 handshake', python: PYTHON, handshake: 'emulate312', sends: 'sha256' },
  { label: 'pyenv CPython 3.12', python: pyenvPython('3.12'), handshake: 'native', sends: 'sha256' },
  { label: 'pyenv CPython 3.13', python: pyenvPython('3.13'), handshake: 'native', sends: 'sha256' },
];

function peer(interpreter: Interpreter, role: 'listen' | 'connect', address: Address, authkey: Uint8Array | undefined, scenario = 'echo'): PythonPeer {
  const where = typeof address === 'string' ? address : Array.isArray(address) ? address : [(address as { host: string }).host, (address as { port: number }).port];
  return new PythonPeer(interpreter.python!, [PEER, role, JSON.stringify(where), authkey ? Buffer.from(authkey).toString('hex') : '-', interpreter.handshake, scenario]);
}

async function pythonListener(interpreter: Interpreter, address: Address, authkey: Uint8Array | undefined, scenario = 'echo') {
  const python = peer(interpreter, 'listen', address, authkey, scenario);
  const listening = await python.event('listening');
  return { python, address: listening.address as Address };
}

describeWithPython('multiprocessing.connection interop', () => {
  for (const interpreter of INTERPRETERS) {
    const run = interpreter.python ? describe : process.env.CI === 'true' ? describe : describe.skip;
    run(interpreter.label, () => {
      if (!interpreter.python) {
        it('is installed (required under CI=true)', () => {
          throw new Error(`${interpreter.label} not found (pyenv install it)`);
        });
        return;
      }

      it.each([['TCP', ['127.0.0.1', 0] as Address], ['a Unix socket', 'unix']] as const)(
        'TypeScript Client → Python Listener over %s: mapped classes, plain values and bytes both ways',
        async (_, kind) => {
          const { python, address } = await pythonListener(interpreter, kind === 'unix' ? socketPath() : kind, KEY);
          const conn = await Client(address, { authkey: KEY });
          await conn.send(new Order(1042, [new LineItem('pen', 2, 1.5), new LineItem('box', 1, 2)]));
          const order = await conn.recv(Order);
          expect(order).toBeInstanceOf(Order);
          expect(order.status).toBe('confirmed');
          expect(order.items.map((i) => [i instanceof LineItem, i.sku, i.quantity, i.price])).toEqual([
            [true, 'pen', 2, 1.5],
            [true, 'box', 1, 2],
            [true, 'gift-wrap', 1, 2.5],
          ]);
          await conn.send({ ratio: 2.5, point: tuple(3, 4), name: 'ünïcode', big: 2n ** 70n });
          const echoed = (await conn.recv()) as Tuple;
          expect(echoed).toEqual(tuple('echo', { ratio: 2.5, point: tuple(3, 4), name: 'ünïcode', big: 2n ** 70n }));
          await conn.send('raw-next');
          await conn.sendBytes(Buffer.from('bytes out'));
          expect((await conn.recvBytes()).toString()).toBe('tuo setyb');
          await conn.send('bye');
          const { code, stderr } = await python.finish();
          expect(code, stderr).toBe(0);
          const received = python.events.filter((e) => e.event === 'received').map((e) => e.value);
          expect(received[0]).toEqual({ order: 1042, status: 'new', items: [['LineItem', 'pen', 2, 1.5, 'float'], ['LineItem', 'box', 1, 2.0, 'float']] });
          expect(received[1]).toEqual({ type: 'dict', repr: "{'ratio': 2.5, 'point': (3, 4), 'name': 'ünïcode', 'big': 1180591620717411303424}" });
          // The listener challenged in its own form; our client challenged in the 3.12 form.
          expect(python.events.filter((e) => e.event.startsWith('challenge-'))).toEqual([
            { event: 'challenge-sent', form: interpreter.sends },
            { event: 'challenge-received', form: 'sha256' },
          ]);
          await conn.close();
        },
      );

      it.each([
        ['a Unix socket', 'sha256'],
        ['TCP', 'md5'],
      ] as const)('Python Client → TypeScript Listener over %s, our challenge in the %s form', async (kind, form) => {
        const listener = await Listener(kind === 'TCP' ? ['127.0.0.1', 0] : socketPath(), { authkey: KEY, challengeDigest: form });
        const python = peer(interpreter, 'connect', listener.address, KEY, 'client-sends');
        const conn = await listener.accept();
        const order = await conn.recv(Order);
        expect([order.order_id, order.status, order.items[0] instanceof LineItem, order.items[0]!.price]).toEqual([7, 'new', true, 1.5]);
        order.status = 'packed';
        order.items.push(new LineItem('tape', 3, 4));
        await conn.send(order);
        expect(await conn.recv()).toBe('raw-next');
        expect((await conn.recvBytes()).toString()).toBe('abc');
        await conn.sendBytes(Buffer.from('xyz'));
        expect(await conn.recv()).toBe('bye');
        const { code, stderr } = await python.finish();
        expect(code, stderr).toBe(0);
        expect(python.events.find((e) => e.event === 'reply')!.value).toEqual({
          order: 7,
          status: 'packed',
          items: [['LineItem', 'pen', 2, 1.5, 'float'], ['LineItem', 'tape', 3, 4.0, 'float']],
        });
        expect(python.events.find((e) => e.event === 'reply-bytes')!.value).toBe('xyz');
        expect(python.events.filter((e) => e.event.startsWith('challenge-'))).toEqual([
          { event: 'challenge-received', form },
          { event: 'challenge-sent', form: interpreter.sends },
        ]);
        await conn.close();
        await listener.close();
      });

      it('a wrong authkey: our Client fails, and so does the Python Listener', async () => {
        const { python, address } = await pythonListener(interpreter, ['127.0.0.1', 0], KEY);
        await expect(Client(address, { authkey: 'not the key' })).rejects.toBeInstanceOf(AuthenticationError);
        const { code } = await python.finish();
        expect(code).toBe(3);
        expect(python.events.find((e) => e.event === 'error')).toMatchObject({ type: 'AuthenticationError' });
      });

      it('a wrong authkey: our Listener refuses a Python Client, which fails too', async () => {
        const listener = await Listener(socketPath(), { authkey: 'not the key' });
        const python = peer(interpreter, 'connect', listener.address, KEY, 'client-sends');
        await expect(listener.accept()).rejects.toMatchObject({ name: 'AuthenticationError', code: 'AUTHENTICATION_FAILED' });
        const { code } = await python.finish();
        expect(code).toBe(3);
        expect(python.events.find((e) => e.event === 'error')).toMatchObject({ type: 'AuthenticationError' });
        expect(python.events.some((e) => e.event === 'connected')).toBe(false);
        await listener.close();
      });
    });
  }

  const python3 = INTERPRETERS[0]!;

  it('without an authkey on either side there is no handshake, as in Python', async () => {
    const { python, address } = await pythonListener(python3, ['127.0.0.1', 0], undefined);
    const conn = await Client(address);
    await conn.send([1, 2]);
    expect(await conn.recv()).toEqual(tuple('echo', [1, 2]));
    await conn.send('bye');
    expect((await python.finish()).code).toBe(0);
    expect(python.events.some((e) => e.event.startsWith('challenge-'))).toBe(false);
  });

  it('reads a message framed with the -1 + 8-byte length, which receivers accept for any size', async () => {
    const { python, address } = await pythonListener(python3, ['127.0.0.1', 0], KEY, 'long-form');
    const conn = await Client(address, { authkey: KEY });
    expect(await conn.recv()).toEqual(tuple('long form', 7));
    await conn.send('bye');
    expect((await python.finish()).code).toBe(0);
  });

  it('Python reads the -1 + 8-byte length form (what we send above 0x7fffffff bytes) for any size', async () => {
    const { dumps } = await import('pickle-mapper');
    const { connect } = await import('node:net');
    const { python, address } = await pythonListener(python3, ['127.0.0.1', 0], undefined);
    const socket = connect({ host: '127.0.0.1', port: (address as [string, number])[1] });
    const header = Buffer.alloc(12);
    header.writeInt32BE(-1, 0);
    const pickle = Buffer.from(dumps(tuple('long', 1)));
    header.writeBigUInt64BE(BigInt(pickle.length), 4);
    const bye = Buffer.from(dumps('bye'));
    socket.write(Buffer.concat([header, pickle, frameHeader(bye.length), bye]));
    expect((await python.finish()).code).toBe(0);
    expect(python.events.find((e) => e.event === 'received')!.value).toEqual({ type: 'tuple', repr: "('long', 1)" });
    socket.destroy();
  });

  it('messages of many chunks (header and payload written apart above 16 KiB) go through both ways', async () => {
    const { python, address } = await pythonListener(python3, socketPath(), KEY);
    const conn = await Client(address, { authkey: KEY });
    const big = Buffer.alloc(5 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    await conn.send('raw-next');
    await conn.sendBytes(big);
    expect((await conn.recvBytes()).equals(Buffer.from(big).reverse())).toBe(true);
    await conn.send('bye');
    expect((await python.finish()).code).toBe(0);
  });

  it('a peer closing inside a message: TRUNCATED', async () => {
    const { python, address } = await pythonListener(python3, ['127.0.0.1', 0], KEY, 'truncate');
    const conn = await Client(address, { authkey: KEY });
    const error = await conn.recv().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 'TRUNCATED' });
    expect((await python.finish()).code).toBe(0);
  });

  it('a message above maxMessageBytes: LIMIT_EXCEEDED at its header, without waiting for its payload', async () => {
    const { python, address } = await pythonListener(python3, ['127.0.0.1', 0], KEY, 'oversized');
    const conn = await Client(address, { authkey: KEY, maxMessageBytes: 1000 });
    // The peer sends a 1 GiB header and 10 bytes, then waits: only refusing at the header ends this.
    await expect(conn.recvBytes()).rejects.toMatchObject({ name: 'UnpicklingError', code: 'LIMIT_EXCEEDED' });
    await python.finish(); // our side closed the connection, so python's recv() ends
    await expect(conn.recv()).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });
});

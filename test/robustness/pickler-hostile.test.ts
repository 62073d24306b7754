// The pickler's edges under hostile use: a Pickler released twice or used after release, fast
// mode on a small DAG that expands exponentially, arrays with holes and objects claiming huge
// lengths, protocol 0/1 ints Python refuses to write, detached buffers, an output beyond the
// largest Uint8Array. Each ends with a value or a PicklingError with its code, never a hang or
// a JavaScript error. Inputs that once hung run in a child process killed after a time limit,
// so that a regression fails its test instead of hanging the run.
import { afterAll, describe, expect, it } from 'vitest';
import {
  dumps,
  loads,
  NdArray,
  PickleBuffer,
  Pickler,
  PicklingError,
  PyByteArray,
  PyGlobal,
  PyObject,
  Registry,
  registerClass,
  Tuple,
  tuple,
} from '../../src/index.js';
import { removeSourceBundle, runScript, type ScriptOutcome } from '../helpers/child-script.js';
import { describeWithPython, runPython } from '../helpers/python.js';

afterAll(removeSourceBundle);

const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

function picklingError(run: () => unknown): PicklingError {
  try {
    run();
  } catch (error) {
    if (error instanceof PicklingError) return error;
    throw new Error(`expected a PicklingError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a PicklingError, but it pickled');
}

/** The outcome a child reports for a PicklingError with `code` (message and path as given). */
function refused(code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: 'error', name: 'PicklingError', pickleError: true, code, ...extra };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// ---- release --------------------------------------------------------------------------------

describe('Pickler.release()', () => {
  it('releasing twice (another Pickler made in between) leaves every later dumps working', async () => {
    const outcome = await runScript(`
      const hex = (b) => Buffer.from(b).toString('hex');
      const p = new lib.Pickler();
      p.dump([1]);
      p.release();
      const q = new lib.Pickler(); // takes the buffer p handed on
      p.release();                 // once more: must hand on nothing
      const out = [hex(lib.dumps(['x'.repeat(1000), 1]))];
      q.release();
      q.release();
      const r = new lib.Pickler();
      r.release();
      r.release();
      out.push(hex(lib.dumps(['x'.repeat(1000), 1])), hex(new lib.Pickler({ protocol: 2 }).dump([1, 2, 3])));
      return out;
    `);
    const expected = [hex(dumps(['x'.repeat(1000), 1])), hex(dumps(['x'.repeat(1000), 1])), hex(dumps([1, 2, 3], { protocol: 2 }))];
    expect(outcome).toEqual({ status: 'value', value: expected });
  });

  it('a released Pickler refuses to dump (RELEASED), however often it was released', async () => {
    const outcome = await runScript(`
      const codes = [];
      for (const releases of [1, 2]) {
        const p = new lib.Pickler();
        p.dump('before');
        for (let i = 0; i < releases; i++) p.release();
        try { p.dump(['after']); codes.push('dumped'); } catch (error) { codes.push(error instanceof lib.PicklingError && error.code, error.message); }
      }
      return codes;
    `);
    expect(outcome).toMatchObject({ status: 'value', value: ['RELEASED', expect.stringMatching(/released/), 'RELEASED', expect.stringMatching(/released/)] });
  });
});

// ---- fast mode on a DAG ---------------------------------------------------------------------

/** `l0 = []; l(i+1) = [li, li]`: `levels` distinct lists that expand to 2^levels in fast mode. */
const DAG = (levels: number, make = 'x => [x, x]', leaf = '[]'): string => `
  let node = ${leaf};
  const make = ${make};
  for (let i = 0; i < ${levels}; i++) node = make(node);
`;

describe('fast mode refuses a shared DAG quickly instead of expanding it', () => {
  const cases: Record<string, string> = {
    'lists sharing their children': DAG(40),
    'dicts sharing their children': DAG(40, 'x => ({ a: x, b: x })'),
    'tuples sharing their children': DAG(40, 'x => lib.tuple(x, x)'),
    'Maps sharing their children': DAG(40, 'x => new Map([[1, x], [2, x]])'),
    'placeholders sharing their state': DAG(40, `x => { const o = new lib.PyObject(new lib.PyGlobal('m', 'C'), lib.tuple(), 'newobj'); o.state = { a: x, b: x }; return o; }`),
    'lists of leaves that carry floats and bytes': DAG(40, 'x => [x, x, 1.5, new Uint8Array(3)]', '[new lib.PyFloat(2)]'),
    'a wide DAG: one list shared by 2 000 lists shared by one list 300 times': `
      const leaf = Array.from({ length: 2000 }, (_, i) => i);
      const middle = Array.from({ length: 2000 }, () => leaf);
      let node = Array.from({ length: 300 }, () => middle);
    `,
  };
  for (const [name, build] of Object.entries(cases)) {
    it(name, async () => {
      for (const protocol of [0, 2, 4]) {
        const outcome = await runScript(`${build}\nreturn lib.dumps(node, { fast: true, protocol: ${protocol} }).length;`);
        expect(outcome, `protocol ${protocol}`).toMatchObject(refused('SHARED_IN_FAST_MODE', { message: expect.stringMatching(/fast mode/) }));
      }
    });
  }

  it('registered instances sharing their children (each state dict made afresh)', async () => {
    const outcome = await runScript(`
      class Node { constructor(left, right) { this.left = left; this.right = right; } }
      const registry = new lib.Registry();
      lib.registerClass(Node, { module: 'graph', name: 'Node', registry, fields: { left: {}, right: {} } });
      ${DAG(40, 'x => new Node(x, x)', 'new Node(null, null)')}
      return lib.dumps(node, { fast: true, registry }).length;
    `);
    expect(outcome).toMatchObject(refused('SHARED_IN_FAST_MODE'));
  });

  it('without fast mode the same DAG is written once, as references, and loads back shared', () => {
    let node: unknown[] = [];
    for (let i = 0; i < 40; i++) node = [node, node];
    for (const protocol of PROTOCOLS) {
      const back = loads(dumps(node, { protocol })) as unknown[];
      expect(back[0]).toBe(back[1]);
    }
  });

  it('a large tree (past the size where sharing starts being watched) is written whole', () => {
    const rows = Array.from({ length: 150_000 }, (_, i) => ({ id: i, tags: ['a', 'b', i], nested: [[i], { k: [i, i + 1] }] }));
    const shared = Array.from({ length: 20 }, (_, i) => i);
    const withSharing = Array.from({ length: 60_000 }, (_, i) => ({ id: i, lookup: shared, more: [[i], [i + 1]] }));
    for (const protocol of [2, 4]) {
      expect(loads(dumps(rows, { protocol, fast: true }))).toEqual(rows);
      expect(loads(dumps(withSharing, { protocol, fast: true }))).toEqual(withSharing);
    }
  });

  it('a value shared a few times is still expanded, as CPython expands it', () => {
    const shared = { deep: [[1, 2], [3, 4]] };
    const value = [shared, [shared, shared], tuple(shared, shared)];
    const back = loads(dumps(value, { fast: true })) as unknown[];
    expect(back).toEqual(value);
    expect(back[0]).not.toBe((back[1] as unknown[])[0]);
  });
});

describeWithPython('fast mode below the bound: the bytes of CPython with Pickler.fast = True', () => {
  it('a 12-level DAG (4 096 leaves) and a list shared 500 times, at every protocol', () => {
    const script = `
import pickle, io, sys, base64, json
node = []
for i in range(12):
    node = [node, node, i]
shared = list(range(20))
wide = [shared] * 500
out = {}
for protocol in range(6):
    for name, value in (('dag', node), ('wide', wide)):
        f = io.BytesIO()
        p = pickle.Pickler(f, protocol)
        p.fast = True
        p.dump(value)
        out[f'{name}{protocol}'] = [base64.b64encode(pickle.dumps(value, protocol)).decode(), base64.b64encode(f.getvalue()).decode()]
print(json.dumps(out))
`;
    const expected = JSON.parse(runPython(script).toString()) as Record<string, [string, string]>;
    for (const [name, [normal, fast]] of Object.entries(expected)) {
      const protocol = Number(name.slice(-1));
      const value = loads(Buffer.from(normal, 'base64'));
      expect(hex(dumps(value, { protocol, fast: true })), name).toBe(Buffer.from(fast, 'base64').toString('hex'));
    }
  });
});

// ---- holes and claimed lengths --------------------------------------------------------------

describe('arrays with holes and objects claiming huge lengths', () => {
  it('a sparse array of length 2^32-1 is refused at its first hole', async () => {
    const outcome = await runScript(`
      const a = [];
      a[0] = 'first';
      a[1] = 2;
      a.length = 2 ** 32 - 1;
      return lib.dumps(a).length;
    `);
    expect(outcome).toMatchObject(refused('UNPICKLABLE', { path: 'value[2]', message: expect.stringMatching(/hole at index 2/) }));
  });

  it('a sparse array as a tuple, a placeholder argument, a reduction argument, list items: refused at the hole', async () => {
    const outcome = await runScript(`
      const sparse = (prefix) => { const a = [...prefix]; a.length = 2 ** 32 - 1; return a; };
      const results = [];
      const attempt = (value, options) => {
        try { lib.dumps(value, options); results.push('pickled'); } catch (error) { results.push([error.code, error.path]); }
      };
      const t = new lib.Tuple(); t.push(1); t.length = 2 ** 32 - 1;
      attempt(t);
      attempt(new lib.PyObject(new lib.PyGlobal('m', 'f'), sparse([1]), 'reduce'));
      attempt(new lib.PyObject(new lib.PyGlobal('m', 'C'), sparse([1, 2]), 'newobj'));
      attempt(new lib.PyObject(new lib.PyGlobal('m', 'C'), sparse([1, 2]), 'newobj'), { protocol: 1 });
      const withItems = new lib.PyObject(new lib.PyGlobal('m', 'L'), lib.tuple(), 'newobj');
      withItems.listItems = sparse(['a']);
      attempt(withItems);
      const withPairs = new lib.PyObject(new lib.PyGlobal('m', 'D'), lib.tuple(), 'newobj');
      withPairs.dictItems = sparse([['k', 'v']]);
      attempt(withPairs);
      attempt(new (class Reduced { __reduce__() { return [new lib.PyGlobal('m', 'f'), sparse([1, 2, 3])]; } })());
      attempt(new (class Reduced { __reduce__() { return [lib.COPYREG_NEWOBJ, sparse([new lib.PyGlobal('m', 'C'), 2])]; } })(), { protocol: 2 });
      return results;
    `);
    expect(outcome).toEqual({
      status: 'value',
      value: [
        ['UNPICKLABLE', 'value[1]'],
        ['UNPICKLABLE', 'value.args[1]'],
        ['UNPICKLABLE', 'value.args[2]'],
        ['UNPICKLABLE', 'value.args[2]'],
        ['UNPICKLABLE', 'value.listItems[1]'],
        ['UNPICKLABLE', 'value.dictItems[1]'],
        ['UNPICKLABLE', 'value<args>[3]'],
        ['UNPICKLABLE', 'value<args>[2]'],
      ],
    });
  });

  it('a Proxy claiming a length of 1e9 with no items is refused at index 0', async () => {
    const outcome = await runScript(`
      const claim = new Proxy([], { get: (target, key) => (key === 'length' ? 1e9 : target[key]) });
      return lib.dumps({ rows: claim }).length;
    `);
    expect(outcome).toMatchObject(refused('UNPICKLABLE', { path: 'value.rows[0]' }));
  });

  it('small arrays with holes: the path names the hole, at every protocol, short lists too', () => {
    // eslint-disable-next-line no-sparse-arrays
    const short = [1, , 3];
    const long = Array.from({ length: 40 }, (_, i) => i);
    delete long[17];
    const holeyTuple = new Tuple<unknown>(3);
    holeyTuple[0] = 'a';
    for (const protocol of PROTOCOLS) {
      for (const fast of [false, true]) {
        const at = (value: unknown) => picklingError(() => dumps(value, { protocol, fast }));
        expect(at(short).path).toBe('value[1]');
        expect(at({ a: [0, long] }).path).toBe('value.a[1][17]');
        expect(at([holeyTuple]).path).toBe('value[0][1]');
        expect(at([new Array(1)]).code).toBe('UNPICKLABLE');
        expect(at(new Array(1)).message).toMatch(/hole at index 0/);
      }
    }
  });

  it('undefined items that are there still pickle as None, with the bytes they had', () => {
    for (const protocol of PROTOCOLS) {
      expect(hex(dumps([1, undefined, 3], { protocol }))).toBe(hex(dumps([1, null, 3], { protocol })));
      const long = Array.from({ length: 40 }, (_, i) => (i % 5 ? i : undefined));
      expect(hex(dumps(long, { protocol }))).toBe(hex(dumps(long.map((x) => x ?? null), { protocol })));
      expect(hex(dumps(tuple(undefined, 1), { protocol }))).toBe(hex(dumps(tuple(null, 1), { protocol })));
    }
  });

  it('an output beyond the largest Uint8Array is LIMIT_EXCEEDED, not a RangeError', async () => {
    // 70 distinct views of one 64 MiB buffer: 4.4 GiB of bytes values, held as references only.
    const outcome = await runScript(`
      const block = new Uint8Array(64 * 1024 * 1024);
      const views = Array.from({ length: 70 }, () => new Uint8Array(block.buffer));
      return lib.dumps(views).length;
    `, { timeoutMs: 60_000 });
    expect(outcome).toMatchObject(refused('LIMIT_EXCEEDED'));
  });
});

// ---- protocol 0/1 ints of more than 4300 digits ----------------------------------------------

describeWithPython('ints of more than 4300 digits at protocols 0 and 1: refused as CPython refuses them', () => {
  const script = `
import pickle, json, sys, base64
out = []
for digits in (4299, 4300, 4301, 5000):
    for sign in (1, -1):
        value = sign * 10 ** (digits - 1)
        for protocol in range(6):
            try:
                out.append([digits, sign, protocol, base64.b64encode(pickle.dumps(value, protocol)).decode()])
            except ValueError as error:
                out.append([digits, sign, protocol, None])
print(json.dumps(out))
`;
  it('the same bytes where CPython writes them, UNREPRESENTABLE where it refuses', () => {
    const cases = JSON.parse(runPython(script).toString()) as Array<[number, number, number, string | null]>;
    expect(cases.filter((c) => c[3] === null).length).toBe(8); // 4301 and 5000 digits, both signs, protocols 0 and 1
    for (const [digits, sign, protocol, expected] of cases) {
      const value = BigInt(sign) * 10n ** BigInt(digits - 1);
      const label = `${sign * digits} digits, protocol ${protocol}`;
      if (expected === null) {
        const error = picklingError(() => dumps({ n: [value] }, { protocol }));
        expect(error.code, label).toBe('UNREPRESENTABLE');
        expect(error.path, label).toBe('value.n[0]');
        expect(error.message, label).toMatch(/4300 digits.*protocol 2/);
      } else {
        expect(Buffer.from(dumps(value, { protocol })).toString('base64'), label).toBe(expected);
      }
    }
  });

  it('a million-digit int at protocol 0 is refused without converting it to text', async () => {
    const outcome = await runScript(`return lib.dumps(10n ** 1000000n, { protocol: 0 }).length;`);
    expect(outcome).toMatchObject(refused('UNREPRESENTABLE'));
  });
});

// ---- detached buffers -----------------------------------------------------------------------

/** `view(buffer)` of a new 8-byte buffer, returned once the buffer is detached (its contents transferred away). */
function detached<T>(view: (buffer: ArrayBuffer) => T): T {
  const buffer = new ArrayBuffer(8);
  const result = view(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return result;
}

describe('values over a detached ArrayBuffer are refused, never written empty', () => {
  it('bytes, bytearray, PickleBuffer (in band and out of band), NdArray: INVALID_ARGUMENT at every protocol', () => {
    const attempts: Array<[string, () => unknown, number]> = [];
    for (const protocol of PROTOCOLS) {
      attempts.push(['bytes', () => dumps({ b: detached((b) => new Uint8Array(b)) }, { protocol }), protocol]);
      attempts.push(['bytearray', () => dumps({ b: detached((b) => new PyByteArray(b)) }, { protocol }), protocol]);
      const array = new NdArray(new Float64Array(8));
      structuredClone(array.data.buffer, { transfer: [array.data.buffer as ArrayBuffer] });
      attempts.push(['ndarray', () => dumps({ b: array }, { protocol }), protocol]);
    }
    const buffer = new PickleBuffer(new Uint8Array(8));
    structuredClone(buffer.data.buffer, { transfer: [buffer.data.buffer as ArrayBuffer] });
    attempts.push(['PickleBuffer in band', () => dumps({ b: buffer }, { protocol: 5 }), 5]);
    attempts.push(['PickleBuffer out of band', () => dumps({ b: buffer }, { protocol: 5, bufferCallback: () => false }), 5]);
    for (const [name, attempt, protocol] of attempts) {
      const error = picklingError(attempt);
      expect(error.code, `${name}, protocol ${protocol}`).toBe('INVALID_ARGUMENT');
      expect(error.message, `${name}, protocol ${protocol}`).toMatch(/detached/);
      expect(error.path, `${name}, protocol ${protocol}`).toBe('value.b');
    }
  });

  it('empty values over live buffers still pickle as before', () => {
    for (const protocol of PROTOCOLS) {
      expect(loads(dumps(new Uint8Array(0), { protocol }))).toEqual(new Uint8Array(0));
      expect(loads(dumps(new PyByteArray(0), { protocol }))).toBeInstanceOf(PyByteArray);
    }
  });

  it('a registered class holding a detached array as a field: refused with its path', () => {
    class Blob {
      data: Uint8Array = new Uint8Array(0);
    }
    const registry = new Registry();
    registerClass(Blob, { module: 'blobs', name: 'Blob', registry, fields: { data: {} } });
    const blob = new Blob();
    blob.data = detached((b) => new Uint8Array(b));
    const error = picklingError(() => dumps([blob], { registry }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.path).toMatch(/^value\[0\]/);
  });
});

// ---- the rest fails only with library errors -------------------------------------------------

describe('other hostile values fail only with PicklingErrors', () => {
  it('placeholders and globals with odd parts', () => {
    const attempts: unknown[] = [
      new PyObject(new PyGlobal('m', 'C'), null as unknown as Tuple, 'newobj'),
      new PyObject(5, tuple(), 'inst'),
      new PyObject(new PyGlobal('m', 'C'), tuple(), 'bogus' as 'newobj'),
      new (class { __reduce__ = () => 'not a reduction'; })(),
      new (class { __reduce__ = () => [new PyGlobal('m', 'f'), 'not args']; })(),
      new (class { __reduce__ = () => { throw new TypeError('boom'); }; })(),
      new Proxy([], { has: () => { throw new Error('trap'); }, get: (t, k) => (k === 'length' ? 2 : undefined) }),
      Symbol('s'),
      () => 1,
    ];
    for (const [index, value] of attempts.entries()) {
      for (const protocol of [0, 2, 4]) {
        let outcome: ScriptOutcome | 'pickled' = 'pickled';
        try {
          dumps(value, { protocol });
        } catch (error) {
          outcome = { status: 'error', name: (error as Error).constructor.name, message: (error as Error).message, pickleError: error instanceof PicklingError };
        }
        expect(outcome, `attempt ${index}, protocol ${protocol}`).toMatchObject({ status: 'error', pickleError: true });
      }
    }
  });
});

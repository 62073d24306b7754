// The Pickler API: PicklingError and its `path`, maxDepth, all-or-nothing writes and the memo
// across dumps, protocol selection, protocol 5 out-of-band buffers, persistent ids, the extension
// registry, reducerOverride and registry `reduce` handlers, and class references. Where CPython
// can pickle the same thing, python3 is the oracle: the bytes must be CPython's (shown as
// pickletools.dis of both when they are not), and CPython must load ours to the right value.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROTOCOL,
  dumps,
  loads,
  PickleBuffer,
  PickleError,
  Pickler,
  PicklingError,
  PyByteArray,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  Registry,
  type Reduction,
  tuple,
  Unpickler,
} from '../../src/index.js';
import { pyDiff } from '../fixtures/py-equal.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', 'fixtures');
const INTEROP = join(HERE, '..', 'interop');
const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

// ---- helpers --------------------------------------------------------------------------------

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

/** Python prelude: fixture classes importable, the graph comparison, JSON in and out. */
const PRELUDE = `
import collections, copyreg, io, json, pickle, pickletools, sys, types
sys.dont_write_bytecode = True
sys.path.insert(0, ${JSON.stringify(FIXTURES)})
sys.path.insert(0, ${JSON.stringify(INTEROP)})
import fixture_classes as fc
from compare_graphs import compare, check_pickle
ARGS = json.loads(sys.stdin.read() or 'null')
def unhex(s): return bytes.fromhex(s)
def emit(x): sys.stdout.write(json.dumps(x))
def dis(data):
    out = io.StringIO()
    try:
        pickletools.dis(data, out=out)
    except Exception as exc:
        out.write(f'!! {type(exc).__name__}: {exc}')
    return out.getvalue()

# A module of classes whose reductions the JavaScript side reproduces.
mymod = types.ModuleType('mymod')
sys.modules['mymod'] = mymod
def _export(obj):
    obj.__module__ = 'mymod'
    setattr(mymod, obj.__name__, obj)
    return obj

@_export
class NewObj:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __reduce_ex__(self, protocol):
        return (copyreg.__newobj__, (NewObj, 1, 2), {'x': self.x, 'y': self.y})

@_export
class NewObjEx:
    def __new__(cls, n, *, flag=False):
        return object.__new__(cls)
    def __reduce_ex__(self, protocol):
        return (copyreg.__newobj_ex__, (NewObjEx, (1,), {'flag': True}), {'n': 1, 'flag': True})

@_export
class Ordered:
    def __reduce_ex__(self, protocol):
        return (collections.OrderedDict, (), None, None, iter([('a', 1)]))

@_export
def set_state(obj, state):
    obj.__dict__.update(state)
    obj.via_setter = True

@_export
class WithSetter:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __reduce_ex__(self, protocol):
        return (WithSetter, (1, 2), {'z': 3}, None, None, set_state)

@_export
class Ref:
    def __init__(self, key):
        self.key = key
`;

/** Runs `body` after the prelude with `input` as ARGS; returns what it emit()s. */
function py<T>(body: string, input?: unknown): T {
  return JSON.parse(runPython(PRELUDE + body, JSON.stringify(input ?? null)).toString('utf8')) as T;
}

/** pickletools.dis of several pickles (hex in, text out). */
function disAll(pickles: string[]): string[] {
  return py<string[]>('emit([dis(unhex(h)) for h in ARGS])', pickles);
}

/** Ours must be exactly CPython's bytes; on a difference the disassemblies are compared. */
function expectSameBytes(ours: Uint8Array, cpythonHex: string, what: string): void {
  if (hex(ours) === cpythonHex) return;
  const [mine, theirs] = disAll([hex(ours), cpythonHex]);
  expect(mine, `${what}: ours (left) vs CPython (right)`).toBe(theirs);
  expect(hex(ours), what).toBe(cpythonHex);
}

/** The PicklingError `fn` throws. */
function picklingError(fn: () => unknown): PicklingError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PicklingError);
    expect(error).toBeInstanceOf(PickleError);
    return error as PicklingError;
  }
  throw new Error('expected a PicklingError, nothing was thrown');
}

const pathOf = (value: unknown, options?: Parameters<typeof dumps>[1]): string | undefined =>
  picklingError(() => dumps(value, options)).path;

/** Opcode names of a pickle, by our own reading of the opcode table via CPython's pickletools. */
function opcodeNames(pickles: Uint8Array[]): string[][] {
  return py<string[][]>('emit([[op.name for op, a, p in pickletools.genops(unhex(h))] for h in ARGS])', pickles.map(hex));
}

function nested(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

class Unregistered {
  x = 1;
}

// ---- errors and their paths ---------------------------------------------------------------

describe('PicklingError for values that cannot be pickled', () => {
  it('names where the value sits: value.order.items[3].price', () => {
    const error = picklingError(() => dumps({ order: { items: [1, 2, 3, { price: () => 0 }] } }));
    expect(error.name).toBe('PicklingError');
    expect(error.path).toBe('value.order.items[3].price');
    expect(error.message).toBe(
      'cannot pickle function price: JavaScript functions have no Python counterpart; ' +
        'a reference to a Python function is new PyGlobal(module, name) (at value.order.items[3].price)',
    );
  });

  it('refuses functions, symbols, unregistered class instances and typed arrays other than bytes', () => {
    expect(picklingError(() => dumps([Symbol('s')])).message).toBe('cannot pickle a symbol (at value[0])');
    const instance = picklingError(() => dumps({ a: new Unregistered() }));
    expect(instance.path).toBe('value.a');
    expect(instance.message).toMatch(/^cannot pickle 'Unregistered' object: no handler is registered for its class/);
    const typed = picklingError(() => dumps({ data: new Float64Array(2) }));
    expect(typed.path).toBe('value.data');
    expect(typed.message).toMatch(/^cannot pickle a Float64Array: .*NdArray\.from/);
    expect(pathOf(new Int16Array(1))).toBe('the value itself');
    expect(pathOf(() => 0)).toBe('the value itself');
    expect(pathOf(class {})).toBe('the value itself');
  });

  it('gives paths through object keys, Map entries, tuples, sets and frozensets', () => {
    const fn = (): number => 0;
    expect(pathOf({ 'a b': fn })).toBe('value["a b"]');
    expect(pathOf({ ok: { 'x-y': [fn] } })).toBe('value.ok["x-y"][0]');
    expect(pathOf(new Map<unknown, unknown>([['k', fn]]))).toBe('value.k');
    expect(pathOf(new Map<unknown, unknown>([[1, 'a'], [2, fn]]))).toBe('value.get(2)');
    expect(pathOf(new Map<unknown, unknown>([[Symbol('s'), 1]]))).toBe('value.keys()[0]');
    expect(pathOf(new Map<unknown, unknown>([['a', 0], [tuple(1, fn), 1]]))).toBe('value.keys()[1][1]');
    for (const protocol of PROTOCOLS) {
      expect(pathOf(tuple(1, fn), { protocol })).toBe('value[1]');
      expect(pathOf(tuple(1, 2, 3, 4, fn), { protocol })).toBe('value[4]');
      expect(pathOf([0, tuple(1, [fn])], { protocol })).toBe('value[1][1][0]');
    }
    // Protocol 4+ has set opcodes; below 4 a set is set([items]) / frozenset([items]), and the
    // path says so: the first argument of the call, then the item.
    expect(pathOf(new Set([1, fn]), { protocol: 4 })).toBe('value<set item 1>');
    expect(pathOf(new PyFrozenSet([1, fn]), { protocol: 4 })).toBe('value<frozenset item 1>');
    expect(pathOf(new Set([1, fn]), { protocol: 3 })).toBe('value<args>[0][1]');
    expect(pathOf(new PyFrozenSet([1, fn]), { protocol: 2 })).toBe('value<args>[0][1]');
  });

  it('gives paths into placeholders: cls, args, kwargs, state, list and dict items', () => {
    const fn = (): number => 0;
    const cls = new PyGlobal('m', 'C');
    const withState = new PyObject(cls, tuple(), 'newobj');
    withState.state = { x: [1, fn] };
    for (const protocol of PROTOCOLS) expect(pathOf({ o: withState }, { protocol })).toBe('value.o.state.x[1]');
    const slotState = new PyObject(cls, tuple(), 'newobj');
    slotState.state = tuple(null, { s: fn });
    expect(pathOf(slotState)).toBe('value.state[1].s');
    expect(pathOf(new PyObject(cls, tuple(1, fn), 'reduce'))).toBe('value.args[1]');
    expect(pathOf(new PyObject(cls, tuple(1, fn), 'newobj'), { protocol: 2 })).toBe('value.args[1]');
    expect(pathOf(new PyObject(cls, tuple(1, fn), 'obj'), { protocol: 1 })).toBe('value.args[1]');
    expect(pathOf(new PyObject(cls, tuple(1, fn), 'inst'), { protocol: 0 })).toBe('value.args[1]');
    expect(pathOf(new PyObject(fn, tuple(), 'reduce'))).toBe('value.cls');
    expect(pathOf(new PyObject(cls, tuple(), 'newobj_ex', { k: fn }), { protocol: 4 })).toBe('value.kwargs.k');
    const items = new PyObject(cls, tuple(), 'newobj');
    items.listItems = [1, 2, fn];
    expect(pathOf(items)).toBe('value.listItems[2]');
    const pairs = new PyObject(cls, tuple(), 'newobj');
    pairs.dictItems = [['a', 1], ['b', fn]];
    expect(pathOf(pairs)).toBe('value.dictItems[1][1]');
  });

  it('a placeholder written in another form (below its protocol) still names its own fields', () => {
    // NEWOBJ below 2 is copyreg.__newobj__(cls, *args), NEWOBJ_EX below 4 is
    // copyreg.__newobj_ex__(cls, args, kwargs), a reconstructor is copyreg._reconstructor(cls,
    // *args): the written argument tuple is not the placeholder's `args`, but the path should
    // still name the placeholder's field (value.args[1], value.kwargs.k), as it does elsewhere.
    const fn = (): number => 0;
    const cls = new PyGlobal('m', 'C');
    const newobj = new PyObject(cls, tuple(1, fn), 'newobj');
    const newobjExArg = new PyObject(cls, tuple(1, fn), 'newobj_ex', {});
    const newobjExKw = new PyObject(cls, tuple(1), 'newobj_ex', { k: fn });
    const reconstructor = new PyObject(cls, tuple(new PyGlobal('builtins', 'object'), fn), 'reconstructor');
    const paths = (obj: PyObject) => PROTOCOLS.map((protocol) => pathOf(obj, { protocol }));
    expect({
      newobj: paths(newobj),
      newobjExArg: paths(newobjExArg),
      newobjExKw: paths(newobjExKw),
      reconstructor: paths(reconstructor),
    }).toEqual({
      newobj: PROTOCOLS.map(() => 'value.args[1]'),
      newobjExArg: PROTOCOLS.map(() => 'value.args[1]'),
      newobjExKw: PROTOCOLS.map(() => 'value.kwargs.k'),
      reconstructor: PROTOCOLS.map(() => 'value.args[1]'),
    });
  });

  it('gives paths into reductions from a registry handler and reducerOverride', () => {
    class Box {
      constructor(readonly content: unknown) {}
    }
    const registry = new Registry().register({
      module: 'm',
      name: 'Box',
      jsClass: Box,
      reduce: (box: Box): Reduction => [new PyGlobal('m', 'Box'), [box.content], { inner: box.content }],
    });
    expect(pathOf({ box: new Box(Symbol('x')) }, { registry })).toBe('value.box<args>[0]');
    const override = (value: unknown): Reduction | undefined =>
      value instanceof Box ? [new PyGlobal('m', 'Box'), [], { inner: value.content }] : undefined;
    expect(pathOf([new Box(Symbol('x'))], { reducerOverride: override })).toBe('value[0]<state>.inner');
    const bad = picklingError(() => dumps(new Box(1), { reducerOverride: () => 'nope' as unknown as Reduction }));
    expect(bad.message).toMatch(/a reduction must be \[callable, args/);
  });
});

describe('errors thrown by user callbacks', () => {
  it('become a PicklingError whose cause is the original error', () => {
    class Boom {}
    const original = new Error('reduce failed');
    const registry = new Registry().register({
      module: 'm',
      name: 'Boom',
      jsClass: Boom,
      reduce: (): Reduction => {
        throw original;
      },
    });
    const fromReduce = picklingError(() => dumps({ a: [new Boom()] }, { registry }));
    expect(fromReduce.cause).toBe(original);
    expect(fromReduce.message).toMatch(/reduce failed/);
    const fromPersistentId = picklingError(() =>
      dumps([1], {
        persistentId: () => {
          throw original;
        },
      }),
    );
    expect(fromPersistentId.cause).toBe(original);
  });
});

// ---- depth ------------------------------------------------------------------------------

describe('maxDepth', () => {
  it('counts nesting from the value itself', () => {
    expect(() => dumps(nested(3), { maxDepth: 3 })).not.toThrow();
    const error = picklingError(() => dumps(nested(4), { maxDepth: 3 }));
    expect(error.message).toBe('nesting deeper than maxDepth (3) (at value[0][0][0])');
    expect(picklingError(() => dumps({ a: { b: { c: {} } } }, { maxDepth: 3 })).path).toBe('value.a.b.c');
  });

  it('a 100 000-deep array pickles with the default limit: the pickler never recurses', () => {
    for (const protocol of [0, 2, 4]) {
      const pickle = dumps(nested(100_000), { protocol });
      let value = loads(pickle) as unknown[];
      let depth = 1;
      while (value.length > 0) {
        value = value[0] as unknown[];
        depth++;
      }
      expect(depth, `protocol ${protocol}`).toBe(100_000);
    }
  });

  it('nesting beyond maxDepth is a PicklingError with a path, not a stack overflow', () => {
    const error = picklingError(() => dumps(nested(100_000), { maxDepth: 50_000 }));
    expect(error).not.toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^nesting deeper than maxDepth \(50000\)/);
    expect(error.path).toBe(`value${'[0]'.repeat(50_000)}`);
    const dicts: Record<string, unknown> = {};
    let cursor = dicts;
    for (let i = 1; i < 20_000; i++) cursor = cursor.d = {};
    expect(() => dumps(dicts)).not.toThrow();
    expect(picklingError(() => dumps(dicts, { maxDepth: 10_000 })).path).toMatch(/^value(\.d){10000}$/);
  });

  it('the Pickler keeps working after a depth failure', () => {
    const pickler = new Pickler({ maxDepth: 5 });
    expect(() => pickler.dump(nested(6))).toThrow(PicklingError);
    expect(pickler.dump(nested(5))).toEqual(dumps(nested(5)));
  });
});

describeWithPython('maxDepth: deep values CPython loads', () => {
  it.each([1000, 5000])('a %i-deep array pickles with the default limit and loads in CPython and here', (deep) => {
    const pickles = PROTOCOLS.map((protocol) => dumps(nested(deep), { protocol }));
    const depths = py<number[]>(
      `
out = []
for h in ARGS:
    value, depth = pickle.loads(unhex(h)), 1
    while value:
        assert type(value) is list and len(value) == 1
        value, depth = value[0], depth + 1
    out.append(depth)
emit(out)
`,
      pickles.map(hex),
    );
    expect(depths).toEqual(PROTOCOLS.map(() => deep));
    for (const pickle of pickles) {
      let value = loads(pickle) as unknown[];
      let depth = 1;
      while (value.length) {
        value = value[0] as unknown[];
        depth++;
      }
      expect(depth).toBe(deep);
    }
  });
});

// ---- all-or-nothing writes and the memo across dumps ------------------------------------------

describe('nothing is half-written', () => {
  it('a failing dump never calls write; a successful one calls it once with the whole pickle', () => {
    const chunks: Uint8Array[] = [];
    const pickler = new Pickler({ write: (chunk) => chunks.push(chunk) });
    const big = Array.from({ length: 5000 }, (_, i) => `item ${i}`);
    expect(() => pickler.dump([...big, () => 0])).toThrow(PicklingError);
    expect(chunks).toHaveLength(0);
    const result = pickler.dump(big);
    expect(chunks).toHaveLength(1);
    expect(hex(chunks[0]!)).toBe(hex(result));
    expect(hex(result)).toBe(hex(dumps(big)));
    expect(result[result.length - 1]).toBe(0x2e); // STOP
    // The chunk is the caller's: the next dump does not overwrite it.
    const copy = hex(chunks[0]!);
    expect(() => pickler.dump([1, Symbol('x')])).toThrow(PicklingError);
    pickler.dump({ other: 'value' });
    expect(chunks).toHaveLength(2);
    expect(hex(chunks[0]!)).toBe(copy);
  });

  it('with keepMemo, a pickle whose write threw is forgotten: the next dump refers to nothing in it', () => {
    for (const protocol of PROTOCOLS) {
      let refuse = true;
      const delivered: Uint8Array[] = [];
      const write = (chunk: Uint8Array) => {
        if (refuse) throw new Error('disk full');
        delivered.push(chunk);
      };
      const pickler = new Pickler({ protocol, keepMemo: true, write });
      const shared = [1];
      expect(() => pickler.dump([shared, 'text'])).toThrow('disk full');
      refuse = false;
      // Byte for byte what a Pickler that never saw the undelivered pickle writes.
      expect(hex(pickler.dump([shared, 'text'])), `protocol ${protocol}`).toBe(hex(dumps([shared, 'text'], { protocol })));
      expect(delivered).toHaveLength(1);
      expect(new Unpickler(delivered[0]!, { keepMemo: true }).load()).toEqual([[1], 'text']);
    }
  });

  it('after a failed dump the next one is byte for byte a fresh dumps()', () => {
    for (const protocol of PROTOCOLS) {
      const pickler = new Pickler({ protocol });
      const shared = [1];
      expect(() => pickler.dump([shared, 'text', new Set([shared.length]), () => 0])).toThrow(PicklingError);
      const value = { a: [shared, shared], b: 'text', c: tuple('text', 2.5) };
      expect(pickler.dump(value), `protocol ${protocol}`).toEqual(dumps(value, { protocol }));
    }
  });
});

describeWithPython('keepMemo: one CPython Unpickler reads every dump of one Pickler', () => {
  /** Three successful dumps with a failed one between the first two, at one protocol. */
  function stream(protocol: number): { chunks: Uint8Array[]; first: Uint8Array } {
    const chunks: Uint8Array[] = [];
    const pickler = new Pickler({ protocol, keepMemo: true, write: (chunk) => chunks.push(chunk) });
    const shared = [1, 2];
    const later = [3];
    const first = pickler.dump([shared, 'shared text', shared]);
    // Memoizes new objects, strings and a global, then fails: none of that may survive in the memo.
    expect(() =>
      pickler.dump([[9, 9], 'new text', later, new PyGlobal('collections', 'OrderedDict'), shared, { bad: () => 0 }]),
    ).toThrow(PicklingError);
    pickler.dump([shared, 'shared text', later, 'new text', new PyGlobal('collections', 'OrderedDict')]);
    pickler.dump(tuple(later, 'new text', shared, new PyGlobal('collections', 'OrderedDict')));
    return { chunks, first };
  }
  let streams: Array<ReturnType<typeof stream>> | undefined;
  const allStreams = (): Array<ReturnType<typeof stream>> => (streams ??= PROTOCOLS.map(stream));
  type Report = { values: unknown; identities: boolean[]; atEnd: boolean };
  let reports: Report[] | undefined;
  const cpython = (): Report[] =>
    (reports ??= py<Report[]>(
      `
out = []
for h in ARGS:
    data = unhex(h)
    f = io.BytesIO(data)
    u = pickle.Unpickler(f)
    a, b, c = u.load(), u.load(), u.load()
    out.append({
        'values': [a, b[:4], list(c[:3])],
        'identities': [a[0] is a[2], b[0] is a[0], c[0] is b[2], c[2] is a[0], type(c) is tuple,
                       b[4] is collections.OrderedDict, c[3] is collections.OrderedDict],
        'atEnd': f.tell() == len(data),
    })
emit(out)
`,
      allStreams().map(({ chunks }) => hex(Buffer.concat(chunks))),
    ));

  it.each(PROTOCOLS)('protocol %i, with a failed dump in between', (protocol) => {
    const { chunks, first } = allStreams()[protocol]!;
    expect(chunks).toHaveLength(3);
    expect(hex(chunks[0]!)).toBe(hex(first));
    const report = cpython()[protocol]!;
    expect(report.values).toEqual([
      [[1, 2], 'shared text', [1, 2]],
      [[1, 2], 'shared text', [3], 'new text'],
      [[3], 'new text', [1, 2]],
    ]);
    expect(report.identities).toEqual([true, true, true, true, true, true, true]);
    expect(report.atEnd).toBe(true);
    // Our own keepMemo Unpickler reads the same stream to the same sharing.
    const unpickler = new Unpickler(Buffer.concat(chunks), { keepMemo: true });
    const [a, b, c] = [unpickler.load(), unpickler.load(), unpickler.load()] as unknown[][];
    expect(unpickler.atEnd).toBe(true);
    expect(b![0]).toBe(a![0]);
    expect(c![0]).toBe(b![2]);
    expect(c![2]).toBe(a![0]);
    expect((c![3] as PyGlobal).qualifiedName).toBe('collections.OrderedDict');
  });

  it('clearMemo() starts over', () => {
    const pickler = new Pickler({ keepMemo: true });
    const shared = [1];
    pickler.dump(shared);
    pickler.clearMemo();
    expect(pickler.dump(shared)).toEqual(dumps(shared));
  });
});

// ---- protocols ---------------------------------------------------------------------------

describe('protocol option', () => {
  it('defaults to 4; a negative protocol means 5', () => {
    expect(DEFAULT_PROTOCOL).toBe(4);
    expect(new Pickler().protocol).toBe(4);
    expect([...dumps(null).subarray(0, 2)]).toEqual([0x80, 4]);
    expect(new Pickler({ protocol: -1 }).protocol).toBe(5);
    expect([...dumps(null, { protocol: -1 }).subarray(0, 2)]).toEqual([0x80, 5]);
    expect(new Pickler({ protocol: -7 }).protocol).toBe(5);
    expect([...dumps(null, { protocol: 0 })]).toEqual([0x4e, 0x2e]);
    expect([...dumps(null, { protocol: 1 })]).toEqual([0x4e, 0x2e]);
    for (const protocol of [2, 3, 4, 5]) expect([...dumps(null, { protocol })]).toEqual([0x80, protocol, 0x4e, 0x2e]);
  });

  it('refuses protocols beyond 5 and non-integers', () => {
    expect(picklingError(() => dumps(1, { protocol: 6 })).message).toMatch(/protocol must be an integer <= 5, not 6/);
    picklingError(() => new Pickler({ protocol: 6 }));
    picklingError(() => dumps(1, { protocol: 2.5 }));
    picklingError(() => dumps(1, { protocol: Number.NaN }));
  });

  it('bufferCallback needs protocol 5', () => {
    const bufferCallback = (): undefined => undefined;
    expect(picklingError(() => dumps(1, { bufferCallback })).message).toMatch(/bufferCallback needs protocol >= 5/);
    for (const protocol of [0, 1, 2, 3, 4]) picklingError(() => new Pickler({ protocol, bufferCallback }));
    expect(() => dumps(1, { protocol: -1, bufferCallback })).not.toThrow();
    expect(() => dumps(1, { protocol: 5, bufferCallback })).not.toThrow();
  });

  it('a PickleBuffer needs protocol 5', () => {
    for (const protocol of [0, 1, 2, 3, 4]) {
      const error = picklingError(() => dumps([new PickleBuffer(Uint8Array.of(1))], { protocol }));
      expect(error.message).toMatch(/PickleBuffer can only be pickled with protocol >= 5/);
      expect(error.path).toBe('value[0]');
    }
  });
});

// ---- protocol 5 out-of-band buffers -------------------------------------------------------------

describeWithPython('protocol 5 out-of-band buffers', () => {
  const ro = () => new PickleBuffer(Uint8Array.of(1, 2, 3));
  const rw = () => new PickleBuffer(PyByteArray.fromBytes([4, 5]));
  const CPYTHON = `
from pickle import PickleBuffer
def values():
    return [PickleBuffer(b'\\x01\\x02\\x03'), PickleBuffer(bytearray(b'\\x04\\x05'))]
seen = []
oob = pickle.dumps(values(), protocol=5, buffer_callback=lambda b: seen.append(b))
inband = pickle.dumps(values(), protocol=5, buffer_callback=lambda b: True)
plain = pickle.dumps(values(), protocol=5)
pb = PickleBuffer(b'\\x07')
shared_inband = pickle.dumps([pb, pb], protocol=5)
shared_oob = pickle.dumps([pb, pb], protocol=5, buffer_callback=lambda b: None)
loaded = pickle.loads(unhex(ARGS), buffers=[b'\\x01\\x02\\x03', bytearray(b'\\x04\\x05')])
loaded_ro_from_writable = pickle.loads(unhex(ARGS), buffers=[bytearray(b'\\x01\\x02\\x03'), bytearray(b'\\x04\\x05')])
emit({
    'oob': oob.hex(), 'inband': inband.hex(), 'plain': plain.hex(), 'seen': len(seen),
    'shared_inband': shared_inband.hex(), 'shared_oob': shared_oob.hex(),
    'loaded': [[type(x).__name__, bytes(x).hex()] for x in loaded],
    'readonlyView': [type(loaded_ro_from_writable[0]).__name__, loaded_ro_from_writable[0].readonly,
                     bytes(loaded_ro_from_writable[0]).hex()],
})
`;

  it('a falsy bufferCallback return sends buffers out of band, as CPython does', () => {
    const handed: PickleBuffer[] = [];
    const values = [ro(), rw()];
    const data = dumps(values, { protocol: 5, bufferCallback: (buffer) => void handed.push(buffer) });
    expect(handed).toEqual(values);
    expect(handed[0]).toBe(values[0]);
    expect(handed[1]).toBe(values[1]);
    const [names] = opcodeNames([data]);
    expect(names!.filter((n) => n === 'NEXT_BUFFER')).toHaveLength(2);
    expect(names!.filter((n) => n === 'READONLY_BUFFER')).toHaveLength(1);
    expect(names!.indexOf('READONLY_BUFFER')).toBe(names!.indexOf('NEXT_BUFFER') + 1);
    expect(names).not.toContain('SHORT_BINBYTES');
    const cpython = py<{
      oob: string;
      seen: number;
      loaded: Array<[string, string]>;
      readonlyView: [string, boolean, string];
    }>(CPYTHON, hex(data));
    expect(cpython.seen).toBe(2);
    expectSameBytes(data, cpython.oob, 'out-of-band');
    expect(cpython.loaded).toEqual([
      ['bytes', '010203'],
      ['bytearray', '0405'],
    ]);
    expect(cpython.readonlyView).toEqual(['memoryview', true, '010203']);
    // Our own loads with the buffers: read-only data as bytes, writable data as a bytearray.
    const back = loads(data, { buffers: handed.map((b) => b.data) }) as unknown[];
    expect(back[0]).toEqual(Uint8Array.of(1, 2, 3));
    expect(Object.getPrototypeOf(back[0])).toBe(Uint8Array.prototype);
    expect(back[1]).toBeInstanceOf(PyByteArray);
    expect([...(back[1] as Uint8Array)]).toEqual([4, 5]);
  });

  it('a truthy return, or no callback, keeps them in band, as CPython does', () => {
    let calls = 0;
    const inband = dumps([ro(), rw()], { protocol: 5, bufferCallback: () => ++calls });
    expect(calls).toBe(2);
    const plain = dumps([ro(), rw()], { protocol: 5 });
    const cpython = py<{ inband: string; plain: string; shared_inband: string; shared_oob: string }>(
      CPYTHON,
      hex(dumps([ro(), rw()], { protocol: 5, bufferCallback: () => undefined })),
    );
    expectSameBytes(inband, cpython.inband, 'in band (truthy callback)');
    expectSameBytes(plain, cpython.plain, 'in band (no callback)');
    for (const names of opcodeNames([inband, plain])) {
      expect(names).not.toContain('NEXT_BUFFER');
      expect(names).toContain('SHORT_BINBYTES');
      expect(names).toContain('BYTEARRAY8');
    }
    // One PickleBuffer twice: memoized in band, handed over twice out of band.
    const pb = new PickleBuffer(Uint8Array.of(7));
    expectSameBytes(dumps([pb, pb], { protocol: 5 }), cpython.shared_inband, 'shared, in band');
    let handed = 0;
    expectSameBytes(
      dumps([pb, pb], { protocol: 5, bufferCallback: () => void handed++ }),
      cpython.shared_oob,
      'shared, out of band',
    );
    expect(handed).toBe(2);
    expect(pyDiff(loads(plain), [Uint8Array.of(1, 2, 3), PyByteArray.fromBytes([4, 5])])).toBeUndefined();
  });
});

// ---- persistent ids ----------------------------------------------------------------------

class Ref {
  constructor(readonly key: unknown) {}
}
const persistentId = (value: unknown): unknown => (value instanceof Ref ? value.key : undefined);

describeWithPython('persistentId', () => {
  const CPYTHON = `
class P(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.key if isinstance(obj, mymod.Ref) else None
class U(pickle.Unpickler):
    def persistent_load(self, pid):
        return ['resolved', pid]
def cpython(value, protocol):
    f = io.BytesIO()
    P(f, protocol=protocol).dump(value)
    return f.getvalue().hex()
out = {'strings': [], 'tuples': [], 'loaded': []}
for p in range(6):
    out['strings'].append(cpython({'a': mymod.Ref('user:1'), 'b': [mymod.Ref('user:2'), mymod.Ref('user:1')]}, p))
    out['tuples'].append(cpython([mymod.Ref(('user', 1)), mymod.Ref(b'k')], p) if p >= 1 else None)
for h in ARGS:
    out['loaded'].append(repr(U(io.BytesIO(unhex(h))).load()))
emit(out)
`;

  it('writes PERSID at protocol 0 and BINPERSID from 1, byte for byte as CPython', () => {
    const strings = PROTOCOLS.map((protocol) =>
      dumps({ a: new Ref('user:1'), b: [new Ref('user:2'), new Ref('user:1')] }, { protocol, persistentId }),
    );
    const tuples = PROTOCOLS.slice(1).map((protocol) =>
      dumps([new Ref(tuple('user', 1)), new Ref(Uint8Array.of(0x6b))], { protocol, persistentId }),
    );
    const cpython = py<{ strings: string[]; tuples: Array<string | null>; loaded: string[] }>(CPYTHON, [
      ...strings.map(hex),
      hex(tuples[0]!),
    ]);
    PROTOCOLS.forEach((protocol, i) => expectSameBytes(strings[i]!, cpython.strings[i]!, `string ids, protocol ${protocol}`));
    PROTOCOLS.slice(1).forEach((protocol, i) =>
      expectSameBytes(tuples[i]!, cpython.tuples[i + 1]!, `tuple/bytes ids, protocol ${protocol}`),
    );
    expect(opcodeNames([strings[0]!, strings[1]!]).map((n) => n.filter((x) => x.endsWith('PERSID')))).toEqual([
      ['PERSID', 'PERSID', 'PERSID'],
      ['BINPERSID', 'BINPERSID', 'BINPERSID'],
    ]);
    expect(cpython.loaded).toEqual([
      ...PROTOCOLS.map(() => "{'a': ['resolved', 'user:1'], 'b': [['resolved', 'user:2'], ['resolved', 'user:1']]}"),
      "[['resolved', ('user', 1)], ['resolved', b'k']]",
    ]);
    // Our own loads resolves them through persistentLoad.
    const back = loads(tuples[0]!, { persistentLoad: (pid) => ({ pid }) });
    expect(pyDiff(back, [{ pid: tuple('user', 1) }, { pid: Uint8Array.of(0x6b) }])).toBeUndefined();
    const backStrings = loads(strings[0]!, { persistentLoad: (pid) => `resolved ${String(pid)}` });
    expect(backStrings).toEqual({ a: 'resolved user:1', b: ['resolved user:2', 'resolved user:1'] });
  });

  it('protocol 0 persistent ids must be ASCII strings without a newline', () => {
    for (const pid of ['caf\u00e9', 'a\nb', tuple('x'), 7]) {
      const error = picklingError(() => dumps([1, new Ref(pid)], { protocol: 0, persistentId }));
      expect(error.message).toMatch(/persistent IDs in protocol 0 must be ASCII strings/);
      expect(error.path).toBe('value[1]');
    }
    expect(() => dumps([new Ref('caf\u00e9')], { protocol: 1, persistentId })).not.toThrow();
  });

  it('asks about every string and number of a short list or dict, and a container id waits for its BINPERSID', () => {
    // Short lists and dicts of scalars are written without a frame; with a persistentId they must
    // not be, since an id that is a container needs frames of its own.
    const marked = (value: unknown): unknown =>
      typeof value === 'string' && value.startsWith('$') ? tuple('str', value.slice(1)) : value === 7 ? 'seven' : undefined;
    const value = [['$a', 1, '$b', 'c'], [7, 8], { $k: 1, v: '$w', n: 7 }];
    const ours = PROTOCOLS.slice(1).map((protocol) => dumps(value, { protocol, persistentId: marked }));
    const cpython = py<string[]>(`
class P(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, str) and obj.startswith('$'):
            return ('str', obj[1:])
        return 'seven' if type(obj) is int and obj == 7 else None
def cpython(protocol):
    f = io.BytesIO()
    P(f, protocol=protocol).dump([['$a', 1, '$b', 'c'], [7, 8], {'$k': 1, 'v': '$w', 'n': 7}])
    return f.getvalue().hex()
emit([cpython(p) for p in range(1, 6)])
`);
    PROTOCOLS.slice(1).forEach((protocol, i) => expectSameBytes(ours[i]!, cpython[i]!, `protocol ${protocol}`));
  });

  it('an undefined or null persistent id pickles the value normally', () => {
    expect(dumps([1, 'a'], { persistentId: () => null })).toEqual(dumps([1, 'a']));
    expect(dumps([1, 'a'], { persistentId: () => undefined })).toEqual(dumps([1, 'a']));
  });
});

// ---- the extension registry ---------------------------------------------------------------

describeWithPython('extensions option', () => {
  const extensions = new Map<number, readonly [string, string]>([
    [200, ['fixture_classes', 'Plain']],
    [0x1234, ['fixture_classes', 'Outer']],
    [0x12345, ['fixture_classes', 'helper_function']],
  ]);
  const value = () => {
    const plain = new PyObject(new PyGlobal('fixture_classes', 'Plain'), tuple(), 'newobj');
    plain.state = { a: 1, b: 'two', c: [3] };
    return [
      new PyGlobal('fixture_classes', 'Plain'),
      new PyGlobal('fixture_classes', 'Outer'),
      new PyGlobal('fixture_classes', 'helper_function'),
      new PyGlobal('fixture_classes', 'Plain'),
      new PyGlobal('fixture_classes', 'Outer'),
      new PyGlobal('fixture_classes', 'helper_function'),
      plain,
    ];
  };

  it('writes EXT1/EXT2/EXT4 from protocol 2 (not memoized), GLOBAL below, as CPython', () => {
    const ours = PROTOCOLS.map((protocol) => dumps(value(), { protocol, extensions }));
    const cpython = py<{ bytes: string[]; loaded: boolean[] }>(
      `
copyreg.add_extension('fixture_classes', 'Plain', 200)
copyreg.add_extension('fixture_classes', 'Outer', 0x1234)
copyreg.add_extension('fixture_classes', 'helper_function', 0x12345)
def value():
    return [fc.Plain, fc.Outer, fc.helper_function] * 2 + [fc.Plain(1, 'two', [3])]
expected = value()
loaded = []
for h in ARGS:
    got = pickle.loads(unhex(h))
    loaded.append(compare(expected, got) is None)
emit({'bytes': [pickle.dumps(value(), protocol=p).hex() for p in range(6)], 'loaded': loaded})
`,
      ours.map(hex),
    );
    expect(cpython.loaded).toEqual(PROTOCOLS.map(() => true));
    PROTOCOLS.forEach((protocol, i) => expectSameBytes(ours[i]!, cpython.bytes[i]!, `protocol ${protocol}`));
    const names = opcodeNames(ours);
    for (const protocol of [2, 3, 4, 5]) {
      const ops = names[protocol]!;
      expect(ops.filter((n) => n.startsWith('EXT'))).toEqual(['EXT1', 'EXT2', 'EXT4', 'EXT1', 'EXT2', 'EXT4', 'EXT1']);
      expect(ops).not.toContain('GLOBAL');
      expect(ops).not.toContain('STACK_GLOBAL');
    }
    for (const protocol of [0, 1]) expect(names[protocol]!.some((n) => n.startsWith('EXT'))).toBe(false);
    // The same table as a record, and our own loads with it.
    const record = { 200: ['fixture_classes', 'Plain'], 4660: ['fixture_classes', 'Outer'], 74565: ['fixture_classes', 'helper_function'] } as const;
    expect(dumps(value(), { protocol: 2, extensions: record })).toEqual(ours[2]);
    const back = loads(ours[4]!, { extensions }) as unknown[];
    expect((back[0] as PyGlobal).qualifiedName).toBe('fixture_classes.Plain');
    expect((back[5] as PyGlobal).qualifiedName).toBe('fixture_classes.helper_function');
  });

  it('refuses codes outside 1..2^31-1', () => {
    for (const code of [0, -1, 2 ** 31, 1.5]) {
      picklingError(() => new Pickler({ extensions: new Map([[code, ['m', 'n']]]) }));
    }
  });
});

// ---- reductions: registry handlers and reducerOverride ---------------------------------------------

class JsOrdered {}
class JsNewObj {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
class JsNewObjEx {}
class JsWithSetter {}
class Money {
  constructor(readonly text: string) {}
}

const reductionRegistry = new Registry()
  .register({
    module: 'mymod',
    name: 'Ordered',
    jsClass: JsOrdered,
    reduce: (): Reduction => [new PyGlobal('collections', 'OrderedDict'), tuple(), null, null, [['a', 1]]],
  })
  .register({
    module: 'mymod',
    name: 'NewObj',
    jsClass: JsNewObj,
    reduce: (obj: JsNewObj): Reduction => [
      new PyGlobal('copyreg', '__newobj__'),
      [new PyGlobal('mymod', 'NewObj'), 1, 2],
      { x: obj.x, y: obj.y },
    ],
  })
  .register({
    module: 'mymod',
    name: 'NewObjEx',
    jsClass: JsNewObjEx,
    reduce: (): Reduction => [
      new PyGlobal('copyreg', '__newobj_ex__'),
      [new PyGlobal('mymod', 'NewObjEx'), tuple(1), { flag: true }],
      { n: 1, flag: true },
    ],
  })
  .register({
    module: 'mymod',
    name: 'WithSetter',
    jsClass: JsWithSetter,
    reduce: (): Reduction => [new PyGlobal('mymod', 'WithSetter'), [1, 2], { z: 3 }, null, null, new PyGlobal('mymod', 'set_state')],
  });

const REDUCTIONS_CPYTHON = `
import decimal
cases = {
    'ordered': lambda: mymod.Ordered(),
    'newobj': lambda: mymod.NewObj(1, 2),
    'newobj_ex': lambda: mymod.NewObjEx(1, flag=True),
    'setter': lambda: mymod.WithSetter(1, 2),
    'money': lambda: [decimal.Decimal('1.50')] * 2,  # one object twice
}
out = {'bytes': {}, 'loaded': {}, 'same': {}}
for name, make in cases.items():
    theirs = [pickle.dumps(make(), protocol=p) for p in range(6)]
    out['bytes'][name] = [t.hex() for t in theirs]
    got = [pickle.loads(unhex(h)) for h in ARGS[name]]
    out['same'][name] = [compare(pickle.loads(t), g) for t, g in zip(theirs, got)]
    out['loaded'][name] = [repr((type(g).__module__, type(g).__qualname__, getattr(g, '__dict__', None) if not isinstance(g, (dict, list)) else g)) for g in got]
emit(out)
`;

describeWithPython('reductions: registry handlers and reducerOverride write what CPython writes', () => {
  const moneyOverride = (value: unknown): Reduction | undefined =>
    value instanceof Money ? [new PyGlobal('decimal', 'Decimal'), [value.text]] : undefined;
  const ours = {
    ordered: PROTOCOLS.map((protocol) => dumps(new JsOrdered(), { protocol, registry: reductionRegistry })),
    newobj: PROTOCOLS.map((protocol) => dumps(new JsNewObj(1, 2), { protocol, registry: reductionRegistry })),
    newobj_ex: PROTOCOLS.map((protocol) => dumps(new JsNewObjEx(), { protocol, registry: reductionRegistry })),
    setter: PROTOCOLS.map((protocol) => dumps(new JsWithSetter(), { protocol, registry: reductionRegistry })),
    money: PROTOCOLS.map((protocol) => {
      const m = new Money('1.50');
      return dumps([m, m], { protocol, reducerOverride: moneyOverride });
    }),
  };
  type Oracle = { bytes: Record<string, string[]>; loaded: Record<string, string[]>; same: Record<string, Array<string | null>> };
  let cpython: Oracle | undefined;
  const oracle = (): Oracle =>
    (cpython ??= py<Oracle>(
      REDUCTIONS_CPYTHON,
      Object.fromEntries(Object.entries(ours).map(([name, list]) => [name, list.map(hex)])),
    ));

  it.each(['ordered', 'newobj', 'setter', 'money'] as const)('%s: same bytes at every protocol', (name) => {
    PROTOCOLS.forEach((protocol, i) =>
      expectSameBytes(ours[name][i]!, oracle().bytes[name]![i]!, `${name}, protocol ${protocol}`),
    );
  });

  it('newobj_ex: same bytes at protocols 0, 1, 4 and 5', () => {
    for (const protocol of [0, 1, 4, 5]) {
      expectSameBytes(ours.newobj_ex[protocol]!, oracle().bytes.newobj_ex![protocol]!, `newobj_ex, protocol ${protocol}`);
    }
  });

  it('newobj_ex at protocols 2 and 3: CPython writes functools.partial(cls.__new__, ...), we write copyreg.__newobj_ex__; both load the same', () => {
    const names = opcodeNames([...ours.newobj_ex.slice(2, 4), ...[2, 3].map((p) => Buffer.from(oracle().bytes.newobj_ex![p]!, 'hex'))]);
    const dis = disAll([hex(ours.newobj_ex[2]!), oracle().bytes.newobj_ex![2]!]);
    expect(dis[0]).toContain("GLOBAL     'copy_reg __newobj_ex__'");
    expect(dis[1]).toContain("GLOBAL     'functools partial'");
    for (const ops of names) expect(ops).not.toContain('NEWOBJ_EX');
    const loaded = oracle().loaded.newobj_ex!;
    expect(new Set(loaded).size).toBe(1);
  });

  it('CPython loads each of ours to the object its own pickle gives', () => {
    const { loaded, same } = oracle();
    for (const name of Object.keys(ours)) expect(same[name], name).toEqual(PROTOCOLS.map(() => null));
    expect(loaded.ordered).toEqual(PROTOCOLS.map(() => "('collections', 'OrderedDict', OrderedDict([('a', 1)]))"));
    expect(loaded.newobj).toEqual(PROTOCOLS.map(() => "('mymod', 'NewObj', {'x': 1, 'y': 2})"));
    expect(loaded.newobj_ex).toEqual(PROTOCOLS.map(() => "('mymod', 'NewObjEx', {'n': 1, 'flag': True})"));
    expect(loaded.setter).toEqual(PROTOCOLS.map(() => "('mymod', 'WithSetter', {'x': 1, 'y': 2, 'z': 3, 'via_setter': True})"));
    expect(loaded.money).toEqual(PROTOCOLS.map(() => "('builtins', 'list', [Decimal('1.50'), Decimal('1.50')])"));
  });

  it('NEWOBJ from protocol 2 and NEWOBJ_EX from protocol 4', () => {
    const names = opcodeNames([...ours.newobj, ...ours.newobj_ex]);
    PROTOCOLS.forEach((protocol) => {
      expect(names[protocol]!.includes('NEWOBJ'), `newobj p${protocol}`).toBe(protocol >= 2);
      expect(names[6 + protocol]!.includes('NEWOBJ_EX'), `newobj_ex p${protocol}`).toBe(protocol >= 4);
    });
  });

  it('reducerOverride comes before the registry; undefined falls back to it', () => {
    const override = (value: unknown): Reduction | undefined =>
      value instanceof JsOrdered ? [new PyGlobal('builtins', 'dict'), tuple()] : undefined;
    const overridden = dumps(new JsOrdered(), { registry: reductionRegistry, reducerOverride: override });
    expect(loads(overridden)).toEqual({});
    expect(dumps(new JsNewObj(1, 2), { registry: reductionRegistry, reducerOverride: override })).toEqual(ours.newobj[4]);
    // Builtin values never reach reducerOverride (as in CPython, which offers it only what has
    // no builtin representation).
    const seen: unknown[] = [];
    dumps([1, 'a', [2], { b: 3 }, new Map([[1, 2]]), tuple(4)], { reducerOverride: (v) => void seen.push(v) });
    expect(seen).toEqual([]);
    picklingError(() => dumps(new Money('1'), { reducerOverride: () => undefined }));
  });

  it('a class instance with __reduce_ex__ (or __reduce__) is reduced by it', () => {
    const seen: number[] = [];
    class DecEx {
      __reduce_ex__(protocol: number): Reduction {
        seen.push(protocol);
        return [new PyGlobal('decimal', 'Decimal'), ['1.50']];
      }
    }
    class Dec {
      __reduce__(): Reduction {
        return [new PyGlobal('decimal', 'Decimal'), ['1.50']];
      }
    }
    const ex = new DecEx();
    const plain = new Dec();
    PROTOCOLS.forEach((protocol) => {
      expect(hex(dumps([ex, ex], { protocol }))).toBe(hex(ours.money[protocol]!));
      expect(hex(dumps([plain, plain], { protocol }))).toBe(hex(ours.money[protocol]!));
    });
    expect(seen).toEqual([...PROTOCOLS]);
    // A plain object is a dict even with such a key: its function value cannot be pickled.
    expect(pathOf({ __reduce_ex__: () => [] })).toBe('value.__reduce_ex__');
  });
});

// ---- class references --------------------------------------------------------------------

describeWithPython('PyGlobal class references', () => {
  const refs = (): PyGlobal[] => [
    new PyGlobal('fixture_classes', 'Plain'),
    new PyGlobal('fixture_classes', 'Outer.Inner'),
    new PyGlobal('fixture_classes', 'Outer'),
    new PyGlobal('builtins', 'set'),
    new PyGlobal('builtins', 'range'),
    new PyGlobal('_functools', 'reduce'), // functools.reduce.__module__ is '_functools'
    new PyGlobal('builtins', 'ConnectionError'),
    new PyGlobal('collections', 'UserDict'),
    new PyGlobal('collections', 'OrderedDict'),
    new PyGlobal('fixture_classes', 'Plain'),
    new PyGlobal('fixture_classes', 'Outer.Inner'),
  ];
  const CPYTHON = `
import functools
def refs():
    return [fc.Plain, fc.Outer.Inner, fc.Outer, set, range, functools.reduce, ConnectionError,
            collections.UserDict, collections.OrderedDict, fc.Plain, fc.Outer.Inner]
fix = [pickle.dumps(refs(), protocol=p).hex() for p in range(6)]
nofix = [pickle.dumps(refs(), protocol=p, fix_imports=False).hex() for p in range(6)]
# CPython's own pickle is the oracle for what loading gives: at protocols <= 2 with fix_imports
# it writes ConnectionError as exceptions.OSError, which loads as OSError.
theirs = [pickle.loads(unhex(h)) for h in fix + nofix]
ok = [compare(t, pickle.loads(unhex(h))) for t, h in zip(theirs, ARGS)]
emit({'fix': fix, 'nofix': nofix, 'ok': ok})
`;

  it('GLOBAL below 4 (getattr for nested names, Python 2 names at <= 2), STACK_GLOBAL from 4: as CPython', () => {
    const fix = PROTOCOLS.map((protocol) => dumps(refs(), { protocol }));
    const nofix = PROTOCOLS.map((protocol) => dumps(refs(), { protocol, fixImports: false }));
    const cpython = py<{ fix: string[]; nofix: string[]; ok: Array<string | null> }>(CPYTHON, [...fix, ...nofix].map(hex));
    expect(cpython.ok).toEqual([...fix, ...nofix].map(() => null));
    PROTOCOLS.forEach((protocol, i) => {
      expectSameBytes(fix[i]!, cpython.fix[i]!, `fix_imports, protocol ${protocol}`);
      expectSameBytes(nofix[i]!, cpython.nofix[i]!, `no fix_imports, protocol ${protocol}`);
    });
    const [p2, p4] = disAll([hex(fix[2]!), hex(fix[4]!)]);
    expect(p2).toContain("GLOBAL     '__builtin__ set'");
    expect(p2).toContain("GLOBAL     '__builtin__ getattr'");
    expect(p2).toContain("GLOBAL     '__builtin__ xrange'");
    expect(p4).toContain("SHORT_BINUNICODE 'Outer.Inner'");
    expect(p4).toContain('STACK_GLOBAL');
    expect(p4).not.toContain('getattr');
  });

  it('a builtin function next to a builtin class: same opcodes, CPython repeats a module string ours memoizes', () => {
    // CPython memoizes strings by identity: len.__module__ and set.__module__ are equal but
    // different str objects, so it writes 'builtins' twice from protocol 4; JavaScript strings have
    // no identity, so ours is one string, memoized once. Loading gives the same objects.
    const ours = PROTOCOLS.map((protocol) => dumps([new PyGlobal('builtins', 'set'), new PyGlobal('builtins', 'len')], { protocol }));
    const result = py<{ same: boolean[]; ok: Array<string | null> }>(
      `
theirs = [pickle.dumps([set, len], protocol=p) for p in range(6)]
emit({'same': [t == unhex(h) for t, h in zip(theirs, ARGS)],
      'ok': [compare([set, len], pickle.loads(unhex(h))) for h in ARGS]})
`,
      ours.map(hex),
    );
    expect(result.ok).toEqual(PROTOCOLS.map(() => null));
    expect(result.same).toEqual([true, true, true, true, false, false]);
  });

  it('names that cannot be written below protocol 3 are a PicklingError', () => {
    for (const protocol of [0, 1, 2]) {
      const error = picklingError(() => dumps([new PyGlobal('m\u00f6d', 'C')], { protocol }));
      expect(error.message).toMatch(/cannot pickle global 'm\u00f6d.C' with protocol/);
      expect(error.path).toBe('value[0]');
    }
    expect(() => dumps([new PyGlobal('m\u00f6d', 'C')], { protocol: 3 })).not.toThrow();
    picklingError(() => dumps(new PyGlobal('m', 'a\nb'), { protocol: 3 }));
  });
});

describe('a short list of scalars is written in place', () => {
  it('an index getter that hands over a container on its second read is an error, not a broken pickle', () => {
    const list: unknown[] = ['a', 'b'];
    let reads = 0;
    Object.defineProperty(list, 1, { get: () => (++reads > 1 ? ['nested'] : 'b'), enumerable: true });
    const error = picklingError(() => dumps([list]));
    expect(error.message).toMatch(/a list item changed while the list was written/);
    expect(reads).toBe(2);
  });
});

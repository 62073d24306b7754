// The options of LoadOptions, and the Unpickler reading several pickles from one buffer. Pickles
// come from a python3 run at test time wherever Python 3 can write them; the Python 2 `str`
// pickles (which Python 3 cannot write) are hand-written and cross-checked against python3's
// own pickle.loads with the same encoding.
import { describe, expect, it } from 'vitest';
import {
  loads,
  type LoadOptions,
  PickleError,
  PyByteArray,
  PyComplex,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  type Python2StringEncoding,
  Registry,
  Tuple,
  tuple,
  Unpickler,
  UnpicklingError, PyRange } from '../../src/index.js';
import { describeWithPython, hasPython, runPython } from '../helpers/python.js';

// Python 2 `str` pickles (hand-written: Python 3 has no pickler for them) for the encoding option.
const PY2_STRINGS: Record<string, string> = {
  // pickle.dumps('caf\xe9', protocol=0) in Python 2
  string_p0: "S'caf\\xe9'\n.",
  // protocol 1: SHORT_BINSTRING
  short_binstring: 'U\x04caf\xe9.',
  // BINSTRING (4-byte length)
  binstring: 'T\x04\x00\x00\x00caf\xe9.',
  // 'café' as UTF-8 bytes, protocol 2
  utf8_short_binstring: '\x80\x02U\x05caf\xc3\xa9.',
  ascii: 'U\x03abc.',
};
const ENCODINGS: Python2StringEncoding[] = ['ascii', 'latin1', 'utf-8', 'bytes'];

const GENERATE = String.raw`
import collections, copyreg, io, json, pickle, pickletools, sys

sys.set_int_max_str_digits(0)
out = {}
py2_strings = json.loads(sys.argv[1])
encodings = json.loads(sys.argv[2])


def put(name, data):
    out[name] = data.hex()


def peak_stack(data):
    """Most stack entries (values plus marks) at any point, from pickletools' stack effects."""
    stack, peak = [], 0
    for op, arg, pos in pickletools.genops(data):
        before = op.stack_before
        if pickletools.markobject in before:
            while stack[-1] != 'mark':
                stack.pop()
            stack.pop()
            for _ in range(before.index(pickletools.markobject)):
                stack.pop()
        else:
            for _ in before:
                stack.pop()
        for item in op.stack_after:
            stack.append('mark' if item is pickletools.markobject else 'value')
        peak = max(peak, len(stack))
    return peak


def memo_entries(data):
    indices, memoize = set(), 0
    for op, arg, pos in pickletools.genops(data):
        if op.name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
            indices.add(arg)
        elif op.name == 'MEMOIZE':
            memoize += 1
    return len(indices) + memoize


# What python3 itself makes of the hand-written Python 2 str pickles.
out['py2'] = {}
for name, text in py2_strings.items():
    out['py2'][name] = {}
    for encoding in encodings:
        try:
            value = pickle.loads(text.encode('latin1'), encoding=encoding)
        except Exception as e:
            result = {'error': type(e).__name__}
        else:
            result = {'bytes': value.hex()} if isinstance(value, bytes) else {'str': value}
        out['py2'][name][encoding] = result

# fix_imports: a Python 3 pickler writes Python 2 names below protocol 3.
put('range_p0', pickle.dumps(range(1, 7), protocol=0))
put('range_p2', pickle.dumps(range(1, 7), protocol=2))
put('set_p2', pickle.dumps({1, 2}, protocol=2))

# dicts
put('dicts', pickle.dumps({'a': 1, 'b': {'c': 2}, 'n': {1: 'x'}}, protocol=2))
put('dicts_p0', pickle.dumps({'a': {'c': 2}}, protocol=0))

# out-of-band buffers
def oob(name, obj):
    buffers = []
    put(name, pickle.dumps(obj, protocol=5, buffer_callback=buffers.append))
    out[name + '_buffers'] = [bytes(b.raw()).hex() for b in buffers]

oob('buffer_writable', pickle.PickleBuffer(bytearray(b'abc')))
oob('buffer_readonly', pickle.PickleBuffer(b'xyz'))
oob('buffer_two', [pickle.PickleBuffer(bytearray(b'abc')), pickle.PickleBuffer(b'xyz')])

# persistent ids
class Ref:
    def __init__(self, key):
        self.key = key

class TextIds(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.key if isinstance(obj, Ref) else None

class TupleIds(pickle.Pickler):
    def persistent_id(self, obj):
        return ('table', obj.key) if isinstance(obj, Ref) else None

def dump_with(pickler, obj, protocol):
    f = io.BytesIO()
    pickler(f, protocol=protocol).dump(obj)
    return f.getvalue()

put('persid_p0', dump_with(TextIds, [Ref('alpha'), 1, Ref('beta')], 0))
put('binpersid_p2', dump_with(TupleIds, [Ref(7), 'x'], 2))

# extensions (copyreg's registry of globals written as EXT1/EXT2/EXT4)
EXTENSIONS = [('collections', 'OrderedDict', 0xf0), ('collections', 'Counter', 0x1234),
              ('collections', 'deque', 0x12345678)]
for module, name, code in EXTENSIONS:
    copyreg.add_extension(module, name, code)
put('ext1', pickle.dumps(collections.OrderedDict, protocol=2))
put('ext2', pickle.dumps(collections.Counter, protocol=2))
put('ext4', pickle.dumps(collections.deque, protocol=2))
put('ext_all', pickle.dumps([collections.OrderedDict, collections.Counter, collections.deque], protocol=4))
for module, name, code in EXTENSIONS:
    copyreg.remove_extension(module, name, code)

# strict mode
class C:
    def __init__(self):
        self.x = 1

put('main_c', pickle.dumps(C(), protocol=2))
put('main_c_class', pickle.dumps(C, protocol=4))
put('builtins_p2', pickle.dumps([{1, 2}, frozenset({3}), bytearray(b'ab'), 1+2j, b'cd'], protocol=2))

# several pickles in one stream
f = io.BytesIO()
ends = []
for obj, protocol in [({'a': [1, 2]}, 0), ((1, 'two'), 2), ([b'x', 3.5], 5)]:
    pickle.dump(obj, f, protocol=protocol)
    ends.append(f.tell())
put('multi', f.getvalue())
out['multi_ends'] = ends

# limits
put('input', pickle.dumps(list(range(100)), protocol=2))
nested = []
for _ in range(49):
    nested = [nested]
put('nested_lists', pickle.dumps(nested, protocol=2))
out['nested_lists_peak'] = peak_stack(pickle.dumps(nested, protocol=2))
nested = ()
for _ in range(49):
    nested = (nested,)
put('nested_tuples_p0', pickle.dumps(nested, protocol=0))
out['nested_tuples_p0_peak'] = peak_stack(pickle.dumps(nested, protocol=0))
for protocol in (2, 4):
    data = pickle.dumps([str(i) for i in range(20)], protocol=protocol)
    put('memo_p%d' % protocol, data)
    out['memo_p%d_entries' % protocol] = memo_entries(data)
put('digits_50', pickle.dumps(10**49, protocol=0))
put('digits_50_negative', pickle.dumps(-10**49, protocol=0))
put('digits_4300', pickle.dumps(10**4299, protocol=0))
put('digits_4301', pickle.dumps(10**4300, protocol=0))
put('long4_5001_digits', pickle.dumps(10**5000, protocol=2))
# CPython's own limit (int_max_str_digits, 4300 by default) on the same pickles.
sys.set_int_max_str_digits(4300)
pickle.loads(bytes.fromhex(out['digits_4300']))
try:
    pickle.loads(bytes.fromhex(out['digits_4301']))
    out['digits_4301_python'] = 'loaded'
except ValueError:
    out['digits_4301_python'] = 'ValueError'

json.dump(out, sys.stdout)
`;

type Generated = Record<string, string> & {
  py2: Record<string, Record<string, { str?: string; bytes?: string; error?: string }>>;
  multi_ends: number[];
  nested_lists_peak: number;
  nested_tuples_p0_peak: number;
  memo_p2_entries: number;
  memo_p4_entries: number;
  buffer_writable_buffers: string[];
  buffer_readonly_buffers: string[];
  buffer_two_buffers: string[];
};

// One python3 run for every pickle below; skipped (or failed under CI=true) without python3.
const generated: Generated = hasPython()
  ? (JSON.parse(
      runPython(GENERATE, undefined, [JSON.stringify(PY2_STRINGS), JSON.stringify(ENCODINGS)]).toString('utf8'),
    ) as Generated)
  : ({} as Generated);

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const pickle = (name: string): Uint8Array => {
  const hex = generated[name];
  if (typeof hex !== 'string') throw new Error(`no generated pickle '${name}'`);
  return fromHex(hex);
};

/** Runs `load`, expecting an UnpicklingError (a PickleError) and nothing else; returns it. */
function expectUnpicklingError(load: () => unknown): UnpicklingError {
  let value: unknown;
  try {
    value = load();
  } catch (error) {
    if (!(error instanceof UnpicklingError)) {
      const name = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
      expect.fail(`expected an UnpicklingError, got ${name}`);
    }
    expect(error).toBeInstanceOf(UnpicklingError);
    expect(error).toBeInstanceOf(PickleError);
    return error;
  }
  return expect.fail(`expected an UnpicklingError, but it loaded: ${String(value)}`);
}

function pyObject(
  module: string,
  name: string,
  creation: PyObject['creation'],
  args: unknown[],
  fields: { state?: unknown; listItems?: unknown[]; dictItems?: Array<[unknown, unknown]> } = {},
): PyObject {
  const object = new PyObject(new PyGlobal(module, name), Tuple.from(args), creation);
  if ('state' in fields) object.state = fields.state;
  if ('listItems' in fields) object.listItems = fields.listItems;
  if ('dictItems' in fields) object.dictItems = fields.dictItems;
  return object;
}

// ---- encoding --------------------------------------------------------------------------------

describe('encoding (Python 2 str)', () => {
  const py2 = (name: string) => latin1(PY2_STRINGS[name]!);

  it("defaults to 'ascii': ASCII loads as str, anything else is an UnpicklingError", () => {
    expect(loads(py2('ascii'))).toBe('abc');
    for (const name of ['string_p0', 'short_binstring', 'binstring', 'utf8_short_binstring']) {
      expectUnpicklingError(() => loads(py2(name)));
      expectUnpicklingError(() => loads(py2(name), { encoding: 'ascii' }));
    }
  });

  it("'latin1' maps every byte to the code point of the same value", () => {
    expect(loads(py2('string_p0'), { encoding: 'latin1' })).toBe('café');
    expect(loads(py2('short_binstring'), { encoding: 'latin1' })).toBe('café');
    expect(loads(py2('binstring'), { encoding: 'latin1' })).toBe('café');
    expect(loads(py2('utf8_short_binstring'), { encoding: 'latin1' })).toBe('cafÃ©');
  });

  it("'utf-8' decodes UTF-8 and refuses invalid UTF-8", () => {
    expect(loads(py2('utf8_short_binstring'), { encoding: 'utf-8' })).toBe('café');
    expect(loads(py2('ascii'), { encoding: 'utf-8' })).toBe('abc');
    expectUnpicklingError(() => loads(py2('short_binstring'), { encoding: 'utf-8' }));
    expectUnpicklingError(() => loads(py2('string_p0'), { encoding: 'utf-8' }));
  });

  it("'bytes' gives a plain Uint8Array (not a bytearray)", () => {
    for (const name of ['string_p0', 'short_binstring', 'binstring']) {
      const value = loads(py2(name), { encoding: 'bytes' });
      expect(value).toStrictEqual(latin1('caf\xe9'));
      expect(value).not.toBeInstanceOf(PyByteArray);
    }
    // A Python 2 dict with str keys: bytes keys make it a Map.
    expect(loads(latin1("(dp0\nS'a'\np1\nI1\ns."), { encoding: 'bytes' })).toStrictEqual(
      new Map([[latin1('a'), 1]]),
    );
  });

  it('does not touch unicode or bytes opcodes', () => {
    for (const encoding of ENCODINGS) {
      expect(loads(latin1('X\x02\x00\x00\x00\xcf\x80.'), { encoding })).toBe('π');
      expect(loads(latin1('\x80\x03C\x02\xcf\x80.'), { encoding })).toStrictEqual(latin1('\xcf\x80'));
    }
  });

  it('refuses an encoding it does not support', () => {
    expectUnpicklingError(() => loads(py2('ascii'), { encoding: 'koi8-r' as Python2StringEncoding }));
  });
});

// ---- the python-generated ones ----------------------------------------------------------------

describeWithPython('LoadOptions with pickles written by python3', () => {
  describe('encoding agrees with pickle.loads(data, encoding=...)', () => {
    for (const name of Object.keys(PY2_STRINGS)) {
      for (const encoding of ENCODINGS) {
        it(`${name} with encoding '${encoding}'`, () => {
          const python = generated.py2[name]![encoding]!;
          const data = latin1(PY2_STRINGS[name]!);
          if (python.error !== undefined) {
            expectUnpicklingError(() => loads(data, { encoding }));
          } else if (python.bytes !== undefined) {
            expect(loads(data, { encoding })).toStrictEqual(fromHex(python.bytes));
          } else {
            expect(loads(data, { encoding })).toBe(python.str);
          }
        });
      }
    }
  });

  describe('fixImports', () => {
    it('maps Python 2 names below protocol 3 by default', () => {
      for (const name of ['range_p0', 'range_p2']) {
        expect(loads(pickle(name))).toStrictEqual(new PyRange(1, 7, 1));
        expect(loads(pickle(name), { fixImports: true })).toStrictEqual(new PyRange(1, 7, 1));
      }
      expect(loads(pickle('set_p2'))).toStrictEqual(new Set([1, 2]));
    });

    it('false keeps the __builtin__ names', () => {
      for (const name of ['range_p0', 'range_p2']) {
        expect(loads(pickle(name), { fixImports: false })).toStrictEqual(
          pyObject('__builtin__', 'xrange', 'reduce', [1, 7, 1]),
        );
      }
      // __builtin__.set is not builtins.set: it stays an inert placeholder.
      expect(loads(pickle('set_p2'), { fixImports: false })).toStrictEqual(
        pyObject('__builtin__', 'set', 'reduce', [[1, 2]]),
      );
      expect(loads(latin1('\x80\x02c__builtin__\nxrange\n.'), { fixImports: false })).toStrictEqual(
        new PyGlobal('__builtin__', 'xrange'),
      );
    });

    it('never applies from protocol 3 on', () => {
      expect(loads(latin1('\x80\x03c__builtin__\nxrange\n.'))).toStrictEqual(new PyGlobal('__builtin__', 'xrange'));
      expect(loads(latin1('\x80\x02c__builtin__\nxrange\n.'))).toStrictEqual(new PyGlobal('builtins', 'range'));
    });
  });

  describe('dicts', () => {
    it("'auto' (the default) gives plain objects for str keys and a Map otherwise", () => {
      const expected = { a: 1, b: { c: 2 }, n: new Map([[1, 'x']]) };
      expect(loads(pickle('dicts'))).toStrictEqual(expected);
      expect(loads(pickle('dicts'), { dicts: 'auto' })).toStrictEqual(expected);
    });

    it("'map' gives a Map for every dict", () => {
      expect(loads(pickle('dicts'), { dicts: 'map' })).toStrictEqual(
        new Map<unknown, unknown>([
          ['a', 1],
          ['b', new Map([['c', 2]])],
          ['n', new Map([[1, 'x']])],
        ]),
      );
      // DICT (protocol 0) as well as EMPTY_DICT
      expect(loads(pickle('dicts_p0'), { dicts: 'map' })).toStrictEqual(new Map([['a', new Map([['c', 2]])]]));
      // and the state of a placeholder
      expect(loads(pickle('main_c'), { dicts: 'map' })).toStrictEqual(
        pyObject('__main__', 'C', 'newobj', [], { state: new Map([['x', 1]]) }),
      );
    });
  });

  describe('buffers (NEXT_BUFFER, READONLY_BUFFER)', () => {
    const buffersOf = (name: string) =>
      (generated[`${name}_buffers` as 'buffer_two_buffers'] as string[]).map(fromHex);

    it('a writable buffer loads as a PyByteArray', () => {
      expect(buffersOf('buffer_writable')).toStrictEqual([latin1('abc')]);
      const value = loads(pickle('buffer_writable'), { buffers: buffersOf('buffer_writable') });
      expect(value).toBeInstanceOf(PyByteArray);
      expect(Array.from(value as PyByteArray)).toEqual(Array.from(latin1('abc')));
    });

    it('a read-only buffer loads as a plain Uint8Array', () => {
      const value = loads(pickle('buffer_readonly'), { buffers: buffersOf('buffer_readonly') });
      expect(value).toBeInstanceOf(Uint8Array);
      expect(value).not.toBeInstanceOf(PyByteArray);
      expect(Array.from(value as Uint8Array)).toEqual(Array.from(latin1('xyz')));
    });

    it('takes buffers in order, as ArrayBuffers or views, from any iterable', () => {
      const [abc, xyz] = buffersOf('buffer_two');
      function* buffers() {
        yield abc!.slice().buffer;
        yield new DataView(xyz!.slice().buffer);
      }
      const value = loads(pickle('buffer_two'), { buffers: buffers() }) as unknown[];
      expect(value).toHaveLength(2);
      expect(value[0]).toBeInstanceOf(PyByteArray);
      expect(Array.from(value[0] as Uint8Array)).toEqual(Array.from(latin1('abc')));
      expect(value[1]).not.toBeInstanceOf(PyByteArray);
      expect(Array.from(value[1] as Uint8Array)).toEqual(Array.from(latin1('xyz')));
    });

    it('without the buffers option is an UnpicklingError', () => {
      const error = expectUnpicklingError(() => loads(pickle('buffer_writable')));
      expect(error.opcode).toBe('NEXT_BUFFER');
      expectUnpicklingError(() => loads(pickle('buffer_readonly')));
    });

    it('too few buffers is an UnpicklingError', () => {
      const [abc] = buffersOf('buffer_two');
      expectUnpicklingError(() => loads(pickle('buffer_two'), { buffers: [abc!] }));
      expectUnpicklingError(() => loads(pickle('buffer_writable'), { buffers: [] }));
    });

    it('a buffer that is not binary data is an UnpicklingError', () => {
      expectUnpicklingError(() =>
        loads(pickle('buffer_writable'), { buffers: ['abc' as unknown as Uint8Array] }),
      );
    });
  });

  describe('persistentLoad (PERSID, BINPERSID)', () => {
    it('resolves protocol 0 PERSID text ids', () => {
      const ids: unknown[] = [];
      const value = loads(pickle('persid_p0'), {
        persistentLoad: (pid) => {
          ids.push(pid);
          return { resolved: pid };
        },
      });
      expect(ids).toEqual(['alpha', 'beta']);
      expect(value).toStrictEqual([{ resolved: 'alpha' }, 1, { resolved: 'beta' }]);
    });

    it('resolves BINPERSID ids of any type', () => {
      const ids: unknown[] = [];
      const value = loads(pickle('binpersid_p2'), {
        persistentLoad: (pid) => {
          ids.push(pid);
          return 'row 7';
        },
      });
      expect(ids).toStrictEqual([tuple<unknown>('table', 7)]);
      expect(value).toStrictEqual(['row 7', 'x']);
    });

    it('without persistentLoad is an UnpicklingError', () => {
      expect(expectUnpicklingError(() => loads(pickle('persid_p0'))).opcode).toBe('PERSID');
      expect(expectUnpicklingError(() => loads(pickle('binpersid_p2'))).opcode).toBe('BINPERSID');
    });
  });

  describe('extensions (EXT1, EXT2, EXT4)', () => {
    const table = new Map<number, readonly [string, string]>([
      [0xf0, ['collections', 'OrderedDict']],
      [0x1234, ['collections', 'Counter']],
      [0x12345678, ['collections', 'deque']],
    ]);

    it('python wrote each width', () => {
      expect(pickle('ext1')).toStrictEqual(latin1('\x80\x02\x82\xf0.'));
      expect(pickle('ext2')).toStrictEqual(latin1('\x80\x02\x83\x34\x12.'));
      expect(pickle('ext4')).toStrictEqual(latin1('\x80\x02\x84\x78\x56\x34\x12.'));
    });

    it('resolve registered codes to a PyGlobal', () => {
      expect(loads(pickle('ext1'), { extensions: table })).toStrictEqual(new PyGlobal('collections', 'OrderedDict'));
      expect(loads(pickle('ext2'), { extensions: table })).toStrictEqual(new PyGlobal('collections', 'Counter'));
      expect(loads(pickle('ext4'), { extensions: table })).toStrictEqual(new PyGlobal('collections', 'deque'));
    });

    it('accept a plain record as the table', () => {
      const record = {
        0xf0: ['collections', 'OrderedDict'],
        0x1234: ['collections', 'Counter'],
        0x12345678: ['collections', 'deque'],
      } as const;
      expect(loads(pickle('ext_all'), { extensions: record })).toStrictEqual([
        new PyGlobal('collections', 'OrderedDict'),
        new PyGlobal('collections', 'Counter'),
        new PyGlobal('collections', 'deque'),
      ]);
    });

    it('refuse unregistered codes', () => {
      expect(expectUnpicklingError(() => loads(pickle('ext1'))).opcode).toBe('EXT1');
      const partial = new Map([[0x1234, ['collections', 'Counter'] as const]]);
      expect(expectUnpicklingError(() => loads(pickle('ext1'), { extensions: partial })).opcode).toBe('EXT1');
      expect(expectUnpicklingError(() => loads(pickle('ext4'), { extensions: partial })).opcode).toBe('EXT4');
      expect(loads(pickle('ext2'), { extensions: partial })).toStrictEqual(new PyGlobal('collections', 'Counter'));
    });

    it('refuse code 0 and negative EXT4 codes even when "registered"', () => {
      const odd = new Map<number, readonly [string, string]>([
        [0, ['collections', 'OrderedDict']],
        [-1, ['collections', 'OrderedDict']],
      ]);
      expectUnpicklingError(() => loads(latin1('\x80\x02\x82\x00.'), { extensions: odd }));
      expectUnpicklingError(() => loads(latin1('\x80\x02\x83\x00\x00.'), { extensions: odd }));
      expectUnpicklingError(() => loads(latin1('\x80\x02\x84\x00\x00\x00\x00.'), { extensions: odd }));
      expectUnpicklingError(() => loads(latin1('\x80\x02\x84\xff\xff\xff\xff.'), { extensions: odd }));
    });
  });

  describe('strict', () => {
    it('loads an unknown class as a placeholder by default', () => {
      expect(loads(pickle('main_c'))).toStrictEqual(pyObject('__main__', 'C', 'newobj', [], { state: { x: 1 } }));
      expect(loads(pickle('main_c_class'))).toStrictEqual(new PyGlobal('__main__', 'C'));
    });

    it('refuses unknown classes and globals', () => {
      expectUnpicklingError(() => loads(pickle('main_c'), { strict: true }));
      expectUnpicklingError(() => loads(pickle('main_c_class'), { strict: true }));
      // xrange maps to range, a standard type this package implements: strict mode loads it.
      expect(loads(pickle('range_p2'), { strict: true })).toStrictEqual(new PyRange(1, 7, 1));
    });

    it('still rebuilds the builtins', () => {
      const expected = [
        new Set([1, 2]),
        new PyFrozenSet([3]),
        PyByteArray.fromBytes(latin1('ab')),
        new PyComplex(1, 2),
        latin1('cd'),
      ];
      expect(loads(pickle('builtins_p2'), { strict: true })).toStrictEqual(expected);
      expect(loads(pickle('builtins_p2'))).toStrictEqual(expected);
      expect(loads(pickle('set_p2'), { strict: true })).toStrictEqual(new Set([1, 2]));
    });

    it('accepts classes registered in the registry it is given', () => {
      class JsC {
        x = 0;
      }
      const registry = new Registry().register<JsC>({
        module: '__main__',
        name: 'C',
        jsClass: JsC,
        newInstance: () => new JsC(),
        setState: (obj, state) => Object.assign(obj, state),
      });
      const value = loads(pickle('main_c'), { strict: true, registry });
      expect(value).toBeInstanceOf(JsC);
      expect((value as JsC).x).toBe(1);
    });
  });

  describe('Unpickler over several pickles', () => {
    it('reads each pickle in turn, with position after each and atEnd', () => {
      const data = pickle('multi');
      const ends = generated.multi_ends;
      expect(ends).toHaveLength(3);
      expect(ends[2]).toBe(data.length);
      const reader = new Unpickler(data);
      expect(reader.position).toBe(0);
      expect(reader.atEnd).toBe(false);

      expect(reader.load()).toStrictEqual({ a: [1, 2] });
      expect(reader.position).toBe(ends[0]);
      expect(reader.atEnd).toBe(false);

      expect(reader.load()).toStrictEqual(tuple<unknown>(1, 'two'));
      expect(reader.position).toBe(ends[1]);
      expect(reader.atEnd).toBe(false);

      expect(reader.load()).toStrictEqual([latin1('x'), 3.5]);
      expect(reader.position).toBe(ends[2]);
      expect(reader.atEnd).toBe(true);

      expectUnpicklingError(() => reader.load());
    });

    it('iterates over every pickle', () => {
      expect([...new Unpickler(pickle('multi'))]).toStrictEqual([{ a: [1, 2] }, tuple<unknown>(1, 'two'), [latin1('x'), 3.5]]);
    });

    it('gives each pickle a fresh memo', () => {
      // ']q\x00.' memoizes a list at 0; the next pickle's BINGET 0 must not see it.
      const reader = new Unpickler(latin1(']q\x00.h\x00.'));
      expect(reader.load()).toStrictEqual([]);
      expect(expectUnpicklingError(() => reader.load()).opcode).toBe('BINGET');
    });

    it('applies its options to every load', () => {
      const reader = new Unpickler(pickle('multi'), { dicts: 'map' });
      expect(reader.load()).toStrictEqual(new Map([['a', [1, 2]]]));
    });
  });

  describe('limits', () => {
    it('maxInputBytes', () => {
      const data = pickle('input');
      const expected = Array.from({ length: 100 }, (_, i) => i);
      expect(loads(data, { maxInputBytes: data.length })).toStrictEqual(expected);
      expectUnpicklingError(() => loads(data, { maxInputBytes: data.length - 1 }));
      expectUnpicklingError(() => new Unpickler(data, { maxInputBytes: data.length - 1 }));
    });

    it('maxDepth counts stack values', () => {
      const data = pickle('nested_lists');
      const peak = generated.nested_lists_peak;
      expect(peak).toBe(50);
      let value = loads(data, { maxDepth: peak });
      for (let depth = 1; depth < 50; depth++) {
        expect(value).toHaveLength(1);
        value = (value as unknown[])[0];
      }
      expect(value).toStrictEqual([]);
      expectUnpicklingError(() => loads(data, { maxDepth: peak - 1 }));
    });

    it('maxDepth counts marks', () => {
      // protocol 0 tuples: 50 MARKs are on the stack before the innermost TUPLE
      const data = pickle('nested_tuples_p0');
      const peak = generated.nested_tuples_p0_peak;
      expect(peak).toBe(50);
      expect(loads(data, { maxDepth: peak })).toBeInstanceOf(Tuple);
      const error = expectUnpicklingError(() => loads(data, { maxDepth: peak - 1 }));
      expect(error.opcode).toBe('MARK');
    });

    it('maxMemo', () => {
      const expected = Array.from({ length: 20 }, (_, i) => String(i));
      for (const protocol of [2, 4]) {
        const data = pickle(`memo_p${protocol}`);
        const entries = generated[`memo_p${protocol}_entries` as 'memo_p2_entries'];
        expect(entries).toBe(21);
        expect(loads(data, { maxMemo: entries })).toStrictEqual(expected);
        expectUnpicklingError(() => loads(data, { maxMemo: entries - 1 }));
      }
    });

    it('maxIntDigits', () => {
      expect(loads(pickle('digits_50'), { maxIntDigits: 50 })).toBe(10n ** 49n);
      expect(loads(pickle('digits_50_negative'), { maxIntDigits: 50 })).toBe(-(10n ** 49n));
      expectUnpicklingError(() => loads(pickle('digits_50'), { maxIntDigits: 49 }));
      expectUnpicklingError(() => loads(pickle('digits_50_negative'), { maxIntDigits: 49 }));
    });

    it('maxIntDigits defaults to 4300, as CPython', () => {
      expect(generated.digits_4301_python).toBe('ValueError');
      expect(loads(pickle('digits_4300'))).toBe(10n ** 4299n);
      expectUnpicklingError(() => loads(pickle('digits_4301')));
      expect(loads(pickle('digits_4301'), { maxIntDigits: 4301 })).toBe(10n ** 4300n);
    });

    it('maxIntDigits does not limit binary LONG4', () => {
      expect(loads(pickle('long4_5001_digits'))).toBe(10n ** 5000n);
      expect(loads(pickle('long4_5001_digits'), { maxIntDigits: 1 })).toBe(10n ** 5000n);
    });
  });
});

// Options that need no python3.
describe('LoadOptions without python', () => {
  it('limits are checked on hand-made input too', () => {
    const options: LoadOptions = { maxDepth: 2 };
    expect(loads(latin1('NN\x86.'), options)).toStrictEqual(tuple(null, null));
    expectUnpicklingError(() => loads(latin1('NNN\x87.'), options));
    expectUnpicklingError(() => loads(latin1('(N(t.'), options));
    expect(loads(latin1('I12345\n.'), { maxIntDigits: 5 })).toBe(12345);
    expectUnpicklingError(() => loads(latin1('I123456\n.'), { maxIntDigits: 5 }));
  });
});

// CPython's own unpickler test vectors (Lib/test/pickletester.py, AbstractUnpickleTests), taken
// from the python3 on PATH at test time: every bad pickle must be refused with an
// UnpicklingError, every good one must load to what pickletester asserts (hand-written here), and
// our opcode table must match pickletools.opcodes.
import { describe, expect, it } from 'vitest';
import {
  loads,
  type LoadOptions,
  OPCODE_BY_CODE,
  OPCODES,
  PickleError,
  PyByteArray,
  PyComplex,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  type PyObjectCreation,
  Tuple,
  tuple,
  UnpicklingError, PyRange } from '../../src/index.js';
import { describeWithPython, hasPython, runPython } from '../helpers/python.js';

// ---- extraction (one python3 run) --------------------------------------------------------------

// The bad pickles live in local variables of the test methods, so instead of scraping text the
// script runs each method's own code with a recording stand-in for `self` (assertions become
// no-ops, `check_unpickling_error(errors, data)` records `data`, `self.loads(data, **kw)` records
// `data` and `kw` and returns CPython's result so the method's code keeps working). It then parses
// each method's source with `ast` and checks that every bytes literal of its `badpickles = [...]`
// list and of its direct `check_unpickling_error(..., b'...')` calls was recorded. Any method or
// list that is missing or empty makes the script exit non-zero, which fails this file.
const EXTRACT = String.raw`
import ast, contextlib, inspect, json, pickle, pickletools, sys, textwrap
import test.pickletester as pt

T = pt.AbstractUnpickleTests

BAD_METHODS = [
    'test_bad_stack', 'test_bad_mark', 'test_truncated_data', 'test_badly_quoted_string',
    'test_badly_escaped_string', 'test_misc_get', 'test_negative_put', 'test_maxint64',
    'test_bad_reduce', 'test_bad_newobj', 'test_bad_newobj_ex',
    # requires_32b: skipped by CPython on 64-bit builds, but each claims a length beyond the data,
    # so any unpickler must refuse it as truncated.
    'test_negative_32b_binbytes', 'test_negative_32b_binunicode', 'test_large_32b_binbytes8',
    'test_large_32b_bytearray8', 'test_large_32b_binunicode8',
]
# requires_32b too, but only 32-bit builds refuse it (LONG_BINPUT 0xffffffff is a negative
# Py_ssize_t there); the format says uint4, and pickle.py on 64-bit loads it.
VALID_ON_64BIT_METHODS = ['test_negative_32b_binput']
GOOD_METHODS = [
    'test_get', 'test_binget', 'test_long_binget', 'test_dup', 'test_correctly_quoted_string',
    'test_constants', 'test_short_binbytes', 'test_binbytes', 'test_short_binunicode',
    'test_binbytes8', 'test_binunicode8', 'test_bytearray8', 'test_frame_readline',
    'test_load_python2_str_as_bytes', 'test_load_python2_unicode_as_str',
    'test_load_long_python2_str_as_bytes', 'test_empty_bytestring', 'test_compat_unpickle',
    'test_load_classic_instance', 'test_unpickle_from_2x',
]
# The methods that keep their vectors in a local 'badpickles = [...]' list.
LIST_METHODS = ['test_bad_stack', 'test_bad_mark', 'test_truncated_data', 'test_badly_quoted_string']
DATA_NAMES = ['DATA0', 'DATA1', 'DATA2', 'DATA3', 'DATA4', 'DATA_SET', 'DATA_XRANGE',
              'DATA_COOKIE', 'DATA_SET2', 'DATA_UEERR']


def die(message):
    sys.stderr.write('cpython-vectors extraction failed: ' + message + '\n')
    sys.exit(1)


class Recorder:
    bad_stack_errors = (Exception,)
    truncated_errors = (Exception,)
    _testdata = T._testdata

    def __init__(self):
        self.bad = []
        self.good = []

    def loads(self, data, **kwargs):
        self.good.append({'hex': bytes(data).hex(), 'kwargs': kwargs})
        return pickle.loads(data, **kwargs)

    def check_unpickling_error(self, errors, data):
        # Not loaded here: the 32-bit ones would ask CPython for huge allocations.
        self.bad.append(bytes(data).hex())

    def assert_is_copy(self, *args, **kwargs):
        pass

    def subTest(self, *args, **kwargs):
        return contextlib.nullcontext()

    def __getattr__(self, name):
        if name.startswith('assert'):
            return lambda *args, **kwargs: None
        raise AttributeError(name)


def method_of(name):
    method = getattr(T, name, None)
    if method is None:
        die('AbstractUnpickleTests.%s does not exist' % name)
    # unwrap undoes unittest.skipUnless (requires_32b) on a 64-bit build.
    return inspect.unwrap(method)


def run(name):
    recorder = Recorder()
    method_of(name)(recorder)
    return recorder


def literal_bad_pickles(name):
    source = textwrap.dedent(inspect.getsource(method_of(name)))
    lists, direct = [], []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == 'badpickles' for t in node.targets):
            lists.append(list(ast.literal_eval(node.value)))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == 'check_unpickling_error' and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, bytes)):
            direct.append(node.args[1].value)
    return lists, direct


out = {'python': sys.version, 'maxsize': sys.maxsize, 'bad': {}, 'good': {}, 'valid64': {},
       'data': {}, 'opcodes': []}

for name in BAD_METHODS:
    recorder = run(name)
    if not recorder.bad:
        die('%s gave no bad pickles' % name)
    lists, direct = literal_bad_pickles(name)
    if name in LIST_METHODS and (len(lists) != 1 or not lists[0]):
        die('%s: expected one non-empty badpickles list in its source, found %r' % (name, lists))
    recorded = list(recorder.bad)
    for p in [p for l in lists for p in l] + direct:
        if not isinstance(p, bytes):
            die('%s: %r in the source is not bytes' % (name, p))
        if p.hex() not in recorded:
            die('%s: %r is in the source but was not recorded' % (name, p))
        recorded.remove(p.hex())
    out['bad'][name] = recorder.bad
    if recorder.good:
        out['good'][name] = recorder.good

for name in VALID_ON_64BIT_METHODS:
    recorder = run(name)
    if len(recorder.bad) != 1:
        die('%s: expected one pickle, got %d' % (name, len(recorder.bad)))
    # pickle.py keeps its memo in a dict, so this is safe to load (the C unpickler would try to
    # allocate a memo of 2**33 entries).
    value = pickle._loads(bytes.fromhex(recorder.bad[0]))
    out['valid64'][name] = {'hex': recorder.bad[0], 'pythonValue': value}

for name in GOOD_METHODS:
    recorder = run(name)
    if recorder.bad:
        die('%s unexpectedly checked unpickling errors' % name)
    if not recorder.good:
        die('%s gave no pickles' % name)
    out['good'][name] = recorder.good

for name in DATA_NAMES:
    value = getattr(pt, name, None)
    if not isinstance(value, bytes) or not value:
        die('pickletester.%s is missing' % name)
    out['data'][name] = value.hex()

for op in pickletools.opcodes:
    out['opcodes'].append({
        'name': op.name,
        'code': ord(op.code),
        'arg': op.arg.name if op.arg is not None else None,
        'proto': op.proto,
        'stackBefore': [s.name for s in op.stack_before],
        'stackAfter': [s.name for s in op.stack_after],
    })

json.dump(out, sys.stdout)
`;

interface GoodVector {
  hex: string;
  kwargs: Record<string, unknown>;
}

interface Vectors {
  python: string;
  maxsize: number;
  bad: Record<string, string[]>;
  good: Record<string, GoodVector[]>;
  valid64: Record<string, { hex: string; pythonValue: unknown }>;
  data: Record<string, string>;
  opcodes: Array<{
    name: string;
    code: number;
    arg: string | null;
    proto: number;
    stackBefore: string[];
    stackAfter: string[];
  }>;
}

const EMPTY: Vectors = { python: '', maxsize: 0, bad: {}, good: {}, valid64: {}, data: {}, opcodes: [] };

// Collected only when python3 is there; without it describeWithPython skips (or, under CI=true,
// fails) the suite, and the bodies below must still be collectable.
const vectors: Vectors = hasPython() ? (JSON.parse(runPython(EXTRACT).toString('utf8')) as Vectors) : EMPTY;

// ---- helpers -----------------------------------------------------------------------------------

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Python's repr of a bytes object, for test names. */
function pyRepr(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return `b'${out}'`;
}

function describeValue(value: unknown): string {
  try {
    return `${Object.prototype.toString.call(value)} ${String(value)}`;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Loads `data`, expecting an UnpicklingError (a PickleError) and nothing else; returns it. */
function expectUnpicklingError(data: Uint8Array, options?: LoadOptions): UnpicklingError {
  let value: unknown;
  try {
    value = loads(data, options);
  } catch (error) {
    if (!(error instanceof UnpicklingError)) {
      const name = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
      expect.fail(`expected an UnpicklingError, got ${name}`);
    }
    expect(error).toBeInstanceOf(UnpicklingError);
    expect(error).toBeInstanceOf(PickleError);
    return error;
  }
  return expect.fail(`expected an UnpicklingError, but it loaded: ${describeValue(value)}`);
}

/** The inert placeholder the unpickler gives for an instance of an unregistered class. */
function pyObject(
  module: string,
  name: string,
  creation: PyObjectCreation,
  args: unknown[],
  fields: { state?: unknown; listItems?: unknown[]; dictItems?: Array<[unknown, unknown]> } = {},
): PyObject {
  const object = new PyObject(new PyGlobal(module, name), Tuple.from(args), creation);
  if ('state' in fields) object.state = fields.state;
  if ('listItems' in fields) object.listItems = fields.listItems;
  if ('dictItems' in fields) object.dictItems = fields.dictItems;
  return object;
}

/** Two identical empty lists in a tuple: test_get, test_binget, test_long_binget, test_dup. */
function expectSameListTwice(value: unknown): void {
  expect(value).toStrictEqual(tuple([], []));
  const t = value as Tuple;
  expect(t[0]).toBe(t[1]);
}

/**
 * create_data() of pickletester, hand-written:
 *   c = C(); c.foo = 1; c.bar = 2
 *   y = ('abc', 'abc', c, c)
 *   [0, 1, 2.0, 3.0+0j, 1, -1, 255, -255, -256, 65535, -65535, -65536,
 *    2147483647, -2147483647, -2147483648, y, y, 5]
 * DATA0 and DATA1 (protocols 0 and 1) write c as copy_reg._reconstructor(C, object, None)
 * (see DATA0_DIS/DATA1_DIS); DATA2, DATA3 and DATA4 write it with NEWOBJ and no arguments.
 */
function expectCreateData(value: unknown, c: 'reconstructor' | 'newobj'): void {
  const state = { foo: 1, bar: 2 };
  const expectedC =
    c === 'reconstructor'
      ? pyObject('__main__', 'C', 'reconstructor', [new PyGlobal('builtins', 'object'), null], { state })
      : pyObject('__main__', 'C', 'newobj', [], { state });
  const y = tuple<unknown>('abc', 'abc', expectedC, expectedC);
  expect(value).toStrictEqual([
    0, 1, 2, new PyComplex(3, 0),
    1, -1, 255, -255, -256, 65535, -65535, -65536, 2147483647, -2147483647, -2147483648,
    y, y, 5,
  ]);
  const list = value as unknown[];
  expect(list.constructor).toBe(Array);
  expect(list[15]).toBeInstanceOf(Tuple);
  expect(list[16]).toBe(list[15]);
  const loadedY = list[15] as Tuple;
  expect(loadedY[2]).toBeInstanceOf(PyObject);
  expect(loadedY[3]).toBe(loadedY[2]);
  expect((loadedY[2] as PyObject).cls).toBeInstanceOf(PyGlobal);
}

/** DATA_COOKIE: a Python 2 Cookie.SimpleCookie with one Morsel; Cookie → http.cookies. */
function expectedCookie(): PyObject {
  const morsel = pyObject('http.cookies', 'Morsel', 'newobj', [], {
    dictItems: [
      ['comment', ''],
      ['domain', ''],
      ['secure', ''],
      ['expires', ''],
      ['max-age', ''],
      ['version', ''],
      ['path', ''],
      ['httponly', ''],
    ],
    state: { coded_value: 'value', value: 'value', key: 'key' },
  });
  return pyObject('http.cookies', 'SimpleCookie', 'newobj', [], { dictItems: [['key', morsel]], state: {} });
}

/** What each pickletester constant loads to (hand-written). */
const DATA_EXPECTATIONS: Record<string, (value: unknown) => void> = {
  DATA0: (v) => expectCreateData(v, 'reconstructor'),
  DATA1: (v) => expectCreateData(v, 'reconstructor'),
  DATA2: (v) => expectCreateData(v, 'newobj'),
  DATA3: (v) => expectCreateData(v, 'newobj'),
  DATA4: (v) => expectCreateData(v, 'newobj'),
  // set([1, 2]) from Python 2: __builtin__.set → builtins.set, rebuilt as a JavaScript Set.
  DATA_SET: (v) => {
    expect(v).toStrictEqual(new Set([1, 2]));
    expect(v).not.toBeInstanceOf(PyFrozenSet);
  },
  DATA_SET2: (v) => expect(v).toStrictEqual(new Set([3])),
  // xrange(5): __builtin__.xrange → builtins.range, a PyRange.
  DATA_XRANGE: (v) => expect(v).toStrictEqual(new PyRange(0, 5, 1)),
  DATA_COOKIE: (v) => expect(v).toStrictEqual(expectedCookie()),
  // UnicodeEncodeError('ascii', u'foo', 0, 1, 'bad'): exceptions.* → builtins.*
  DATA_UEERR: (v) =>
    expect(v).toStrictEqual(pyObject('builtins', 'UnicodeEncodeError', 'reduce', ['ascii', 'foo', 0, 1, 'bad'])),
};

interface GoodExpectation {
  /** The keyword arguments pickletester passes to pickle.loads. */
  kwargs?: Record<string, unknown>;
  /** Our options for the same load. */
  options?: LoadOptions;
  check: (value: unknown) => void;
}

const bytesOf = (s: string) => (v: unknown) => {
  expect(v).toStrictEqual(latin1(s));
  expect(v).not.toBeInstanceOf(PyByteArray);
};
const is = (expected: unknown) => (v: unknown) => expect(v).toBe(expected);
const asBytes = { kwargs: { encoding: 'bytes' }, options: { encoding: 'bytes' } as LoadOptions };

/** The good vectors of each method, in the order the method loads them (hand-written). */
const GOOD_EXPECTATIONS: Record<string, GoodExpectation[]> = {
  test_get: [{ check: expectSameListTwice }],
  test_binget: [{ check: expectSameListTwice }],
  test_long_binget: [{ check: expectSameListTwice }],
  test_dup: [{ check: expectSameListTwice }],
  test_correctly_quoted_string: [{ check: is('') }, { check: is('') }, { check: is('\n') }, { check: is('\n') }],
  test_constants: [{ check: is(null) }, { check: is(true) }, { check: is(false) }, { check: is(true) }, { check: is(false) }],
  test_short_binbytes: [{ check: bytesOf('\xe2\x82\xac\x00') }],
  test_binbytes: [{ check: bytesOf('\xe2\x82\xac\x00') }],
  test_short_binunicode: [{ check: is('\u20ac\x00') }],
  test_binbytes8: [{ check: bytesOf('\xe2\x82\xac\x00') }],
  test_binunicode8: [{ check: is('\u20ac\x00') }],
  test_bytearray8: [{ check: (v) => expect(v).toStrictEqual(PyByteArray.fromBytes(latin1('xxx'))) }],
  test_frame_readline: [{ check: is(42) }],
  test_load_python2_str_as_bytes: [
    { ...asBytes, check: bytesOf('a\x00\xa0') },
    { ...asBytes, check: bytesOf('a\x00\xa0') },
    { ...asBytes, check: bytesOf('a\x00\xa0') },
  ],
  test_load_python2_unicode_as_str: [
    { ...asBytes, check: is('π') },
    { ...asBytes, check: is('π') },
    { ...asBytes, check: is('π') },
  ],
  test_load_long_python2_str_as_bytes: [{ ...asBytes, check: bytesOf('x'.repeat(300)) }],
  // pickletester loads this with encoding='koi8-r', which we do not support; any encoding gives
  // the empty string for an empty SHORT_BINSTRING.
  test_empty_bytestring: [{ kwargs: { encoding: 'koi8-r' }, options: { encoding: 'latin1' }, check: is('') }],
  test_compat_unpickle: [
    // xrange(1, 7)
    { check: (v) => expect(v).toStrictEqual(new PyRange(1, 7, 1)) },
    // __builtin__.reduce → functools.reduce
    { check: (v) => expect(v).toStrictEqual(new PyGlobal('functools', 'reduce')) },
    // whichdb.whichdb → dbm.whichdb
    { check: (v) => expect(v).toStrictEqual(new PyGlobal('dbm', 'whichdb')) },
    // exceptions.Exception('ugh'), exceptions.StandardError('ugh') → builtins.Exception
    { check: (v) => expect(v).toStrictEqual(pyObject('builtins', 'Exception', 'reduce', ['ugh'])) },
    { check: (v) => expect(v).toStrictEqual(pyObject('builtins', 'Exception', 'reduce', ['ugh'])) },
    // UserDict.UserDict({1: 2}), UserDict.IterableUserDict({1: 2}) → collections.UserDict
    {
      check: (v) =>
        expect(v).toStrictEqual(pyObject('collections', 'UserDict', 'obj', [], { state: { data: new Map([[1, 2]]) } })),
    },
    {
      check: (v) =>
        expect(v).toStrictEqual(pyObject('collections', 'UserDict', 'obj', [], { state: { data: new Map([[1, 2]]) } })),
    },
  ],
  // Old-style instances of C, D and E: INST (protocol 0), then OBJ (protocols 1 and 2), each
  // with an empty __dict__ as state.
  test_load_classic_instance: ['C', 'D', 'E'].flatMap((name) =>
    (['inst', 'obj', 'obj'] as const).map((creation) => ({
      check: (v: unknown) => expect(v).toStrictEqual(pyObject('__main__', name, creation, [], { state: {} })),
    })),
  ),
  test_misc_get: [
    {
      check: (v) => {
        expect(v).toStrictEqual([tuple(100), tuple(100)]);
        const list = v as unknown[];
        expect(list[0]).toBe(list[1]);
      },
    },
  ],
  test_maxint64: [{ check: is(9223372036854775807n) }],
  test_bad_reduce: [{ check: is(0) }],
  test_bad_newobj: [{ check: is(0) }],
  test_bad_newobj_ex: [{ check: is(0) }],
};

/** test_unpickle_from_2x loads constants and a family of exception pickles; matched by content. */
function unpickleFrom2xExpectation(hex: string): GoodExpectation {
  for (const name of ['DATA_SET', 'DATA_XRANGE', 'DATA_COOKIE', 'DATA_UEERR']) {
    if (vectors.data[name] === hex) return { check: DATA_EXPECTATIONS[name]! };
  }
  // exception_pickle = b'\x80\x02cexceptions\n?\nq\x00)Rq\x01.' with ? a Python 2 exception name.
  const match = /^\x80\x02cexceptions\n(\w+)\nq\x00\)Rq\x01\.$/.exec(Buffer.from(hex, 'hex').toString('latin1'));
  if (!match) throw new Error(`unexpected test_unpickle_from_2x vector ${hex}`);
  const name = match[1] === 'StandardError' ? 'Exception' : match[1]!;
  return { check: (v) => expect(v).toStrictEqual(pyObject('builtins', name, 'reduce', [])) };
}

// ---- the tests ---------------------------------------------------------------------------------

describeWithPython('CPython pickletester vectors', () => {
  it('extracted every list from test.pickletester', () => {
    expect(vectors.python).toMatch(/^3\./);
    // The bad lists are not empty, and the big ones hold what CPython 3.11 has (or more).
    const minimum: Record<string, number> = {
      test_bad_stack: 44,
      test_bad_mark: 30,
      test_truncated_data: 87,
      test_badly_quoted_string: 13,
      test_badly_escaped_string: 1,
      test_misc_get: 3,
      test_negative_put: 1,
      test_maxint64: 1,
      test_bad_reduce: 2,
      test_bad_newobj: 2,
      test_bad_newobj_ex: 3,
      test_negative_32b_binbytes: 1,
      test_negative_32b_binunicode: 1,
      test_large_32b_binbytes8: 1,
      test_large_32b_bytearray8: 1,
      test_large_32b_binunicode8: 1,
    };
    expect(Object.keys(vectors.bad).sort()).toEqual(Object.keys(minimum).sort());
    for (const [list, count] of Object.entries(minimum)) {
      expect(vectors.bad[list]!.length, list).toBeGreaterThanOrEqual(count);
    }
    // test_truncated_data starts with b'' and b'N'.
    expect(vectors.bad.test_truncated_data!.slice(0, 2)).toEqual(['', '4e']);
    expect(Object.keys(vectors.good).sort()).toEqual(
      [...Object.keys(GOOD_EXPECTATIONS), 'test_unpickle_from_2x'].sort(),
    );
    expect(vectors.good.test_unpickle_from_2x!.length).toBeGreaterThanOrEqual(45);
    expect(Object.keys(vectors.data).sort()).toEqual(Object.keys(DATA_EXPECTATIONS).sort());
  });

  describe('bad pickles are refused with an UnpicklingError', () => {
    for (const [list, pickles] of Object.entries(vectors.bad)) {
      pickles.forEach((hex, index) => {
        const data = fromHex(hex);
        it(`${list}[${index}] ${pyRepr(data)}`, () => {
          const error = expectUnpicklingError(data);
          expect(typeof error.offset, 'error.offset').toBe('number');
          expect(error.offset!).toBeGreaterThanOrEqual(0);
          expect(error.offset!).toBeLessThanOrEqual(data.length);
        });
      });
    }
  });

  describe('DATA0 to DATA4 load to create_data(), and the Python 2 constants', () => {
    for (const [name, hex] of Object.entries(vectors.data)) {
      it(name, () => {
        const check = DATA_EXPECTATIONS[name];
        expect(check, `an expectation for ${name}`).toBeDefined();
        check!(loads(fromHex(hex)));
      });
    }
  });

  describe('good pickles load to what pickletester asserts', () => {
    for (const [method, pickles] of Object.entries(vectors.good)) {
      const expectations =
        method === 'test_unpickle_from_2x'
          ? pickles.map((p) => unpickleFrom2xExpectation(p.hex))
          : (GOOD_EXPECTATIONS[method] ?? []);
      it(`${method} has ${expectations.length} good vector(s)`, () => {
        expect(pickles.length).toBe(expectations.length);
      });
      pickles.forEach((pickle, index) => {
        const data = fromHex(pickle.hex);
        it(`${method}[${index}] ${pyRepr(data)}`, () => {
          const expectation = expectations[index];
          expect(expectation, 'a hand-written expectation').toBeDefined();
          expect(pickle.kwargs).toEqual(expectation!.kwargs ?? {});
          expectation!.check(loads(data, expectation!.options));
        });
      });
    }
  });

  describe('requires_32b vectors that are valid pickles on 64-bit', () => {
    for (const [method, { hex, pythonValue }] of Object.entries(vectors.valid64)) {
      it(`${method} ${pyRepr(fromHex(hex))} loads as in pickle.py`, () => {
        // BINUNICODE 'a', LONG_BINPUT 0xffffffff: a memo index beyond 2^32 - 2, not an error.
        expect(pythonValue).toBe('a');
        expect(loads(fromHex(hex))).toBe('a');
      });
    }
  });

  describe('the opcode table', () => {
    it('equals pickletools.opcodes of the running python', () => {
      expect(vectors.opcodes.length).toBeGreaterThanOrEqual(68);
      const ours = OPCODES.map((op) => ({
        name: op.name,
        code: op.code,
        arg: op.arg,
        proto: op.proto,
        stackBefore: [...op.stackBefore],
        stackAfter: [...op.stackAfter],
      }));
      expect(ours).toStrictEqual(vectors.opcodes);
    });

    it('indexes every opcode by its byte', () => {
      for (const op of vectors.opcodes) {
        expect(OPCODE_BY_CODE[op.code]?.name, op.name).toBe(op.name);
      }
      const known = new Set(vectors.opcodes.map((op) => op.code));
      for (let code = 0; code < 256; code++) {
        if (!known.has(code)) expect(OPCODE_BY_CODE[code], `byte 0x${code.toString(16)}`).toBeUndefined();
      }
    });
  });
});

// The unpickler's loop runs the commonest opcodes inline (fast paths), and whole runs of list
// batches (#appendBatchRun) and the bytes idiom of protocols 0-2 (#encodedLatin1) in one step;
// each is meant to do exactly what the opcodes' handlers do one at a time. Here every input is
// loaded both ways, by load() and by loadByHandlers (every opcode through #dispatch), and the
// outcomes must be the same: the values byte for byte as dumps writes them, or the same error
// (class, message, code, offset, opcode), and the same position after. The inputs: values CPython
// pickles at every protocol (whose loads CPython checks too), the fixtures, the robustness
// corpus, pickles made to stop each fast path at each of its conditions, and seeded mutations.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dumps, type LoadOptions, PickleError, Unpickler } from '../../src/index.js';
import { loadByHandlers } from '../../src/codec/unpickler.js';
import { LATIN1_TEXT_MIN } from '../../src/codec/text-latin1.js';
import { BatchRunScan, scanBatchRun } from '../../src/codec/list-batch-run.js';
import { matchLatin1BytesIdiom } from '../../src/codec/latin1-bytes-idiom.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { concat, corpusFiles, fixtureFiles, hex, latin1, le, prng } from '../robustness/util.js';

const INTEROP = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop');

type Route = (unpickler: Unpickler) => unknown;
const FAST: Route = (unpickler) => unpickler.load();
const HANDLERS: Route = loadByHandlers;

/** What loading every pickle of `data` gave, as comparable text: dumps' bytes in hex, or the error. */
function outcome(data: Uint8Array, options: LoadOptions, route: Route): string[] {
  const steps: string[] = [];
  let unpickler: Unpickler;
  try {
    unpickler = new Unpickler(data, options);
  } catch (error) {
    return [`constructor: ${String(error)}`];
  }
  // Every pickle of a stream, up to the first failure (a failed load does not move on).
  for (let k = 0; k < 8 && !unpickler.atEnd; k++) {
    try {
      const value = route(unpickler);
      steps.push(`value ${dumped(value)} at ${unpickler.position}`);
    } catch (error) {
      steps.push(`error ${describeFailure(error)} at ${unpickler.position}`);
      break;
    }
  }
  return steps;
}

function dumped(value: unknown): string {
  try {
    return Buffer.from(dumps(value, { protocol: 5 })).toString('hex');
  } catch (error) {
    return `(dumps failed: ${describeFailure(error)})`;
  }
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error ${String(error)}`;
  const where = error instanceof PickleError ? JSON.stringify({ code: error.code, offset: (error as { offset?: number }).offset, opcode: (error as { opcode?: string }).opcode }) : '';
  return `${error.constructor.name} ${where} ${error.message}`;
}

/** Both routes, asserted equal; returns the outcome. */
function expectSameBothWays(name: string, data: Uint8Array, options: LoadOptions = {}): string[] {
  const fast = outcome(data, options, FAST);
  const handlers = outcome(data, options, HANDLERS);
  expect(handlers, `${name} ${JSON.stringify(options)}`).toEqual(fast);
  return fast;
}

const OPTION_SETS: readonly LoadOptions[] = [
  {},
  { keepFloatType: true },
  { dicts: 'map' },
  { encoding: 'bytes', keepMemo: true },
  { maxDepth: 6 },
  { maxMemo: 3 },
];

/** CPython's values, at every protocol: each fast path, batch runs of each kind, the bytes idiom. */
const CASES_PY = String.raw`
import base64, collections, json, pickle, sys, types
sys.dont_write_bytecode = True
sys.path.insert(0, ${JSON.stringify(INTEROP)})
mod = types.ModuleType('fastcases')
sys.modules['fastcases'] = mod

class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
Point.__module__ = 'fastcases'
mod.Point = Point

def cases():
    shared = 'shared text'
    child = [1, 2]
    itself = [1, 2.0]
    itself.append(itself)
    many = [[i] for i in range(300)]
    return {
        'small ints': list(range(-300, 300)) + [2**31 - 1, -2**31, 65535, 65536],
        'ints in batches': list(range(5000)),
        'wide ints': [i * 1_000_003 for i in range(3000)],
        'long ints': [2**40 + i for i in range(1500)] + [-2**63, 2**63, 2**100, -2**100],
        'floats': [i / 3 for i in range(3000)],
        'integral floats': [float(i) for i in range(1500)] + [-0.0, 0.0, float('nan'), float('inf'), -float('inf'), 2.0**53, 2.0**60, 1e300],
        'mixed items': [1, 'a', None, True, False, 2.5, 2.0, 'é', 2**40, -1, 'x' * 300, -0.0] * 200,
        'strings': ['s%d' % i for i in range(3000)] + ['é' * 100, '\u20ac' * 200, '\U0001F600', 'x' * 70000],
        'lone surrogates': ['a\ud800b', '\udfff', ['\ud800'] * 3],
        'shared strings': [shared, shared, 'other', shared] * 400,
        'shared objects': [child, child, {'k': child}, (child, child)] * 50,
        'a list that holds itself': itself,
        'lists of lists': [[i, i + 1, str(i)] for i in range(2000)],
        'records': [{'id': i, 'name': 'n%d' % i, 'score': i / 7, 'whole': float(i), 'tags': ['a', 'b'], 'ok': i % 2 == 0, 'none': None} for i in range(500)],
        'dict keys': [{1: 'a', 'b': 2}, {2.0: 'x', 'y': 3.0}, {(1, 2): [1]}, {'a': 1}],
        'tuples': [(), (1,), (1, 2), (1, 2.0, 3), tuple(range(10)), ((1,), (2.0, 3))],
        'sets': [{1, 2.0, 'a'}, frozenset({3.0, 4, 'b'}), set(), frozenset()],
        'bytes': [b'', b'a', b'abc' * 100, bytes(range(256)) * 40, bytearray(b'xyz')],
        'bytes twice': [bytes(range(256)) * 20] * 2,
        'long memo indices': many + many,
        'instances': [Point(i, float(i)) for i in range(300)],
        'standard types': [collections.OrderedDict(a=1, b=2.0), collections.deque([1, 2.0]), collections.Counter('aab')],
    }

if __name__ == '__main__':
    print(json.dumps({name: {str(p): base64.b64encode(pickle.dumps(value, protocol=p)).decode() for p in range(6)}
                      for name, value in cases().items()}))
`;

/** Loads each of our pickles in CPython and compares it with the case, type for type. */
const CHECK_PY = `${CASES_PY.replace("if __name__ == '__main__':", 'if False:')}
from compare_graphs import compare
expected = cases()
result = {}
for key, data in json.load(sys.stdin).items():
    name = key.rsplit(' p', 1)[0]
    try:
        result[key] = compare(expected[name], pickle.loads(base64.b64decode(data)))
    except Exception as exc:
        result[key] = f'{type(exc).__name__}: {exc}'
print(json.dumps(result))
`;

describeWithPython('fast paths and handlers load what CPython writes alike', () => {
  let pickles: Record<string, Record<string, string>> = {};
  let cpython: Record<string, string | null> = {};

  beforeAll(() => {
    pickles = JSON.parse(runPython(CASES_PY).toString('utf8')) as Record<string, Record<string, string>>;
    // What CPython finds when it loads what the handlers alone loaded, dumped again.
    const ours: Record<string, string> = {};
    for (const [name, byProtocol] of Object.entries(pickles)) {
      for (const [protocol, data] of Object.entries(byProtocol)) {
        const value = loadByHandlers(new Unpickler(Buffer.from(data, 'base64')));
        ours[`${name} p${protocol}`] = Buffer.from(dumps(value, { protocol: Number(protocol) })).toString('base64');
      }
    }
    cpython = JSON.parse(runPython(CHECK_PY, JSON.stringify(ours)).toString('utf8')) as Record<string, string | null>;
  }, 120_000);

  it('has every case at every protocol', () => {
    expect(Object.keys(pickles).length).toBeGreaterThanOrEqual(22);
    expect(Object.keys(cpython).length).toBe(Object.keys(pickles).length * 6);
  });

  it('gives the same values both ways, with each set of options', () => {
    for (const [name, byProtocol] of Object.entries(pickles)) {
      for (const [protocol, data] of Object.entries(byProtocol)) {
        for (const options of OPTION_SETS) expectSameBothWays(`${name} p${protocol}`, Buffer.from(data, 'base64'), options);
      }
    }
  });

  it('the handlers alone load every case as CPython has it', () => {
    expect(Object.entries(cpython).filter(([, diff]) => diff !== null)).toEqual([]);
  });

  it('the inputs qualify for the fast paths: a run of batches, the bytes idiom', () => {
    // 5000 ints at protocol 2: EMPTY_LIST, BINPUT 0, then one run of five batches.
    const ints = Buffer.from(pickles['ints in batches']!['2']!, 'base64');
    const scan = new BatchRunScan();
    scan.itemsPerBatch = 10_000;
    scan.memoSize = 1;
    scan.maxMemo = 100;
    expect(scanBatchRun(ints, new DataView(ints.buffer, ints.byteOffset, ints.byteLength), ints.indexOf(0x28), scan)).toBe(true);
    expect(scan.items).toBe(5000);
    // Bytes at protocol 2: _codecs.encode of a text long enough to be decoded straight to bytes.
    const bytes = Buffer.from(pickles['bytes twice']!['2']!, 'base64');
    const text = bytes.indexOf(0x58, bytes.indexOf('_codecs\nencode\n'));
    const length = bytes.readUInt32LE(text + 1);
    expect(length).toBeGreaterThanOrEqual(LATIN1_TEXT_MIN);
    expect(matchLatin1BytesIdiom(bytes, text + 5 + length, () => undefined)).toBeDefined();
  });
});

// Pickles made to stop each fast path at each of its conditions: truncated arguments, invalid
// UTF-8, a full stack, a full memo, puts with nothing to put, fetches of nothing, a MARK on
// something other than a list, a list that refuses its items.
const P2 = hex('8002');
const STOP = hex('2e');
const EMPTY_LIST = hex('5d');
const MARK = hex('28');
const APPENDS = hex('65');
const binunicode = (bytes: Uint8Array): Uint8Array => concat(hex('58'), le(bytes.length, 4), bytes);
const shortBinunicode = (bytes: Uint8Array): Uint8Array => concat(hex('8c'), le(bytes.length, 1), bytes);
const binfloat = (value: number): Uint8Array => {
  const bytes = new Uint8Array(9);
  bytes[0] = 0x47;
  new DataView(bytes.buffer).setFloat64(1, value, false);
  return bytes;
};
const inList = (...items: Uint8Array[]): Uint8Array => concat(P2, EMPTY_LIST, MARK, ...items, APPENDS, STOP);

const EDGE_CASES: Record<string, Uint8Array> = {
  'BININT1 cut short': concat(P2, hex('4b')),
  'BININT2 cut short': concat(P2, hex('4d01')),
  'BININT cut short': concat(P2, hex('4a010203')),
  'LONG1 longer than the input': concat(P2, hex('8a0501')),
  'LONG1 of no bytes': concat(P2, hex('8a00'), STOP),
  'BINFLOAT cut short': concat(P2, hex('47000000')),
  'BINFLOAT values': concat(P2, EMPTY_LIST, MARK, binfloat(2), binfloat(-0), binfloat(2 ** 60), binfloat(NaN), binfloat(0.5), APPENDS, STOP),
  'SHORT_BINUNICODE longer than the input': concat(P2, hex('8c0561')),
  'SHORT_BINUNICODE not UTF-8': concat(P2, shortBinunicode(hex('ff')), STOP),
  'SHORT_BINUNICODE a lone surrogate': concat(P2, shortBinunicode(hex('eda080')), STOP),
  'BINUNICODE longer than the input': concat(P2, hex('5805000000')),
  'BINUNICODE not UTF-8': concat(P2, binunicode(hex('c3')), STOP),
  'MEMOIZE on an empty stack': concat(hex('800494'), STOP),
  'MEMOIZE after a MARK': concat(hex('80044e28'), hex('94'), STOP),
  'MEMOIZE after a sparse put': concat(hex('80044e720500000094'), STOP),
  'BINPUT on an empty stack': concat(P2, hex('7100'), STOP),
  'BINPUT cut short': concat(P2, hex('4e71')),
  'LONG_BINPUT cut short': concat(P2, hex('4e720000')),
  'LONG_BINPUT at a big index': concat(P2, hex('4e72ffffffff6affffffff'), hex('86'), STOP),
  'BINGET of nothing': concat(P2, hex('6803'), STOP),
  'BINGET cut short': concat(P2, hex('68')),
  'LONG_BINGET of nothing': concat(P2, hex('6a03000000'), STOP),
  'MARK on a tuple': concat(P2, MARK, hex('4b01'), hex('4b02'), hex('74'), STOP),
  'MARK on a dict': concat(P2, hex('7d'), MARK, shortBinunicode(latin1('a')), hex('4b01'), hex('75'), STOP),
  'APPENDS without a MARK': concat(P2, EMPTY_LIST, hex('4b01'), APPENDS, STOP),
  'SETITEMS without a MARK': concat(P2, hex('7d'), hex('4b01'), hex('75'), STOP),
  'STOP on an empty stack': concat(P2, STOP),
  'no STOP': concat(P2, hex('4b01')),
  'a batch with invalid UTF-8': inList(hex('4b01'), shortBinunicode(hex('ff'))),
  'a batch of items and puts': concat(P2, EMPTY_LIST, hex('7100'), MARK, hex('4b01'), hex('7101'), hex('4b02'), hex('7102'), hex('6801'), APPENDS, STOP),
  'a batch with a misplaced put': concat(P2, EMPTY_LIST, MARK, hex('4b01'), hex('7105'), APPENDS, STOP),
  'a batch fetching its list': concat(P2, EMPTY_LIST, hex('7100'), MARK, hex('6800'), hex('4b01'), APPENDS, STOP),
  'two batches, the second with invalid UTF-8': concat(P2, EMPTY_LIST, MARK, hex('4b01'), APPENDS, MARK, hex('4b02'), shortBinunicode(hex('ff')), APPENDS, STOP),
  'a batch of 1100 items': concat(P2, EMPTY_LIST, MARK, ...Array.from({ length: 1100 }, (_, i) => hex(`4b${(i % 256).toString(16).padStart(2, '0')}`)), APPENDS, STOP),
  'a batch inside frames': concat(hex('8004'), hex('950300000000000000'), EMPTY_LIST, MARK, hex('4b01'), hex('950200000000000000'), hex('4b02'), APPENDS, STOP),
  'a frame starting inside a frame': concat(hex('8004'), hex('950400000000000000'), EMPTY_LIST, MARK, hex('4b01'), hex('950200000000000000'), hex('4b02'), APPENDS, STOP),
  'two pickles': concat(P2, hex('4b01'), STOP, P2, hex('4b02'), STOP),
  'two pickles sharing a memo': concat(P2, shortBinunicode(latin1('a')), hex('7100'), STOP, P2, hex('6800'), STOP),
};

/** A persistentLoad that gives a frozen list: APPENDS, and a run of batches, must fail on it alike. */
const frozenList: LoadOptions = { persistentLoad: () => Object.freeze([]) };
const FROZEN_TARGET = concat(P2, shortBinunicode(latin1('pid')), hex('51'), MARK, hex('4b01'), hex('4b02'), APPENDS, STOP);

describe('fast paths and handlers fail alike where a fast path stops', () => {
  it.each(Object.keys(EDGE_CASES))('%s', (name) => {
    for (const options of [...OPTION_SETS, { maxDepth: 2 }, { maxDepth: 3 }, { maxMemo: 1 }]) {
      expectSameBothWays(name, EDGE_CASES[name]!, options);
    }
  });

  it('a list that refuses its items', () => {
    const steps = expectSameBothWays('frozen list', FROZEN_TARGET, frozenList);
    expect(steps[0]).toMatch(/^error UnpicklingError .*"opcode":"APPENDS"/);
  });

  it('the bytes idiom, whole, and in its variants', () => {
    const text = binunicode(latin1('é'.repeat(LATIN1_TEXT_MIN)));
    const encode = concat(hex('8002'), hex('63'), latin1('_codecs\nencode\n'), hex('7100'));
    const idiom = (...rest: Uint8Array[]): Uint8Array => concat(encode, text, ...rest);
    const cases = {
      whole: idiom(hex('7101'), binunicode(latin1('latin1')), hex('7102'), hex('86'), hex('7103'), hex('52'), STOP),
      'latin1 fetched': concat(P2, binunicode(latin1('latin1')), hex('7100'), hex('30'), hex('63'), latin1('_codecs\nencode\n'), text, hex('6800'), hex('86'), hex('52'), STOP),
      'then the text fetched': idiom(hex('7101'), binunicode(latin1('latin1')), hex('86'), hex('52'), hex('6801'), hex('86'), STOP),
      'another encoding': idiom(binunicode(latin1('utf-8')), hex('86'), hex('52'), STOP),
      'no REDUCE': idiom(binunicode(latin1('latin1')), hex('86'), STOP),
    };
    for (const [name, data] of Object.entries(cases)) {
      for (const options of OPTION_SETS) expectSameBothWays(name, data, options);
    }
  });
});

describe('fast paths and handlers agree on the fixtures, the corpus and their mutations', () => {
  const files = [...fixtureFiles(), ...corpusFiles()];

  it('found the fixtures and the corpus', () => {
    expect(fixtureFiles().length).toBeGreaterThan(300);
    expect(corpusFiles().length).toBeGreaterThan(100);
  });

  it('every fixture and corpus pickle', () => {
    for (const file of files) {
      for (const options of OPTION_SETS) expectSameBothWays(file.name, file.data, options);
    }
  });

  it('seeded mutations: flipped, overwritten, inserted, deleted bytes and truncations', () => {
    const random = prng(19);
    const pick = (n: number): number => Math.floor(random() * n);
    const small = files.filter((file) => file.data.length <= 4096);
    for (let round = 0; round < 3000; round++) {
      const file = small[pick(small.length)]!;
      const data = Uint8Array.from(file.data);
      let mutated: Uint8Array;
      const at = pick(data.length);
      switch (pick(5)) {
        case 0:
          data[at] = data[at]! ^ (1 << pick(8));
          mutated = data;
          break;
        case 1:
          data[at] = pick(256);
          mutated = data;
          break;
        case 2:
          mutated = concat(data.subarray(0, at), Uint8Array.of(pick(256)), data.subarray(at));
          break;
        case 3:
          mutated = concat(data.subarray(0, at), data.subarray(at + 1 + pick(4)));
          break;
        default:
          mutated = data.subarray(0, at);
      }
      expectSameBothWays(`${file.name} mutation ${round}`, mutated, round % 2 === 0 ? {} : OPTION_SETS[pick(OPTION_SETS.length)]!);
    }
  });
});

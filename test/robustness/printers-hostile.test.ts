// pformat and pyRepr on hostile values, as loads builds them from small pickles: any depth
// without the JavaScript stack, memo DAGs in linear time (shared containers printed once and
// referred to after, once Python's expansion would outgrow the value), and only the library's
// FormatLimitError for text that is genuinely too long. Python is the oracle wherever it can
// print the value: ordinary, shared and recursive values print as pprint and repr print them.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PickleError, PyFrozenSet, PyGlobal, PyObject, tuple, Unpickler } from '../../src/index.js';
import { FormatLimitError, pformat, pyRepr } from '../../src/inspect/format/python-format.js';
import { describeWithPython, runPython } from '../helpers/python.js';

/** What `show` loads: floats keep their type, dicts their order. */
const load = (data: Uint8Array) => new Unpickler(data, { keepFloatType: true, dicts: 'map' }).load();

const PROTO4 = [0x80, 4];
const EMPTY_LIST = 0x5d;
const EMPTY_DICT = 0x7d;
const EMPTY_TUPLE = 0x29;
const APPEND = 0x61;
const APPENDS = 0x65;
const MARK = 0x28;
const MEMOIZE = 0x94;
const BINGET = 0x68;
const LONG_BINGET = 0x6a;
const POP = 0x30;
const SETITEM = 0x73;
const TUPLE1 = 0x85;
const BININT1 = 0x4b;
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE = 0x58;
const STOP = 0x2e;

const pickle = (...parts: Array<number | number[] | Uint8Array>): Uint8Array => {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') bytes.push(part);
    else for (const byte of part) bytes.push(byte);
  }
  return Uint8Array.from(bytes);
};

const repeat = (times: number, ...ops: number[]): number[] => {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(...ops);
  return out;
};

const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];

/** `depth` lists, each the only item of the one around it: n EMPTY_LISTs, n-1 APPENDs. */
const deepListPickle = (depth: number) => pickle(PROTO4, repeat(depth + 1, EMPTY_LIST), repeat(depth, APPEND), STOP);

/** x0 = []; x(i) = [x(i-1), x(i-1)]: each level shares the one below through the memo. */
function memoDagPickle(levels: number): Uint8Array {
  const ops: number[] = [...PROTO4, EMPTY_LIST, MEMOIZE];
  for (let i = 1; i <= levels; i++) ops.push(POP, EMPTY_LIST, MEMOIZE, MARK, BINGET, i - 1, BINGET, i - 1, APPENDS);
  ops.push(STOP);
  return Uint8Array.from(ops);
}

/** What pyRepr prints for memoDagPickle(levels) once shared lists are referred to: #n= and #n#. */
function dagReferenceText(levels: number): string {
  let text = '[[], []]'; // x1: the empty x0 prints in full
  for (let j = 2; j <= levels; j++) {
    const label = levels - j + 1;
    text = `[#${label}=${text}, #${label}#]`;
  }
  return text;
}

const expectFormatLimit = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatLimitError);
    expect((error as PickleError).code).toBe('FORMAT_LIMIT');
    return;
  }
  throw new Error('expected a FormatLimitError');
};

describe('pformat and pyRepr never recurse on the JavaScript stack', () => {
  it('print the 1 133-deep list a 2.3 KB pickle gives', () => {
    const data = deepListPickle(1133);
    expect(data.length).toBeLessThan(2400);
    const text = '['.repeat(1134) + ']'.repeat(1134);
    expect(pformat(load(data))).toBe(text);
    expect(pyRepr(load(data))).toBe(text);
  }, 5_000);

  it('print 100 000-deep lists, dicts, tuples and placeholders', () => {
    const depth = 100_000;
    const list = load(deepListPickle(depth));
    expect(pyRepr(list)).toBe('['.repeat(depth + 1) + ']'.repeat(depth + 1));
    expect(pformat(list)).toBe('['.repeat(depth + 1) + ']'.repeat(depth + 1));

    // {'a': {'a': ... {} ...}}: one item per level, so pprint breaks no line.
    const dictOps: number[] = [...PROTO4, EMPTY_DICT];
    for (let i = 0; i < depth; i++) dictOps.push(SHORT_BINUNICODE, 1, 0x61, EMPTY_DICT);
    dictOps.push(...repeat(depth, SETITEM), STOP);
    const dictText = "{'a': ".repeat(depth) + '{}' + '}'.repeat(depth);
    expect(pyRepr(load(Uint8Array.from(dictOps)))).toBe(dictText);
    expect(pformat(load(Uint8Array.from(dictOps)))).toBe(dictText);

    // ((((),),),): TUPLE1 around the one below.
    const tupleOps = pickle(PROTO4, EMPTY_TUPLE, repeat(depth, TUPLE1), STOP);
    const tupleText = '('.repeat(depth) + '()' + ',)'.repeat(depth);
    expect(pyRepr(load(tupleOps))).toBe(tupleText);
    expect(pformat(load(tupleOps))).toBe(tupleText);

    let object: unknown = null;
    for (let i = 0; i < depth; i++) {
      const next = new PyObject(new PyGlobal('m', 'Node'), tuple(), 'newobj');
      next.state = { next: object };
      object = next;
    }
    const objectText = 'm.Node(next='.repeat(depth) + 'None' + ')'.repeat(depth);
    expect(pyRepr(object)).toBe(objectText);
    expect(pformat(object)).toBe(objectText);
  }, 60_000);

  it('print deep values whose pprint layout is wider than any string can hold with a FormatLimitError, fast', () => {
    // [[[...], 1], 1]: pprint indents each level one more, so the text grows as depth^2.
    let value: unknown = [];
    for (let i = 0; i < 100_000; i++) value = [value, 1];
    expectFormatLimit(() => pformat(value));
    // On one line it is linear, and prints.
    expect(pyRepr(value)).toBe('['.repeat(100_001) + ']' + ', 1]'.repeat(100_000));
  }, 10_000);

  it('sort deep dict keys and set members without recursion', () => {
    const deepTuple = (depth: number, leaf: number) => {
      let t: unknown = leaf;
      for (let i = 0; i < depth; i++) t = tuple(t);
      return t;
    };
    const dict = new Map<unknown, unknown>([[deepTuple(20_000, 2), 'b'], [deepTuple(20_000, 1), 'a']]);
    const keyText = (leaf: number) => '('.repeat(20_000) + String(leaf) + ',)'.repeat(20_000);
    expect(pformat(dict, { width: 1e9 })).toBe(`{${keyText(1)}: 'a', ${keyText(2)}: 'b'}`);
    expect(pyRepr(dict)).toBe(`{${keyText(2)}: 'b', ${keyText(1)}: 'a'}`);

    // Tuples compare their items for equality first: here nested frozensets, member by member.
    const deepSet = (leaf: number) => {
      let set: unknown = new PyFrozenSet([leaf]);
      for (let i = 0; i < 5_000; i++) set = new PyFrozenSet([set]);
      return set;
    };
    const setText = (leaf: number) => 'frozenset({'.repeat(5_001) + String(leaf) + '})'.repeat(5_001);
    const set = new Set([tuple(deepSet(2)), tuple(deepSet(1))]);
    expect(pyRepr(set)).toBe(`{(${setText(2)},), (${setText(1)},)}`);
    expect(pformat(set).replace(/\n */g, ' ')).toBe(`{(${setText(2)},), (${setText(1)},)}`);
  }, 10_000);

  it('compare keys that contain themselves through a list without looping', () => {
    const a = tuple([] as unknown[]);
    (a[0] as unknown[]).push(a);
    const b = tuple([] as unknown[]);
    (b[0] as unknown[]).push(b);
    const dict = new Map<unknown, unknown>([[a, 1], [b, 2]]);
    expect(pformat(dict)).toBe('{([(...)],): 1, ([(...)],): 2}');
    expect(pyRepr(dict)).toBe('{([(...)],): 1, ([(...)],): 2}');
  }, 5_000);
});

describe('shared containers: Python expansion within a budget, references beyond it', () => {
  it('print the 40-level memo DAG of a 400-byte pickle with references, in linear time', () => {
    const data = memoDagPickle(40);
    expect(data.length).toBeLessThan(700);
    const value = load(data);
    const text = dagReferenceText(40);
    expect(pyRepr(value)).toBe(text);
    const pretty = pformat(value);
    expect(pretty).toContain('\n');
    expect(pretty.replace(/\n */g, ' ')).toBe(text);
    // Each line holds one item: the layout is pprint's, with the labels in front of the brackets.
    expect(pretty.split('\n')[0]).toBe('[#1=[#2=[#3=[#4=[#5=[#6=[#7=[#8=[#9=[#10=[#11=[#12=[#13=[#14=[#15=[#16=[#17=[#18=[#19=[#20=[#21=[#22=[#23=[#24=[#25=[#26=[#27=[#28=[#29=[#30=[#31=[#32=[#33=[#34=[#35=[#36=[#37=[#38=[#39=[[],');
  }, 5_000);

  it('print DAGs of tuples, dicts and placeholders with references, and keep recursion markers', () => {
    let t: unknown = tuple();
    let d: unknown = new Map();
    let o: unknown = null;
    for (let i = 0; i < 60; i++) {
      t = tuple(t, t);
      d = new Map([['l', d], ['r', d]]);
      const next = new PyObject(new PyGlobal('m', 'N'), tuple(), 'newobj');
      next.state = { l: o, r: o };
      o = next;
    }
    const cycle: unknown[] = [];
    cycle.push(cycle, t);
    for (const value of [t, d, o, cycle]) {
      const text = pyRepr(value);
      expect(text).toMatch(/#1=/);
      expect(text).toMatch(/#1#/);
      expect(pformat(value).replace(/\n */g, ' ').length).toBe(text.length);
    }
    expect(pyRepr(cycle).startsWith('[[...], (#1=(#2=')).toBe(true);
  }, 5_000);

  it('refers back only where a shared container was printed before (sets print sorted)', () => {
    let big: unknown = tuple();
    for (let i = 0; i < 40; i++) big = tuple(big, big);
    const set = new Set([tuple('b', big), tuple('a', big)]);
    const pretty = pformat(set, { width: 60 }).replace(/\n */g, ' ');
    // Sorted: the member starting with 'a' prints first and holds the definitions.
    expect(pretty.startsWith("{('a', #1=(#2=")).toBe(true);
    expect(pretty).toContain("('b', #1#)");
  }, 5_000);

  it('still give FormatLimitError, fast, for text too long to hold', () => {
    // One 1 MB str referred to 1 000 times: a str is no container, Python prints it each time.
    const text = new Uint8Array(1 << 20).fill(0x61);
    const data = pickle(PROTO4, BINUNICODE, u32(text.length), text, MEMOIZE, EMPTY_LIST, MARK, repeat(1000, BINGET, 0), APPENDS, STOP);
    const value = load(data);
    expectFormatLimit(() => pformat(value));
    expectFormatLimit(() => pyRepr(value));
    expectFormatLimit(() => pyRepr(value, { maxLength: 1000 }));
    expect(pyRepr(['abc'], { maxLength: 7 })).toBe("['abc']");
    expectFormatLimit(() => pyRepr(['abc'], { maxLength: 6 }));
  }, 5_000);

  it('give FormatLimitError for more work than maxWork, and for arrays longer than any text', () => {
    expectFormatLimit(() => pformat(Array.from({ length: 1000 }, (_, i) => i), { maxWork: 10 }));
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expectFormatLimit(() => pformat(sparse));
    expectFormatLimit(() => pyRepr(sparse));
    const claims = new Proxy([] as unknown[], { get: (target, key) => (key === 'length' ? 1e9 : Reflect.get(target, key)) });
    expectFormatLimit(() => pyRepr(claims));
  }, 5_000);

  it('print an int beyond Python\'s 4300 digits in hex, in linear time', () => {
    const big = 7n ** 2_000_000n;
    expect(pyRepr([big, -big])).toBe(`[0x${big.toString(16)}, -0x${big.toString(16)}]`);
    expect(pyRepr(10n ** 4299n)).toBe('1' + '0'.repeat(4299));
  }, 5_000);

  it('print a value of no Python type without throwing', () => {
    class Point {
      x = 1;
      y = [2];
    }
    expect(pyRepr([new Point(), Symbol('s\x1b'), () => 1])).toBe("[Point(x=1, y=[2]), Symbol('s\\x1b'), Function()]");
    const hostile = {
      get boom(): unknown {
        throw new Error('getter');
      },
    };
    for (const print of [pyRepr, pformat]) {
      try {
        print(hostile);
      } catch (error) {
        expect(error).toBeInstanceOf(PickleError);
      }
    }
  }, 5_000);
});

// ---- Python as the oracle ---------------------------------------------------------------------

const PY_VALUES = String.raw`
import base64, json, pickle, pprint, sys
sys.setrecursionlimit(20000)
def dag(levels, leaf):
    x = leaf
    for _ in range(levels):
        x = [x, x]
    return x
def deep(depth, make):
    x = []
    for _ in range(depth):
        x = make(x)
    return x
values = {}
shared = [1, 'two']
values['shared'] = [shared, shared, (shared, {'k': shared})]
values['dag-12'] = dag(12, [])
values['dag-8-dicts'] = dag(8, {'a': (1, 2.0)})
values['tuples-shared'] = ((1,),) * 40
a = [1]; a.append(a)
values['self-list'] = a
d = {'name': 'd'}; d['self'] = d
values['self-dict'] = d
x = []; y = [x]; x.append(y)
values['mutual'] = [x, y, {'x': x}]
t = ([],); t[0].append(t)
values['tuple-through-list'] = t
n = {'children': []}
for i in range(5):
    c = {'parent': n, 'i': i, 'tags': ['t%d' % i] * 3}
    n['children'].append(c)
values['parents'] = n
values['wide-shared'] = [[list(range(30))] * 4, {'z' * 30: shared, 'a' * 30: [shared] * 3}]
values['deep-300'] = deep(300, lambda x: [x, 'item'])
values['deep-dicts-200'] = deep(200, lambda x: {'k': x, 'n': 1.5})
values['sets'] = [{(1, 2), (0, 'a'), frozenset({3})}, frozenset({'b' * 50, 'a' * 50}), {1.0, 2, 3.5}]
values['strings'] = ['word ' * 40, b'\x00\xff' * 60, bytearray(b'ab' * 50), 'multi\nline\n' * 8, bytearray(b"it's"), bytearray(b'say "it\'s"'), b"it's"]
width = int(sys.argv[1])
out = {}
for name, v in values.items():
    out[name] = {
        'pickle': base64.b64encode(pickle.dumps(v, 4)).decode(),
        'pprint': pprint.pformat(v, width=width),
        'repr': repr(v),
        'recursive': pprint.isrecursive(v),
    }
json.dump(out, sys.stdout)
`;

interface PyPrinted {
  readonly pickle: string;
  readonly pprint: string;
  readonly repr: string;
  readonly recursive: boolean;
}

/** pprint's "<Recursion on list with id=...>" is where repr (and our pformat) write [...]. */
const recursionAsRepr = (text: string) =>
  text.replace(/<Recursion on (\w+) with id=\d+>/g, (_, type: string) => (type === 'list' ? '[...]' : type === 'dict' ? '{...}' : `(...)`));
const oneLine = (text: string) => text.replace(/\n */g, ' ');

describeWithPython('pformat and pyRepr print what Python prints', () => {
  for (const width of [80, 30]) {
    it(`for shared, recursive, deep and wide values (width ${width})`, () => {
      const printed = JSON.parse(runPython(PY_VALUES, undefined, [String(width)]).toString('utf8')) as Record<string, PyPrinted>;
      for (const [name, py] of Object.entries(printed)) {
        const value = load(new Uint8Array(Buffer.from(py.pickle, 'base64')));
        expect(pyRepr(value), name).toBe(py.repr);
        const pretty = pformat(value, { width });
        // pprint's recursion marker is wider than repr's: line breaks move, the text is the same.
        if (py.recursive) expect(oneLine(pretty), name).toBe(oneLine(recursionAsRepr(py.pprint)));
        else expect(pretty, name).toBe(py.pprint);
      }
    }, 30_000);
  }

  it('for what our dumps writes of a value loads gave', () => {
    const printed = JSON.parse(runPython(PY_VALUES, undefined, ['80']).toString('utf8')) as Record<string, PyPrinted>;
    for (const [name, py] of Object.entries(printed)) {
      if (py.recursive) continue;
      const again = load(dumps(load(new Uint8Array(Buffer.from(py.pickle, 'base64')))));
      expect(pformat(again), name).toBe(py.pprint);
    }
  }, 30_000);

  it('loads and prints the DAG pickle Python writes for 40 levels, with references', () => {
    const data = runPython('import pickle, sys\nx = []\nfor _ in range(40): x = [x, x]\nsys.stdout.buffer.write(pickle.dumps(x, 4))');
    expect(data.length).toBeLessThan(700);
    expect(pyRepr(loads(new Uint8Array(data)))).toBe(dagReferenceText(40));
  }, 10_000);
});

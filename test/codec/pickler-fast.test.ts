// `fast: true` is CPython's `Pickler.fast`: no memo, so nothing is written as a reference to
// something written before. Python builds the values and pickles them both ways; we load the
// normal pickle and must write the fast one byte for byte, at every protocol.
import { describe, expect, it } from 'vitest';
import { dis, dumps, loads, Pickler, PicklingError, Registry, registerClass } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

// Each case: a name and a Python expression (PY_SETUP defines what they use).
const PY_SETUP = `
import pickle, io, json, sys, base64
class Point:
    def __init__(self, x, label):
        self.x = x
        self.label = label
Point.__module__ = 'shapes'
sys.modules['shapes'] = type(sys)('shapes')
sys.modules['shapes'].Point = Point
key = 'shared key'
shared_list = [1, 2]
shared_text = 'a string used twice, long enough to be memoized by value in normal mode' * 5
def nest(depth, leaf):
    value = leaf
    for i in range(depth):
        value = [value, i] if i % 3 else {'level': value}
    return value
deep = nest(70, 'bottom')
`;
const CASES: Record<string, string> = {
  'records from JSON': "[{'id': i, 'name': f'user{i}', 'score': i * 0.5, 'tags': ['red', 'blue']} for i in range(1500)]",
  'a shared list and shared key objects': "[{key: shared_list}, {key: shared_list}, (shared_list, shared_list)]",
  'equal long strings': '[shared_text, shared_text, (shared_text,)]',
  'instances: each writes its class': "[Point(i, f'p{i}') for i in range(40)]",
  'a shared instance': '(lambda p: [p, p, {"again": p}])(Point(7, "seven"))',
  'tuples, sets, frozensets, bytes, bytearray': "[(1, (2, (3,))), {1, 2}, frozenset({'a'}), b'xy' * 40, bytearray(b'z' * 300), b'', ()]",
  'nesting 70 deep, twice over (no cycle)': '[deep, deep]',
  'large payloads in frames': "[b'q' * 70000, 'w' * 70000, [b'e' * 100] * 3]",
  'big ints, floats, None, bools': '[2**70, -2**40, 1.5, float("inf"), None, True, False, 0]',
};

interface Expected {
  normal: string;
  fast: string;
}

function pythonPickles(): Record<string, Record<number, Expected>> {
  const script = `${PY_SETUP}
cases = json.loads(sys.stdin.read())
out = {}
for name, expr in cases.items():
    value = eval(expr)
    out[name] = {}
    for protocol in range(6):
        f = io.BytesIO()
        p = pickle.Pickler(f, protocol)
        p.fast = True
        p.dump(value)
        out[name][protocol] = {
            'normal': base64.b64encode(pickle.dumps(value, protocol)).decode(),
            'fast': base64.b64encode(f.getvalue()).decode(),
        }
print(json.dumps(out))
`;
  return JSON.parse(runPython(script, JSON.stringify(CASES)).toString('utf8')) as Record<string, Record<number, Expected>>;
}

const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

describeWithPython('fast mode writes what CPython writes with Pickler.fast = True', () => {
  const expected = pythonPickles();
  for (const name of Object.keys(CASES)) {
    for (const protocol of PROTOCOLS) {
      it(`${name}, protocol ${protocol}`, () => {
        const { normal, fast } = expected[name]![protocol]!;
        const value = loads(bytesOf(normal));
        expect(Buffer.from(dumps(value, { protocol, fast: true }))).toEqual(Buffer.from(bytesOf(fast)));
        // The normal mode is unchanged by the option existing.
        expect(Buffer.from(dumps(value, { protocol }))).toEqual(Buffer.from(bytesOf(normal)));
      });
    }
  }
});

describe('fast mode', () => {
  it('writes a tree that loads back equal, without a single memo opcode', () => {
    const tree = { rows: Array.from({ length: 300 }, (_, i) => ({ id: i, tags: ['a', 'b'], nested: [[i], { k: `v${i}` }] })) };
    const memoOpcode = /^\s*\d+: \S+\s+(PUT|BINPUT|LONG_BINPUT|MEMOIZE|GET|BINGET|LONG_BINGET)\b/m;
    for (const protocol of PROTOCOLS) {
      const pickle = dumps(tree, { protocol, fast: true });
      expect(loads(pickle)).toEqual(tree);
      expect(dis(pickle)).not.toMatch(memoOpcode);
      expect(dis(dumps(tree, { protocol }))).toMatch(memoOpcode);
    }
  });

  it('a value that contains itself is an error naming where, deep or shallow, at every protocol', () => {
    const list: unknown[] = [1];
    list.push(list);
    const dict: Record<string, unknown> = {};
    dict.self = [dict];
    let deep: unknown = 'leaf';
    const top: unknown[] = [];
    for (let i = 0; i < 80; i++) deep = [deep];
    top.push(deep);
    (deep as unknown[]).push(top);
    for (const protocol of PROTOCOLS) {
      for (const cyclic of [list, dict, top]) {
        expect(() => dumps(cyclic, { protocol, fast: true })).toThrow(PicklingError);
        expect(() => dumps(cyclic, { protocol, fast: true })).toThrow(/contains itself/);
      }
      // Normal mode writes them as references.
      expect(loads(dumps(list, { protocol }))).toBeDefined();
    }
  });

  it('a value shared by siblings deep down is no cycle', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 120; i++) deep = [deep, i];
    const shared = { deep };
    const value = [shared, [shared, shared]];
    const pickle = dumps(value, { fast: true });
    expect(loads(pickle)).toEqual(value);
  });

  it('a registered instance that refers to itself is an error; instances in a tree round-trip', () => {
    class Node {
      name = '';
      next: unknown = null;
    }
    const registry = new Registry();
    registerClass(Node, { module: 'graph', name: 'Node', registry, fields: { name: {}, next: {} } });
    const a = new Node();
    a.name = 'a';
    const b = new Node();
    b.name = 'b';
    b.next = a;
    const back = loads(dumps([b, a], { fast: true, registry }), { registry }) as Node[];
    expect(back[0]).toBeInstanceOf(Node);
    expect((back[0]!.next as Node).name).toBe('a');
    expect(back[0]!.next).not.toBe(back[1]); // no memo: the shared one is written twice
    a.next = a;
    let message = '';
    try {
      dumps(a, { fast: true, registry });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/contains itself/);
  });

  it('keeps nothing between dumps of one Pickler, even with keepMemo', () => {
    const pickler = new Pickler({ fast: true, keepMemo: true });
    const shared = ['x'];
    const first = pickler.dump(shared);
    const second = pickler.dump(shared);
    expect(Buffer.from(second)).toEqual(Buffer.from(first));
    expect(loads(second)).toEqual(shared);
  });
});

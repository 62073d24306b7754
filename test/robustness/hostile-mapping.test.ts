// Loading stays linear and exact where mapped classes, standard types and options meet hostile
// or unusual input: shared state dicts, Python 2 strs reused as numpy buffers, pathological
// strings, huge ints, a memo kept across loads, and deep JSON.
import { describe, expect, it } from 'vitest';
import { fromJson, JsonMappingError, loads, Registry, registerClass, Unpickler, UnpicklingError } from '../../src/index.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const short = (text: string) => Buffer.concat([Buffer.from([0x8c, Buffer.byteLength(text)]), Buffer.from(text)]);

/** m.Node whose state nests `depth` dicts, each holding the one below twice (through the memo). */
function sharedTree(depth: number): Uint8Array {
  const parts: Buffer[] = [Buffer.from('8004', 'hex'), short('m'), short('Node'), Buffer.from('9329817d9430', 'hex')];
  for (let k = 1; k <= depth; k++) {
    parts.push(Buffer.from('7d9428', 'hex'), short('left'), Buffer.from([0x68, k - 1]), short('right'), Buffer.from([0x68, k - 1, 0x75]));
    if (k < depth) parts.push(Buffer.from('30', 'hex'));
  }
  parts.push(Buffer.from('622e', 'hex'));
  return new Uint8Array(Buffer.concat(parts));
}

describe('nested mapped classes from shared state dicts', () => {
  class Node {
    left: Node | null = null;
    right: Node | null = null;
  }
  const registry = new Registry();
  registerClass(Node, {
    module: 'm',
    name: 'Node',
    registry,
    fields: { left: { type: () => Node }, right: { type: () => Node } },
  });

  it('a dict shared through the memo becomes one shared instance, not one per path', () => {
    const root = loads(sharedTree(60), { registry }) as Node; // 2^60 paths, 61 objects
    expect(root).toBeInstanceOf(Node);
    let node: Node | null = root;
    let depth = 0;
    while (node?.left) {
      expect(node.left).toBe(node.right);
      expect(node.left).toBeInstanceOf(Node);
      node = node.left;
      depth++;
    }
    expect(depth).toBe(60);
  });

  it('a state dict that contains itself gives a cycle', () => {
    // NEWOBJ m.Node, BUILD {'left': <that same dict>}
    const root = loads(hex('80048c016d8c044e6f64659329817d94288c046c656674680075622e'), { registry }) as Node;
    expect(root.left).toBeInstanceOf(Node);
    expect(root.left!.left).toBe(root.left);
  });
});

describe('keepMemo and dicts that became Maps', () => {
  it('a later pickle fetching such a dict from the memo gets the Map', () => {
    // One CPython Pickler: d = {1: 'a', 2: 'b'}; p.dump(d); p.dump(d)
    const reader = new Unpickler(hex('80049511000000000000007d94284b018c0161944b028c016294752e800468002e'), { keepMemo: true });
    const first = reader.load();
    const second = reader.load();
    expect(first).toEqual(new Map<unknown, unknown>([[1, 'a'], [2, 'b']]));
    expect(second).toBe(first);
  });
});

describe('linear work on pathological strings and ints', () => {
  it('a UUID string of many braces is refused quickly', () => {
    const text = `x${'{'.repeat(200_000)}y`;
    const body = Buffer.concat([
      Buffer.from('8004', 'hex'), short('uuid'), short('UUID'), Buffer.from('93', 'hex'),
      Buffer.from([0x58]), Buffer.from(Uint32Array.of(text.length).buffer), Buffer.from(text), Buffer.from('85522e', 'hex'),
    ]);
    const started = performance.now();
    expect(() => loads(new Uint8Array(body))).toThrow(UnpicklingError);
    expect(performance.now() - started).toBeLessThan(5_000); // a hang guard, not a speed test
  });

  it('Decimal(huge int) repeated hits the copy budget instead of running for seconds', () => {
    const digits = new Uint8Array(100_000).fill(0x55);
    const parts: Buffer[] = [Buffer.from('8004', 'hex'), short('decimal'), short('Decimal'), Buffer.from('9394', 'hex')];
    parts.push(Buffer.from([0x8b]), Buffer.from(Uint32Array.of(digits.length).buffer), Buffer.from(digits), Buffer.from('9430', 'hex'));
    parts.push(Buffer.from('5d28', 'hex'));
    for (let i = 0; i < 200; i++) parts.push(Buffer.from('6800680185 52'.replace(/ /g, ''), 'hex'));
    parts.push(Buffer.from('652e', 'hex'));
    const started = performance.now();
    expect(() => loads(new Uint8Array(Buffer.concat(parts)))).toThrow(/more copying than its size/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('fromJson', () => {
  it('JSON nested deeper than the JavaScript stack decodes (an explicit stack, no recursion)', () => {
    let value = fromJson('['.repeat(200_000) + ']'.repeat(200_000));
    let depth = 0;
    while (Array.isArray(value) && value.length === 1) {
      value = value[0];
      depth++;
    }
    expect(depth).toBe(199_999);
    expect(value).toEqual([]);
    expect(() => fromJson('['.repeat(200_000) + ']'.repeat(199_999))).toThrow(JsonMappingError);
  });
});

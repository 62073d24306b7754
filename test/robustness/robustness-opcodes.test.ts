// Robustness property 8: every opcode of the table (src/opcodes.ts OPCODES, 68 of them) is
// handled by the unpickler. For each there is a small pickle using it that loads to the
// expected value; those needing an option (PERSID, BINPERSID, EXT1/2/4, NEXT_BUFFER) fail
// without it with their documented UnpicklingError, never "invalid load key", and load with it.
// Every byte that is not in the table is refused as an invalid load key.
import { describe, expect, it } from 'vitest';
import {
  type LoadOptions,
  loads,
  OPCODES,
  PyByteArray,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  tuple,
  UnpicklingError,
} from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { attempt, concat, describeError, latin1, le, toHex } from './util.js';

interface OpcodeCase {
  /** A pickle that uses the opcode (as an opcode, not inside an argument). */
  readonly data: Uint8Array;
  /** Checks the loaded value. */
  readonly check: (value: unknown) => void;
  /** When the opcode needs an option: the options, and the error expected without them. */
  readonly needs?: { readonly options: LoadOptions; readonly error: RegExp };
}

const t = latin1;
const is = (expected: unknown) => (value: unknown) => expect(value).toStrictEqual(expected);
const bytesOf = (...values: number[]) => (value: unknown) => {
  expect(value).toBeInstanceOf(Uint8Array);
  expect(value).not.toBeInstanceOf(PyByteArray);
  expect([...(value as Uint8Array)]).toEqual(values);
};
const placeholder = (creation: string, args: unknown[], more?: (obj: PyObject) => void) => (value: unknown) => {
  expect(value).toBeInstanceOf(PyObject);
  const obj = value as PyObject;
  expect(obj.creation).toBe(creation);
  expect(obj.module).toBe('__main__');
  expect(obj.name).toBe('P');
  expect([...obj.args]).toEqual(args);
  more?.(obj);
};
const globalNamed = (qualifiedName: string) => (value: unknown) => {
  expect(value).toBeInstanceOf(PyGlobal);
  expect((value as PyGlobal).qualifiedName).toBe(qualifiedName);
};
const EXTENSIONS = new Map<number, readonly [string, string]>([
  [1, ['builtins', 'set']],
  [256, ['collections', 'OrderedDict']],
  [65536, ['__main__', 'P']],
]);

const CASES: Record<string, OpcodeCase> = {
  INT: { data: t('I-42\n.'), check: is(-42) },
  BININT: { data: t('J\xfe\xff\xff\xff.'), check: is(-2) },
  BININT1: { data: t('K\x07.'), check: is(7) },
  BININT2: { data: t('M\x00\x01.'), check: is(256) },
  LONG: { data: t('L123456789012345678901234567890L\n.'), check: is(123456789012345678901234567890n) },
  LONG1: { data: t('\x80\x02\x8a\x01\xff.'), check: is(-1) },
  LONG4: { data: t('\x80\x02\x8b\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01.'), check: is(2n ** 64n) },
  STRING: { data: t("S'a\\x62\\'c'\n."), check: is("ab'c") },
  BINSTRING: { data: t('T\x02\x00\x00\x00ab.'), check: is('ab') },
  SHORT_BINSTRING: { data: t('U\x02ab.'), check: is('ab') },
  BINBYTES: { data: t('\x80\x03B\x02\x00\x00\x00ab.'), check: bytesOf(97, 98) },
  SHORT_BINBYTES: { data: t('\x80\x03C\x02ab.'), check: bytesOf(97, 98) },
  BINBYTES8: { data: concat(t('\x80\x04\x8e'), le(2, 8), t('ab.')), check: bytesOf(97, 98) },
  BYTEARRAY8: {
    data: concat(t('\x80\x05\x96'), le(2, 8), t('ab.')),
    check: (value) => {
      expect(value).toBeInstanceOf(PyByteArray);
      expect([...(value as PyByteArray)]).toEqual([97, 98]);
    },
  },
  NEXT_BUFFER: {
    data: t('\x80\x05\x97.'),
    check: (value) => {
      expect(value).toBeInstanceOf(PyByteArray);
      expect([...(value as PyByteArray)]).toEqual([1, 2]);
    },
    needs: { options: { buffers: [Uint8Array.of(1, 2)] }, error: /out-of-band/ },
  },
  // In-band: a BYTEARRAY8 made read-only is bytes.
  READONLY_BUFFER: { data: concat(t('\x80\x05\x96'), le(1, 8), t('z\x98.')), check: bytesOf(122) },
  NONE: { data: t('N.'), check: is(null) },
  NEWTRUE: { data: t('\x80\x02\x88.'), check: is(true) },
  NEWFALSE: { data: t('\x80\x02\x89.'), check: is(false) },
  UNICODE: { data: t('Vcaf\\u00e9 \\U0001f600\n.'), check: is('café 😀') },
  SHORT_BINUNICODE: { data: t('\x80\x04\x8c\x03\xe2\x82\xac.'), check: is('€') },
  BINUNICODE: { data: t('X\x02\x00\x00\x00hi.'), check: is('hi') },
  BINUNICODE8: { data: concat(t('\x80\x04\x8d'), le(2, 8), t('hi.')), check: is('hi') },
  FLOAT: { data: t('F-1.5e3\n.'), check: is(-1500) },
  BINFLOAT: { data: t('G?\xf8\x00\x00\x00\x00\x00\x00.'), check: is(1.5) },
  EMPTY_LIST: { data: t('].'), check: is([]) },
  APPEND: { data: t(']K\x01a.'), check: is([1]) },
  APPENDS: { data: t('](K\x01K\x02e.'), check: is([1, 2]) },
  LIST: { data: t('(K\x01K\x02l.'), check: is([1, 2]) },
  EMPTY_TUPLE: { data: t(').'), check: is(tuple()) },
  TUPLE: { data: t('(K\x01K\x02t.'), check: is(tuple(1, 2)) },
  TUPLE1: { data: t('K\x01\x85.'), check: is(tuple(1)) },
  TUPLE2: { data: t('K\x01K\x02\x86.'), check: is(tuple(1, 2)) },
  TUPLE3: { data: t('K\x01K\x02K\x03\x87.'), check: is(tuple(1, 2, 3)) },
  EMPTY_DICT: { data: t('}.'), check: is({}) },
  DICT: { data: t('(Vk\nK\x01d.'), check: is({ k: 1 }) },
  SETITEM: { data: t('}Vk\nK\x01s.'), check: is({ k: 1 }) },
  SETITEMS: { data: t('}(Vk\nK\x01K\x02K\x03u.'), check: is(new Map<unknown, unknown>([['k', 1], [2, 3]])) },
  EMPTY_SET: { data: t('\x80\x04\x8f.'), check: is(new Set()) },
  ADDITEMS: { data: t('\x80\x04\x8f(K\x01K\x02\x90.'), check: is(new Set([1, 2])) },
  FROZENSET: { data: t('\x80\x04(K\x01\x91.'), check: is(new PyFrozenSet([1])) },
  POP: { data: t('K\x01K\x020.'), check: is(1) },
  DUP: { data: t('K\x012\x86.'), check: is(tuple(1, 1)) },
  MARK: { data: t('(t.'), check: is(tuple()) },
  POP_MARK: { data: t('K\x07(K\x01K\x021.'), check: is(7) },
  GET: { data: t(']p0\n0g0\n.'), check: is([]) },
  BINGET: { data: t(']q\x000h\x00.'), check: is([]) },
  LONG_BINGET: { data: t(']r\x00\x00\x01\x000j\x00\x00\x01\x00.'), check: is([]) },
  PUT: { data: t('K\x05p7\n0g7\n.'), check: is(5) },
  BINPUT: { data: t('K\x05q\x070h\x07.'), check: is(5) },
  LONG_BINPUT: { data: t('K\x05r\x07\x00\x00\x000h\x07.'), check: is(5) },
  MEMOIZE: { data: t('\x80\x04K\x05\x940h\x00.'), check: is(5) },
  EXT1: { data: t('\x80\x02\x82\x01.'), check: globalNamed('builtins.set'), needs: { options: { extensions: EXTENSIONS }, error: /extension code 1\b/ } },
  EXT2: { data: t('\x80\x02\x83\x00\x01.'), check: globalNamed('collections.OrderedDict'), needs: { options: { extensions: EXTENSIONS }, error: /extension code 256\b/ } },
  EXT4: { data: t('\x80\x02\x84\x00\x00\x01\x00.'), check: globalNamed('__main__.P'), needs: { options: { extensions: EXTENSIONS }, error: /extension code 65536\b/ } },
  GLOBAL: { data: t('c__main__\nP\n.'), check: globalNamed('__main__.P') },
  STACK_GLOBAL: { data: t('\x80\x04\x8c\x08__main__\x8c\x01P\x93.'), check: globalNamed('__main__.P') },
  REDUCE: { data: t('\x80\x02cbuiltins\nset\n](K\x01K\x02e\x85R.'), check: is(new Set([1, 2])) },
  BUILD: {
    data: t('\x80\x02c__main__\nP\n)\x81}Vx\nK\x01sb.'),
    check: placeholder('newobj', [], (obj) => expect(obj.state).toEqual({ x: 1 })),
  },
  INST: { data: t('(K\x01i__main__\nP\n.'), check: placeholder('inst', [1]) },
  OBJ: { data: t('(c__main__\nP\nK\x01o.'), check: placeholder('obj', [1]) },
  NEWOBJ: { data: t('\x80\x02c__main__\nP\nK\x01\x85\x81.'), check: placeholder('newobj', [1]) },
  NEWOBJ_EX: {
    data: t('\x80\x04c__main__\nP\n)}Vk\nK\x01s\x92.'),
    check: placeholder('newobj_ex', [], (obj) => expect(obj.kwargs).toEqual({ k: 1 })),
  },
  PROTO: { data: t('\x80\x05N.'), check: is(null) },
  STOP: { data: t('K\x01.'), check: is(1) },
  FRAME: { data: concat(t('\x80\x04\x95'), le(3, 8), t('K\x01.')), check: is(1) },
  PERSID: {
    data: t('Pabc\n.'),
    check: is(['loaded', 'abc']),
    needs: { options: { persistentLoad: (pid) => ['loaded', pid] }, error: /persistent id instruction was encountered/ },
  },
  BINPERSID: {
    data: t('X\x03\x00\x00\x00abcQ.'),
    check: is(['loaded', 'abc']),
    needs: { options: { persistentLoad: (pid) => ['loaded', pid] }, error: /persistent id instruction was encountered/ },
  },
};

describe('robustness: every opcode is handled', () => {
  it('the table has the 68 opcodes of pickletools, each with a case here', () => {
    expect(OPCODES).toHaveLength(68);
    expect(new Set(OPCODES.map((op) => op.code)).size).toBe(68);
    expect(Object.keys(CASES).sort()).toEqual(OPCODES.map((op) => op.name).sort());
  });

  it.each(OPCODES.map((op) => [op.name, op.code] as const))('%s', (name, code) => {
    const c = CASES[name]!;
    expect(c.data.includes(code), `${name}'s pickle contains its byte`).toBe(true);
    if (c.needs) {
      const without = attempt(() => loads(c.data));
      if (without.ok) throw new Error(`${name} loaded without its option`);
      if (!(without.error instanceof UnpicklingError)) throw new Error(`${name}: ${describeError(without.error)}`);
      expect(without.error.message).toMatch(c.needs.error);
      expect(without.error.message).not.toMatch(/invalid load key/);
      expect(without.error.opcode).toBe(name);
    }
    const loaded = attempt(() => loads(c.data, c.needs?.options));
    if (!loaded.ok) throw new Error(`${name} (${toHex(c.data)}) failed: ${describeError(loaded.error)}`);
    c.check(loaded.value);
  });

  it('EXT codes <= 0 and unregistered codes are refused with their own message', () => {
    expect(() => loads(t('\x80\x02\x84\x00\x00\x00\x00.'), { extensions: EXTENSIONS })).toThrow(/EXT specifies code <= 0/);
    expect(() => loads(t('\x80\x02\x82\x02.'), { extensions: EXTENSIONS })).toThrow(/unregistered extension code 2\b/);
  });

  it('a byte in the table is never refused as an invalid load key; any other byte is', () => {
    const known = new Set(OPCODES.map((op) => op.code));
    for (let byte = 0; byte < 256; byte++) {
      // The opcode alone after a protocol 5 header, then with some plausible argument bytes.
      for (const data of [Uint8Array.of(0x80, 5, byte), Uint8Array.of(0x80, 5, byte, 0x31, 0x0a, 0x31, 0x0a, 0x2e)]) {
        const outcome = attempt(() => loads(data));
        if (outcome.ok) {
          expect(known.has(byte), `byte 0x${byte.toString(16)} loaded`).toBe(true);
          continue;
        }
        if (!(outcome.error instanceof UnpicklingError)) throw new Error(`${toHex(data)}: ${describeError(outcome.error)}`);
        // Refused as an invalid load key at the byte under test (a later byte may be one).
        const invalidHere = /invalid load key/.test(outcome.error.message) && outcome.error.offset === 2;
        expect(invalidHere, `${toHex(data)}: ${outcome.error.message}`).toBe(!known.has(byte));
      }
    }
  });

  describeWithPython('the opcode pickles are pickles CPython recognises', () => {
    it('pickletools finds each opcode in its own case, and dis() accepts every case', () => {
      const input = JSON.stringify(Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, toHex(c.data)])));
      const script = `
import io, json, pickletools, sys
cases = json.loads(sys.stdin.read())
out = {}
for name, hex_ in cases.items():
    data = bytes.fromhex(hex_)
    ops = [op.name for op, arg, pos in pickletools.genops(data)]
    try:
        pickletools.dis(data, out=io.StringIO())
        problem = None
    except Exception as error:
        problem = repr(error)
    out[name] = {'ops': ops, 'problem': problem}
print(json.dumps(out))
`;
      const report = JSON.parse(runPython(script, input).toString()) as Record<string, { ops: string[]; problem: string | null }>;
      for (const name of Object.keys(CASES)) {
        expect(report[name]!.ops, name).toContain(name);
        expect(report[name]!.problem, name).toBeNull();
      }
    });
  });
});

// Bytes below protocol 3 arrive as `_codecs.encode(text, 'latin1')`; the unpickler runs that
// idiom in one step (no text made beside the bytes) when it finds it whole, and opcode by opcode
// otherwise. Both must give what Python gives.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loads, Registry, Tuple, Unpickler, UnpicklingError } from '../../src/index.js';
import { matchLatin1BytesIdiom } from '../../src/codec/latin1-bytes-idiom.js';
import { codecsEncode } from '../../src/codec/builtins.js';
import { describeWithPython, runPython } from '../helpers/python.js';

/** Bytes of every value 0..255, `size` of them: half of them two bytes long in the UTF-8 text. */
function sample(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

const latin1 = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const binunicode = (text: string): number[] => [0x58, ...u32(utf8(text).length), ...utf8(text)];
const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

/**
 * A protocol 2 pickle as CPython writes `bytes` (GLOBAL, text, 'latin1', TUPLE2, REDUCE, each
 * put in the memo at 0..4), then `after`, then LIST and STOP around the whole.
 */
function idiomPickle(text: string, after: number[] = []): Uint8Array {
  return new Uint8Array([
    0x80, 2, 0x28, // PROTO 2, MARK
    0x63, ...ascii('_codecs\nencode\n'), 0x71, 0, // GLOBAL, BINPUT 0
    ...binunicode(text), 0x71, 1,
    ...binunicode('latin1'), 0x71, 2,
    0x86, 0x71, 3, // TUPLE2
    0x52, 0x71, 4, // REDUCE
    ...after,
    0x6c, 0x2e, // LIST, STOP
  ]);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bytes below protocol 3: the _codecs.encode idiom', () => {
  const bytes = sample(6000);
  const text = latin1(bytes);

  it('gives the bytes without calling _codecs.encode, and its memo entries on fetch', () => {
    const encode = vi.spyOn(codecsEncode, 'call');
    // Fetch the text (memo 1), the argument tuple (3) and the bytes (4) after the REDUCE.
    const loaded = loads(idiomPickle(text, [0x68, 1, 0x68, 3, 0x68, 4, 0x68, 1])) as unknown[];
    expect(encode).not.toHaveBeenCalled();
    expect(loaded[0]).toEqual(bytes);
    expect(loaded[1]).toBe(text);
    expect(loaded[2]).toBeInstanceOf(Tuple);
    expect([...(loaded[2] as Tuple)]).toEqual([text, 'latin1']);
    expect(loaded[3]).toBe(loaded[0]);
    expect(loaded[4]).toBe(text);
  });

  it("a registry's own _codecs.encode is called, with the text", () => {
    const registry = new Registry().register({
      module: '_codecs',
      name: 'encode',
      kind: 'function',
      call: (args) => `encoded ${(args[0] as string).length} characters as ${String(args[1])}`,
    });
    expect(loads(idiomPickle(text), { registry })).toEqual([`encoded 6000 characters as latin1`]);
  });

  it('keepMemo reads it opcode by opcode, to the same values', () => {
    const encode = vi.spyOn(codecsEncode, 'call');
    const loaded = new Unpickler(idiomPickle(text, [0x68, 1]), { keepMemo: true }).load() as unknown[];
    expect(encode).toHaveBeenCalledTimes(1);
    expect(loaded[0]).toEqual(bytes);
    expect(loaded[1]).toBe(text);
  });

  it('text beyond Latin-1 fails at REDUCE as _codecs.encode does', () => {
    const wide = `${text.slice(0, 5000)}\u0101`;
    const error = (() => {
      try {
        loads(idiomPickle(wide));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UnpicklingError);
    expect((error as UnpicklingError).opcode).toBe('REDUCE');
    expect((error as Error).message).toMatch(/'latin1' codec can't encode character at position 5000/);
  });

  it('a memo limit it would pass fails where the opcodes fail', () => {
    expect(() => loads(idiomPickle(text), { maxMemo: 3 })).toThrow(/memo exceeds maxMemo \(3\)/);
    try {
      loads(idiomPickle(text), { maxMemo: 3 });
    } catch (error) {
      expect((error as UnpicklingError).opcode).toBe('BINPUT');
    }
  });

  it("fetching the text just put, where 'latin1' was before, is encode(text, text), as opcode by opcode", () => {
    // 'latin1' put at 5, then the text put at 5 too and fetched back as the encoding.
    const pickle = new Uint8Array([
      0x80, 2, ...binunicode('latin1'), 0x71, 5, 0x30, // BINPUT 5, POP
      0x63, ...ascii('_codecs\nencode\n'),
      ...binunicode(text), 0x71, 5, 0x68, 5, 0x86, 0x52, 0x2e, // BINPUT 5, BINGET 5, TUPLE2, REDUCE
    ]);
    expect(() => loads(pickle)).toThrow(/unsupported encoding/);
    expect(matchLatin1BytesIdiom(pickle, pickle.length - 7, (index) => (index === 5 ? 'latin1' : undefined))).toBeUndefined();
  });

  it('every strict prefix is an UnpicklingError', () => {
    const pickle = idiomPickle(latin1(sample(4200)));
    for (let length = 0; length < pickle.length; length++) {
      expect(() => loads(pickle.subarray(0, length)), `prefix of ${length} bytes`).toThrow(UnpicklingError);
    }
  });

  it('the recognizer takes exactly the idiom, and nothing else', () => {
    const pickle = idiomPickle(text);
    const afterText = 3 + 16 + 2 + 5 + utf8(text).length;
    expect(matchLatin1BytesIdiom(pickle, afterText, () => undefined)).toEqual({
      textPut: 1,
      encodingPut: 2,
      tuplePut: 3,
      end: afterText + 2 + 11 + 2 + 3 + 1,
    });
    // One byte short of REDUCE, another encoding name, TUPLE instead of TUPLE2: no idiom.
    expect(matchLatin1BytesIdiom(pickle.subarray(0, afterText + 2 + 11 + 2 + 3), afterText, () => undefined)).toBeUndefined();
    const renamed = pickle.slice();
    renamed[afterText + 2 + 5 + 5] = 0x32; // 'latin2'
    expect(matchLatin1BytesIdiom(renamed, afterText, () => undefined)).toBeUndefined();
    const tupled = pickle.slice();
    tupled[afterText + 2 + 11 + 2] = 0x74; // TUPLE
    expect(matchLatin1BytesIdiom(tupled, afterText, () => undefined)).toBeUndefined();
  });
});

describeWithPython('bytes below protocol 3 written by CPython', () => {
  // Two large bytes objects (the second fetches 'latin1' from the memo) and a small one, shared.
  const script = `
import pickle, sys
big = bytes((i * 31 + 7) & 0xff for i in range(6000))
other = bytes((i * 17 + 3) & 0xff for i in range(70000))
small = b'\\x00\\xff abc'
sys.stdout.buffer.write(pickle.dumps([big, other, small, big, other], protocol=2))
`;
  const pickle = new Uint8Array(runPython(script));

  it('loads them as Python does, _codecs.encode never called for the large ones', () => {
    const encode = vi.spyOn(codecsEncode, 'call');
    const loaded = loads(pickle) as Uint8Array[];
    expect(encode).toHaveBeenCalledTimes(1); // the small one only
    expect(loaded[0]).toEqual(sample(6000));
    expect(loaded[1]).toEqual(Uint8Array.from({ length: 70000 }, (_, i) => (i * 17 + 3) & 0xff));
    expect(loaded[2]).toEqual(new Uint8Array([0, 0xff, 0x20, 0x61, 0x62, 0x63]));
    expect(loaded[3]).toBe(loaded[0]);
    expect(loaded[4]).toBe(loaded[1]);
  });

  it('the recognizer finds the idiom where pickletools shows it', () => {
    // CPython's own disassembly: each BINUNICODE of 4096+ bytes, and where the REDUCE after it ends.
    const found = JSON.parse(
      runPython(
        `
import pickletools, sys, json
ops = list(pickletools.genops(sys.stdin.buffer.read()))
out = []
for i, (op, arg, pos) in enumerate(ops):
    if op.name == 'BINUNICODE' and len(arg.encode('utf-8', 'surrogatepass')) >= 4096:
        nxt = ops[i + 1]
        reduce = next(p for o, a, p in ops[i:] if o.name == 'REDUCE')
        out.append({'after': nxt[2], 'textPut': nxt[1], 'end': reduce + 1})
print(json.dumps(out))
`,
        pickle,
      ).toString(),
    ) as Array<{ after: number; textPut: number; end: number }>;
    expect(found).toHaveLength(2);
    const memo: unknown[] = [];
    const [first, second] = found.map(({ after }) => matchLatin1BytesIdiom(pickle, after, (index) => memo[index]));
    // The first writes 'latin1' and puts it; the second fetches it from there.
    expect(first?.encodingPut).toBeTypeOf('number');
    expect(second).toBeUndefined();
    memo[first!.encodingPut!] = 'latin1';
    for (const { after, textPut, end } of found) {
      const idiom = matchLatin1BytesIdiom(pickle, after, (index) => memo[index]);
      expect(idiom?.textPut).toBe(textPut);
      expect(idiom?.end).toBe(end);
    }
    expect(matchLatin1BytesIdiom(pickle, found[1]!.after, (index) => memo[index])?.encodingPut).toBeUndefined();
  });
});

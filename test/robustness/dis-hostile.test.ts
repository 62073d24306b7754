// dis/disassemble on hostile input and options: deep MARK nesting, arguments whose repr is
// longer than a JavaScript string can hold, absurd indentation and annotation columns, bad
// options. Each either prints what pickletools prints (checked against python3 where Python
// answers) or fails with a DisassemblyError carrying a code; never a RangeError or a hang.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DisassembleOptions, DisassemblyError, disassemble, dis } from '../../src/inspect/dis/disassemble.js';
import { PickleError } from '../../src/errors.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const b = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const le8 = (n: number) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
};
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** The error `body` throws (fails the test when it returns). */
function failure(body: () => unknown): DisassemblyError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(DisassemblyError);
    expect(error).toBeInstanceOf(PickleError);
    return error as DisassemblyError;
  }
  throw new Error('expected a DisassemblyError');
}

/** The streamed disassembly, hashed as it comes: its length, sha256 and outcome. */
function streamed(data: Uint8Array, options: DisassembleOptions = {}): { length: number; sha256: string; error: DisassemblyError | null; pieces: number; longest: number } {
  const hash = createHash('sha256');
  let length = 0;
  let pieces = 0;
  let longest = 0;
  let error: DisassemblyError | null = null;
  try {
    disassemble(data, {
      ...options,
      write: (text) => {
        hash.update(text, 'utf8');
        length += text.length;
        pieces++;
        longest = Math.max(longest, text.length);
      },
    });
  } catch (e) {
    if (!(e instanceof DisassemblyError)) throw e;
    error = e;
  }
  return { length, sha256: hash.digest('hex'), error, pieces, longest };
}

// pickletools.dis() into a hashing writer, for a batch of jobs: the length and sha256 of each
// text and the exception it raised ('' for none). Jobs travel framed: lengths, options, bytes.
const PY_DIS_HASH = String.raw`
import hashlib, json, pickletools, struct, sys, traceback
raw = sys.stdin.buffer.read()
class Sink:
    def __init__(self):
        self.h = hashlib.sha256(); self.n = 0
    def write(self, text):
        # Lengths in UTF-16 code units, as JavaScript counts them.
        units = text.encode('utf-16-le', 'surrogatepass')
        self.h.update(text.encode('utf-8', 'surrogatepass')); self.n += len(units) // 2
out = []
at = 0
while at < len(raw):
    n, indent, annotate = struct.unpack_from('<Qii', raw, at)
    at += 16
    sink = Sink()
    try:
        pickletools.dis(raw[at:at + n], sink, None, indent, annotate)
        error = ''
    except Exception as e:
        error = traceback.format_exception_only(type(e), e)[-1].rstrip('\n')
    at += n
    out.append({'length': sink.n, 'sha256': sink.h.hexdigest(), 'error': error})
json.dump(out, sys.stdout)
`;

interface HashJob {
  readonly data: Uint8Array;
  readonly indent?: number;
  readonly annotate?: number;
}

interface HashResult {
  readonly length: number;
  readonly sha256: string;
  readonly error: string;
}

function pythonHashes(jobs: readonly HashJob[]): HashResult[] {
  const framed = jobs.flatMap((job) => {
    const head = Buffer.alloc(16);
    head.writeBigUInt64LE(BigInt(job.data.length), 0);
    head.writeInt32LE(job.indent ?? 4, 8);
    head.writeInt32LE(job.annotate ?? 0, 12);
    return [head, job.data];
  });
  return JSON.parse(runPython(PY_DIS_HASH, Buffer.concat(framed)).toString('utf8'));
}

const pythonHash = (data: Uint8Array, indent = 4): HashResult => pythonHashes([{ data, indent }])[0]!;

/** Ours in the same terms: streamed and hashed. */
function oursHash(job: HashJob): HashResult & { longest: number } {
  const result = streamed(job.data, { indentLevel: job.indent, annotate: job.annotate });
  return { length: result.length, sha256: result.sha256, error: result.error ? `${result.error.pythonType}: ${result.error.reason}` : '', longest: result.longest };
}

const MARKS_20000 = concat(new Uint8Array(20000).fill(0x28), b('.'));

describe('dis on deep MARK nesting (no Python needed)', () => {
  it('20 000 MARKs: collected text stops at maxOutputLength with a DisassemblyError, not a RangeError', { timeout: 20_000 }, () => {
    const started = Date.now();
    const error = failure(() => dis(MARKS_20000));
    expect(error.code).toBe('FORMAT_LIMIT');
    expect(error.pythonType).toBeNull();
    expect(error.message).toMatch(/maxOutputLength/);
    expect(error.output.length).toBeLessThanOrEqual(2 ** 28);
    expect(error.output.startsWith('    0: (    MARK\n    1: (        MARK\n')).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a small maxOutputLength is honoured exactly, with the text up to it', () => {
    const error = failure(() => disassemble(MARKS_20000, { maxOutputLength: 100 }));
    expect(error.code).toBe('FORMAT_LIMIT');
    expect(error.output.length).toBeLessThanOrEqual(100);
    const lines = Array.from({ length: 10 }, (_, i) => `${String(i).padStart(5)}: (    ${' '.repeat(4 * i)}MARK\n`).join('');
    expect(error.output.length).toBeGreaterThan(60);
    expect(error.output).toBe(lines.slice(0, error.output.length));
  });

  it('linear in the input with -l 0: 200 000 MARKs stream in well under a second per 100 000', { timeout: 20_000 }, () => {
    const data = concat(new Uint8Array(200_000).fill(0x28), b('.'));
    const started = Date.now();
    const result = streamed(data, { indentLevel: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.error?.code).toBe('DISASSEMBLY');
    expect(result.error?.reason).toMatch(/^stack not empty after STOP: \[mark, mark, /);
    // The message lists at most 100 000 items, then how many there were.
    expect(result.error!.reason.length).toBeLessThan(1_000_000);
    expect(result.error!.reason).toMatch(/, mark, \.\.\. \(199999 items\)\]$/); // STOP took one
  });
});

describe('dis of long number texts', () => {
  it('a FLOAT line of 1 MB of digits and a stray letter fails at once (linear, no regex backtracking)', () => {
    const data = concat(b('F'), new Uint8Array(1_000_000).fill(0x31), b('x\n.'));
    const started = Date.now();
    const error = failure(() => dis(data));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.reason).toMatch(/^could not convert string to float: b'1111/);
  });
});

describe('dis options out of range', () => {
  const simple = b('\x80\x02K\x01.');
  const nested = b('(K\x01t.');

  it('a huge indentLevel changes nothing where nothing is indented', () => {
    expect(dis(simple, { indentLevel: 1_000_000_000 })).toBe(dis(simple));
  });

  it('a huge indentLevel or annotate column where it shows: FORMAT_LIMIT, no giant string', () => {
    for (const options of [{ indentLevel: 1_000_000_000 }, { indentLevel: Number.MAX_SAFE_INTEGER }, { annotate: 1_000_000_000 }]) {
      const error = failure(() => dis(nested, options));
      expect(error.code, JSON.stringify(options)).toBe('FORMAT_LIMIT');
    }
    // Streamed, the indentation arrives in pieces, none of them huge.
    const result = streamed(nested, { indentLevel: 10_000_000 });
    expect(result.error).toBeNull();
    // Two lines sit inside the MARK: BININT1, and TUPLE (indented before it pops the MARK).
    expect(result.length).toBe(dis(nested, { indentLevel: 0 }).length + 20_000_000);
    expect(result.longest).toBeLessThanOrEqual(1 << 20);
  });

  it('bad option values: INVALID_ARGUMENT DisassemblyErrors', () => {
    const bad: Array<[unknown, DisassembleOptions]> = [
      [null, {}],
      ['K\x01.', {}],
      [[0x4b, 1, 0x2e], {}],
      [simple, { indentLevel: Infinity }],
      [simple, { indentLevel: NaN }],
      [simple, { indentLevel: 2.5 }],
      [simple, { indentLevel: '4' as unknown as number }],
      [simple, { annotate: Infinity }],
      [simple, { annotate: 0.5 }],
      [simple, { start: -1 }],
      [simple, { start: 1.5 }],
      [simple, { start: simple.length + 1 }],
      [simple, { memo: {} as unknown as Map<string, string> }],
      [simple, { write: 'stdout' as unknown as (text: string) => void }],
      [simple, { maxOutputLength: -1 }],
      [simple, { maxOutputLength: NaN }],
    ];
    for (const [data, options] of bad) {
      const error = failure(() => disassemble(data as Uint8Array, options));
      expect(error.code, String(data) + JSON.stringify(options)).toBe('INVALID_ARGUMENT');
      expect(error.pythonType).toBeNull();
    }
  });

  it('takes an ArrayBuffer as well as a Uint8Array; start at the end is pickletools\' "exhausted"', () => {
    expect(dis(simple.slice().buffer)).toBe(dis(simple));
    const error = failure(() => disassemble(simple, { start: simple.length }));
    expect(error.code).toBe('DISASSEMBLY');
    expect(error.reason).toBe('pickle exhausted before seeing STOP');
  });

  it('an error thrown by the write callback reaches the caller as it is', () => {
    const mine = new Error('disk full');
    expect(() =>
      disassemble(simple, {
        write: () => {
          throw mine;
        },
      }),
    ).toThrow(mine);
  });
});

describe('dis of arguments longer than a JavaScript string can hold', () => {
  it('a 140 MB BINBYTES8 (a 560 M character repr) streams in pieces; collected, it is FORMAT_LIMIT', { timeout: 60_000 }, () => {
    const n = 140_000_000;
    const data = new Uint8Array(1 + 8 + n + 1);
    data[0] = 0x8e; // BINBYTES8
    data.set(le8(n), 1);
    data[data.length - 1] = 0x2e;
    // What pickletools prints, written out independently of the disassembler.
    const expected = createHash('sha256');
    let expectedLength = 0;
    const expect_ = (text: string) => {
      expected.update(text);
      expectedLength += text.length;
    };
    expect_("    0: \\x8e BINBYTES8  b'");
    const zeros = '\\x00'.repeat(1 << 18);
    let left = n;
    while (left > 0) {
      const take = Math.min(left, 1 << 18);
      expect_(take === 1 << 18 ? zeros : '\\x00'.repeat(take));
      left -= take;
    }
    expect_(`'\n${String(n + 9).padStart(5)}: .    STOP\nhighest protocol among opcodes = 4\n`);
    const result = streamed(data);
    expect(result.error).toBeNull();
    expect(result.length).toBe(expectedLength);
    expect(result.sha256).toBe(expected.digest('hex'));
    expect(result.longest).toBeLessThanOrEqual(1 << 20);
    expect(failure(() => dis(data)).code).toBe('FORMAT_LIMIT');
  });

  it('an error message quoting a huge line is cut short, not a RangeError', { timeout: 30_000 }, () => {
    const line = new Uint8Array(140_000_000).fill(0x01);
    const data = concat(b('F'), line, b('\n.'));
    const error = failure(() => dis(data));
    expect(error.code).toBe('DISASSEMBLY');
    expect(error.reason.startsWith("could not convert string to float: b'\\x01\\x01")).toBe(true);
    expect(error.reason).toMatch(/\.\.\. \(140000000 bytes\)$/);
    expect(error.reason.length).toBeLessThan(5_000_000);
  });
});

describeWithPython('dis on hostile input matches python -m pickletools', () => {
  it('20 000 MARKs streamed: the same 800 MB of text and the same exception', { timeout: 60_000 }, () => {
    const ours = oursHash({ data: MARKS_20000 });
    const python = pythonHash(MARKS_20000);
    expect({ length: ours.length, sha256: ours.sha256, error: ours.error }).toEqual(python);
    expect(ours.longest).toBeLessThanOrEqual(1 << 20);
  });

  it('3 000 MARKs collected, with -l 0, 1, 7 and -3: the same text', () => {
    const data = concat(new Uint8Array(3000).fill(0x28), b('N.'));
    const indents = [0, 1, 7, -3];
    const python = pythonHashes(indents.map((indent) => ({ data, indent })));
    indents.forEach((indent, i) => {
      const ours = failure(() => dis(data, { indentLevel: indent }));
      const sha256 = createHash('sha256').update(ours.output).digest('hex');
      expect({ indent, length: ours.output.length, sha256, error: `${ours.pythonType}: ${ours.reason}` }).toEqual({ indent, ...python[i] });
    });
  });

  it('long str, bytes and bytearray arguments (quotes, escapes, astral and lone surrogates) print as Python prints them', { timeout: 30_000 }, () => {
    // Written by CPython, framed as (8-byte length, pickle); sizes straddle the chunking.
    const script = String.raw`
import pickle, random, sys
random.seed(7)
alphabet = ["'", '"', '\\', '\n', '\t', '\x00', '\x1b', '\x7f', '\x9b', '\xe9', '\u202e', '\u4e2d', '\ud800', '\udc00', '\U0001f600', '\U000e0001', 'a', ' ']
def text(n):
    return ''.join(random.choice(alphabet) for _ in range(n))
def raw(n):
    return bytes(random.getrandbits(8) for _ in range(n))
values = []
for n in (65535, 65536, 65537, 200003):
    values += [text(n), raw(n), bytearray(raw(n))]
values += ['only single quotes \' here ' * 5000, b'only single quotes \' here ' * 5000]
values += ["both ' and \" " * 6000, b"both ' and \" " * 6000, b'\x00' * 70000]
for protocol in (0, 2, 4, 5):
    for v in values:
        p = pickle.dumps(v, protocol)
        sys.stdout.buffer.write(len(p).to_bytes(8, 'little') + p)
`;
    const pickles = splitPickles(runPython(script));
    expect(pickles.length).toBe(4 * 17);
    const jobs = pickles.flatMap((data) => [{ data }, { data, annotate: 30 }]);
    const python = pythonHashes(jobs);
    jobs.forEach((job, i) => {
      const collected = dis(job.data, { annotate: job.annotate });
      const ours = oursHash(job);
      expect({ i, length: collected.length, sha256: createHash('sha256').update(collected, 'utf8').digest('hex'), error: '' }).toEqual({ i, ...python[i] });
      expect({ i, length: ours.length, sha256: ours.sha256, error: ours.error }).toEqual({ i, ...python[i] });
    });
  });

  it('malformed long UTF-8 and raw-unicode-escape arguments fail where Python fails, with its message', () => {
    const cases: Uint8Array[] = [];
    const big = new Uint8Array(100_000).fill(0x61);
    const le4 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
    for (const bad of [b('\xff'), b('\xed\xa0'), b('\xf0\x90\x80'), b('\xc3('), b('\xed\xa0\x80')]) {
      for (const at of [0, 65534, 65535, 65536, 99_997]) {
        const payload = big.slice();
        payload.set(bad, at);
        cases.push(concat(b('X'), le4(payload.length), payload, b('.')));
      }
    }
    for (const bad of ['\\u12', '\\U00110000', '\\U0000004', '\\ud800\\udc00', '\\']) {
      cases.push(concat(b('V'), big, b(bad), b('\n.')));
      cases.push(concat(b('V'), b(bad), big, b('\n.')));
    }
    cases.push(concat(b('V'), b('\\u0027'.repeat(20_000)), b('\\u0022'), b('\n.'))); // quotes only after decoding
    cases.push(concat(b('V'), b('\\u0027'.repeat(20_000)), b('\n.')));
    cases.push(concat(b("S'"), big, b("\\'\\x41'\n."))); // a long escaped STRING
    cases.push(concat(b('S'), big, b('\n.'))); // no quotes: the message quotes the line
    cases.push(concat(b('F'), big, b('\n.')));
    const digits = new Uint8Array(100_000).fill(0x31);
    cases.push(concat(b('F'), digits, b('x\n.'))); // the float pattern once backtracked on these
    cases.push(concat(b('F'), digits, b('\n.'))); // valid: inf
    cases.push(concat(b('F  -'), digits, b('.'), digits, b('e-99999_9  \n.')));
    for (const text of ['1__0', '_1', '1_', '1_.5', '1._5', '1e_5', '1_0.5_5e1_0', '+.5', '-5.', '.', 'e5', '1e+', '+-1', ' infinity ', '-NaN', 'infinit', '\x0b1.5\x0c', '']) {
      cases.push(b(`F${text}\n.`));
    }
    const python = pythonHashes(cases.map((data) => ({ data })));
    cases.forEach((data, i) => {
      const ours = oursHash({ data });
      expect({ i, length: ours.length, sha256: ours.sha256, error: ours.error }).toEqual({ i, ...python[i] });
    });
  });
});

/** Pickles framed as (8-byte little-endian length, bytes). */
function splitPickles(framed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(framed.buffer, framed.byteOffset, framed.byteLength);
  for (let at = 0; at < framed.length; ) {
    const n = Number(view.getBigUint64(at, true));
    out.push(framed.slice(at + 8, at + 8 + n));
    at += 8 + n;
  }
  return out;
}

// Property: dis/disassemble of random mutations of valid pickles (the CPython-written fixtures
// and corpus, and pickles python3 writes now; byte flips, overwrites, insertions, deletions,
// duplicated runs, splices, hostile length fields), under random options, either returns text
// or throws a DisassemblyError: never another error, never a hang, never a character that
// Python's repr would escape (so the text cannot carry terminal escapes). A sample is compared
// with pickletools itself. fast-check runs with fixed seeds; a failure prints the input in hex.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DisassembleOptions, DisassemblyError, disassemble, dis } from '../../src/inspect/dis/disassemble.js';
import { isPrintable } from '../../src/codec/python-printable.js';
import { CORPUS_FILES, readCorpus } from '../helpers/cli.js';
import { describeWithPython, hasPython, runPython } from '../helpers/python.js';

/** A disassembly of a few KiB that takes this long is stuck, not slow. */
const HANG_MS = 2000;

const SEEDS: readonly Uint8Array[] = CORPUS_FILES.map(readCorpus).filter((data) => data.length <= 4096);

/** Pickles CPython writes now, with texts and names that hold control and format characters. */
function pythonSeeds(): Uint8Array[] {
  if (!hasPython()) return [];
  const script = String.raw`
import collections, pickle, sys
class Evil: pass
Evil.__qualname__ = 'E\x1b]0;title\x07vil'
Evil.__module__ = 'm\x1bod\x7f'
module = type(sys)(Evil.__module__)
setattr(module, Evil.__qualname__, Evil)
sys.modules[Evil.__module__] = module
values = ['\x1b[31mred\x07', b'\x1b\x9b', {'k\u202e': ['\x00', 1.5, 2**70]}, collections.OrderedDict(a=1), (1, 'x', None, True)]
out = []
for protocol in range(6):
    for v in values:
        out.append(pickle.dumps(v, protocol))
    e = Evil(); e.__dict__['\x1bk'] = '\x07'
    out.append(pickle.dumps(e, protocol))
for p in out:
    sys.stdout.buffer.write(len(p).to_bytes(4, 'little') + p)
`;
  const framed = runPython(script);
  const out: Uint8Array[] = [];
  for (let at = 0; at < framed.length; ) {
    const n = framed.readUInt32LE(at);
    out.push(new Uint8Array(framed.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return out;
}

const ALL_SEEDS = [...SEEDS, ...pythonSeeds()];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; at: number; count: number; times: number }
  | { kind: 'splice'; at: number; other: number; from: number }
  | { kind: 'length'; at: number; value: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }), times: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), other: fc.nat(), from: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(data: Uint8Array, m: Mutation): Uint8Array {
  const n = data.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  const parts = (...chunks: ArrayLike<number>[]) => Uint8Array.from(chunks.flatMap((chunk) => Array.from(chunk)));
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return data;
      const copy = data.slice();
      copy[at % n] = m.value;
      return copy;
    }
    case 'insert':
      return parts(data.subarray(0, at), m.bytes, data.subarray(at));
    case 'delete':
      return parts(data.subarray(0, at), data.subarray(at + m.count));
    case 'duplicate': {
      const run = data.subarray(at, at + m.count);
      return parts(data.subarray(0, at), ...Array.from({ length: m.times }, () => run), data.subarray(at));
    }
    case 'splice': {
      const other = ALL_SEEDS[m.other % ALL_SEEDS.length]!;
      return parts(data.subarray(0, at), other.subarray(other.length === 0 ? 0 : m.from % other.length));
    }
    case 'length': {
      if (n < 5) return data;
      const copy = data.slice();
      new DataView(copy.buffer).setUint32(Math.min(at, n - 4), m.value, true);
      return copy;
    }
    case 'truncate':
      return data.subarray(0, at);
  }
}

const mutated = fc
  .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([seed, mutations]) => mutations.reduce(apply, ALL_SEEDS[seed % ALL_SEEDS.length]!));

const options: fc.Arbitrary<DisassembleOptions> = fc.record(
  {
    indentLevel: fc.integer({ min: -2, max: 12 }),
    annotate: fc.constantFrom(0, 30, 1, 80),
    maxOutputLength: fc.constantFrom(10, 1000, 100_000),
  },
  { requiredKeys: [] },
);

/** A character Python's repr escapes, other than the newline that ends each line. */
function unescaped(text: string): string | undefined {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp !== 0x0a && !isPrintable(cp)) return `U+${cp.toString(16)}`;
  }
  return undefined;
}

function checkOne(data: Uint8Array, opts: DisassembleOptions, streamed: boolean): void {
  const started = Date.now();
  const pieces: string[] = [];
  let text = '';
  try {
    text = streamed ? (disassemble(data, { ...opts, maxOutputLength: undefined, write: (piece) => pieces.push(piece) }), pieces.join('')) : dis(data, opts);
  } catch (error) {
    if (!(error instanceof DisassemblyError)) {
      throw new Error(`${String(error)} for ${Buffer.from(data).toString('hex')} ${JSON.stringify(opts)}`);
    }
    expect(['DISASSEMBLY', 'FORMAT_LIMIT']).toContain(error.code);
    text = streamed ? pieces.join('') : error.output;
    if (error.code === 'FORMAT_LIMIT') expect(text.length).toBeLessThanOrEqual(opts.maxOutputLength!);
  }
  const elapsed = Date.now() - started;
  if (elapsed > HANG_MS) throw new Error(`took ${elapsed} ms for ${Buffer.from(data).toString('hex')}`);
  const bad = unescaped(text);
  if (bad) throw new Error(`unescaped ${bad} in the text for ${Buffer.from(data).toString('hex')}`);
}

describe('dis of mutated pickles (fast-check)', () => {
  it('has seeds, some written by python3 with control characters in their texts and names', () => {
    expect(SEEDS.length).toBeGreaterThan(300);
    if (hasPython()) expect(ALL_SEEDS.length).toBe(SEEDS.length + 36);
  });

  it('collected: text or a DisassemblyError, fast, with nothing a terminal would act on', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(mutated, options, (data, opts) => checkOne(data, opts, false)),
      { seed: 0x5eed18, numRuns: 4000 },
    );
  });

  it('streamed: the same, the text arriving through write', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(mutated, options, (data, opts) => checkOne(data, opts, true)),
      { seed: 0xd15, numRuns: 2000 },
    );
  });

  it('random bytes after a PROTO opcode', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 64 }), (protocol, body) => checkOne(Uint8Array.of(0x80, protocol, ...body), {}, false)),
      { seed: 42, numRuns: 3000 },
    );
  });
});

// pickletools on a batch: text and "Type: message" (null when it did not raise).
const PY_DIS = String.raw`
import base64, io, json, pickletools, sys, traceback
out = []
for data in json.load(sys.stdin):
    buf = io.StringIO()
    try:
        pickletools.dis(base64.b64decode(data), buf)
        error = None
    except Exception as e:
        error = traceback.format_exception_only(type(e), e)[-1].rstrip('\n')
    out.append({'out': buf.getvalue(), 'error': error})
json.dump(out, sys.stdout)
`;

describeWithPython('dis of mutated pickles matches pickletools', () => {
  it('on 1 500 fast-check samples: the same text, the same exception', { timeout: 120_000 }, () => {
    const samples = fc.sample(mutated, { seed: 0xfeed, numRuns: 1500 });
    const expected: Array<{ out: string; error: string | null }> = JSON.parse(
      runPython(PY_DIS, JSON.stringify(samples.map((data) => Buffer.from(data).toString('base64')))).toString('utf8'),
    );
    let errors = 0;
    samples.forEach((data, i) => {
      let ours: { out: string; error: string | null };
      try {
        ours = { out: dis(data), error: null };
      } catch (error) {
        if (!(error instanceof DisassemblyError)) throw error;
        ours = { out: error.output, error: `${error.pythonType}: ${error.reason}` };
      }
      if (expected[i]!.error) errors++;
      expect({ i, hex: Buffer.from(data).toString('hex').slice(0, 120), ...ours }).toEqual({ i, hex: Buffer.from(data).toString('hex').slice(0, 120), ...expected[i] });
    });
    expect(errors).toBeGreaterThan(samples.length / 2);
  });
});

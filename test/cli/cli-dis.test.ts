// `pickle-mapper dis` and the library's disassembler against CPython's own pickletools: every
// fixture and corpus pickle, thousands of truncated and corrupted variants of them (where
// pickletools raises, the same output up to the fault and the same exception), the options
// (-a, -l, -m, -p, -o), several files, several pickles in one file, gzip, stdin and bad input.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DisassemblyError, disassemble, dis } from '../../src/inspect/dis/disassemble.js';
import { dumps, tuple } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { CORPUS_FILES, readCorpus, runPythonModule, useBuiltCli } from '../helpers/cli.js';
import { seededRandom as prng } from '../helpers/random.js';

const FILES = CORPUS_FILES;
const read = readCorpus;

const cliEnv = useBuiltCli('cli-dis');
const runCli = cliEnv.run;

/** The last line of a Python traceback: "ValueError: ...". */
const lastLine = (stderr: string) => stderr.trimEnd().split('\n').pop()!;

/** Our disassembly as pickletools' outcome: the printed text and "Type: message" or null. */
function ours(data: Uint8Array, options: Parameters<typeof disassemble>[1] = {}): { out: string; error: string | null } {
  try {
    return { out: dis(data, options), error: null };
  } catch (error) {
    if (!(error instanceof DisassemblyError)) throw error;
    return { out: error.output, error: `${error.pythonType}: ${error.reason}` };
  }
}

// One Python process disassembles a batch: inputs and outputs travel as JSON (bytes in base64).
const PY_DIS = String.raw`
import base64, io, json, pickletools, sys, traceback
jobs = json.load(sys.stdin)
out = []
for job in jobs:
    buf = io.StringIO()
    try:
        pickletools.dis(base64.b64decode(job['data']), buf, None, job.get('indent', 4), job.get('annotate', 0))
        error = None
    except Exception as e:
        error = traceback.format_exception_only(type(e), e)[-1].rstrip('\n')
    out.append({'out': buf.getvalue(), 'error': error})
json.dump(out, sys.stdout)
`;

interface Job {
  readonly data: Uint8Array;
  readonly indent?: number;
  readonly annotate?: number;
}

function pythonDis(jobs: readonly Job[]): Array<{ out: string; error: string | null }> {
  const input = JSON.stringify(jobs.map((job) => ({ ...job, data: Buffer.from(job.data).toString('base64') })));
  return JSON.parse(runPython(PY_DIS, input).toString('utf8'));
}

/** Truncations, byte flips and splices of a pickle: malformed input of every kind. */
function variants(data: Uint8Array, random: () => number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const step = Math.max(1, Math.floor(data.length / 8));
  for (let cut = 0; cut < data.length; cut += step) out.push(data.slice(0, cut));
  for (let i = 0; i < count; i++) {
    const copy = data.slice();
    const flips = 1 + Math.floor(random() * 3);
    for (let k = 0; k < flips; k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    out.push(copy);
  }
  for (let i = 0; i < 4; i++) {
    const a = Math.floor(random() * data.length);
    const b = Math.floor(random() * data.length);
    out.push(new Uint8Array([...data.subarray(0, a), ...data.subarray(b)]));
  }
  return out;
}

function expectSame(actual: { out: string; error: string | null }, expected: { out: string; error: string | null }, what: string) {
  if (actual.out === expected.out && actual.error === expected.error) return;
  const a = actual.out.split('\n');
  const e = expected.out.split('\n');
  const line = e.findIndex((text, i) => text !== a[i]);
  expect({ what, line, ours: a[line], pickletools: e[line], error: actual.error }).toEqual({
    what,
    line,
    ours: e[line],
    pickletools: e[line],
    error: expected.error,
  });
}

describe('dis (no Python needed)', () => {
  it('prints what pickletools prints for a protocol 0 pickle', () => {
    // pickle.dumps([1, (2, 'x'), {b'k': 2.5}], 0) and its pickletools.dis() text.
    const data = new Uint8Array(Buffer.from("(lp0\nI1\na(I2\nVx\np1\ntp2\na(dp3\nc_codecs\nencode\np4\n(Vk\np5\nVlatin1\np6\ntp7\nRp8\nF2.5\nsa.", 'latin1'));
    expect(dis(data)).toBe(
      [
        '    0: (    MARK',
        '    1: l        LIST       (MARK at 0)',
        '    2: p    PUT        0',
        '    5: I    INT        1',
        '    8: a    APPEND',
        '    9: (    MARK',
        '   10: I        INT        2',
        '   13: V        UNICODE    \'x\'',
        '   16: p        PUT        1',
        '   19: t        TUPLE      (MARK at 9)',
        '   20: p    PUT        2',
        '   23: a    APPEND',
        '   24: (    MARK',
        '   25: d        DICT       (MARK at 24)',
        '   26: p    PUT        3',
        "   29: c    GLOBAL     '_codecs encode'",
        '   45: p    PUT        4',
        '   48: (    MARK',
        "   49: V        UNICODE    'k'",
        '   52: p        PUT        5',
        "   55: V        UNICODE    'latin1'",
        '   63: p        PUT        6',
        '   66: t        TUPLE      (MARK at 48)',
        '   67: p    PUT        7',
        '   70: R    REDUCE',
        '   71: p    PUT        8',
        '   74: F    FLOAT      2.5',
        '   79: s    SETITEM',
        '   80: a    APPEND',
        '   81: .    STOP',
        'highest protocol among opcodes = 0',
        '',
      ].join('\n'),
    );
  });

  it('shows protocol 4 framing, MEMOIZE numbering and reprs', () => {
    const text = dis(dumps([tuple(1, 'it\'s'), new Uint8Array([0, 39, 255]), -0.0, 2n ** 70n], { protocol: 4 }));
    expect(text).toContain('\\x95 FRAME      ');
    expect(text).toContain('\\x94 MEMOIZE    (as 0)');
    expect(text).toContain('SHORT_BINUNICODE "it\'s"');
    expect(text).toContain("SHORT_BINBYTES b\"\\x00'\\xff\"");
    expect(text).toContain('BINFLOAT   -0.0');
    expect(text).toContain('LONG1      1180591620717411303424');
    expect(text).toMatch(/highest protocol among opcodes = 4\n$/);
  });

  it('raises where pickletools raises, with what was printed before', () => {
    const error = (() => {
      try {
        disassemble(new Uint8Array([0x80, 0x02, 0x4b, 0x01, 0x68, 0x07, 0x2e]));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DisassemblyError);
    const e = error as DisassemblyError;
    expect(e.pythonType).toBe('ValueError');
    expect(e.reason).toBe('memo key 7 has never been stored into');
    expect(e.offset).toBe(4);
    expect(e.output).toBe('    0: \\x80 PROTO      2\n    2: K    BININT1    1\n    4: h    BINGET     7\n');
  });

  it('streams its text to a writer, failures included', () => {
    const data = dumps(Array.from({ length: 5000 }, (_, i) => `item ${i}`), { protocol: 2 });
    const pieces: string[] = [];
    const result = disassemble(data, { write: (text) => pieces.push(text) });
    expect(result.text).toBe('');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(dis(data));
    const cut = data.subarray(0, 3000);
    const streamed: string[] = [];
    let failure: unknown;
    try {
      disassemble(cut, { write: (text) => streamed.push(text) });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(DisassemblyError);
    expect((failure as DisassemblyError).output).toBe('');
    expect(streamed.join('')).toBe(ours(cut).out);
  });

  it('reports the end of one pickle, so the next can follow', () => {
    const one = dumps(1, { protocol: 2 });
    const both = new Uint8Array([...one, ...dumps('x', { protocol: 0 })]);
    const first = disassemble(both);
    expect(first.end).toBe(one.length);
    expect(first.highestProtocol).toBe(2);
    const second = disassemble(both, { start: first.end });
    expect(second.text).toMatch(new RegExp(`^\\s+${one.length}: V    UNICODE    'x'`));
  });
});

describeWithPython('dis matches python -m pickletools', () => {
  it('on every fixture and corpus pickle (all protocols)', () => {
    const datas = FILES.map(read);
    const expected = pythonDis(datas.map((data) => ({ data })));
    expect(FILES.length).toBeGreaterThan(500);
    FILES.forEach((file, i) => expectSame(ours(datas[i]!), expected[i]!, file));
  });

  it('on truncated, corrupted and spliced pickles: same text up to the fault, same exception', () => {
    const random = prng(0x5eed);
    const jobs: Job[] = [];
    FILES.forEach((file, i) => {
      if (i % 2 !== 0) return;
      const data = read(file);
      if (data.length > 4000) return;
      for (const variant of variants(data, random, 12)) jobs.push({ data: variant });
    });
    const expected = pythonDis(jobs);
    let errors = 0;
    jobs.forEach((job, i) => {
      const actual = ours(job.data);
      if (expected[i]!.error) errors++;
      expectSame(actual, expected[i]!, `variant ${i} (${Buffer.from(job.data).toString('hex').slice(0, 80)})`);
    });
    expect(jobs.length).toBeGreaterThan(3000);
    expect(errors).toBeGreaterThan(jobs.length / 2);
  });

  it('on hand-made edge cases: reader errors, memo and stack checks, int limits, escapes', () => {
    const b = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
    const le4 = (n: number) => String.fromCharCode(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255);
    const cases = [
      b('\x80\x02\x8b' + le4(2001) + '\x01'.repeat(2001) + '.'), // int repr beyond 4300 digits
      b('\x80\x02\x8b' + le4(3000) + '\x01' + '\xff'.repeat(2999) + '.'), // sign bytes only: small
      b('I' + '9'.repeat(4300) + '\n.'),
      b('I' + '9'.repeat(4301) + '\n.'),
      b('I 1_000 \nI-0\nI+5\nI1__0\n.'),
      b('I5\np01\ng1\n0g01\n.'), // a bool memo key
      b('K\x01q\x01\x94.'), // MEMOIZE onto a key PUT defined: "memo key None"
      b('(\x85t.'), // the mark popped as an item: IndexError
      b('(q\x01.'),
      b('q\x01.'),
      b('K\x01t.'),
      b('(0(1N.'),
      b("S'\n."),
      b("S'a\\x41\\101\\n\\q'\nS\"it's\"\nS'\\x4'\n."),
      b("S'\\xe9'\n."),
      b("S'abc\n."),
      b('Sabc\n.'),
      b('V\\ud800\\udc00\\U0001f600\xe9\np0\nV\\u12\n.'),
      b('V\\U00110000\n.'),
      b('X\x06\x00\x00\x00\xed\xa0\x80\xed\xb0\x80.'), // encoded surrogates, kept apart
      b('X\x02\x00\x00\x00\xed\xa0.'),
      b('X\x03\x00\x00\x00\xf0\x90\x80.'),
      b('X\x02\x00\x00\x00\xc3(.'),
      b('F1_0.5\nF -inf \nFnan\nF1e400\nF.5e-3\nF1e\n.'),
      b('G\x7f\xf8\x00\x00\x00\x00\x00\x01.'),
      b('\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff.'),
      b('\x80\x05\x96\x03\x00\x00\x00\x00\x00\x00\x00a\'".'),
      b('cos\nsy\\x73tem\n.'),
      b('Pabc\n.'),
      b('\x80\x02\x82\x05\x83\x05\x01\x84\x05\x00\x00\x00\x87.'),
      b('L123L\nL-5\n\x86.'),
      b('T\xff\xff\xff\xff.'),
      b('\x8a\x05\x01.'),
      b('K\x01K\x02.'),
      b('\xff'),
      b(''),
    ];
    const expected = pythonDis(cases.map((data) => ({ data })));
    cases.forEach((data, i) => expectSame(ours(data), expected[i]!, `case ${i}`));
  });

  it('with -a (annotations) and -l (indentation), as pickletools prints them', () => {
    const sample = FILES.filter((_, i) => i % 7 === 0);
    const jobs = sample.flatMap((file) => [
      { data: read(file), annotate: 30 },
      { data: read(file), indent: 2 },
      { data: read(file), indent: 0, annotate: 30 },
    ]);
    const expected = pythonDis(jobs);
    jobs.forEach((job, i) =>
      expectSame(ours(job.data, { annotate: job.annotate, indentLevel: job.indent }), expected[i]!, `${sample[Math.floor(i / 3)]} ${JSON.stringify({ ...job, data: undefined })}`),
    );
  });

  describe('the command line', () => {
    it('prints exactly what python -m pickletools prints', () => {
      for (const file of ['test/fixtures/pickles/nested_containers.p0.pkl', 'test/fixtures/pickles/strings.p5.pkl', 'test/robustness/corpus/reduced-p2.pkl']) {
        const expected = runPythonModule(['-m', 'pickletools', file]);
        const actual = runCli(['dis', file]);
        expect(actual.status).toBe(0);
        expect(actual.stderr).toBe('');
        expect(actual.stdout).toBe(expected.stdout);
      }
    });

    it('takes pickletools options: -a, -l N, -m and -p with several files, -o', () => {
      const files = ['test/fixtures/pickles/ints.p1.pkl', 'test/fixtures/pickles/shared_list.p2.pkl', 'test/fixtures/pickles/dict_str_keys.p4.pkl'];
      for (const options of [['-a'], ['-l', '2'], ['-m'], ['-p', '--- {name} ---'], ['-a', '-l', '1', '-m']]) {
        const expected = runPythonModule(['-m', 'pickletools', ...options, ...files]);
        const actual = runCli(['dis', ...options, ...files]);
        expect(actual.stdout, options.join(' ')).toBe(expected.stdout);
        // -m shares the memo between files, so the second file's PUT 0 is "already defined".
        expect(actual.status, options.join(' ')).toBe(expected.status === 0 ? 0 : 1);
        if (expected.status !== 0) expect(actual.stderr).toContain(lastLine(expected.stderr));
      }
      const target = join(cliEnv.work, 'out.txt');
      expect(runCli(['dis', '-o', target, files[0]!]).stdout).toBe('');
      expect(readFileSync(target, 'utf8')).toBe(runPythonModule(['-m', 'pickletools', files[0]!]).stdout);
    });

    it('shows only the first of several pickles in a file, as pickletools does; --all shows each', () => {
      const parts = [dumps([1, 2], { protocol: 0 }), dumps({ a: tuple(1) }, { protocol: 2 }), dumps('x', { protocol: 5 })];
      const file = join(cliEnv.work, 'multi.pkl');
      writeFileSync(file, Buffer.concat(parts));
      const first = runPythonModule(['-m', 'pickletools', file]);
      expect(runCli(['dis', file]).stdout).toBe(first.stdout);
      // --all: what pickletools.dis() prints when called again and again on the open file.
      const loop = runPython(
        `import pickletools, sys\nf = open(sys.argv[1], 'rb')\nwhile f.peek(1):\n    pickletools.dis(f)`,
        undefined,
        [file],
      ).toString('utf8');
      const all = runCli(['dis', '--all', file]);
      expect(all.status).toBe(0);
      expect(all.stdout).toBe(loop);
      expect(all.stdout.match(/highest protocol among opcodes/g)).toHaveLength(3);
    });

    it('reads gzip files and stdin (-)', () => {
      const file = 'test/fixtures/pickles/floats.p1.pkl';
      const expected = runPythonModule(['-m', 'pickletools', file]).stdout;
      const gz = join(cliEnv.work, 'floats.pkl.gz');
      writeFileSync(gz, gzipSync(read(file)));
      expect(runCli(['dis', gz]).stdout).toBe(expected);
      expect(runCli(['dis', '-'], read(file)).stdout).toBe(expected);
      expect(runCli(['dis', '-'], gzipSync(read(file))).stdout).toBe(expected);
    });

    it('on a bad pickle prints what pickletools printed, its exception, and exits 1', () => {
      const data = read('test/fixtures/pickles/nested_containers.p4.pkl');
      for (const bad of [data.subarray(0, 40), new Uint8Array([...data.subarray(0, 2), 0xff, ...data.subarray(3)])]) {
        const file = join(cliEnv.work, 'bad.pkl');
        writeFileSync(file, bad);
        const expected = runPythonModule(['-m', 'pickletools', file]);
        expect(expected.status).not.toBe(0);
        const actual = runCli(['dis', file]);
        expect(actual.status).toBe(1);
        expect(actual.stdout).toBe(expected.stdout);
        expect(actual.stderr).toContain(`pickle-mapper: ${file}: ${lastLine(expected.stderr)}`);
        expect(actual.stderr).toMatch(/\(at byte \d+\)\n$/);
      }
    });
  });
});

describe('dis usage errors', () => {
  it('exits 2 without a file, on an unknown option or a bad number; 1 on a missing file', () => {
    expect(runCli(['dis']).status).toBe(2);
    const unknown = runCli(['dis', '--nope', 'x.pkl']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option --nope\nTry 'pickle-mapper dis --help'");
    expect(runCli(['dis', '-l', 'x', 'a.pkl']).status).toBe(2);
    const missing = runCli(['dis', 'no/such/file.pkl']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('pickle-mapper: no/such/file.pkl: cannot read: No such file or directory\n');
  });

  it('has help', () => {
    for (const args of [['--help'], ['-h'], ['help'], ['dis', '--help'], ['help', 'dis']]) {
      const result = runCli(args);
      expect(result.status, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: pickle-mapper /);
    }
    expect(runCli(['dis', '--help']).stdout).toContain('--indentlevel');
    expect(runCli([]).status).toBe(2);
    expect(runCli(['--version']).stdout).toMatch(/^pickle-mapper \d+\.\d+\.\d+/);
  });
});

// numpy -> TypeScript -> numpy, and TypeScript -> numpy, checked by real numpy: numpy 2.x (python3)
// and numpy 1.x (PYTHON_NUMPY1, default /usr/bin/python3 with Debian's python3-numpy). Under
// CI=true a missing numpy is a failure, never a skip.
//
// Sources: the committed fixtures of both numpy versions and pickles the checking numpy writes
// now (generate.py --out). Each is loaded here and written at protocols 0–5 and 5 with
// out-of-band buffers; test/standard/numpy/check.py loads the result and compares it with what
// numpy itself makes of the source (loads then dumps at the same protocol): equal dtype, shape,
// strides, contiguity and writeable flags, bytes, object elements, dtypes, scalars and sharing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumps, loads, PyComplex, Registry, tuple } from '../../src/index.js';
import { registerNumpy } from '../../src/standard/numpy/index.js';
import { NdArray, NdDtype, type NumpyModule, NumpyScalar } from '../../src/values/ndarray.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'numpy');
const CHECK = join(FIXTURES, 'check.py');
const GENERATE = join(FIXTURES, 'generate.py');

const PYTHONS = {
  '2': process.env.PYTHON ?? 'python3',
  '1': process.env.PYTHON_NUMPY1 ?? '/usr/bin/python3',
} as const;

type Major = keyof typeof PYTHONS;
type Variant = 'p0' | 'p2' | 'p4' | 'p5' | 'p5-oob';
const VARIANTS: readonly Variant[] = ['p0', 'p2', 'p4', 'p5', 'p5-oob'];
const TARGETS = [0, 1, 2, 3, 4, 5, '5-oob'] as const;
type Target = (typeof TARGETS)[number];

function numpyMajor(python: string): string | undefined {
  const probe = spawnSync(python, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim().split('.')[0] : undefined;
}

/** `describe` for tests that need numpy `major`.x: fails under CI=true when it is missing. */
function describeWithNumpy(major: Major, name: string, body: () => void): void {
  const python = PYTHONS[major];
  if (numpyMajor(python) === major) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs numpy ${major}.x`, () => {
        throw new Error(`numpy ${major}.x is required under CI=true: ${python} has ${numpyMajor(python) ?? 'no'} numpy (see .ci/run)`);
      });
    });
  } else {
    describe.skip(`${name} (numpy ${major}.x not found at ${python})`, body);
  }
}

function run(python: string, args: string[]): string {
  const result = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (result.status !== 0) throw new Error(`${python} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

interface Job {
  id: string;
  out: string;
  out_buffers: string[] | null;
  protocol: number;
  fixture?: string;
  fixture_buffers?: string[] | null;
  expr?: string;
  skip?: string[];
}

interface Result {
  problems: string[];
  warnings: string[];
  same_bytes: boolean;
}

/** Writes a TypeScript pickle of `value` (and its out-of-band buffers) for a job. */
function writeOutput(dir: string, id: string, value: unknown, target: Target, registry?: Registry): Pick<Job, 'out' | 'out_buffers' | 'protocol'> {
  const buffers: Uint8Array[] = [];
  const oob = target === '5-oob';
  const protocol = oob ? 5 : target;
  const bytes = dumps(value, {
    protocol,
    ...(registry ? { registry } : {}),
    ...(oob ? { bufferCallback: (buffer) => (buffers.push(buffer.raw()), false) } : {}),
  });
  const out = join(dir, `${id}.pkl`);
  writeFileSync(out, bytes);
  const outBuffers = buffers.map((buffer, i) => {
    const path = join(dir, `${id}.buf${i}`);
    writeFileSync(path, buffer);
    return path;
  });
  return { out, out_buffers: oob ? outBuffers : null, protocol };
}

/** A fixture directory's pickle, and its value as loaded here (with its buffers for p5-oob). */
function source(dir: string, variant: Variant): { file: string; value: unknown } {
  const file = join(dir, `cases.${variant}.pkl`);
  if (variant !== 'p5-oob') return { file, value: loads(readFileSync(file)) };
  const manifest = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8')) as { buffers: Array<{ length: number }> };
  const bin = readFileSync(join(dir, 'cases.p5-oob.buffers.bin'));
  let at = 0;
  const buffers = manifest.buffers.map(({ length }) => {
    const own = new Uint8Array(length);
    own.set(bin.subarray(at, at + length));
    at += length;
    return own;
  });
  return { file, value: loads(readFileSync(file), { buffers }) };
}

/** Splits cases.p5-oob.buffers.bin into one file per buffer, for check.py. */
function splitBuffers(fixtureDir: string, into: string, tag: string): string[] {
  const manifest = JSON.parse(readFileSync(join(fixtureDir, 'MANIFEST.json'), 'utf8')) as { buffers: Array<{ length: number }> };
  const bin = readFileSync(join(fixtureDir, 'cases.p5-oob.buffers.bin'));
  let at = 0;
  return manifest.buffers.map(({ length }, i) => {
    const path = join(into, `${tag}.fixture-buf${i}`);
    writeFileSync(path, bin.subarray(at, at + length));
    at += length;
    return path;
  });
}

function formatProblems(results: Record<string, Result>, ids: string[]): string[] {
  return ids.flatMap((id) => {
    const result = results[id];
    if (!result) return [`${id}: no result`];
    return result.problems.map((problem) => `${id}: ${problem}`);
  });
}

// ---- numpy -> TypeScript -> numpy ----------------------------------------------------------------

function roundTrips(major: Major): void {
  const python = PYTHONS[major];
  const other: Major = major === '1' ? '2' : '1';
  let work: string;
  let results: Record<string, Result> = {};
  let numpyVersion = '';
  const idsBySource = new Map<string, string[]>();
  const sources = [
    { tag: `np${major}`, label: `numpy ${major}.x fixtures`, live: false, foreign: false },
    { tag: `np${other}`, label: `numpy ${other}.x fixtures`, live: false, foreign: major === '1' },
    { tag: 'live', label: `pickles numpy ${major}.x writes now`, live: true, foreign: false },
  ];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `numpy${major}-roundtrip-`));
    run(python, [GENERATE, '--out', join(work, 'live')]);
    // numpy 1.x cannot read numpy._core: what came from numpy 2 is written with numpy.core names.
    const compatible = registerNumpy(new Registry(), { module: 'numpy.core', override: true });
    const jobs: Job[] = [];
    for (const src of sources) {
      const dir = src.live ? join(work, 'live') : join(FIXTURES, src.tag);
      for (const variant of VARIANTS) {
        const { file, value } = source(dir, variant);
        const fixtureBuffers = variant === 'p5-oob' ? splitBuffers(dir, work, `${src.tag}-${variant}`) : null;
        const ids: string[] = [];
        for (const target of TARGETS) {
          const id = `${src.tag}.${variant}->${target}`;
          // ndarray subclasses are placeholders that keep the module names they were read with,
          // so numpy 1.x could not load numpy 2's: left out there.
          const written = src.foreign ? Object.fromEntries(Object.entries(value as object).filter(([key]) => key !== 'matrix')) : value;
          const output = writeOutput(work, id, written, target, src.foreign ? compatible : undefined);
          // numpy 1.x cannot load numpy 2's pickle itself: its own pickle of the same values (the
          // numpy 1.x fixture of the same protocol) stands in for it.
          const reference = src.foreign
            ? { fixture: join(FIXTURES, `np${major}`, `cases.${variant}.pkl`), fixture_buffers: variant === 'p5-oob' ? splitBuffers(join(FIXTURES, `np${major}`), work, `own-${variant}`) : null, skip: ['matrix'] }
            : { fixture: file, fixture_buffers: fixtureBuffers };
          jobs.push({ id, ...output, ...reference });
          ids.push(id);
        }
        idsBySource.set(`${src.tag}.${variant}`, ids);
      }
    }
    writeFileSync(join(work, 'jobs.json'), JSON.stringify(jobs));
    const report = JSON.parse(run(python, [CHECK, join(work, 'jobs.json')])) as { numpy: string; results: Record<string, Result> };
    results = report.results;
    numpyVersion = report.numpy;
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`runs numpy ${major}.x`, () => {
    expect(numpyVersion.split('.')[0]).toBe(major);
    if (major === '2') {
      // The warnings check below sees them: numpy 1.x names read by numpy 2.x at protocol 5.
      expect(results['np1.p5->5']?.warnings.join()).toMatch(/DeprecationWarning: numpy\.core\.numeric is deprecated/);
    }
  });

  for (const src of sources) {
    for (const variant of VARIANTS) {
      it(`${src.label}, ${variant}: written at protocols 0–5 and 5 out of band, numpy loads what it would itself`, () => {
        const ids = idsBySource.get(`${src.tag}.${variant}`) ?? [];
        expect(ids.length).toBe(TARGETS.length);
        expect(formatProblems(results, ids)).toEqual([]);
        for (const id of ids) {
          for (const warning of results[id]!.warnings) {
            // numpy 2 warns only about numpy.core.numeric._frombuffer (numpy 1.x names, protocol 5).
            expect(warning, id).toMatch(/^DeprecationWarning: numpy\.core\.numeric is deprecated/);
            expect(major === '2' && id.includes('->5'), id).toBe(true);
          }
        }
      });
    }
  }
}

describeWithNumpy('2', 'numpy 2.x -> TypeScript -> numpy 2.x', () => roundTrips('2'));
describeWithNumpy('1', 'numpy 1.x -> TypeScript -> numpy 1.x', () => roundTrips('1'));

// ---- TypeScript -> numpy ------------------------------------------------------------------------

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

interface Built {
  name: string;
  make: () => unknown;
  /** The value numpy should load, as a Python expression (numpy as np; objects(), readonly()). */
  expr: string | ((module: NumpyModule) => string);
}

const BUILT: Built[] = [
  {
    name: 'float32 from a Float32Array and a shape',
    make: () => NdArray.from(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }),
    expr: 'np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)',
  },
  {
    name: 'Fortran-order float32',
    make: () => NdArray.from(new Float32Array([1, 4, 2, 5, 3, 6]), { shape: [2, 3], order: 'F' }),
    expr: 'np.asfortranarray(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))',
  },
  {
    name: 'big-endian int32 from numbers',
    make: () => NdArray.from([1, -2, 2 ** 31 - 1], { dtype: '>i4' }),
    expr: "np.array([1, -2, 2**31 - 1], dtype='>i4')",
  },
  { name: 'bool', make: () => NdArray.from([true, false, true]), expr: 'np.array([True, False, True])' },
  { name: 'uint8', make: () => NdArray.from(new Uint8Array([0, 255])), expr: "np.array([0, 255], dtype='u1')" },
  { name: 'int16', make: () => NdArray.from(new Int16Array([-1, 300])), expr: "np.array([-1, 300], dtype='<i2')" },
  { name: 'uint32', make: () => NdArray.from(new Uint32Array([4294967295])), expr: "np.array([4294967295], dtype='<u4')" },
  { name: 'int64', make: () => NdArray.from(new BigInt64Array([1n, -(2n ** 63n)])), expr: "np.array([1, -2**63], dtype='<i8')" },
  { name: 'uint64, big-endian', make: () => NdArray.from([2n ** 64n - 1n, 5], { dtype: '>u8' }), expr: "np.array([2**64 - 1, 5], dtype='>u8')" },
  {
    name: 'float16 rounding',
    make: () => NdArray.from([1.5, -2, 65504, 1e-5, 0.1, 65519, 65520, 2 ** -25, 3 * 2 ** -26, NaN, -Infinity], { dtype: 'float16' }),
    expr: "np.array([1.5, -2, 65504, 1e-5, 0.1, 65519, 65520, 2.0**-25, 3 * 2.0**-26, np.nan, -np.inf], dtype='<f2')",
  },
  { name: 'float64, big-endian', make: () => NdArray.from([1.5, -0, NaN], { dtype: '>f8' }), expr: "np.array([1.5, -0.0, np.nan], dtype='>f8')" },
  {
    name: 'complex128 from PyComplex',
    make: () => NdArray.from([new PyComplex(1, 2), 3]),
    expr: "np.array([1 + 2j, 3], dtype='<c16')",
  },
  {
    name: 'complex64, big-endian',
    make: () => NdArray.from([new PyComplex(0.5, -1)], { dtype: '>c8' }),
    expr: "np.array([0.5 - 1j], dtype='>c8')",
  },
  { name: 'str (U)', make: () => NdArray.from(['a', 'héé', '😀x']), expr: "np.array(['a', 'h\\u00e9\\u00e9', '\\U0001F600x'])" },
  { name: 'str, big-endian', make: () => NdArray.from(['ab'], { dtype: '>U4' }), expr: "np.array(['ab'], dtype='>U4')" },
  { name: 'bytes (S)', make: () => NdArray.from([bytes('ab'), bytes('hello'), bytes('')]), expr: "np.array([b'ab', b'hello', b''])" },
  {
    name: 'object',
    make: () => NdArray.from([1, 'a', null, tuple(1, 2), [3]]),
    expr: "objects([1, 'a', None, (1, 2), [3]])",
  },
  {
    name: 'object, Fortran order',
    make: () => NdArray.from([1, 'c', 'b', 2], { dtype: 'O', shape: [2, 2], order: 'F' }),
    expr: "objects([1, 'b', 'c', 2], shape=(2, 2), order='F')",
  },
  {
    name: 'object holding an array',
    make: () => NdArray.from([NdArray.from(new Float64Array([1, 2])), 'x'], { dtype: 'O' }),
    expr: "objects([np.array([1.0, 2.0]), 'x'])",
  },
  { name: '0-d', make: () => NdArray.from([5], { shape: [] }), expr: 'np.array(5.0)' },
  { name: 'empty 2-d', make: () => NdArray.from(new Float64Array(0), { shape: [0, 3] }), expr: 'np.zeros((0, 3))' },
  { name: 'empty object', make: () => NdArray.from([], { dtype: 'O' }), expr: 'np.array([], dtype=object)' },
  {
    name: '3-d C order',
    make: () => NdArray.from(Int32Array.from(range(24)), { shape: [2, 3, 4] }),
    expr: "np.arange(24, dtype='<i4').reshape(2, 3, 4)",
  },
  {
    name: "a permuted ('K') layout",
    make: () => new NdArray(Int16Array.from(range(24)), { shape: [3, 2, 4], axisOrder: [1, 0, 2] }),
    // numpy 1.x (and protocols below 5) write a C-order copy; numpy 2 keeps the layout at protocol 5.
    expr: (module) =>
      module === 'numpy._core'
        ? "np.arange(24, dtype='<i2').reshape(2, 3, 4).transpose(1, 0, 2)"
        : "np.ascontiguousarray(np.arange(24, dtype='<i2').reshape(2, 3, 4).transpose(1, 0, 2))",
  },
  {
    name: 'datetime64[s]',
    make: () => NdArray.from([1577836800n, -(2n ** 63n)], { dtype: 'datetime64[s]' }),
    expr: "np.array(['2020-01-01T00:00:00', 'NaT'], dtype='M8[s]')",
  },
  { name: 'timedelta64, big-endian', make: () => NdArray.from([5n], { dtype: '>m8[10ms]' }), expr: "np.array([5], dtype='>m8[10ms]')" },
  {
    name: 'read-only',
    make: () => new NdArray(new Float64Array([1, 2]), { readonly: true }),
    expr: 'readonly(np.array([1.0, 2.0]))',
  },
  { name: 'scalar float32', make: () => new NumpyScalar('float32', 1.5), expr: 'np.float32(1.5)' },
  { name: 'scalar float64 nan', make: () => new NumpyScalar('float64', NaN), expr: 'np.float64(np.nan)' },
  { name: 'scalar float16', make: () => new NumpyScalar('float16', 0.1), expr: 'np.float16(0.1)' },
  { name: 'scalar int64', make: () => new NumpyScalar('int64', 5n), expr: 'np.int64(5)' },
  { name: 'scalar uint8', make: () => new NumpyScalar('uint8', 200), expr: 'np.uint8(200)' },
  { name: 'scalar bool', make: () => new NumpyScalar('bool', true), expr: 'np.bool_(True)' },
  { name: 'scalar complex64', make: () => new NumpyScalar('complex64', new PyComplex(1, -1)), expr: 'np.complex64(1 - 1j)' },
  { name: 'scalar str', make: () => new NumpyScalar('U2', 'hé'), expr: "np.str_('h\\u00e9')" },
  { name: 'scalar bytes', make: () => new NumpyScalar('S2', bytes('ab')), expr: "np.bytes_(b'ab')" },
  { name: 'scalar datetime64', make: () => new NumpyScalar('datetime64[D]', 18262n), expr: "np.datetime64('2020-01-01', 'D')" },
  { name: 'dtype >f8', make: () => new NdDtype('>f8'), expr: "np.dtype('>f8')" },
  { name: 'dtype U5', make: () => new NdDtype('U5'), expr: "np.dtype('<U5')" },
  { name: 'dtype S3', make: () => new NdDtype('S3'), expr: "np.dtype('S3')" },
  { name: 'dtype bool', make: () => new NdDtype('bool'), expr: "np.dtype('?')" },
  { name: 'dtype object', make: () => new NdDtype('object'), expr: 'np.dtype(object)' },
  { name: 'dtype datetime64[ns]', make: () => new NdDtype('datetime64[ns]'), expr: "np.dtype('M8[ns]')" },
  { name: 'dtype >m8[10s]', make: () => new NdDtype('>m8[10s]'), expr: "np.dtype('>m8[10s]')" },
  {
    name: 'a dict of arrays sharing one',
    make: () => {
      const shared = NdArray.from(new Float64Array([1]));
      return { a: shared, b: [shared, shared], c: NdArray.from(new Float32Array([2])) };
    },
    expr: "(lambda s: {'a': s, 'b': [s, s], 'c': np.array([2], dtype='f4')})(np.array([1.0]))",
  },
];

const BUILT_TARGETS = [0, 2, 4, 5, '5-oob'] as const;

/** Cases whose pickle differs in bytes from numpy's own (the values are equal), and why. */
function notByteExact(major: Major): string[] {
  const all = (name: string): string[] => BUILT_TARGETS.map((target) => `${name} -> ${target}`);
  return [
    // Below protocol 3 numpy's b'b' is written as _codecs.encode('b', 'latin1'); this pickler
    // memoizes strings by value, so a later 'b' string is a memo get where CPython writes it again.
    'object, Fortran order -> 0',
    'object, Fortran order -> 2',
    ...(major === '1'
      ? // The expected value is the C-order copy numpy 1.x makes; numpy 1.x pickles that one
        // with _frombuffer at protocol 5, while the 'K' array itself is written as numpy 1.x
        // writes a non-contiguous array (_reconstruct with a C-order copy).
        ["a permuted ('K') layout -> 5", "a permuted ('K') layout -> 5-oob"]
      : // datetime dtypes: {} as the metadata, where numpy 2 writes None (numpy 1.x fails on
        // dtype.metadata after reading None).
        [...all('datetime64[s]'), ...all('timedelta64, big-endian'), ...all('scalar datetime64'), ...all('dtype datetime64[ns]'), ...all('dtype >m8[10s]')]),
    // the same memoized 'b' string as above ('b' is a key of the dict)
    'a dict of arrays sharing one -> 0',
    'a dict of arrays sharing one -> 2',
  ];
}

function tsToNumpy(major: Major): void {
  const python = PYTHONS[major];
  const modules: NumpyModule[] = major === '2' ? ['numpy.core', 'numpy._core'] : ['numpy.core'];
  let work: string;
  let results: Record<string, Result> = {};

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `numpy${major}-built-`));
    const jobs: Job[] = [];
    for (const module of modules) {
      const registry = registerNumpy(new Registry(), { module });
      BUILT.forEach((built, index) => {
        for (const target of BUILT_TARGETS) {
          const id = `${module}.${index}->${target}`;
          const expr = typeof built.expr === 'function' ? built.expr(module) : built.expr;
          jobs.push({ id, ...writeOutput(work, id, built.make(), target, registry), expr });
        }
      });
    }
    writeFileSync(join(work, 'jobs.json'), JSON.stringify(jobs));
    results = (JSON.parse(run(python, [CHECK, join(work, 'jobs.json')])) as { results: Record<string, Result> }).results;
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const module of modules) {
    it(`with ${module} names, at protocols 0, 2, 4, 5 and 5 out of band: numpy loads the intended values`, () => {
      const ids = BUILT.flatMap((_, index) => BUILT_TARGETS.map((target) => `${module}.${index}->${target}`));
      const named = (id: string): string => `${BUILT[Number(id.split('.').at(-1)!.split('->')[0])]!.name} (${id})`;
      expect(formatProblems(results, ids).map((line) => `${named(line.split(': ')[0]!)}: ${line}`)).toEqual([]);
      for (const id of ids) {
        const warnings = results[id]!.warnings;
        if (module === 'numpy._core' || !id.includes('->5') || major === '1') expect(warnings, named(id)).toEqual([]);
      }
    });

    if (module === (major === '2' ? 'numpy._core' : 'numpy.core')) {
      it(`with ${module} names: byte for byte the pickle numpy ${major}.x writes for the same value`, () => {
        const differ = BUILT.flatMap((built, index) =>
          BUILT_TARGETS.filter((target) => !results[`${module}.${index}->${target}`]?.same_bytes).map((t) => `${built.name} -> ${t}`),
        );
        expect(differ.sort()).toEqual(notByteExact(major).sort());
      });
    }
  }
}

describeWithNumpy('2', 'TypeScript-built arrays, dtypes and scalars -> numpy 2.x', () => tsToNumpy('2'));
describeWithNumpy('1', 'TypeScript-built arrays, dtypes and scalars -> numpy 1.x', () => tsToNumpy('1'));

// CPython round trips for Decimal, Fraction, UUID, range, slice and complex (one python3 process
// runs every check, see test/standard/datetime-numeric/check.py):
// - every fixture loaded here and written at every protocol 0..5 loads in CPython (C and pure-
//   Python unpicklers) to a value strictly equal to the one CPython pickled — same types, reprs
//   (Decimal('1.50') is not Decimal('1.5')), UUID.is_safe, float bits, sharing — and is byte for
//   byte what CPython writes for that value;
// - values built in TypeScript (fixed ones and a seeded random batch, from canonical and
//   non-canonical input) are read by Python as the right types and values, byte for byte.
// No exceptions: every numeric pickle is identical to CPython's.
import { beforeAll, expect, it } from 'vitest';
import { dumps, loads, PyComplex, tuple } from '../../src/index.js';
import { PyDecimal, PyFraction, PyRange, PySlice, PyUUID, type SafeUUID } from '../../src/values/numeric.js';
import { describeWithPython } from '../helpers/python.js';
import {
  type CheckJob, type CheckResult, checkWithPython, fixture, floatBits, manifest, PROTOCOLS,
} from './datetime-numeric/helpers.js';
import { seededRandom as random } from '../helpers/random.js';

interface Specimen {
  id: string;
  build: () => unknown;
  /** The same value as a Python expression (see check.py for the names). */
  expr: string;
}

const SAFE: Record<SafeUUID, string> = { safe: 'uuid.SafeUUID.safe', unsafe: 'uuid.SafeUUID.unsafe', unknown: 'uuid.SafeUUID.unknown' };

function fixedSpecimens(): Specimen[] {
  return [
    { id: 'Decimal canonical', build: () => new PyDecimal('1.50'), expr: 'D("1.50")' },
    { id: 'Decimal from 0.1', build: () => PyDecimal.from(0.1), expr: 'D(0.1)' },
    { id: 'Decimal from 5e-324', build: () => PyDecimal.from(5e-324), expr: 'D(5e-324)' },
    { id: 'Decimal from bigint', build: () => PyDecimal.from(-(10n ** 50n)), expr: 'D(-10**50)' },
    { id: 'Decimal tuple', build: () => PyDecimal.from([1, [1, 2, 3], -30]), expr: 'D((1, (1, 2, 3), -30))' },
    { id: 'Decimal unicode', build: () => new PyDecimal(' \u0661\u0662_3e-2 '), expr: 'D(" \\u0661\\u0662_3e-2 ")' },
    { id: 'Fraction from float', build: () => PyFraction.from(-0.1), expr: 'F(-0.1)' },
    { id: 'Fraction from Decimal', build: () => PyFraction.from(new PyDecimal('-1.25E-5')), expr: 'F(D("-1.25E-5"))' },
    { id: 'Fraction from str', build: () => PyFraction.from('-12_3.4_5e+2'), expr: 'F("-12_3.4_5e+2")' },
    { id: 'UUID string', build: () => new PyUUID('{8C5B4B7E-1B0E-4A57-9C1E-0D4B8E2F6A01}'), expr: 'uuid.UUID("{8C5B4B7E-1B0E-4A57-9C1E-0D4B8E2F6A01}")' },
    { id: 'range(n)', build: () => new PyRange(7), expr: 'range(7)' },
    { id: 'slice of everything', build: () => new PySlice(tuple(), [1, 'a'], new PyDecimal('2')), expr: 'slice((), [1, "a"], D("2"))' },
    {
      id: 'shared values',
      build: () => {
        const d = new PyDecimal('-0');
        const u = PyUUID.fromInt(7, { isSafe: 'safe' });
        const r = new PyRange(1, 2);
        return [d, u, r, tuple(d, u, r), new PySlice(d, u, r)];
      },
      expr: '(lambda d, u, r: [d, u, r, (d, u, r), slice(d, u, r)])(D("-0"), uuid.UUID(int=7, is_safe=uuid.SafeUUID.safe), range(1, 2))',
    },
  ];
}

/** 240 random values of every type. */
function randomSpecimens(): Specimen[] {
  const next = random(31415926);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const digits = (n: number) => Array.from({ length: n }, (_, i) => String(i === 0 ? int(1, 9) : int(0, 9))).join('');
  const bigint = (maxDigits: number) => (next() < 0.5 ? -1n : 1n) * BigInt(digits(int(1, maxDigits)));
  const specimens: Specimen[] = [];
  for (let i = 0; i < 40; i++) {
    // Decimals from varied, mostly non-canonical input.
    const pick = next();
    let text: string;
    if (pick < 0.1) text = ['nan', '-NaN', `sNaN${int(0, 999)}`, 'inf', '-Infinity', '-0', '0e-9'][int(0, 6)]!;
    else if (pick < 0.2) text = `${next() < 0.5 ? '-' : ''}${digits(int(1, 3))}E${next() < 0.5 ? '+' : '-'}${digits(int(10, 17))}`;
    else text = `${next() < 0.3 ? '-' : next() < 0.3 ? '+' : ''}${'0'.repeat(int(0, 2))}${digits(int(1, 40))}.${'0'.repeat(int(0, 3))}${next() < 0.5 ? digits(int(0, 20)) : ''}e${int(-60, 60)}`;
    specimens.push({ id: `random Decimal ${i} (${text})`, build: () => new PyDecimal(text), expr: `D(${JSON.stringify(text)})` });

    const [n, d] = [bigint(80), bigint(80)];
    specimens.push({ id: `random Fraction ${i}`, build: () => new PyFraction(n, d), expr: `F(${n}, ${d})` });

    const bits = BigInt(`0x${Array.from({ length: 32 }, () => int(0, 15).toString(16)).join('')}`);
    const safe = (['safe', 'unsafe', 'unknown'] as const)[int(0, 2)]!;
    specimens.push({ id: `random UUID ${i}`, build: () => PyUUID.fromInt(bits, { isSafe: safe }), expr: `uuid.UUID(int=${bits}, is_safe=${SAFE[safe]})` });

    const [a, b] = [next() < 0.5 ? bigint(25) : BigInt(int(-300, 300)), next() < 0.5 ? bigint(25) : BigInt(int(-300, 300))];
    let c = next() < 0.5 ? bigint(22) : BigInt(int(-9, 9));
    if (c === 0n) c = 1n;
    const norm = (x: bigint) => (x >= -(2n ** 53n) + 1n && x <= 2n ** 53n - 1n ? Number(x) : x);
    specimens.push({ id: `random range ${i}`, build: () => new PyRange(norm(a), norm(b), norm(c)), expr: `range(${a}, ${b}, ${c})` });

    const part = (): [unknown, string] => {
      const p = next();
      if (p < 0.3) return [null, 'None'];
      if (p < 0.8) {
        const x = BigInt(int(-1000, 1000));
        return [Number(x), String(x)];
      }
      const s = `s${int(0, 99)}`;
      return [s, JSON.stringify(s)];
    };
    const [[s1, e1], [s2, e2], [s3, e3]] = [part(), part(), part()];
    specimens.push({ id: `random slice ${i}`, build: () => new PySlice(s1, s2, s3), expr: `slice(${e1}, ${e2}, ${e3})` });

    const float = (): number => {
      const p = next();
      if (p < 0.1) return [0, -0, NaN, Infinity, -Infinity, 5e-324, -Number.MAX_VALUE][int(0, 6)]!;
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, Math.floor(next() * 2 ** 32));
      view.setUint32(4, Math.floor(next() * 2 ** 32));
      const x = view.getFloat64(0);
      return Number.isNaN(x) ? 1.5 : x;
    };
    const [re, im] = [float(), float()];
    specimens.push({ id: `random complex ${i}`, build: () => new PyComplex(re, im), expr: `complex(flt("${floatBits(re)}"), flt("${floatBits(im)}"))` });
  }
  return specimens;
}

/** Pickles that must fail the check, each with the problem it must report. */
function controls(): Array<CheckJob & { problem: RegExp }> {
  return [
    { id: 'control: trailing zero', protocol: 2, ours: dumps(new PyDecimal('1.5'), { protocol: 2 }), expr: 'D("1.50")', problem: /Decimal|repr/ },
    { id: 'control: NaN sign', protocol: 4, ours: dumps(new PyDecimal('NaN'), { protocol: 4 }), expr: 'D("-NaN")', problem: /Decimal|repr/ },
    { id: 'control: is_safe', protocol: 0, ours: dumps(PyUUID.fromInt(1), { protocol: 0 }), expr: 'uuid.UUID(int=1, is_safe=uuid.SafeUUID.safe)', problem: /is_safe/ },
    { id: 'control: -0.0', protocol: 1, ours: dumps(new PyComplex(0, 1), { protocol: 1 }), expr: 'complex(-0.0, 1)', problem: /float/ },
    { id: 'control: range step', protocol: 3, ours: dumps(new PyRange(0, 10, 1), { protocol: 3 }), expr: 'range(0, 10, 2)', problem: /repr/ },
    { id: 'control: Fraction type', protocol: 5, ours: dumps(new PyDecimal('0.5'), { protocol: 5 }), expr: 'F(1, 2)', problem: /type Decimal is not Fraction/ },
  ];
}

describeWithPython('numeric types: CPython round trips', () => {
  const fixtureJobs: CheckJob[] = [];
  const specimenJobs: CheckJob[] = [];
  let results: Map<string, CheckResult>;

  beforeAll(() => {
    for (const name of manifest.themes.numeric) {
      for (const from of manifest.cases[name]!) {
        const original = fixture(name, from);
        const value = loads(original, name.startsWith('py2_') ? { encoding: 'latin1' } : {});
        for (const protocol of PROTOCOLS) {
          fixtureJobs.push({ id: `${name}.p${from} -> p${protocol}`, protocol, ours: dumps(value, { protocol }), reference: original });
        }
      }
    }
    for (const specimen of [...fixedSpecimens(), ...randomSpecimens()]) {
      for (const protocol of PROTOCOLS) {
        specimenJobs.push({ id: `${specimen.id} p${protocol}`, protocol, ours: dumps(specimen.build(), { protocol }), expr: specimen.expr });
      }
    }
    results = checkWithPython([...fixtureJobs, ...specimenJobs, ...controls()]);
  });

  const verdict = (job: CheckJob): void => {
    const result = results.get(job.id)!;
    expect(result, job.id).toBeDefined();
    expect(result.problems, job.id).toEqual([]);
    expect(result.cpythonLossy, job.id).toBe(false);
    expect(result.identical, `${job.id}\nours:\n${result.ours}\ncpython:\n${result.cpython}`).toBe(true);
  };

  it('catches deliberately wrong pickles (the checks are not vacuous)', () => {
    for (const control of controls()) {
      const result = results.get(control.id)!;
      expect(result.problems.join('\n'), control.id).toMatch(control.problem);
      expect(result.identical, control.id).toBe(false);
    }
  });

  it('every fixture, written at every protocol, loads in CPython as the value CPython pickled, byte for byte', () => {
    expect(fixtureJobs.length).toBeGreaterThan(150);
    for (const job of fixtureJobs) verdict(job);
  });

  it('values built in TypeScript load in CPython as the same types and values, byte for byte', () => {
    expect(specimenJobs.length).toBeGreaterThan(1400);
    for (const job of specimenJobs) verdict(job);
  });
});

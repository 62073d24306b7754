// CPython round trips for the datetime types (one python3 process runs every check, see
// test/standard/datetime-numeric/check.py):
// - every fixture loaded here and written at every protocol 0..5 loads in CPython (C and pure-
//   Python unpicklers) to a value strictly equal to the one CPython pickled — same types, reprs,
//   fold, tzinfo, sharing — and is byte for byte what CPython writes for that value;
// - values built in TypeScript (fixed ones and a seeded random batch) are read by Python as the
//   right types and values, again byte for byte as CPython writes them.
// Documented exceptions (see standard-datetime.test.ts): at protocols 4 and 5 (a) the class name
// of datetime.datetime shares the module's 'datetime' string — then the pickle must equal
// CPython's once strings are compared by value, nothing else may differ — and (b) a ZoneInfo
// placeholder's reconstructor is written as a dotted STACK_GLOBAL instead of getattr(): then only
// value equality is required. And one CPython behaviour: below protocol 4 CPython itself drops
// `fold`, so the expected value there is what CPython's own round trip gives (the results say
// exactly where that loses something, and the test pins those places).
import { beforeAll, describe, expect, it } from 'vitest';
import { dumps, loads, PyGlobal, PyObject, tuple } from '../../src/index.js';
import { PyDate, PyDatetime, PyTime, PyTimedelta, PyTimezone } from '../../src/values/datetime.js';
import { describeWithPython } from '../helpers/python.js';
import { type CheckJob, type CheckResult, checkWithPython, fixture, manifest, PROTOCOLS } from './datetime-numeric/helpers.js';
import { seededRandom as random } from '../helpers/random.js';

const isPython2 = (name: string) => name.startsWith('py2_');
const namesDatetimeClass = (name: string, protocol: number) => /dt_|datetime/.test(name) && protocol >= 4;
const hasZoneInfo = (name: string, protocol: number) => name.includes('zoneinfo') && protocol >= 4;

/** Whether a value holds a datetime or time with fold=1. */
function hasFold(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasFold);
  return (value instanceof PyDatetime || value instanceof PyTime) && value.fold === 1;
}

interface Specimen {
  id: string;
  build: () => unknown;
  /** The same value as a Python expression (dt is the datetime module). */
  expr: string;
  /** Contains a datetime.datetime (exception (a) at protocols 4 and 5). */
  datetimeClass?: boolean;
}

const pyTimedelta = (td: PyTimedelta) => `dt.timedelta(${td.days}, ${td.seconds}, ${td.microseconds})`;
const pyTimezone = (tz: PyTimezone) =>
  tz === PyTimezone.utc ? 'dt.timezone.utc' : `dt.timezone(${pyTimedelta(tz.offset)}${tz.name === null ? '' : `, ${JSON.stringify(tz.name)}`})`;

function fixedSpecimens(): Specimen[] {
  const cet = new PyTimezone(new PyTimedelta(0, 3600), 'CET');
  const zone = new PyObject(new PyGlobal('zoneinfo', 'ZoneInfo._unpickle'), tuple('Asia/Tokyo', 1), 'reduce');
  return [
    { id: 'naive datetime', build: () => new PyDatetime(2024, 7, 1, 9, 30), expr: 'dt.datetime(2024, 7, 1, 9, 30)', datetimeClass: true },
    { id: 'datetime utc µs', build: () => new PyDatetime(1, 1, 1, 0, 0, 0, 1, PyTimezone.utc), expr: 'dt.datetime(1, 1, 1, 0, 0, 0, 1, dt.timezone.utc)', datetimeClass: true },
    { id: 'datetime fold', build: () => new PyDatetime(2021, 11, 7, 1, 30, 0, 0, null, 1), expr: 'dt.datetime(2021, 11, 7, 1, 30, fold=1)', datetimeClass: true },
    { id: 'datetime named tz', build: () => new PyDatetime(2024, 12, 24, 18, 0, 0, 0, cet), expr: 'dt.datetime(2024, 12, 24, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=1), "CET"))', datetimeClass: true },
    { id: 'datetime zoneinfo', build: () => new PyDatetime(2024, 1, 1, 0, 0, 0, 0, zone), expr: 'dt.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))', datetimeClass: true },
    { id: 'fromDate', build: () => PyDatetime.fromDate(new Date('2024-05-06T07:08:09.123Z')), expr: 'dt.datetime(2024, 5, 6, 7, 8, 9, 123000, dt.timezone.utc)', datetimeClass: true },
    { id: 'fromISOString', build: () => PyDatetime.fromISOString('2024-05-06T07:08:09.123456-02:30'), expr: 'dt.datetime.fromisoformat("2024-05-06T07:08:09.123456-02:30")', datetimeClass: true },
    { id: 'date', build: () => new PyDate(2000, 2, 29), expr: 'dt.date(2000, 2, 29)' },
    { id: 'time fold tz', build: () => new PyTime(23, 0, 0, 0, cet, 1), expr: 'dt.time(23, 0, tzinfo=dt.timezone(dt.timedelta(hours=1), "CET"), fold=1)' },
    { id: 'timedelta floats', build: () => PyTimedelta.of({ days: 1.5, hours: -0.25, microseconds: 0.5 }), expr: 'dt.timedelta(days=1.5, hours=-0.25, microseconds=0.5)' },
    { id: 'timezone.utc', build: () => PyTimezone.utc, expr: 'dt.timezone.utc' },
    { id: 'timezone extremes', build: () => [new PyTimezone(new PyTimedelta(0, 86399, 999999)), new PyTimezone(new PyTimedelta(-1, 0, 1), 'west')], expr: '[dt.timezone(dt.timedelta(0, 86399, 999999)), dt.timezone(dt.timedelta(-1, 0, 1), "west")]' },
    {
      id: 'shared zone',
      build: () => {
        const tz = new PyTimezone(new PyTimedelta(0, -18000), 'EST');
        return [new PyDatetime(2020, 1, 1, 0, 0, 0, 0, tz), new PyTime(1, 0, 0, 0, tz), tz];
      },
      expr: '(lambda tz: [dt.datetime(2020, 1, 1, tzinfo=tz), dt.time(1, tzinfo=tz), tz])(dt.timezone(dt.timedelta(hours=-5), "EST"))',
      datetimeClass: true,
    },
  ];
}

/** 120 random datetimes, times, dates, timedeltas and zones over the whole ranges. */
function randomSpecimens(): Specimen[] {
  const next = random(20240229);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const zone = (): PyTimezone | null => {
    const pick = next();
    if (pick < 0.3) return null;
    if (pick < 0.45) return PyTimezone.utc;
    const offset = PyTimedelta.fromMicroseconds(BigInt(int(-86_399_999, 86_399_999)) * (next() < 0.5 ? 1000n : 1n));
    return new PyTimezone(offset, next() < 0.5 ? null : `Z${int(0, 999)}`);
  };
  const specimens: Specimen[] = [];
  for (let i = 0; i < 30; i++) {
    const [y, mo] = [int(1, 9999), int(1, 12)];
    const d = int(1, mo === 2 ? 28 : 30);
    const [h, mi, s, us, fold] = [int(0, 23), int(0, 59), int(0, 59), next() < 0.3 ? 0 : int(0, 999999), int(0, 1) as 0 | 1];
    const tz = zone();
    const tzExpr = tz === null ? 'None' : pyTimezone(tz);
    specimens.push({
      id: `random datetime ${i}`,
      build: () => new PyDatetime(y, mo, d, h, mi, s, us, tz, fold),
      expr: `dt.datetime(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}, ${us}, ${tzExpr}, fold=${fold})`,
      datetimeClass: true,
    });
    const tz2 = zone();
    specimens.push({
      id: `random time ${i}`,
      build: () => new PyTime(h, mi, s, us, tz2, fold),
      expr: `dt.time(${h}, ${mi}, ${s}, ${us}, ${tz2 === null ? 'None' : pyTimezone(tz2)}, fold=${fold})`,
    });
    specimens.push({ id: `random date ${i}`, build: () => new PyDate(y, mo, d), expr: `dt.date(${y}, ${mo}, ${d})` });
    const td = new PyTimedelta(int(-999_999_999, 999_999_999), int(-200_000, 200_000), int(-3_000_000, 3_000_000));
    specimens.push({ id: `random timedelta ${i}`, build: () => td, expr: pyTimedelta(td) });
  }
  return specimens;
}

/** Pickles that must fail the check, each with the problem it must report. */
function controls(): Array<CheckJob & { problem: RegExp }> {
  const utc = PyTimezone.utc;
  return [
    { id: 'control: fold lost', protocol: 4, ours: dumps(new PyDatetime(2021, 11, 7, 1, 30), { protocol: 4 }), expr: 'dt.datetime(2021, 11, 7, 1, 30, fold=1)', problem: /fold|repr/ },
    { id: 'control: tz name', protocol: 2, ours: dumps(new PyTimezone(new PyTimedelta(0, 3600), 'X'), { protocol: 2 }), expr: 'dt.timezone(dt.timedelta(hours=1), "Y")', problem: /repr|tzname/ },
    { id: 'control: date for datetime', protocol: 3, ours: dumps(new PyDate(2024, 1, 1), { protocol: 3 }), expr: 'dt.datetime(2024, 1, 1)', problem: /type date is not datetime/ },
    { id: 'control: utc identity', protocol: 4, ours: dumps(new PyTimezone(new PyTimedelta(0), 'UTC'), { protocol: 4 }), expr: 'dt.timezone.utc', problem: /repr|identity/ },
    { id: 'control: sharing', protocol: 4, ours: dumps([new PyTimezone(new PyTimedelta(0, 60)), new PyTimezone(new PyTimedelta(0, 60))], { protocol: 4 }), expr: '(lambda z: [z, z])(dt.timezone(dt.timedelta(seconds=60)))', problem: /sharing/ },
    { id: 'control: microsecond', protocol: 1, ours: dumps(new PyTime(1, 2, 3, 4, utc), { protocol: 1 }), expr: 'dt.time(1, 2, 3, 5, dt.timezone.utc)', problem: /repr/ },
  ];
}

describeWithPython('datetime types: CPython round trips', () => {
  const fixtureJobs: Array<CheckJob & { name: string; from: number }> = [];
  const specimenJobs: Array<CheckJob & { specimen: Specimen }> = [];
  let results: Map<string, CheckResult>;

  beforeAll(() => {
    for (const name of manifest.themes.datetime) {
      for (const from of manifest.cases[name]!) {
        const original = fixture(name, from);
        const value = loads(original, isPython2(name) ? { encoding: 'latin1' } : {});
        for (const protocol of PROTOCOLS) {
          fixtureJobs.push({ id: `${name}.p${from} -> p${protocol}`, name, from, protocol, ours: dumps(value, { protocol }), reference: original });
        }
      }
    }
    for (const specimen of [...fixedSpecimens(), ...randomSpecimens()]) {
      for (const protocol of PROTOCOLS) {
        specimenJobs.push({ id: `${specimen.id} p${protocol}`, specimen, protocol, ours: dumps(specimen.build(), { protocol }), expr: specimen.expr });
      }
    }
    results = checkWithPython([...fixtureJobs, ...specimenJobs, ...controls()]);
  });

  it('catches deliberately wrong pickles (the checks are not vacuous)', () => {
    for (const control of controls()) {
      const result = results.get(control.id)!;
      expect(result.problems.join('\n'), control.id).toMatch(control.problem);
      expect(result.identical, control.id).toBe(false);
    }
  });

  const verdict = (job: CheckJob, datetimeClass: boolean, zoneInfo: boolean): void => {
    const result = results.get(job.id)!;
    expect(result, job.id).toBeDefined();
    expect(result.problems, job.id).toEqual([]);
    if (zoneInfo) return; // exception (b): value equality only
    if (datetimeClass && job.protocol >= 4) {
      // exception (a): differs from CPython only in which equal strings are shared
      expect(result.identical, job.id).toBe(false);
      expect(result.sameUpToStrings, `${job.id}\nours:\n${result.ours}\ncpython:\n${result.cpython}`).toBe(true);
    } else {
      expect(result.identical, `${job.id}\nours:\n${result.ours}\ncpython:\n${result.cpython}`).toBe(true);
    }
  };

  it('every fixture, written at every protocol, loads in CPython as the value CPython pickled, byte for byte', () => {
    expect(fixtureJobs.length).toBeGreaterThan(150);
    for (const job of fixtureJobs) verdict(job, namesDatetimeClass(job.name, job.protocol), hasZoneInfo(job.name, job.protocol));
  });

  it('values built in TypeScript load in CPython as the same types and values, byte for byte', () => {
    expect(specimenJobs.length).toBeGreaterThan(700);
    for (const job of specimenJobs) {
      verdict(job, job.specimen.datetimeClass === true, job.specimen.id === 'datetime zoneinfo' && job.protocol >= 4);
    }
  });

  it('writes fold only from protocol 4, exactly where CPython does', () => {
    // The expected values are CPython's own round trips: lossy exactly where a fold=1 value is
    // written below protocol 4, and nowhere else.
    const foldFixtures = new Set(['dt_fold', 'dt_zoneinfo_fold', 'time_fold']);
    for (const job of fixtureJobs) {
      const lossy = foldFixtures.has(job.name) && job.from >= 4 && job.protocol < 4;
      expect(results.get(job.id)!.cpythonLossy, job.id).toBe(lossy);
    }
    for (const job of specimenJobs) {
      expect(results.get(job.id)!.cpythonLossy, job.id).toBe(hasFold(job.specimen.build()) && job.protocol < 4);
    }
    expect(results.get('datetime fold p4')!.problems).toEqual([]);
    expect(results.get('datetime fold p4')!.sameUpToStrings).toBe(true);
    expect(results.get('time fold tz p4')!.identical).toBe(true);
    const p3 = dumps(new PyDatetime(2021, 11, 7, 1, 30, 0, 0, null, 1), { protocol: 3 });
    const p4 = dumps(new PyDatetime(2021, 11, 7, 1, 30, 0, 0, null, 1), { protocol: 4 });
    expect((loads(p3) as PyDatetime).fold).toBe(0);
    expect((loads(p4) as PyDatetime).fold).toBe(1);
  });
});

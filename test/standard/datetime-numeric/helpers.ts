// Shared by the datetime and numeric standard-type tests: the CPython fixtures (see generate.py),
// a `shape()` that turns loaded values into plain descriptions for hand-written expectations, and
// one-process CPython checks (check.py).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlainDict, PyComplex, PyGlobal, PyObject, Tuple } from '../../../src/index.js';
import { PyDate, PyDatetime, PyTime, PyTimedelta, PyTimezone } from '../../../src/values/datetime.js';
import { PyDecimal, PyFraction, PyRange, PySlice, PyUUID } from '../../../src/values/numeric.js';
import { runPython } from '../../helpers/python.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const PICKLES = join(HERE, 'pickles');
export const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

export interface ManifestFile {
  file: string;
  case: string;
  protocol: number;
  source: 'cpython' | 'handmade';
  bytes: number;
  sha256: string;
}

export interface Manifest {
  python: string;
  themes: { datetime: string[]; numeric: string[] };
  cases: Record<string, number[]>;
  files: ManifestFile[];
}

export const manifest = JSON.parse(readFileSync(join(PICKLES, 'MANIFEST.json'), 'utf8')) as Manifest;

/** A fixture's bytes as a plain Uint8Array. */
export function fixture(name: string, protocol: number): Uint8Array {
  return new Uint8Array(readFileSync(join(PICKLES, `${name}.p${protocol}.pkl`)));
}

// ---- shapes ---------------------------------------------------------------------------------

/**
 * A plain description of a loaded value, for comparison with hand-written expectations via
 * toEqual (which compares numbers with Object.is and never equates bigint and number). It reads
 * only the public fields of the value classes.
 */
export function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof PyDatetime) {
    const { year, month, day, hour, minute, second, microsecond, fold } = value;
    return { $: 'datetime', year, month, day, hour, minute, second, microsecond, tzinfo: shape(value.tzinfo), fold };
  }
  if (value instanceof PyDate) return { $: 'date', year: value.year, month: value.month, day: value.day };
  if (value instanceof PyTime) {
    const { hour, minute, second, microsecond, fold } = value;
    return { $: 'time', hour, minute, second, microsecond, tzinfo: shape(value.tzinfo), fold };
  }
  if (value instanceof PyTimedelta) {
    return { $: 'timedelta', days: value.days, seconds: value.seconds, microseconds: value.microseconds };
  }
  if (value instanceof PyTimezone) return { $: 'timezone', offset: shape(value.offset), name: value.name };
  if (value instanceof PyDecimal) return { $: 'Decimal', str: value.toString() };
  if (value instanceof PyFraction) return { $: 'Fraction', numerator: value.numerator, denominator: value.denominator };
  if (value instanceof PyUUID) return { $: 'UUID', hex: value.hex, isSafe: value.isSafe };
  if (value instanceof PyRange) return { $: 'range', start: value.start, stop: value.stop, step: value.step };
  if (value instanceof PySlice) return { $: 'slice', start: shape(value.start), stop: shape(value.stop), step: shape(value.step) };
  if (value instanceof PyComplex) return { $: 'complex', real: value.real, imag: value.imag };
  if (value instanceof PyGlobal) return { $: 'global', module: value.module, name: value.name };
  if (value instanceof PyObject) {
    return { $: 'object', cls: shape(value.cls), creation: value.creation, args: shape(value.args), state: shape(value.state) };
  }
  if (value instanceof Tuple) return { $: 'tuple', items: value.map(shape) };
  if (Array.isArray(value)) return value.map(shape);
  if (isPlainDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  throw new Error(`shape() does not know ${Object.prototype.toString.call(value)}`);
}

// ---- expectation builders (plain data, nothing from the code under test) ----------------------

export const timedelta = (days: number, seconds = 0, microseconds = 0) => ({ $: 'timedelta', days, seconds, microseconds });
export const timezone = (offset: ReturnType<typeof timedelta>, name: string | null = null) => ({ $: 'timezone', offset, name });
export const UTC = timezone(timedelta(0));

export function datetime(
  year: number, month: number, day: number, hour = 0, minute = 0, second = 0, microsecond = 0,
  tzinfo: unknown = null, fold = 0,
) {
  return { $: 'datetime', year, month, day, hour, minute, second, microsecond, tzinfo, fold };
}

export const date = (year: number, month: number, day: number) => ({ $: 'date', year, month, day });

export function time(hour = 0, minute = 0, second = 0, microsecond = 0, tzinfo: unknown = null, fold = 0) {
  return { $: 'time', hour, minute, second, microsecond, tzinfo, fold };
}

export const decimal = (str: string) => ({ $: 'Decimal', str });
export const fraction = (numerator: number | bigint, denominator: number | bigint) => ({ $: 'Fraction', numerator, denominator });
export const uuid = (hex: string, isSafe = 'unknown') => ({ $: 'UUID', hex, isSafe });
export const range = (start: number | bigint, stop: number | bigint, step: number | bigint) => ({ $: 'range', start, stop, step });
export const slice = (start: unknown, stop: unknown, step: unknown) => ({ $: 'slice', start, stop, step });
export const complex = (real: number, imag: number) => ({ $: 'complex', real, imag });
export const global = (module: string, name: string) => ({ $: 'global', module, name });
export const ptuple = (...items: unknown[]) => ({ $: 'tuple', items });

/** A placeholder made by REDUCE, as loads gives it for a class nobody registered. */
export const reduced = (module: string, name: string, ...args: unknown[]) =>
  ({ $: 'object', cls: global(module, name), creation: 'reduce', args: ptuple(...args), state: undefined });

/** An expectation per protocol: a value, or a function of the protocol. */
export type Expectation = unknown | ((protocol: number) => unknown);

export function expectedAt(expectation: Expectation, protocol: number): unknown {
  return typeof expectation === 'function' ? (expectation as (p: number) => unknown)(protocol) : expectation;
}

/** A float's IEEE-754 bits as 16 hex digits, for check.py's flt(). */
export function floatBits(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

// ---- CPython checks -------------------------------------------------------------------------

export interface CheckJob {
  id: string;
  protocol: number;
  ours: Uint8Array;
  /** A CPython pickle of the expected value... */
  reference?: Uint8Array;
  /** ...or a Python expression for it (names: dt, D, F, uuid, zoneinfo, pytz, flt(bitsHex)). */
  expr?: string;
}

export interface CheckResult {
  id: string;
  problems: string[];
  identical: boolean;
  sameUpToStrings: boolean;
  /** CPython's own round trip at this protocol loses something (fold below protocol 4). */
  cpythonLossy: boolean;
  ours?: string;
  cpython?: string;
}

const CHECK = `
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, ${JSON.stringify(HERE)})
import check
check.main()
`;

/** Runs check.py once over every job; results by id. */
export function checkWithPython(jobs: CheckJob[]): Map<string, CheckResult> {
  const input = JSON.stringify(jobs.map((job) => ({
    id: job.id,
    protocol: job.protocol,
    ours: Buffer.from(job.ours).toString('base64'),
    reference: job.reference ? Buffer.from(job.reference).toString('base64') : null,
    expr: job.expr ?? null,
  })));
  const results = JSON.parse(runPython(CHECK, input).toString('utf8')) as CheckResult[];
  return new Map(results.map((result) => [result.id, result]));
}

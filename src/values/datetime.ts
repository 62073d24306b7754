// Python's datetime types as immutable TypeScript values: PyDate, PyDatetime, PyTime,
// PyTimedelta and PyTimezone. Every field Python has is kept exactly (microseconds, fold, the
// tzinfo object, a timezone's name), so a loaded value pickles back to what Python wrote.
// Conversions to JavaScript `Date` are explicit about what a `Date` cannot hold: microseconds,
// and a wall-clock time without an offset.

import { PickleError } from '../errors.js';
import { quoted, shown } from './describe.js';
import { invalidArgument } from './invalid-argument.js';

/** The smallest and largest years Python's datetime allows. */
export const MINYEAR = 1;
export const MAXYEAR = 9999;

/**
 * A datetime's or time's `tzinfo`: a `PyTimezone` (a fixed offset, possibly UTC), or whatever
 * another tzinfo class loaded as: a `PyObject` placeholder for `zoneinfo.ZoneInfo`, pytz or
 * dateutil zones (kept so they pickle back unchanged), or an instance of a class you registered.
 */
export type TzInfo = object;

// ---- calendar arithmetic (a port of CPython's Lib/_pydatetime.py) ---------------------------

const DAYS_IN_MONTH = [-1, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAYS_BEFORE_MONTH = [-1, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DI400Y = 146097;
const DI100Y = 36524;
const DI4Y = 1461;
/** The proleptic Gregorian ordinal of 1970-01-01 (0001-01-01 is 1). */
const EPOCH_ORDINAL = 719163;
const MAX_ORDINAL = 3652059; // 9999-12-31
const US_PER_SECOND = 1_000_000;
const US_PER_DAY = 86_400_000_000n;
const MAX_DELTA_DAYS = 999_999_999;

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Days in `month` of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month]!;
}

function ymdToOrdinal(year: number, month: number, day: number): number {
  const y = year - 1;
  return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) +
    DAYS_BEFORE_MONTH[month]! + (month > 2 && isLeap(year) ? 1 : 0) + day;
}

function ordinalToYmd(ordinal: number): [number, number, number] {
  let n = ordinal - 1;
  const n400 = Math.floor(n / DI400Y);
  n -= n400 * DI400Y;
  let year = n400 * 400 + 1;
  const n100 = Math.floor(n / DI100Y);
  n -= n100 * DI100Y;
  const n4 = Math.floor(n / DI4Y);
  n -= n4 * DI4Y;
  const n1 = Math.floor(n / 365);
  n -= n1 * 365;
  year += n100 * 100 + n4 * 4 + n1;
  if (n1 === 4 || n100 === 4) return [year - 1, 12, 31];
  const leap = n1 === 3 && (n4 !== 24 || n100 === 3);
  let month = (n + 50) >> 5;
  let preceding = DAYS_BEFORE_MONTH[month]! + (month > 2 && leap ? 1 : 0);
  if (preceding > n) {
    month -= 1;
    preceding -= DAYS_IN_MONTH[month]! + (month === 2 && leap ? 1 : 0);
  }
  return [year, month, n - preceding + 1];
}

// ---- small helpers --------------------------------------------------------------------------

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function checkInt(value: number, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidArgument(`${name} must be an integer, not ${typeof value === 'number' ? value : typeof value}`);
  }
  if (value < min || value > max) throw invalidArgument(`${name} must be in ${min}..${max}, not ${value}`);
  return value;
}

function checkFold(fold: number): 0 | 1 {
  if (fold !== 0 && fold !== 1) throw invalidArgument(`fold must be either 0 or 1, not ${shown(fold)}`);
  return fold;
}

function checkTzInfo(tzinfo: unknown): TzInfo | null {
  if (tzinfo === null || tzinfo === undefined) return null;
  if (typeof tzinfo !== 'object') throw invalidArgument(`tzinfo must be a tzinfo object or null, not ${typeof tzinfo}`);
  return tzinfo;
}

function checkDate(year: number, month: number, day: number): void {
  checkInt(year, 'year', MINYEAR, MAXYEAR);
  checkInt(month, 'month', 1, 12);
  checkInt(day, 'day', 1, daysInMonth(year, month));
}

function checkTime(hour: number, minute: number, second: number, microsecond: number): void {
  checkInt(hour, 'hour', 0, 23);
  checkInt(minute, 'minute', 0, 59);
  checkInt(second, 'second', 0, 59);
  checkInt(microsecond, 'microsecond', 0, 999_999);
}

/** The offset of a tzinfo when it is known (a PyTimezone), null when there is none. */
function knownOffset(tzinfo: TzInfo | null, what: string): PyTimedelta | null {
  if (tzinfo === null) return null;
  if (tzinfo instanceof PyTimezone) return tzinfo.offset;
  throw new PickleError(
    `the UTC offset of this ${what}'s tzinfo is unknown here (only PyTimezone offsets are known; ` +
      'a zoneinfo/pytz/dateutil zone is kept as a placeholder)',
  );
}

/** Python's `_format_offset`: +HH:MM[:SS[.ffffff]]. */
function formatOffset(offset: PyTimedelta): string {
  let us = offset.totalMicroseconds();
  const sign = us < 0n ? '-' : '+';
  if (us < 0n) us = -us;
  const hours = us / 3_600_000_000n;
  const minutes = (us / 60_000_000n) % 60n;
  const seconds = (us / 1_000_000n) % 60n;
  const micro = us % 1_000_000n;
  let text = `${sign}${pad(Number(hours), 2)}:${pad(Number(minutes), 2)}`;
  if (seconds !== 0n || micro !== 0n) {
    text += `:${pad(Number(seconds), 2)}`;
    if (micro !== 0n) text += `.${pad(Number(micro), 6)}`;
  }
  return text;
}

function formatTime(hour: number, minute: number, second: number, microsecond: number): string {
  const base = `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  return microsecond ? `${base}.${pad(microsecond, 6)}` : base;
}

// ---- ISO 8601 parsing (a port of Python 3.11's fromisoformat) -----------------------------------

const ISO_DATE = /^(\d{4})(?:-(\d{2})-(\d{2})|(\d{2})(\d{2})|-W(\d{2})(?:-(\d))?|W(\d{2})(\d)?)$/;
const ISO_TIME_EXTENDED = /^(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?$/;
const ISO_TIME_BASIC = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:[.,](\d+))?)?)?$/;

function isoWeekOneMonday(year: number): number {
  const firstDay = ymdToOrdinal(year, 1, 1);
  const firstWeekday = (firstDay + 6) % 7; // Monday is 0
  return firstDay - firstWeekday + (firstWeekday > 3 ? 7 : 0);
}

/** A parser's argument: a string, or an INVALID_ARGUMENT error naming what was expected. */
function isoText(text: unknown, what: string): string {
  if (typeof text !== 'string') throw invalidArgument(`${what} expects a string, not ${typeof text}`);
  return text;
}

function parseIsoDate(text: string): PyDate {
  const match = ISO_DATE.exec(text);
  if (!match) throw invalidArgument(`invalid ISO 8601 date: ${quoted(text)}`);
  const year = Number(match[1]);
  const weekText = match[6] ?? match[8];
  if (weekText !== undefined) {
    checkInt(year, 'year', MINYEAR, MAXYEAR);
    const week = Number(weekText);
    const weekday = Number(match[7] ?? match[9] ?? 1);
    const weeks = isoWeekOneMonday(year + 1) - isoWeekOneMonday(year) === 371 ? 53 : 52;
    if (week < 1 || week > weeks) throw invalidArgument(`invalid week: ${week}`);
    if (weekday < 1 || weekday > 7) throw invalidArgument(`invalid weekday: ${weekday} (range is 1..7)`);
    return PyDate.fromOrdinal(isoWeekOneMonday(year) + (week - 1) * 7 + weekday - 1);
  }
  return new PyDate(year, Number(match[2] ?? match[4]), Number(match[3] ?? match[5]));
}

/** Where the date part of an ISO datetime ends (Python's `_find_isoformat_datetime_separator`). */
function isoDateLength(text: string): number {
  const digit = (i: number) => i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39;
  if (text.length === 7) return 7;
  if (text[4] === '-') {
    if (text[5] !== 'W') return 10; // YYYY-MM-DD
    if (text.length > 8 && text[8] === '-') return text.length > 10 && digit(10) ? 8 : 10; // YYYY-Www-D
    return 8; // YYYY-Www
  }
  if (text[4] === 'W') {
    let i = 7;
    while (digit(i)) i++;
    if (i < 9) return i;
    return i % 2 === 0 ? 7 : 8;
  }
  return 8; // YYYYMMDD
}

interface ParsedTime {
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  tzinfo: PyTimezone | null;
}

/** `HH[:MM[:SS[.ffffff]]]` or `HH[MM[SS[.ffffff]]]`; fraction digits past six are dropped, as in Python. */
function parseIsoTimeParts(text: string): [number, number, number, number] {
  const match = (text.length > 2 && text[2] === ':' ? ISO_TIME_EXTENDED : ISO_TIME_BASIC).exec(text);
  if (!match) throw invalidArgument(`invalid ISO 8601 time: ${quoted(text)}`);
  const fraction = match[4] === undefined ? 0 : Number(match[4].slice(0, 6).padEnd(6, '0'));
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0), fraction];
}

function parseIsoTime(text: string): ParsedTime {
  // The offset starts at the first '-', else the first '+', else a final 'Z'.
  const minus = text.indexOf('-');
  const zonePos = minus >= 0 ? minus : text.indexOf('+') >= 0 ? text.indexOf('+') : text.endsWith('Z') ? text.length - 1 : -1;
  const [hour, minute, second, microsecond] = parseIsoTimeParts(zonePos >= 0 ? text.slice(0, zonePos) : text);
  let tzinfo: PyTimezone | null = null;
  if (zonePos >= 0) {
    const zone = text.slice(zonePos + 1);
    if (text[zonePos] === 'Z') {
      tzinfo = PyTimezone.utc;
    } else {
      if (zone.length < 2 || zone.length === 3) throw invalidArgument(`malformed time zone: ${quoted(zone)}`);
      const [hh, mm, ss, us] = parseIsoTimeParts(zone);
      const sign = text[zonePos] === '-' ? -1 : 1;
      tzinfo = PyTimezone.of(PyTimedelta.of({ hours: sign * hh, minutes: sign * mm, seconds: sign * ss, microseconds: sign * us }));
    }
  }
  return { hour, minute, second, microsecond, tzinfo };
}

// ---- local time (a port of CPython's _pydatetime local-time probing) --------------------------

/** Wall-clock seconds since the epoch (as if UTC) of the local time at epoch second `u`. */
function localWallSeconds(u: number): number {
  const d = new Date(u * 1000);
  const ordinal = ymdToOrdinal(d.getFullYear(), d.getMonth() + 1, d.getDate());
  return (ordinal - EPOCH_ORDINAL) * 86400 + d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
}

/** Python's `datetime._mktime`: the epoch second of a local wall-clock time, honouring fold. */
function localToEpochSeconds(t: number, fold: 0 | 1): number {
  const maxFoldSeconds = 24 * 3600;
  const a = localWallSeconds(t) - t;
  const u1 = t - a;
  const t1 = localWallSeconds(u1);
  let b: number;
  if (t1 === t) {
    // One solution; there may be an earlier (fold 0) or a later (fold 1) one.
    const u2 = u1 + (fold === 1 ? maxFoldSeconds : -maxFoldSeconds);
    b = localWallSeconds(u2) - u2;
    if (a === b) return u1;
  } else {
    b = t1 - u1;
  }
  const u2 = t - b;
  const t2 = localWallSeconds(u2);
  if (t2 === t) return u2;
  if (t1 === t) return u1;
  // t falls in a gap: fold 0 gives the later instant, fold 1 the earlier, as Python does.
  return fold === 1 ? Math.min(u1, u2) : Math.max(u1, u2);
}

// ---- PyTimedelta ----------------------------------------------------------------------------

/** The units `PyTimedelta.of` takes, as Python's `timedelta(...)` keywords. */
export interface TimedeltaParts {
  weeks?: number | bigint;
  days?: number | bigint;
  hours?: number | bigint;
  minutes?: number | bigint;
  seconds?: number | bigint;
  milliseconds?: number | bigint;
  microseconds?: number | bigint;
}

/** C's round(): halves away from zero. */
function cRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * Total microseconds of `timedelta(**parts)`, exactly as CPython's delta_new computes it:
 * integer parts exactly, fractional parts in floating point, the leftover rounded half to even.
 */
function timedeltaMicroseconds(parts: TimedeltaParts): bigint {
  // The order CPython accumulates in, with each unit's size in microseconds.
  if (typeof parts !== 'object' || parts === null) throw invalidArgument('timedelta parts must be an object of units');
  const units: Array<[keyof TimedeltaParts, bigint]> = [
    ['microseconds', 1n],
    ['milliseconds', 1000n],
    ['seconds', 1_000_000n],
    ['minutes', 60_000_000n],
    ['hours', 3_600_000_000n],
    ['days', US_PER_DAY],
    ['weeks', 7n * US_PER_DAY],
  ];
  let total = 0n;
  let leftover = 0;
  for (const [name, factor] of units) {
    const value = parts[name];
    if (value === undefined) continue;
    if (typeof value === 'bigint') {
      total += value * factor;
      continue;
    }
    if (typeof value !== 'number') throw invalidArgument(`unsupported type for timedelta ${name} component: ${typeof value}`);
    if (!Number.isFinite(value)) throw invalidArgument(`cannot convert float ${value} to integer (timedelta ${name})`);
    const whole = Math.trunc(value);
    total += BigInt(whole) * factor;
    const fraction = value - whole;
    if (fraction === 0) continue;
    const scaled = Number(factor) * fraction;
    const scaledWhole = Math.trunc(scaled);
    total += BigInt(scaledWhole);
    leftover += scaled - scaledWhole;
  }
  if (leftover !== 0) {
    let whole = cRound(leftover);
    if (Math.abs(whole - leftover) === 0.5) {
      const odd = total % 2n !== 0n ? 1 : 0;
      whole = 2 * cRound((leftover + odd) * 0.5) - odd;
    }
    total += BigInt(whole);
  }
  return total;
}

/**
 * Python's `datetime.timedelta`: `days`, `seconds` (0..86399) and `microseconds` (0..999999),
 * normalized as Python does (so `-1 µs` is `days -1, seconds 86399, microseconds 999999`).
 */
export class PyTimedelta {
  /** Between -999999999 and 999999999. */
  readonly days: number;
  /** 0 ≤ seconds < 86400. */
  readonly seconds: number;
  /** 0 ≤ microseconds < 1000000. */
  readonly microseconds: number;

  /**
   * `timedelta(days, seconds, microseconds)`, normalized. Fractional numbers are accepted and
   * rounded as Python rounds them (to the nearest microsecond, half to even).
   */
  constructor(days: number | bigint = 0, seconds: number | bigint = 0, microseconds: number | bigint = 0) {
    if (
      typeof days === 'number' && Number.isInteger(days) && Math.abs(days) <= MAX_DELTA_DAYS &&
      typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 && seconds < 86400 &&
      typeof microseconds === 'number' && Number.isInteger(microseconds) && microseconds >= 0 && microseconds < US_PER_SECOND
    ) {
      // Already normalized: what every pickle holds.
      this.days = days + 0; // never -0
      this.seconds = seconds + 0;
      this.microseconds = microseconds + 0;
      return;
    }
    const total = timedeltaMicroseconds({ days, seconds, microseconds });
    [this.days, this.seconds, this.microseconds] = PyTimedelta.#split(total);
  }

  static #split(total: bigint): [number, number, number] {
    const days = floorDiv(total, US_PER_DAY);
    if (days > BigInt(MAX_DELTA_DAYS) || days < -BigInt(MAX_DELTA_DAYS)) {
      throw invalidArgument(`days=${days}; must have magnitude <= ${MAX_DELTA_DAYS}`);
    }
    const rest = total - days * US_PER_DAY;
    return [Number(days), Number(rest / 1_000_000n), Number(rest % 1_000_000n)];
  }

  /** `timedelta(weeks=…, days=…, hours=…, …)`: any mix of units, fractions allowed, as in Python. */
  static of(parts: TimedeltaParts): PyTimedelta {
    return PyTimedelta.fromMicroseconds(timedeltaMicroseconds(parts));
  }

  /** The timedelta of a whole number of microseconds. */
  static fromMicroseconds(total: bigint | number): PyTimedelta {
    if (typeof total !== 'bigint' && (typeof total !== 'number' || !Number.isSafeInteger(total))) {
      throw invalidArgument(`microseconds must be a safe integer or a bigint, not ${typeof total === 'number' ? total : typeof total}`);
    }
    const [days, seconds, microseconds] = PyTimedelta.#split(BigInt(total));
    return new PyTimedelta(days, seconds, microseconds);
  }

  /** The whole duration in microseconds (exact). */
  totalMicroseconds(): bigint {
    return BigInt(this.days) * US_PER_DAY + BigInt(this.seconds * US_PER_SECOND + this.microseconds);
  }

  /** Python's `total_seconds()`: the duration in seconds, as a float. */
  totalSeconds(): number {
    return Number(this.totalMicroseconds()) / US_PER_SECOND;
  }

  /** True for the zero duration (Python's `bool(td)` is false then). */
  isZero(): boolean {
    return this.days === 0 && this.seconds === 0 && this.microseconds === 0;
  }

  /** `-td`. */
  negate(): PyTimedelta {
    return PyTimedelta.fromMicroseconds(-this.totalMicroseconds());
  }

  /** Same days, seconds and microseconds. */
  equals(other: unknown): boolean {
    return other instanceof PyTimedelta && other.days === this.days && other.seconds === this.seconds &&
      other.microseconds === this.microseconds;
  }

  /** Python's `str(td)`: `'-1 day, 23:59:59.999999'`. */
  toString(): string {
    const hh = Math.floor(this.seconds / 3600);
    const mm = Math.floor(this.seconds / 60) % 60;
    const ss = this.seconds % 60;
    let text = `${hh}:${pad(mm, 2)}:${pad(ss, 2)}`;
    if (this.days) text = `${this.days} day${Math.abs(this.days) !== 1 ? 's' : ''}, ${text}`;
    if (this.microseconds) text += `.${pad(this.microseconds, 6)}`;
    return text;
  }
}

// ---- PyTimezone -----------------------------------------------------------------------------

/**
 * Python's `datetime.timezone`: a fixed UTC offset (strictly between -24 and +24 hours) and an
 * optional name. `PyTimezone.utc` is `timezone.utc`; as in Python, `PyTimezone.of(zero)` is that
 * very object, and loading `timezone(timedelta(0))` gives it too.
 */
export class PyTimezone {
  /** `datetime.timezone.utc`. */
  static readonly utc: PyTimezone = Object.freeze(new PyTimezone(Object.freeze(new PyTimedelta(0))));

  constructor(
    /** The offset from UTC. */
    readonly offset: PyTimedelta,
    /** The name given to `timezone(offset, name)`; null when none was (Python's `_name`). */
    readonly name: string | null = null,
  ) {
    if (!(offset instanceof PyTimedelta)) throw invalidArgument('the offset of a timezone must be a PyTimedelta');
    const us = offset.totalMicroseconds();
    if (us <= -US_PER_DAY || us >= US_PER_DAY) {
      throw invalidArgument('offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)');
    }
    if (name !== null && typeof name !== 'string') throw invalidArgument('the name of a timezone must be a string');
  }

  /** `timezone(offset[, name])` as Python builds it: a zero offset without a name is `utc` itself. */
  static of(offset: PyTimedelta, name?: string | null): PyTimezone {
    if ((name === undefined || name === null) && offset.isZero()) return PyTimezone.utc;
    return new PyTimezone(offset, name ?? null);
  }

  /** Python's `tzname()`: the name, or `'UTC'`, `'UTC+05:30'`, `'UTC-03:00:05.000007'`. */
  tzname(): string {
    if (this.name !== null) return this.name;
    if (this.offset.isZero()) return 'UTC';
    return `UTC${formatOffset(this.offset)}`;
  }

  /** Same offset and name (stricter than Python's `==`, which ignores the name). */
  equals(other: unknown): boolean {
    return other instanceof PyTimezone && other.offset.equals(this.offset) && other.name === this.name;
  }

  /** Python's `str(tz)`: its tzname. */
  toString(): string {
    return this.tzname();
  }
}

// ---- PyDate ---------------------------------------------------------------------------------

/** Python's `datetime.date`: year (1..9999), month, day. */
export class PyDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;

  constructor(year: number, month: number, day: number) {
    checkDate(year, month, day);
    this.year = year;
    this.month = month;
    this.day = day;
  }

  /** The date of a proleptic Gregorian ordinal (0001-01-01 is 1), as `date.fromordinal`. */
  static fromOrdinal(ordinal: number): PyDate {
    checkInt(ordinal, 'ordinal', 1, MAX_ORDINAL);
    const [y, m, d] = ordinalToYmd(ordinal);
    return new PyDate(y, m, d);
  }

  /** Python's `date.fromisoformat`: `'2024-01-31'`, `'20240131'`, `'2024-W05-3'`. */
  static fromISOString(text: string): PyDate {
    return parseIsoDate(isoText(text, 'PyDate.fromISOString'));
  }

  /**
   * The calendar date of a JavaScript Date: its UTC date by default, its local date with
   * `{ local: true }`.
   */
  static fromDate(date: Date, options: { local?: boolean } = {}): PyDate {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw invalidArgument('PyDate.fromDate expects a valid Date');
    return options?.local
      ? new PyDate(date.getFullYear(), date.getMonth() + 1, date.getDate())
      : new PyDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }

  /** Python's `toordinal()`. */
  toOrdinal(): number {
    return ymdToOrdinal(this.year, this.month, this.day);
  }

  /** Python's `weekday()`: Monday is 0, Sunday 6. */
  weekday(): number {
    return (this.toOrdinal() + 6) % 7;
  }

  /** Midnight UTC of this date, as a JavaScript Date. */
  toDate(): Date {
    return new Date((ymdToOrdinal(this.year, this.month, this.day) - EPOCH_ORDINAL) * 86_400_000);
  }

  /** Python's `isoformat()`: `'2024-01-31'`. */
  toISOString(): string {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }

  /** Same year, month and day. */
  equals(other: unknown): boolean {
    return other instanceof PyDate && other.year === this.year &&
      other.month === this.month && other.day === this.day;
  }

  /** Python's `str(date)`: the ISO form. */
  toString(): string {
    return this.toISOString();
  }

  /** JSON.stringify gives the ISO form. */
  toJSON(): string {
    return this.toISOString();
  }
}

// ---- PyDatetime -----------------------------------------------------------------------------

/** The fields `replace()` changes. */
export interface DatetimeFields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  microsecond?: number;
  tzinfo?: TzInfo | null;
  fold?: 0 | 1;
}

/** How `PyDatetime.toDate()` may convert. */
export interface ToDateOptions {
  /**
   * How to read a naive datetime (no tzinfo): as a UTC wall-clock time, or as the local time of
   * this JavaScript runtime (honouring `fold`, as Python's `timestamp()` does). A naive datetime
   * without this option is an error.
   */
  naive?: 'utc' | 'local';
  /**
   * Drop the sub-millisecond part (toward the past) instead of throwing when microseconds are
   * not a whole number of milliseconds.
   */
  truncate?: boolean;
}

/**
 * Python's `datetime.datetime`: a date, a time of day down to the microsecond, a `tzinfo` (null
 * when naive) and `fold` (1 for the second of two equal wall-clock times at a DST change).
 * Unlike Python, where datetime subclasses date, it is not an `instanceof PyDate`.
 */
export class PyDatetime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  readonly tzinfo: TzInfo | null;
  readonly fold: 0 | 1;

  constructor(
    year: number,
    month: number,
    day: number,
    hour = 0,
    minute = 0,
    second = 0,
    microsecond = 0,
    tzinfo: TzInfo | null = null,
    fold: 0 | 1 = 0,
  ) {
    checkDate(year, month, day);
    checkTime(hour, minute, second, microsecond);
    this.year = year;
    this.month = month;
    this.day = day;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.microsecond = microsecond;
    this.tzinfo = checkTzInfo(tzinfo);
    this.fold = checkFold(fold);
  }

  /**
   * A JavaScript Date as a datetime. `tz` says which wall clock to read it on: a `PyTimezone`
   * (default `PyTimezone.utc`) gives an aware datetime at that offset, `null` a naive one in UTC
   * (Python's `utcfromtimestamp`), `'local'` a naive one in this runtime's local time, with `fold`
   * set as Python's `fromtimestamp` sets it.
   */
  static fromDate(date: Date, options: { tz?: PyTimezone | null | 'local' } = {}): PyDatetime {
    if (!(date instanceof Date)) throw invalidArgument('PyDatetime.fromDate expects a Date');
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw invalidArgument('invalid Date');
    const tz = options?.tz === undefined ? PyTimezone.utc : options.tz;
    if (tz === 'local') {
      const fields = (d: Date): [number, number, number, number, number, number] =>
        [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
      const us = (((ms % 1000) + 1000) % 1000) * 1000;
      const result = new PyDatetime(...fields(date), us);
      // Probe 24 hours back for a transition, then whether this wall time also occurred earlier.
      const seconds = Math.floor(ms / 1000);
      const maxFold = 24 * 3600;
      const probe1 = PyDatetime.#wallSeconds(new PyDatetime(...fields(new Date((seconds - maxFold) * 1000))));
      const wall = PyDatetime.#wallSeconds(result);
      const transition = wall - probe1 - maxFold;
      if (transition < 0) {
        const probe2 = PyDatetime.#wallSeconds(new PyDatetime(...fields(new Date((seconds + transition) * 1000))));
        if (probe2 === wall) return result.replace({ fold: 1 });
      }
      return result;
    }
    if (tz !== null && !(tz instanceof PyTimezone)) throw invalidArgument("tz must be a PyTimezone, null or 'local'");
    const wallUs = BigInt(ms) * 1000n + (tz === null ? 0n : tz.offset.totalMicroseconds());
    return PyDatetime.#fromWallMicroseconds(wallUs, tz);
  }

  /**
   * Microseconds since 1970-01-01T00:00:00Z as a datetime (exact, unlike a Date); aware at `tz`
   * (default UTC), or naive in UTC with `tz: null`.
   */
  static fromEpochMicroseconds(us: bigint, tz: PyTimezone | null = PyTimezone.utc): PyDatetime {
    if (typeof us !== 'bigint') throw invalidArgument(`microseconds must be a bigint, not ${typeof us}`);
    if (tz !== null && !(tz instanceof PyTimezone)) throw invalidArgument('tz must be a PyTimezone or null');
    return PyDatetime.#fromWallMicroseconds(us + (tz === null ? 0n : tz.offset.totalMicroseconds()), tz);
  }

  static #fromWallMicroseconds(wallUs: bigint, tzinfo: TzInfo | null): PyDatetime {
    const days = floorDiv(wallUs, US_PER_DAY);
    const ordinal = Number(days) + EPOCH_ORDINAL;
    if (ordinal < 1 || ordinal > MAX_ORDINAL) throw invalidArgument('date value out of range (years 1..9999)');
    const [year, month, day] = ordinalToYmd(ordinal);
    const rest = Number(wallUs - days * US_PER_DAY);
    const seconds = Math.floor(rest / US_PER_SECOND);
    return new PyDatetime(
      year, month, day,
      Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60,
      rest % US_PER_SECOND, tzinfo,
    );
  }

  /** Wall-clock seconds since 1970-01-01 (as if UTC), microseconds ignored. */
  static #wallSeconds(dt: PyDatetime): number {
    return (dt.toOrdinal() - EPOCH_ORDINAL) * 86400 + dt.hour * 3600 + dt.minute * 60 + dt.second;
  }

  /**
   * Python's `datetime.fromisoformat` (3.11): `'2024-01-31T12:30:00.123456+05:30'`, `'…Z'`, basic
   * forms such as `'20240131T123000'`, week dates; any single character may separate date and
   * time. A zero offset gives `PyTimezone.utc`.
   */
  static fromISOString(text: string): PyDatetime {
    if (isoText(text, 'PyDatetime.fromISOString').length < 7) throw invalidArgument(`invalid ISO 8601 datetime: ${quoted(text)}`);
    const dateLength = isoDateLength(text);
    const date = parseIsoDate(text.slice(0, dateLength));
    if (text.length === dateLength) return new PyDatetime(date.year, date.month, date.day);
    // Any one character (a code point) separates the date from the time, which must follow (as
    // CPython's C datetime requires; its pure-Python one reads '2024-01-31T' as midnight).
    const rest = Array.from(text.slice(dateLength)).slice(1).join('');
    if (rest === '') throw invalidArgument(`invalid ISO 8601 datetime: ${quoted(text)} (a separator without a time)`);
    const time = parseIsoTime(rest);
    return new PyDatetime(date.year, date.month, date.day, time.hour, time.minute, time.second, time.microsecond, time.tzinfo);
  }

  /** Python's `toordinal()` of the date part. */
  toOrdinal(): number {
    return ymdToOrdinal(this.year, this.month, this.day);
  }

  /** Python's `weekday()`: Monday is 0, Sunday 6. */
  weekday(): number {
    return (this.toOrdinal() + 6) % 7;
  }

  /** The date part. */
  date(): PyDate {
    return new PyDate(this.year, this.month, this.day);
  }

  /** The time part without tzinfo (Python's `time()`). */
  time(): PyTime {
    return new PyTime(this.hour, this.minute, this.second, this.microsecond, null, this.fold);
  }

  /** The time part with tzinfo (Python's `timetz()`). */
  timetz(): PyTime {
    return new PyTime(this.hour, this.minute, this.second, this.microsecond, this.tzinfo, this.fold);
  }

  /** A copy with some fields changed, as Python's `replace()`. */
  replace(changes: DatetimeFields): PyDatetime {
    const c = { ...this.#fields(), ...changes };
    return new PyDatetime(c.year, c.month, c.day, c.hour, c.minute, c.second, c.microsecond, c.tzinfo, c.fold);
  }

  #fields(): Required<DatetimeFields> {
    const { year, month, day, hour, minute, second, microsecond, tzinfo, fold } = this;
    return { year, month, day, hour, minute, second, microsecond, tzinfo, fold };
  }

  /** The UTC offset: null when naive; throws when the tzinfo is not a PyTimezone (unknown here). */
  utcoffset(): PyTimedelta | null {
    return knownOffset(this.tzinfo, 'datetime');
  }

  /**
   * Microseconds since 1970-01-01T00:00:00Z (exact). A naive datetime needs `naive` to say how
   * to read it (see `toDate`).
   */
  toEpochMicroseconds(options: Pick<ToDateOptions, 'naive'> = {}): bigint {
    const offset = this.utcoffset();
    if (offset === null) {
      if (options.naive === 'utc') return this.#wallMicroseconds();
      if (options.naive === 'local') {
        const seconds = localToEpochSeconds(PyDatetime.#wallSeconds(this), this.fold);
        return BigInt(seconds) * 1_000_000n + BigInt(this.microsecond);
      }
      throw invalidArgument("a naive datetime has no time zone: pass { naive: 'utc' } or { naive: 'local' } to say how to read it");
    }
    return this.#wallMicroseconds() - offset.totalMicroseconds();
  }

  #wallMicroseconds(): bigint {
    return BigInt(PyDatetime.#wallSeconds(this)) * 1_000_000n + BigInt(this.microsecond);
  }

  /**
   * The instant as a JavaScript Date. Exact or an error: a naive datetime needs `naive`, an
   * unknown tzinfo (a zoneinfo/pytz placeholder) is an error, and microseconds that are not
   * whole milliseconds are an error unless `truncate` is set.
   */
  toDate(options: ToDateOptions = {}): Date {
    const us = this.toEpochMicroseconds(options);
    const ms = floorDiv(us, 1000n);
    if (ms * 1000n !== us && !options.truncate) {
      throw invalidArgument(
        `${this.toISOString()} has microseconds a Date cannot hold: pass { truncate: true } to drop them`,
      );
    }
    return new Date(Number(ms));
  }

  /**
   * Python's `isoformat(sep)`: `'2024-01-31T12:30:00.000123+05:30'`. The offset is written for a
   * PyTimezone; any other tzinfo (unknown here) is an error.
   */
  toISOString(sep = 'T'): string {
    const offset = this.utcoffset();
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}${sep}${formatTime(this.hour, this.minute, this.second, this.microsecond)}` +
      (offset === null ? '' : formatOffset(offset));
  }

  /** Every field equal (a PyTimezone by value, any other tzinfo by identity). */
  equals(other: unknown): boolean {
    return other instanceof PyDatetime && other.year === this.year && other.month === this.month &&
      other.day === this.day && other.hour === this.hour && other.minute === this.minute &&
      other.second === this.second && other.microsecond === this.microsecond && other.fold === this.fold &&
      sameTzInfo(other.tzinfo, this.tzinfo);
  }

  /** Python's `str(dt)`: the ISO form with a space. */
  toString(): string {
    return this.toISOString(' ');
  }

  toJSON(): string {
    return this.toISOString();
  }
}

function sameTzInfo(a: TzInfo | null, b: TzInfo | null): boolean {
  return a === b || (a instanceof PyTimezone && a.equals(b));
}

// ---- PyTime ---------------------------------------------------------------------------------

/** The fields `PyTime.replace()` changes. */
export type TimeFields = Pick<DatetimeFields, 'hour' | 'minute' | 'second' | 'microsecond' | 'tzinfo' | 'fold'>;

/** Python's `datetime.time`: a time of day to the microsecond, a `tzinfo` and `fold`. */
export class PyTime {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  readonly tzinfo: TzInfo | null;
  readonly fold: 0 | 1;

  constructor(hour = 0, minute = 0, second = 0, microsecond = 0, tzinfo: TzInfo | null = null, fold: 0 | 1 = 0) {
    checkTime(hour, minute, second, microsecond);
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.microsecond = microsecond;
    this.tzinfo = checkTzInfo(tzinfo);
    this.fold = checkFold(fold);
  }

  /** Python's `time.fromisoformat`: `'12:30'`, `'12:30:00.5+01:00'`, `'T1230Z'`… */
  static fromISOString(text: string): PyTime {
    const time = parseIsoTime(isoText(text, 'PyTime.fromISOString').startsWith('T') ? text.slice(1) : text);
    return new PyTime(time.hour, time.minute, time.second, time.microsecond, time.tzinfo);
  }

  /** A copy with some fields changed, as Python's `replace()`. */
  replace(changes: TimeFields): PyTime {
    const { hour, minute, second, microsecond, tzinfo, fold } = this;
    const c = { hour, minute, second, microsecond, tzinfo, fold, ...changes };
    return new PyTime(c.hour, c.minute, c.second, c.microsecond, c.tzinfo, c.fold);
  }

  /** The UTC offset: null when naive; throws when the tzinfo is not a PyTimezone (unknown here). */
  utcoffset(): PyTimedelta | null {
    return knownOffset(this.tzinfo, 'time');
  }

  /** Python's `isoformat()`: `'12:30:00.000123+05:30'`. */
  toISOString(): string {
    const offset = this.utcoffset();
    return formatTime(this.hour, this.minute, this.second, this.microsecond) + (offset === null ? '' : formatOffset(offset));
  }

  /** Every field equal (a PyTimezone by value, any other tzinfo by identity). */
  equals(other: unknown): boolean {
    return other instanceof PyTime && other.hour === this.hour && other.minute === this.minute &&
      other.second === this.second && other.microsecond === this.microsecond && other.fold === this.fold &&
      sameTzInfo(other.tzinfo, this.tzinfo);
  }

  /** Python's `str(t)`: the ISO form. */
  toString(): string {
    return this.toISOString();
  }

  toJSON(): string {
    return this.toISOString();
  }
}

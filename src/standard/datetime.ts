// Handlers for Python's datetime types: datetime, date, time, timedelta and timezone. Each is a
// plain PyClassHandler built with the public API, so this file doubles as an example of teaching
// the package a class: `call` rebuilds the value from what REDUCE passes, `jsClass` + `reduce`
// write it back exactly as CPython's `__reduce_ex__(protocol)` does.
//
// How CPython pickles them (Modules/_datetimemodule.c):
//   datetime  → (datetime, (state,)) or (datetime, (state, tzinfo)); state is 10 bytes: year (2,
//               big-endian), month, day, hour, minute, second, microsecond (3, big-endian). From
//               protocol 4 on, fold=1 sets bit 7 of the month byte; below 4 fold is not written.
//   time      → (time, (state[, tzinfo])); 6 bytes: hour, minute, second, microsecond (3); fold
//               in bit 7 of the hour byte, again only from protocol 4.
//   date      → (date, (state,)); 4 bytes: year (2), month, day.
//   timedelta → (timedelta, (days, seconds, microseconds)).
//   timezone  → (timezone, (offset,)) or (timezone, (offset, name)); timezone.utc is the former.
// Below protocol 3 the state bytes travel as _codecs.encode(latin-1 text), which the builtins
// handler turns back into bytes before these handlers see them. Python 2 pickles hold the state
// as a str: loaded with encoding 'latin1' it arrives as text of code points < 256, with 'bytes'
// as bytes; both are accepted, as Python 3 accepts them.
import { hashedAs } from '../codec/python-hash.js';
import type { PyClassHandler, Reduction } from '../registry/registry.js';
import { PyDate, PyDatetime, PyTime, PyTimedelta, PyTimezone, type TzInfo } from '../values/datetime.js';
import { dictEntries, type PyDict } from '../values/dict.js';
import { PyFloat } from '../values/float.js';
import { PyGlobal } from '../values/global.js';
import { tuple } from '../values/tuple.js';

const DATETIME = new PyGlobal('datetime', 'datetime');
const DATE = new PyGlobal('datetime', 'date');
const TIME = new PyGlobal('datetime', 'time');
const TIMEDELTA = new PyGlobal('datetime', 'timedelta');
const TIMEZONE = new PyGlobal('datetime', 'timezone');

// ---- equality as dict keys (hashAs) ---------------------------------------------------------
// Python compares naive values by their fields (fold aside) and aware ones as instants: with a
// PyTimezone the offset is known, and the instant is the key. With another tzinfo (a zoneinfo
// placeholder) the offset is unknown here: values with the same tzinfo object compare by their
// fields, as in Python; values with different ones are taken to differ.

/** Microseconds since 0001-01-01 of a wall time on a date. */
function wallMicroseconds(ordinal: number, hour: number, minute: number, second: number, microsecond: number): bigint {
  return BigInt(ordinal) * 86_400_000_000n + BigInt(((hour * 60 + minute) * 60 + second) * 1_000_000 + microsecond);
}

function datetimeHashAs(dt: PyDatetime): unknown {
  const { tzinfo } = dt;
  const wall = wallMicroseconds(dt.toOrdinal(), dt.hour, dt.minute, dt.second, dt.microsecond);
  if (tzinfo === null) return hashedAs('datetime.datetime', wall);
  if (tzinfo instanceof PyTimezone) return hashedAs('datetime.datetime aware', wall - tzinfo.offset.totalMicroseconds());
  return hashedAs('datetime.datetime in tzinfo', tuple(tzinfo, wall));
}

function timeHashAs(t: PyTime): unknown {
  const { tzinfo } = t;
  const wall = wallMicroseconds(0, t.hour, t.minute, t.second, t.microsecond);
  if (tzinfo === null) return hashedAs('datetime.time', wall);
  if (tzinfo instanceof PyTimezone) return hashedAs('datetime.time aware', wall - tzinfo.offset.totalMicroseconds());
  return hashedAs('datetime.time in tzinfo', tuple(tzinfo, wall));
}

// ---- argument helpers -----------------------------------------------------------------------

/**
 * Binds positional arguments and keyword arguments (NEWOBJ_EX gives those) to parameter names,
 * as a Python call does: `positional` may be passed either way, `keywordOnly` only by name.
 */
function bind(
  callee: string,
  args: readonly unknown[],
  kwargs: PyDict | undefined,
  positional: readonly string[],
  keywordOnly: readonly string[] = [],
): Map<string, unknown> {
  if (args.length > positional.length) {
    throw new TypeError(`${callee}() takes at most ${positional.length} positional arguments (${args.length} given)`);
  }
  const bound = new Map<string, unknown>();
  args.forEach((value, i) => bound.set(positional[i]!, value));
  for (const [key, value] of kwargs ? dictEntries(kwargs) : []) {
    if (typeof key !== 'string' || (!positional.includes(key) && !keywordOnly.includes(key))) {
      throw new TypeError(`${callee}() got an unexpected keyword argument ${String(key)}`);
    }
    if (bound.has(key)) throw new TypeError(`${callee}() got multiple values for argument '${key}'`);
    bound.set(key, value);
  }
  return bound;
}

/** An int argument (number, bigint or bool), as a number; Python refuses floats here. */
function intArg(value: unknown, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new TypeError(`missing required argument '${name}'`);
    return fallback;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError(`${name} is out of range`);
    }
    return Number(value);
  }
  throw new TypeError(`'${name}' must be an integer`);
}

/** A tzinfo argument: None, a PyTimezone, or any object (a placeholder or a registered class). */
function tzArg(value: unknown): TzInfo | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') throw new TypeError('bad tzinfo state arg');
  return value;
}

function foldArg(value: unknown): 0 | 1 {
  const fold = intArg(value, 'fold', 0);
  if (fold !== 0 && fold !== 1) throw new RangeError('fold must be either 0 or 1');
  return fold;
}

/**
 * The pickled state of a datetime, time or date: bytes of the given size, or (Python 2) text
 * of that many latin-1 characters. `looksRight` checks the byte Python checks to tell the pickle
 * form from a call with a year (or hour) first. Undefined when `value` is not such a state.
 */
function pickledState(value: unknown, size: number, looksRight: (byteAt: (i: number) => number) => boolean): Uint8Array | undefined {
  if (value instanceof Uint8Array) {
    return value.length === size && looksRight((i) => value[i]!) ? value : undefined;
  }
  if (typeof value !== 'string' || value.length !== size || !looksRight((i) => value.charCodeAt(i))) return undefined;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) {
      throw new RangeError("failed to encode latin1 string when unpickling a datetime object: load with encoding 'latin1'");
    }
    bytes[i] = code;
  }
  return bytes;
}

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u24 = (b: Uint8Array, at: number): number => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;

function putU24(b: Uint8Array, at: number, value: number): void {
  b[at] = value >> 16;
  b[at + 1] = (value >> 8) & 0xff;
  b[at + 2] = value & 0xff;
}

// ---- datetime.datetime ----------------------------------------------------------------------

/** `datetime(state[, tzinfo])` from a pickle, or `datetime(year, month, day, …, tzinfo, *, fold)`. */
function makeDatetime(args: readonly unknown[], kwargs?: PyDict): PyDatetime {
  const state = args.length <= 2 && !kwargs
    ? pickledState(args[0], 10, (at) => (at(2) & 0x7f) >= 1 && (at(2) & 0x7f) <= 12)
    : undefined;
  if (state) {
    return new PyDatetime(
      u16(state, 0), state[2]! & 0x7f, state[3]!, state[4]!, state[5]!, state[6]!, u24(state, 7),
      tzArg(args[1]), (state[2]! >> 7) as 0 | 1,
    );
  }
  const a = bind('datetime', args, kwargs, ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'tzinfo'], ['fold']);
  return new PyDatetime(
    intArg(a.get('year'), 'year'), intArg(a.get('month'), 'month'), intArg(a.get('day'), 'day'),
    intArg(a.get('hour'), 'hour', 0), intArg(a.get('minute'), 'minute', 0), intArg(a.get('second'), 'second', 0),
    intArg(a.get('microsecond'), 'microsecond', 0), tzArg(a.get('tzinfo')), foldArg(a.get('fold')),
  );
}

const datetimeHandler: PyClassHandler<PyDatetime> = {
  module: 'datetime',
  name: 'datetime',
  jsClass: PyDatetime,
  call: (args) => makeDatetime(args),
  newInstance: (args, kwargs) => makeDatetime(args, kwargs),
  reduce(dt, protocol): Reduction {
    const state = new Uint8Array(10);
    state[0] = dt.year >> 8;
    state[1] = dt.year & 0xff;
    state[2] = dt.month | (protocol > 3 && dt.fold ? 0x80 : 0);
    state[3] = dt.day;
    state[4] = dt.hour;
    state[5] = dt.minute;
    state[6] = dt.second;
    putU24(state, 7, dt.microsecond);
    return [DATETIME, dt.tzinfo === null ? [state] : [state, dt.tzinfo]];
  },
  hashAs: datetimeHashAs,
};

// ---- datetime.date --------------------------------------------------------------------------

function makeDate(args: readonly unknown[], kwargs?: PyDict): PyDate {
  const state = args.length === 1 && !kwargs
    ? pickledState(args[0], 4, (at) => at(2) >= 1 && at(2) <= 12)
    : undefined;
  if (state) return new PyDate(u16(state, 0), state[2]!, state[3]!);
  const a = bind('date', args, kwargs, ['year', 'month', 'day']);
  return new PyDate(intArg(a.get('year'), 'year'), intArg(a.get('month'), 'month'), intArg(a.get('day'), 'day'));
}

const dateHandler: PyClassHandler<PyDate> = {
  module: 'datetime',
  name: 'date',
  jsClass: PyDate,
  call: (args) => makeDate(args),
  newInstance: (args, kwargs) => makeDate(args, kwargs),
  reduce: (d) => [DATE, [Uint8Array.of(d.year >> 8, d.year & 0xff, d.month, d.day)]],
  hashAs: (d) => hashedAs('datetime.date', d.toOrdinal()),
};

// ---- datetime.time --------------------------------------------------------------------------

function makeTime(args: readonly unknown[], kwargs?: PyDict): PyTime {
  const state = args.length >= 1 && args.length <= 2 && !kwargs
    ? pickledState(args[0], 6, (at) => (at(0) & 0x7f) < 24)
    : undefined;
  if (state) {
    return new PyTime(state[0]! & 0x7f, state[1]!, state[2]!, u24(state, 3), tzArg(args[1]), (state[0]! >> 7) as 0 | 1);
  }
  const a = bind('time', args, kwargs, ['hour', 'minute', 'second', 'microsecond', 'tzinfo'], ['fold']);
  return new PyTime(
    intArg(a.get('hour'), 'hour', 0), intArg(a.get('minute'), 'minute', 0), intArg(a.get('second'), 'second', 0),
    intArg(a.get('microsecond'), 'microsecond', 0), tzArg(a.get('tzinfo')), foldArg(a.get('fold')),
  );
}

const timeHandler: PyClassHandler<PyTime> = {
  module: 'datetime',
  name: 'time',
  jsClass: PyTime,
  call: (args) => makeTime(args),
  newInstance: (args, kwargs) => makeTime(args, kwargs),
  reduce(t, protocol): Reduction {
    const state = new Uint8Array(6);
    state[0] = t.hour | (protocol > 3 && t.fold ? 0x80 : 0);
    state[1] = t.minute;
    state[2] = t.second;
    putU24(state, 3, t.microsecond);
    return [TIME, t.tzinfo === null ? [state] : [state, t.tzinfo]];
  },
  hashAs: timeHashAs,
};

// ---- datetime.timedelta ---------------------------------------------------------------------

const TIMEDELTA_UNITS = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'] as const;

/** `timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)`, floats allowed. */
function makeTimedelta(args: readonly unknown[], kwargs?: PyDict): PyTimedelta {
  const a = bind('timedelta', args, kwargs, TIMEDELTA_UNITS);
  const parts: Record<string, number | bigint> = {};
  for (const [unit, value] of a) {
    const v = value instanceof PyFloat ? value.value : typeof value === 'boolean' ? Number(value) : value;
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new TypeError(`unsupported type for timedelta ${unit} component`);
    parts[unit] = v;
  }
  return PyTimedelta.of(parts);
}

const timedeltaHandler: PyClassHandler<PyTimedelta> = {
  module: 'datetime',
  name: 'timedelta',
  jsClass: PyTimedelta,
  call: (args) => makeTimedelta(args),
  newInstance: (args, kwargs) => makeTimedelta(args, kwargs),
  reduce: (td) => [TIMEDELTA, [td.days, td.seconds, td.microseconds]],
  hashAs: (td) => hashedAs('datetime.timedelta', td.totalMicroseconds()),
};

// ---- datetime.timezone ----------------------------------------------------------------------

/** `timezone(offset[, name])`; a zero offset without a name is `timezone.utc` itself, as in Python. */
function makeTimezone(args: readonly unknown[], kwargs?: PyDict): PyTimezone {
  const a = bind('timezone', args, kwargs, ['offset', 'name']);
  const offset = a.get('offset');
  const name = a.get('name');
  if (!(offset instanceof PyTimedelta)) throw new TypeError('timezone() argument 1 must be datetime.timedelta');
  if (name !== undefined && typeof name !== 'string') throw new TypeError('timezone() argument 2 must be str');
  return PyTimezone.of(offset, name);
}

const timezoneHandler: PyClassHandler<PyTimezone> = {
  module: 'datetime',
  name: 'timezone',
  jsClass: PyTimezone,
  call: (args) => makeTimezone(args),
  newInstance: (args, kwargs) => makeTimezone(args, kwargs),
  reduce: (tz) => [TIMEZONE, tz.name === null ? [tz.offset] : [tz.offset, tz.name]],
  // Python's timezone equality ignores the name.
  hashAs: (tz) => hashedAs('datetime.timezone', tz.offset.totalMicroseconds()),
};

/** Handlers for Python's datetime types. */
export const DATETIME_HANDLERS: readonly PyClassHandler[] = [
  datetimeHandler,
  dateHandler,
  timeHandler,
  timedeltaHandler,
  timezoneHandler,
] as readonly PyClassHandler[];

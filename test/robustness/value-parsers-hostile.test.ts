// The value classes' parsers and constructors under hostile arguments: huge strings, control
// characters, lone surrogates, malformed text, patterns that make a backtracking regex explode,
// values of the wrong type. Each gives a value or a PickleError coded INVALID_ARGUMENT, never a
// TypeError, RangeError or SyntaxError, in time linear in the input. Where Python decides (what
// Decimal, Fraction, UUID, fromisoformat and numpy.dtype accept), python3 is the oracle. For
// fromisoformat CPython disagrees with itself: its C datetime reads digits after the seconds of a
// time without separators as a fraction ('123456789' as 12:34:56.789), its pure-Python one
// refuses them but reads non-ASCII digits ('２０２４-01-31'), which the C one refuses. This
// package refuses both: what it parses must be what both parse, what it refuses one refuses.
import { afterAll, describe, expect, it } from 'vitest';
import {
  NdArray,
  NdDtype,
  NumpyScalar,
  PickleBuffer,
  PickleError,
  PyDate,
  PyDatetime,
  PyDecimal,
  PyDeque,
  PyFraction,
  PyGlobal,
  PyTime,
  PyTimedelta,
  PyTimezone,
  PyUUID,
} from '../../src/index.js';
import { removeSourceBundle, runScript } from '../helpers/child-script.js';
import { describeWithPython, runPython } from '../helpers/python.js';

afterAll(removeSourceBundle);

type Outcome = { ok: string } | { error: string };

/** Each parser, as the oracle script names it, with what a parsed value is compared by. */
const PARSERS: Record<string, (text: string) => string> = {
  decimal: (text) => new PyDecimal(text).toString(),
  fraction: (text) => PyFraction.from(text).toString(),
  uuid: (text) => new PyUUID(text).hex,
  date: (text) => PyDate.fromISOString(text).toISOString(),
  datetime: (text) => PyDatetime.fromISOString(text).toISOString(),
  time: (text) => PyTime.fromISOString(text).toISOString(),
  dtype: (text) => new NdDtype(text).str,
};

/** What our parser does with `text`: the value's text, or the error's code (any other error fails the test). */
function ours(parser: string, text: string): Outcome {
  try {
    return { ok: PARSERS[parser]!(text) };
  } catch (error) {
    if (!(error instanceof PickleError)) throw new Error(`${parser}(${JSON.stringify(text.slice(0, 60))}) threw ${String(error)}`, { cause: error });
    return { error: error.code };
  }
}

const UUID = '12345678123456781234567812345678';
/** Inputs every parser gets: hostile in general. */
const COMMON: string[] = [
  '', ' ', '\x00', '1\x00', '\x001', '\u2028', '\ud800', '1\ud800', '\udc00', '\u{1F600}', '\t\n\r\x0b\x0c',
  '٣', '١٢٣', '1'.repeat(5000), '-'.repeat(10_000), '_'.repeat(1000), `${'1_'.repeat(1000)}1`, '+-1', '--1',
  'NaN', 'nan', 'sNaN', '-sNaN12', 'Inf', '-Infinity', 'infinity', 'inf1', 'NaN١',
  '0', '-0', '00', '1.', '.1', '.', '1e', 'e1', '1e5', '1E-5', '1e+5', '1.5e-3', '1_000', '1__000', '_1', '1_', '1_.5', '1._5',
  '1/2', '-3/4', '1/0', '0/0', '1/-2', '1 /2', '1/ 2', '1/2/3', '1.5/2', '1e5/2', ' 3/4 ', '1_0/2_0', '0x10', '1j',
  UUID, `{${UUID}}`, `{{{${UUID}}}}`, `urn:uuid:${UUID}`, 'urn:uuid:', `${'{'.repeat(10_000)}${UUID}${'}'.repeat(10_000)}`,
  '12345678-1234-5678-1234-567812345678', '12345678-1234-5678-1234-56781234567g', `${UUID}0`, UUID.toUpperCase(), `-${UUID}-`,
  '2024-01-31', '2024-02-29', '2023-02-29', '2024-13-01', '0000-01-01', '9999-12-31', '20240131', '2024-W05-3', '2024W053',
  '2024-W53', '2020-W53-7', '2024-W00', '2024-W05-8', '2024-001', '2024-1-1', '２０２４-01-31', '2024-01-3１',
  '2024-01-31T12:30:00', '2024-01-31 12:30', '2024-01-31T12', '2024-01-31T1230', '2024-01-31T', '2024-01-31T25:00',
  '2024-01-31T12:30:00.1234567', '2024-01-31T12:30:00,5', '2024-01-31T12:30:00.', '2024-01-31T12:30:60',
  '2024-01-31T12:30+05:30', '2024-01-31T12:30-05', '2024-01-31T12:30Z', '2024-01-31T12:30+24:00', '2024-01-31T12:30+23:59:59.999999',
  '2024-01-31T12:30+0530', '2024-01-31T12:30+5', '2024-01-31T12:30+05:3', '2024-01-31T12:30z', '2024-01-31\u{1F600}12:30',
  '2024-01-31T12:30:00+', '2024-01-31T12:30:00-', '2024-01-31T-12:30', '2024-01-31T12:30:00+05:30Z',
  '12:30', '12:30:00.5+01:00', 'T1230Z', 'T', '24:00', '12', '1', '123', '12:3', '12:30:00.123456789', '12:30:00.1+1',
  'f8', '<f4', '>i2', '|b1', '=u8', '!f8', 'float32', 'int64', 'bool', 'U10', 'S5', 'V12', 'O', 'M8[ms]', 'datetime64[ns]',
  '<M8[10us]', 'm8', 'e', '?', 'i3', 'f16', 'U', 'a5', 'c8', 'constructor', 'toString', '__proto__', 'hasOwnProperty',
  'M8[', 'M8[]]', 'M8[[ms]', `M8${'['.repeat(10_000)}ms]`, 'M8[0ms]', 'M8[99999999999999999999ms]', `S${'9'.repeat(30)}`, 'U2147483648',
];

/** Big inputs that stress linearity (a backtracking regex or quadratic loop would not finish). */
const BIG: string[] = [
  '1'.repeat(1_000_000),
  `${'1'.repeat(1_000_000)}x`,
  `${'1_'.repeat(500_000)}x`,
  `1.${'1'.repeat(1_000_000)}e`,
  `1e${'9'.repeat(1_000_000)}`,
  `${'1'.repeat(500_000)}/${'1'.repeat(500_000)}`,
  ' '.repeat(1_000_000),
  `${' '.repeat(500_000)}1${' '.repeat(500_000)}`,
  '{'.repeat(1_000_000),
  `${'{}'.repeat(500_000)}${UUID}`,
  `${'-'.repeat(1_000_000)}${UUID}`,
  `2024-01-31T12:30:00.${'1'.repeat(1_000_000)}`,
  `2024-01-31T12:30:00+${'0'.repeat(1_000_000)}`,
  `2024-01-31T${'1'.repeat(1_000_000)}`,
  `2024-W${'1'.repeat(1_000_000)}`,
  `12:30:00${'-'.repeat(1_000_000)}`,
  `M8[${'1'.repeat(1_000_000)}ms]`,
  `${'<'.repeat(1_000_000)}f8`,
  '\x00'.repeat(1_000_000),
  '\ud800'.repeat(500_000),
];

describeWithPython('the parsers agree with Python on what they accept', () => {
  const script = `
import json, sys, uuid, decimal, fractions
try:
    import numpy
except ImportError:
    numpy = None
import datetime as cdatetime
# The pure-Python datetime, imported afresh once numpy and cdatetime hold the C one.
sys.modules.pop('datetime', None)
sys.modules['_datetime'] = None
import datetime as pydatetime
def both(parse):
    def parse_both(s):
        c, py = parse(cdatetime, s), parse(pydatetime, s)
        if c != py:
            raise ValueError('CPython implementations disagree')
        return c
    return parse_both
parsers = {
    'decimal': lambda s: str(decimal.Decimal(s)),
    'fraction': lambda s: str(fractions.Fraction(s)),
    'uuid': lambda s: uuid.UUID(s).hex,
    'date': both(lambda m, s: m.date.fromisoformat(s).isoformat()),
    'datetime': both(lambda m, s: m.datetime.fromisoformat(s).isoformat()),
    'time': both(lambda m, s: m.time.fromisoformat(s).isoformat()),
    'dtype': lambda s: numpy.dtype(s).str,
}
inputs = json.loads(sys.stdin.read())
out = {}
for name, parse in parsers.items():
    results = []
    for text in inputs:
        try:
            results.append({'ok': parse(text)})
        except Exception as error:
            results.append({'error': type(error).__name__})
    out[name] = results
print(json.dumps(out))
`;
  const expected = JSON.parse(runPython(script, JSON.stringify(COMMON)).toString()) as Record<string, Outcome[]>;

  for (const parser of Object.keys(PARSERS)) {
    it(`${parser}: the same value where Python parses, INVALID_ARGUMENT where it refuses`, () => {
      const disagreements: string[] = [];
      COMMON.forEach((text, i) => {
        const theirs = expected[parser]![i]!;
        const mine = ours(parser, text);
        if ('ok' in mine && 'error' in mine) throw new Error('unreachable');
        const label = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
        if ('error' in mine) {
          expect(mine.error, label).toBe('INVALID_ARGUMENT');
          // numpy accepts many names this package does not know; refusing those is allowed.
          if ('ok' in theirs && parser !== 'dtype') disagreements.push(`${label}: Python ${theirs.ok}, ours refused`);
        } else if (!('ok' in theirs)) disagreements.push(`${label}: Python ${theirs.error}, ours ${mine.ok}`);
        else if (theirs.ok !== mine.ok) disagreements.push(`${label}: Python ${theirs.ok}, ours ${mine.ok}`);
      });
      expect(disagreements).toEqual([]);
    });
  }
});

describe('big hostile strings finish with a value or INVALID_ARGUMENT (in a child process with a time limit)', () => {
  for (const parser of Object.keys(PARSERS)) {
    it(parser, async () => {
      const body = `
        const parsers = {
          decimal: (t) => new lib.PyDecimal(t).toString(),
          fraction: (t) => lib.PyFraction.from(t).toString(),
          uuid: (t) => new lib.PyUUID(t).hex,
          date: (t) => lib.PyDate.fromISOString(t).toISOString(),
          datetime: (t) => lib.PyDatetime.fromISOString(t).toISOString(),
          time: (t) => lib.PyTime.fromISOString(t).toISOString(),
          dtype: (t) => new lib.NdDtype(t).str,
        };
        const inputs = ${JSON.stringify(BIG.map((text) => [text.slice(0, 40), text.length, text.slice(-40)]))}
          .map(([head, length, tail]) => head + head.slice(-1).repeat(length - head.length - tail.length) + tail);
        return inputs.map((text) => {
          try { return 'value ' + parsers.${parser}(text).length; }
          catch (error) { return error instanceof lib.PickleError ? error.code : 'non-library ' + String(error); }
        });
      `;
      const outcome = await runScript(body, { timeoutMs: 60_000 });
      expect(outcome.status).toBe('value');
      const results = (outcome as { value: string[] }).value;
      expect(results).toHaveLength(BIG.length);
      for (const [i, result] of results.entries()) expect(result, `input ${i}`).toMatch(/^(value \d+|INVALID_ARGUMENT)$/);
    });
  }
});

/** An odd value as a test message shows it (String() fails for a Symbol and a null-prototype object). */
function oddLabel(value: unknown): string {
  if (typeof value === 'symbol') return 'a Symbol';
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) return 'a null-prototype object';
  return `${Object.prototype.toString.call(value)} ${String(value).slice(0, 20)}`;
}

describe('every constructor and static constructor, each argument replaced by odd values', () => {
  const ODD: unknown[] = [
    undefined, null, Symbol('odd'), {}, Object.create(null), [], [1, [2]], NaN, -0, Infinity, -Infinity, 1e308, -1, 2 ** 53,
    0.5, 10n ** 40n, -1n, '', 'abc', '\x00', '\ud800', 'x'.repeat(100_000), true, () => 1, new Date(NaN), new Uint8Array(3),
    new Float64Array(2), new Map(), new Set([1]),
  ];
  const validDelta = new PyTimedelta(0, 3600);
  // Each entry point with arguments that work; each position is replaced by each odd value in turn.
  const entries: Record<string, [(...args: never[]) => unknown, unknown[]]> = {
    'new PyDecimal': [(t: string) => new PyDecimal(t), ['1.5']],
    'PyDecimal.from': [(v: string) => PyDecimal.from(v), ['1.5']],
    'new PyFraction': [(n: number, d: number) => new PyFraction(n, d), [3, 4]],
    'PyFraction.of': [(n: number, d: number) => PyFraction.of(n, d), [3, 4]],
    'PyFraction.from': [(v: string) => PyFraction.from(v), ['3/4']],
    'new PyUUID': [(h: string, o: object) => new PyUUID(h, o), [UUID, {}]],
    'PyUUID.fromInt': [(v: number) => PyUUID.fromInt(v), [5]],
    'PyUUID.fromBytes': [(b: Uint8Array) => PyUUID.fromBytes(b), [new Uint8Array(16)]],
    'new PyDate': [(y: number, m: number, d: number) => new PyDate(y, m, d), [2024, 1, 31]],
    'PyDate.fromOrdinal': [(o: number) => PyDate.fromOrdinal(o), [738000]],
    'PyDate.fromISOString': [(t: string) => PyDate.fromISOString(t), ['2024-01-31']],
    'PyDate.fromDate': [(d: Date, o: object) => PyDate.fromDate(d, o), [new Date(0), {}]],
    'new PyDatetime': [
      (...a: never[]) => new (PyDatetime as unknown as new (...a: unknown[]) => unknown)(...a),
      [2024, 1, 31, 12, 30, 0, 0, PyTimezone.utc, 0],
    ],
    'PyDatetime.fromISOString': [(t: string) => PyDatetime.fromISOString(t), ['2024-01-31T12:30']],
    'PyDatetime.fromDate': [(d: Date, o: object) => PyDatetime.fromDate(d, o), [new Date(0), {}]],
    'PyDatetime.fromEpochMicroseconds': [(us: bigint, tz: PyTimezone) => PyDatetime.fromEpochMicroseconds(us, tz), [0n, PyTimezone.utc]],
    'new PyTime': [(...a: never[]) => new (PyTime as unknown as new (...a: unknown[]) => unknown)(...a), [12, 30, 0, 0, null, 0]],
    'PyTime.fromISOString': [(t: string) => PyTime.fromISOString(t), ['12:30']],
    'new PyTimedelta': [(d: number, s: number, us: number) => new PyTimedelta(d, s, us), [1, 2, 3]],
    'PyTimedelta.of': [(p: object) => PyTimedelta.of(p), [{ hours: 1 }]],
    'PyTimedelta.fromMicroseconds': [(us: number) => PyTimedelta.fromMicroseconds(us), [5]],
    'new PyTimezone': [(o: PyTimedelta, n: string) => new PyTimezone(o, n), [validDelta, 'X']],
    'PyTimezone.of': [(o: PyTimedelta, n: string) => PyTimezone.of(o, n), [validDelta, 'X']],
    'new NdDtype': [(t: string) => new NdDtype(t), ['<f8']],
    'NdDtype.of': [(t: string) => NdDtype.of(t), ['<f8']],
    'new NdArray': [(d: Float64Array, o: object) => new NdArray(d, o), [new Float64Array(4), { shape: [2, 2] }]],
    'NdArray.from': [(v: number[], o: object) => NdArray.from(v, o), [[1, 2, 3, 4], { shape: [2, 2] }]],
    'new NumpyScalar': [(d: string, v: number) => new NumpyScalar(d, v), ['float32', 1.5]],
    'new PyGlobal': [(m: string, n: string) => new PyGlobal(m, n), ['m', 'n']],
    'new PickleBuffer': [(d: Uint8Array, r: boolean) => new PickleBuffer(d, r), [new Uint8Array(2), true]],
    'new PyDeque': [(i: unknown[], m: number) => new PyDeque(i, m), [[1], 3]],
  };
  for (const [name, [call, valid]] of Object.entries(entries)) {
    it(name, () => {
      expect(() => call(...(valid as never[]))).not.toThrow();
      const failures: string[] = [];
      for (let position = 0; position < valid.length; position++) {
        for (const odd of ODD) {
          const args = [...valid];
          args[position] = odd;
          try {
            call(...(args as never[]));
          } catch (error) {
            if (!(error instanceof PickleError) || error.code !== 'INVALID_ARGUMENT') {
              failures.push(`argument ${position} = ${oddLabel(odd)}: ${String(error)}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('constructors and static constructors refuse bad arguments with INVALID_ARGUMENT', () => {
  const cases: Record<string, () => unknown> = {
    'PyDecimal of a number': () => new PyDecimal(5 as unknown as string),
    'PyDecimal.from of a Symbol': () => PyDecimal.from(Symbol('s') as unknown as string),
    'PyDecimal.from of a bad tuple': () => PyDecimal.from([2, [1], 0]),
    'PyDecimal with a huge exponent': () => new PyDecimal(`1E${'9'.repeat(1_000)}`),
    'PyFraction.from of an object': () => PyFraction.from({} as unknown as string),
    'PyFraction.from of Infinity': () => PyFraction.from(Infinity),
    'PyFraction.from of 1e200000': () => PyFraction.from('1e200000'),
    'PyFraction.from of a Decimal 1E+999999999999': () => PyFraction.from(new PyDecimal('1E+999999999999')),
    'PyFraction over zero': () => new PyFraction(1, 0),
    'PyFraction of a fraction number': () => new PyFraction(1.5),
    'PyUUID of a Symbol': () => new PyUUID(Symbol('u') as unknown as string),
    'PyUUID of null': () => new PyUUID(null as unknown as string),
    'PyUUID.fromInt out of range': () => PyUUID.fromInt(2n ** 128n),
    'PyUUID.fromBytes of 15 bytes': () => PyUUID.fromBytes(new Uint8Array(15)),
    'PyDate.fromISOString of a number': () => PyDate.fromISOString(20240131 as unknown as string),
    'PyDatetime.fromISOString of null': () => PyDatetime.fromISOString(null as unknown as string),
    'PyTime.fromISOString of an array': () => PyTime.fromISOString([] as unknown as string),
    'PyDate out of range': () => new PyDate(2024, 2, 30),
    'PyDate of a fraction': () => new PyDate(2024, 1.5, 1),
    'PyDate.fromDate of a string': () => PyDate.fromDate('2024' as unknown as Date),
    'PyDatetime.fromDate of an invalid Date': () => PyDatetime.fromDate(new Date(NaN)),
    'PyDatetime.fromEpochMicroseconds of a number': () => PyDatetime.fromEpochMicroseconds(5 as unknown as bigint),
    'PyTimedelta beyond its range': () => new PyTimedelta(1e12),
    'PyTimedelta.of of null': () => PyTimedelta.of(null as unknown as object),
    'PyTimedelta.of of NaN days': () => PyTimedelta.of({ days: NaN }),
    'PyTimedelta.fromMicroseconds of a string': () => PyTimedelta.fromMicroseconds('12' as unknown as number),
    'PyTimezone of 24 hours': () => new PyTimezone(new PyTimedelta(1)),
    'PyTimezone of a number': () => new PyTimezone(3600 as unknown as PyTimedelta),
    'NdDtype of null': () => new NdDtype(null as unknown as string),
    'NdDtype of a bogus spec': () => new NdDtype({} as unknown as string),
    'NdDtype of "constructor"': () => new NdDtype('constructor'),
    'NdArray of a string': () => new NdArray('abc' as unknown as Float64Array),
    'NdArray of a detached array': () => {
      const data = new Float64Array(4);
      structuredClone(data.buffer, { transfer: [data.buffer] });
      return new NdArray(data);
    },
    'NdArray with a bad shape': () => new NdArray(new Float64Array(4), { shape: [3] }),
    'NdArray with a negative shape': () => new NdArray(new Float64Array(4), { shape: [-4] }),
    'NdArray.from out of range': () => NdArray.from([128], { dtype: 'int8' }),
    'NdArray.from of a null': () => NdArray.from(null as unknown as number[]),
    'NdArray get out of range': () => NdArray.from(new Float32Array(6), { shape: [2, 3] }).get(0, 3),
    'NumpyScalar of an object dtype': () => new NumpyScalar('O', 1),
    'PyDeque with a negative maxlen': () => new PyDeque([], -1),
    'PyGlobal of a number module': () => new PyGlobal(5 as unknown as string, 'x'),
    'PyGlobal of a missing name': () => new PyGlobal('m', undefined as unknown as string),
    'PickleBuffer of a string': () => new PickleBuffer('abc' as unknown as Uint8Array),
    'PickleBuffer over a detached buffer': () => {
      const data = new Uint8Array(4);
      structuredClone(data.buffer, { transfer: [data.buffer] });
      return new PickleBuffer(data);
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PickleError);
      expect((caught as PickleError).code).toBe('INVALID_ARGUMENT');
    });
  }
});

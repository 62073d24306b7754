// Python's numeric standard types (decimal.Decimal, fractions.Fraction, uuid.UUID, range, slice,
// complex): the CPython fixtures in test/standard/datetime-numeric (written by generate.py there)
// load to hand-written values at every protocol, dumps writes them back byte for byte as CPython
// did, values built in TypeScript are written exactly as CPython writes the same objects, and the
// value classes' own API behaves as Python's. CPython round trips (Python → TypeScript → Python)
// are in standard-numeric-interop.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumps, loads, PyComplex, tuple, UnpicklingError } from '../../src/index.js';
import { NUMERIC_HANDLERS } from '../../src/standard/numeric.js';
import { PyDecimal, PyFraction, PyRange, PySlice, PyUUID } from '../../src/values/numeric.js';
import {
  complex, decimal, type Expectation, expectedAt, fixture, fraction, manifest, PICKLES, PROTOCOLS, ptuple, range,
  shape, slice, uuid,
} from './datetime-numeric/helpers.js';

/** What a value class throws for a bad argument. */
const INVALID_ARGUMENT = expect.objectContaining({ name: 'PickleError', code: 'INVALID_ARGUMENT' });

const PI = '1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679';

/** Hand-written: what each fixture loads as. */
const EXPECTED: Record<string, Expectation> = {
  dec_simple: decimal('1.50'),
  dec_sci: decimal('-1.5E+3'),
  dec_tiny: decimal('1E-7'),
  dec_specials: [decimal('NaN'), decimal('-NaN'), decimal('sNaN123'), decimal('Infinity'), decimal('-Infinity'), decimal('-0'), decimal('0E-7')],
  dec_long: decimal(`-3.${PI}${PI}${PI}`),
  dec_huge_exponent: decimal('9.99E+999999999999999999'),
  frac_simple: fraction(3, 4),
  frac_negative: fraction(-7, 3),
  frac_whole: fraction(5, 1),
  frac_huge: fraction(2n ** 200n + 1n, 3n ** 150n),
  uuid_plain: uuid('12345678123456781234567812345678'),
  uuid_safe: uuid('8c5b4b7e1b0e4a579c1e0d4b8e2f6a01', 'safe'),
  uuid_unsafe: uuid('00000000000000000000000000000001', 'unsafe'),
  uuid_nil: uuid('00000000000000000000000000000000'),
  uuid_max: uuid('ffffffffffffffffffffffffffffffff'),
  range_stop: range(0, 10, 1),
  range_negative_step: range(10, -10, -3),
  range_empty: range(1, 10, -2),
  range_huge: range(-(2n ** 70n), 2n ** 70n, 2n ** 65n),
  slice_none: slice(null, null, null),
  slice_partial: slice(1, null, 3),
  slice_negative: slice(-1, -10, -2),
  slice_objects: slice('a', ptuple(1, 2), 2.5),
  complex_basic: complex(1, 2),
  complex_signed_zeros: complex(-0, -0),
  complex_special: complex(Infinity, NaN),
  complex_integral: complex(3, 0),
  num_shared: {
    a: decimal('0.5'), b: decimal('0.5'), c: [fraction(1, 3), fraction(1, 3)],
    d: uuid('0000000000000000000000000000002a'), e: uuid('0000000000000000000000000000002a'),
  },
  // Python 2 forms (handmade): str arguments, __builtin__.xrange, L...L longs
  py2_decimal: decimal('-1.50E+3'),
  py2_fraction: fraction(-7, 3),
  py2_xrange: range(1, -11, -2),
  py2_uuid: uuid('00000000000000000000000012345678'),
};

/** The same values built in TypeScript (often from non-canonical input): dumps must write CPython's bytes. */
const BUILT: Record<string, () => unknown> = {
  dec_simple: () => new PyDecimal('1.50'),
  dec_sci: () => new PyDecimal('-1.5e3'),
  dec_tiny: () => new PyDecimal('0.0000001'),
  dec_specials: () => ['nan', '-NaN', 'snan0123', 'inf', '-Infinity', '-0', '0.0000000'].map((s) => new PyDecimal(s)),
  dec_long: () => new PyDecimal(`-3.${PI}${PI}${PI}`),
  dec_huge_exponent: () => new PyDecimal('999e999999999999999997'),
  frac_simple: () => new PyFraction(6, 8),
  frac_negative: () => new PyFraction(7, -3),
  frac_whole: () => PyFraction.from('5'),
  frac_huge: () => new PyFraction(2n ** 200n + 1n, 3n ** 150n),
  uuid_plain: () => new PyUUID('{12345678-1234-5678-1234-567812345678}'),
  uuid_safe: () => new PyUUID('urn:uuid:8C5B4B7E-1B0E-4A57-9C1E-0D4B8E2F6A01', { isSafe: 'safe' }),
  uuid_unsafe: () => PyUUID.fromInt(1, { isSafe: 'unsafe' }),
  uuid_nil: () => PyUUID.fromInt(0n),
  uuid_max: () => PyUUID.fromBytes(new Uint8Array(16).fill(255)),
  range_stop: () => new PyRange(10),
  range_negative_step: () => new PyRange(10, -10, -3),
  range_empty: () => new PyRange(1, 10, -2),
  range_huge: () => new PyRange(-(2n ** 70n), 2n ** 70n, 2n ** 65n),
  slice_none: () => new PySlice(),
  slice_partial: () => new PySlice(1, null, 3),
  slice_negative: () => new PySlice(-1, -10, -2),
  slice_objects: () => new PySlice('a', tuple(1, 2), 2.5),
  complex_basic: () => new PyComplex(1, 2),
  complex_signed_zeros: () => new PyComplex(-0, -0),
  complex_special: () => new PyComplex(Infinity, NaN),
  complex_integral: () => new PyComplex(3, 0),
  num_shared: () => {
    const half = new PyDecimal('0.5');
    const third = new PyFraction(1, 3);
    const key = PyUUID.fromInt(42);
    return { a: half, b: half, c: [third, third], d: key, e: key };
  },
};

const isPython2 = (name: string) => name.startsWith('py2_');

describe('numeric fixtures', () => {
  const cases = manifest.themes.numeric;

  it('has a hand-written expectation for exactly the cases generate.py wrote', () => {
    expect([...cases].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const name of cases) expect(manifest.cases[name], name).toEqual(isPython2(name) ? [0, 2] : [...PROTOCOLS]);
    for (const entry of manifest.files.filter((f) => cases.includes(f.case))) {
      const data = readFileSync(join(PICKLES, entry.file));
      expect(createHash('sha256').update(data).digest('hex'), entry.file).toBe(entry.sha256);
    }
  });

  for (const name of cases) {
    for (const protocol of manifest.cases[name] ?? []) {
      it(`${name} at protocol ${protocol} loads as written by hand`, () => {
        expect(shape(loads(fixture(name, protocol)))).toEqual(expectedAt(EXPECTED[name], protocol));
      });
    }
  }

  for (const name of cases.filter((c) => !isPython2(c))) {
    it(`${name}: dumps writes CPython's bytes back at every protocol`, () => {
      for (const protocol of PROTOCOLS) {
        const original = fixture(name, protocol);
        expect(Buffer.from(dumps(loads(original), { protocol })).toString('hex'), `${name} p${protocol}`)
          .toBe(Buffer.from(original).toString('hex'));
      }
    });
  }

  for (const [name, build] of Object.entries(BUILT)) {
    it(`${name} built in TypeScript: dumps writes what CPython wrote for the same object`, () => {
      for (const protocol of PROTOCOLS) {
        expect(Buffer.from(dumps(build(), { protocol })).toString('hex'), `${name} p${protocol}`)
          .toBe(Buffer.from(fixture(name, protocol)).toString('hex'));
      }
    });
  }

  it('keeps sharing: one Decimal, Fraction and UUID object each used twice', () => {
    for (const protocol of PROTOCOLS) {
      const value = loads(fixture('num_shared', protocol)) as { a: PyDecimal; b: PyDecimal; c: PyFraction[]; d: PyUUID; e: PyUUID };
      expect(value.a).toBeInstanceOf(PyDecimal);
      expect(value.b).toBe(value.a);
      expect(value.c[1]).toBe(value.c[0]);
      expect(value.e).toBe(value.d);
    }
  });

  it('loads UUID state given as a Map (dicts: "map") and under strict mode', () => {
    expect(shape(loads(fixture('uuid_safe', 2), { dicts: 'map' }))).toEqual(EXPECTED.uuid_safe);
    // (Protocols 0 and 1 name builtins.object, which strict mode does not know: see uuid_safe p2.)
    expect(shape(loads(fixture('uuid_safe', 2), { strict: true }))).toEqual(EXPECTED.uuid_safe);
    for (const name of ['dec_sci', 'frac_huge', 'range_huge', 'slice_objects', 'py2_xrange']) {
      expect(shape(loads(fixture(name, 2), { strict: true })), name).toEqual(EXPECTED[name]);
    }
  });

  it('reads Python 2 text arguments loaded as bytes too', () => {
    expect(shape(loads(fixture('py2_decimal', 0), { encoding: 'bytes' }))).toEqual(EXPECTED.py2_decimal);
    expect(shape(loads(fixture('py2_fraction', 2), { encoding: 'bytes' }))).toEqual(EXPECTED.py2_fraction);
    // The state key is then b'int', which Python 3's UUID.__setstate__ refuses as well (KeyError).
    expect(() => loads(fixture('py2_uuid', 0), { encoding: 'bytes' })).toThrow(/'int'/);
  });

  it('are plain PyClassHandlers with the names CPython pickles', () => {
    expect(NUMERIC_HANDLERS.map((h) => `${h.module}.${h.name}`)).toEqual(
      ['decimal.Decimal', 'fractions.Fraction', 'uuid.UUID', 'builtins.range', 'builtins.slice'],
    );
  });
});

describe('numeric handlers: loading errors and limits', () => {
  const reduce = (module: string, name: string, args: string): Uint8Array =>
    Uint8Array.from(Buffer.from(`\x80\x02c${module}\n${name}\n${args}R.`, 'latin1'));
  const text = (s: string) => `X${String.fromCharCode(s.length)}\x00\x00\x00${s}\x85`;

  it('refuses what Python refuses', () => {
    expect(() => loads(reduce('decimal', 'Decimal', text('1.2.3')))).toThrow(UnpicklingError);
    expect(() => loads(reduce('fractions', 'Fraction', 'K\x01K\x00\x86'))).toThrow(UnpicklingError); // Fraction(1, 0)
    expect(() => loads(reduce('fractions', 'Fraction', text('1/2/3')))).toThrow(UnpicklingError);
    expect(() => loads(reduce('__builtin__', 'xrange', 'K\x01K\x05K\x00\x87'))).toThrow(/must not be zero/);
    expect(() => loads(reduce('builtins', 'range', `${text('a')}`))).toThrow(UnpicklingError);
    expect(() => loads(reduce('uuid', 'UUID', text('not-a-uuid')))).toThrow(UnpicklingError);
    // UUID state with an is_safe Python's SafeUUID does not have
    const badSafe = Uint8Array.from(Buffer.from('\x80\x02cuuid\nUUID\n)\x81}(X\x03\x00\x00\x00intK\x05X\x07\x00\x00\x00is_safeK\x05ub.', 'latin1'));
    expect(() => loads(badSafe)).toThrow(/SafeUUID/);
    const bigInt = Uint8Array.from(Buffer.from(`\x80\x02cuuid\nUUID\n)\x81}X\x03\x00\x00\x00int\x8a\x11${'\x00'.repeat(16)}\x01sb.`, 'latin1'));
    expect(() => loads(bigInt)).toThrow(/out of range/);
  });

  it('accepts the other call forms Python accepts', () => {
    expect(shape(loads(reduce('decimal', 'Decimal', 'G?\xb9\x99\x99\x99\x99\x99\x9a\x85')))).toEqual(decimal('0.1000000000000000055511151231257827021181583404541015625'));
    expect(shape(loads(reduce('decimal', 'Decimal', ')')))).toEqual(decimal('0'));
    expect(shape(loads(reduce('decimal', 'Decimal', '(K\x01(K\x01K\x02tJ\xfe\xff\xff\xfft\x85')))).toEqual(decimal('-0.12'));
    expect(shape(loads(reduce('fractions', 'Fraction', text('-1.5e-3'))))).toEqual(fraction(-3, 2000));
    expect(shape(loads(reduce('fractions', 'Fraction', 'G?\xb9\x99\x99\x99\x99\x99\x9a\x85')))).toEqual(fraction(3602879701896397, 36028797018963968n));
    expect(shape(loads(reduce('uuid', 'UUID', text('12345678-1234-5678-1234-567812345678'))))).toEqual(uuid('12345678123456781234567812345678'));
    expect(shape(loads(reduce('builtins', 'slice', 'K\x05\x85')))).toEqual(slice(null, 5, null));
    expect(shape(loads(reduce('builtins', 'range', 'K\x02K\x05\x86')))).toEqual(range(2, 5, 1));
  });

  it("charges a load for the digits a Fraction's exponent asks for", () => {
    const hostile = reduce('fractions', 'Fraction', text('1e999999999'));
    const started = Date.now();
    expect(() => loads(hostile)).toThrow(/copying/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(shape(loads(reduce('fractions', 'Fraction', text('1e-3000'))))).toEqual(fraction(1, 10n ** 3000n));
  });

  it('charges a load for reducing huge Fraction terms (Euclid is quadratic)', () => {
    // Fraction(n, d) with two 100 000-bit odd terms: about 3 s of gcd; refused before it starts.
    const term = (seed: number) => {
      const bytes = Buffer.alloc(12500, 0);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + seed * 17 + (i >> 3)) & 0x7f;
      bytes[0] |= 1;
      const size = Buffer.alloc(4);
      size.writeUInt32LE(bytes.length);
      return Buffer.concat([Buffer.from([0x8b]), size, bytes]);
    };
    const hostile = Uint8Array.from(Buffer.concat([
      Buffer.from('\x80\x02cfractions\nFraction\n', 'latin1'), term(1), term(2), Buffer.from('\x86R.', 'latin1'),
    ]));
    const started = Date.now();
    expect(() => loads(hostile)).toThrow(/copying/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("refuses a Fraction string with more than 4300 digits in a part, as Python's int() limit does", () => {
    expect(shape(loads(reduce('fractions', 'Fraction', `X\xcc\x10\x00\x00${'7'.repeat(4300)}\x85`)))).toEqual(fraction(BigInt('7'.repeat(4300)), 1));
    expect(() => loads(reduce('fractions', 'Fraction', `X\xcd\x10\x00\x00${'7'.repeat(4301)}\x85`))).toThrow(/4300 digits/);
    expect(PyFraction.from('7'.repeat(5000), { maxDigits: Infinity }).toString()).toBe('7'.repeat(5000));
  });

  it('refuses a Decimal exponent of absurd length at once', () => {
    const started = Date.now();
    expect(() => new PyDecimal(`1E${'9'.repeat(1_000_000)}`)).toThrow(INVALID_ARGUMENT);
    expect(() => new PyDecimal(`1E-${'0'.repeat(1_000_000)}5`).toString()).not.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('PyDecimal', () => {
  it("parses and prints as Python's Decimal(str) and str() (outputs from CPython)", () => {
    const cases: Array<[string, string]> = [
      ['NaN', 'NaN'], ['-NaN', '-NaN'], ['sNaN123', 'sNaN123'], ['NaN00123', 'NaN123'], ['nan0', 'NaN'], ['-sNaN', '-sNaN'],
      ['Inf', 'Infinity'], ['-infinity', '-Infinity'], ['1e3', '1E+3'], ['0.000', '0.000'], ['-0', '-0'], ['-0E-7', '-0E-7'],
      ['1E+999999999999999999', '1E+999999999999999999'], ['1e-1000000000000000000', '1E-1000000000000000000'],
      ['0e-1000000000000000100', '0E-1000000000000000100'], ['1_000.5', '1000.5'], ['  12  ', '12'], ['.5', '0.5'],
      ['5.', '5'], ['0.0000001', '1E-7'], ['-123.456e-2', '-1.23456'], ['1__0', '10'], ['1e1_0', '1E+10'],
      ['N_aN', 'NaN'], ['\u0661\u0662', '12'], ['1\u00a0', '1'], ['+.5e-0', '0.5'], ['+Inf', 'Infinity'],
      ['123456789012345678901234567890123456789', '123456789012345678901234567890123456789'], ['0.000001', '0.000001'],
      ['0.0000010', '0.0000010'], ['100E-2', '1.00'], ['12345E-10', '0.0000012345'], ['1E2', '1E+2'], ['-5E-9', '-5E-9'],
    ];
    for (const [input, output] of cases) expect(new PyDecimal(input).toString(), JSON.stringify(input)).toBe(output);
    for (const bad of ['E5', '.', 'Infinit', '', '1e', 'abc', '1.2.3', '0x10', '--1']) {
      expect(() => new PyDecimal(bad), JSON.stringify(bad)).toThrow(INVALID_ARGUMENT);
    }
    // The exponent limits of CPython's decimal (InvalidOperation there).
    expect(new PyDecimal('123E-1999999999999999997').toString()).toBe('1.23E-1999999999999999995');
    for (const bad of ['1E+1000000000000000000', '12E+999999999999999999', '1E-1999999999999999998', '0E-1999999999999999998', '0E+1000000000000000000']) {
      expect(() => new PyDecimal(bad), bad).toThrow(INVALID_ARGUMENT);
    }
  });

  it('gives its parts as as_tuple() does', () => {
    expect(new PyDecimal('1.50').asTuple()).toEqual({ sign: 0, digits: [1, 5, 0], exponent: -2 });
    expect(new PyDecimal('-sNaN12').asTuple()).toEqual({ sign: 1, digits: [1, 2], exponent: 'N' });
    expect(new PyDecimal('-Inf').asTuple()).toEqual({ sign: 1, digits: [0], exponent: 'F' });
    expect(new PyDecimal('1E+999999999999999999').exponent).toBe(999999999999999999n);
    const d = new PyDecimal('-0.00');
    expect([d.sign, d.kind, d.coefficient, d.exponent, d.isZero(), d.isFinite(), d.isNaN()]).toEqual([1, 'finite', '0', -2, true, true, false]);
  });

  it('converts from numbers exactly and to numbers as float() does', () => {
    expect(PyDecimal.from(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(PyDecimal.from(0.5).toString()).toBe('0.5');
    expect(PyDecimal.from(2).toString()).toBe('2');
    expect(PyDecimal.from(-0).toString()).toBe('-0');
    expect(PyDecimal.from(NaN).toString()).toBe('NaN');
    expect(PyDecimal.from(-Infinity).toString()).toBe('-Infinity');
    expect(PyDecimal.from(12345678901234567890n).toString()).toBe('12345678901234567890');
    expect(PyDecimal.from(1e300).toString()).toHaveLength(301);
    expect(PyDecimal.from(1e300).toString().startsWith('100000000000000005250476025520')).toBe(true);
    expect(PyDecimal.from(5e-324).asTuple().exponent).toBe(-1074);
    expect(PyDecimal.from(5e-324).coefficient).toHaveLength(751);
    expect(PyDecimal.from([1, [1, 2], 'n']).toString()).toBe('-NaN12');
    expect(PyDecimal.from([1, [0], 5]).toString()).toBe('-0E+5');
    expect(new PyDecimal('1E+999999999999999999').toNumber()).toBe(Infinity);
    expect(Object.is(new PyDecimal('-0').toNumber(), -0)).toBe(true);
    expect(new PyDecimal('-1.5E+3').toNumber()).toBe(-1500);
    expect(() => new PyDecimal('sNaN').toNumber()).toThrow(/signaling/);
    expect(new PyDecimal('1.0').equals(new PyDecimal('1.00'))).toBe(false);
    expect(new PyDecimal('NaN').equals(new PyDecimal('nan'))).toBe(true);
    expect(JSON.stringify([new PyDecimal('1.50')])).toBe('["1.50"]');
  });
});

describe('PyFraction', () => {
  it('reduces to lowest terms with a positive denominator, terms in the value model', () => {
    const f = new PyFraction(-6, -8);
    expect([f.numerator, f.denominator]).toEqual([3, 4]);
    expect([new PyFraction(6, -8).numerator, new PyFraction(0, -5).denominator]).toEqual([-3, 1]);
    expect(new PyFraction(2n ** 60n, 2n).numerator).toBe(2n ** 59n);
    expect(new PyFraction(2n ** 60n, 2n ** 58n).numerator).toBe(4);
    expect(() => new PyFraction(1, 0)).toThrow(INVALID_ARGUMENT);
    expect(() => new PyFraction(1.5)).toThrow(INVALID_ARGUMENT);
  });

  it("parses as Python 3.11's Fraction(str) (outputs from CPython)", () => {
    const str = (s: string) => PyFraction.from(s).toString();
    expect(str('  -3/6 ')).toBe('-1/2');
    expect(str('1.5e-3')).toBe('3/2000');
    expect(str('-.5')).toBe('-1/2');
    expect(str('1_000/3_0')).toBe('100/3');
    expect(str('3.')).toBe('3');
    expect(str('1E+2')).toBe('100');
    for (const bad of [' 7 / 21 ', '1/', '/2', '1.5/2', '', 'x', '1e', '1__0']) {
      expect(() => PyFraction.from(bad), JSON.stringify(bad)).toThrow(INVALID_ARGUMENT);
    }
    expect(PyFraction.from(new PyDecimal('-1.5')).toString()).toBe('-3/2');
    expect(() => PyFraction.from(new PyDecimal('NaN'))).toThrow(INVALID_ARGUMENT);
    expect(PyFraction.from(0.1).denominator).toBe(36028797018963968n);
  });

  it('converts to the correctly rounded float (values from CPython)', () => {
    expect(new PyFraction(2n ** 200n + 1n, 3n ** 150n).toNumber()).toBe(4.343210962650436e-12);
    expect(new PyFraction(1, 2n ** 1060n).toNumber()).toBe(8.095e-320);
    expect(new PyFraction(-7, 3).toNumber()).toBe(-2.3333333333333335);
    expect(new PyFraction(10n ** 400n + 1n, 10n ** 399n).toNumber()).toBe(10);
  });
});

describe('PyUUID', () => {
  it('has the forms Python gives', () => {
    const u = new PyUUID('8c5b4b7e-1b0e-4a57-9c1e-0d4b8e2f6a01');
    expect(u.toString()).toBe('8c5b4b7e-1b0e-4a57-9c1e-0d4b8e2f6a01');
    expect(u.hex).toBe('8c5b4b7e1b0e4a579c1e0d4b8e2f6a01');
    expect(u.int).toBe(0x8c5b4b7e1b0e4a579c1e0d4b8e2f6a01n);
    expect(Array.from(u.bytes.subarray(0, 4))).toEqual([0x8c, 0x5b, 0x4b, 0x7e]);
    expect(u.version).toBe(4);
    expect(new PyUUID('12345678-1234-5678-1234-567812345678').version).toBeNull();
    expect(new PyUUID('12345678123456781234567812345678').urn).toBe('urn:uuid:12345678-1234-5678-1234-567812345678');
    expect(u.isSafe).toBe('unknown');
    expect(u.__getstate__()).toEqual({ int: 0x8c5b4b7e1b0e4a579c1e0d4b8e2f6a01n });
    expect(PyUUID.fromInt(5, { isSafe: 'unsafe' }).__getstate__()).toEqual({ int: 5, is_safe: -1 });
    expect(PyUUID.fromBytes(u.bytes).equals(u)).toBe(true);
    expect(JSON.stringify(u)).toBe('"8c5b4b7e-1b0e-4a57-9c1e-0d4b8e2f6a01"');
  });

  it('refuses what Python refuses', () => {
    expect(() => new PyUUID('1234')).toThrow(INVALID_ARGUMENT);
    expect(() => new PyUUID('g'.repeat(32))).toThrow(INVALID_ARGUMENT);
    expect(() => PyUUID.fromInt(-1)).toThrow(INVALID_ARGUMENT);
    expect(() => PyUUID.fromInt(2n ** 128n)).toThrow(INVALID_ARGUMENT);
    expect(() => PyUUID.fromBytes(new Uint8Array(15))).toThrow(INVALID_ARGUMENT);
    expect(() => new PyUUID('0'.repeat(32), { isSafe: 'yes' as 'safe' })).toThrow(INVALID_ARGUMENT);
  });
});

describe('PyRange and PySlice', () => {
  it("PyRange measures, indexes and iterates as Python's range (values from CPython)", () => {
    const r = new PyRange(10, -10, -3);
    expect([...r]).toEqual([10, 7, 4, 1, -2, -5, -8]);
    expect(r.length).toBe(7);
    expect(r.at(-1)).toBe(-8);
    expect(r.at(7)).toBeUndefined();
    expect(new PyRange(-(2n ** 70n), 2n ** 70n, 2n ** 65n).length).toBe(64);
    expect(new PyRange(0, 2n ** 60n).length).toBe(2n ** 60n);
    expect(new PyRange(1, 10, -2).length).toBe(0);
    expect(new PyRange(5).toString()).toBe('range(0, 5)');
    expect(r.toString()).toBe('range(10, -10, -3)');
    expect(() => new PyRange(1, 2, 0)).toThrow(INVALID_ARGUMENT);
    expect(r.equals(new PyRange(10, -10, -3))).toBe(true);
  });

  it("PySlice gives indices() as Python's slice (values from CPython)", () => {
    expect(new PySlice(1, null, 3).indices(10)).toEqual([1, 10, 3]);
    expect(new PySlice(-1, -10, -2).indices(5)).toEqual([4, -1, -2]);
    expect(new PySlice().indices(0)).toEqual([0, 0, 1]);
    expect(new PySlice(-100, 100, -1).indices(7)).toEqual([-1, 6, -1]);
    expect(new PySlice(5, null, -2).indices(3)).toEqual([2, -1, -2]);
    expect(() => new PySlice(null, null, 0).indices(3)).toThrow(INVALID_ARGUMENT);
    expect(() => new PySlice('a').indices(3)).toThrow(INVALID_ARGUMENT);
    expect(new PySlice(1, undefined, 'x').toString()).toBe('slice(1, None, "x")');
  });
});

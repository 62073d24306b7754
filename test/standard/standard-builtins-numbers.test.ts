// int() and float() called by a pickle (REDUCE of builtins.int or builtins.float) with text:
// a str in any script's digits, bytes or bytearray, and for int() a base. CPython builds each
// pickle and says what it gives; the loader must give the same value, or fail with its message.
import { describe, expect, it } from 'vitest';
import { loads, PyFloat } from '../../src/index.js';
import { pythonFloatRepr } from '../../src/codec/numbers.js';
import { describeWithPython, runPython } from '../helpers/python.js';

/** Python argument lists (source text) for int(…). */
const INT_CASES = [
  "'12'", "'  -0012  '", "'+7'", "'1_000'", "'0_7'", "'\\u00a012\\u3000'", "'-0'",
  "'9' * 30", "'-' + '9' * 30", "'1' * 4300", "'1' * 4301", "'1_' * 4300 + '1'",
  "'1__0'", "'_1'", "'1_'", "''", "' '", "'-'", "'- 1'", "'1.5'", "'0x10'", "'١٢'", "'１２'", "'𝟎𝟗𝟘𝟡'", "'1١'",
  "'0x1f', 16", "'0X_1F', 16", "'1f', 16", "'0x', 16", "'0x_', 16", "'0x__1', 16", "'0o17', 8", "'0b101', 2", "'0b101', 16",
  "'z', 36", "'ZZ', 36", "'3' * 40, 4", "'v' * 20, 32", "'6' * 40, 7", "'zz' * 30, 36", "'12', 2", "'0x10', 0", "'010', 0",
  "'0_10', 0", "'1' * 4301, 0", "'1' * 4300, 0", "'12', 1", "'12', 37", "'12', -1", "'f' * 5000, 16", "'7' * 4301, 8", "'7' * 4301, 9",
  "b'42'", "bytearray(b' 42 ')", "b'0x1f', 16", "b'abc'", "b'\\xd9\\xa1'", "12, 10", "'12', True",
  // Whitespace: ASCII only in bytes; beyond ASCII in a str; \x1c-\x1f never.
  "b'\\xa01'", "b'\\x851'", "bytearray(b'\\xa01')", "b'\\x850x1f', 0", "'\\x1c1'", "'1\\x1f'", "'\\x851\\x85'", "'1\\u2028'",
  // The digit limit counts the digits before anything after them is looked at, zeros too.
  "'0' * 4301, 0", "'٠' * 4301, 0", "'1' * 4301 + 'x'", "'1' * 4301 + 'x', 0", "'0' * 4301 + '1', 0", "'1' * 4400 + '.5'",
  "'-' + '1' * 4301 + ' x', 7", "'1' * 4301 + '__'", "'1' * 4301 + '_'",
  // Base 0: the base from the prefix; a leading zero only for zero itself.
  "'0_0', 0", "'00', 0", "'0_7', 0", "'07', 0", "'0x', 0", "'0b_1', 0", "'-0x1f', 0", "'0x1_f', 0", "'0o_7', 0", "' 0B11 ', 0",
  "'x' * 300", "'12', None", "'11', 2.5", "'11', 2.0", "1e20", "-1.5e300", "float('inf')", "float('nan')", "None", "[1]",
];

/** Python argument lists (source text) for float(…). */
const FLOAT_CASES = [
  "'1.5'", "' -2.25e3 '", "'1_0.5'", "'inf'", "'-Infinity'", "'nan'", "'2'", "'١.٥'", "b'3.5'", "bytearray(b'4')",
  "'abc'", "b'x'", "''", "'1__0'", "True", "2 ** 1024", "2 ** 60 + 1", "7",
  "b'\\xa01.5'", "'\\x1c1'", "'\\xa01.5\\u3000'", "'１.５'", "'x' * 300",
];

interface Expected {
  pickle: string;
  value?: string;
  kind?: 'int' | 'float';
  error?: string;
}

const BUILD = String.raw`
import json, pickle, sys
class Call:
    def __init__(self, f, args): self.f, self.args = f, args
    def __reduce__(self): return (self.f, self.args)
out = []
for name, src in json.load(sys.stdin):
    f = {'int': int, 'float': float}[name]
    args = eval('(' + src + ',)')
    row = {'pickle': pickle.dumps(Call(f, args), protocol=2).hex()}
    try:
        value = f(*args)
    except Exception as e:
        row['error'] = str(e).split(';')[0]
    else:
        row['kind'] = type(value).__name__
        sys.set_int_max_str_digits(0)  # the digits limit is int()'s to meet, not this report's
        row['value'] = repr(value) if isinstance(value, float) else str(value)
        sys.set_int_max_str_digits(4300)
    out.append(row)
print(json.dumps(out))
`;

function loadHex(hex: string, options?: Parameters<typeof loads>[1]): unknown {
  return loads(Uint8Array.from(Buffer.from(hex, 'hex')), options);
}

describeWithPython('int() and float() of text, against CPython', () => {
  const cases = [...INT_CASES.map((src) => ['int', src]), ...FLOAT_CASES.map((src) => ['float', src])];
  const expected = JSON.parse(runPython(BUILD, JSON.stringify(cases)).toString()) as Expected[];

  it.each(cases.map((c, i) => [`${c[0]}(${c[1]})`, i] as const))('%s', (_name, i) => {
    const want = expected[i]!;
    if (want.error !== undefined) {
      // keepFloatType, so that a float base (2.0) is one; a Python type name matches up to the name,
      // which the loader gives as the JavaScript one ('Array' for list).
      expect(() => loadHex(want.pickle, { keepFloatType: true })).toThrow(want.error.replace(/ not '\w+'$/, ' not '));
      return;
    }
    const got = loadHex(want.pickle, { keepFloatType: true });
    if (want.kind === 'float') {
      const number = got instanceof PyFloat ? got.value : got;
      expect(typeof number).toBe('number');
      expect(pythonFloatRepr(number as number)).toBe(want.value);
      // An integral float that would read as an int stays a float with keepFloatType, as the
      // FLOAT opcodes give it (beyond 2^53 a number is written as a float anyway).
      if (Number.isSafeInteger(number)) expect(got).toBeInstanceOf(PyFloat);
    } else {
      expect(['number', 'bigint']).toContain(typeof got);
      expect(String(got)).toBe(want.value);
    }
  });

  it('checks what it should (a wrong expectation fails)', () => {
    expect(() => expect(String(loadHex(expected[0]!.pickle))).toBe('13')).toThrow();
  });
});

describe('int() of text: the load\'s maxIntDigits', () => {
  // int('1' * 50) and int('f' * 50, 16) by REDUCE, protocol 2 (written out by hand).
  const intCall = (text: string, base?: number): Uint8Array => {
    const args = base === undefined ? `X${le32(text.length)}${text}\x85` : `X${le32(text.length)}${text}K${String.fromCharCode(base)}\x86`;
    return Uint8Array.from(Buffer.from(`\x80\x02c__builtin__\nint\n${args}R.`, 'latin1'));
  };
  const le32 = (n: number): string => String.fromCharCode(n & 0xff, (n >> 8) & 0xff, 0, 0);

  it('bounds decimal digits, and not those of a power-of-two base', () => {
    expect(loads(intCall('1'.repeat(50)), { maxIntDigits: 50 })).toBe(BigInt('1'.repeat(50)));
    expect(() => loads(intCall('1'.repeat(50)), { maxIntDigits: 49 })).toThrow(/Exceeds the limit \(49 digits\).*value has 50 digits/);
    expect(loads(intCall('f'.repeat(50), 16), { maxIntDigits: 10 })).toBe(BigInt(`0x${'f'.repeat(50)}`));
  });

  it('float() of an int stays a float with keepFloatType', () => {
    const floatOfInt = Uint8Array.from(Buffer.from('\x80\x02c__builtin__\nfloat\nK\x03\x85R.', 'latin1'));
    expect(loads(floatOfInt)).toBe(3);
    expect(loads(floatOfInt, { keepFloatType: true })).toEqual(new PyFloat(3));
  });
});

// The text and number decoders the unpickler and the disassembler share (text-decoders.ts,
// numbers.ts), against CPython itself on random input: the same code points or bytes or number,
// or the same exception with the same message (positions included). Then the unpickler's fast
// paths against the shared decoders, and the unpickler on number lines as CPython reads them.
// fast-check with fixed seeds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loads, UnpicklingError } from '../../src/index.js';
import { IntDigitsLimitError, parsePythonFloat, parsePythonInt, pythonFloatRepr } from '../../src/codec/numbers.js';
import { reprBytes } from '../../src/codec/python-repr.js';
import { decodeRawUnicodeEscape, decodeStringEscape, decodeUtf8 } from '../../src/codec/text.js';
import {
  asciiFailure,
  type CodePointDecoder,
  decodeAll,
  DecodeFailure,
  decodeRawUnicodeEscapeCodePoints,
  type DecodeState,
  decodeUtf8CodePoints,
  escapeDecode,
} from '../../src/codec/text-decoders.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const SEED = 0x19de;

const bytesOf = (pieces: ReadonlyArray<ArrayLike<number>>) => Uint8Array.from(pieces.flatMap((piece) => Array.from(piece)));
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

/** Byte strings made of `pieces` (each a byte string given as Latin-1 text), up to `maxPieces` long. */
const made = (pieces: readonly string[], maxPieces: number) =>
  fc.array(fc.constantFrom(...pieces), { maxLength: maxPieces }).map((chosen) => latin1(chosen.join('')));

/** UTF-8 fragments: each width, encoded surrogates, overlong and truncated sequences, stray bytes. */
const utf8Input = fc.oneof(
  made(['a', '\x00', '\xc3\xa9', '\xdf\xbf', '\xe4\xb8\xad', '\xe0\xa0\x80', '\xef\xbb\xbf', '\xf0\x9f\x98\x80', '\xf4\x8f\xbf\xbf',
    '\xed\xa0\x80', '\xed\xbf\xbf', '\xed\xa0\xbd\xed\xb8\x80', '\xc0\x80', '\xc1\xbf', '\xe0\x9f\xbf', '\xf0\x8f\xbf\xbf',
    '\xf4\x90\x80\x80', '\x80', '\xbf', '\xc2', '\xe0\xa0', '\xed\xa0', '\xf0\x90\x80', '\xf0\x90', '\xf5', '\xf8', '\xff'], 12),
  fc.uint8Array({ maxLength: 24 }),
);

/** raw-unicode-escape input: backslash runs, escapes whole, truncated, out of range. */
const rawUnicodeEscapeInput = made(['\\', '\\\\', 'u', 'U', '0', '1', 'd', 'F', '8', '00', '0010', '0011', 'g', ' ', '\xff', '\xe9', 'a', '\n'], 14);

/** escape_decode input: every escape kind, and the bad ones. */
const escapeInput = made(['\\', 'x', '4', '1', 'f', 'G', '7', '8', 'n', 't', 'a', 'b', 'v', '\n', "'", '"', 'q', '\xff', '0', 'z'], 12);

/** int() input: signs, prefixes, underscores, C and other whitespace, digits of every base. */
const intInput = made(['0', '1', '7', '9', 'a', 'f', 'z', 'Z', 'x', 'X', 'o', 'b', '_', '-', '+', ' ', '\t', '\x0b', '\x1c', '\xa0', '\x00', '12', '0x', '0o', '0b', '00'], 8);
const intBase = fc.constantFrom(0, 0, 0, 2, 4, 7, 8, 10, 10, 16, 32, 36);

/** float() input: literals and near misses, specials, underscores, whitespace. */
const floatInput = made(['1', '0', '9', '.', 'e', 'E', '+', '-', '_', ' ', '\x0c', '\x1c', 'inf', 'INFINITY', 'nan', 'i', 'n', 'x', '\x00', '12', '5.', '.5', 'e10'], 8);

// One python3 run per decoder: each input (base64) and its result, or "Type: message".
const PY_DECODE = String.raw`
import base64, codecs, json, sys, warnings
warnings.simplefilter('ignore')
kind = sys.argv[1]
def run(data, base):
    if kind == 'utf-8':
        return [ord(c) for c in data.decode('utf-8', 'surrogatepass')]
    if kind == 'raw-unicode-escape':
        return [ord(c) for c in data.decode('raw-unicode-escape')]
    if kind == 'escape':
        return list(codecs.escape_decode(data)[0])
    if kind == 'ascii':
        return [ord(c) for c in data.decode('ascii')]
    if kind == 'int':
        return hex(int(data, base))
    if kind == 'float':
        return repr(float(data))
out = []
for data, base in json.load(sys.stdin):
    try:
        out.append({'value': run(base64.b64decode(data), base)})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e)})
json.dump(out, sys.stdout)
`;

type PythonResult = { value: unknown } | { error: string };

function python(kind: string, inputs: ReadonlyArray<Uint8Array>, bases?: readonly number[]): PythonResult[] {
  const jobs = inputs.map((data, i) => [Buffer.from(data).toString('base64'), bases?.[i] ?? 10]);
  return JSON.parse(runPython(PY_DECODE, JSON.stringify(jobs), [kind]).toString('utf8'));
}

const failureText = (failure: DecodeFailure) => `${failure.pythonType}: ${failure.message}`;

function ours(decoded: Uint32Array | Uint8Array | DecodeFailure | undefined): PythonResult {
  return decoded instanceof DecodeFailure ? { error: failureText(decoded) } : { value: Array.from(decoded ?? []) };
}

/** Decodes in pieces of `piece` code points, as the disassembler prints a long argument. */
function decodeInPieces(decode: CodePointDecoder, bytes: Uint8Array, piece: number): number[] | DecodeFailure {
  const out: number[] = [];
  const scratch = new Uint32Array(piece);
  const state: DecodeState = { at: 0, failure: undefined };
  while (state.at < bytes.length) {
    const count = decode(bytes, state, scratch);
    out.push(...scratch.subarray(0, count));
    if (state.failure) return state.failure;
  }
  return out;
}

/** The JavaScript string of code points (a surrogate code point is one unit). */
const stringOf = (codePoints: ArrayLike<number>) => Array.from(codePoints, (cp) => String.fromCodePoint(cp)).join('');

describeWithPython('the shared decoders match CPython, errors and positions included', () => {
  it('UTF-8 with surrogatepass', () => {
    const inputs = fc.sample(utf8Input, { seed: SEED, numRuns: 3000 });
    const expected = python('utf-8', inputs);
    inputs.forEach((bytes, i) => {
      expect({ i, ...ours(decodeAll(decodeUtf8CodePoints, bytes)) }).toEqual({ i, ...expected[i] });
    });
  });

  it('raw-unicode-escape', () => {
    const inputs = fc.sample(rawUnicodeEscapeInput, { seed: SEED, numRuns: 3000 });
    const expected = python('raw-unicode-escape', inputs);
    inputs.forEach((bytes, i) => {
      expect({ i, ...ours(decodeAll(decodeRawUnicodeEscapeCodePoints, bytes)) }).toEqual({ i, ...expected[i] });
    });
  });

  it('escape_decode, also of a range inside larger bytes (positions count from its start)', () => {
    const inputs = fc.sample(escapeInput, { seed: SEED, numRuns: 3000 });
    const expected = python('escape', inputs);
    inputs.forEach((bytes, i) => {
      expect({ i, ...ours(escapeDecode(bytes, 0, bytes.length)) }).toEqual({ i, ...expected[i] });
      const padded = bytesOf([latin1('\\x4'), bytes, latin1('\\')]);
      expect({ i, ...ours(escapeDecode(padded, 3, 3 + bytes.length)) }).toEqual({ i, ...expected[i] });
    });
  });

  it('ASCII', () => {
    const inputs = fc.sample(fc.uint8Array({ maxLength: 12 }).map((a) => a.map((b) => (b & 1 ? b & 0x7f : b))), { seed: SEED, numRuns: 500 });
    const expected = python('ascii', inputs);
    inputs.forEach((bytes, i) => {
      expect({ i, ...ours(asciiFailure(bytes, 0, bytes.length) ?? bytes) }).toEqual({ i, ...expected[i] });
    });
  });

  it('int(bytes, base), and the 4300-digit limit counted before what follows the digits', () => {
    const samples = fc.sample(fc.tuple(intInput, intBase), { seed: SEED, numRuns: 4000 });
    const long = '1'.repeat(4301);
    for (const text of [long, `${long}x`, `0${long}`, `-${long}_`, `0x${'f'.repeat(5000)}`, `${'1'.repeat(4300)}`]) {
      samples.push([latin1(text), 0], [latin1(text), 10]);
    }
    const expected = python('int', samples.map(([bytes]) => bytes), samples.map(([, base]) => base));
    samples.forEach(([bytes, base], i) => {
      let result: PythonResult;
      try {
        const value = parsePythonInt(bytes, 0, bytes.length, base, 4300);
        result = value === null
          ? { error: `ValueError: invalid literal for int() with base ${base}: ${reprBytes(bytes).slice(0, 200)}` }
          : { value: value < 0 ? `-0x${(-BigInt(value)).toString(16)}` : `0x${value.toString(16)}` };
      } catch (error) {
        if (!(error instanceof IntDigitsLimitError)) throw error;
        result = { error: `ValueError: ${error.pythonMessage}` };
      }
      expect({ i, base, ...result }).toEqual({ i, base, ...expected[i] });
    });
  });

  it('float(bytes)', () => {
    const inputs = fc.sample(floatInput, { seed: SEED, numRuns: 4000 });
    const expected = python('float', inputs);
    inputs.forEach((bytes, i) => {
      const value = parsePythonFloat(bytes, 0, bytes.length);
      const result = value === null ? { error: `ValueError: could not convert string to float: ${reprBytes(bytes)}` } : { value: pythonFloatRepr(value) };
      expect({ i, ...result }).toEqual({ i, ...expected[i] });
    });
  });
});

describe('the shared Unicode decoders in pieces', () => {
  it('give the same code points, or fail at the same place, whatever the piece size', () => {
    fc.assert(
      fc.property(fc.oneof(utf8Input, rawUnicodeEscapeInput), fc.integer({ min: 2, max: 9 }), (bytes, piece) => {
        for (const decode of [decodeUtf8CodePoints, decodeRawUnicodeEscapeCodePoints]) {
          const whole = decodeAll(decode, bytes);
          const pieces = decodeInPieces(decode, bytes, piece);
          if (whole instanceof DecodeFailure) expect(pieces).toEqual(whole);
          else expect(pieces).toEqual(Array.from(whole));
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

describe("the unpickler's text decoders agree with the shared ones", () => {
  // Lengths across the fast paths' boundaries: the short loop (< 64 bytes), TextDecoder, and the
  // Latin-1 path (4096 bytes and up).
  const longUtf8 = fc.tuple(utf8Input, fc.constantFrom(0, 50, 70, 4090, 5000), fc.constantFrom('a', '\xc3\xa9', '\xe4\xb8\xad'))
    .map(([tail, n, filler]) => bytesOf([latin1(filler.repeat(Math.ceil(n / filler.length))), tail]));

  it('decodeUtf8: the same string for valid bytes, null exactly where CPython raises', () => {
    fc.assert(
      fc.property(fc.oneof(utf8Input, longUtf8), fc.nat(3), (bytes, offset) => {
        const padded = new Uint8Array(offset + bytes.length + 2).fill(0xe4);
        padded.set(bytes, offset);
        const shared = decodeAll(decodeUtf8CodePoints, bytes);
        // A JavaScript string cannot keep apart a surrogate pair decoded from two encoded
        // surrogates and the astral character they spell, so strings are compared, not code points.
        expect(decodeUtf8(padded, offset, offset + bytes.length)).toBe(shared instanceof DecodeFailure ? null : stringOf(shared));
      }),
      { seed: SEED, numRuns: 4000 },
    );
  });

  // Texts short and long (the scratch array, an exact-length one, a fresh one past 4096 bytes).
  const longRawUnicodeEscape = fc.tuple(rawUnicodeEscapeInput, fc.constantFrom(0, 70, 5000), fc.constantFrom('a', '\\u4e2d', '\\U0001f600'))
    .map(([tail, n, filler]) => bytesOf([latin1(filler.repeat(Math.ceil(n / filler.length))), tail]));

  it('decodeRawUnicodeEscape and decodeStringEscape', () => {
    fc.assert(
      fc.property(longRawUnicodeEscape, escapeInput, (raw, escaped) => {
        const shared = decodeAll(decodeRawUnicodeEscapeCodePoints, raw);
        expect(decodeRawUnicodeEscape(raw, 0, raw.length)).toBe(shared instanceof DecodeFailure ? null : stringOf(shared));
        const bytes = escapeDecode(escaped, 0, escaped.length);
        expect(decodeStringEscape(escaped, 0, escaped.length)).toEqual(bytes instanceof DecodeFailure ? null : bytes);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

/** A protocol 0 pickle of one number line: the opcode, `digits` ones, `tail`, then STOP. */
function numberLine(opcode: string, digits: number, tail: string): Uint8Array {
  const data = new Uint8Array(1 + digits + tail.length + 2).fill(0x31);
  data.set(latin1(opcode));
  data.set(latin1(`${tail}\n.`), 1 + digits);
  return data;
}

describe('the unpickler reads INT, LONG and FLOAT lines as int(bytes, 0) and float(bytes)', () => {
  it('a valid FLOAT line of 10 million digits is inf, as in CPython (no regex over the line)', { timeout: 30_000 }, () => {
    const data = numberLine('F', 10_000_000, '');
    const started = Date.now();
    expect(loads(data)).toBe(Infinity);
    data[10_000_000] = 0x78; // a letter at the end: refused
    expect(() => loads(data)).toThrow(/^could not convert FLOAT argument to float/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an INT line of 10 million digits meets maxIntDigits, not the call stack', () => {
    const data = numberLine('I', 10_000_000, 'x');
    expect(() => loads(data)).toThrow(/Exceeds the limit \(4300 digits\) for integer string conversion: value has 10000000 digits/);
  });
});

describeWithPython('the unpickler on protocol 0 number lines and memo indices, as pickle.py reads them', () => {
  it('accepts and refuses what pickle._loads accepts and refuses', () => {
    const lines = [
      'I15', 'I 15 ', 'I\t-15\x0b', 'I\x1c15', 'I15\x1f', 'I1_5', 'I0x_1f', 'I0b101', 'I0o17', 'I017', 'I00', 'I01', 'I000', 'I+0', 'I1__5', 'I_15',
      'L15L', 'L 15L', 'L\x1c15L', 'L-0x10L', 'L15', 'LL',
      'F1.5', 'F 1.5 ', 'F\x1c1.5', 'F1.5\x1d', 'F1_5.0', 'F1_.5', 'F-inf', 'F nan ', 'F1e400', 'F.5', 'F5.', 'F.', 'Finfinit',
      // Memo indices, read in base 10.
      'I7\np010\ng10', 'I7\np10\ng010', 'I7\np0x10\ng16', 'I7\np 1_0 \ng10', 'I7\np\x1c1\ng1', 'I7\np1\ng0b1',
    ];
    const pickles = lines.map((line) => latin1(`${line}\n.`));
    const script = String.raw`
import base64, json, pickle, sys
out = []
for data in json.load(sys.stdin):
    try:
        value = pickle._loads(base64.b64decode(data))
        out.append(repr(value) if isinstance(value, float) else str(value))
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`;
    const expected: Array<string | null> = JSON.parse(runPython(script, JSON.stringify(pickles.map((p) => Buffer.from(p).toString('base64')))).toString('utf8'));
    pickles.forEach((data, i) => {
      let result: string | null;
      try {
        const value = loads(data);
        result = typeof value === 'number' && lines[i]!.startsWith('F') ? pythonFloatRepr(value) : typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
      } catch (error) {
        expect(error).toBeInstanceOf(UnpicklingError);
        result = null;
      }
      expect({ line: lines[i], result }).toEqual({ line: lines[i], result: expected[i] });
    });
  });
});

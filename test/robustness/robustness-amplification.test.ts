// Robustness property 9: hostile amplification stays linear. A pickle may make the unpickler do
// more work than its size in one place (a handler copying a big list, a dict changing
// representation, a protocol 0 number), but a small pickle repeating that work must either hit
// the copy budget (an UnpicklingError) or finish quickly: never run for minutes. Huge protocol 0
// decimal integers are refused past maxIntDigits (4300 by default, as CPython's
// int_max_str_digits), which keeps their quadratic conversion bounded.
//
// Time is asserted only as a hang guard. The hostile inputs that could run for minutes are about
// 1 MB and load in a child process (test/robustness/child.ts) that is killed after
// WORKER_TIMEOUT_MS, so a regression fails in bounded time instead of hanging the run; each must
// finish, with a value or the copy-budget error, within HANG_MS (a linear unpickler needs about
// a second for them; the quadratic ones take minutes).
import { afterAll, describe, expect, it } from 'vitest';
import { loads, UnpicklingError } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { attempt, concat, describeError, latin1, le } from './util.js';
import { describeOutcome, loadInChild, removeSourceBundle } from './child.js';

const BUDGET_MESSAGE = /more copying than its size can justify/;

/** Loads `data`, timing it; the outcome must be a value or an UnpicklingError. */
function run(data: Uint8Array): { ms: number; value?: unknown; error?: UnpicklingError } {
  const started = performance.now();
  const outcome = attempt(() => loads(data));
  const ms = performance.now() - started;
  if (outcome.ok) return { ms, value: outcome.value };
  if (!(outcome.error instanceof UnpicklingError)) {
    throw new Error(`expected a value or an UnpicklingError, got ${describeError(outcome.error)}`);
  }
  return { ms, error: outcome.error };
}

/** The outcome must be the copy-budget UnpicklingError or a value, within an absolute hang guard. */
function expectBudgetOrValue(data: Uint8Array, hangGuardMs: number): { ms: number; value?: unknown; error?: UnpicklingError } {
  const result = run(data);
  if (result.error) expect(result.error.message).toMatch(BUDGET_MESSAGE);
  expect(result.ms, `hang guard (${data.length}-byte input)`).toBeLessThan(hangGuardMs);
  return result;
}

const HANG_MS = 10_000;
const WORKER_TIMEOUT_MS = 12_000;

/**
 * Loads `data` in a child process: it must end within HANG_MS with a value or the copy-budget
 * UnpicklingError (a timeout, a crash or any other error fails).
 */
async function expectFinishes(data: Uint8Array): Promise<void> {
  const outcome = await loadInChild(data, { timeoutMs: WORKER_TIMEOUT_MS });
  const what = `${(data.length / 1e6).toFixed(2)} MB input: ${describeOutcome(outcome)}`;
  expect(outcome.status === 'value' || (outcome.status === 'error' && outcome.unpicklingError && BUDGET_MESSAGE.test(outcome.message)), what).toBe(true);
  expect(outcome.ms, `hang guard, ${what}`).toBeLessThan(HANG_MS);
}

/** A protocol 4 list of `n` small ints: EMPTY_LIST, MARK, BININT1 x n, APPENDS. */
function bigList(n: number): string {
  return '](' + 'K\x00'.repeat(n) + 'e';
}

/** SHORT_BINUNICODE of an ASCII string shorter than 256 bytes. */
function shortText(s: string): string {
  return '\x8c' + String.fromCharCode(s.length) + s;
}

/** A protocol 4 dict of `n` string keys to None: EMPTY_DICT, MARK, (key, NONE) x n, SETITEMS. */
function bigDict(n: number): string {
  let out = '}(';
  for (let i = 0; i < n; i++) out += shortText(`k${i}`) + 'N';
  return out + 'u';
}

/**
 * GLOBAL builtins.<callable> (memo 0), a list of `items` ints (memo 1), POP; then `calls` times
 * REDUCE callable(list) and POP; STOP on None.
 */
function repeatedCall(callable: string, items: number, calls: number): Uint8Array {
  return latin1(
    '\x80\x04cbuiltins\n' + callable + '\n\x94' + bigList(items) + '\x940' + 'h\x00h\x01\x85R0'.repeat(calls) + 'N.',
  );
}

describe('robustness: hostile amplification', () => {
  afterAll(removeSourceBundle);

  it('set(list of 100 000) called 100 000 times hits the copy budget', () => {
    const data = repeatedCall('set', 100_000, 100_000);
    const result = expectBudgetOrValue(data, 20_000);
    // 10^10 element copies cannot fit a budget linear in a 900 KB input.
    expect(result.error?.message).toMatch(BUDGET_MESSAGE);
    expect(result.error?.opcode).toBe('REDUCE');
  });

  it.each(['frozenset', 'list', 'tuple', 'bytes', 'bytearray'])('%s(list of 20 000) called 20 000 times hits the copy budget', (callable) => {
    const result = expectBudgetOrValue(repeatedCall(callable, 20_000, 20_000), 10_000);
    expect(result.error?.message).toMatch(BUDGET_MESSAGE);
  });

  it('_codecs.encode of a 100 000-character str called 100 000 times hits the copy budget', () => {
    const text = 'a'.repeat(100_000);
    const data = concat(
      latin1('\x80\x04c_codecs\nencode\n\x94X'),
      le(text.length, 4),
      latin1(text + '\x94' + shortText('latin1') + '\x94000' + 'h\x00h\x01h\x02\x86R0'.repeat(100_000) + 'N.'),
    );
    const result = expectBudgetOrValue(data, 10_000);
    expect(result.error?.message).toMatch(BUDGET_MESSAGE);
  });

  it('bytes(n) and bytearray(n) for a huge n fail before allocating', () => {
    const before = process.memoryUsage();
    for (const callable of ['bytes', 'bytearray']) {
      for (const n of [2 ** 31 - 1, 2 ** 40, 10 ** 15, 2 ** 53 - 1]) {
        const arg = n < 2 ** 31 ? 'J' + String.fromCharCode(...le(n, 4)) : '\x8a\x07' + String.fromCharCode(...le(n, 7));
        const result = run(latin1('\x80\x04cbuiltins\n' + callable + '\n' + arg + '\x85R.'));
        expect(result.error?.message, `${callable}(${n})`).toMatch(BUDGET_MESSAGE);
      }
    }
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(100 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(100 * 1024 * 1024);
  });

  describe('about 1 MB hostile inputs finish, in a child process with a time limit', () => {
    it('bool(dict of 20 000 keys) called 250 000 times', async () => {
      // builtins.bool (memo 0), a dict (memo 1), POP; then bool(dict) again and again.
      await expectFinishes(latin1('\x80\x04cbuiltins\nbool\n\x94' + bigDict(20_000) + '\x940' + 'h\x00h\x01\x85R0'.repeat(250_000) + 'N.'));
    });

    it('BUILD with the same 20 000-key state dict 250 000 times', async () => {
      // An object (__main__.P) whose state is a dict (memo 0), then BUILD with that dict again
      // and again: each merges every key of the state into the object's state.
      await expectFinishes(latin1('\x80\x04c__main__\nP\n)\x81' + bigDict(20_000) + '\x94b' + 'h\x00b'.repeat(250_000) + '.'));
    });

    it('50 000 dicts changing representation beside a 50 000-item list', async () => {
      // A big list on the stack, then again and again: EMPTY_DICT, DUP (the dict escapes),
      // SETITEM 1: 1 (it becomes a Map, and every reference to it is replaced), POP, POP.
      await expectFinishes(latin1('\x80\x04' + bigList(50_000) + '}2K\x01K\x01s00'.repeat(50_000) + '.'));
    });

    it('dicts changing representation beside a memo index of 0xfffffffd', async () => {
      // EMPTY_DICT, LONG_BINPUT 0xfffffffd, DUP, SETITEM 1: 1: fifteen bytes.
      await expectFinishes(latin1('\x80\x02}r\xfd\xff\xff\xff2K\x01K\x01s.'));
    });
  });

  describe('protocol 0 number arguments with whitespace inside', () => {
    // int() and float() strip surrounding whitespace; a run of whitespace inside the argument
    // (which makes it invalid) must not cost time quadratic in its length.
    const spaces = ' '.repeat(1_000_000);
    it.each([
      ['INT', 'I1' + spaces + '2\n.'],
      ['LONG', 'L1' + spaces + '2L\n.'],
      ['FLOAT', 'F1' + spaces + '2\n.'],
      ['GET', 'K\x01p1\ng1' + spaces + '2\n.'],
      ['PUT', 'K\x01p1' + spaces + '2\n.'],
    ])('%s', async (opcode, text) => {
      const outcome = await loadInChild(latin1(text), { timeoutMs: WORKER_TIMEOUT_MS });
      expect(outcome.status === 'error' && outcome.unpicklingError, describeOutcome(outcome)).toBe(true);
      expect(outcome.status === 'error' ? outcome.opcode : undefined).toBe(opcode);
      expect(outcome.ms, `hang guard: ${describeOutcome(outcome)}`).toBeLessThan(HANG_MS);
    });

    it('surrounding whitespace is accepted, as int() and float() accept it', () => {
      expect(loads(latin1('I  \t12 \n.'))).toBe(12);
      expect(loads(latin1('F 1.5  \n.'))).toBe(1.5);
      expect(loads(latin1('I' + ' '.repeat(100_000) + '7' + ' '.repeat(100_000) + '\n.'))).toBe(7);
    });
  });

  describe('huge protocol 0 decimal integers', () => {
    const digits = (n: number) => '1' + '7'.repeat(n - 1);

    it('4300 digits load exactly, with INT and with LONG', () => {
      expect(loads(latin1('I' + digits(4300) + '\n.'))).toBe(BigInt(digits(4300)));
      expect(loads(latin1('L-' + digits(4300) + 'L\n.'))).toBe(-BigInt(digits(4300)));
    });

    it.each([4301, 10_000, 1_000_000])('%i digits are refused (maxIntDigits 4300)', (n) => {
      for (const text of ['I' + digits(n) + '\n.', 'L' + digits(n) + 'L\n.', 'I-' + digits(n) + '\n.']) {
        const result = run(latin1(text));
        expect(result.error).toBeInstanceOf(UnpicklingError);
        expect(result.error?.opcode).toBe(text[0] === 'I' ? 'INT' : 'LONG');
        expect(result.ms, 'hang guard').toBeLessThan(2000);
      }
    });

    it('maxIntDigits raises or lowers the limit', () => {
      expect(loads(latin1('I' + digits(10_000) + '\n.'), { maxIntDigits: 10_000 })).toBe(BigInt(digits(10_000)));
      expect(() => loads(latin1('I' + digits(11) + '\n.'), { maxIntDigits: 10 })).toThrow(UnpicklingError);
    });

    it('hexadecimal literals are not limited, as in CPython (the conversion is linear)', () => {
      const hexDigits = 'f'.repeat(20_000);
      expect(loads(latin1('I0x' + hexDigits + '\n.'))).toBe(BigInt('0x' + hexDigits));
    });
  });

  describeWithPython('CPython agrees on the 4300-digit limit', () => {
    it('accepts 4300 digits and refuses 4301', () => {
      const out = runPython(
        [
          'import pickle',
          "ok = pickle.loads(b'I' + b'1' * 4300 + b'\\n.') == int('1' * 4300)",
          'try:',
          "    pickle.loads(b'I' + b'1' * 4301 + b'\\n.')",
          '    refused = False',
          'except ValueError:',
          '    refused = True',
          'print(ok, refused)',
        ].join('\n'),
      ).toString().trim();
      expect(out).toBe('True True');
      expect(loads(latin1('I' + '1'.repeat(4300) + '\n.'))).toBe(BigInt('1'.repeat(4300)));
      expect(() => loads(latin1('I' + '1'.repeat(4301) + '\n.'))).toThrow(UnpicklingError);
    });
  });
});

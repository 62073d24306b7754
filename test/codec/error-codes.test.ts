// Every error the package throws on purpose carries a stable `code` that programs match on
// instead of the message: here each code is provoked by an input that means it, and the codes
// that look alike (a truncated input and a corrupt one) are told apart.
import { describe, expect, it } from 'vitest';
import {
  dumps,
  loads,
  PickleError,
  type PickleErrorCode,
  PicklingError,
  pformat,
  fromJson,
  UnpicklingError,
} from '../../src/index.js';

function codeOf(run: () => unknown): PickleErrorCode | string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PickleError);
    return (error as PickleError).code;
  }
  throw new Error('expected a PickleError, got a value');
}

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('UnpicklingError codes', () => {
  it('TRUNCATED: the input ends inside a pickle, wherever it is cut', () => {
    // (1, 'abc') at protocol 4 as CPython writes it, cut before its STOP and inside an argument.
    const whole = bytes(0x80, 4, 0x95, 11, 0, 0, 0, 0, 0, 0, 0, 0x4b, 1, 0x8c, 3, 0x61, 0x62, 0x63, 0x94, 0x86, 0x94, 0x2e);
    expect(loads(whole)).toBeDefined();
    for (let length = 0; length < whole.length; length++) {
      expect(codeOf(() => loads(whole.subarray(0, length))), `cut at ${length}`).toBe('TRUNCATED');
    }
    expect(codeOf(() => loads(new TextEncoder().encode('I12')))).toBe('TRUNCATED'); // no newline
  });

  it('UNKNOWN_OPCODE and INVALID_PICKLE: corrupt bytes are not "wait for more"', () => {
    expect(codeOf(() => loads(bytes(0x80, 4, 0xff, 0x2e)))).toBe('UNKNOWN_OPCODE');
    expect(codeOf(() => loads(bytes(0x80, 2, 0x2e)))).toBe('INVALID_PICKLE'); // STOP on an empty stack
    expect(codeOf(() => loads(bytes(0x80, 2, 0x61, 0x2e)))).toBe('INVALID_PICKLE'); // APPEND with nothing
  });

  it('LIMIT_EXCEEDED: a configured limit', () => {
    const deep = new Uint8Array([0x80, 2, ...new Array(100).fill(0x5d), 0x2e]);
    expect(codeOf(() => loads(deep, { maxDepth: 10 }))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => loads(dumps([1, 2, 3]), { maxInputBytes: 4 }))).toBe('LIMIT_EXCEEDED');
  });

  it('FORBIDDEN_GLOBAL: strict mode and an unregistered global', () => {
    const pickle = new TextEncoder().encode('cos\nsystem\n(S\'echo\'\ntR.');
    expect(codeOf(() => loads(pickle, { strict: true }))).toBe('FORBIDDEN_GLOBAL');
  });

  it('INVALID_ARGUMENT: a bad option or input type', () => {
    expect(codeOf(() => loads('not bytes' as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => loads(dumps(1), { encoding: 'utf-16' as never }))).toBe('INVALID_ARGUMENT');
  });

  it('keeps the code on UnpicklingError and its location', () => {
    try {
      loads(bytes(0x80, 4, 0xff));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnpicklingError);
      expect((error as UnpicklingError).offset).toBe(2);
      expect((error as UnpicklingError).code).toBe('UNKNOWN_OPCODE');
    }
  });
});

describe('PicklingError codes', () => {
  it('UNPICKLABLE, UNHASHABLE, SHARED_IN_FAST_MODE, LIMIT_EXCEEDED, INVALID_ARGUMENT', () => {
    expect(codeOf(() => dumps(() => 1))).toBe('UNPICKLABLE');
    expect(codeOf(() => dumps(new Map([[[1], 'v']])))).toBe('UNHASHABLE');
    expect(codeOf(() => dumps(new Map<unknown, string>([[1, 'a'], [true, 'b']])))).toBe('UNHASHABLE');
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(codeOf(() => dumps(cyclic, { fast: true }))).toBe('SHARED_IN_FAST_MODE');
    let deep: unknown = 0;
    for (let i = 0; i < 50; i++) deep = [deep];
    expect(codeOf(() => dumps(deep, { maxDepth: 10 }))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => dumps(1, { protocol: 9 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => dumps(() => 1))).not.toBe('INVALID_PICKLE');
    try {
      dumps({ f: Symbol('s') });
    } catch (error) {
      expect(error).toBeInstanceOf(PicklingError);
      expect((error as PicklingError).code).toBe('UNPICKLABLE');
    }
  });
});

describe('inspection error codes', () => {
  it('JSON_MAPPING and FORMAT_LIMIT', () => {
    expect(codeOf(() => fromJson('{"$nope": 1}'))).toBe('JSON_MAPPING');
    expect(codeOf(() => pformat(Array.from({ length: 1000 }, (_, i) => i), { maxWork: 10 }))).toBe('FORMAT_LIMIT');
  });
});

describe('mapper error codes', () => {
  it('SCHEMA_MISMATCH: a value that does not fit its field, both ways, and the wrong root', async () => {
    const { registerClass, Registry } = await import('../../src/index.js');
    const registry = new Registry();
    class Counter {
      count = 0;
    }
    registerClass(Counter, { module: 'm', name: 'Counter', registry, fields: { count: { type: 'int' } } });
    const bad = Object.assign(new Counter(), { count: 'x' });
    expect(codeOf(() => dumps(bad, { registry }))).toBe('SCHEMA_MISMATCH');
    // Python: m.Counter with count = 2.5, built by copyreg.__newobj__ and BUILD.
    const pickle = new TextEncoder().encode("ccopyreg\n_reconstructor\n(cm\nCounter\nc__builtin__\nobject\nNtR(dS'count'\nF2.5\nsb.");
    expect(codeOf(() => loads(pickle, { registry }))).toBe('SCHEMA_MISMATCH');
    expect(codeOf(() => loads(dumps(3), Counter, { registry }))).toBe('SCHEMA_MISMATCH');
  });
});

describe('messages quote what the pickle held as Python repr does', () => {
  it('escapes control characters of a bad int literal (no terminal escape sequence in the message)', () => {
    const pickle = Uint8Array.from([...Buffer.from('I1\x1b]0;x\x07\n.', 'latin1')]);
    try {
      loads(pickle);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("'1\\x1b]0;x\\x07'");
      expect((error as Error).message).not.toMatch(/[\x00-\x1f]/);
    }
  });
});

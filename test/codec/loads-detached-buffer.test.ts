// `loads` of input over a detached ArrayBuffer (its bytes transferred away by postMessage or
// structuredClone with transfer): an UnpicklingError coded INVALID_ARGUMENT, as any other bad
// argument, never the TypeError a DataView over it throws. The same for out-of-band buffers.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PickleBuffer, Unpickler, UnpicklingError } from '../../src/index.js';

/** `view(buffer)` of a new buffer of `n` bytes, returned once the buffer is detached. */
function detached<T>(view: (buffer: ArrayBuffer) => T = (buffer) => buffer as T, n = 8): T {
  const buffer = new ArrayBuffer(n);
  const result = view(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return result;
}

function unpicklingError(run: () => unknown): UnpicklingError {
  try {
    run();
  } catch (error) {
    if (error instanceof UnpicklingError) return error;
    throw new Error(`expected an UnpicklingError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an UnpicklingError, but it loaded');
}

describe('loads of a detached buffer', () => {
  const inputs: Record<string, () => ArrayBuffer | ArrayBufferView> = {
    'a Uint8Array': () => detached((b) => new Uint8Array(b)),
    'a Uint8Array at an offset': () => detached((b) => new Uint8Array(b, 4, 8), 16),
    'a Node Buffer': () => detached((b) => Buffer.from(b)),
    'a DataView': () => detached((b) => new DataView(b)),
    'a Float64Array': () => detached((b) => new Float64Array(b)),
    'an ArrayBuffer': () => detached<ArrayBuffer>(),
  };
  for (const [name, make] of Object.entries(inputs)) {
    it(`${name}: INVALID_ARGUMENT, from loads and from new Unpickler`, () => {
      for (const load of [() => loads(make()), () => new Unpickler(make()).load()]) {
        const error = unpicklingError(load);
        expect(error.code).toBe('INVALID_ARGUMENT');
        expect(error.message).toMatch(/detached/);
      }
    });
  }

  it('a view whose buffer is detached after the Unpickler was made still fails as a library error', () => {
    const data = new Uint8Array(dumps([1, 2, 3]));
    const unpickler = new Unpickler(data);
    structuredClone(data.buffer, { transfer: [data.buffer as ArrayBuffer] });
    expect(() => unpickler.load()).toThrow(UnpicklingError);
  });

  it('an out-of-band buffer over a detached buffer: INVALID_ARGUMENT', () => {
    const pickle = dumps(new PickleBuffer(new Uint8Array([1, 2, 3])), { protocol: 5, bufferCallback: () => false });
    for (const buffer of [detached((b) => new Uint8Array(b)), detached<ArrayBuffer>(), detached((b) => new DataView(b))]) {
      const error = unpicklingError(() => loads(pickle, { buffers: [buffer] }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(/detached/);
    }
  });

  it('empty input over a live buffer is still a truncated pickle, not a detached one', () => {
    for (const input of [new Uint8Array(0), new ArrayBuffer(0), new DataView(new ArrayBuffer(0))]) {
      expect(unpicklingError(() => loads(input)).code).toBe('TRUNCATED');
    }
  });
});

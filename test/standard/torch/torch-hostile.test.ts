// Bad torch files: each lie (zip sizes and offsets, overlapping or compressed records, a missing
// data.pkl, storages too short for their tensors, negative strides and offsets, globals a
// weights-only load refuses) is an UnpicklingError with a code, never an out-of-bounds view.
import { describe, expect, it } from 'vitest';
import { PyGlobal, PyObject, PyOrderedDict, Tensor, UnpicklingError, dumps, loadTorch, saveTorch, tuple, type PickleErrorCode } from '../../../src/index.js';
import { writeZip } from '../../../src/standard/torch/zip-writer.js';
import { seededRandom } from '../../helpers/random.js';
import { fixture } from './expected.js';

function failure(run: () => unknown): UnpicklingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnpicklingError);
    return error as UnpicklingError;
  }
  throw new Error('expected an UnpicklingError, got a value');
}

function codeOf(run: () => unknown): PickleErrorCode {
  return failure(run).code;
}

/** Offsets of the central directory entries, by name. */
function directory(bytes: Uint8Array): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let at = view.getUint32(eocd + 16, true);
  const out = new Map<string, number>();
  for (let i = 0; i < view.getUint16(eocd + 10, true); i++) {
    const nameLength = view.getUint16(at + 28, true);
    out.set(new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)), at);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

/** A copy of the state-dict fixture with one central directory field of `name` changed. */
function patched(name: string, field: number, value: number, width: 2 | 4 = 4): Uint8Array {
  const bytes = fixture('state-dict.pt').slice();
  const at = directory(bytes).get(`state-dict/${name}`);
  if (at === undefined) throw new Error(`no entry ${name}`);
  const view = new DataView(bytes.buffer);
  if (width === 4) view.setUint32(at + field, value, true);
  else view.setUint16(at + field, value, true);
  return bytes;
}

const STORAGE = Symbol('storage');
const REBUILD = new PyGlobal('torch._utils', '_rebuild_tensor_v2');

/** A torch zip with one float32 storage of `numel` elements and a tensor of the given layout over it. */
function archive(numel: number, shape: number[], stride: number[], offset: number, recordBytes = numel * 4): Uint8Array {
  const tensor = new PyObject(REBUILD, tuple(STORAGE, offset, tuple(...shape), tuple(...stride), false, new PyOrderedDict()), 'reduce');
  const pickle = dumps(tensor, {
    protocol: 2,
    persistentId: (value) => (value === STORAGE ? tuple('storage', new PyGlobal('torch', 'FloatStorage'), '0', 'cpu', numel) : undefined),
  });
  return writeZip([
    { name: 'archive/data.pkl', data: pickle },
    { name: 'archive/data/0', data: new Uint8Array(recordBytes) },
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
  ]);
}

describe('loadTorch on lying archives', () => {
  it('reads the crafted archive when it does not lie', () => {
    expect(() => loadTorch(archive(6, [2, 3], [3, 1], 0))).not.toThrow();
  });

  it('refuses a record whose size runs past the entries', () => {
    expect(codeOf(() => loadTorch(patched('data/0', 20, 0x7fffffff)))).toBe('INVALID_ARCHIVE');
  });

  it('refuses a stored record whose sizes disagree', () => {
    expect(codeOf(() => loadTorch(patched('data/0', 24, 4)))).toBe('INVALID_ARCHIVE');
  });

  it('refuses a record whose header offset lies beyond the file', () => {
    expect(codeOf(() => loadTorch(patched('data/0', 42, 0xfffffff0)))).toBe('INVALID_ARCHIVE');
  });

  it('refuses a directory that runs past the end record', () => {
    const bytes = fixture('state-dict.pt').slice();
    const view = new DataView(bytes.buffer);
    view.setUint32(bytes.length - 22 + 12, 0x00ffffff, true);
    expect(codeOf(() => loadTorch(bytes))).toBe('INVALID_ARCHIVE');
  });

  it('refuses overlapping records', () => {
    const bytes = fixture('state-dict.pt').slice();
    const entries = directory(bytes);
    const view = new DataView(bytes.buffer);
    const first = view.getUint32(entries.get('state-dict/data/0')! + 42, true);
    view.setUint32(entries.get('state-dict/data/1')! + 42, first, true);
    const error = failure(() => loadTorch(bytes));
    expect(error.code).toBe('INVALID_ARCHIVE');
    expect(error.message).toMatch(/overlap/);
  });

  it('refuses a compressed storage record, saying why', () => {
    const error = failure(() => loadTorch(patched('data/0', 10, 8, 2)));
    expect(error.code).toBe('INVALID_ARCHIVE');
    expect(error.message).toMatch(/compressed/);
  });

  it('refuses an archive without data.pkl', () => {
    const bytes = fixture('state-dict.pt').slice();
    const at = directory(bytes).get('state-dict/data.pkl')!;
    bytes[at + 46 + 'state-dict/data.pk'.length] = 0x58;
    const error = failure(() => loadTorch(bytes));
    expect(error.code).toBe('INVALID_ARCHIVE');
    expect(error.message).toMatch(/data\.pkl/);
  });

  it('refuses a storage record shorter than its persistent id says', () => {
    expect(codeOf(() => loadTorch(archive(6, [2, 3], [3, 1], 0, 20)))).toBe('INVALID_TENSOR');
  });

  it('refuses a tensor its storage is too short for (shape, stride, offset)', () => {
    expect(codeOf(() => loadTorch(archive(6, [3, 3], [3, 1], 0)))).toBe('INVALID_TENSOR');
    expect(codeOf(() => loadTorch(archive(6, [2, 3], [1, 3], 0)))).toBe('INVALID_TENSOR');
    expect(codeOf(() => loadTorch(archive(6, [2, 3], [3, 1], 1)))).toBe('INVALID_TENSOR');
    const error = failure(() => loadTorch(archive(6, [2, 3], [3, 1], 1)));
    expect(error.message).toMatch(/needs 7 elements, but its storage has 6/);
    expect(error.offset).toBeGreaterThan(0);
  });

  it('refuses negative strides and offsets', () => {
    expect(codeOf(() => loadTorch(archive(6, [2, 3], [-3, 1], 3)))).toBe('INVALID_TENSOR');
    expect(codeOf(() => loadTorch(archive(6, [2, 3], [3, 1], -1)))).toBe('INVALID_TENSOR');
    expect(codeOf(() => loadTorch(archive(6, [-2, 3], [3, 1], 0)))).toBe('INVALID_TENSOR');
  });

  it('allows an empty tensor at the end of its storage', () => {
    expect(() => loadTorch(archive(6, [0, 3], [3, 1], 6))).not.toThrow();
  });
});

describe('loadTorch in weights-only mode', () => {
  const evil = (): Uint8Array => {
    const pickle = dumps(new PyObject(new PyGlobal('os', 'system'), tuple('echo hi'), 'reduce'), { protocol: 2 });
    return writeZip([{ name: 'archive/data.pkl', data: pickle }]);
  };

  it('refuses an unknown global, naming it and the options that allow it', () => {
    const error = failure(() => loadTorch(evil()));
    expect(error.code).toBe('FORBIDDEN_GLOBAL');
    expect(error.message).toMatch(/'os\.system'/);
    expect(error.message).toMatch(/weightsOnly: false/);
    expect(error.message).toMatch(/registry/);
  });

  it('loads it as an inert placeholder with { weightsOnly: false }', () => {
    const value = loadTorch(evil(), { weightsOnly: false });
    expect(value).toBeInstanceOf(PyObject);
    expect((value as PyObject).name).toBe('system');
  });
});

describe('loadTorch on damaged files', () => {
  const inputs: Record<string, () => Uint8Array> = {
    'state-dict.pt': () => fixture('state-dict.pt'),
    'legacy-state-dict.pt': () => fixture('legacy-state-dict.pt'),
    'pickled-tensor.pkl': () => fixture('pickled-tensor.pkl'),
    'state-dict.pt in zip64 form': () => saveTorch(loadTorch(fixture('state-dict.pt')), { zip64: true }),
  };
  for (const name of Object.keys(inputs)) {
    it(`rejects every strict prefix of ${name} with an UnpicklingError`, () => {
      const bytes = inputs[name]!();
      for (let length = 0; length < bytes.length; length++) {
        const prefix = bytes.slice(0, length);
        try {
          loadTorch(prefix);
        } catch (error) {
          if (!(error instanceof UnpicklingError)) throw new Error(`prefix ${length}: ${String(error)}`);
          continue;
        }
        // A legacy prefix ending after the object but before its storages still fails above;
        // only a zip's or pickle's prefix that is complete could load, and none is.
        throw new Error(`prefix of ${length} bytes loaded`);
      }
    });

    it(`gives an UnpicklingError or a value for seeded mutations of ${name}`, () => {
      const random = seededRandom(21);
      const original = inputs[name]!();
      for (let round = 0; round < 400; round++) {
        const bytes = original.slice();
        const flips = 1 + Math.floor(random() * 4);
        for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        try {
          loadTorch(bytes);
        } catch (error) {
          if (!(error instanceof UnpicklingError)) throw new Error(`round ${round}: ${String(error)}`);
        }
      }
    });
  }
});

describe('loadTorch on records read as two dtypes or big-endian', () => {
  const FLOAT = new PyGlobal('torch', 'FloatStorage');
  const INT = new PyGlobal('torch', 'IntStorage');
  const build = (byteorder: 'little' | 'big'): Uint8Array => {
    const asFloat = Symbol('float');
    const asInt = Symbol('int');
    const rebuild = (storage: symbol) => new PyObject(REBUILD, tuple(storage, 0, tuple(2), tuple(1), false, new PyOrderedDict()), 'reduce');
    const pickle = dumps([rebuild(asFloat), rebuild(asInt), rebuild(asInt)], {
      protocol: 2,
      persistentId: (value) => (value === asFloat ? tuple('storage', FLOAT, '0', 'cpu', 2) : value === asInt ? tuple('storage', INT, '0', 'cpu', 2) : undefined),
    });
    const data = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    if (byteorder === 'big') for (let i = 0; i < data.length; i += 4) data.subarray(i, i + 4).reverse();
    return writeZip([
      { name: 'archive/data.pkl', data: pickle },
      { name: 'archive/byteorder', data: new TextEncoder().encode(byteorder) },
      { name: 'archive/data/0', data },
    ]);
  };

  it('gives each dtype its own Storage over the same bytes (tensor.view(dtype))', () => {
    const [f, i, j] = loadTorch(build('little')) as Tensor[];
    expect(f!.dtype).toBe('float32');
    expect(i!.dtype).toBe('int32');
    expect(j!.storage).toBe(i!.storage);
    expect([...f!.data]).toEqual([1.5, -2]);
    expect(i!.data.buffer).toBe(f!.data.buffer);
    expect(i!.at(0)).toBe(new Int32Array(new Float32Array([1.5]).buffer)[0]);
  });

  it('swaps the bytes of a big-endian archive', () => {
    const [f] = loadTorch(build('big')) as Tensor[];
    expect([...f!.data]).toEqual([1.5, -2]);
  });
});

describe('loadTorch keeps torch dtypes and devices a checkpoint holds', () => {
  it('loads torch.float16 and torch.device(...) in weights-only mode and writes them back', () => {
    const value = { dtype: new PyGlobal('torch', 'float16'), device: new PyObject(new PyGlobal('torch', 'device'), tuple('cuda', 0), 'reduce') };
    const bytes = writeZip([{ name: 'archive/data.pkl', data: dumps(value, { protocol: 2 }) }]);
    const loaded = loadTorch(bytes) as { dtype: PyGlobal; device: PyObject };
    expect(loaded.dtype.qualifiedName).toBe('torch.float16');
    expect(loaded.device).toBeInstanceOf(PyObject);
    expect([...loaded.device.args]).toEqual(['cuda', 0]);
    const again = loadTorch(saveTorch(loaded)) as { dtype: PyGlobal; device: PyObject };
    expect(again.dtype.qualifiedName).toBe('torch.float16');
    expect([...again.device.args]).toEqual(['cuda', 0]);
  });
});

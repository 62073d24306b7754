import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PyOrderedDict, Storage, Tensor, extraState, loadTorch, saveTorch } from '../../../src/index.js';
import { FIXTURES, expectTensors, expectedOf, fixture } from './expected.js';
import { describeWithPython, runPython } from '../../helpers/python.js';

describe('loadTorch on files torch 1.13 wrote', () => {
  for (const name of ['mixed.pt', 'state-dict.pt', 'legacy.pt', 'legacy-state-dict.pt', 'pickled-tensor.pkl']) {
    it(`loads every tensor of ${name} as torch has it`, () => {
      expectTensors(loadTorch(fixture(name)), expectedOf(name));
    });
  }

  it('keeps a state_dict an OrderedDict in its order, with its _metadata', () => {
    const meta = JSON.parse(readFileSync(new URL('state-dict.metadata.json', FIXTURES), 'utf8')) as { keys: string[]; metadata: Record<string, Record<string, number>> };
    for (const name of ['state-dict.pt', 'legacy-state-dict.pt']) {
      const state = loadTorch(fixture(name)) as PyOrderedDict<string, Tensor>;
      expect(state).toBeInstanceOf(PyOrderedDict);
      expect([...state.keys()]).toEqual(meta.keys);
      const metadata = extraState(state).get('_metadata') as PyOrderedDict<string, Record<string, number>>;
      expect(metadata).toBeInstanceOf(PyOrderedDict);
      expect(Object.fromEntries(metadata)).toEqual(meta.metadata);
    }
  });

  it('gives tensor data as views of the file bytes (zip records are 64-byte aligned)', () => {
    const bytes = fixture('mixed.pt');
    const loaded = loadTorch(bytes) as Record<string, Tensor>;
    const f64 = loaded['f64']!;
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(f64.data.buffer).toBe(bytes.buffer);
    expect(f64.storage.bytes.byteOffset % 64).toBe(0);
  });

  it('copies a storage whose record is misaligned for its element type', () => {
    const bytes = fixture('mixed.pt');
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const loaded = loadTorch(shifted.subarray(1)) as Record<string, Tensor>;
    const f64 = loaded['f64']!;
    expect(f64.data.byteOffset % 8).toBe(0);
    expect(f64.data.buffer).not.toBe(shifted.buffer);
    expect([...f64.data]).toEqual([...(loadTorch(bytes) as Record<string, Tensor>)['f64']!.data]);
  });

  it('reads the zip however its top folder is named', () => {
    const loaded = loadTorch(fixture('state-dict.pt')) as Map<string, Tensor>;
    expect(loaded.get('0.weight')!.storage).toBeInstanceOf(Storage);
  });
});

describeWithPython('loadTorch on checkpoints re-zipped by other writers', () => {
  // Python's zipfile rewrites the records without torch's 64-byte alignment, or deflated.
  const rezip = (method: 'ZIP_STORED' | 'ZIP_DEFLATED', folder = 'renamed'): Uint8Array =>
    new Uint8Array(
      runPython(
        `import io, sys, zipfile
src = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
out = io.BytesIO()
with zipfile.ZipFile(out, 'w', zipfile.${method}) as dst:
    for info in src.infolist():
        dst.writestr('${folder}/' + info.filename.split('/', 1)[1], src.read(info))
sys.stdout.buffer.write(out.getvalue())`,
        fixture('mixed.pt'),
      ),
    );

  it('loads a stored re-zip (another top folder, unaligned records copied)', () => {
    expectTensors(loadTorch(rezip('ZIP_STORED')), expectedOf('mixed.pt'));
  });

  it('writes zip64 records that Python zipfile reads, and reads them back', () => {
    const original = loadTorch(fixture('mixed.pt'));
    const bytes = saveTorch(original, { zip64: true });
    expectTensors(loadTorch(bytes), expectedOf('mixed.pt'));
    const report = runPython(
      `import io, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
assert z.testzip() is None
print(len(z.infolist()), sum(i.file_size for i in z.infolist() if '/data/' in i.filename))`,
      bytes,
    ).toString().trim();
    const tensors = Object.values(original as Record<string, unknown>).flat().filter((v) => v instanceof Tensor) as Tensor[];
    const storages = new Set(tensors.map((t) => t.storage));
    expect(report).toBe(`${storages.size + 3} ${[...storages].reduce((n, s) => n + s.nbytes, 0)}`);
  });

  it('refuses a deflated re-zip with INVALID_ARCHIVE, saying the record is compressed', () => {
    expect(() => loadTorch(rezip('ZIP_DEFLATED'))).toThrow(expect.objectContaining({ code: 'INVALID_ARCHIVE', message: expect.stringMatching(/compressed/) }));
  });
});

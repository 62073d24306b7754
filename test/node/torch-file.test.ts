import { copyFileSync, mkdtempSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTorchFile } from '../../src/node/index.js';
import { Tensor, UnpicklingError, loadTorch } from '../../src/index.js';
import { FIXTURES, expectTensors, expectedOf, fixture } from '../standard/torch/expected.js';

const path = (name: string): string => fileURLToPath(new URL(name, FIXTURES));

describe('loadTorchFile', () => {
  for (const name of ['mixed.pt', 'state-dict.pt', 'legacy.pt', 'pickled-tensor.pkl']) {
    it(`loads ${name} from disk as torch has it`, () => {
      expectTensors(loadTorchFile(path(name)), expectedOf(name));
    });
  }

  it('reads a zip storage on first access, each into its own aligned buffer', () => {
    const loaded = loadTorchFile(path('mixed.pt')) as Record<string, Tensor>;
    const f64 = loaded['f64']!;
    expect(f64.storage.loaded).toBe(false);
    expect(loaded['base']!.storage.loaded).toBe(false);
    const data = f64.data;
    expect(f64.storage.loaded).toBe(true);
    expect(loaded['base']!.storage.loaded).toBe(false);
    expect(data.byteOffset).toBe(0);
    expect([...data]).toEqual([...(loadTorch(fixture('mixed.pt')) as Record<string, Tensor>)['f64']!.data]);
  });

  it('reads every storage during the load with { lazy: false }', () => {
    const loaded = loadTorchFile(path('mixed.pt'), { lazy: false }) as Record<string, Tensor>;
    expect(Object.values(loaded).filter((v) => v instanceof Tensor).every((t) => t.storage.loaded)).toBe(true);
  });

  it('fails with TRUNCATED when the file shrank before a lazy storage was read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-torch-file-'));
    const copy = join(dir, 'copy.pt');
    copyFileSync(path('state-dict.pt'), copy);
    const loaded = loadTorchFile(copy) as Map<string, Tensor>;
    truncateSync(copy, 200);
    let error: unknown;
    try {
      void loaded.get('3.weight')!.data;
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnpicklingError);
    expect((error as UnpicklingError).code).toBe('TRUNCATED');
  });
});

// dis and show on torch.save checkpoints: a zip archive is said to be one, dis goes on with its
// data.pkl, show prints the loaded checkpoint; a zip that is no checkpoint is an error saying so.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dis, dumps } from '../../src/index.js';
import { writeZip } from '../../src/standard/torch/zip-writer.js';
import { bytesSource, readStoredEntry, readZipDirectory } from '../../src/standard/torch/zip-reader.js';
import { useBuiltCli } from '../helpers/cli.js';
import { FIXTURES, fixture } from '../standard/torch/expected.js';

const cli = useBuiltCli('cli-torch');
const path = (name: string): string => fileURLToPath(new URL(name, FIXTURES));

/** The data.pkl record of the state-dict fixture (which the zip reader's own tests cover). */
function dataPkl(): Uint8Array {
  const bytes = fixture('state-dict.pt');
  const source = bytesSource(bytes);
  return readStoredEntry(source, readZipDirectory(source).get('state-dict/data.pkl')!);
}

describe('dis and show on torch checkpoints', () => {
  it('dis says a .pt is a torch.save zip and disassembles its data.pkl', () => {
    const result = cli.run(['dis', path('state-dict.pt')]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('a zip archive: a torch.save checkpoint (state-dict/data.pkl and 8 storage records)');
    expect(result.stdout).toBe(dis(dataPkl()));
    expect(result.stdout).toContain("GLOBAL     'torch._utils _rebuild_tensor_v2'");
  });

  it('dis of a zip that is no checkpoint says what it is and fails', () => {
    const file = join(cli.work, 'other.zip');
    writeFileSync(file, writeZip([{ name: 'notes.txt', data: new TextEncoder().encode('hi') }]));
    const result = cli.run(['dis', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('a zip archive of 1 entries (notes.txt), not a pickle');
    expect(result.stderr).not.toMatch(/UnicodeDecodeError/);
  });

  it('show prints a state_dict in order with its tensors (zip and legacy)', () => {
    for (const name of ['state-dict.pt', 'legacy-state-dict.pt']) {
      const result = cli.run(['show', path(name)]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.startsWith("OrderedDict([('0.weight',")).toBe(true);
      const keys = [...result.stdout.matchAll(/\('([0-9]\.[a-z_]+)',/g)].map((m) => m[1]);
      expect(keys).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '3.weight']);
      expect(result.stdout).toContain("dtype='int64'");
    }
  });

  it('show of a plain pickle is unchanged', () => {
    const file = join(cli.work, 'plain.pkl');
    writeFileSync(file, dumps({ a: 1 }));
    expect(cli.run(['show', file]).stdout).toBe("{'a': 1}\n");
  });
});

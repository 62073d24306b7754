// pickle-mapper/node's joblib files: the fixtures joblib 1.2 wrote with each compressor load as
// the uncompressed one does; files written here read back, compressed as asked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpJoblibFile, loadJoblibFile } from 'pickle-mapper/node';
import { NdArray, UnpicklingError, PicklingError, detectJoblibCompression, loadJoblib } from 'pickle-mapper';

const FIXTURES = new URL('../fixtures/joblib/', import.meta.url);
const fixturePath = (name: string): string => new URL(name, FIXTURES).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pickle-mapper-joblib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Dict = Record<string, unknown>;
/** Each array as [dtype, shape, elements]; everything else as it is. */
function summary(value: Dict): unknown {
  const one = (item: unknown): unknown => (item instanceof NdArray ? [item.dtype.str, item.shape, item.dtype.fieldList ? item.tobytes() : item.toArray()] : Array.isArray(item) ? item.map(one) : item);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, one(item)]));
}

describe('loadJoblibFile', () => {
  const plain = summary(loadJoblib(readFileSync(fixturePath('arrays.joblib'))) as Dict);

  it.each(['zlib', 'gzip', 'bz2', 'xz'])('reads a %s-compressed file as the uncompressed one', async (method) => {
    const path = fixturePath(`arrays.${method}.joblib`);
    expect(detectJoblibCompression(readFileSync(path).subarray(0, 8))).toBe(method);
    expect(summary((await loadJoblibFile(path)) as Dict)).toEqual(plain);
  });

  it('reads compress=3 (zlib) and uncompressed models', async () => {
    const compressed = (await loadJoblibFile(fixturePath('tree.compress3.joblib'))) as { state: Dict };
    const uncompressed = (await loadJoblibFile(fixturePath('tree.joblib'))) as { state: Dict };
    const nodes = (value: { state: Dict }) => ((value.state.tree_ as { state: Dict }).state.nodes as NdArray).tobytes();
    expect(nodes(compressed)).toEqual(nodes(uncompressed));
  });

  it('refuses lzma (LZMA-alone) files, saying what to use instead', async () => {
    await expect(loadJoblibFile(fixturePath('arrays.lzma.joblib'))).rejects.toThrow(/lzma-compressed joblib files are not read .*compress=\('xz', 3\)/);
  });

  it('stops decompressing at maxDecompressedBytes', async () => {
    const error = await loadJoblibFile(fixturePath('arrays.zlib.joblib'), { maxDecompressedBytes: 100 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnpicklingError);
    expect((error as UnpicklingError).code).toBe('LIMIT_EXCEEDED');
  });

  it('a cut-off compressed file is TRUNCATED', async () => {
    const cut = join(dir, 'cut.joblib');
    const bytes = readFileSync(fixturePath('arrays.gzip.joblib'));
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const error = await loadJoblibFile(cut).catch((caught: unknown) => caught);
    expect((error as UnpicklingError).code).toBe('TRUNCATED');
  });
});

describe('dumpJoblibFile', () => {
  const value = { weights: NdArray.from(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }), name: 'model' };

  it.each([
    ['plain.joblib', undefined, undefined],
    ['level.joblib', 3, 'zlib'],
    ['true.joblib', true, 'zlib'],
    ['tuple.joblib', ['gzip', 5] as const, 'gzip'],
    ['by-name.gz', undefined, 'gzip'],
    ['by-name.z', undefined, 'zlib'],
  ] as const)('%s (compress %j) is %s', async (name, compress, method) => {
    const path = join(dir, name);
    await dumpJoblibFile(path, value, compress === undefined ? {} : { compress });
    expect(detectJoblibCompression(readFileSync(path).subarray(0, 8))).toBe(method);
    const back = (await loadJoblibFile(path)) as typeof value;
    expect([back.name, back.weights.shape, back.weights.toArray()]).toEqual(['model', [2, 3], [[1, 2, 3], [4, 5, 6]]]);
  });

  it('refuses compressors it does not write, and bad levels', async () => {
    await expect(dumpJoblibFile(join(dir, 'x.joblib'), value, { compress: ['bz2', 3] })).rejects.toThrow(PicklingError);
    await expect(dumpJoblibFile(join(dir, 'x.xz'), value)).rejects.toThrow(/xz is read, not written/);
    await expect(dumpJoblibFile(join(dir, 'x.joblib'), value, { compress: 12 })).rejects.toThrow(/level must be 0-9/);
  });
});

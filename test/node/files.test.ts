// pickle-mapper/node's files against what Python writes and reads: pickle files plain and
// compressed as Python's gzip, bz2, lzma and zlib modules compress them, one pickle or many in a
// file, written back for python3 to read; decompression bombs stop at the limit, and cut-off or
// corrupt compressed data say which they are.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpFile, dumpFileSync, loadFile, loadFileSync, readPicklesFromFile, detectCompression } from 'pickle-mapper/node';
import { PickleError, pyFloat, tuple, UnpicklingError } from 'pickle-mapper';
import { describeWithPython, runPython } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'pickle-mapper-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** The value Python writes below, as it loads here; its bytes payload spans several read chunks. */
const PAYLOAD_BYTES = 300_000;
const payload = Uint8Array.from({ length: PAYLOAD_BYTES }, (_, i) => (i * 7) % 251);
const expected = { a: [1, 2.5, 'x', tuple(1, 2)], blob: payload, s: new Set([1, 2]), t: 'é€😀' };

const WRITE = String.raw`
import bz2, gzip, lzma, pickle, sys, zlib
d = sys.argv[1]
value = {'a': [1, 2.5, 'x', (1, 2)], 'blob': bytes((i * 7) % 251 for i in range(${PAYLOAD_BYTES})), 's': {1, 2}, 't': 'é€😀'}
plain = pickle.dumps(value, 4)
open(d + '/plain.pkl', 'wb').write(plain)
with gzip.open(d + '/value.pkl.gz', 'wb') as f: pickle.dump(value, f, 2)
with bz2.open(d + '/value.pkl.bz2', 'wb') as f: pickle.dump(value, f, 5)
with lzma.open(d + '/value.pkl.xz', 'wb') as f: pickle.dump(value, f, 3)
open(d + '/value.zlib', 'wb').write(zlib.compress(plain))
# a compressed file named as if it were not: the bytes decide
with gzip.open(d + '/gzip-named.pkl', 'wb') as f: pickle.dump(value, f)
# several pickles in one file, as repeated pickle.dump calls write them
for name, opener in (('many.pkl', open), ('many.pkl.gz', gzip.open), ('many.pkl.xz', lzma.open), ('many.pkl.bz2', bz2.open)):
    with opener(d + '/' + name, 'wb') as f:
        for i in range(5): pickle.dump({'i': i, 'blob': value['blob'][:100_000 * (i % 3)]}, f)
# one Pickler dumping twice: the second pickle refers to the first's memo
with open(d + '/one-pickler.pkl', 'wb') as f:
    p = pickle.Pickler(f, 4)
    shared = ['shared', 1.5]
    p.dump(shared); p.dump([shared, shared])
# a bomb: 64 MiB of a pickled bytes object, compressed to a few hundred KiB
bomb = pickle.dumps(bytes(64 * 1024 * 1024), 4)
open(d + '/bomb.pkl.gz', 'wb').write(gzip.compress(bomb))
open(d + '/bomb.pkl.bz2', 'wb').write(bz2.compress(bomb))
open(d + '/bomb.pkl.xz', 'wb').write(lzma.compress(bomb))
open(d + '/bomb.zlib', 'wb').write(zlib.compress(bomb))
gz = gzip.compress(plain)
open(d + '/truncated.pkl.gz', 'wb').write(gz[:len(gz) // 2])
open(d + '/corrupt.pkl.gz', 'wb').write(gz[:12] + bytes(b ^ 0x5a for b in gz[12:40]) + gz[40:])
xz = lzma.compress(plain)
open(d + '/truncated.pkl.xz', 'wb').write(xz[:len(xz) // 2])
`;

describeWithPython('pickle-mapper/node files', () => {
  beforeAll(() => {
    runPython(WRITE, undefined, [dir]);
  });

  describe('loadFile reads what Python wrote, compressed or not', () => {
    it.each(['plain.pkl', 'value.pkl.gz', 'value.pkl.bz2', 'value.pkl.xz', 'value.zlib', 'gzip-named.pkl'])('%s', async (name) => {
      expect(await loadFile(at(name))).toEqual(expected);
    });

    it.each(['plain.pkl', 'value.pkl.gz', 'value.zlib'])('%s, without waiting (loadFileSync)', (name) => {
      expect(loadFileSync(at(name))).toEqual(expected);
    });

    it('tells the compression by the first bytes', () => {
      const head = (name: string) => readFileSync(at(name)).subarray(0, 6);
      expect(['plain.pkl', 'value.pkl.gz', 'value.pkl.bz2', 'value.pkl.xz', 'value.zlib'].map((name) => detectCompression(head(name)))).toEqual([
        undefined,
        'gzip',
        'bz2',
        'xz',
        'zlib',
      ]);
    });

    it('refuses bz2 and xz without waiting, pointing to loadFile', () => {
      expect(() => loadFileSync(at('value.pkl.xz'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('loadFile (async)') }));
    });
  });

  describe('readPicklesFromFile yields every pickle of a file', () => {
    it.each(['many.pkl', 'many.pkl.gz', 'many.pkl.xz', 'many.pkl.bz2'])('%s: five pickles in order', async (name) => {
      const values: unknown[] = [];
      for await (const value of readPicklesFromFile(at(name))) values.push(value);
      expect(values).toEqual([0, 1, 2, 3, 4].map((i) => ({ i, blob: payload.subarray(0, 100_000 * (i % 3)) })));
    });

    it('one Pickler’s repeated dumps with keepMemo: the shared list is one list', async () => {
      const values: unknown[] = [];
      for await (const value of readPicklesFromFile(at('one-pickler.pkl'), { keepMemo: true })) values.push(value);
      expect(values).toEqual([['shared', 1.5], [['shared', 1.5], ['shared', 1.5]]]);
      const [first, second] = values as [unknown, unknown[]];
      expect(second[0]).toBe(first);
      expect(second[1]).toBe(first);
    });

    it('a reader stopped early frees the xz decoder for the next file', async () => {
      for await (const value of readPicklesFromFile(at('many.pkl.xz'))) {
        expect(value).toEqual({ i: 0, blob: new Uint8Array(0) });
        break;
      }
      expect(await loadFile(at('value.pkl.xz'))).toEqual(expected);
    });

    it('an empty file yields nothing', async () => {
      writeFileSync(at('empty.pkl'), new Uint8Array(0));
      const values: unknown[] = [];
      for await (const value of readPicklesFromFile(at('empty.pkl'))) values.push(value);
      expect(values).toEqual([]);
    });

    it('a file cut inside a pickle is TRUNCATED, after the pickles before the cut', async () => {
      const whole = readFileSync(at('many.pkl'));
      writeFileSync(at('cut.pkl'), whole.subarray(0, whole.length - 10));
      const values: unknown[] = [];
      await expect(async () => {
        for await (const value of readPicklesFromFile(at('cut.pkl'))) values.push(value);
      }).rejects.toMatchObject({ code: 'TRUNCATED' });
      expect(values.length).toBe(4);
    });
  });

  describe('decompression is limited', () => {
    it.each(['bomb.pkl.gz', 'bomb.pkl.bz2', 'bomb.pkl.xz', 'bomb.zlib'])('%s stops at maxDecompressedBytes', async (name) => {
      const error = await loadFile(at(name), { maxDecompressedBytes: 1024 * 1024 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnpicklingError);
      expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('maxDecompressedBytes (1048576 bytes)') });
    });

    it('the sync reader stops at the limit too', () => {
      expect(() => loadFileSync(at('bomb.pkl.gz'), { maxDecompressedBytes: 1024 * 1024 })).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    });

    it('under the limit, the bomb is just a big value', async () => {
      const value = (await loadFile(at('bomb.pkl.gz'))) as Uint8Array;
      expect(value.length).toBe(64 * 1024 * 1024);
    });

    it('a limit that is not a positive integer is INVALID_ARGUMENT', async () => {
      await expect(loadFile(at('value.pkl.gz'), { maxDecompressedBytes: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  describe('broken compressed data says what is wrong', () => {
    it('a gzip file cut short is TRUNCATED, async and sync', async () => {
      await expect(loadFile(at('truncated.pkl.gz'))).rejects.toMatchObject({ code: 'TRUNCATED', message: expect.stringContaining('gzip data is truncated') });
      expect(() => loadFileSync(at('truncated.pkl.gz'))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    });

    it('an xz file cut short is TRUNCATED', async () => {
      await expect(loadFile(at('truncated.pkl.xz'))).rejects.toMatchObject({ code: 'TRUNCATED', message: expect.stringContaining('xz data is truncated') });
    });

    it('corrupt gzip data is INVALID_PICKLE, naming the file', async () => {
      await expect(loadFile(at('corrupt.pkl.gz'))).rejects.toMatchObject({ code: 'INVALID_PICKLE', message: expect.stringContaining(`${at('corrupt.pkl.gz')}: gzip data is corrupt`) });
    });

    it('a truncated gzip stream read pickle by pickle is TRUNCATED', async () => {
      await expect(async () => {
        for await (const _ of readPicklesFromFile(at('truncated.pkl.gz'))) void _;
      }).rejects.toMatchObject({ code: 'TRUNCATED' });
    });
  });

  describe('dumpFile writes what Python reads', () => {
    const READ = String.raw`
import gzip, pickle, sys, zlib
path, how = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
data = gzip.decompress(raw) if how == 'gzip' else zlib.decompress(raw) if how == 'zlib' else raw
value = pickle.loads(data)
assert value == {'a': [1, 2.5, 'x', (1, 2)], 'n': 2.0, 'b': b'\x00\x01'}, value
assert type(value['n']) is float and type(value['a'][3]) is tuple
print('ok', how)
`;
    const value = { a: [1, 2.5, 'x', tuple(1, 2)], n: pyFloat(2), b: Uint8Array.of(0, 1) };
    const loaded = () => ({ ...value });

    it.each([
      ['out.pkl.gz', undefined, 'gzip'],
      ['out.zlib', undefined, 'zlib'],
      ['out.zz', undefined, 'zlib'],
      ['out.pkl', undefined, 'none'],
      ['out-forced.bin', 'gzip', 'gzip'],
      ['out-plain.gz', 'none', 'none'],
    ] as const)('%s (compression %s) is read by python3 as %s', async (name, compression, how) => {
      await dumpFile(at(name), loaded(), compression ? { compression } : undefined);
      expect(runPython(READ, undefined, [at(name), how]).toString().trim()).toBe(`ok ${how}`);
      dumpFileSync(at(`sync-${name}`), loaded(), compression ? { compression } : undefined);
      expect(runPython(READ, undefined, [at(`sync-${name}`), how]).toString().trim()).toBe(`ok ${how}`);
    });

    it('keeps an integral float a float through a file: 2.0 stays 2.0 after loadFile and dumpFile', async () => {
      writeFileSync(at('floats.pkl'), runPython('import pickle,sys; sys.stdout.buffer.write(pickle.dumps({"a": [1, 2.5, "x", (1, 2)], "n": 2.0, "b": b"\\x00\\x01"}))'));
      await dumpFile(at('floats-back.pkl.gz'), await loadFile(at('floats.pkl')));
      expect(runPython(READ, undefined, [at('floats-back.pkl.gz'), 'gzip']).toString().trim()).toBe('ok gzip');
    });

    it('bz2 and xz are refused, and the file is left as it was', async () => {
      writeFileSync(at('keep.pkl.bz2'), 'before');
      await expect(dumpFile(at('keep.pkl.bz2'), 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(() => dumpFileSync(at('keep.pkl.xz'), 1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(readFileSync(at('keep.pkl.bz2'), 'utf8')).toBe('before');
      expect(existsSync(at('keep.pkl.xz'))).toBe(false);
    });

    it('a value that cannot be pickled leaves the file as it was', async () => {
      writeFileSync(at('keep.pkl'), 'before');
      const error = await dumpFile(at('keep.pkl'), { f: () => 1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PickleError);
      expect(readFileSync(at('keep.pkl'), 'utf8')).toBe('before');
    });

    it('an unknown compression is INVALID_ARGUMENT', async () => {
      await expect(dumpFile(at('x.pkl'), 1, { compression: 'zip' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  it('a gzip file of a pickle written here loads back (round trip without Python)', async () => {
    writeFileSync(at('here.pkl.gz'), gzipSync(readFileSync(at('plain.pkl'))));
    expect(await loadFile(at('here.pkl.gz'))).toEqual(expected);
  });
});

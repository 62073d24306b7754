// Errors that say what to do: a Date or a typed array given to dumps points to the conversion
// (PyDatetime.fromDate, NdArray.from); a class registered in another registry than the one a dump
// or a strict load uses says so; a compressed file or a zip archive given to loads says what it
// is and how to decompress it; a stream of one Pickler's dumps read without keepMemo points to
// keepMemo. Each error is of the right class, and valid inputs load and dump as before.
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  defaultRegistry,
  dumps,
  loads,
  NdArray,
  PicklingError,
  Pickler,
  PyDate,
  PyDatetime,
  PyGlobal,
  PyObject,
  PyTimezone,
  registerClass,
  Registry,
  tuple,
  Unpickler,
  UnpicklingError,
} from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

function thrown<E extends Error>(cls: new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(cls);
    return error as E;
  }
  throw new Error(`expected a ${cls.name}`);
}

describe('dumps of JavaScript values with a conversion', () => {
  it('a Date points to PyDatetime.fromDate and PyDate.fromDate, which do pickle', () => {
    const date = new Date(Date.UTC(2024, 0, 31, 12, 30));
    for (const value of [date, { order: { placed: [date] } }]) {
      const error = thrown(PicklingError, () => dumps(value));
      expect(error.message).toMatch(/^cannot pickle a JavaScript Date: convert it with PyDatetime\.fromDate\(date, \{ tz \}\) for a datetime\.datetime/);
      expect(error.message).toContain('PyDate.fromDate(date)');
    }
    expect(thrown(PicklingError, () => dumps({ order: { placed: [date] } })).path).toBe('value.order.placed[0]');
    const written = loads(dumps(PyDatetime.fromDate(date, { tz: PyTimezone.utc }))) as PyDatetime;
    expect(written.toDate().getTime()).toBe(date.getTime());
    expect(() => dumps(PyDatetime.fromDate(date, { tz: null }))).not.toThrow();
    expect(() => dumps(PyDate.fromDate(date))).not.toThrow();
  });

  it('a typed array points to NdArray.from and says why it is not bytes', () => {
    const arrays = [
      new Float64Array([1.5]), new Float32Array([1.5]), new Int8Array([1]), new Int16Array([1]), new Int32Array([1]),
      new Uint16Array([1]), new Uint32Array([1]), new BigInt64Array([1n]), new BigUint64Array([1n]), new Uint8ClampedArray([1]),
    ];
    for (const array of arrays) {
      const error = thrown(PicklingError, () => dumps({ weights: array }));
      expect(error.path).toBe('value.weights');
      expect(error.message).toContain(`cannot pickle a ${array.constructor.name}: Python has no typed array; wrap it with NdArray.from(array, { shape })`);
      expect(error.message).toContain('raw bytes of its elements rather than the numbers');
      expect(() => dumps(NdArray.from(array))).not.toThrow();
    }
    // A Uint8Array is bytes, as ever.
    expect(loads(dumps(Uint8Array.of(1, 2)))).toEqual(Uint8Array.of(1, 2));
    expect(thrown(PicklingError, () => dumps(new DataView(new ArrayBuffer(1)))).message).toMatch(/^cannot pickle a DataView: .*new Uint8Array\(view\.buffer/);
    expect(thrown(PicklingError, () => dumps(new ArrayBuffer(1))).message).toMatch(/^cannot pickle an ArrayBuffer: .*new Uint8Array\(buffer\)/);
  });
});

describe('a class missing from the registry a dump or load uses', () => {
  class Invoice {
    total = 1;
  }
  class Receipt {
    total = 2;
  }
  registerClass(Invoice, { module: 'billing', name: 'Invoice' });
  const scoped = new Registry();
  registerClass(Receipt, { module: 'billing', name: 'Receipt', registry: scoped });

  it('dumps of an instance says which registry has its class', () => {
    const fromScoped = thrown(PicklingError, () => dumps({ invoice: new Invoice() }, { registry: scoped }));
    expect(fromScoped.message).toMatch(
      /^cannot pickle 'Invoice' object: its class is registered \(as billing\.Invoice\) in the default registry, but not in the registry passed to dumps; make that one with new Registry\(\{ parent: defaultRegistry\(\) \}\)/,
    );
    expect(fromScoped.path).toBe('value.invoice');
    const fromDefault = thrown(PicklingError, () => dumps(new Receipt()));
    expect(fromDefault.message).toMatch(/^cannot pickle 'Receipt' object: its class is registered \(as billing\.Receipt\) in another registry, not in the one dumps uses/);
    class Nowhere {}
    expect(thrown(PicklingError, () => dumps(new Nowhere())).message).toMatch(
      /^cannot pickle 'Nowhere' object: no handler is registered for its class \(register it with @PyClass or registerClass/,
    );
    // Each registry writes its own classes.
    expect(() => dumps(new Invoice())).not.toThrow();
    expect(() => dumps(new Receipt(), { registry: scoped })).not.toThrow();
    expect(() => dumps(new Invoice(), { registry: new Registry({ parent: defaultRegistry() }) })).not.toThrow();
  });

  it('a strict load says which registry has the class; a lenient one keeps a placeholder, as before', () => {
    const invoice = dumps(new Invoice());
    const receipt = dumps(new Receipt(), { registry: scoped });
    const strictScoped = thrown(UnpicklingError, () => loads(invoice, { registry: scoped, strict: true }));
    expect(strictScoped.message).toMatch(
      /^global 'billing\.Invoice' is not registered \(strict mode\); it is registered in the default registry, but not in the registry passed to loads/,
    );
    const strictDefault = thrown(UnpicklingError, () => loads(receipt, { strict: true }));
    expect(strictDefault.message).toMatch(/^global 'billing\.Receipt' is not registered \(strict mode\); a class is registered under that name in another registry/);
    expect(thrown(UnpicklingError, () => loads(dumps(new PyObject(new PyGlobal('nowhere', 'X'), tuple(), 'newobj')), { strict: true })).message).toMatch(
      /^global 'nowhere\.X' is not registered \(strict mode\) \(at byte/,
    );
    expect(loads(receipt)).toBeInstanceOf(PyObject);
    expect(loads(receipt, { registry: scoped })).toBeInstanceOf(Receipt);
  });
});

describe('loads of compressed data and archives', () => {
  const pickle = dumps({ a: [1, 2, 3], b: 'text' });

  it('gzip: says so and how to decompress it; the decompressed pickle loads', () => {
    const gz = gzipSync(pickle);
    const error = thrown(UnpicklingError, () => loads(gz));
    expect(error.message).toContain('the input is gzip-compressed (it starts with 1f 8b), not a pickle');
    expect(error.message).toContain('gunzipSync');
    expect(error.offset).toBe(0);
    expect(loads(gunzipSync(gz))).toEqual({ a: [1, 2, 3], b: 'text' });
  });

  it('zlib at every compression level', () => {
    for (const level of [1, 2, 6, 9]) {
      const error = thrown(UnpicklingError, () => loads(deflateSync(pickle, { level })));
      expect(error.message, `level ${level}`).toContain('the input is zlib-compressed');
      expect(error.message).toContain('inflateSync');
    }
  });

  it('Zstandard, by its magic', () => {
    const error = thrown(UnpicklingError, () => loads(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x04, 0x00, 0x00)));
    expect(error.message).toContain('the input is Zstandard-compressed');
  });

  it('the second pickle of a stream that is gzip data', () => {
    const reader = new Unpickler(new Uint8Array([...pickle, ...gzipSync(pickle)]));
    expect(reader.load()).toEqual({ a: [1, 2, 3], b: 'text' });
    expect(thrown(UnpicklingError, () => reader.load()).message).toContain('gzip-compressed');
  });

  it('says nothing of compression for other bad input, and valid pickles load as before', () => {
    expect(thrown(UnpicklingError, () => loads(Uint8Array.of(0xff, 0x00))).message).toBe("invalid load key, '\\xff' (at byte 0, opcode <unknown opcode 0xff>)");
    expect(thrown(UnpicklingError, () => loads(Uint8Array.of(0x78))).message).not.toContain('zlib');
    // 'P' is PERSID: a protocol 0 pickle that starts with "PK" is fine when it is complete.
    expect(loads(new TextEncoder().encode('PK\n.'), { persistentLoad: (id) => `loaded ${String(id)}` })).toBe('loaded K');
    // 'B' is BINBYTES and '(' MARK: valid pickles that start with those are unaffected.
    expect(loads(Uint8Array.of(0x42, 2, 0, 0, 0, 0x5a, 0x68, 0x2e))).toEqual(Uint8Array.of(0x5a, 0x68));
    expect(loads(Uint8Array.of(0x28, 0x74, 0x2e))).toEqual([]);
  });
});

describeWithPython('loads of files Python compresses and archives', () => {
  it('bz2, xz and a zip archive laid out as torch.save writes one', () => {
    const files = JSON.parse(
      runPython(`
import bz2, io, json, lzma, pickle, zipfile
data = pickle.dumps({'w': [1.5, 2.5]}, protocol=2)
archive = io.BytesIO()
with zipfile.ZipFile(archive, 'w') as z:
    z.writestr('model/data.pkl', data)
    z.writestr('model/data/0', b'\\0' * 16)
    z.writestr('model/version', '3\\n')
print(json.dumps({'bz2': bz2.compress(data).hex(), 'xz': lzma.compress(data).hex(), 'zip': archive.getvalue().hex()}))
`).toString('utf8'),
    ) as Record<'bz2' | 'xz' | 'zip', string>;
    const bytes = (name: keyof typeof files): Uint8Array => new Uint8Array(Buffer.from(files[name], 'hex'));
    expect(thrown(UnpicklingError, () => loads(bytes('bz2'))).message).toContain("the input is bzip2-compressed (it starts with 'BZh')");
    expect(thrown(UnpicklingError, () => loads(bytes('xz'))).message).toContain('the input is xz-compressed');
    const zip = thrown(UnpicklingError, () => loads(bytes('zip')));
    expect(zip.message).toContain("the input is a zip archive (it starts with 'PK\\x03\\x04')");
    expect(zip.message).toContain('PyTorch checkpoint (torch.save) is a zip archive that holds the pickle as <name>/data.pkl');
    expect(zip.message).toContain('loadTorch(bytes)');
    // With a persistentLoad the PERSID gets further; the input is still named for what it is.
    const withPersistent = thrown(UnpicklingError, () => loads(bytes('zip'), { persistentLoad: (id) => id }));
    expect(withPersistent.message).toContain('zip archive');
  });
});

describe('a stream of one Pickler\'s dumps read without keepMemo', () => {
  const shared = { name: 'shared', tags: ['a', 'b'] };

  function stream(): Uint8Array {
    const pickler = new Pickler({ keepMemo: true });
    const first = pickler.dump([shared, 'text']);
    const second = pickler.dump([shared, 'text']);
    return new Uint8Array([...first, ...second]);
  }

  it('fails on the second pickle with a memo error that mentions keepMemo', () => {
    const reader = new Unpickler(stream());
    expect(reader.load()).toEqual([shared, 'text']);
    const error = thrown(UnpicklingError, () => reader.load());
    expect(error.message).toMatch(/^memo value not found at index \d+; this is not the first pickle of the input/);
    expect(error.message).toContain('new Unpickler(data, { keepMemo: true })');
  });

  it('reads the stream with keepMemo, and a bad first pickle gets no such hint', () => {
    const reader = new Unpickler(stream(), { keepMemo: true });
    const [a, b] = [reader.load(), reader.load()] as unknown[][];
    expect(b).toEqual([shared, 'text']);
    expect(b![0]).toBe(a![0]);
    // BINGET 5 with nothing memoized, in the first pickle.
    const error = thrown(UnpicklingError, () => loads(Uint8Array.of(0x80, 0x02, 0x68, 0x05, 0x2e)));
    expect(error.message).toBe('memo value not found at index 5 (at byte 2, opcode BINGET)');
  });
});

describeWithPython("a stream of Python's Pickler reused across dump() calls", () => {
  it('mentions keepMemo, and loads with it', () => {
    const data = new Uint8Array(
      runPython(`
import io, pickle, sys
shared = ['x', 'y']
out = io.BytesIO()
p = pickle.Pickler(out, protocol=4)
p.dump([shared])
p.dump([shared, 'z'])
sys.stdout.buffer.write(out.getvalue())
`),
    );
    const reader = new Unpickler(data);
    reader.load();
    expect(thrown(UnpicklingError, () => reader.load()).message).toContain('keepMemo: true');
    const keeping = new Unpickler(data, { keepMemo: true });
    const first = keeping.load() as unknown[];
    const second = keeping.load() as unknown[];
    expect(second[0]).toBe(first[0]);
  });
});

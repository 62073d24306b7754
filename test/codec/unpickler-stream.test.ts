import { expect, it } from 'vitest';
import { Unpickler, UnpicklingError } from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

describeWithPython('Unpickler: one Pickler, several dump() calls', () => {
  // One Pickler keeps its memo across dump() calls, so the second pickle refers to memo
  // entries made by the first: reading it needs keepMemo, as CPython's Unpickler does.
  const stream = new Uint8Array(
    runPython(`
import io, pickle, sys
shared = ['shared']
out = io.BytesIO()
p = pickle.Pickler(out, protocol=2)
p.dump([shared, 'a'])
p.dump([shared, 'b'])
sys.stdout.buffer.write(out.getvalue())
`),
  );

  it('keepMemo reads the second pickle with the first one\'s memo', () => {
    const reader = new Unpickler(stream, { keepMemo: true });
    const first = reader.load() as unknown[];
    const second = reader.load() as unknown[];
    expect(first).toEqual([['shared'], 'a']);
    expect(second).toEqual([['shared'], 'b']);
    expect(second[0]).toBe(first[0]);
    expect(reader.atEnd).toBe(true);
  });

  it('without keepMemo the memo reference in the second pickle is an UnpicklingError', () => {
    const reader = new Unpickler(stream);
    reader.load();
    expect(() => reader.load()).toThrow(UnpicklingError);
  });
});

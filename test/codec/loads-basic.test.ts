import { describe, expect, it } from 'vitest';
import { loads, PyByteArray, PyFrozenSet, PyGlobal, PyObject, Tuple, UnpicklingError } from '../../src/index.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('loads: basic opcodes', () => {
  it('reads constants of every protocol', () => {
    expect(loads(bytes('N.'))).toBeNull();
    expect(loads(bytes('\x88.'))).toBe(true);
    expect(loads(bytes('\x89.'))).toBe(false);
    expect(loads(bytes('I01\n.'))).toBe(true);
    expect(loads(bytes('I00\n.'))).toBe(false);
    expect(loads(bytes('I-42\n.'))).toBe(-42);
    expect(loads(bytes('L12345678901234567890L\n.'))).toBe(12345678901234567890n);
    expect(loads(bytes('Finf\n.'))).toBe(Infinity);
    expect(loads(bytes('F-inf\n.'))).toBe(-Infinity);
    expect(loads(bytes('Fnan\n.'))).toBeNaN();
  });

  it('accepts Uint8Array, ArrayBuffer and Buffer', () => {
    const data = hex('80 04 4b 07 2e');
    expect(loads(data)).toBe(7);
    expect(loads(data.buffer)).toBe(7);
    expect(loads(Buffer.from(data))).toBe(7);
  });

  it('gives each Python container its own type', () => {
    // pickle.dumps([(1,), bytearray(b'a'), {1}, frozenset({2}), b'b'], protocol=5)
    const value = loads(
      hex('80 05 95 23 00 00 00 00 00 00 00 5d 94 28 4b 01 85 94 96 01 00 00 00 00 00 00 00 61 94 8f 94 28 4b 01 90 28 4b 02 91 94 43 01 62 94 65 2e'),
    ) as unknown[];
    expect(value[0]).toBeInstanceOf(Tuple);
    expect(value[1]).toBeInstanceOf(PyByteArray);
    expect(value[2]).toBeInstanceOf(Set);
    expect(value[2]).not.toBeInstanceOf(PyFrozenSet);
    expect(value[3]).toBeInstanceOf(PyFrozenSet);
    expect(value[4]).toBeInstanceOf(Uint8Array);
    expect(value[4]).not.toBeInstanceOf(PyByteArray);
  });

  it('keeps unknown classes as placeholders with their qualified name', () => {
    const value = loads(bytes('\x80\x02cshop\nOrder\n)\x81}X\x02\x00\x00\x00idK\x07sb.')) as PyObject;
    expect(value).toBeInstanceOf(PyObject);
    expect(value.cls).toBeInstanceOf(PyGlobal);
    expect([value.module, value.name, value.creation]).toEqual(['shop', 'Order', 'newobj']);
    expect(value.state).toEqual({ id: 7 });
  });

  it('reports the offset and opcode of a failure', () => {
    const error = (() => {
      try {
        loads(bytes('\x80\x04K\x01\x86.'));
      } catch (e) {
        return e;
      }
    })() as UnpicklingError;
    expect(error).toBeInstanceOf(UnpicklingError);
    expect(error.offset).toBe(4);
    expect(error.opcode).toBe('TUPLE2');
  });

  it("decodes bytes written as _codecs.encode(text, 'latin1'), short and long, and refuses what Latin-1 cannot hold", () => {
    const encodeCall = (text: string, codec: string): Uint8Array => {
      const utf8 = Buffer.from(text, 'utf8');
      const size = Buffer.alloc(4);
      size.writeUInt32LE(utf8.length);
      const name = Buffer.from(codec, 'latin1');
      return Uint8Array.from(
        Buffer.concat([bytes('\x80\x02c_codecs\nencode\nX'), size, utf8, bytes(`X${String.fromCharCode(name.length)}\x00\x00\x00`), name, bytes('\x86R.')]),
      );
    };
    for (const length of [5, 100_000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 7919) & 0xff);
      const text = Buffer.from(data).toString('latin1');
      const loaded = loads(encodeCall(text, 'latin1')) as Uint8Array;
      expect(Object.getPrototypeOf(loaded)).toBe(Uint8Array.prototype);
      expect(Buffer.from(loaded).equals(Buffer.from(data))).toBe(true);
      expect(() => loads(encodeCall(`${text}\u0100`, 'latin1'))).toThrow(`'latin1' codec can't encode character at position ${length}`);
      expect(() => loads(encodeCall(text, 'ascii'))).toThrow("'ascii' codec can't encode character at position 1");
    }
  });
});

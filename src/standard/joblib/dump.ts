// Writing joblib files (joblib.dump): the value pickled with each NdArray written as joblib
// writes it — a NumpyArrayWrapper, then the array's bytes (aligned as joblib 1.2 aligns them) or,
// for arrays holding objects, a protocol-2 pickle of the array.
//
// The pickler writes each array as a persistent id (a random token) first; the token is then
// replaced by the wrapper and the array. Protocols 2 and 3 only: they have no frames, whose
// lengths the replacement would change, and joblib reads both.
import { type DumpOptions, dumps } from '../../codec/pickler.js';
import { PicklingError } from '../../errors.js';
import { PyGlobal } from '../../values/global.js';
import { NdArray } from '../../values/ndarray.js';
import { contiguity } from '../../values/numpy/elements.js';
import { PyObject } from '../../values/object.js';
import { Tuple } from '../../values/tuple.js';
import { ARRAY_ALIGNMENT, WRAPPER_MODULE, WRAPPER_NAME } from './format.js';
import { holdsObjects } from './load.js';

/** Options of dumpJoblib: those of `dumps` (protocol 2 or 3; default 3), less persistentId. */
export interface JoblibDumpOptions extends Omit<DumpOptions, 'persistentId' | 'bufferCallback' | 'write'> {
  /**
   * joblib's allow_mmap: true for an uncompressed file (joblib.load(mmap_mode=...) may map its
   * arrays), false for a compressed one. Default true.
   */
  allowMmap?: boolean;
}

const WRAPPER_CLASS = new PyGlobal(WRAPPER_MODULE, WRAPPER_NAME);
const NDARRAY_CLASS = new PyGlobal('numpy', 'ndarray');
const BINUNICODE = 0x58;
const BINPUT = 0x71;
const LONG_BINPUT = 0x72;
const BINPERSID = 0x51;

function randomTag(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  outer: for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A pickle's opcodes without its PROTO header and STOP: what pushes one value. */
function body(pickle: Uint8Array): Uint8Array {
  return pickle.subarray(2, pickle.length - 1);
}

/** The wrapper joblib pickles in place of an array (NumpyPickler._create_array_wrapper). */
function wrapperOf(array: NdArray, order: 'C' | 'F', allowMmap: boolean, objects: boolean): PyObject {
  const wrapper = new PyObject(WRAPPER_CLASS, new Tuple(), 'newobj');
  wrapper.state = {
    subclass: NDARRAY_CLASS,
    shape: Tuple.from(array.shape),
    order,
    dtype: array.dtype,
    allow_mmap: allowMmap && !objects,
    numpy_array_alignment_bytes: ARRAY_ALIGNMENT,
  };
  return wrapper;
}

class Output {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/** Writes one array as joblib does after its wrapper's BUILD. */
function writeArray(out: Output, array: NdArray, options: JoblibDumpOptions): void {
  const { c, f } = contiguity(array.shape, array.axisOrder);
  const order = !c && f ? 'F' : 'C';
  const objects = holdsObjects(array.dtype);
  const wrapperOptions: DumpOptions = { registry: options.registry, protocol: options.protocol ?? 3, fixImports: options.fixImports, fast: true };
  out.push(body(dumps(wrapperOf(array, order, options.allowMmap ?? true, objects), wrapperOptions)));
  if (objects) {
    out.push(dumps(array, { registry: options.registry, protocol: 2, fixImports: options.fixImports }));
    return;
  }
  // One byte with the padding length, that many 0xff, then the data at a multiple of 16.
  const padding = ARRAY_ALIGNMENT - ((out.length + 1) % ARRAY_ALIGNMENT);
  const pad = new Uint8Array(1 + padding).fill(0xff);
  pad[0] = padding;
  out.push(pad);
  out.push(array.tobytes());
}

/**
 * Pickles `value` as `joblib.dump` does (uncompressed): every NdArray as a NumpyArrayWrapper
 * followed by its data, so that `joblib.load` reads it back (numpy arrays where the NdArrays
 * were). Protocol 3 by default (2 allowed). An NdArray met twice is written twice, as joblib does.
 */
export function dumpJoblib(value: unknown, options: JoblibDumpOptions = {}): Uint8Array {
  const protocol = options.protocol ?? 3;
  if (protocol !== 2 && protocol !== 3) {
    throw new PicklingError(`dumpJoblib writes protocol 2 or 3 (joblib reads both), not ${String(protocol)}`, undefined, { code: 'INVALID_ARGUMENT' });
  }
  const tag = randomTag();
  const arrays: NdArray[] = [];
  const { allowMmap: _allowMmap, ...pickleOptions } = options;
  const pickle = dumps(value, {
    ...pickleOptions,
    protocol,
    persistentId: (item) => {
      if (!(item instanceof NdArray) || item.constructor !== NdArray) return undefined;
      arrays.push(item);
      return `joblib-array-${tag}-${arrays.length - 1}`;
    },
  });
  const out = new Output();
  let cursor = 0;
  const encoder = new TextEncoder();
  arrays.forEach((array, i) => {
    const token = encoder.encode(`joblib-array-${tag}-${i}`);
    const at = indexOf(pickle, token, cursor);
    // BINUNICODE <u32 length> token [BINPUT i | LONG_BINPUT i4] BINPERSID
    const start = at - 5;
    let end = at + token.length;
    const lengthOk = start >= cursor && pickle[start] === BINUNICODE && new DataView(pickle.buffer, pickle.byteOffset + start + 1, 4).getUint32(0, true) === token.length;
    const memoOp = pickle[end] === BINPUT ? pickle.subarray(end, end + 2) : pickle[end] === LONG_BINPUT ? pickle.subarray(end, end + 5) : new Uint8Array(0);
    end += memoOp.length;
    if (at < 0 || !lengthOk || pickle[end] !== BINPERSID) {
      throw new PicklingError('dumpJoblib: an array placeholder was not written as expected', undefined, { code: 'PICKLE_ERROR' });
    }
    out.push(pickle.subarray(cursor, start));
    writeArray(out, array, options);
    // The placeholder's memo entry now holds the array, as joblib's memo would.
    out.push(memoOp);
    cursor = end + 1;
  });
  out.push(pickle.subarray(cursor));
  return out.bytes();
}

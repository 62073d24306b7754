// Loading joblib files (joblib.load): the pickle, with each NumpyArrayWrapper replaced by the
// array whose bytes follow it in the stream. Browser-safe; compressed files are read by
// loadJoblibFile (pickle-mapper/node), which decompresses and comes here.
import { type BuildHook, type LoadOptions, type RawInput, Unpickler, setBuildHook } from '../../codec/unpickler.js';
import { UnpicklingError } from '../../errors.js';
import type { PyClassHandler } from '../../registry/registry.js';
import { Registry, defaultRegistry } from '../../registry/registry.js';
import { typeName } from '../../values/describe.js';
import { isDict, type PyDict } from '../../values/dict.js';
import { PyGlobal } from '../../values/global.js';
import { NdArray, NdDtype } from '../../values/ndarray.js';
import { decodeElements, sizeOf } from '../../values/numpy/elements.js';
import { isTuple } from '../../values/tuple.js';
import {
  NumpyArrayWrapper,
  WRAPPER_MODULE,
  WRAPPER_NAME,
  compressedInputError,
  detectJoblibCompression,
  isLegacyZFile,
} from './format.js';

const WRAPPER_HANDLER: PyClassHandler<NumpyArrayWrapper> = {
  module: WRAPPER_MODULE,
  name: WRAPPER_NAME,
  jsClass: NumpyArrayWrapper,
  newInstance: () => new NumpyArrayWrapper(),
  setState(wrapper, state) {
    wrapper.state = state;
  },
};

/** joblib < 0.10 kept arrays in files beside the pickle: what those wrappers say. */
function legacyWrapper(name: string): PyClassHandler {
  const refuse = (): never => {
    throw new UnpicklingError(
      `${WRAPPER_MODULE}.${name}: a file of joblib < 0.10, whose arrays are in separate files, is not read; load and re-save it with a newer joblib`,
      { code: 'INVALID_PICKLE' },
    );
  };
  return { module: WRAPPER_MODULE, name, newInstance: refuse, call: refuse };
}

function stateField(state: PyDict, key: string): unknown {
  return state instanceof Map ? state.get(key) : Object.hasOwn(state, key) ? (state as Record<string, unknown>)[key] : undefined;
}

function hasField(state: PyDict, key: string): boolean {
  return state instanceof Map ? state.has(key) : Object.hasOwn(state, key);
}

/** Whether numpy's `dtype.hasobject` holds: object elements, also inside fields or sub-arrays. */
export function holdsObjects(dtype: NdDtype, depth = 0): boolean {
  if (dtype.storage === 'object') return true;
  if (depth > 32) return false;
  const sub = dtype.subdtype;
  if (sub && holdsObjects(sub.base, depth + 1)) return true;
  return dtype.fieldList?.some((field) => holdsObjects(field.dtype, depth + 1)) ?? false;
}

function shapeOf(value: unknown, input: RawInput): number[] {
  if (!isTuple(value)) input.fail(`a joblib array's shape must be a tuple, not ${typeName(value)}`);
  if (value.length > 64) input.fail(`a joblib array has ${value.length} dimensions, numpy allows 64`);
  let size = 1;
  return value.map((extent) => {
    const n = typeof extent === 'bigint' && extent <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(extent) : extent;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) input.fail(`a joblib array's shape holds ${String(extent)}, not a size`);
    size *= n;
    if (!Number.isSafeInteger(size)) input.fail('a joblib array\'s shape is too large');
    return n;
  });
}

/** The array a wrapper stands for, read from the input after its BUILD (NumpyArrayWrapper.read_array). */
function readArray(wrapper: NumpyArrayWrapper, input: RawInput, options: LoadOptions): NdArray {
  const state = wrapper.state;
  if (!isDict(state)) input.fail(`a NumpyArrayWrapper's state must be a dict, not ${typeName(state)}`);
  const dtype = stateField(state, 'dtype');
  if (!(dtype instanceof NdDtype)) input.fail(`a NumpyArrayWrapper's dtype must be a numpy.dtype, not ${typeName(dtype)}`);
  const shape = shapeOf(stateField(state, 'shape'), input);
  const order = stateField(state, 'order');
  if (order !== 'C' && order !== 'F') input.fail(`a NumpyArrayWrapper's order must be 'C' or 'F', not ${JSON.stringify(order)}`);
  const subclass = stateField(state, 'subclass');
  // joblib gives a plain array for ndarray and memmap; other subclasses (numpy.matrix) would
  // need numpy's class: refused rather than loaded as what they are not.
  if (!(subclass instanceof PyGlobal && subclass.module === 'numpy' && (subclass.name === 'ndarray' || subclass.name === 'memmap'))) {
    input.fail(`a joblib array of class ${subclass instanceof PyGlobal ? `${subclass.module}.${subclass.name}` : typeName(subclass)} is not supported (numpy.ndarray and numpy.memmap are)`, 'RECONSTRUCTION_FAILED');
  }
  const count = sizeOf(shape);
  if (holdsObjects(dtype)) return readObjectArray(input, options, shape, dtype);
  // Absent (joblib <= 1.1) or None (written to a stream without tell()): no padding.
  const alignment = hasField(state, 'numpy_array_alignment_bytes') ? stateField(state, 'numpy_array_alignment_bytes') : null;
  if (alignment !== null) {
    if (typeof alignment !== 'number' || !Number.isSafeInteger(alignment) || alignment < 1 || alignment > 255) {
      input.fail(`a NumpyArrayWrapper's numpy_array_alignment_bytes must be a small positive int, not ${String(alignment)}`);
    }
    const paddingAt = input.position;
    const length = input.take(1, 'the joblib array padding length')[0]!;
    const padding = input.take(length, 'the joblib array padding');
    if (length > alignment || padding.some((byte) => byte !== 0xff) || input.position % alignment !== 0) {
      input.fail(`the joblib array padding at offset ${paddingAt} is corrupt (a length of ${length}, bytes other than 0xff, or data not aligned to ${alignment})`);
    }
  }
  const nbytes = count * dtype.itemsize;
  if (!Number.isSafeInteger(nbytes) || nbytes > input.remaining) {
    input.fail(
      `a joblib array of shape (${shape.join(', ')}) and dtype ${dtype.str} needs ${nbytes} bytes at offset ${input.position}, only ${input.remaining} are left`,
      'TRUNCATED',
    );
  }
  const bytes = input.take(nbytes, 'the joblib array data');
  const { data } = decodeElements(bytes, dtype.storage as Exclude<typeof dtype.storage, 'object'>, dtype.itemsize, dtype.byteorder, count, false);
  // joblib's _ensure_native_byte_order: numpy gets the native dtype, as pickle's own arrays do.
  const native = dtype.isNative ? dtype : dtype.withByteOrder('=');
  return new NdArray(data, { dtype: native, shape, order });
}

/** An array holding objects: a complete pickle of it follows the wrapper (joblib's pickle.dump(array, protocol=2)). */
function readObjectArray(input: RawInput, options: LoadOptions, shape: number[], dtype: NdDtype): NdArray {
  const nested = new Unpickler(input.rest(), options);
  const array = nested.load();
  input.skip(nested.position);
  if (!(array instanceof NdArray) || array.shape.join() !== shape.join() || !array.dtype.equals(dtype)) {
    input.fail(`the pickle after a joblib object-array wrapper of shape (${shape.join(', ')}) and dtype ${dtype.str} holds ${array instanceof NdArray ? `an array of shape (${array.shape.join(', ')}) and dtype ${array.dtype.str}` : typeName(array)}`);
  }
  return array;
}

/** The registry a joblib load uses: the caller's (or the default), with joblib's wrappers. */
function joblibRegistry(options: LoadOptions): Registry {
  return new Registry({ parent: options.registry ?? defaultRegistry() })
    .register(WRAPPER_HANDLER)
    .register(legacyWrapper('NDArrayWrapper'))
    .register(legacyWrapper('ZNDArrayWrapper'));
}

/**
 * Loads what `joblib.dump` wrote (joblib 0.10 and later, uncompressed): the pickled value with
 * every numpy array as an `NdArray` whose data are views of `data` where alignment allows. A
 * scikit-learn model loads as its placeholders (or registered classes) holding NdArrays.
 * Compressed files are read by `loadJoblibFile` from 'pickle-mapper/node'. Options are those of
 * `loads`.
 */
export function loadJoblib(data: Uint8Array | ArrayBuffer | ArrayBufferView, options: LoadOptions = {}): unknown {
  const bytes = data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  const head = bytes.subarray(0, 8);
  if (isLegacyZFile(head)) {
    throw new UnpicklingError('this is a joblib < 0.9.3 file (it starts with ZF); load and re-save it with a newer joblib', { code: 'INVALID_PICKLE' });
  }
  const compression = detectJoblibCompression(head);
  if (compression !== undefined) throw compressedInputError(compression);
  const loadOptions: LoadOptions = { ...options, registry: joblibRegistry(options) };
  const unpickler = new Unpickler(bytes, loadOptions);
  const nestedOptions: LoadOptions = { ...options, maxInputBytes: Number.MAX_SAFE_INTEGER };
  const hook: BuildHook = (target, input) => (target instanceof NumpyArrayWrapper ? readArray(target, input, nestedOptions) : undefined);
  setBuildHook(unpickler, hook);
  return unpickler.load();
}

// numpy arrays, dtypes and scalars, read and written as numpy's own pickling does — without numpy
// and without running anything:
//
//   arrays, protocols 0–4   numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b') then BUILD
//                           (1, shape, dtype, is_fortran, raw bytes | list of objects)
//   arrays, protocol 5      numpy.core.numeric._frombuffer(PickleBuffer, dtype, shape, 'C' | 'F')
//                           (numpy 2 also 'K', axis_order for other dense layouts), the buffer in
//                           band (bytearray / bytes) or out of band (NEXT_BUFFER)
//   dtypes                  numpy.dtype('f8', False, True) then BUILD (3, '<', None, None, None,
//                           -1, -1, 0) — version 4 with metadata (datetime units)
//   scalars                 numpy.core.multiarray.scalar(dtype, raw bytes)
//
// numpy 2 names the same functions under numpy._core; both sets load. What is written is chosen
// per value (`pickleModule`, which loading sets to what the pickle used) and per registry
// (`numpyHandlers({ module })`), defaulting to numpy.core, which numpy 1.x and 2.x both read.
import type { DumpContext, LoadContext, PyClassHandler, Reduction, Registry } from '../../registry/registry.js';
import { hashedAs, UNHASHABLE } from '../../codec/python-hash.js';
import { PyByteArray } from '../../values/bytearray.js';
import { typeName } from '../../values/describe.js';
import { PyGlobal } from '../../values/global.js';
import { NdArray, NdDtype, type NumpyModule, NumpyScalar } from '../../values/ndarray.js';
import { arrayBytes, assignArray, reorder, setDtypeState } from '../../values/numpy/internals.js';
import { PyObject } from '../../values/object.js';
import { PickleBuffer } from '../../values/picklebuffer.js';
import { Tuple, isTuple, tuple } from '../../values/tuple.js';
import { contiguity, decodeElements, elementStrides, encodeElements, identityOrder, isPermutation, memoryShape, permuteInto, reversedOrder, sizeOf } from '../../values/numpy/elements.js';
import { dtypeCanonicalState, dtypeReduceArg, parseDtype } from '../../values/numpy/dtype.js';

export interface NumpyHandlerOptions {
  /**
   * Module names written for values that do not name their own (`pickleModule`): 'numpy.core'
   * (default; numpy 1.x and 2.x both read it, numpy 2.x with a DeprecationWarning for protocol
   * 5's numpy.core.numeric._frombuffer) or 'numpy._core' (what numpy 2.x writes; numpy 1.x
   * cannot read it).
   */
  module?: NumpyModule;
  /** Write `module` even for values that name their own (loaded values name what they came with). */
  override?: boolean;
}

const MODULES: readonly NumpyModule[] = ['numpy.core', 'numpy._core'];
const DTYPE = new PyGlobal('numpy', 'dtype');
const NDARRAY = new PyGlobal('numpy', 'ndarray');
// numpy writes b'b' (the typecode of the empty array _reconstruct makes); CPython's one-byte bytes
// objects are shared, so sharing one here memoizes it the same way.
const TYPECODE_B = new Uint8Array([0x62]);

/** Buffers and lists a load has already consumed once: using one again may be amplification. */
const consumed = new WeakSet<object>();

/**
 * Charges a copy when `source` was already used by an earlier array or scalar: `units` elements of
 * a list, or a unit per 8 bytes of a buffer.
 */
function chargeReuse(context: LoadContext, source: object, units: number, copied: boolean): void {
  if (consumed.has(source)) {
    if (copied) context.charge(units);
  } else {
    consumed.add(source);
  }
}

function latin1(text: string, what: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error(`${what} must be bytes (a str holds a character beyond latin-1)`);
    out[i] = code;
  }
  return out;
}

/** bytes, bytearray, or a Python 2 str loaded as text: the bytes. */
function bytesArgument(value: unknown, what: string, context: LoadContext): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') {
    // A Python 2 str is copied into fresh bytes every time it is used: always charged.
    context.charge(value.length);
    return latin1(value, what);
  }
  throw new Error(`${what} must be bytes, not ${typeName(value)}`);
}

function shapeArgument(value: unknown): number[] {
  const items = typeof value === 'number' || typeof value === 'bigint' ? [value] : value;
  if (!Array.isArray(items)) throw new Error(`an array shape must be a tuple of ints, not ${typeName(value)}`);
  return items.map((extent) => {
    const n = typeof extent === 'bigint' ? Number(extent) : extent;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`array dimensions must be non-negative integers, not ${String(extent)}`);
    }
    return n;
  });
}

function dtypeArgument(value: unknown): NdDtype {
  if (value instanceof NdDtype) return value;
  throw new Error(`expected a numpy.dtype, not ${typeName(value)}`);
}

function booleanArgument(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  throw new Error(`expected a bool, not ${typeName(value)}`);
}

// ---- loading ----------------------------------------------------------------------------------

/** numpy's `ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata))`. */
function setArrayState(array: NdArray, state: unknown, context: LoadContext): void {
  if (!isTuple(state) || (state.length !== 5 && state.length !== 4)) {
    throw new Error('numpy.ndarray state must be a tuple (version, shape, dtype, is_fortran, data)');
  }
  const [shapeValue, dtypeValue, fortranValue, raw] = state.length === 5 ? state.slice(1) : state;
  const shape = shapeArgument(shapeValue);
  const dtype = dtypeArgument(dtypeValue);
  const fortran = booleanArgument(fortranValue);
  const axisOrder = fortran ? reversedOrder(shape.length) : identityOrder(shape.length);
  const size = sizeOf(shape);
  let data: NdArray['data'];
  if (dtype.storage === 'object') {
    // Object arrays pickle their elements as a list in C order, whatever their layout.
    if (!Array.isArray(raw)) throw new Error(`an object array's state must hold a list, not ${typeName(raw)}`);
    if (raw.length !== size) throw new Error(`an object array of shape (${shape.join(', ')}) needs ${size} elements, the list has ${raw.length}`);
    chargeReuse(context, raw, size, true);
    if (fortran && shape.length > 1) {
      data = new Array(size);
      permuteInto(raw, data, 1, shape, elementStrides(shape, identityOrder(shape.length)), elementStrides(shape, axisOrder));
    } else {
      data = raw.slice();
    }
  } else {
    if (Array.isArray(raw)) throw new Error(`a ${dtype.name} array's state must hold bytes, not a list`);
    const bytes = bytesArgument(raw, 'array data', context);
    const decoded = decodeElements(bytes, dtype.storage, dtype.itemsize, dtype.byteorder, size, false);
    chargeReuse(context, bytes, Math.ceil(bytes.length / 8), decoded.copied);
    data = decoded.data;
  }
  // numpy's __setstate__ byte-swaps data of a non-native dtype and gives the array the native
  // dtype ('>i2' loads as '<i2' here); only protocol 5's _frombuffer keeps the pickled order.
  const native = dtype.isNative ? dtype : dtype.withByteOrder('=');
  assignArray(array, { data, dtype: native, shape, axisOrder, readonly: false, pickleModule: array.pickleModule });
}

/** `_reconstruct(subtype, shape, typecode)`: the empty array that BUILD then fills. */
function reconstructHandler(module: NumpyModule): PyClassHandler {
  const moduleName = `${module}.multiarray`;
  return {
    module: moduleName,
    name: '_reconstruct',
    kind: 'function',
    call(args, context) {
      if (args.length !== 3) throw new Error(`_reconstruct() takes 3 arguments (${args.length} given)`);
      const [cls] = args;
      if (cls instanceof PyGlobal && cls.module === 'numpy' && cls.name === 'ndarray') {
        return new NdArray(new Int8Array(0), { dtype: 'i1', pickleModule: module });
      }
      // An ndarray subclass (numpy.matrix, numpy.recarray, ...): kept as a placeholder, whose
      // BUILD state is the same tuple, so that it pickles back unchanged.
      if (context.strict) throw new Error(`cannot rebuild an array of class ${typeName(cls)}: no registered handler (strict mode)`);
      return new PyObject(context.findGlobal(moduleName, '_reconstruct'), Tuple.from(args), 'reduce');
    },
  };
}

/** `_frombuffer(buf, dtype, shape, order[, axis_order])`: protocol 5 arrays. */
function frombufferHandler(module: NumpyModule): PyClassHandler {
  return {
    module: `${module}.numeric`,
    name: '_frombuffer',
    kind: 'function',
    call(args, context) {
      if (args.length !== 4 && args.length !== 5) throw new Error(`_frombuffer() takes 4 or 5 arguments (${args.length} given)`);
      const [buffer, dtypeValue, shapeValue, orderValue, axisOrderValue] = args;
      const bytes = bytesArgument(buffer, 'the buffer', context);
      // numpy.frombuffer over bytes (or a read-only out-of-band buffer) gives a read-only array.
      const readonly = !(bytes instanceof PyByteArray);
      const dtype = dtypeArgument(dtypeValue);
      if (dtype.storage === 'object') throw new Error('cannot create an object array from a buffer');
      if (dtype.itemsize === 0) throw new Error('itemsize cannot be zero in type');
      if (bytes.length % dtype.itemsize !== 0) throw new Error('buffer size must be a multiple of element size');
      const count = bytes.length / dtype.itemsize;
      let shape = shapeArgument(shapeValue);
      let axisOrder: number[];
      if (orderValue === 'C' || orderValue === 'A') {
        axisOrder = identityOrder(shape.length);
      } else if (orderValue === 'F') {
        axisOrder = reversedOrder(shape.length);
      } else if (orderValue === 'K' && axisOrderValue !== undefined && axisOrderValue !== null) {
        // numpy 2: buffer.reshape(shape, order='C').transpose(axis_order)
        if (!Array.isArray(axisOrderValue) || !isPermutation(axisOrderValue as number[], shape.length)) {
          throw new Error(`axis_order must be a permutation of the ${shape.length} axes`);
        }
        axisOrder = [...(axisOrderValue as number[])];
        shape = axisOrder.map((memoryAxis) => shape[memoryAxis]!);
      } else if (orderValue === 'K') {
        throw new Error("order 'K' is not permitted for reshaping");
      } else {
        throw new Error(`order must be one of 'C', 'F', 'A', or 'K' (got ${JSON.stringify(orderValue)})`);
      }
      if (sizeOf(shape) !== count) throw new Error(`cannot reshape array of size ${count} into shape (${shape.join(', ')})`);
      const decoded = decodeElements(bytes, dtype.storage, dtype.itemsize, dtype.byteorder, count, false);
      chargeReuse(context, bytes, Math.ceil(bytes.length / 8), decoded.copied);
      return new NdArray(decoded.data, { dtype, shape, axisOrder, readonly, pickleModule: module });
    },
  };
}

/**
 * numpy's numeric scalars equal (and hash as) the Python int, float, complex, bool, str or bytes
 * of the same value. datetime64 and timedelta64 are compared by unit and value here (numpy also
 * finds the same instant in two units equal).
 */
function scalarHashAs(scalar: NumpyScalar): unknown {
  const { kind } = scalar.dtype;
  const { value } = scalar;
  if (kind === 'f' && typeof value !== 'number') return hashedAs(`numpy.${scalar.dtype.str}`, value); // longdouble bytes
  if (kind === 'M' || kind === 'm' || kind === 'V') return hashedAs(`numpy.${scalar.dtype.str}`, value);
  return value;
}

/** `scalar(dtype, raw bytes)`: numpy scalars (and, for the object dtype, the object itself). */
function scalarHandler(module: NumpyModule, reduce: (value: NumpyScalar) => Reduction): PyClassHandler<unknown> {
  return {
    module: `${module}.multiarray`,
    name: 'scalar',
    kind: 'function',
    jsClass: NumpyScalar,
    call(args, context) {
      if (args.length !== 1 && args.length !== 2) throw new Error(`scalar() takes 1 or 2 arguments (${args.length} given)`);
      const dtype = dtypeArgument(args[0]);
      if (dtype.storage === 'object') return args[1] ?? null;
      const bytes = bytesArgument(args[1], 'scalar data', context);
      if (bytes.length < dtype.itemsize) throw new Error('initialization string is too small');
      chargeReuse(context, bytes, Math.ceil(dtype.itemsize / 8), true);
      return NumpyScalar.fromBytes(dtype, bytes.subarray(0, dtype.itemsize), { pickleModule: module });
    },
    reduce: (value) => reduce(value as NumpyScalar),
    hashAs: (value) => scalarHashAs(value as NumpyScalar),
  };
}

// ---- writing ----------------------------------------------------------------------------------

function reduceDtype(dtype: NdDtype): Reduction {
  const state = dtype.pickleState ?? Tuple.from(dtypeCanonicalState(dtype));
  return [DTYPE, tuple(dtypeReduceArg(dtype), false, true), state];
}

/**
 * Whether numpy can export an array of this dtype as a buffer (PickleBuffer): datetime64 and
 * timedelta64 cannot ("cannot include dtype 'M' in a buffer"), nor structured dtypes holding
 * them, and numpy then pickles such arrays the protocol 4 way (gh-12745).
 */
function exportsBuffer(dtype: NdDtype, depth = 0): boolean {
  if (dtype.kind === 'M' || dtype.kind === 'm') return false;
  if (dtype.pickleState === undefined || depth > 32) return true;
  const nested: unknown[] = [dtype.pickleState[2], dtype.pickleState[4]];
  while (nested.length > 0) {
    const item = nested.pop();
    if (item instanceof NdDtype) {
      if (!exportsBuffer(item, depth + 1)) return false;
    } else if (Array.isArray(item)) {
      nested.push(...item);
    } else if (item instanceof Map) {
      nested.push(...item.values());
    } else if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      nested.push(...Object.values(item));
    }
  }
  return true;
}

/** What numpy's `ndarray.__reduce_ex__(protocol)` gives, for the chosen module names. */
function reduceArray(array: NdArray, protocol: number, module: NumpyModule): Reduction {
  const { dtype, shape, axisOrder } = array;
  const { c, f } = contiguity(shape, axisOrder);
  const isObject = dtype.storage === 'object';
  // Protocol 5: the buffer itself (out of band when the caller takes it), for every contiguous
  // array whose elements are plain data. numpy 2 also writes other dense layouts this way ('K').
  if (protocol >= 5 && !isObject && dtype.itemsize > 0 && exportsBuffer(dtype) && (c || f || module === 'numpy._core')) {
    const frombuffer = new PyGlobal(`${module}.numeric`, '_frombuffer');
    if (c || f) {
      const order = c ? 'C' : 'F';
      const buffer = new PickleBuffer(arrayBytes(array, order), array.readonly);
      return [frombuffer, tuple(buffer, dtype, Tuple.from(shape), order)];
    }
    const bytes = encodeElements(array.data as Exclude<NdArray['data'], unknown[]>, dtype.storage, dtype.byteorder);
    const buffer = new PickleBuffer(bytes, array.readonly);
    return [frombuffer, tuple(buffer, dtype, Tuple.from(memoryShape(shape, axisOrder)), 'K', Tuple.from(axisOrder))];
  }
  const fortran = f && !c;
  let raw: unknown;
  if (isObject) raw = c ? (array.data as unknown[]).slice() : reorder(array, identityOrder(shape.length));
  else raw = arrayBytes(array, fortran ? 'F' : 'C');
  const reconstruct = new PyGlobal(`${module}.multiarray`, '_reconstruct');
  return [reconstruct, tuple(NDARRAY, tuple(0), TYPECODE_B), tuple(1, Tuple.from(shape), dtype, fortran, raw)];
}

function reduceScalar(scalar: NumpyScalar, module: NumpyModule): Reduction {
  return [new PyGlobal(`${module}.multiarray`, 'scalar'), tuple(scalar.dtype, scalar.tobytes())];
}

/**
 * The numpy handlers, writing the given module names. The standard registry has the default set;
 * register another set in your registry to change what is written:
 * `registerNumpy(registry, { module: 'numpy._core' })`.
 */
export function numpyHandlers(options: NumpyHandlerOptions = {}): PyClassHandler[] {
  const fallback = options.module ?? 'numpy.core';
  if (!MODULES.includes(fallback)) throw new Error(`module must be 'numpy.core' or 'numpy._core', not ${String(fallback)}`);
  const moduleFor = (value: { pickleModule: NumpyModule | undefined }): NumpyModule =>
    options.override ? fallback : (value.pickleModule ?? fallback);

  const dtype: PyClassHandler<NdDtype> = {
    module: 'numpy',
    name: 'dtype',
    jsClass: NdDtype,
    call(args) {
      const [spec] = args;
      const text = spec instanceof Uint8Array && spec.length <= 64 ? String.fromCharCode(...spec) : spec;
      if (typeof text !== 'string') throw new Error(`numpy.dtype() of ${typeName(spec)} is not supported while loading`);
      // The pickled string has no byte order ('f8'): native until BUILD says otherwise.
      return new NdDtype(parseDtype(text));
    },
    setState: (value, state) => setDtypeState(value, state),
    reduce: (value) => reduceDtype(value),
    // Equal dtypes are equal in numpy; a structured one is compared by identity here.
    hashAs: (value) => (value.pickleState === undefined ? hashedAs('numpy.dtype', value.str) : value),
  };
  const ndarray: PyClassHandler<NdArray> = {
    module: 'numpy',
    name: 'ndarray',
    jsClass: NdArray,
    setState: setArrayState,
    reduce: (value, protocol: number, _context: DumpContext) => reduceArray(value, protocol, moduleFor(value)),
    hashAs: () => UNHASHABLE,
  };
  const scalarReduce = (value: NumpyScalar): Reduction => reduceScalar(value, moduleFor(value));
  return [
    dtype as PyClassHandler,
    ndarray as PyClassHandler,
    ...MODULES.flatMap((module) => [reconstructHandler(module), frombufferHandler(module), scalarHandler(module, scalarReduce)]),
  ];
}

/** Registers numpy handlers with the given options in `registry` (which then takes precedence). */
export function registerNumpy(registry: Registry, options: NumpyHandlerOptions = {}): Registry {
  for (const handler of numpyHandlers(options)) registry.register(handler);
  return registry;
}

/** Handlers for numpy arrays, dtypes and scalars, in the standard registry. */
export const NUMPY_HANDLERS: readonly PyClassHandler[] = numpyHandlers();

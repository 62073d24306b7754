// Handlers for the globals a pickle of builtin values holds: what CPython's pickler itself emits
// (sets below protocol 4, bytes below protocol 3, bytearray below 5, complex, copyreg's
// reconstructors for objects, getattr for nested names) and the constructors of the simple builtin
// types. These are the core's: the `builtins`, `copyreg` and `_codecs` globals, the values of
// the core value model (src/values/ but datetime, numeric, collections, ndarray). Other modules'
// types (datetime, decimal, collections, numpy...) are the standard types of src/standard/.
// They run no Python: each is a small, bounded JavaScript function over already-loaded values.
import type { LoadContext, PyClassHandler } from '../registry/registry.js';
import { PyByteArray } from '../values/bytearray.js';
import { PyComplex } from '../values/complex.js';
import { describe } from '../values/describe.js';
import { isDict, type PyDict } from '../values/dict.js';
import { PyFloat, setOf } from '../values/float.js';
import { carryFloats } from '../values/float-marks.js';
import { PyFrozenSet } from '../values/frozenset.js';
import { PyGlobal } from '../values/global.js';
import { PyObject } from '../values/object.js';
import { Tuple, tuple } from '../values/tuple.js';
import { takeLatin1Bytes } from './text-latin1.js';
import { asciiNumberText, parsePythonFloat, parsePythonInt } from './numbers.js';
import { reprBytes, reprStr } from './python-repr.js';

/** Python's iteration over a loaded value, as a fresh array; throws for what is not iterable. */
function itemsOf(value: unknown, context: LoadContext): unknown[] {
  let items: unknown[];
  if (Array.isArray(value)) items = value.slice();
  else if (value instanceof Set) items = [...value];
  else if (value instanceof Map) items = [...value.keys()];
  else if (value instanceof Uint8Array) items = Array.from(value);
  else if (typeof value === 'string') items = Array.from(value);
  else if (isDict(value)) items = Object.keys(value);
  else throw new Error(`${describe(value)} object is not iterable`);
  context.charge(items.length);
  return items;
}

/**
 * `make(items)` for Python's `set(x)`, `list(x)` and the like with at most one argument, the
 * result recording the floats `x` was loaded with.
 */
function iterated<T extends unknown[] | Set<unknown>>(args: readonly unknown[], context: LoadContext, make: (items: unknown[]) => T): T {
  if (args.length === 0) return make([]);
  const result = make(itemsOf(args[0], context));
  carryFloats(args[0], result);
  return result;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function encodeText(text: string, encoding: unknown, context: LoadContext): Uint8Array {
  context.charge(text.length);
  const codec = typeof encoding === 'string' ? encoding.toLowerCase().replace(/_/g, '-') : encoding;
  if (codec === 'latin1' || codec === 'latin-1' || codec === 'iso-8859-1' || codec === 'ascii') {
    if (codec !== 'ascii') {
      // Text the loader has just decoded from Latin-1 bytes (bytes below protocol 3): those bytes.
      const decoded = takeLatin1Bytes(text);
      if (decoded) return decoded;
    }
    const limit = codec === 'ascii' ? 0x7f : 0xff;
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > limit) throw new Error(`'${codec}' codec can't encode character at position ${i}`);
      out[i] = code;
    }
    return out;
  }
  if (codec === 'utf-8' || codec === 'utf8') {
    if (LONE_SURROGATE.test(text)) throw new Error(`'utf-8' codec can't encode a lone surrogate`);
    return new TextEncoder().encode(text);
  }
  throw new Error(`unsupported encoding ${String(encoding)}`);
}

/** `bytes(...)` / `bytearray(...)` argument forms. */
function bytesFrom(args: readonly unknown[], context: LoadContext): Uint8Array {
  if (args.length === 0) return new Uint8Array(0);
  const [source, encoding] = args;
  if (typeof source === 'string') return encodeText(source, encoding, context);
  if (args.length > 1) throw new Error('encoding without a string argument');
  if (source instanceof Uint8Array) {
    context.charge(source.length);
    return source.slice();
  }
  if (typeof source === 'number' && Number.isInteger(source) && source >= 0) {
    context.charge(source);
    return new Uint8Array(source);
  }
  const items = itemsOf(source, context);
  const out = new Uint8Array(items.length);
  items.forEach((item, i) => {
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > 255) {
      throw new Error('bytes must be in range(0, 256)');
    }
    out[i] = item;
  });
  return out;
}

const knownNonEmpty = new WeakSet<object>();

/** Python's truth value of a loaded value. */
function truthy(value: unknown, context: LoadContext): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'object') {
    if (Array.isArray(value) || value instanceof Uint8Array) return value.length > 0;
    if (value instanceof Set || value instanceof Map) return value.size > 0;
    if (isDict(value)) {
      if (value instanceof Map) return value.size > 0;
      // Counting a plain object's keys takes time in proportion to them; pickles only ever add
      // keys, so a dict once seen non-empty stays so and is not counted again.
      if (knownNonEmpty.has(value)) return true;
      const size = Object.keys(value).length;
      context.charge(size);
      if (size > 0) knownNonEmpty.add(value);
      return size > 0;
    }
    return true;
  }
  return Boolean(value);
}

/** A PyFloat (what keepFloatType loads) as the number it holds; anything else as it is. */
function unwrapFloat(value: unknown): unknown {
  return value instanceof PyFloat ? value.value : value;
}

/**
 * The bytes `int()` and `float()` parse (a str made ASCII as CPython makes it; or bytes and
 * bytearray, whose bytes above 0x7f nothing matches), with its repr for errors (bytes' for both,
 * as CPython reports them); undefined for anything else.
 */
function numberText(value: unknown): { bytes: Uint8Array; repr: string } | undefined {
  if (typeof value === 'string') return { bytes: asciiNumberText(value), repr: reprStr(value) };
  if (value instanceof Uint8Array) return { bytes: value, repr: reprBytes(value) };
  return undefined;
}

/** `int(text, base)`: base 0 reads a literal as Python code does (0x, 0o, 0b prefixes). */
function intFromText(value: unknown, baseArg: unknown, context: LoadContext): number | bigint {
  // A float base that loads as a number (2.0 without keepFloatType) cannot be told from an int.
  const base = typeof baseArg === 'bigint' || typeof baseArg === 'boolean' ? Number(baseArg) : baseArg;
  if (typeof base !== 'number' || !Number.isInteger(base)) {
    const type = typeof base === 'number' || baseArg instanceof PyFloat ? "'float'" : describe(baseArg);
    throw new Error(`${type} object cannot be interpreted as an integer`);
  }
  if (base !== 0 && (base < 2 || base > 36)) throw new Error('int() base must be >= 2 and <= 36, or 0');
  const source = numberText(value);
  if (source === undefined) throw new Error("int() can't convert non-string with explicit base");
  context.charge(source.bytes.length);
  const parsed = parsePythonInt(source.bytes, 0, source.bytes.length, base, context.maxIntDigits);
  // CPython cuts this repr at 200 characters (float()'s it gives whole).
  if (parsed === null) throw new Error(`invalid literal for int() with base ${base}: ${source.repr.slice(0, 200)}`);
  return parsed;
}

function intFrom(args: readonly unknown[], context: LoadContext): number | bigint {
  if (args.length === 0) return 0;
  if (args.length > 2) throw new Error(`int() takes at most 2 arguments (${args.length} given)`);
  if (args.length === 2 || typeof args[0] === 'string' || args[0] instanceof Uint8Array) {
    return intFromText(args[0], args.length === 2 ? args[1] : 10, context);
  }
  const value = unwrapFloat(args[0]);
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('cannot convert float NaN to integer');
    if (!Number.isFinite(value)) throw new Error('cannot convert float infinity to integer');
    const whole = Math.trunc(value) || 0;
    return Number.isSafeInteger(whole) ? whole : BigInt(whole); // an int beyond 2^53 is a bigint
  }
  throw new Error(`int() argument must be a string, a bytes-like object or a real number, not ${describe(value)}`);
}

function floatFrom(args: readonly unknown[], context: LoadContext): number {
  if (args.length === 0) return 0;
  if (args.length > 1) throw new Error(`float expected at most 1 argument, got ${args.length}`);
  const value = unwrapFloat(args[0]);
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') {
    const converted = Number(value);
    if (!Number.isFinite(converted)) throw new Error('int too large to convert to float');
    return converted;
  }
  const source = numberText(value);
  if (source === undefined) throw new Error(`float() argument must be a string or a real number, not ${describe(value)}`);
  context.charge(source.bytes.length);
  const parsed = parsePythonFloat(source.bytes, 0, source.bytes.length);
  if (parsed === null) throw new Error(`could not convert string to float: ${source.repr}`);
  return parsed;
}

function simple<T>(
  name: string,
  jsClass: (abstract new (...args: never[]) => T) | undefined,
  make: (args: readonly unknown[], context: LoadContext) => T,
): PyClassHandler<T> {
  return {
    module: 'builtins',
    name,
    ...(jsClass ? { jsClass } : {}),
    call: make,
    newInstance: (args, _kwargs, context) => make(args, context),
  };
}

const reconstructor: PyClassHandler = {
  module: 'copyreg',
  name: '_reconstructor',
  kind: 'function',
  // copyreg._reconstructor(cls, base, state): protocol 0/1 instances. With `object` as base it is
  // `object.__new__(cls)`; any other base keeps its state, so the object stays a placeholder
  // unless the class is registered and the base is plain `object`.
  call(args, context) {
    if (args.length !== 3) throw new Error('_reconstructor() takes exactly 3 arguments');
    const [cls, base, baseState] = args;
    const plainBase = base instanceof PyGlobal && base.module === 'builtins' && base.name === 'object';
    if (cls instanceof PyGlobal && cls.handler?.newInstance && plainBase && baseState === null) {
      return cls.handler.newInstance([], undefined, context);
    }
    // Any other builtin base (a namedtuple's tuple): the class's handler rebuilds it, if it can.
    if (cls instanceof PyGlobal && cls.handler?.reconstruct && base instanceof PyGlobal && !plainBase) {
      return cls.handler.reconstruct(base, baseState, context);
    }
    if (!(cls instanceof PyGlobal) && !(cls instanceof PyObject)) {
      throw new Error(`_reconstructor() class argument must be a class, not ${describe(cls)}`);
    }
    return new PyObject(cls, tuple(base, baseState), 'reconstructor');
  },
};

// getattr(SomeClass, 'Name') is how CPython names a nested class (and Python 3.12 an enum
// member) below protocol 4: it loads as the global 'SomeClass.Name', looked up by name like any
// other, so nothing is ever executed. Anything else stays an inert placeholder.
const getattr: PyClassHandler = {
  module: 'builtins',
  name: 'getattr',
  kind: 'function',
  call(args, context) {
    const [owner, attribute] = args;
    if (args.length === 2 && owner instanceof PyGlobal && typeof attribute === 'string' && attribute !== '') {
      // A class that knows its attributes (an enum's members) answers first.
      const value = owner.handler?.getAttribute?.(attribute, context);
      if (value !== undefined) return value;
      return context.findGlobal(owner.module, `${owner.name}.${attribute}`);
    }
    return new PyObject(new PyGlobal('builtins', 'getattr'), Tuple.from(args), 'reduce');
  },
};

/** copyreg.__newobj__(cls, *args) and __newobj_ex__(cls, args, kwargs): `cls.__new__` by call. */
function newObjectCall(name: '__newobj__' | '__newobj_ex__'): PyClassHandler {
  return {
    module: 'copyreg',
    name,
    kind: 'function',
    call(args, context) {
      const [cls] = args;
      if (!(cls instanceof PyGlobal) && !(cls instanceof PyObject)) {
        throw new Error(`copyreg.${name}() class argument must be a class, not ${describe(cls)}`);
      }
      const clsArgs = name === '__newobj__' ? args.slice(1) : itemsOf(args[1] ?? [], context);
      const kwargs = name === '__newobj_ex__' ? (args[2] as PyDict | undefined) : undefined;
      if (cls instanceof PyGlobal && cls.handler?.newInstance && cls.handler.kind !== 'function') {
        return cls.handler.newInstance(clsArgs, kwargs, context);
      }
      return new PyObject(cls, Tuple.from(clsArgs), name === '__newobj__' ? 'newobj' : 'newobj_ex', kwargs);
    },
  };
}

/** `_codecs.encode`, which bytes below protocol 3 are written with (the unpickler may run it fused). */
export const codecsEncode: PyClassHandler = {
  module: '_codecs',
  name: 'encode',
  kind: 'function',
  call(args, context) {
    if (typeof args[0] !== 'string') throw new Error('_codecs.encode() expects a str');
    return encodeText(args[0], args.length > 1 ? args[1] : 'utf-8', context);
  },
};

// Builtin functions: they load as inert references (REDUCE on them gives a placeholder and runs
// nothing); naming them here only lets NEWOBJ refuse them as Python does.
const BUILTIN_FUNCTIONS = [
  '__import__', 'abs', 'aiter', 'all', 'anext', 'any', 'ascii', 'bin', 'breakpoint', 'callable',
  'chr', 'compile', 'delattr', 'dir', 'divmod', 'eval', 'exec', 'format', 'globals',
  'hasattr', 'hash', 'hex', 'id', 'input', 'isinstance', 'issubclass', 'iter', 'len', 'locals',
  'max', 'min', 'next', 'oct', 'open', 'ord', 'pow', 'print', 'repr', 'round', 'setattr',
  'sorted', 'sum', 'vars',
];

/** Handlers every load falls back on after the user's registry. */
export const BUILTIN_HANDLERS: readonly PyClassHandler[] = [
  simple('set', Set, (args, context) => iterated(args, context, (items) => setOf(new Set(), items))),
  simple('frozenset', PyFrozenSet, (args, context) => iterated(args, context, (items) => setOf(new PyFrozenSet(), items))),
  simple('list', undefined, (args, context) => iterated(args, context, (items) => items)),
  simple('tuple', Tuple, (args, context) => iterated(args, context, (items) => Tuple.from(items))),
  simple('bytes', undefined, (args, context) => bytesFrom(args, context)),
  simple('bytearray', PyByteArray, (args, context) => PyByteArray.fromBytes(bytesFrom(args, context))),
  simple('complex', PyComplex, (args) => {
    const [real = 0, imag = 0] = args.map(unwrapFloat);
    if (typeof real !== 'number' || typeof imag !== 'number') throw new Error('complex() arguments must be numbers');
    return new PyComplex(real, imag);
  }),
  simple('int', undefined, intFrom),
  simple('float', undefined, (args, context) => context.asFloat(floatFrom(args, context))),
  simple('str', undefined, (args) => {
    if (args.length === 0) return '';
    if (typeof args[0] === 'string') return args[0];
    throw new Error(`str() of ${describe(args[0])} is not supported while loading`);
  }),
  simple('bool', undefined, (args, context) => (args.length === 0 ? false : truthy(args[0], context))),
  simple('dict', undefined, (args, context) => {
    if (args.length !== 0) throw new Error('dict() with arguments is not supported while loading');
    return context.newDict();
  }),
  reconstructor,
  newObjectCall('__newobj__'),
  newObjectCall('__newobj_ex__'),
  getattr,
  codecsEncode,
  ...BUILTIN_FUNCTIONS.map((name): PyClassHandler => ({ module: 'builtins', name, kind: 'function' })),
];

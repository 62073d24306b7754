// How the value model maps back onto Python's types, for the printers (python-format.ts,
// json-mapping.ts): which Python type a loaded value is, and an object of a class the registry
// knows (a mapped class, a standard type) seen as the placeholder its reduction describes.
import { defaultRegistry, type Reduction } from '../../registry/registry.js';
import { fallbackRegistry } from '../../codec/fallback-registry.js';
import { PyByteArray } from '../../values/bytearray.js';
import { PyComplex } from '../../values/complex.js';
import { isPlainDict } from '../../values/dict.js';
import { PyFloat } from '../../values/float.js';
import { PyFrozenSet } from '../../values/frozenset.js';
import { PyGlobal } from '../../values/global.js';
import { PyObject } from '../../values/object.js';
import { Tuple } from '../../values/tuple.js';

/** The Python type of a loaded value. */
export type PyKind =
  | 'None'
  | 'bool'
  | 'int'
  | 'float'
  | 'str'
  | 'bytes'
  | 'bytearray'
  | 'tuple'
  | 'list'
  | 'dict'
  | 'set'
  | 'frozenset'
  | 'complex'
  | 'global'
  | 'object'
  | 'other';

/**
 * The Python type of a value of the model: a number is an int when it is a safe integer (and
 * not -0), a float otherwise; a PyFloat is always a float.
 */
export function pyKind(value: unknown): PyKind {
  switch (typeof value) {
    case 'undefined':
      return 'None';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
    case 'object':
      break;
    default:
      return 'other';
  }
  if (value === null) return 'None';
  if (value instanceof PyFloat) return 'float';
  if (value instanceof PyByteArray) return 'bytearray';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Tuple) return 'tuple';
  // A subclass of a JavaScript container (OrderedDict, deque...) is its own Python type when a
  // handler reduces it; otherwise it is taken for the builtin it extends.
  if (Array.isArray(value)) return isOwnClass(value, Array.prototype) ? 'other' : 'list';
  if (value instanceof PyFrozenSet) return 'frozenset';
  if (value instanceof Set) return isOwnClass(value, Set.prototype) ? 'other' : 'set';
  if (value instanceof Map) return isOwnClass(value, Map.prototype) ? 'other' : 'dict';
  if (isPlainDict(value)) return 'dict';
  if (value instanceof PyComplex) return 'complex';
  if (value instanceof PyGlobal) return 'global';
  if (value instanceof PyObject) return 'object';
  return 'other';
}

/** True for an instance of a subclass of `base` that a registry handler reduces. */
function isOwnClass(value: object, base: object): boolean {
  return Object.getPrototypeOf(value) !== base && reducedView(value) !== null;
}

const NEWOBJ = 'copyreg\n__newobj__';
const NEWOBJ_EX = 'copyreg\n__newobj_ex__';

function fromReduction(reduction: Reduction): PyObject {
  const [callable, args, state, listItems, dictItems] = reduction;
  let object: PyObject;
  const key = callable instanceof PyGlobal ? `${callable.module}\n${callable.name}` : '';
  if (key === NEWOBJ && args.length >= 1) {
    object = new PyObject(args[0], Tuple.from(args.slice(1)), 'newobj');
  } else if (key === NEWOBJ_EX && args.length === 3) {
    const kwargs = args[2];
    object = new PyObject(
      args[0],
      Tuple.from(args[1] as Iterable<unknown>),
      'newobj_ex',
      kwargs instanceof Map || isPlainDict(kwargs) ? kwargs : undefined,
    );
  } else {
    object = new PyObject(callable, Tuple.from(args), 'reduce');
  }
  if (state !== undefined && state !== null) object.state = state;
  if (listItems) object.listItems = [...listItems];
  if (dictItems) object.dictItems = [...dictItems].map(([k, v]) => [k, v] as [unknown, unknown]);
  return object;
}

const views = new WeakMap<object, PyObject | null>();

/**
 * An object of a class the registry knows (a mapped class, a standard type) as the placeholder
 * its reduction describes: what the pickler would write for it. Null when no handler reduces it.
 */
export function reducedView(value: object): PyObject | null {
  let view = views.get(value);
  if (view === undefined) {
    view = null;
    try {
      const handler = defaultRegistry().handlerForValue(value) ?? fallbackRegistry().handlerForValue(value);
      if (handler?.reduce) view = fromReduction(handler.reduce(value, 4, { protocol: 4, cache: new Map() }));
    } catch {
      view = null;
    }
    views.set(value, view);
  }
  return view;
}

/** Name of a JavaScript object's class, for objects nothing else describes. */
export function jsClassName(value: object): string {
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'Object';
}

// Handlers for Python's collections types: OrderedDict, Counter, defaultdict and deque. Each one
// is a plain PyClassHandler built with the public API, so this file doubles as an example of
// teaching the package a type: `call` and the item hooks rebuild the value when loading, and
// `reduce` gives back the reduction CPython's own `__reduce__` gives, so that `dumps` writes
// CPython's bytes exactly. What CPython 3.11 writes (verified with pickletools at protocols 0-5):
//
//   OrderedDict  REDUCE(OrderedDict, ())             + SETITEM(S) of the items, + BUILD of __dict__ if any
//   Counter      REDUCE(Counter, ({...counts},))     (a plain dict of the counts as argument)
//   defaultdict  REDUCE(defaultdict, (factory,))     + SETITEM(S); `()` when the factory is None
//   deque        REDUCE(deque, ())                   + APPEND(S) of the items; `((), maxlen)` with a maxlen
//
// Python 2.7 wrote OrderedDict(list of [key, value] lists) and deque(list, maxlen): both load too.
import { extraState } from '../registry/instance-memory.js';
import type { LoadContext, PyClassHandler, Reduction } from '../registry/registry.js';
import { PyCounter, PyDefaultDict, PyDeque, PyOrderedDict } from '../values/collections.js';
import { dictEntries, isDict, setPlainDictItem } from '../values/dict.js';
import { PyGlobal } from '../values/global.js';
import { PyObject } from '../values/object.js';
import { Tuple } from '../values/tuple.js';
import { carryFloats, carryPairFloats, copyFloatItems, floatsOf, itemsToWrite, markFloatKey, markFloatValue, pairsToWrite, shareFloats, valueIsFloat } from '../values/float-marks.js';

const ORDERED_DICT = new PyGlobal('collections', 'OrderedDict');
const COUNTER = new PyGlobal('collections', 'Counter');
const DEFAULT_DICT = new PyGlobal('collections', 'defaultdict');
const DEQUE = new PyGlobal('collections', 'deque');

/** The items of an iterable argument (a list, tuple, set, dict's keys, str), counted against the load's budget. */
function itemsOf(value: unknown, what: string, context: LoadContext): unknown[] {
  let items: unknown[];
  if (Array.isArray(value)) items = value.slice();
  else if (value instanceof Set) items = [...value];
  else if (value instanceof Map) items = [...value.keys()];
  else if (isDict(value)) items = Object.keys(value);
  else if (typeof value === 'string') items = Array.from(value);
  else throw new Error(`${what}: argument is not iterable`);
  context.charge(items.length);
  return items;
}

/** `dict.update(arg)`: pairs of a dict, or of an iterable of 2-item sequences (Python 2's OrderedDict). */
function pairsOf(value: unknown, what: string, context: LoadContext): Array<readonly [unknown, unknown]> {
  if (isDict(value)) {
    const entries = dictEntries(value);
    context.charge(entries.length);
    return entries;
  }
  return itemsOf(value, what, context).map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new Error(`${what}: element #${i} of the sequence is not a (key, value) pair`);
    }
    return [pair[0], pair[1]] as const;
  });
}

/** Stores pairs into a Map-based value, charging the budget. */
function setPairs(target: Map<unknown, unknown>, pairs: ReadonlyArray<readonly [unknown, unknown]>, context: LoadContext): void {
  context.charge(pairs.length);
  for (const [key, value] of pairs) target.set(key, value);
}

/** An instance `__dict__` as a state dict (plain object for string keys), or null when empty. */
function attributesState(obj: object): unknown {
  const extras = extraState(obj);
  if (extras.size === 0) return null;
  const pairs = pairsToWrite(extras, extras);
  if (pairs.some(([key]) => typeof key !== 'string')) return new Map(pairs);
  const state: Record<string, unknown> = {};
  for (const [key, value] of pairs) setPlainDictItem(state, key as string, value);
  return state;
}

/**
 * `collections.OrderedDict`: a Map subclass. CPython reduces it to
 * `(OrderedDict, (), __dict__ or None, None, iter(items))`.
 */
const orderedDict: PyClassHandler<PyOrderedDict> = {
  module: 'collections',
  name: 'OrderedDict',
  jsClass: PyOrderedDict,
  call(args, context) {
    if (args.length > 1) throw new Error(`OrderedDict expected at most 1 argument, got ${args.length}`);
    const dict = new PyOrderedDict();
    if (args.length === 1) {
      setPairs(dict, pairsOf(args[0], 'OrderedDict', context), context);
      carryPairFloats(args[0], dict);
    }
    return dict;
  },
  newInstance: () => new PyOrderedDict(),
  setItems: (dict, pairs, context) => setPairs(dict, pairs, context),
  // BUILD: attributes set on the OrderedDict (its __dict__), kept on the side and written back.
  setState(dict, state, context) {
    if (state === null) return;
    if (!isDict(state)) throw new Error('OrderedDict state must be a dict of attributes');
    const entries = dictEntries(state);
    context.charge(entries.length);
    const extras = extraState(dict);
    const floats = floatsOf(state);
    for (const [key, value] of entries) {
      extras.set(key, value);
      if (floats !== undefined && valueIsFloat(floats, key, value)) markFloatValue(extras, key);
    }
  },
  reduce: (dict): Reduction => [ORDERED_DICT, new Tuple(), attributesState(dict), null, pairsToWrite(dict, dict)],
};

/** `collections.Counter`: a Map subclass of counts. CPython reduces it to `(Counter, (dict(self),))`. */
const counter: PyClassHandler<PyCounter<unknown, unknown>> = {
  module: 'collections',
  name: 'Counter',
  jsClass: PyCounter,
  call(args, context) {
    if (args.length > 1) throw new Error(`Counter expected at most 1 argument, got ${args.length}`);
    const counts = new PyCounter<unknown, unknown>();
    const [source] = args;
    if (args.length === 0 || source === null) return counts;
    if (isDict(source)) {
      // Counter(mapping) into an empty Counter copies the counts as they are (zeros and negatives too).
      setPairs(counts, pairsOf(source, 'Counter', context), context);
      carryPairFloats(source, counts);
    } else {
      // Counter(iterable) counts the elements.
      const elements = itemsOf(source, 'Counter', context);
      for (const item of elements) {
        const count = counts.get(item) ?? 0;
        if (typeof count !== 'number') throw new Error('Counter: cannot add to a count that is not a number');
        counts.set(item, count + 1);
      }
      // The first of equal elements is the key Python keeps.
      const members = new Set<unknown>();
      carryFloats(source, members);
      for (const member of members) markFloatKey(counts, member as number);
    }
    return counts;
  },
  newInstance: () => new PyCounter(),
  setItems: (counts, pairs, context) => setPairs(counts, pairs, context),
  // dict(self): a fresh dict of the counts, as a Map (pickled exactly as a plain-object dict would be).
  reduce: (counts): Reduction => {
    const copy = new Map(counts);
    shareFloats(counts, copy);
    return [COUNTER, Tuple.from([copy])];
  },
};

/** Whether a loaded value could be Python's callable `default_factory` (a class, function or object). */
function mayBeCallable(value: unknown): boolean {
  if (value instanceof PyGlobal || value instanceof PyObject) return true;
  if (typeof value !== 'object' || value === null) return false;
  return !(Array.isArray(value) || value instanceof Uint8Array || value instanceof Set || isDict(value));
}

/**
 * `collections.defaultdict`: a Map subclass keeping its factory. CPython reduces it to
 * `(defaultdict, (factory,) or (), None, None, iter(items))`.
 */
const defaultDict: PyClassHandler<PyDefaultDict> = {
  module: 'collections',
  name: 'defaultdict',
  jsClass: PyDefaultDict,
  call(args, context) {
    const [factory = null, source] = args;
    if (args.length > 2) throw new Error(`defaultdict expected at most 2 arguments, got ${args.length}`);
    if (factory !== null && !mayBeCallable(factory)) throw new Error('defaultdict: first argument must be callable or None');
    const dict = new PyDefaultDict(factory);
    if (args.length === 2) {
      setPairs(dict, pairsOf(source, 'defaultdict', context), context);
      carryPairFloats(source, dict);
    }
    return dict;
  },
  newInstance: () => new PyDefaultDict(),
  setItems: (dict, pairs, context) => setPairs(dict, pairs, context),
  reduce: (dict): Reduction => [
    DEFAULT_DICT,
    dict.defaultFactory === null || dict.defaultFactory === undefined ? new Tuple() : Tuple.from([dict.defaultFactory]),
    null,
    null,
    pairsToWrite(dict, dict),
  ],
};

/** A deque's maxlen argument: None or a non-negative int. */
function maxlenOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new Error('deque: maxlen must be None or a non-negative integer');
}

/**
 * `collections.deque`: an Array subclass keeping maxlen. CPython reduces it to
 * `(deque, () or ((), maxlen), None, iter(items))`; Python 2 gave `(deque, (list, maxlen))`.
 */
const deque: PyClassHandler<PyDeque> = {
  module: 'collections',
  name: 'deque',
  jsClass: PyDeque,
  call(args, context) {
    if (args.length > 2) throw new Error(`deque expected at most 2 arguments, got ${args.length}`);
    const items = args.length > 0 && args[0] !== null ? itemsOf(args[0], 'deque', context) : [];
    const result = new PyDeque(items, maxlenOf(args[1]));
    // A maxlen keeps the last items.
    if (items.length > 0) copyFloatItems(args[0] as object, items.length - result.length, result, 0, result.length);
    return result;
  },
  newInstance: () => new PyDeque(),
  extend(target, items, context) {
    context.charge(items.length);
    target.extend(items);
  },
  reduce: (target): Reduction => [
    DEQUE,
    target.maxlen === null ? new Tuple() : Tuple.from([new Tuple(), target.maxlen]),
    null,
    [...itemsToWrite(target)],
  ],
};

/** Handlers for Python's collections types. */
export const COLLECTIONS_HANDLERS: readonly PyClassHandler[] = [
  orderedDict as PyClassHandler,
  counter as PyClassHandler,
  defaultDict as PyClassHandler,
  deque as PyClassHandler,
];

// A short Python repr of a dict key or set member, for the messages of `dumps` (two keys that
// Python finds equal). The codec's own, so that it needs none of the printers of src/inspect/:
// scalars, bytes, tuples and frozensets as Python's repr() writes them; an object a handler
// reduces as the call its reduction makes (`decimal.Decimal('1.0')`); any other object by its
// class. Bounded in depth and length whatever the value: the message shows the first characters.
import { registeredNameOf, type PyClassHandler, type Reduction } from '../registry/registry.js';
import { PyByteArray } from '../values/bytearray.js';
import { PyComplex } from '../values/complex.js';
import { isDict, type PyDict } from '../values/dict.js';
import { PyFloat } from '../values/float.js';
import { PyFrozenSet } from '../values/frozenset.js';
import { COPYREG_NEWOBJ, PyGlobal } from '../values/global.js';
import { PyObject } from '../values/object.js';
import { PickleBuffer } from '../values/picklebuffer.js';
import { Tuple } from '../values/tuple.js';
import { pythonFloatRepr } from './numbers.js';
import { reprByteArray, reprBytes, reprComplex, reprIntShown, reprStr } from './python-repr.js';

/** Characters written before the rest is left out (the caller shows fewer). */
const MAX_LENGTH = 100;
/** Containers inside containers shown before `...`. */
const MAX_DEPTH = 3;

type HandlerOf = (value: object) => PyClassHandler | undefined;

/** Python's repr of `value`, cut short ('...') past about 100 characters or 3 levels of nesting. */
export function shortRepr(value: unknown, handlerOf: HandlerOf): string {
  const out = new ReprWriter(handlerOf);
  out.value(value, 0);
  return out.text;
}

/** A dict's entries one at a time (never copied whole: only the first few are shown). */
function* entriesOf(dict: PyDict): Generator<readonly [unknown, unknown]> {
  if (dict instanceof Map) {
    yield* dict;
    return;
  }
  for (const key in dict) if (Object.prototype.hasOwnProperty.call(dict, key)) yield [key, dict[key]];
}

class ReprWriter {
  text = '';
  readonly #handlerOf: HandlerOf;

  constructor(handlerOf: HandlerOf) {
    this.#handlerOf = handlerOf;
  }

  get #full(): boolean {
    return this.text.length >= MAX_LENGTH;
  }

  value(value: unknown, depth: number): void {
    if (this.#full) return;
    this.text += this.#scalar(value) ?? '';
    if (typeof value === 'object' && value !== null) this.#object(value, depth);
  }

  /** The repr of a value that holds no others; undefined for the rest. */
  #scalar(value: unknown): string | undefined {
    switch (typeof value) {
      case 'undefined':
        return 'None';
      case 'boolean':
        return value ? 'True' : 'False';
      case 'number':
        return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloatRepr(value);
      case 'bigint':
        return reprIntShown(value);
      case 'string':
        return reprStr(value.length > MAX_LENGTH ? value.slice(0, MAX_LENGTH) : value);
      case 'function':
        return registeredNameOf(value) ?? (value.name || 'function');
      case 'symbol':
        return 'Symbol()';
      default:
    }
    if (value === null) return 'None';
    if (value instanceof PyFloat) return pythonFloatRepr(value.value);
    if (value instanceof PyComplex) return reprComplex(value.real, value.imag);
    if (value instanceof PyGlobal) return value.qualifiedName;
    if (value instanceof PyByteArray) return reprByteArray(value.subarray(0, MAX_LENGTH));
    if (value instanceof Uint8Array) return reprBytes(value.subarray(0, MAX_LENGTH));
    return undefined;
  }

  #object(value: object, depth: number): void {
    if (value instanceof PyFloat || value instanceof PyComplex || value instanceof PyGlobal || value instanceof Uint8Array) return;
    if (depth >= MAX_DEPTH) {
      this.text += '...';
      return;
    }
    if (value instanceof Tuple) {
      this.#items('(', value, value.length === 1 ? ',)' : ')', depth);
    } else if (value instanceof PyFrozenSet) {
      if (value.size === 0) this.text += 'frozenset()';
      else this.#items('frozenset({', value, '})', depth);
    } else if (Array.isArray(value)) {
      this.#items('[', value, ']', depth);
    } else if (value instanceof Set) {
      if (value.size === 0) this.text += 'set()';
      else this.#items('{', value, '}', depth);
    } else if (isDict(value) && !(value instanceof Map && Object.getPrototypeOf(value) !== Map.prototype)) {
      this.#pairs(entriesOf(value), depth);
    } else if (value instanceof PickleBuffer) {
      this.text += `PickleBuffer(data=${reprBytes(value.data.subarray(0, MAX_LENGTH))}, readonly=${value.readonly ? 'True' : 'False'})`;
    } else if (value instanceof PyObject) {
      this.#call(value.cls instanceof PyGlobal ? value.cls.qualifiedName : '?', value.args, value.state, depth);
    } else {
      this.#reduced(value, depth);
    }
  }

  #items(open: string, items: Iterable<unknown>, close: string, depth: number): void {
    this.text += open;
    let first = true;
    for (const item of items) {
      if (this.#full) break;
      if (!first) this.text += ', ';
      first = false;
      this.value(item, depth + 1);
    }
    this.text += close;
  }

  #pairs(pairs: Iterable<readonly [unknown, unknown]>, depth: number): void {
    this.text += '{';
    let first = true;
    for (const [key, item] of pairs) {
      if (this.#full) break;
      if (!first) this.text += ', ';
      first = false;
      this.value(key, depth + 1);
      this.text += ': ';
      this.value(item, depth + 1);
    }
    this.text += '}';
  }

  /** `name(arg, ..., key=value, ...)`: the arguments, then the attributes of a dict state. */
  #call(name: string, args: readonly unknown[], state: unknown, depth: number): void {
    this.text += `${name}(`;
    let first = true;
    for (const arg of args) {
      if (this.#full) break;
      if (!first) this.text += ', ';
      first = false;
      this.value(arg, depth + 1);
    }
    if (state !== undefined && state !== null && isDict(state)) {
      for (const [key, item] of entriesOf(state)) {
        if (this.#full) break;
        if (!first) this.text += ', ';
        first = false;
        this.text += `${typeof key === 'string' ? key : '?'}=`;
        this.value(item, depth + 1);
      }
    }
    this.text += ')';
  }

  /** An object its handler reduces, as the call the reduction makes; else `<Class object>`. */
  #reduced(value: object, depth: number): void {
    let reduction: Reduction | undefined;
    try {
      reduction = this.#handlerOf(value)?.reduce?.(value, 4, { protocol: 4, cache: new Map() });
    } catch {
      reduction = undefined;
    }
    const [callable, args, state] = reduction ?? [];
    if (callable instanceof PyGlobal && Array.isArray(args)) {
      // copyreg.__newobj__(cls, *args): cls(*args), as Python shows the object.
      const newObj = callable.module === COPYREG_NEWOBJ.module && callable.name === COPYREG_NEWOBJ.name && args[0] instanceof PyGlobal;
      const cls = newObj ? (args[0] as PyGlobal) : callable;
      const name = cls.module === 'builtins' ? cls.name : cls.qualifiedName;
      this.#call(name, newObj ? args.slice(1) : args, state, depth);
      return;
    }
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
    this.text += `<${typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object'} object>`;
  }
}

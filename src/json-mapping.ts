// A loaded value as JSON, and back. Plain JSON where Python and JSON agree (None, bools, ints
// that fit a double, finite floats, str, list, dicts with str keys); a one-key tagged object
// ({"$bytes": ...}, {"$tuple": [...]}...) for everything else, so nothing is lost: floats keep
// their Python repr (2.0 stays 2.0), big ints their digits, and shared or cyclic containers are
// written once ({"$id": n, "$value": ...}) and referred to after ({"$ref": n}). No Node imports.
import { PickleError, type PickleErrorCode } from './errors.js';
import { normalizeInt, pythonFloatRepr } from './numbers.js';
import { PyByteArray } from './values/bytearray.js';
import { PyComplex } from './values/complex.js';
import { dictEntries, type PyDict, setPlainDictItem } from './values/dict.js';
import { PyFloat } from './values/float.js';
import { isIntegralFloat, itemsToWrite, markFloatItem, markFloatKey, markFloatValue, membersToWrite, pairsToWrite, valueToWrite } from './values/float-marks.js';
import { PyFrozenSet } from './values/frozenset.js';
import { PyGlobal } from './values/global.js';
import { PyObject, type PyObjectCreation } from './values/object.js';
import { Tuple } from './values/tuple.js';
import { jsClassName, pyKind, reducedView } from './python-view.js';

export interface ToJsonOptions {
  /** Indentation, as JSON.stringify's `space`: a count of blanks or a string. Default: none. */
  indent?: number | string;
}

export interface FromJsonOptions {
  /** Dicts: 'auto' (default) gives plain objects when every key is a str, 'map' always a Map. */
  dicts?: 'auto' | 'map';
  /** Floats with an integral value load as PyFloat (as `loads` with keepFloatType). Default false. */
  keepFloatType?: boolean;
}

/** The JSON does not follow the mapping. */
export class JsonMappingError extends PickleError {
  override name = 'JsonMappingError';
  static override defaultCode: PickleErrorCode = 'JSON_MAPPING';
}

// ---- base64 (no Buffer, no atob: the core runs anywhere) ----------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  if (i < bytes.length) {
    const rest = bytes.length - i;
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    chunk += B64[n >> 18]! + B64[(n >> 12) & 63]! + (rest === 2 ? B64[(n >> 6) & 63]! : '=') + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new JsonMappingError('invalid base64 data');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new JsonMappingError('invalid base64 data');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

// ---- encoding -----------------------------------------------------------------------------

/** Values with an identity that the JSON keeps: the ones a pickle's memo can share. */
function hasIdentity(value: unknown): value is object {
  switch (pyKind(value)) {
    case 'bytes':
    case 'bytearray':
    case 'tuple':
    case 'list':
    case 'dict':
    case 'set':
    case 'frozenset':
    case 'object':
    case 'other':
      return true;
    default:
      return false;
  }
}

function objectParts(value: object): PyObject | null {
  return value instanceof PyObject ? value : reducedView(value);
}

/** The values a value refers to, in the order the encoder writes them. */
function children(value: unknown, into: unknown[]): void {
  switch (pyKind(value)) {
    case 'tuple':
    case 'list':
      for (const item of value as unknown[]) into.push(item);
      return;
    case 'set':
    case 'frozenset':
      for (const item of value as Set<unknown>) into.push(item);
      return;
    case 'dict':
      for (const [k, v] of dictEntries(value as PyDict)) into.push(k, v);
      return;
    case 'object':
    case 'other': {
      const object = objectParts(value as object);
      if (!object) {
        for (const key of Object.keys(value as object)) into.push((value as Record<string, unknown>)[key]);
        return;
      }
      if (!(object.cls instanceof PyGlobal)) into.push(object.cls);
      into.push(object.args);
      if (object.kwargs !== undefined) into.push(object.kwargs);
      if (object.state !== undefined) into.push(object.state);
      if (object.listItems) for (const item of object.listItems) into.push(item);
      if (object.dictItems) for (const [k, v] of object.dictItems) into.push(k, v);
      return;
    }
    default:
  }
}

/** Objects reached more than once (shared or on a cycle). Iterative: any depth is fine. */
function sharedObjects(root: unknown): Set<object> {
  const seen = new Set<object>();
  const shared = new Set<object>();
  const pending: unknown[] = [root];
  const next: unknown[] = [];
  while (pending.length > 0) {
    const value = pending.pop();
    if (!hasIdentity(value)) {
      // Complex and globals hold nothing shared; floats, ints and strings are values.
      continue;
    }
    if (seen.has(value)) {
      shared.add(value);
      continue;
    }
    seen.add(value);
    next.length = 0;
    children(value, next);
    for (let i = next.length - 1; i >= 0; i--) pending.push(next[i]);
  }
  return shared;
}

/** Work for the encoder: text to write, or a value (or a run of them) to encode first. */
type Task =
  | string
  | { readonly kind: 'value' | 'body'; readonly value: unknown; readonly depth: number }
  | { readonly kind: 'items'; readonly items: Iterable<unknown>; readonly depth: number }
  | { readonly kind: 'pairs'; readonly pairs: Iterable<readonly [unknown, unknown]>; readonly depth: number }
  | { readonly kind: 'fields'; readonly fields: Array<[string, Task]>; readonly depth: number };

/**
 * Writes JSON with an explicit task stack instead of recursion, so that any nesting depth the
 * unpickler accepts can be written. The layout is JSON.stringify's with the same indent.
 */
class Encoder {
  readonly #shared: Set<object>;
  readonly #ids = new Map<object, number>();
  readonly #indent: string;
  readonly #colon: string;
  readonly #stack: Task[] = [];

  constructor(root: unknown, indent: string) {
    this.#shared = sharedObjects(root);
    this.#indent = indent;
    this.#colon = indent ? ': ' : ':';
  }

  run(root: unknown): string {
    const out: string[] = [];
    const stack = this.#stack;
    stack.push({ kind: 'value', value: root, depth: 0 });
    while (stack.length > 0) {
      const task = stack.pop()!;
      if (typeof task === 'string') {
        out.push(task);
        continue;
      }
      switch (task.kind) {
        case 'value':
          this.#value(task.value, task.depth);
          break;
        case 'body':
          this.#body(task.value as object, task.depth);
          break;
        case 'items': {
          const elements: Task[] = [];
          for (const item of task.items) elements.push({ kind: 'value', value: item, depth: task.depth + 1 });
          this.#array(elements, task.depth);
          break;
        }
        case 'pairs': {
          const elements: Task[] = [];
          for (const [k, v] of task.pairs) {
            const d = task.depth + 1;
            elements.push({ kind: 'items', items: [k, v], depth: d });
          }
          this.#array(elements, task.depth);
          break;
        }
        case 'fields':
          this.#object(task.fields, task.depth);
          break;
      }
    }
    return out.join('');
  }

  #newline(depth: number): string {
    return this.#indent ? '\n' + this.#indent.repeat(depth) : '';
  }

  /** Schedules `seq` to be written in order. */
  #emit(seq: Task[]): void {
    for (let i = seq.length - 1; i >= 0; i--) this.#stack.push(seq[i]!);
  }

  #array(elements: Task[], depth: number): void {
    if (elements.length === 0) {
      this.#emit(['[]']);
      return;
    }
    const inner = this.#newline(depth + 1);
    const seq: Task[] = ['[' + inner];
    elements.forEach((element, i) => {
      if (i > 0) seq.push(',' + inner);
      seq.push(element);
    });
    seq.push(this.#newline(depth) + ']');
    this.#emit(seq);
  }

  #object(pairs: Array<[string, Task]>, depth: number): void {
    if (pairs.length === 0) {
      this.#emit(['{}']);
      return;
    }
    const inner = this.#newline(depth + 1);
    const seq: Task[] = [];
    pairs.forEach(([key, task], i) => {
      seq.push((i > 0 ? ',' : '{') + inner + JSON.stringify(key) + this.#colon, task);
    });
    seq.push(this.#newline(depth) + '}');
    this.#emit(seq);
  }

  /** A one-key tagged object whose value is `task` (built for depth + 1). */
  #tag(tag: string, task: (depth: number) => Task, depth: number): void {
    this.#object([[tag, task(depth + 1)]], depth);
  }

  #float(number: number, depth: number): void {
    if (Number.isFinite(number)) {
      this.#emit([pythonFloatRepr(number)]);
      return;
    }
    const name = Number.isNaN(number) ? 'nan' : number > 0 ? 'inf' : '-inf';
    this.#object([['$float', JSON.stringify(name)]], depth);
  }

  #value(value: unknown, depth: number): void {
    switch (pyKind(value)) {
      case 'None':
        this.#emit(['null']);
        return;
      case 'bool':
        this.#emit([value ? 'true' : 'false']);
        return;
      case 'int':
        if (typeof value === 'bigint') this.#object([['$int', JSON.stringify(value.toString())]], depth);
        else this.#emit([String(value)]);
        return;
      case 'float':
        this.#float(value instanceof PyFloat ? value.value : (value as number), depth);
        return;
      case 'str':
        this.#emit([JSON.stringify(value)]);
        return;
      case 'complex': {
        const c = value as PyComplex;
        this.#tag('$complex', (d) => ({ kind: 'items', items: [new PyFloat(c.real), new PyFloat(c.imag)], depth: d }), depth);
        return;
      }
      case 'global': {
        const g = value as PyGlobal;
        this.#tag('$global', (d) => ({ kind: 'value', value: new Map([['module', g.module], ['name', g.name]]), depth: d }), depth);
        return;
      }
      default:
        break;
    }
    const object = value as object;
    if (this.#shared.has(object)) {
      const known = this.#ids.get(object);
      if (known !== undefined) {
        this.#object([['$ref', String(known)]], depth);
        return;
      }
      const id = this.#ids.size + 1;
      this.#ids.set(object, id);
      this.#object([['$id', String(id)], ['$value', { kind: 'body', value: object, depth: depth + 1 }]], depth);
      return;
    }
    this.#body(object, depth);
  }

  #body(object: object, depth: number): void {
    const kind = pyKind(object);
    switch (kind) {
      case 'bytes':
      case 'bytearray':
        this.#object([[`$${kind}`, JSON.stringify(toBase64(object as Uint8Array))]], depth);
        return;
      case 'list':
        this.#emit([{ kind: 'items', items: itemsToWrite(object as unknown[]), depth }]);
        return;
      case 'tuple':
        this.#tag('$tuple', (d) => ({ kind: 'items', items: itemsToWrite(object as unknown[]), depth: d }), depth);
        return;
      case 'set':
      case 'frozenset':
        this.#tag(`$${kind}`, (d) => ({ kind: 'items', items: membersToWrite(object as Set<unknown>), depth: d }), depth);
        return;
      case 'dict': {
        const entries = pairsToWrite(object, dictEntries(object as PyDict));
        if (entries.every(([k]) => typeof k === 'string' && !k.startsWith('$'))) {
          this.#object(entries.map(([k, v]) => [k as string, { kind: 'value', value: v, depth: depth + 1 }]), depth);
        } else {
          this.#tag('$dict', (d) => ({ kind: 'pairs', pairs: entries, depth: d }), depth);
        }
        return;
      }
      default: {
        const parts = objectParts(object);
        if (parts) {
          this.#tag('$object', (d) => this.#placeholder(parts, d), depth);
          return;
        }
        const properties = new Map(Object.keys(object).map((k) => [k, (object as Record<string, unknown>)[k]]));
        this.#tag('$js', (d) => ({ kind: 'value', value: new Map<string, unknown>([['class', jsClassName(object)], ['properties', properties]]), depth: d }), depth);
      }
    }
  }

  #placeholder(object: PyObject, depth: number): Task {
    const d = depth + 1;
    const fields: Array<[string, Task]> = [];
    if (object.cls instanceof PyGlobal) {
      fields.push(['module', JSON.stringify(object.cls.module)], ['name', JSON.stringify(object.cls.name)]);
    } else {
      fields.push(['class', { kind: 'value', value: object.cls, depth: d }]);
    }
    fields.push(['creation', JSON.stringify(object.creation)]);
    // The arguments are always a tuple: a plain array, unless the tuple is shared.
    fields.push(['args', this.#shared.has(object.args) ? { kind: 'value', value: object.args, depth: d } : { kind: 'items', items: itemsToWrite(object.args), depth: d }]);
    if (object.kwargs !== undefined) fields.push(['kwargs', { kind: 'value', value: object.kwargs, depth: d }]);
    if (object.state !== undefined) fields.push(['state', { kind: 'value', value: valueToWrite(object, 'state', object.state), depth: d }]);
    if (object.listItems) fields.push(['listitems', { kind: 'items', items: itemsToWrite(object.listItems), depth: d }]);
    if (object.dictItems) fields.push(['dictitems', { kind: 'pairs', pairs: object.dictItems.map((pair) => itemsToWrite(pair) as [unknown, unknown]), depth: d }]);
    return { kind: 'fields', fields, depth };
  }
}

/**
 * A loaded value as JSON text (see the README for the mapping). Load with `keepFloatType: true`
 * so floats such as 2.0 stay floats, and with `dicts: 'map'` so dicts keep Python's key order.
 */
export function toJson(value: unknown, options: ToJsonOptions = {}): string {
  const indent = typeof options.indent === 'number' ? ' '.repeat(Math.max(0, Math.min(10, options.indent))) : (options.indent ?? '').slice(0, 10);
  return new Encoder(value, indent).run(value);
}

// ---- decoding -----------------------------------------------------------------------------

/** A JSON number, kept as written so that ints, floats and their digits survive. */
class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object as its pairs, in order (duplicates and `__proto__` kept). */
class JsonObject {
  constructor(readonly pairs: Array<[string, unknown]>) {}
}

/** A small JSON parser that keeps number lexemes and key order. */
function parseJson(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonMappingError(`invalid JSON at offset ${i}: ${what}`);
  };
  const space = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const string = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i++);
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail('bad escape');
        }
        start = i;
        continue;
      }
      if (c < 0x20) fail('control character in string');
      i++;
    }
  };
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  // An explicit stack: nesting depth is bounded by memory, not by the call stack.
  type Frame = { kind: 'array'; items: unknown[] } | { kind: 'object'; pairs: Array<[string, unknown]>; key: string };
  const stack: Frame[] = [];
  let result: unknown;
  for (;;) {
    space();
    let value: unknown;
    let opened = false;
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        value = new JsonObject([]);
      } else {
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        space();
        if (text[i++] !== ':') fail("expected ':'");
        stack.push({ kind: 'object', pairs: [], key });
        opened = true;
      }
    } else if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        value = [];
      } else {
        stack.push({ kind: 'array', items: [] });
        opened = true;
      }
    } else if (c === '"') {
      value = string();
    } else if (text.startsWith('true', i)) {
      i += 4;
      value = true;
    } else if (text.startsWith('false', i)) {
      i += 5;
      value = false;
    } else if (text.startsWith('null', i)) {
      i += 4;
      value = null;
    } else {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (!match) fail('unexpected character');
      i += match![0].length;
      value = new JsonNumber(match![0]);
    }
    if (opened) continue;
    // Hand the value to the enclosing containers, closing those that end here.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (!frame) {
        result = value;
        space();
        if (i !== text.length) fail('trailing data');
        return result;
      }
      if (frame.kind === 'array') frame.items.push(value);
      else frame.pairs.push([frame.key, value]);
      space();
      const sep = text[i++];
      if (sep === ',') {
        if (frame.kind === 'object') {
          space();
          if (text[i] !== '"') fail('expected a key');
          frame.key = string();
          space();
          if (text[i++] !== ':') fail("expected ':'");
        }
        break;
      }
      if ((sep === ']' && frame.kind === 'array') || (sep === '}' && frame.kind === 'object')) {
        stack.pop();
        value = frame.kind === 'array' ? frame.items : new JsonObject(frame.pairs);
        continue;
      }
      i--;
      fail(`expected ',' or the end of the ${frame.kind}`);
    }
  }
}

const CREATIONS: readonly PyObjectCreation[] = ['newobj', 'newobj_ex', 'reduce', 'reconstructor', 'inst', 'obj'];

class Decoder {
  readonly #ids = new Map<number, unknown>();
  readonly #mapDicts: boolean;
  readonly #keepFloatType: boolean;

  constructor(options: FromJsonOptions) {
    this.#mapDicts = options.dicts === 'map';
    this.#keepFloatType = options.keepFloatType ?? false;
  }

  #number(text: string): unknown {
    if (/[.eE]/.test(text)) return this.#float(Number(text));
    return normalizeInt(BigInt(text));
  }

  /**
   * An integral float (2.0) decodes as a PyFloat. With keepFloatType it stays one; otherwise the
   * container it lands in holds the number and records it as a float (see float-marks.ts).
   */
  #float(value: number): unknown {
    return isIntegralFloat(value) ? new PyFloat(value) : value;
  }

  /** Whether a decoded value is an integral float waiting for the container it lands in. */
  #waits(value: unknown): value is PyFloat {
    return !this.#keepFloatType && value instanceof PyFloat;
  }

  /** Appends a decoded value to a list or tuple, recording a float. */
  #append(list: unknown[], value: unknown): void {
    if (this.#waits(value)) {
      markFloatItem(list, list.length);
      list.push(value.value);
    } else list.push(value);
  }

  /** Adds a decoded value to a set, recording a float. */
  #add(set: Set<unknown>, value: unknown): void {
    if (this.#waits(value)) {
      set.add(value.value);
      markFloatKey(set, value.value);
    } else set.add(value);
  }

  /** A decoded value for `key` of `container`: the number, its float recorded, or the value. */
  #valueFor(container: object, key: unknown, value: unknown): unknown {
    if (!this.#waits(value)) return value;
    markFloatValue(container, key);
    return value.value;
  }

  /** The decoded value at the top level: nothing holds a float there. */
  root(value: unknown): unknown {
    return this.#waits(value) ? value.value : value;
  }

  #field(object: JsonObject, name: string): unknown {
    const pair = object.pairs.find(([key]) => key === name);
    return pair?.[1];
  }

  #array(raw: unknown, what: string): unknown[] {
    if (!Array.isArray(raw)) throw new JsonMappingError(`${what} must be an array`);
    return raw;
  }

  #string(raw: unknown, what: string): string {
    if (typeof raw !== 'string') throw new JsonMappingError(`${what} must be a string`);
    return raw;
  }

  decode(raw: unknown, id?: number): unknown {
    const register = <T>(value: T): T => {
      if (id !== undefined) this.#ids.set(id, value);
      return value;
    };
    if (raw === null || typeof raw === 'boolean' || typeof raw === 'string') return register(raw);
    if (raw instanceof JsonNumber) return register(this.#number(raw.text));
    if (Array.isArray(raw)) {
      const list: unknown[] = register([]);
      for (const item of raw) this.#append(list, this.decode(item));
      return list;
    }
    const object = raw as JsonObject;
    const tagged = object.pairs.some(([key]) => key.startsWith('$'));
    if (!tagged) return this.#dict(object.pairs.map(([k, v]) => [k, v]), register);
    if (object.pairs.length === 2 && this.#field(object, '$id') !== undefined) {
      const idRaw = this.#field(object, '$id');
      const value = this.#field(object, '$value');
      if (!(idRaw instanceof JsonNumber) || value === undefined) throw new JsonMappingError('$id needs a number and a $value');
      return this.decode(value, Number(idRaw.text));
    }
    if (object.pairs.length !== 1) throw new JsonMappingError(`a tagged object has one key, not ${object.pairs.map(([k]) => k).join(', ')}`);
    const [tag, body] = object.pairs[0]!;
    switch (tag) {
      case '$ref': {
        if (!(body instanceof JsonNumber) || !this.#ids.has(Number(body.text))) throw new JsonMappingError(`$ref to an unknown id`);
        return this.#ids.get(Number(body.text));
      }
      case '$int':
        return register(normalizeInt(BigInt(this.#string(body, '$int'))));
      case '$float': {
        const text = this.#string(body, '$float');
        const value = text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : undefined;
        if (value === undefined) throw new JsonMappingError(`$float must be "nan", "inf" or "-inf", not ${JSON.stringify(text)}`);
        return register(value);
      }
      case '$bytes':
        return register(fromBase64(this.#string(body, '$bytes')));
      case '$bytearray':
        return register(PyByteArray.fromBytes(fromBase64(this.#string(body, '$bytearray'))));
      case '$tuple': {
        const t: Tuple = register(new Tuple());
        for (const item of this.#array(body, '$tuple')) this.#append(t, this.decode(item));
        return t;
      }
      case '$set':
      case '$frozenset': {
        const set: Set<unknown> = register(tag === '$set' ? new Set() : new PyFrozenSet());
        for (const item of this.#array(body, tag)) this.#add(set, this.decode(item));
        return set;
      }
      case '$dict': {
        const pairs = this.#array(body, '$dict').map((pair) => {
          const p = this.#array(pair, '$dict item');
          if (p.length !== 2) throw new JsonMappingError('$dict items are [key, value] pairs');
          return [p[0], p[1]] as [unknown, unknown];
        });
        return this.#dict(pairs, register, true);
      }
      case '$complex': {
        const parts = this.#array(body, '$complex').map((part) => this.decode(part));
        const [re, im] = parts.map((p) => (p instanceof PyFloat ? p.value : p));
        if (parts.length !== 2 || typeof re !== 'number' || typeof im !== 'number') throw new JsonMappingError('$complex is [real, imag]');
        return register(new PyComplex(re, im));
      }
      case '$global': {
        if (!(body instanceof JsonObject)) throw new JsonMappingError('$global must be an object');
        return register(new PyGlobal(this.#string(this.#field(body, 'module'), '$global module'), this.#string(this.#field(body, 'name'), '$global name')));
      }
      case '$object':
        return this.#object(body, register);
      case '$js': {
        if (!(body instanceof JsonObject)) throw new JsonMappingError('$js must be an object');
        const properties = this.#field(body, 'properties');
        return this.decode(properties instanceof JsonObject ? properties : new JsonObject([]), id);
      }
      default:
        throw new JsonMappingError(`unknown tag ${JSON.stringify(tag)}`);
    }
  }

  #dict(pairs: Array<[unknown, unknown]>, register: <T>(value: T) => T, keysEncoded = false): PyDict {
    const plain = !this.#mapDicts && pairs.every(([k]) => typeof k === 'string');
    if (plain) {
      const dict: Record<string, unknown> = register({});
      for (const [k, v] of pairs) setPlainDictItem(dict, k as string, this.#valueFor(dict, k, this.decode(v)));
      return dict;
    }
    const map: Map<unknown, unknown> = register(new Map());
    for (const [k, v] of pairs) {
      let key = keysEncoded ? this.decode(k) : k;
      if (this.#waits(key)) {
        key = key.value;
        markFloatKey(map, key as number);
      }
      map.set(key, this.#valueFor(map, key, this.decode(v)));
    }
    return map;
  }

  #object(body: unknown, register: <T>(value: T) => T): PyObject {
    if (!(body instanceof JsonObject)) throw new JsonMappingError('$object must be an object');
    const module = this.#field(body, 'module');
    const cls = module !== undefined
      ? new PyGlobal(this.#string(module, '$object module'), this.#string(this.#field(body, 'name'), '$object name'))
      : this.decode(this.#field(body, 'class'));
    const creation = this.#field(body, 'creation') as PyObjectCreation;
    if (!CREATIONS.includes(creation)) throw new JsonMappingError(`unknown creation ${JSON.stringify(creation)}`);
    const argsRaw = this.#field(body, 'args') ?? [];
    let args: unknown;
    if (Array.isArray(argsRaw)) {
      const items = new Tuple();
      for (const item of argsRaw) this.#append(items, this.decode(item));
      args = items;
    } else args = this.decode(argsRaw);
    if (!(args instanceof Tuple)) throw new JsonMappingError('$object args must be a tuple');
    const kwargsRaw = this.#field(body, 'kwargs');
    const kwargs = kwargsRaw === undefined ? undefined : (this.decode(kwargsRaw) as PyDict);
    const object = register(new PyObject(cls, args, creation, kwargs));
    const state = this.#field(body, 'state');
    if (state !== undefined) object.state = this.#valueFor(object, 'state', this.decode(state));
    const listItems = this.#field(body, 'listitems');
    if (listItems !== undefined) {
      const items: unknown[] = [];
      for (const item of this.#array(listItems, 'listitems')) this.#append(items, this.decode(item));
      object.listItems = items;
    }
    const dictItems = this.#field(body, 'dictitems');
    if (dictItems !== undefined) {
      object.dictItems = this.#array(dictItems, 'dictitems').map((pair) => {
        const p = this.#array(pair, 'dictitems item');
        const decoded: unknown[] = [];
        this.#append(decoded, this.decode(p[0]));
        this.#append(decoded, this.decode(p[1]));
        return decoded as [unknown, unknown];
      });
    }
    return object;
  }
}

/** The value a `toJson` text describes, in the value model `loads` gives. */
export function fromJson(text: string, options: FromJsonOptions = {}): unknown {
  try {
    const decoder = new Decoder(options);
    return decoder.root(decoder.decode(parseJson(text)));
  } catch (error) {
    // The decoder recurses per nesting level: past the JavaScript stack, say so plainly.
    if (error instanceof RangeError) throw new JsonMappingError(`JSON nested too deeply to decode (${error.message})`);
    throw error;
  }
}

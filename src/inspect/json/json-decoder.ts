// fromJson's reader: JSON text in the tagged mapping (json-mapping.ts) back to the value model
// loads gives. A small parser keeps number lexemes and key order; the decoder then walks the
// parsed tree with an explicit stack of frames, one per container being filled, so any depth
// decodes. Each container is made (and its $id registered) before what it holds is decoded, so
// a $ref may point at a container still being filled: an object among its own arguments, as
// CPython's memo builds it. Whatever is outside the documented mapping is a JsonMappingError
// naming the JSON path. No Node imports.
import { fromBase64 } from './json-base64.js';
import { JsonMappingError } from './json-error.js';
import { normalizeInt } from '../../codec/numbers.js';
import { PyByteArray } from '../../values/bytearray.js';
import { PyComplex } from '../../values/complex.js';
import { isDict, type PyDict, setPlainDictItem } from '../../values/dict.js';
import { PyFloat } from '../../values/float.js';
import { isIntegralFloat, markFloatItem, markFloatKey, markFloatValue } from '../../values/float-marks.js';
import { PyFrozenSet } from '../../values/frozenset.js';
import { PyGlobal } from '../../values/global.js';
import { PyObject, type PyObjectCreation } from '../../values/object.js';
import { Tuple } from '../../values/tuple.js';

export interface DecodeOptions {
  readonly mapDicts: boolean;
  readonly keepFloatType: boolean;
}

// ---- parsing ----------------------------------------------------------------------------------

/** A JSON number, kept as written so that ints, floats and their digits survive. */
class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object as its pairs, in order (duplicates and `__proto__` kept). */
class JsonObject {
  constructor(readonly pairs: Array<[string, unknown]>) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** A small JSON parser (RFC 8259) that keeps number lexemes and key order; iterative. */
export function parseJson(text: string): unknown {
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
            i -= 2;
            fail('bad escape');
        }
        start = i;
        continue;
      }
      if (c < 0x20) fail('control character in string');
      i++;
    }
  };
  // An explicit stack: nesting depth is bounded by memory, not by the call stack.
  type Frame = { kind: 'array'; items: unknown[] } | { kind: 'object'; pairs: Array<[string, unknown]>; key: string };
  const stack: Frame[] = [];
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
        if (text[i] !== ':') fail("expected ':'");
        i++;
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
      if (!match) fail(i >= text.length ? 'unexpected end' : 'unexpected character');
      i += match![0].length;
      value = new JsonNumber(match![0]);
    }
    if (opened) continue;
    // Hand the value to the enclosing containers, closing those that end here.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (!frame) {
        space();
        if (i !== text.length) fail('trailing data');
        return value;
      }
      if (frame.kind === 'array') frame.items.push(value);
      else frame.pairs.push([frame.key, value]);
      space();
      const sep = text[i];
      if (sep === ',') {
        i++;
        space();
        if (frame.kind === 'object') {
          if (text[i] !== '"') fail('expected a key');
          frame.key = string();
          space();
          if (text[i] !== ':') fail("expected ':'");
          i++;
        } else if (text[i] === ']') fail('expected a value');
        break;
      }
      if ((sep === ']' && frame.kind === 'array') || (sep === '}' && frame.kind === 'object')) {
        i++;
        stack.pop();
        value = frame.kind === 'array' ? frame.items : new JsonObject(frame.pairs);
        continue;
      }
      fail(`expected ',' or the end of the ${frame.kind}`);
    }
  }
}

// ---- paths ------------------------------------------------------------------------------------

/** A place in the JSON: the container's place and the key or index in it (null: the root). */
class Place {
  constructor(
    readonly parent: Place | null,
    readonly key: string | number,
  ) {}
}

const MEMBER = /^[A-Za-z_$][\w$]*$/;

/** `$.items[3].$int`. */
function pathText(place: Place | null, ...more: Array<string | number>): string {
  const keys: Array<string | number> = [...more].reverse();
  for (let at = place; at !== null; at = at.parent) keys.push(at.key);
  let text = '$';
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    text += typeof key === 'number' ? `[${key}]` : MEMBER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return text;
}

function fail(message: string, place: Place | null, ...more: Array<string | number>): never {
  throw new JsonMappingError(message, pathText(place, ...more));
}

// ---- decoding ---------------------------------------------------------------------------------

const CREATIONS: ReadonlySet<string> = new Set<PyObjectCreation>(['newobj', 'newobj_ex', 'reduce', 'reconstructor', 'inst', 'obj']);
const OBJECT_FIELDS: ReadonlySet<string> = new Set(['module', 'name', 'class', 'creation', 'args', 'kwargs', 'state', 'listitems', 'dictitems']);
const INT = /^-?(?:0|[1-9][0-9]*)$/;
const ID = /^[1-9][0-9]{0,15}$/;

/** A container being filled: `step` decodes what it holds, one container at a time. */
interface Frame {
  step(decoder: Decoder): void;
}

const describe = (raw: unknown): string =>
  raw === null ? 'null' : raw instanceof JsonNumber ? 'a number' : raw instanceof JsonObject ? 'an object' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;

export class Decoder {
  readonly #ids = new Map<number, object>();
  readonly #options: DecodeOptions;
  readonly #frames: Frame[] = [];

  constructor(options: DecodeOptions) {
    this.#options = options;
  }

  /** The value `raw` describes. */
  run(raw: unknown): unknown {
    const value = this.decode(raw, null, null);
    const frames = this.#frames;
    while (frames.length > 0) frames[frames.length - 1]!.step(this);
    // At the top level nothing holds a float: an integral one is a number.
    return this.waits(value) ? value.value : value;
  }

  push(frame: Frame): void {
    this.#frames.push(frame);
  }

  pop(): void {
    this.#frames.pop();
  }

  /** How many frames there are: a decode that made a container has added one. */
  get depth(): number {
    return this.#frames.length;
  }

  /** Whether a decoded value is an integral float waiting for the container it lands in. */
  waits(value: unknown): value is PyFloat {
    return !this.#options.keepFloatType && value instanceof PyFloat;
  }

  /** Appends a decoded value to a list or tuple, recording a float. */
  append(list: unknown[], value: unknown): void {
    if (this.waits(value)) {
      markFloatItem(list, list.length);
      list.push(value.value);
    } else list.push(value);
  }

  /**
   * Decodes the value at `key` of `parent` (null, null: the root): a scalar, or a container
   * made empty now and filled by the frame this pushes. With `id`, registers it as $id `id`.
   */
  decode(raw: unknown, parent: Place | null, key: string | number | null, id?: number): unknown {
    const container = id !== undefined;
    if (!container) {
      // The common scalars first, with nothing made for them.
      if (raw === null || typeof raw === 'boolean' || typeof raw === 'string') return raw;
      if (raw instanceof JsonNumber && !/[.eE]/.test(raw.text)) return normalizeInt(BigInt(raw.text));
    }
    const place = (): Place | null => (key === null ? parent : new Place(parent, key));
    const at = (...more: Array<string | number>): [Place | null, ...Array<string | number>] => (key === null ? [parent, ...more] : [parent, key, ...more]);
    const register = <T extends object>(value: T): T => {
      if (id !== undefined) this.#ids.set(id, value);
      return value;
    };
    if (raw === null || typeof raw === 'boolean' || typeof raw === 'string') {
      return fail(`$value must be a container (a list, dict, tuple, set, bytes or object), not ${describe(raw)}`, ...at());
    }
    if (raw instanceof JsonNumber) {
      if (container) fail('$value must be a container, not a number', ...at());
      return this.#number(raw.text, at);
    }
    if (Array.isArray(raw)) {
      const list: unknown[] = register([]);
      this.push(new ItemsFrame(raw, list, place(), (item) => this.append(list, item)));
      return list;
    }
    const object = raw as JsonObject;
    const pairs = object.pairs;
    if (!pairs.some(([k]) => k.startsWith('$'))) return this.#dict(pairs, register, place());
    if (pairs.some(([k]) => k === '$id' || k === '$value')) {
      const idPair = pairs.find(([k]) => k === '$id');
      const valuePair = pairs.find(([k]) => k === '$value');
      if (pairs.length !== 2 || idPair === undefined || valuePair === undefined) {
        fail(`an object with $id has $id and $value, not ${pairs.map(([k]) => JSON.stringify(k)).join(', ')}`, ...at());
      }
      if (container) fail('$value must be a container, not another $id', ...at());
      const idRaw = idPair[1];
      if (!(idRaw instanceof JsonNumber) || !ID.test(idRaw.text) || !Number.isSafeInteger(Number(idRaw.text))) {
        fail(`$id must be a positive integer, not ${idRaw instanceof JsonNumber ? idRaw.text : describe(idRaw)}`, ...at('$id'));
      }
      const newId = Number(idRaw.text);
      if (this.#ids.has(newId)) fail(`$id ${newId} is defined twice`, ...at('$id'));
      return this.decode(valuePair[1], place(), '$value', newId);
    }
    if (pairs.length !== 1) fail(`a tagged object has one key, not ${pairs.map(([k]) => JSON.stringify(k)).join(', ')}`, ...at());
    const [tag, body] = pairs[0]!;
    const tagPlace = (): Place => new Place(place(), tag);
    switch (tag) {
      case '$ref': {
        if (container) fail('$value must be a container, not a $ref', ...at());
        if (!(body instanceof JsonNumber) || !ID.test(body.text)) fail(`$ref must be a positive integer, not ${body instanceof JsonNumber ? body.text : describe(body)}`, ...at(tag));
        const target = this.#ids.get(Number(body.text));
        if (target === undefined) fail(`$ref to an unknown id ${body.text} (an $id is written before any $ref to it)`, ...at(tag));
        return target;
      }
      case '$int': {
        if (container) fail('$value must be a container, not an $int', ...at());
        if (typeof body !== 'string' || !INT.test(body)) {
          fail(`$int must be a string of decimal digits with an optional '-', not ${typeof body === 'string' ? JSON.stringify(body) : describe(body)}`, ...at(tag));
        }
        return normalizeInt(BigInt(body));
      }
      case '$float': {
        if (container) fail('$value must be a container, not a $float', ...at());
        const value = body === 'nan' ? NaN : body === 'inf' ? Infinity : body === '-inf' ? -Infinity : undefined;
        if (value === undefined) fail(`$float must be "nan", "inf" or "-inf", not ${typeof body === 'string' ? JSON.stringify(body) : describe(body)}`, ...at(tag));
        return value;
      }
      case '$bytes':
      case '$bytearray': {
        if (typeof body !== 'string') fail(`${tag} must be a base64 string, not ${describe(body)}`, ...at(tag));
        const bytes = fromBase64(body);
        if (typeof bytes === 'string') fail(`${tag}: ${bytes}`, ...at(tag));
        return register(tag === '$bytes' ? bytes : PyByteArray.fromBytes(bytes));
      }
      case '$tuple': {
        if (!Array.isArray(body)) fail(`$tuple must be an array, not ${describe(body)}`, ...at(tag));
        const tuple: Tuple = register(new Tuple());
        this.push(new ItemsFrame(body, tuple, tagPlace(), (item) => this.append(tuple, item)));
        return tuple;
      }
      case '$set':
      case '$frozenset': {
        if (!Array.isArray(body)) fail(`${tag} must be an array, not ${describe(body)}`, ...at(tag));
        const set: Set<unknown> = register(tag === '$set' ? new Set() : new PyFrozenSet());
        const where = tagPlace();
        this.push(
          new ItemsFrame(body, set, where, (item, index) => {
            const member = this.waits(item) ? item.value : item;
            if (set.has(member)) fail(`${tag} holds this member twice`, where, index);
            set.add(member);
            if (member !== item) markFloatKey(set, member as number);
          }),
        );
        return set;
      }
      case '$dict': {
        if (!Array.isArray(body)) fail(`$dict must be an array of [key, value] pairs, not ${describe(body)}`, ...at(tag));
        const where = tagPlace();
        body.forEach((pair, index) => {
          if (!Array.isArray(pair) || pair.length !== 2) fail(`$dict items are [key, value] pairs, not ${Array.isArray(pair) ? `an array of ${pair.length}` : describe(pair)}`, where, index);
        });
        // Plain-object dicts hold str keys only: a $dict with any other key (or 'dicts: map') is a Map.
        const plain = !this.#options.mapDicts && (body as unknown[][]).every((pair) => typeof pair[0] === 'string');
        const dict: PyDict = register(plain ? {} : new Map());
        this.push(new PairsFrame(body as unknown[][], dict, where));
        return dict;
      }
      case '$complex': {
        if (container) fail('$value must be a container, not a $complex', ...at());
        if (!Array.isArray(body) || body.length !== 2) fail(`$complex is [real, imag], not ${describe(body)}${Array.isArray(body) ? ` of ${body.length}` : ''}`, ...at(tag));
        const parts = (body as unknown[]).map((part, index) => {
          if (part instanceof JsonNumber) return Number(this.#checkedFloat(part.text, () => [tagPlace(), index]));
          if (part instanceof JsonObject && part.pairs.length === 1 && part.pairs[0]![0] === '$float') {
            const value = this.decode(part, tagPlace(), index);
            if (typeof value === 'number') return value;
          }
          return fail(`$complex parts are numbers or {"$float": ...}, not ${describe(part)}`, tagPlace(), index);
        });
        return new PyComplex(parts[0]!, parts[1]!);
      }
      case '$global': {
        if (container) fail('$value must be a container, not a $global', ...at());
        if (!(body instanceof JsonObject)) fail(`$global must be {"module": ..., "name": ...}, not ${describe(body)}`, ...at(tag));
        const where = tagPlace();
        const fields = this.#fields(body, new Set(['module', 'name']), where);
        if (!fields.has('module') || !fields.has('name')) fail('$global needs "module" and "name"', ...at(tag));
        return new PyGlobal(this.#string(fields.get('module'), where, 'module'), this.#string(fields.get('name'), where, 'name'));
      }
      case '$object':
        return this.#object(body, register, tagPlace());
      default:
        return fail(`unknown tag ${JSON.stringify(tag)}`, ...at(tag));
    }
  }

  /** A JSON number: an int lexeme is an int (any size), any other a float. */
  #number(text: string, at: (...more: Array<string | number>) => [Place | null, ...Array<string | number>]): unknown {
    if (!/[.eE]/.test(text)) return normalizeInt(BigInt(text));
    const value = this.#checkedFloat(text, at);
    // An integral float (2.0) decodes as a PyFloat; with keepFloatType it stays one, otherwise
    // the container it lands in holds the number and records it as a float (see float-marks.ts).
    return isIntegralFloat(value) ? new PyFloat(value) : value;
  }

  #checkedFloat(text: string, at: () => [Place | null, ...Array<string | number>]): number {
    const value = Number(text);
    if (!Number.isFinite(value)) fail(`${text} is out of a float's range (inf is {"$float": "inf"})`, ...at());
    return value;
  }

  #string(raw: unknown, place: Place, key: string): string {
    if (typeof raw !== 'string') fail(`${key} must be a string, not ${describe(raw)}`, place, key);
    return raw;
  }

  /** An object's fields by name: each at most once, none but `allowed`. */
  #fields(object: JsonObject, allowed: ReadonlySet<string>, place: Place): Map<string, unknown> {
    const fields = new Map<string, unknown>();
    for (const [key, value] of object.pairs) {
      if (!allowed.has(key)) fail(`unknown field ${JSON.stringify(key)}`, place, key);
      if (fields.has(key)) fail(`field ${JSON.stringify(key)} given twice`, place, key);
      fields.set(key, value);
    }
    return fields;
  }

  #dict(pairs: Array<[string, unknown]>, register: <T extends object>(value: T) => T, place: Place | null): PyDict {
    const dict: PyDict = register(this.#options.mapDicts ? new Map() : {});
    this.push(new PairsFrame(pairs, dict, place, true));
    return dict;
  }

  #object(body: unknown, register: <T extends object>(value: T) => T, place: Place): PyObject {
    if (!(body instanceof JsonObject)) fail(`$object must be an object of fields, not ${describe(body)}`, place);
    const fields = this.#fields(body, OBJECT_FIELDS, place);
    const named = fields.has('module') || fields.has('name');
    if (named && fields.has('class')) fail('$object has "module" and "name", or "class", not both', place, 'class');
    if (named ? !fields.has('module') || !fields.has('name') : !fields.has('class')) fail('$object needs "module" and "name" (or "class")', place);
    if (!fields.has('creation')) fail('$object needs "creation"', place);
    if (!fields.has('args')) fail('$object needs "args"', place);
    const creation = fields.get('creation');
    if (typeof creation !== 'string' || !CREATIONS.has(creation)) {
      fail(`creation must be one of ${[...CREATIONS].join(', ')}, not ${typeof creation === 'string' ? JSON.stringify(creation) : describe(creation)}`, place, 'creation');
    }
    const cls = named ? new PyGlobal(this.#string(fields.get('module'), place, 'module'), this.#string(fields.get('name'), place, 'name')) : null;
    // Made (and registered) before its parts: they may refer to it.
    const object = register(new PyObject(cls, new Tuple(), creation as PyObjectCreation));
    this.push(new ObjectFrame(body, object, place));
    return object;
  }
}

/** Fills a list, tuple or set from a JSON array. */
class ItemsFrame implements Frame {
  #index = 0;

  constructor(
    readonly raw: readonly unknown[],
    readonly target: object,
    readonly place: Place | null,
    readonly add: (item: unknown, index: number) => void,
  ) {}

  step(decoder: Decoder): void {
    const depth = decoder.depth;
    while (this.#index < this.raw.length) {
      const index = this.#index++;
      this.add(decoder.decode(this.raw[index], this.place, index), index);
      // A container was made: its frame fills it before the next item, in document order.
      if (decoder.depth !== depth) return;
    }
    decoder.pop();
  }
}

/** Fills a dict from a JSON object's pairs (`plainKeys`) or from $dict's [key, value] pairs. */
class PairsFrame implements Frame {
  #index = 0;
  /** The key of the pair in hand, once decoded. */
  #key: unknown = undefined;
  #hasKey = false;

  constructor(
    readonly raw: ReadonlyArray<readonly unknown[]>,
    readonly dict: PyDict,
    readonly place: Place | null,
    readonly plainKeys = false,
  ) {}

  step(decoder: Decoder): void {
    const depth = decoder.depth;
    while (this.#index < this.raw.length) {
      const index = this.#index;
      const pair = this.raw[index]!;
      if (!this.#hasKey) {
        this.#key = this.plainKeys ? pair[0] : decoder.decode(pair[0], new Place(this.place, index), 0);
        this.#hasKey = true;
        if (decoder.depth !== depth) return;
      }
      let key = this.#key;
      const valuePlace = this.plainKeys ? [this.place, key as string] : [new Place(this.place, index), 1];
      const value = decoder.decode(pair[1], valuePlace[0] as Place | null, valuePlace[1] as string | number);
      this.#index++;
      this.#hasKey = false;
      const dict = this.dict;
      const keyPlace = (): [Place | null, ...Array<string | number>] => (this.plainKeys ? [this.place, key as string] : [this.place, index, 0]);
      if (dict instanceof Map) {
        let floatKey = false;
        if (decoder.waits(key)) {
          key = key.value;
          floatKey = true;
        }
        if (dict.has(key)) fail('a dict holds this key twice', ...keyPlace());
        if (floatKey) markFloatKey(dict, key as number);
        if (decoder.waits(value)) {
          markFloatValue(dict, key);
          dict.set(key, value.value);
        } else dict.set(key, value);
      } else {
        if (Object.prototype.hasOwnProperty.call(dict, key as string)) fail('a dict holds this key twice', ...keyPlace());
        if (decoder.waits(value)) {
          markFloatValue(dict, key);
          setPlainDictItem(dict, key as string, value.value);
        } else setPlainDictItem(dict, key as string, value);
      }
      if (decoder.depth !== depth) return;
    }
    decoder.pop();
  }
}

/** Fills a placeholder's dict items: each pair a list of two, its key and then its value. */
class PairListFrame implements Frame {
  #index = 0;

  constructor(
    readonly raw: readonly unknown[][],
    readonly target: unknown[][],
    readonly place: Place,
  ) {}

  step(decoder: Decoder): void {
    if (this.#index >= this.raw.length) {
      decoder.pop();
      return;
    }
    const index = this.#index++;
    const pair: unknown[] = [];
    this.target.push(pair);
    decoder.push(new ItemsFrame(this.raw[index]!, pair, new Place(this.place, index), (item) => decoder.append(pair, item)));
  }
}

/** Fills a placeholder from its fields, in document order; `state` and the items as they come. */
class ObjectFrame implements Frame {
  #index = 0;

  constructor(
    readonly body: JsonObject,
    readonly object: PyObject,
    readonly place: Place,
  ) {}

  step(decoder: Decoder): void {
    const depth = decoder.depth;
    const object = this.object as { -readonly [K in keyof PyObject]: PyObject[K] };
    const place = this.place;
    while (this.#index < this.body.pairs.length) {
      const [field, raw] = this.body.pairs[this.#index++]!;
      switch (field) {
        case 'class':
          object.cls = decoder.decode(raw, place, field);
          break;
        case 'args':
          if (Array.isArray(raw)) {
            decoder.push(new ItemsFrame(raw, object.args, new Place(place, field), (item) => decoder.append(object.args, item)));
          } else {
            const args = decoder.decode(raw, place, field);
            if (!(args instanceof Tuple)) fail('args must be an array or a $tuple', place, field);
            object.args = args;
          }
          break;
        case 'kwargs': {
          const kwargs = decoder.decode(raw, place, field);
          if (!isDict(kwargs)) fail('kwargs must be a dict', place, field);
          object.kwargs = kwargs;
          break;
        }
        case 'state': {
          const state = decoder.decode(raw, place, field);
          if (decoder.waits(state)) {
            markFloatValue(object, 'state');
            object.state = state.value;
          } else object.state = state;
          break;
        }
        case 'listitems': {
          if (!Array.isArray(raw)) fail(`listitems must be an array, not ${describe(raw)}`, place, field);
          const items: unknown[] = [];
          object.listItems = items;
          decoder.push(new ItemsFrame(raw, items, new Place(place, field), (item) => decoder.append(items, item)));
          break;
        }
        case 'dictitems': {
          if (!Array.isArray(raw)) fail(`dictitems must be an array of [key, value] pairs, not ${describe(raw)}`, place, field);
          const where = new Place(place, field);
          raw.forEach((pair, index) => {
            if (!Array.isArray(pair) || pair.length !== 2) fail(`dictitems are [key, value] pairs, not ${Array.isArray(pair) ? `an array of ${pair.length}` : describe(pair)}`, where, index);
          });
          const pairs: Array<[unknown, unknown]> = [];
          object.dictItems = pairs;
          decoder.push(new PairListFrame(raw as unknown[][], pairs, where));
          break;
        }
        default:
          // module, name and creation were read when the object was made.
          break;
      }
      if (decoder.depth !== depth) return;
    }
    decoder.pop();
  }
}

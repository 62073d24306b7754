// toJson's writer: a loaded value as JSON text in the tagged mapping (json-mapping.ts), with an
// explicit task stack instead of recursion, so that any depth the unpickler accepts is written;
// shared and cyclic containers written once and referred to after. The layout is
// JSON.stringify's with the same indent. Indentation is counted, not built, until the whole text
// is known to fit in `maxLength`. No Node imports.
import { FormatLimitError, textTooLong } from '../format/format-limit.js';
import { toBase64 } from './json-base64.js';
import { JsonMappingError } from './json-error.js';
import { pythonFloatRepr } from '../../codec/numbers.js';
import { formatPath, type PathStep, step, StepKind } from '../../codec/pickle-path.js';
import { jsClassName, pyKind, reducedView } from '../format/python-view.js';
import type { PyComplex } from '../../values/complex.js';
import { dictEntries, type PyDict } from '../../values/dict.js';
import { PyFloat } from '../../values/float.js';
import { itemsToWrite, membersToWrite, pairsToWrite, valueToWrite } from '../../values/float-marks.js';
import { PyGlobal } from '../../values/global.js';
import { PyObject } from '../../values/object.js';

/** `value.items[3]`; `value` for the value itself. */
const pathText = (at: PathStep | undefined): string => (at === undefined ? 'value' : formatPath(at));

/** Values with an identity that the JSON keeps: the ones a pickle's memo can share. */
function hasIdentity(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return typeof value === 'function';
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

/** An instance as the placeholder the JSON writes: itself, or what its class's reduction describes. */
function objectParts(value: object): PyObject | null {
  if (value instanceof PyObject) return value;
  return typeof value === 'object' ? reducedView(value) : null;
}

/** The text being written: strings, and numbers standing for a newline and that many indents. */
class Output {
  readonly #parts: Array<string | number> = [];
  #chunk = '';
  #length = 0;

  constructor(
    readonly indent: string,
    readonly maxLength: number,
  ) {}

  text(text: string): void {
    this.#length += text.length;
    if (this.#length > this.maxLength) throw textTooLong('JSON', this.maxLength);
    if (this.#chunk.length < 1024) {
      this.#chunk += text;
    } else {
      this.#parts.push(this.#chunk);
      this.#chunk = text;
    }
  }

  /** A newline and `depth` indents (nothing without an indent). */
  newline(depth: number): void {
    if (this.indent === '') return;
    this.#length += 1 + this.indent.length * depth;
    if (this.#length > this.maxLength) throw textTooLong('JSON', this.maxLength);
    this.#parts.push(this.#chunk, depth);
    this.#chunk = '';
  }

  toString(): string {
    const parts = this.#parts;
    parts.push(this.#chunk);
    // Each depth's newline extends the one above it: made once, kept as a rope until joined.
    const newlines: string[] = ['\n'];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (typeof part !== 'number') continue;
      while (newlines.length <= part) newlines.push(newlines[newlines.length - 1]! + this.indent);
      parts[i] = newlines[part]!;
    }
    return parts.join('');
  }
}

const VALUE = 0;
const ITEMS = 1;
const FIELDS = 2;

/** Writes a value. */
interface ValueTask {
  readonly kind: typeof VALUE;
  readonly value: unknown;
  readonly depth: number;
  /** Write the container's body even if it is shared (its $id is being written). */
  readonly body: boolean;
}

/** Writes an array of values, one per step. */
interface ItemsTask {
  readonly kind: typeof ITEMS;
  readonly items: readonly unknown[];
  readonly depth: number;
  index: number;
}

/** Writes an object of fields, one per step. */
interface FieldsTask {
  readonly kind: typeof FIELDS;
  readonly fields: ReadonlyArray<readonly [string, Task]>;
  readonly depth: number;
  index: number;
}

type Task = string | ValueTask | ItemsTask | FieldsTask;

const valueTask = (value: unknown, depth: number): ValueTask => ({ kind: VALUE, value, depth, body: false });
const itemsTask = (items: readonly unknown[], depth: number): ItemsTask => ({ kind: ITEMS, items, depth, index: 0 });
const fieldsTask = (fields: ReadonlyArray<readonly [string, Task]>, depth: number): FieldsTask => ({ kind: FIELDS, fields, depth, index: 0 });

export class Encoder {
  readonly #root: unknown;
  readonly #maxLength: number;
  readonly #out: Output;
  readonly #colon: string;
  readonly #shared: Set<object>;
  readonly #ids = new Map<object, number>();
  readonly #stack: Task[] = [];

  constructor(root: unknown, indent: string, maxLength: number) {
    this.#root = root;
    this.#maxLength = maxLength;
    this.#out = new Output(indent, maxLength);
    this.#colon = indent === '' ? ':' : ': ';
    this.#shared = this.#sharedObjects();
  }

  run(): string {
    const stack = this.#stack;
    const out = this.#out;
    stack.push(valueTask(this.#root, 0));
    while (stack.length > 0) {
      const task = stack.pop()!;
      if (typeof task === 'string') {
        out.text(task);
        continue;
      }
      switch (task.kind) {
        case VALUE:
          this.#value(task.value, task.depth, task.body);
          break;
        case ITEMS: {
          const n = task.items.length;
          if (task.index === 0) {
            if (n === 0) {
              out.text('[]');
              break;
            }
            out.text('[');
          } else {
            if (task.index === n) {
              out.newline(task.depth);
              out.text(']');
              break;
            }
            out.text(',');
          }
          out.newline(task.depth + 1);
          const item = task.items[task.index++];
          stack.push(task, valueTask(item, task.depth + 1));
          break;
        }
        case FIELDS: {
          const n = task.fields.length;
          if (task.index === n) {
            if (n === 0) out.text('{}');
            else {
              out.newline(task.depth);
              out.text('}');
            }
            break;
          }
          out.text(task.index === 0 ? '{' : ',');
          out.newline(task.depth + 1);
          const [key, field] = task.fields[task.index++]!;
          out.text(JSON.stringify(key) + this.#colon);
          stack.push(task, field);
          break;
        }
      }
    }
    return out.toString();
  }

  // ---- what is shared ---------------------------------------------------------------------------

  /** Refuses, before going through them, more items than any text can hold. */
  #expect(count: number): void {
    if (!(count <= this.#maxLength)) throw new FormatLimitError(`the value is too large to write as JSON (${count} items, longer than maxLength)`);
  }

  /** The values a value refers to, in the order the encoder writes them. */
  #children(value: unknown, into: unknown[]): void {
    switch (pyKind(value)) {
      case 'tuple':
      case 'list': {
        const array = value as unknown[];
        this.#expect(array.length);
        for (let i = 0; i < array.length; i++) into.push(array[i]);
        return;
      }
      case 'set':
      case 'frozenset':
        this.#expect((value as Set<unknown>).size);
        for (const item of value as Set<unknown>) into.push(item);
        return;
      case 'dict':
        if (value instanceof Map) this.#expect(value.size);
        for (const [k, v] of dictEntries(value as PyDict)) into.push(k, v);
        return;
      case 'object':
      case 'other': {
        const object = objectParts(value as object);
        if (object === null) return; // no JSON form: the writer says where it is
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

  /** Objects reached more than once (shared or on a cycle). */
  #sharedObjects(): Set<object> {
    const seen = new Set<object>();
    const shared = new Set<object>();
    const pending: unknown[] = [this.#root];
    const next: unknown[] = [];
    while (pending.length > 0) {
      const value = pending.pop();
      // Complex and globals hold nothing shared; floats, ints and strings are values.
      if (!hasIdentity(value)) continue;
      if (seen.has(value)) {
        shared.add(value);
        continue;
      }
      seen.add(value);
      next.length = 0;
      this.#children(value, next);
      for (let i = next.length - 1; i >= 0; i--) pending.push(next[i]);
    }
    return shared;
  }

  // ---- values -----------------------------------------------------------------------------------

  /** A one-key tagged object. */
  #tag(tag: string, body: Task, depth: number): void {
    this.#stack.push(fieldsTask([[tag, body]], depth));
  }

  #value(value: unknown, depth: number, body: boolean): void {
    const out = this.#out;
    switch (pyKind(value)) {
      case 'None':
        out.text('null');
        return;
      case 'bool':
        out.text(value ? 'true' : 'false');
        return;
      case 'int':
        if (typeof value === 'bigint') this.#tag('$int', JSON.stringify(value.toString()), depth);
        else out.text(String(value));
        return;
      case 'float': {
        const number = value instanceof PyFloat ? value.value : (value as number);
        if (Number.isFinite(number)) out.text(pythonFloatRepr(number));
        else this.#tag('$float', Number.isNaN(number) ? '"nan"' : number > 0 ? '"inf"' : '"-inf"', depth);
        return;
      }
      case 'str':
        out.text(JSON.stringify(value));
        return;
      case 'complex': {
        const c = value as PyComplex;
        this.#tag('$complex', itemsTask([new PyFloat(c.real), new PyFloat(c.imag)], depth + 1), depth);
        return;
      }
      case 'global': {
        const g = value as PyGlobal;
        this.#tag('$global', fieldsTask([['module', JSON.stringify(g.module)], ['name', JSON.stringify(g.name)]], depth + 1), depth);
        return;
      }
      default:
        break;
    }
    if (!hasIdentity(value)) throw this.#unmappable(value);
    if (!body && this.#shared.has(value)) {
      const known = this.#ids.get(value);
      if (known !== undefined) {
        this.#stack.push(fieldsTask([['$ref', String(known)]], depth));
        return;
      }
      const id = this.#ids.size + 1;
      this.#ids.set(value, id);
      this.#stack.push(fieldsTask([['$id', String(id)], ['$value', { kind: VALUE, value, depth: depth + 1, body: true }]], depth));
      return;
    }
    this.#body(value, depth);
  }

  #body(object: object, depth: number): void {
    const kind = pyKind(object);
    switch (kind) {
      case 'bytes':
      case 'bytearray':
        this.#tag(`$${kind}`, JSON.stringify(toBase64(object as Uint8Array)), depth);
        return;
      case 'list':
        this.#stack.push(itemsTask(itemsToWrite(object as unknown[]), depth));
        return;
      case 'tuple':
        this.#tag('$tuple', itemsTask(itemsToWrite(object as unknown[]), depth + 1), depth);
        return;
      case 'set':
      case 'frozenset':
        this.#tag(`$${kind}`, itemsTask(membersToWrite(object as Set<unknown>), depth + 1), depth);
        return;
      case 'dict': {
        const entries = pairsToWrite(object, dictEntries(object as PyDict));
        if (entries.every(([k]) => typeof k === 'string' && !k.startsWith('$'))) {
          this.#stack.push(fieldsTask(entries.map(([k, v]) => [k as string, valueTask(v, depth + 1)] as const), depth));
        } else {
          this.#tag('$dict', itemsTask(entries, depth + 1), depth);
        }
        return;
      }
      default: {
        const parts = objectParts(object);
        if (parts === null) throw this.#unmappable(object);
        this.#tag('$object', this.#placeholder(parts, depth + 1), depth);
      }
    }
  }

  #placeholder(object: PyObject, depth: number): Task {
    const d = depth + 1;
    const list: Array<readonly [string, Task]> = [];
    if (object.cls instanceof PyGlobal) {
      list.push(['module', JSON.stringify(object.cls.module)], ['name', JSON.stringify(object.cls.name)]);
    } else {
      list.push(['class', valueTask(object.cls, d)]);
    }
    list.push(['creation', JSON.stringify(object.creation)]);
    // The arguments are always a tuple: a plain array, unless the tuple is shared.
    list.push(['args', this.#shared.has(object.args) ? valueTask(object.args, d) : itemsTask(itemsToWrite(object.args), d)]);
    if (object.kwargs !== undefined) list.push(['kwargs', valueTask(object.kwargs, d)]);
    if (object.state !== undefined) list.push(['state', valueTask(valueToWrite(object, 'state', object.state), d)]);
    if (object.listItems) list.push(['listitems', itemsTask(itemsToWrite(object.listItems), d)]);
    if (object.dictItems) list.push(['dictitems', itemsTask(object.dictItems.map((pair) => itemsToWrite(pair)), d)]);
    return fieldsTask(list, depth);
  }

  // ---- values with no JSON form -------------------------------------------------------------------

  #unmappable(target: unknown): JsonMappingError {
    const what = typeof target === 'symbol' ? 'a symbol' : typeof target === 'function' ? 'a function' : `a ${jsClassName(target as object)} object`;
    return new JsonMappingError(
      `${what} has no JSON form: it is no value of the Python value model, and no registered class reduces it`,
      pathText(this.#pathTo(target)),
    );
  }

  /** Where `target` first is in the value, in the order the writer goes (found again only on failure). */
  #pathTo(target: unknown): PathStep | undefined {
    const seen = new Set<unknown>();
    const pending: Array<{ value: unknown; at: PathStep | undefined }> = [{ value: this.#root, at: undefined }];
    while (pending.length > 0) {
      const { value, at } = pending.pop()!;
      if (value === target) return at;
      if (!hasIdentity(value) || seen.has(value)) continue;
      seen.add(value);
      const next: Array<{ value: unknown; at: PathStep | undefined }> = [];
      const kind = pyKind(value);
      if (kind === 'list' || kind === 'tuple') {
        (value as unknown[]).forEach((item, i) => next.push({ value: item, at: step(at, StepKind.Index, i) }));
      } else if (kind === 'set' || kind === 'frozenset') {
        let i = 0;
        for (const item of value as Set<unknown>) next.push({ value: item, at: step(at, kind === 'set' ? StepKind.SetItem : StepKind.FrozenSetItem, i++) });
      } else if (kind === 'dict') {
        dictEntries(value as PyDict).forEach(([k, v], i) => {
          if (value instanceof Map) next.push({ value: k, at: step(at, StepKind.DictKey, i) }, { value: v, at: step(at, StepKind.MapValue, k) });
          else next.push({ value: v, at: step(at, StepKind.Key, k) });
        });
      } else {
        const object = objectParts(value as object);
        if (object !== null) {
          if (!(object.cls instanceof PyGlobal)) next.push({ value: object.cls, at: step(at, StepKind.Label, '.cls') });
          object.args.forEach((arg, i) => next.push({ value: arg, at: step(at, StepKind.LabelIndex, i, '.args') }));
          if (object.kwargs !== undefined) next.push({ value: object.kwargs, at: step(at, StepKind.Label, '.kwargs') });
          if (object.state !== undefined) next.push({ value: object.state, at: step(at, StepKind.Label, '.state') });
          object.listItems?.forEach((item, i) => next.push({ value: item, at: step(at, StepKind.LabelIndex, i, '.listItems') }));
          object.dictItems?.forEach(([k, v], i) => {
            next.push({ value: k, at: step(step(at, StepKind.LabelIndex, i, '.dictItems'), StepKind.Index, 0) });
            next.push({ value: v, at: step(step(at, StepKind.LabelIndex, i, '.dictItems'), StepKind.Index, 1) });
          });
        }
      }
      for (let i = next.length - 1; i >= 0; i--) pending.push(next[i]!);
    }
    return undefined;
  }
}

// How each value prints, worked out once per value: the scalars' texts (Python's repr), and for
// each container, placeholder or standard type a Shape: the fixed text around its parts and the
// values it holds (its slots), in print order. The printers (python-format.ts) lay shapes out;
// a value reached many times has one shape. No Node imports.
import { PickleError } from '../../errors.js';
import { FormatLimitError } from './format-limit.js';
import type { PythonOrder } from './python-order.js';
import { codePointLength, reprByteArray, reprBytes, reprComplex, reprFloat, reprIntShown, reprStr } from '../../codec/python-repr.js';
import { jsClassName, pyKind, reducedView } from './python-view.js';
import { PyCounter, PyDefaultDict, PyDeque, PyOrderedDict } from '../../values/collections.js';
import type { PyComplex } from '../../values/complex.js';
import { PyDate, PyDatetime, PyTime, PyTimedelta, PyTimezone } from '../../values/datetime.js';
import { dictEntries, isDict } from '../../values/dict.js';
import { PyFloat } from '../../values/float.js';
import { floatsOf, itemsToWrite, membersToWrite, pairsToWrite, valueToWrite } from '../../values/float-marks.js';
import { PyGlobal } from '../../values/global.js';
import { PyDecimal, PyFraction, PyRange, PySlice, PyUUID } from '../../values/numeric.js';
import { PyObject } from '../../values/object.js';
import { isTuple, tuple } from '../../values/tuple.js';

/** How pprint lays a shape out when it does not fit on the line ('flat': it never wraps). */
export type Layout = 'list' | 'tuple' | 'set' | 'frozenset' | 'dict' | 'call' | 'counter' | 'defaultdict' | 'deque' | 'flat';

/**
 * One part of a shape: `prefix`, then the key slot's repr and ': ' (dict items), then the value
 * slot; a slot of -1 is absent (a part that is text only).
 */
export interface ShapeItem {
  readonly prefix: string;
  readonly key: number;
  readonly value: number;
}

/**
 * How a shape's items map onto its slots: Values, item i is slot `first + i` (lists, tuples,
 * sets); Pairs, item i is key slot `first + 2i` and value slot `first + 2i + 1` (dicts); Parts,
 * as listed in `parts`.
 */
export const ItemForm = { Values: 0, Pairs: 1, Parts: 2 } as const;
export type ItemForm = (typeof ItemForm)[keyof typeof ItemForm];

/**
 * A value that prints as `open lead mid item, item, … close`: `lead` is a slot printed on one line
 * (a defaultdict's factory, a placeholder's class when it is no global), or fixed `leadText`.
 */
export interface Shape {
  readonly layout: Layout;
  readonly open: string;
  readonly lead: number;
  readonly leadText: string;
  readonly mid: string;
  readonly close: string;
  readonly form: ItemForm;
  /** How many items. */
  readonly count: number;
  /** The slot of the first item's key or value (Values and Pairs forms). */
  readonly first: number;
  /** The items (Parts form). */
  readonly parts: readonly ShapeItem[] | null;
  /** The values the shape holds, in print order (lead first, then each item's key and value). */
  readonly slots: readonly unknown[];
  /** A deque's maxlen, shown after its items ('' when none). */
  readonly maxlen: string;
  /** What Python's repr writes where the value contains itself; null: the lead, then '(...)'. */
  readonly marker: string | null;
  /** The slots that hold nodes (values with a shape), in order. */
  readonly nodeSlots: readonly number[];
  /** For each slot, its index in nodeSlots, or -1 for a scalar; null when no slot holds a node. */
  readonly nodeIndex: readonly number[] | null;
  /** Code points of the one-line text without its slots. */
  readonly frameLength: number;
  /** Code points of the one-line text without its node slots; -1 until Shapes.fixedLength. */
  fixedLength: number;
  /** The items in the order pprint writes them when it wraps (sorted sets); null: as listed. */
  wrapOrder: readonly number[] | null | undefined;
}

/** Item i's prefix. */
export function itemPrefix(shape: Shape, i: number): string {
  return shape.form === ItemForm.Parts ? shape.parts![i]!.prefix : '';
}

/** Item i's key slot, or -1. */
export function itemKey(shape: Shape, i: number): number {
  switch (shape.form) {
    case ItemForm.Values:
      return -1;
    case ItemForm.Pairs:
      return shape.first + 2 * i;
    default:
      return shape.parts![i]!.key;
  }
}

/** Item i's value slot, or -1. */
export function itemValue(shape: Shape, i: number): number {
  switch (shape.form) {
    case ItemForm.Values:
      return shape.first + i;
    case ItemForm.Pairs:
      return shape.first + 2 * i + 1;
    default:
      return shape.parts![i]!.value;
  }
}

/** True for a value that prints through a shape (a container, a placeholder, a standard type). */
export function isNode(value: unknown): value is object {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  switch (pyKind(value)) {
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

/** Texts of large scalars, kept per printing: a str or bytes memo-shared a thousand times is escaped once. */
const CACHED_FROM = 256;

export interface ShapeOptions {
  readonly sortDicts: boolean;
  /** Longest text the caller will write: a container with more items cannot fit. */
  readonly maxLength: number;
  /** Counts units of work; throws FormatLimitError past the budget. */
  readonly charge: (units: number) => void;
  readonly order: PythonOrder;
}

interface Part {
  readonly prefix: string;
  readonly key?: unknown;
  readonly value?: unknown;
}

const NO_SLOT = -1;
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** Python's repr() of a shape's constituents, computed once per value. */
export class Shapes {
  readonly #options: ShapeOptions;
  readonly #shapes = new Map<object, Shape>();
  readonly #texts = new Map<unknown, string>();
  readonly #lengths = new Map<string, number>();
  readonly #markers = new Map<Shape, Shape>();

  constructor(options: ShapeOptions) {
    this.#options = options;
  }

  /** The shape of a node, made on first use. */
  of(value: object): Shape {
    let shape = this.#shapes.get(value);
    if (shape === undefined) {
      shape = this.#make(value);
      this.#shapes.set(value, shape);
    }
    return shape;
  }

  /** A shape made for one use, not kept. */
  transient(value: object): Shape {
    return this.#shapes.get(value) ?? this.#make(value);
  }

  /** How many shapes were made. */
  get size(): number {
    return this.#shapes.size;
  }

  /** Python's repr of a scalar (anything isNode refuses). */
  text(value: unknown): string {
    switch (typeof value) {
      case 'undefined':
        return 'None';
      case 'boolean':
        return value ? 'True' : 'False';
      case 'number':
        return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : reprFloat(value);
      case 'string':
        return value.length < CACHED_FROM ? reprStr(value) : this.#cached(value, () => reprStr(value));
      case 'bigint':
        return value < 2n ** 1024n && value > -(2n ** 1024n) ? value.toString() : this.#cached(value, () => reprIntShown(value));
      case 'symbol':
        return `Symbol(${reprStr(value.description ?? '')})`;
      case 'object':
        break;
      default:
        return String(value);
    }
    if (value === null) return 'None';
    switch (pyKind(value)) {
      case 'float':
        return reprFloat((value as PyFloat).value);
      case 'bytes':
        return (value as Uint8Array).length < CACHED_FROM ? reprBytes(value as Uint8Array) : this.#cached(value, () => reprBytes(value as Uint8Array));
      case 'bytearray':
        return (value as Uint8Array).length < CACHED_FROM ? reprByteArray(value as Uint8Array) : this.#cached(value, () => reprByteArray(value as Uint8Array));
      case 'complex':
        return reprComplex((value as PyComplex).real, (value as PyComplex).imag);
      case 'global':
        return (value as PyGlobal).qualifiedName;
      default:
        return String(value);
    }
  }

  /** Code points of a text, remembered for long ones. */
  length(text: string): number {
    if (text.length < CACHED_FROM) return codePointLength(text);
    let n = this.#lengths.get(text);
    if (n === undefined) {
      n = codePointLength(text);
      this.#lengths.set(text, n);
    }
    return n;
  }

  #cached(value: unknown, make: () => string): string {
    let text = this.#texts.get(value);
    if (text === undefined) {
      text = make();
      this.#texts.set(value, text);
    }
    return text;
  }

  /** Code points of a shape's one-line text without its node slots (its scalars' reprs included). */
  fixedLength(shape: Shape): number {
    if (shape.fixedLength < 0) {
      let length = shape.frameLength;
      const slots = shape.slots;
      const nodes = shape.nodeIndex;
      for (let s = 0; s < slots.length; s++) {
        if (nodes !== null && nodes[s]! >= 0) continue;
        const slot = slots[s];
        const text = this.text(slot);
        length += typeof slot === 'string' || typeof slot === 'object' || typeof slot === 'symbol' ? this.length(text) : text.length;
      }
      shape.fixedLength = length;
    }
    return shape.fixedLength;
  }

  /** The shape Python's repr writes where a placeholder with a class that is no global recurs. */
  markerShape(shape: Shape): Shape {
    let marker = this.#markers.get(shape);
    if (marker === undefined) {
      marker = this.#shape('flat', { open: '', lead: shape.slots[shape.lead], mid: '(...)', close: '', marker: '...' });
      this.#markers.set(shape, marker);
    }
    return marker;
  }

  /** pprint's order of a shape's items when it wraps, worked out on first use. */
  wrapOrder(shape: Shape): readonly number[] | null {
    if (shape.wrapOrder === undefined) {
      let order: number[] | null = null;
      if (shape.layout === 'set' || shape.layout === 'frozenset') {
        order = this.#options.order.safeSorted(indices(shape.count), (i) => shape.slots[itemValue(shape, i)]);
      } else if (shape.layout === 'defaultdict' && this.#options.sortDicts) {
        order = this.#options.order.safeSorted(indices(shape.count), (i) => shape.slots[itemKey(shape, i)]);
      }
      shape.wrapOrder = order;
    }
    return shape.wrapOrder;
  }

  // ---- making shapes ------------------------------------------------------------------------

  /** Refuses, before reading them, more items than any text or the work budget can take. */
  #expect(count: number): void {
    if (!(count * 3 <= this.#options.maxLength + 2)) {
      throw new FormatLimitError(`the value is too large to print (${count} items, longer than maxLength)`);
    }
    this.#options.charge(count);
  }

  #dictItems(dict: object, entries: Iterable<readonly [unknown, unknown]>): Array<[unknown, unknown]> {
    const pairs = pairsToWrite(dict, entries);
    return this.#options.sortDicts ? this.#options.order.safeSorted(pairs, (pair) => pair[0]) : pairs;
  }

  #make(value: object): Shape {
    try {
      return this.#makeOf(value);
    } catch (error) {
      if (error instanceof PickleError) throw error;
      // A getter or a Proxy of the caller's own object threw: say which object, keep the cause.
      const message = error instanceof Error ? error.message : String(error);
      throw new PickleError(`could not read a ${jsClassName(value)} object to print it: ${message}`, { code: 'INVALID_ARGUMENT', cause: error });
    }
  }

  #makeOf(value: object): Shape {
    const kind = pyKind(value);
    switch (kind) {
      case 'dict': {
        const size = value instanceof Map ? value.size : undefined;
        if (size !== undefined) this.#expect(size);
        if (!this.#options.sortDicts && floatsOf(value) === undefined) {
          // Keys and values straight into the slots: no pair arrays for the common case.
          const slots: unknown[] = [];
          if (value instanceof Map) {
            value.forEach((item, key) => {
              slots.push(key, item);
            });
          } else {
            const keys = Object.keys(value);
            this.#expect(keys.length);
            for (const key of keys) slots.push(key, (value as Record<string, unknown>)[key]);
          }
          return this.#shape('dict', { open: '{', pairSlots: slots, close: '}', marker: '{...}' });
        }
        const entries = value instanceof Map ? value.entries() : Object.entries(value);
        const pairs = this.#dictItems(value, entries);
        if (size === undefined) this.#expect(pairs.length);
        return this.#shape('dict', { open: '{', pairs, close: '}', marker: '{...}' });
      }
      case 'list':
        this.#expect((value as unknown[]).length);
        return this.#shape('list', { open: '[', values: itemsToWrite(value as unknown[]), close: ']', marker: '[...]' });
      case 'tuple': {
        this.#expect((value as unknown[]).length);
        const items = itemsToWrite(value as unknown[]);
        return this.#shape('tuple', { open: '(', values: items, close: items.length === 1 ? ',)' : ')', marker: '(...)' });
      }
      case 'set':
      case 'frozenset': {
        this.#expect((value as Set<unknown>).size);
        const members = membersToWrite(value as Set<unknown>);
        if (members.length === 0) return this.#shape('flat', { open: `${kind}()`, close: '', marker: `${kind}(...)` });
        return kind === 'set'
          ? this.#shape('set', { open: '{', values: members, close: '}', marker: 'set(...)' })
          : this.#shape('frozenset', { open: 'frozenset({', values: members, close: '})', marker: 'frozenset(...)' });
      }
      default:
        return this.#standard(value) ?? this.#call(value);
    }
  }

  /** The standard types this package implements, as their own repr writes them. */
  #standard(value: object): Shape | undefined {
    const flat = (open: string, parts?: Part[], close = '') => this.#shape('flat', { open, parts, close, marker: '...' });
    const text = (s: string): Part => ({ prefix: s });
    if (value instanceof PyDatetime) {
      const parts = [value.year, value.month, value.day, ...clockFields(value.hour, value.minute, value.second, value.microsecond)].map((n) => text(String(n)));
      if (value.fold) parts.push(text('fold=1'));
      if (value.tzinfo !== null) parts.push({ prefix: 'tzinfo=', value: value.tzinfo });
      return flat('datetime.datetime(', parts, ')');
    }
    if (value instanceof PyDate) return flat(`datetime.date(${value.year}, ${value.month}, ${value.day})`);
    if (value instanceof PyTime) {
      const parts = clockFields(value.hour, value.minute, value.second, value.microsecond).map((n) => text(String(n)));
      if (value.fold) parts.push(text('fold=1'));
      if (value.tzinfo !== null) parts.push({ prefix: 'tzinfo=', value: value.tzinfo });
      return flat('datetime.time(', parts, ')');
    }
    if (value instanceof PyTimedelta) return flat(timedeltaRepr(value));
    if (value instanceof PyTimezone) {
      if (value.name === null && value.offset.isZero()) return flat('datetime.timezone.utc');
      const offset = timedeltaRepr(value.offset);
      return flat(value.name === null ? `datetime.timezone(${offset})` : `datetime.timezone(${offset}, ${reprStr(value.name)})`);
    }
    if (value instanceof PyDecimal) return flat(`Decimal('${value.toString()}')`);
    if (value instanceof PyFraction) return flat(`Fraction(${reprIntShown(value.numerator)}, ${reprIntShown(value.denominator)})`);
    if (value instanceof PyUUID) return flat(`UUID('${value.toString()}')`);
    if (value instanceof PyRange) {
      const step = reprIntShown(value.step);
      return flat(`range(${reprIntShown(value.start)}, ${reprIntShown(value.stop)}${step === '1' ? '' : `, ${step}`})`);
    }
    if (value instanceof PySlice) return this.#shape('flat', { open: 'slice(', values: [value.start, value.stop, value.step], close: ')', marker: '...' });
    if (value instanceof PyOrderedDict) {
      this.#expect(value.size);
      if (value.size === 0) return flat('OrderedDict()');
      // Printed as OrderedDict(list(items)): pprint formats that list of pairs.
      const pairs = pairsToWrite(value, value.entries()).map(([k, v]) => tuple(k, v));
      return this.#shape('call', { open: 'OrderedDict(', values: [pairs], close: ')', marker: '...' });
    }
    if (value instanceof PyCounter) {
      this.#expect(value.size);
      if (value.size === 0) return flat('Counter()');
      const pairs = pairsToWrite(value, this.#options.order.mostCommon([...value.entries()]));
      return this.#shape('counter', { open: 'Counter({', pairs, close: '})', marker: '...' });
    }
    if (value instanceof PyDefaultDict) {
      this.#expect(value.size);
      const factory = value.defaultFactory;
      const lead = factory instanceof PyGlobal ? { leadText: `<class '${factory.module === 'builtins' ? factory.name : factory.qualifiedName}'>` } : { lead: factory };
      const pairs = pairsToWrite(value, value.entries());
      return this.#shape(value.size === 0 ? 'flat' : 'defaultdict', { open: 'defaultdict(', ...lead, mid: ', {', pairs, close: '})', marker: '...' });
    }
    if (value instanceof PyDeque) {
      this.#expect(value.length);
      const maxlen = value.maxlen === null ? '' : String(value.maxlen);
      const close = maxlen === '' ? '])' : `], maxlen=${maxlen})`;
      return this.#shape(value.length === 0 ? 'flat' : 'deque', { open: 'deque([', values: itemsToWrite(value), close, marker: '...', maxlen });
    }
    return undefined;
  }

  /** A placeholder (or a value a registry handler reduces, or a plain JavaScript object) as a call. */
  #call(value: object): Shape {
    const object = value instanceof PyObject ? value : reducedView(value);
    if (object === null) return this.#generic(value);
    const cls = object.cls;
    const parts: Part[] = [];
    if (object.creation === 'reconstructor') {
      // copyreg._reconstructor(cls, base, state): shown as cls(state), as `base(state)` builds it.
      const baseState = object.args[1];
      if (baseState !== null && baseState !== undefined) parts.push({ prefix: '', value: baseState });
    } else {
      this.#expect(object.args.length);
      for (const arg of itemsToWrite(object.args)) parts.push({ prefix: '', value: arg });
    }
    if (object.listItems) parts.push({ prefix: '', value: itemsToWrite(object.listItems) });
    if (object.dictItems) parts.push({ prefix: '', value: new Map(object.dictItems.map((pair) => itemsToWrite(pair) as [unknown, unknown])) });
    if (object.kwargs !== undefined) parts.push(...(this.#keywords(object.kwargs) ?? [{ prefix: '**', value: object.kwargs }]));
    const state = valueToWrite(object, 'state', object.state);
    if (state !== undefined) {
      let stateParts = this.#keywords(state);
      if (stateParts === null && isTuple(state) && state.length === 2) {
        // (instance dict, __slots__ values)
        const dictPart = this.#keywords(state[0]);
        const slotsPart = this.#keywords(state[1]);
        if (dictPart && slotsPart) stateParts = [...dictPart, ...slotsPart];
      }
      parts.push(...(stateParts ?? [{ prefix: '__state__=', value: state }]));
    }
    if (cls instanceof PyGlobal) {
      const name = cls.qualifiedName;
      return this.#shape('call', { open: `${name}(`, parts, close: ')', marker: `${name}(...)` });
    }
    return this.#shape('call', { open: '', lead: cls, mid: '(', parts, close: ')', marker: null });
  }

  /** A dict whose keys are all identifiers, as `key=value` parts; null for any other. */
  #keywords(dict: unknown): Part[] | null {
    if (dict === null || dict === undefined) return [];
    if (!isDict(dict)) return null;
    if (dict instanceof Map) this.#expect(dict.size);
    const entries = pairsToWrite(dict, dictEntries(dict));
    if (!(dict instanceof Map)) this.#expect(entries.length);
    if (!entries.every(([key]) => typeof key === 'string' && IDENTIFIER.test(key))) return null;
    return entries.map(([key, value]) => ({ prefix: `${key as string}=`, value }));
  }

  /** A JavaScript object nothing describes, as `ClassName(property=value, …)`. */
  #generic(value: object): Shape {
    const keys = Object.keys(value);
    this.#expect(keys.length);
    const parts = keys.map((key) => ({ prefix: `${key}=`, value: (value as Record<string, unknown>)[key] }));
    const name = jsClassName(value);
    return this.#shape('call', { open: `${name}(`, parts, close: ')', marker: `${name}(...)` });
  }

  #shape(
    layout: Layout,
    spec: {
      open: string;
      lead?: unknown;
      leadText?: string;
      mid?: string;
      values?: readonly unknown[];
      pairs?: ReadonlyArray<readonly [unknown, unknown]>;
      /** Pairs as keys and values one after the other (no lead). */
      pairSlots?: unknown[];
      parts?: readonly Part[];
      close: string;
      marker: string | null;
      maxlen?: string;
    },
  ): Shape {
    const hasLead = 'lead' in spec;
    const leadText = spec.leadText ?? '';
    const mid = spec.mid ?? '';
    let fixed = this.length(spec.open) + this.length(leadText) + this.length(mid) + this.length(spec.close);
    let form: ItemForm;
    let count: number;
    let parts: ShapeItem[] | null = null;
    let slots: unknown[];
    if (spec.values !== undefined) {
      form = ItemForm.Values;
      count = spec.values.length;
      slots = hasLead ? [spec.lead, ...spec.values] : (spec.values as unknown[]);
    } else if (spec.pairSlots !== undefined) {
      form = ItemForm.Pairs;
      slots = spec.pairSlots;
      count = slots.length / 2;
      fixed += 2 * count; // ': '
    } else if (spec.pairs !== undefined) {
      form = ItemForm.Pairs;
      const pairs = spec.pairs;
      count = pairs.length;
      slots = new Array(2 * count + (hasLead ? 1 : 0));
      let s = 0;
      if (hasLead) slots[s++] = spec.lead;
      for (let i = 0; i < count; i++) {
        slots[s++] = pairs[i]![0];
        slots[s++] = pairs[i]![1];
      }
      fixed += 2 * count; // ': '
    } else {
      form = ItemForm.Parts;
      const given = spec.parts ?? [];
      count = given.length;
      parts = new Array(count);
      slots = hasLead ? [spec.lead] : [];
      for (let i = 0; i < count; i++) {
        const part = given[i]!;
        let key = NO_SLOT;
        let value = NO_SLOT;
        fixed += this.length(part.prefix);
        if ('key' in part) {
          key = slots.length;
          slots.push(part.key);
          fixed += 2; // ': '
        }
        if ('value' in part) {
          value = slots.length;
          slots.push(part.value);
        }
        parts[i] = { prefix: part.prefix, key, value };
      }
    }
    if (count > 1) fixed += 2 * (count - 1);
    const n = slots.length;
    let nodeSlots: number[] = NO_NODES;
    let nodeIndex: number[] | null = null;
    for (let s = 0; s < n; s++) {
      const slot = slots[s];
      if (isNode(slot)) {
        if (nodeIndex === null) {
          nodeIndex = new Array(n).fill(NO_SLOT);
          nodeSlots = [];
        }
        nodeIndex[s] = nodeSlots.length;
        nodeSlots.push(s);
      }
    }
    this.#options.charge(1 + n);
    return {
      layout,
      open: spec.open,
      lead: hasLead ? 0 : NO_SLOT,
      leadText,
      mid,
      close: spec.close,
      form,
      count,
      first: hasLead ? 1 : 0,
      parts,
      slots,
      maxlen: spec.maxlen ?? '',
      marker: spec.marker,
      nodeSlots,
      nodeIndex,
      frameLength: fixed,
      fixedLength: -1,
      wrapOrder: layout === 'set' || layout === 'frozenset' || layout === 'defaultdict' ? undefined : null,
    };
  }
}

const NO_NODES: number[] = [];

function indices(count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}

function timedeltaRepr(td: PyTimedelta): string {
  const parts: string[] = [];
  if (td.days) parts.push(`days=${td.days}`);
  if (td.seconds) parts.push(`seconds=${td.seconds}`);
  if (td.microseconds) parts.push(`microseconds=${td.microseconds}`);
  return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`;
}

/** The time fields as datetime.__repr__ writes them: seconds and microseconds only when set. */
function clockFields(hour: number, minute: number, second: number, microsecond: number): number[] {
  const fields = [hour, minute];
  if (microsecond) fields.push(second, microsecond);
  else if (second) fields.push(second);
  return fields;
}

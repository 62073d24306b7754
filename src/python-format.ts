// Python's repr() and pprint of a loaded value: `pformat` is a port of CPython 3.11's
// pprint.PrettyPrinter (what `python -m pickle FILE` prints), so for values of builtin types the
// text is Python's own. Placeholders print as calls, `module.Name(args, attr=value)`; cycles as
// Python's repr shows them (`[...]`, `{...}`). No Node imports.
import { PickleError, type PickleErrorCode } from './errors.js';
import { PyCounter, PyDefaultDict, PyDeque, PyOrderedDict } from './values/collections.js';
import { PyComplex } from './values/complex.js';
import { PyDate, PyDatetime, PyTime, PyTimedelta, PyTimezone } from './values/datetime.js';
import { PyDecimal, PyFraction, PyRange, PySlice, PyUUID } from './values/numeric.js';
import { dictEntries, isDict } from './values/dict.js';
import { PyFloat } from './values/float.js';
import { itemsToWrite, membersToWrite, pairsToWrite, valueToWrite } from './values/float-marks.js';
import { PyGlobal } from './values/global.js';
import { PyObject } from './values/object.js';
import { isTuple, tuple } from './values/tuple.js';
import { codePointLength, compareCodePoints, reprByteArray, reprBytes, reprComplex, reprFloat, reprInt, reprStr } from './python-repr.js';
import { jsClassName, type PyKind, pyKind, reducedView } from './python-view.js';

export interface PythonFormatOptions {
  /** Target line width (pprint's `width`). Default 80. */
  width?: number;
  /** Blanks per nesting level (pprint's `indent`). Default 1. */
  indent?: number;
  /** Sort dict keys as pprint does. Default true for `pformat`, false for `pyRepr`. */
  sortDicts?: boolean;
  /**
   * Most values visited before giving up with a FormatLimitError. Shared references print in
   * full each time (as in Python), so a small pickle can describe a value whose text is
   * astronomically long; pprint also revisits each value once per enclosing container.
   * Default 50 000 000.
   */
  maxWork?: number;
}

/** The value is too large to print (see `maxWork`). */
export class FormatLimitError extends PickleError {
  override name = 'FormatLimitError';
  static override defaultCode: PickleErrorCode = 'FORMAT_LIMIT';
}

// ---- Python's ordering, for sorted dicts and sets -----------------------------------------

class Incomparable extends Error {}

function numeric(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof PyFloat) return value.value;
  return undefined;
}

function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Python's `a == b` for the values keys and set elements can be. */
function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined || y !== undefined) {
    // eslint-disable-next-line eqeqeq
    return x !== undefined && y !== undefined && x == y;
  }
  const ka = pyKind(a);
  const kb = pyKind(b);
  if ((ka === 'bytes' || ka === 'bytearray') && (kb === 'bytes' || kb === 'bytearray')) {
    return bytesCompare(a as Uint8Array, b as Uint8Array) === 0;
  }
  if (ka !== kb) return false;
  switch (ka) {
    case 'tuple':
    case 'list': {
      const p = a as unknown[];
      const q = b as unknown[];
      return p.length === q.length && p.every((item, i) => pyEquals(item, q[i]));
    }
    case 'set':
    case 'frozenset':
      return (a as Set<unknown>).size === (b as Set<unknown>).size && isSubset(a as Set<unknown>, b as Set<unknown>);
    case 'complex':
      return (a as PyComplex).real === (b as PyComplex).real && (a as PyComplex).imag === (b as PyComplex).imag;
    case 'global':
      return (a as PyGlobal).module === (b as PyGlobal).module && (a as PyGlobal).name === (b as PyGlobal).name;
    default:
      return false;
  }
}

function isSubset(a: Set<unknown>, b: Set<unknown>): boolean {
  for (const item of a) {
    if (b.has(item)) continue;
    let found = false;
    for (const other of b) {
      if (pyEquals(item, other)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Python's `a < b`; throws Incomparable where Python raises TypeError. */
function pyLess(a: unknown, b: unknown): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y;
  const ka = pyKind(a);
  const kb = pyKind(b);
  if (ka === 'str' && kb === 'str') return compareCodePoints(a as string, b as string) < 0;
  if ((ka === 'bytes' || ka === 'bytearray') && (kb === 'bytes' || kb === 'bytearray')) {
    return bytesCompare(a as Uint8Array, b as Uint8Array) < 0;
  }
  if ((ka === 'tuple' && kb === 'tuple') || (ka === 'list' && kb === 'list')) {
    const p = a as unknown[];
    const q = b as unknown[];
    const n = Math.min(p.length, q.length);
    for (let i = 0; i < n; i++) if (!pyEquals(p[i], q[i])) return pyLess(p[i], q[i]);
    return p.length < q.length;
  }
  if ((ka === 'set' || ka === 'frozenset') && (kb === 'set' || kb === 'frozenset')) {
    const p = a as Set<unknown>;
    const q = b as Set<unknown>;
    return p.size < q.size && isSubset(p, q);
  }
  throw new Incomparable();
}

const TYPE_NAMES: Partial<Record<PyKind, string>> = {
  None: 'NoneType',
  global: 'type',
};

/** `str(type(value))`, pprint's fallback order for values that do not compare. */
function typeString(value: unknown): string {
  const kind = pyKind(value);
  if (kind === 'object') {
    const object = value as PyObject;
    return `<class '${object.module === 'builtins' ? object.name : `${object.module ?? '?'}.${object.name ?? '?'}`}'>`;
  }
  if (kind === 'other') {
    const view = reducedView(value as object);
    if (view?.module !== undefined) return `<class '${view.module}.${view.name}'>`;
    return `<class '${jsClassName(value as object)}'>`;
  }
  return `<class '${TYPE_NAMES[kind] ?? kind}'>`;
}

/**
 * pprint's `sorted(items, key=_safe_key)`: Python's order where the values compare, else by type
 * name and then (standing in for `id()`) by position.
 */
function safeSorted<T>(items: readonly T[], key: (item: T) => unknown): T[] {
  const entries = items.map((item, index) => ({ item, index, key: key(item), type: '' }));
  const less = (p: (typeof entries)[number], q: (typeof entries)[number]): boolean => {
    try {
      return pyLess(p.key, q.key);
    } catch (error) {
      if (!(error instanceof Incomparable)) throw error;
      p.type ||= typeString(p.key);
      q.type ||= typeString(q.key);
      return p.type < q.type || (p.type === q.type && p.index < q.index);
    }
  };
  entries.sort((p, q) => (less(p, q) ? -1 : less(q, p) ? 1 : 0));
  return entries.map((entry) => entry.item);
}

// ---- placeholders as calls ----------------------------------------------------------------

interface CallItem {
  /** '' for a positional item, 'name=' for a keyword, '**' for a dict of keywords. */
  readonly prefix: string;
  readonly value: unknown;
}

interface CallView {
  readonly name: string;
  readonly items: readonly CallItem[];
}

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** A dict whose keys are all identifiers, as `key=value` items; null for any other. */
function keywordItems(dict: unknown): CallItem[] | null {
  if (dict === null || dict === undefined) return [];
  if (!isDict(dict)) return null;
  const entries = pairsToWrite(dict, dictEntries(dict));
  if (!entries.every(([key]) => typeof key === 'string' && IDENTIFIER.test(key))) return null;
  return entries.map(([key, value]) => ({ prefix: `${key as string}=`, value }));
}

function callViewOf(object: PyObject, repr: (value: unknown) => string): CallView {
  const name = object.cls instanceof PyGlobal ? object.cls.qualifiedName : repr(object.cls);
  const items: CallItem[] = [];
  if (object.creation === 'reconstructor') {
    // copyreg._reconstructor(cls, base, state): shown as cls(state), as `base(state)` builds it.
    const baseState = object.args[1];
    if (baseState !== null && baseState !== undefined) items.push({ prefix: '', value: baseState });
  } else {
    for (const arg of itemsToWrite(object.args)) items.push({ prefix: '', value: arg });
  }
  if (object.listItems) items.push({ prefix: '', value: itemsToWrite(object.listItems) });
  if (object.dictItems) items.push({ prefix: '', value: new Map(object.dictItems.map((pair) => itemsToWrite(pair) as [unknown, unknown])) });
  if (object.kwargs !== undefined) {
    items.push(...(keywordItems(object.kwargs) ?? [{ prefix: '**', value: object.kwargs }]));
  }
  const state = valueToWrite(object, 'state', object.state);
  if (state !== undefined) {
    let stateItems = keywordItems(state);
    if (stateItems === null && isTuple(state) && state.length === 2) {
      // (instance dict, __slots__ values)
      const dictPart = keywordItems(state[0]);
      const slotsPart = keywordItems(state[1]);
      if (dictPart && slotsPart) stateItems = [...dictPart, ...slotsPart];
    }
    items.push(...(stateItems ?? [{ prefix: '__state__=', value: state }]));
  }
  return { name, items };
}

function genericView(value: object): CallView {
  return {
    name: jsClassName(value),
    items: Object.keys(value).map((key) => ({ prefix: `${key}=`, value: (value as Record<string, unknown>)[key] })),
  };
}

// ---- the standard types, as their own repr() writes them ----------------------------------

function timedeltaRepr(td: PyTimedelta): string {
  const parts: string[] = [];
  if (td.days) parts.push(`days=${td.days}`);
  if (td.seconds) parts.push(`seconds=${td.seconds}`);
  if (td.microseconds) parts.push(`microseconds=${td.microseconds}`);
  return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`;
}

/** The time fields as datetime.__repr__ writes them: seconds and microseconds only when set. */
function clockFields(hour: number, minute: number, second: number, microsecond: number): string[] {
  const fields = [String(hour), String(minute)];
  if (microsecond) fields.push(String(second), String(microsecond));
  else if (second) fields.push(String(second));
  return fields;
}

/** Counter.most_common(): by count, highest first, ties in insertion order. */
function mostCommon(counter: Map<unknown, unknown>): Array<[unknown, unknown]> {
  const entries = [...counter.entries()];
  try {
    return entries
      .map((entry, index) => ({ entry, index }))
      .sort((p, q) => (pyLess(q.entry[1], p.entry[1]) ? -1 : pyLess(p.entry[1], q.entry[1]) ? 1 : p.index - q.index))
      .map(({ entry }) => entry);
  } catch (error) {
    if (error instanceof Incomparable) return entries;
    throw error;
  }
}

/** repr() of a default_factory: a class reference as Python shows a class. */
function factoryRepr(factory: unknown, repr: (value: unknown) => string): string {
  if (factory instanceof PyGlobal) {
    return `<class '${factory.module === 'builtins' ? factory.name : factory.qualifiedName}'>`;
  }
  return repr(factory);
}

/**
 * repr() of a value of the standard types this package implements (datetime, Decimal,
 * collections...), as Python writes it; undefined for anything else.
 */
function standardRepr(value: object, repr: (value: unknown) => string): string | undefined {
  if (value instanceof PyDatetime) {
    const fields = [String(value.year), String(value.month), String(value.day), ...clockFields(value.hour, value.minute, value.second, value.microsecond)];
    if (value.fold) fields.push('fold=1');
    if (value.tzinfo !== null) fields.push(`tzinfo=${repr(value.tzinfo)}`);
    return `datetime.datetime(${fields.join(', ')})`;
  }
  if (value instanceof PyDate) return `datetime.date(${value.year}, ${value.month}, ${value.day})`;
  if (value instanceof PyTime) {
    const fields = clockFields(value.hour, value.minute, value.second, value.microsecond);
    if (value.fold) fields.push('fold=1');
    if (value.tzinfo !== null) fields.push(`tzinfo=${repr(value.tzinfo)}`);
    return `datetime.time(${fields.join(', ')})`;
  }
  if (value instanceof PyTimedelta) return timedeltaRepr(value);
  if (value instanceof PyTimezone) {
    if (value.name === null && value.offset.isZero()) return 'datetime.timezone.utc';
    const offset = timedeltaRepr(value.offset);
    return value.name === null ? `datetime.timezone(${offset})` : `datetime.timezone(${offset}, ${reprStr(value.name)})`;
  }
  if (value instanceof PyDecimal) return `Decimal('${value.toString()}')`;
  if (value instanceof PyFraction) return `Fraction(${reprInt(value.numerator, false)}, ${reprInt(value.denominator, false)})`;
  if (value instanceof PyUUID) return `UUID('${value.toString()}')`;
  if (value instanceof PyRange) {
    const step = reprInt(value.step, false);
    return `range(${reprInt(value.start, false)}, ${reprInt(value.stop, false)}${step === '1' ? '' : `, ${step}`})`;
  }
  if (value instanceof PySlice) return `slice(${repr(value.start)}, ${repr(value.stop)}, ${repr(value.step)})`;
  if (value instanceof PyOrderedDict) {
    if (value.size === 0) return 'OrderedDict()';
    return `OrderedDict([${pairsToWrite(value, value.entries()).map(([k, v]) => `(${repr(k)}, ${repr(v)})`).join(', ')}])`;
  }
  if (value instanceof PyCounter) {
    if (value.size === 0) return 'Counter()';
    return `Counter({${pairsToWrite(value, mostCommon(value)).map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(', ')}})`;
  }
  if (value instanceof PyDefaultDict) {
    const items = pairsToWrite(value, value.entries()).map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(', ');
    return `defaultdict(${factoryRepr(value.defaultFactory, repr)}, {${items}})`;
  }
  if (value instanceof PyDeque) {
    const items = `[${itemsToWrite(value).map(repr).join(', ')}]`;
    return value.maxlen === null ? `deque(${items})` : `deque(${items}, maxlen=${value.maxlen})`;
  }
  return undefined;
}

// ---- repr -----------------------------------------------------------------------------------

/** The marker Python's repr writes where a container contains itself. */
function recursionMarker(value: unknown, repr: (value: unknown) => string): string {
  switch (pyKind(value)) {
    case 'list':
      return '[...]';
    case 'dict':
      return '{...}';
    case 'tuple':
      return '(...)';
    case 'set':
      return 'set(...)';
    case 'frozenset':
      return 'frozenset(...)';
    default:
      if (value instanceof PyOrderedDict || value instanceof PyCounter || value instanceof PyDefaultDict || value instanceof PyDeque) return '...';
      return `${callView(value, repr).name}(...)`;
  }
}

function callView(value: unknown, repr: (value: unknown) => string): CallView {
  if (value instanceof PyObject) return callViewOf(value, repr);
  const reduced = reducedView(value as object);
  return reduced ? callViewOf(reduced, repr) : genericView(value as object);
}

class Formatter {
  readonly #width: number;
  readonly #indentPerLevel: number;
  readonly #sortDicts: boolean;
  /** Containers on the path being printed. */
  readonly #context = new Set<object>();
  readonly #maxWork: number;
  #work = 0;

  constructor(options: PythonFormatOptions, sortDictsDefault: boolean) {
    this.#width = options.width ?? 80;
    this.#indentPerLevel = options.indent ?? 1;
    this.#sortDicts = options.sortDicts ?? sortDictsDefault;
    this.#maxWork = options.maxWork ?? 50_000_000;
    if (this.#indentPerLevel < 0) throw new RangeError('indent must be >= 0');
    if (!this.#width) throw new RangeError('width must be != 0');
  }

  #dictItems(dict: object): Array<[unknown, unknown]> {
    const entries = pairsToWrite(dict, dictEntries(dict as Map<unknown, unknown>));
    return this.#sortDicts ? safeSorted(entries, (entry) => entry[0]) : entries;
  }

  /** Counts one value visited; throws FormatLimitError beyond maxWork. */
  #charge(): void {
    if (++this.#work > this.#maxWork) {
      throw new FormatLimitError(
        `the value is too large to print (over ${this.#maxWork} values visited; shared references print in full each time)`,
      );
    }
  }

  /** pprint's _safe_repr: one line, dicts sorted when sortDicts. */
  repr = (value: unknown): string => {
    this.#charge();
    const kind = pyKind(value);
    switch (kind) {
      case 'None':
        return 'None';
      case 'bool':
        return value ? 'True' : 'False';
      case 'int':
        return reprInt(value as number | bigint, false);
      case 'float':
        return reprFloat(value instanceof PyFloat ? value.value : (value as number));
      case 'str':
        return reprStr(value as string);
      case 'bytes':
        return reprBytes(value as Uint8Array);
      case 'bytearray':
        return reprByteArray(value as Uint8Array);
      case 'complex':
        return reprComplex((value as PyComplex).real, (value as PyComplex).imag);
      case 'global':
        return (value as PyGlobal).qualifiedName;
      default:
        break;
    }
    const object = value as object;
    if (this.#context.has(object)) return recursionMarker(object, this.repr);
    this.#context.add(object);
    try {
      switch (kind) {
        case 'dict': {
          const items = this.#dictItems(object);
          return `{${items.map(([k, v]) => `${this.repr(k)}: ${this.repr(v)}`).join(', ')}}`;
        }
        case 'list':
          return `[${itemsToWrite(object as unknown[]).map(this.repr).join(', ')}]`;
        case 'tuple': {
          const items = itemsToWrite(object as unknown[]);
          return items.length === 1 ? `(${this.repr(items[0])},)` : `(${items.map(this.repr).join(', ')})`;
        }
        case 'set':
        case 'frozenset': {
          const set = object as Set<unknown>;
          if (set.size === 0) return `${kind}()`;
          const body = `{${membersToWrite(set).map(this.repr).join(', ')}}`;
          return kind === 'set' ? body : `frozenset(${body})`;
        }
        default: {
          const standard = standardRepr(object, this.repr);
          if (standard !== undefined) return standard;
          const view = callView(object, this.repr);
          return `${view.name}(${view.items.map((item) => item.prefix + this.repr(item.value)).join(', ')})`;
        }
      }
    } finally {
      this.#context.delete(object);
    }
  };

  /** pprint's _format. */
  format(value: unknown, out: string[], indent: number, allowance: number, level: number): void {
    this.#charge();
    const kind = pyKind(value);
    const isObject = typeof value === 'object' && value !== null;
    if (isObject && kind !== 'global' && kind !== 'complex' && kind !== 'float' && this.#context.has(value)) {
      out.push(recursionMarker(value, this.repr));
      return;
    }
    const rep = this.repr(value);
    const maxWidth = this.#width - indent - allowance;
    if (codePointLength(rep) > maxWidth) {
      const printed = this.#dispatch(kind, value, out, indent, allowance, level + 1);
      if (printed) return;
    }
    out.push(rep);
  }

  #dispatch(kind: PyKind, value: unknown, out: string[], indent: number, allowance: number, level: number): boolean {
    switch (kind) {
      case 'str':
        this.#pprintStr(value as string, out, indent, allowance, level);
        return true;
      case 'bytes':
        this.#pprintBytes(value as Uint8Array, out, indent, allowance, level);
        return true;
      case 'bytearray':
        out.push('bytearray(');
        this.#pprintBytes(value as Uint8Array, out, indent + 10, allowance + 1, level + 1);
        out.push(')');
        return true;
      case 'dict':
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
      case 'object':
      case 'other':
        break;
      default:
        return false;
    }
    const object = value as object;
    this.#context.add(object);
    try {
      switch (kind) {
        case 'dict': {
          out.push('{');
          if (this.#indentPerLevel > 1) out.push(' '.repeat(this.#indentPerLevel - 1));
          const items = this.#dictItems(object);
          if (items.length) this.#formatDictItems(items, out, indent, allowance + 1, level);
          out.push('}');
          break;
        }
        case 'list':
          out.push('[');
          this.#formatItems(itemsToWrite(object as unknown[]), out, indent, allowance + 1, level);
          out.push(']');
          break;
        case 'tuple': {
          const items = itemsToWrite(object as unknown[]);
          const end = items.length === 1 ? ',)' : ')';
          out.push('(');
          this.#formatItems(items, out, indent, allowance + end.length, level);
          out.push(end);
          break;
        }
        case 'set':
        case 'frozenset': {
          const set = object as Set<unknown>;
          if (set.size === 0) {
            out.push(`${kind}()`);
            break;
          }
          let end = '}';
          if (kind === 'set') {
            out.push('{');
          } else {
            out.push('frozenset({');
            end = '})';
            indent += 'frozenset'.length + 1;
          }
          this.#formatItems(safeSorted(membersToWrite(set), (item) => item), out, indent, allowance + end.length, level);
          out.push(end);
          break;
        }
        default: {
          if (this.#pprintStandard(object, out, indent, allowance, level)) break;
          if (standardRepr(object, this.repr) !== undefined) return false;
          // A placeholder, laid out as pprint lays out a dataclass.
          const view = callView(object, this.repr);
          out.push(view.name + '(');
          indent += codePointLength(view.name) + 1;
          const delimiter = ',\n' + ' '.repeat(indent);
          view.items.forEach((item, i) => {
            const last = i === view.items.length - 1;
            if (i > 0) out.push(delimiter);
            out.push(item.prefix);
            this.format(item.value, out, indent + item.prefix.length, last ? allowance + 1 : 1, level);
          });
          out.push(')');
        }
      }
    } finally {
      this.#context.delete(object);
    }
    return true;
  }

  /** pprint's layouts for OrderedDict, Counter, defaultdict and deque; false for other values. */
  #pprintStandard(value: object, out: string[], indent: number, allowance: number, level: number): boolean {
    if (value instanceof PyOrderedDict) {
      if (value.size === 0) return false;
      out.push('OrderedDict(');
      this.format(pairsToWrite(value, value.entries()).map(([k, v]) => tuple(k, v)), out, indent + 'OrderedDict'.length + 1, allowance + 1, level);
      out.push(')');
      return true;
    }
    if (value instanceof PyCounter) {
      if (value.size === 0) return false;
      out.push('Counter({');
      if (this.#indentPerLevel > 1) out.push(' '.repeat(this.#indentPerLevel - 1));
      this.#formatDictItems(pairsToWrite(value, mostCommon(value)), out, indent + 'Counter'.length + 1, allowance + 2, level);
      out.push('})');
      return true;
    }
    if (value instanceof PyDefaultDict) {
      if (value.size === 0) return false;
      indent += 'defaultdict'.length + 1;
      out.push(`defaultdict(${factoryRepr(value.defaultFactory, this.repr)},\n${' '.repeat(indent)}`);
      out.push('{');
      if (this.#indentPerLevel > 1) out.push(' '.repeat(this.#indentPerLevel - 1));
      this.#formatDictItems(this.#dictItems(value), out, indent, allowance + 2, level);
      out.push('})');
      return true;
    }
    if (value instanceof PyDeque) {
      if (value.length === 0) return false;
      indent += 'deque'.length + 1;
      out.push('deque([');
      const items = itemsToWrite(value);
      if (value.maxlen === null) {
        this.#formatItems(items, out, indent, allowance + 2, level);
        out.push('])');
      } else {
        this.#formatItems(items, out, indent, 2, level);
        out.push(`],\n${' '.repeat(indent)}maxlen=${value.maxlen})`);
      }
      return true;
    }
    return false;
  }

  #formatDictItems(items: Array<[unknown, unknown]>, out: string[], indent: number, allowance: number, level: number): void {
    indent += this.#indentPerLevel;
    const delimiter = ',\n' + ' '.repeat(indent);
    items.forEach(([key, value], i) => {
      const last = i === items.length - 1;
      const rep = this.repr(key);
      out.push(rep, ': ');
      this.format(value, out, indent + codePointLength(rep) + 2, last ? allowance : 1, level);
      if (!last) out.push(delimiter);
    });
  }

  #formatItems(items: readonly unknown[], out: string[], indent: number, allowance: number, level: number): void {
    indent += this.#indentPerLevel;
    if (this.#indentPerLevel > 1) out.push(' '.repeat(this.#indentPerLevel - 1));
    const delimiter = ',\n' + ' '.repeat(indent);
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      if (i > 0) out.push(delimiter);
      this.format(item, out, indent, last ? allowance : 1, level);
    });
  }

  #pprintStr(text: string, out: string[], indent: number, allowance: number, level: number): void {
    if (text.length === 0) {
      out.push(reprStr(text));
      return;
    }
    const chunks: string[] = [];
    const lines = splitLines(text);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const maxWidth = this.#width - indent;
    let maxWidth1 = maxWidth;
    let rep = '';
    lines.forEach((line, i) => {
      rep = reprStr(line);
      if (i === lines.length - 1) maxWidth1 -= allowance;
      if (codePointLength(rep) <= maxWidth1) {
        chunks.push(rep);
        return;
      }
      const parts = words(line);
      let maxWidth2 = maxWidth;
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance;
        if (codePointLength(reprStr(candidate)) > maxWidth2) {
          if (current) chunks.push(reprStr(current));
          current = part;
        } else {
          current = candidate;
        }
      });
      if (current) chunks.push(reprStr(current));
    });
    if (chunks.length === 1) {
      out.push(rep);
      return;
    }
    if (level === 1) out.push('(');
    chunks.forEach((chunk, i) => {
      if (i > 0) out.push('\n' + ' '.repeat(indent));
      out.push(chunk);
    });
    if (level === 1) out.push(')');
  }

  #pprintBytes(bytes: Uint8Array, out: string[], indent: number, allowance: number, level: number): void {
    if (bytes.length <= 4) {
      out.push(reprBytes(bytes));
      return;
    }
    const parens = level === 1;
    if (parens) {
      indent += 1;
      allowance += 1;
      out.push('(');
    }
    let delimiter = '';
    for (const rep of wrapBytesRepr(bytes, this.#width - indent, allowance)) {
      out.push(delimiter, rep);
      if (!delimiter) delimiter = '\n' + ' '.repeat(indent);
    }
    if (parens) out.push(')');
  }
}

/** pprint's _wrap_bytes_repr: the bytes in chunks of four, as many per line as fit. */
function wrapBytesRepr(bytes: Uint8Array, width: number, allowance: number): string[] {
  const reps: string[] = [];
  let current = bytes.subarray(0, 0);
  const last = Math.floor(bytes.length / 4) * 4;
  for (let i = 0; i < bytes.length; i += 4) {
    const part = bytes.subarray(i, i + 4);
    const candidate = bytes.subarray(i - current.length, i + part.length);
    if (i === last) width -= allowance;
    if (reprBytes(candidate).length > width) {
      if (current.length) reps.push(reprBytes(current));
      current = part;
    } else {
      current = candidate;
    }
  }
  if (current.length) reps.push(reprBytes(current));
  return reps;
}

/** Python's `str.isspace()` for one UTF-16 unit (every whitespace character is in the BMP). */
function isPySpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** `str.splitlines(True)`. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
      lines.push(text.slice(start, i + 2));
      start = ++i + 1;
    } else if ((c >= 0x0a && c <= 0x0d) || (c >= 0x1c && c <= 0x1e) || c === 0x85 || c === 0x2028 || c === 0x2029) {
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** `re.findall(r'\S*\s*', line)` without the final empty match. */
function words(line: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < line.length) {
    const start = i;
    while (i < line.length && !isPySpace(line.charCodeAt(i))) i++;
    while (i < line.length && isPySpace(line.charCodeAt(i))) i++;
    parts.push(line.slice(start, i));
  }
  return parts;
}

/**
 * Python's `repr()` of a loaded value, on one line. Dicts keep their order (a plain-object dict
 * iterates integer-like keys first, as JavaScript objects do); sets print in the order they
 * were loaded, which is the order the pickling Python iterated them in.
 */
export function pyRepr(value: unknown, options: PythonFormatOptions = {}): string {
  return new Formatter(options, false).repr(value);
}

/**
 * `pprint.pformat(value)`: what `python -m pickle FILE` prints for the value (without the final
 * newline). Dict keys are sorted and long containers, strings and bytes wrapped as pprint does.
 */
export function pformat(value: unknown, options: PythonFormatOptions = {}): string {
  const out: string[] = [];
  new Formatter(options, true).format(value, out, 0, 0, 0);
  return out.join('');
}

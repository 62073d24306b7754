// Python's repr() and pprint of a loaded value: `pformat` is a port of CPython 3.11's
// pprint.PrettyPrinter (what `python -m pickle FILE` prints), so for values of builtin types the
// text is Python's own. Placeholders print as calls, `module.Name(args, attr=value)`; cycles as
// Python's repr shows them (`[...]`, `{...}`). No Node imports.
//
// Nothing here recurses on the JavaScript stack, and the work is linear in the value: each value
// gets its shape once (python-shape.ts), then a print tree is built with an explicit stack, its
// one-line lengths summed bottom-up, and the tree is written (pyRepr) or laid out as pprint lays
// it out (pformat), deciding each line break from those lengths instead of re-printing subtrees.
//
// Python prints a container shared through the memo in full each time it appears; so do these,
// as long as that expansion stays within a budget linear in the value's distinct size. Beyond it
// (a DAG of a few hundred bytes can stand for 2^40 lists) the value prints with references: the
// first appearance of a shared non-empty container is labelled `#1=[…]`, later ones print `#1#`
// (the datum labels of Common Lisp and Scheme's `write`). A container inside itself always
// prints as Python's repr marks it: `[...]`, `{...}`.
import { FormatLimitError, maxLengthOption, textTooLong } from './format-limit.js';
import { PickleError } from '../../errors.js';
import { PythonOrder } from './python-order.js';
import { isPythonSpace } from '../../values/python-text.js';
import { codePointLength, reprBytes, reprStr } from '../../codec/python-repr.js';
import { isNode, ItemForm, itemKey, itemPrefix, itemValue, type Shape, Shapes } from './python-shape.js';
import { pyKind } from './python-view.js';

export { FormatLimitError } from './format-limit.js';

export interface PythonFormatOptions {
  /** Target line width (pprint's `width`). Default 80. */
  width?: number;
  /** Blanks per nesting level (pprint's `indent`). Default 1. */
  indent?: number;
  /** Sort dict keys as pprint does. Default true for `pformat`, false for `pyRepr`. */
  sortDicts?: boolean;
  /**
   * Most units of work (a value visited once per place it prints, a step of a comparison while
   * sorting) before giving up with a FormatLimitError. Default 50 000 000.
   */
  maxWork?: number;
  /**
   * Longest text (in UTF-16 units) to build before giving up with a FormatLimitError, found out
   * before the text is built. Default and most: 2^29 - 24, the longest string JavaScript holds.
   */
  maxLength?: number;
}

/**
 * Python's expansion of shared containers is kept while its one-line text stays within FACTOR
 * times the text of the distinct nodes plus FLOOR characters.
 */
const EXPANSION_FACTOR = 4;
const EXPANSION_FLOOR = 200_000;

/** One appearance of a node in the print tree. */
class Occurrence {
  /** The children for the shape's node slots (scalars are read from the shape). */
  readonly kids: unknown[];
  /** Code points of the one-line text, label aside. */
  length = 0;
  /** 0: none; -1: referred to later, number to come; n > 0: printed as `#n=`. */
  label = 0;
  /** The reference to it, once there is one. */
  ref: Reference | undefined = undefined;

  constructor(
    readonly shape: Shape,
    readonly value: object | null,
    /** Items in pprint's wrapped order (sorted sets) even on one line. */
    readonly sorted: boolean,
  ) {
    this.kids = shape.nodeSlots.length === 0 ? NO_KIDS : new Array(shape.nodeSlots.length);
  }
}

const NO_KIDS: unknown[] = [];

/** Characters of scalar items #flat joins before writing them out. */
const RUN_LENGTH = 1 << 16;

/** Where a container appears inside itself: Python's repr marker. */
class Marker {
  constructor(
    readonly text: string,
    readonly length: number,
  ) {}
}

/** A later appearance of a labelled container: `#n#`. */
class Reference {
  constructor(readonly target: Occurrence) {}
}

/** #flat, writing a value straight, met a node twice. */
const MET_TWICE = Symbol('met twice');

/** The build went over its budget (or, for TREE, met a node twice). */
const OVER_BUDGET = Symbol('over budget');

/** How #build treats a node met again: not at all, expanded as Python does, or as a reference. */
const TREE = 0;
const PYTHON = 1;
const REFERENCES = 2;
type BuildMode = typeof TREE | typeof PYTHON | typeof REFERENCES;

const labelText = (label: number) => (label > 0 ? `#${label}=` : '');

/** The text being built: strings, and numbers standing for a newline and that many blanks. */
class Output {
  readonly #parts: Array<string | number> = [];
  /** Short pieces not yet in #parts, joined by concatenation (V8 makes ropes of them). */
  #chunk = '';
  length = 0;

  constructor(readonly maxLength: number) {}

  text(text: string): void {
    this.length += text.length;
    if (this.length > this.maxLength) throw textTooLong('value', this.maxLength);
    if (this.#chunk.length < 1024) {
      this.#chunk += text;
    } else {
      this.#parts.push(this.#chunk);
      this.#chunk = text;
    }
  }

  newline(indent: number): void {
    this.length += 1 + indent;
    if (this.length > this.maxLength) throw textTooLong('value', this.maxLength);
    this.#parts.push(this.#chunk, indent);
    this.#chunk = '';
  }

  toString(): string {
    const parts = this.#parts;
    parts.push(this.#chunk);
    const newlines = new Map<number, string>();
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (typeof part !== 'number') continue;
      let text = newlines.get(part);
      if (text === undefined) {
        text = '\n' + ' '.repeat(part);
        newlines.set(part, text);
      }
      parts[i] = text;
    }
    return parts.join('');
  }
}

/** Where a frame of #flat is: before the lead, before the mid text, before an item's key, before its value. */
const STEP_LEAD = 0;
const STEP_MID = 1;
const STEP_KEY = 2;
const STEP_VALUE = 3;

interface FlatFrame {
  readonly shape: Shape;
  /** The occurrence's kids; null when writing a value straight (its slots are the kids). */
  readonly kids: readonly unknown[] | null;
  readonly order: readonly number[] | null;
  item: number;
  step: number;
}

const FORMAT = 0;
const FLAT = 1;
const NEWLINE = 2;
const ITEMS = 3;

/** How a run of items is laid out: pprint's _format_items, _format_dict_items, a call's arguments. */
const SEQUENCE = 0;
const DICT = 1;
const CALL = 2;

interface FormatTask {
  readonly kind: typeof FORMAT;
  readonly child: unknown;
  readonly indent: number;
  readonly allowance: number;
  readonly level: number;
}

interface ItemsTask {
  readonly kind: typeof ITEMS;
  readonly style: typeof SEQUENCE | typeof DICT | typeof CALL;
  readonly occurrence: Occurrence;
  readonly order: readonly number[] | null;
  index: number;
  readonly indent: number;
  readonly allowance: number;
  readonly level: number;
}

type Task = string | FormatTask | ItemsTask | { readonly kind: typeof FLAT; readonly child: unknown } | { readonly kind: typeof NEWLINE; readonly indent: number };

function numberOption(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new PickleError(`${name} must be a number, not ${String(value)}`, { code: 'INVALID_ARGUMENT' });
  return value;
}

class Printer {
  readonly #width: number;
  readonly #indentPerLevel: number;
  readonly #maxWork: number;
  readonly #maxLength: number;
  /** pformat (wraps lines) rather than pyRepr. */
  readonly #wraps: boolean;
  readonly #shapes: Shapes;
  readonly #markers = new Map<Shape, Marker>();
  readonly #sortedNodeOrders = new Map<Shape, number[]>();
  #work = 0;
  /** The occurrences of the print tree last built, in the order they print. */
  #occurrences: Occurrence[] = [];

  constructor(options: PythonFormatOptions, wraps: boolean) {
    this.#width = numberOption(options.width, 'width', 80);
    this.#indentPerLevel = numberOption(options.indent, 'indent', 1);
    this.#maxWork = numberOption(options.maxWork, 'maxWork', 50_000_000);
    this.#maxLength = maxLengthOption(options.maxLength);
    if (this.#indentPerLevel < 0) throw new PickleError('indent must be >= 0', { code: 'INVALID_ARGUMENT' });
    if (!this.#width) throw new PickleError('width must be != 0', { code: 'INVALID_ARGUMENT' });
    this.#wraps = wraps;
    const charge = this.#charge;
    this.#shapes = new Shapes({ sortDicts: options.sortDicts ?? wraps, maxLength: this.#maxLength, charge, order: new PythonOrder(charge) });
  }

  /** Counts work; throws FormatLimitError beyond maxWork. */
  readonly #charge = (units: number): void => {
    this.#work += units;
    if (this.#work > this.#maxWork) {
      throw new FormatLimitError(`the value is too large to print (over ${this.#maxWork} units of work, see maxWork)`);
    }
  };

  /** Python's repr on one line. */
  repr(value: unknown): string {
    const workBefore = this.#work;
    try {
      // Most values are trees: written straight, with no print tree.
      const out = new Output(this.#maxLength);
      this.#flat(value, out, new Set());
      return out.toString();
    } catch (error) {
      if (error !== MET_TWICE) throw error;
    }
    this.#work = workBefore;
    const root = this.#tree(value);
    const out = new Output(this.#maxLength);
    this.#flat(root, out);
    return out.toString();
  }

  /** pprint's layout. */
  pformat(value: unknown): string {
    const root = this.#tree(value);
    // Line breaks are decided from one-line lengths; a text too long fails before it is built.
    this.#measure();
    if (this.#fullLength(root) > this.#maxLength) throw textTooLong('value', this.#maxLength);
    const out = new Output(this.#maxLength);
    this.#layout(root, out);
    return out.toString();
  }

  // ---- the print tree -------------------------------------------------------------------------

  /** The print tree: Python's expansion if it stays within budget, else one with references. */
  #tree(value: unknown): unknown {
    // Most values are trees: then one walk makes the shapes and the print tree together.
    let root = this.#build(value, TREE, Infinity);
    if (root === OVER_BUDGET) {
      root = this.#build(value, PYTHON, EXPANSION_FACTOR * this.#distinctText(value) + EXPANSION_FLOOR);
      if (root === OVER_BUDGET) root = this.#build(value, REFERENCES, Infinity);
    }
    return root;
  }

  /** The one-line text of the distinct nodes, each counted once whatever refers to it. */
  #distinctText(value: unknown): number {
    let distinct = 0;
    const seen = new Set<object>();
    const pending: unknown[] = [value];
    while (pending.length > 0) {
      const node = pending.pop();
      if (!isNode(node) || seen.has(node)) continue;
      seen.add(node);
      const shape = this.#shapes.of(node);
      distinct += 1 + this.#shapes.fixedLength(shape);
      for (const slot of shape.nodeSlots) pending.push(shape.slots[slot]);
    }
    return distinct;
  }

  #marker(shape: Shape): Marker {
    let marker = this.#markers.get(shape);
    if (marker === undefined) {
      marker = new Marker(shape.marker!, codePointLength(shape.marker!));
      this.#markers.set(shape, marker);
    }
    return marker;
  }

  /** A sorted shape's node slots in the order its items print. */
  #sortedNodeOrder(shape: Shape, order: readonly number[]): number[] {
    let nodes = this.#sortedNodeOrders.get(shape);
    if (nodes === undefined) {
      nodes = [];
      const index = shape.nodeIndex!;
      if (shape.lead >= 0 && index[shape.lead]! >= 0) nodes.push(index[shape.lead]!);
      for (const i of order) {
        const key = itemKey(shape, i);
        const value = itemValue(shape, i);
        if (key >= 0 && index[key]! >= 0) nodes.push(index[key]!);
        if (value >= 0 && index[value]! >= 0) nodes.push(index[value]!);
      }
      this.#sortedNodeOrders.set(shape, nodes);
    }
    return nodes;
  }

  /**
   * Builds the print tree with an explicit stack. TREE gives up (OVER_BUDGET) at the first node
   * met twice; PYTHON expands shared nodes as Python does and gives up once its one-line text
   * passes `budget` characters (or the work left); with REFERENCES, each non-empty shared
   * container appears once and every later appearance is a Reference to it.
   */
  #build(root: unknown, mode: BuildMode, budget: number): unknown {
    const path = new Set<object>();
    const first = mode === REFERENCES ? new Map<object, Occurrence>() : undefined;
    const occurrences: Occurrence[] = [];
    const frames: Array<{ occurrence: Occurrence; order: readonly number[] | null; next: number }> = [];
    const sortedEverywhere = mode === REFERENCES && this.#wraps;
    const tracksPath = mode !== TREE;
    const workLeft = this.#maxWork - this.#work;
    let spent = 0;
    let text = 0;
    /** Gives up: the work of an attempt that is dropped is no work on the value. */
    const giveUp = (): typeof OVER_BUDGET => {
      this.#work -= spent;
      return OVER_BUDGET;
    };

    const open = (shape: Shape, value: object | null): Occurrence | typeof OVER_BUDGET => {
      const units = 1 + shape.slots.length;
      if (mode === PYTHON) {
        text += 1 + this.#shapes.fixedLength(shape);
        if (text > budget || spent + units > workLeft) return giveUp();
      }
      spent += units;
      this.#charge(units);
      // With references, labels number in print order: a wrapped set prints sorted, so it does on one line too.
      const wrapOrder = sortedEverywhere && shape.wrapOrder !== null ? this.#shapes.wrapOrder(shape) : null;
      const occurrence = new Occurrence(shape, value, wrapOrder !== null);
      occurrences.push(occurrence);
      if (shape.nodeSlots.length > 0) {
        if (tracksPath && value !== null) path.add(value);
        frames.push({ occurrence, order: wrapOrder === null ? null : this.#sortedNodeOrder(shape, wrapOrder), next: 0 });
      }
      return occurrence;
    };

    const child = (value: unknown): unknown => {
      if (!isNode(value)) return value;
      if (mode === TREE) {
        const made = this.#shapes.size;
        const shape = this.#shapes.of(value);
        // Met before: shared or on a cycle.
        if (this.#shapes.size === made) return giveUp();
        return open(shape, value);
      }
      const shape = this.#shapes.of(value);
      if (path.has(value)) return shape.marker !== null ? this.#marker(shape) : open(this.#shapes.markerShape(shape), null);
      if (first !== undefined && shape.slots.length > 0) {
        const before = first.get(value);
        if (before !== undefined) {
          if (before.label === 0) before.label = -1;
          return (before.ref ??= new Reference(before));
        }
      }
      const occurrence = open(shape, value);
      if (first !== undefined && occurrence !== OVER_BUDGET && shape.slots.length > 0) first.set(value, occurrence);
      return occurrence;
    };

    const tree = child(root);
    if (tree === OVER_BUDGET) return OVER_BUDGET;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const { occurrence } = frame;
      if (frame.next === occurrence.kids.length) {
        frames.pop();
        if (tracksPath && occurrence.value !== null) path.delete(occurrence.value);
        continue;
      }
      const j = frame.order === null ? frame.next : frame.order[frame.next]!;
      frame.next++;
      const kid = child(occurrence.shape.slots[occurrence.shape.nodeSlots[j]!]);
      if (kid === OVER_BUDGET) return OVER_BUDGET;
      occurrence.kids[j] = kid;
    }
    // Labels in print order: the order the tree was built in.
    let labels = 0;
    for (const occurrence of occurrences) if (occurrence.label === -1) occurrence.label = ++labels;
    this.#occurrences = occurrences;
    return tree;
  }

  /** The one-line lengths of the print tree just built, bottom-up (kids are built after their parent). */
  #measure(): void {
    const occurrences = this.#occurrences;
    for (let i = occurrences.length - 1; i >= 0; i--) {
      const occurrence = occurrences[i]!;
      let length = this.#shapes.fixedLength(occurrence.shape);
      for (const kid of occurrence.kids) length += this.#fullLength(kid);
      occurrence.length = length;
    }
  }

  /** Code points of a child's one-line text. */
  #fullLength(child: unknown): number {
    if (child instanceof Occurrence) return (child.label > 0 ? String(child.label).length + 2 : 0) + child.length;
    if (child instanceof Marker) return child.length;
    if (child instanceof Reference) return String(child.target.label).length + 2;
    return this.#shapes.length(this.#shapes.text(child));
  }

  /** What slot `slot` of an occurrence prints: its child, or the scalar the shape holds. */
  #slot(occurrence: Occurrence, slot: number): unknown {
    const index = occurrence.shape.nodeIndex;
    const i = index === null ? -1 : index[slot]!;
    return i < 0 ? occurrence.shape.slots[slot] : occurrence.kids[i];
  }

  /** The text of a child that is no occurrence. */
  #leafText(child: unknown): string {
    if (child instanceof Marker) return child.text;
    if (child instanceof Reference) return `#${child.target.label}#`;
    return this.#shapes.text(child);
  }

  // ---- one line -------------------------------------------------------------------------------

  /**
   * Writes a child on one line, as repr (pprint's _safe_repr) does, with a stack of the
   * occurrences being written; each frame's `step` says where in its text it is.
   *
   * With `seen`, `child` is a value, not a print tree: its nodes are written as they are met,
   * with shapes made on the way and dropped, and the first node met twice throws MET_TWICE.
   */
  #flat(child: unknown, out: Output, seen?: Set<object>): void {
    const frames: FlatFrame[] = [];
    const enterValue = (value: object): void => {
      if (seen!.has(value)) throw MET_TWICE;
      seen!.add(value);
      const shape = this.#shapes.transient(value);
      out.text(shape.open);
      frames.push({ shape, kids: null, order: null, item: 0, step: STEP_LEAD });
    };
    const enter = (occurrence: Occurrence): void => {
      const shape = occurrence.shape;
      out.text(labelText(occurrence.label) + shape.open);
      frames.push({ shape, kids: occurrence.kids, order: occurrence.sorted ? shape.wrapOrder! : null, item: 0, step: STEP_LEAD });
    };
    /** Writes slot `slot`; true when it opened a frame (its text continues there). */
    const slot = (frame: FlatFrame, slot: number): boolean => {
      const shape = frame.shape;
      const index = shape.nodeIndex === null ? -1 : shape.nodeIndex[slot]!;
      if (index < 0) {
        out.text(this.#shapes.text(shape.slots[slot]));
        return false;
      }
      if (frame.kids === null) {
        enterValue(shape.slots[slot] as object);
        return true;
      }
      const kid = frame.kids[index];
      if (kid instanceof Occurrence) {
        enter(kid);
        return true;
      }
      out.text(this.#leafText(kid));
      return false;
    };
    if (seen !== undefined && isNode(child)) enterValue(child);
    else if (child instanceof Occurrence) enter(child);
    else {
      out.text(this.#leafText(child));
      return;
    }
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const shape = frame.shape;
      if (frame.step === STEP_LEAD) {
        frame.step = STEP_MID;
        if (shape.lead < 0) out.text(shape.leadText);
        else if (slot(frame, shape.lead)) continue;
      }
      if (frame.step === STEP_MID) {
        out.text(shape.mid);
        frame.step = STEP_KEY;
      }
      if (frame.step === STEP_KEY) {
        if (frame.order === null && shape.form !== ItemForm.Parts && frame.item < shape.count) {
          // A run of items whose keys and values are scalars, joined in one go.
          const run = this.#scalarRun(shape, frame.item);
          if (run !== undefined) {
            out.text(frame.item > 0 ? ', ' + run.text : run.text);
            frame.item = run.end;
          }
        }
        if (frame.item >= shape.count) {
          out.text(shape.close);
          frames.pop();
          continue;
        }
        const i = frame.order === null ? frame.item : frame.order[frame.item]!;
        if (frame.item > 0) out.text(', ');
        out.text(itemPrefix(shape, i));
        frame.step = STEP_VALUE;
        const key = itemKey(shape, i);
        if (key >= 0 && slot(frame, key)) continue;
      }
      const i = frame.order === null ? frame.item : frame.order[frame.item]!;
      if (itemKey(shape, i) >= 0) out.text(': ');
      frame.step = STEP_KEY;
      frame.item++;
      const value = itemValue(shape, i);
      if (value >= 0) slot(frame, value);
    }
  }

  /** The text of the items from `from` on whose slots are all scalars, and where they end. */
  #scalarRun(shape: Shape, from: number): { text: string; end: number } | undefined {
    const nodes = shape.nodeIndex;
    const slots = shape.slots;
    const texts: string[] = [];
    // Runs of a bounded length: the output checks maxLength before anything longer is joined.
    let length = 0;
    let i = from;
    if (shape.form === ItemForm.Values) {
      for (let s = shape.first + i; i < shape.count && length < RUN_LENGTH && (nodes === null || nodes[s]! < 0); i++, s++) {
        const text = this.#shapes.text(slots[s]);
        length += text.length;
        texts.push(text);
      }
    } else {
      for (let s = shape.first + 2 * i; i < shape.count && length < RUN_LENGTH && (nodes === null || (nodes[s]! < 0 && nodes[s + 1]! < 0)); i++, s += 2) {
        const text = this.#shapes.text(slots[s]) + ': ' + this.#shapes.text(slots[s + 1]);
        length += text.length;
        texts.push(text);
      }
    }
    return i === from ? undefined : { text: texts.join(', '), end: i };
  }

  // ---- pprint's layout ------------------------------------------------------------------------

  #layout(root: unknown, out: Output): void {
    const tasks: Task[] = [{ kind: FORMAT, child: root, indent: 0, allowance: 0, level: 0 }];
    while (tasks.length > 0) {
      const task = tasks.pop()!;
      if (typeof task === 'string') out.text(task);
      else if (task.kind === FORMAT) this.#format(task, tasks, out);
      else if (task.kind === ITEMS) this.#nextItem(task, tasks, out);
      else if (task.kind === FLAT) this.#flat(task.child, out);
      else out.newline(task.indent);
    }
  }

  #blanks(count: number): string {
    if (count > this.#maxLength) throw textTooLong('value', this.#maxLength);
    return ' '.repeat(count);
  }

  /** pprint's _format: the child on one line if it fits, else laid out by its type. */
  #format(task: FormatTask, tasks: Task[], out: Output): void {
    const { child, allowance } = task;
    let indent = task.indent;
    const maxWidth = this.#width - indent - allowance;
    if (!(child instanceof Occurrence)) {
      if (child instanceof Marker || child instanceof Reference) {
        out.text(this.#leafText(child));
        return;
      }
      const text = this.#shapes.text(child);
      if (this.#shapes.length(text) > maxWidth) {
        const kind = pyKind(child);
        if (kind === 'str') return this.#pprintStr(child as string, out, indent, allowance, task.level + 1);
        if (kind === 'bytes') return this.#pprintBytes(child as Uint8Array, out, indent, allowance, task.level + 1);
        if (kind === 'bytearray') {
          out.text('bytearray(');
          this.#pprintBytes(child as Uint8Array, out, indent + 10, allowance + 1, task.level + 2);
          out.text(')');
          return;
        }
      }
      out.text(text);
      return;
    }
    const shape = child.shape;
    const label = labelText(child.label);
    if (label.length + child.length <= maxWidth || shape.layout === 'flat') {
      this.#flat(child, out);
      return;
    }
    out.text(label);
    indent += label.length;
    const level = task.level + 1;
    const ipl = this.#indentPerLevel;
    const items = (style: ItemsTask['style'], at: number, allowanceOfLast: number, order: readonly number[] | null = null): ItemsTask => ({
      kind: ITEMS,
      style,
      occurrence: child,
      order,
      index: 0,
      indent: at,
      allowance: allowanceOfLast,
      level,
    });
    // Pushed last part first: the stack pops them in print order.
    switch (shape.layout) {
      case 'list':
        tasks.push(']', items(SEQUENCE, indent + ipl, allowance + 1));
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push('[');
        return;
      case 'tuple': {
        const end = shape.count === 1 ? ',)' : ')';
        tasks.push(end, items(SEQUENCE, indent + ipl, allowance + end.length));
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push('(');
        return;
      }
      case 'set':
      case 'frozenset': {
        const wide = shape.layout === 'frozenset';
        const at = wide ? indent + 10 : indent;
        tasks.push(shape.close, items(SEQUENCE, at + ipl, allowance + shape.close.length, this.#shapes.wrapOrder(shape)));
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push(shape.open);
        return;
      }
      case 'dict':
        tasks.push('}');
        if (shape.count > 0) tasks.push(items(DICT, indent + ipl, allowance + 1));
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push('{');
        return;
      case 'counter':
        tasks.push('})', items(DICT, indent + 8 + ipl, allowance + 2));
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push('Counter({');
        return;
      case 'defaultdict': {
        const at = indent + 12;
        tasks.push('})', items(DICT, at + ipl, allowance + 2, this.#shapes.wrapOrder(shape)));
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push('{', { kind: NEWLINE, indent: at }, ',', this.#leadTask(child), 'defaultdict(');
        return;
      }
      case 'deque': {
        const at = indent + 6;
        if (shape.maxlen === '') {
          tasks.push('])', items(SEQUENCE, at + ipl, allowance + 2));
        } else {
          tasks.push(`maxlen=${shape.maxlen})`, { kind: NEWLINE, indent: at }, '],', items(SEQUENCE, at + ipl, 2));
        }
        if (ipl > 1) tasks.push(this.#blanks(ipl - 1));
        tasks.push('deque([');
        return;
      }
      case 'call': {
        // A placeholder, laid out as pprint lays out a dataclass.
        const leadLength = shape.lead >= 0 ? this.#fullLength(this.#slot(child, shape.lead)) : this.#shapes.length(shape.leadText);
        const at = indent + this.#shapes.length(shape.open) + leadLength + this.#shapes.length(shape.mid);
        tasks.push(shape.close, items(CALL, at, allowance), shape.mid, this.#leadTask(child), shape.open);
        return;
      }
      default:
        this.#flat(child, out);
    }
  }

  #leadTask(occurrence: Occurrence): Task {
    const shape = occurrence.shape;
    return shape.lead >= 0 ? { kind: FLAT, child: this.#slot(occurrence, shape.lead) } : shape.leadText;
  }

  /**
   * Writes the next items of a run: scalars that fit straight away, then schedules the first
   * item that needs laying out (and the rest of the run after it).
   */
  #nextItem(task: ItemsTask, tasks: Task[], out: Output): void {
    const occurrence = task.occurrence;
    const shape = occurrence.shape;
    const count = shape.count;
    const { indent, level, style } = task;
    while (task.index < count) {
      const first = task.index === 0;
      const last = task.index === count - 1;
      const i = task.order === null ? task.index : task.order[task.index]!;
      const valueSlot = itemValue(shape, i);
      const allowance = style === CALL ? (last ? task.allowance + 1 : 1) : last ? task.allowance : 1;
      const nodes = shape.nodeIndex;
      if (style !== CALL && (nodes === null || nodes[valueSlot]! < 0)) {
        // Scalars that fit their line are written as pprint's _format writes them.
        const text = this.#shapes.text(shape.slots[valueSlot]);
        if (style === SEQUENCE) {
          if (this.#shapes.length(text) <= this.#width - indent - allowance) {
            if (!first) {
              out.text(',');
              out.newline(indent);
            }
            out.text(text);
            task.index++;
            continue;
          }
        } else {
          const keySlot = itemKey(shape, i);
          const keyText = nodes === null || nodes[keySlot]! < 0 ? this.#shapes.text(shape.slots[keySlot]) : undefined;
          if (keyText !== undefined && this.#shapes.length(text) <= this.#width - indent - this.#shapes.length(keyText) - 2 - allowance) {
            out.text(keyText);
            out.text(': ');
            out.text(text);
            if (!last) {
              out.text(',');
              out.newline(indent);
            }
            task.index++;
            continue;
          }
        }
      }
      const value = this.#slot(occurrence, valueSlot);
      task.index++;
      tasks.push(task);
      switch (style) {
        case SEQUENCE:
          tasks.push({ kind: FORMAT, child: value, indent, allowance, level });
          if (!first) tasks.push({ kind: NEWLINE, indent }, ',');
          return;
        case DICT: {
          const key = this.#slot(occurrence, itemKey(shape, i));
          if (!last) tasks.push({ kind: NEWLINE, indent }, ',');
          tasks.push({ kind: FORMAT, child: value, indent: indent + this.#fullLength(key) + 2, allowance, level }, ': ', { kind: FLAT, child: key });
          return;
        }
        default: {
          const prefix = itemPrefix(shape, i);
          tasks.push({ kind: FORMAT, child: value, indent: indent + this.#shapes.length(prefix), allowance, level }, prefix);
          if (!first) tasks.push({ kind: NEWLINE, indent }, ',');
          return;
        }
      }
    }
  }

  #pprintStr(text: string, out: Output, indent: number, allowance: number, level: number): void {
    if (text.length === 0) {
      out.text(reprStr(text));
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
      out.text(rep);
      return;
    }
    if (level === 1) out.text('(');
    chunks.forEach((chunk, i) => {
      if (i > 0) out.newline(indent);
      out.text(chunk);
    });
    if (level === 1) out.text(')');
  }

  #pprintBytes(bytes: Uint8Array, out: Output, indent: number, allowance: number, level: number): void {
    if (bytes.length <= 4) {
      out.text(reprBytes(bytes));
      return;
    }
    const parens = level === 1;
    if (parens) {
      indent += 1;
      allowance += 1;
      out.text('(');
    }
    let first = true;
    for (const rep of wrapBytesRepr(bytes, this.#width - indent, allowance)) {
      if (!first) out.newline(indent);
      first = false;
      out.text(rep);
    }
    if (parens) out.text(')');
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
    // Every whitespace character is in the BMP: one UTF-16 unit each.
    while (i < line.length && !isPythonSpace(line.charCodeAt(i))) i++;
    while (i < line.length && isPythonSpace(line.charCodeAt(i))) i++;
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
  return new Printer(options, false).repr(value);
}

/**
 * `pprint.pformat(value)`: what `python -m pickle FILE` prints for the value (without the final
 * newline). Dict keys are sorted and long containers, strings and bytes wrapped as pprint does.
 */
export function pformat(value: unknown, options: PythonFormatOptions = {}): string {
  return new Printer(options, true).pformat(value);
}

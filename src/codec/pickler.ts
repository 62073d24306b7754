// The pickler: follows CPython's save() order and opcode choices (Modules/_pickle.c), so that
// for values made of Python's builtin types its output is byte for byte what CPython writes.
// Like the unpickler it never recurses: containers schedule the saving of their items on an
// explicit task stack, so nesting depth is bounded by maxDepth, not by the JavaScript stack.
import { REVERSE_IMPORT_MAPPING, REVERSE_NAME_MAPPING } from '../protocol/compat.js';
import { DEFAULT_PROTOCOL, HIGHEST_PROTOCOL } from '../protocol/limits.js';
import { firstHole, holeMessage } from './array-holes.js';
import { detachedMessage, isDetached } from '../values/detached-buffer.js';
import { PickleError, type PickleErrorCode, PicklingError, UnpicklingError } from '../errors.js';
import { fallbackRegistry } from './fallback-registry.js';
import { FastExpansion, fastExpansionMessage } from './fast-expansion.js';
import { encodeChunkedLong, encodeLong, isChunkedLong, MAX_CHUNKED_LONG_BYTES, minimalLength, pythonFloatRepr } from './numbers.js';
import { jsValueHint } from './js-value-hints.js';
import { checkMembers, MemberKind } from './member-check.js';
import { formatPath, type PathStep, step, StepKind } from './pickle-path.js';
import { PythonKeys } from './python-hash.js';
import { BARE_NEWOBJ, type BareNewObj, defaultRegistry, type DumpContext, type PyClassHandler, type Reduction, Registry } from '../registry/registry.js';
import { unpicklableFunctionMessage, unregisteredInstanceMessage } from '../registry/registry-hints.js';
import { RECENT_STRINGS, StringMemo } from './string-memo.js';
import { encodeRawUnicodeEscape, encodeUtf8Into, utf8Length } from './text.js';
import { latin1String } from './text-latin1.js';
import { PyByteArray } from '../values/bytearray.js';
import { PyEnumType } from '../values/collections.js';
import { PyComplex } from '../values/complex.js';
import { describe } from '../values/describe.js';
import { isPlainDict } from '../values/dict.js';
import { PyFloat } from '../values/float.js';
import { type Floats, floatKey, floatsOf, itemIsFloat, itemsToWrite, keyIsFloat, membersToWrite, valueIsFloat, valueToWrite } from '../values/float-marks.js';
import { PyFrozenSet } from '../values/frozenset.js';
import { PyGlobal, COPYREG_NEWOBJ as NEWOBJ, COPYREG_NEWOBJ_EX as NEWOBJ_EX, COPYREG_RECONSTRUCTOR as RECONSTRUCTOR, BUILTINS_OBJECT as OBJECT } from '../values/global.js';
import { PyObject } from '../values/object.js';
import { PickleBuffer } from '../values/picklebuffer.js';
import { Tuple } from '../values/tuple.js';
import { FRAME_SIZE_TARGET, OutputTooLarge, PickleWriter } from './writer.js';

/** Options of `dumps` and `Pickler`. */
export interface DumpOptions {
  /** Pickle protocol 0–5; default 4. A negative number means the highest (5). */
  protocol?: number;
  /** Where values' classes are found; the shared default registry when omitted. */
  registry?: Registry;
  /** Write Python 2 names (`__builtin__`, `copy_reg`, …) below protocol 3. Default true. */
  fixImports?: boolean;
  /**
   * Protocol 5 out-of-band buffers: called with each `PickleBuffer`; a falsy return (as Python's
   * `buffers.append` gives) sends the buffer out of band, a truthy one keeps it in the pickle.
   */
  bufferCallback?: (buffer: PickleBuffer) => unknown;
  /** Python's `persistent_id`: a value other than undefined/null is written as a persistent id. */
  persistentId?: (value: unknown) => unknown;
  /** Python's `reducer_override`: a reduction for a value, or undefined to pickle it normally. */
  reducerOverride?: (value: unknown) => Reduction | undefined;
  /** The extension registry for EXT1/EXT2/EXT4: code → [module, qualified name]. */
  extensions?: ReadonlyMap<number, readonly [string, string]> | Readonly<Record<number, readonly [string, string]>>;
  /** Deepest nesting written; deeper values give a PicklingError. Default 1 000 000. */
  maxDepth?: number;
  /** Keep the memo across `Pickler.dump()` calls, as CPython's Pickler does. Default false. */
  keepMemo?: boolean;
  /**
   * Which equal strings are written once and then fetched from the memo (JavaScript strings have
   * no identity). `'recent'` (default): strings of 256 or more UTF-16 units, and shorter ones
   * while they are recent (a window of two generations of 4096 short strings to start with),
   * which keeps dict keys and repeated values shared at little cost; the window widens when many
   * strings come back from beyond it. `'all'`: every one, for the smallest output, slower when
   * there are many distinct strings.
   */
  shareStrings?: 'recent' | 'all';
  /**
   * CPython's `Pickler.fast`: no memo at all. Nothing is memoized, so a value met twice is
   * written twice (equal strings, shared objects, a class for each instance), and the bytes
   * are those of CPython's pickler with `fast = True`. Faster for data that is a tree (records
   * from JSON, rows); a value that contains itself gives a PicklingError ('SHARED_IN_FAST_MODE'),
   * and so does a value whose shared parts, written again at each reference, would add more
   * than 8 times the size of the rest (a DAG that would expand exponentially). Default false.
   */
  fast?: boolean;
  /** Receives each complete pickle `Pickler.dump()` writes (never a partial one). */
  write?: (chunk: Uint8Array) => void;
}

const MARK = 0x28;
const APPEND = 0x61;
const APPENDS = 0x65;
const SETITEM = 0x73;
const SETITEMS = 0x75;
const ADDITEMS = 0x90;
const BUILD = 0x62;
const REDUCE = 0x52;
const POP = 0x30;
const POP_MARK = 0x31;
/**
 * In fast mode, values nested this deep or deeper are checked for containing themselves. CPython
 * checks from the same depth, counting lists, dicts and sets; this counts every container and
 * reduced object (a registered instance's state dict is made afresh each time, so the instance
 * itself must be checked). Either way only a true cycle is an error.
 */
const FAST_NESTING_LIMIT = 50;
const BATCH_SIZE = 1000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The most decimal digits of an int written as text (LONG at protocols 0 and 1): CPython's
 * default `int_max_str_digits`, beyond which its pickler refuses to write it and its unpickler
 * (and `loads`, by default) to read it.
 */
const MAX_INT_TEXT_DIGITS = 4300;
/** Bits of the largest int of MAX_INT_TEXT_DIGITS digits (10^4300 - 1 < 2^14285). */
const MAX_INT_TEXT_BITS = 14285;

/** The decimal text of `value` for LONG, or a failure when Python would refuse it. */
function longText(value: bigint): string {
  // Counted in hex first: a huge int is refused without the cost of its decimal text.
  const magnitude = value < 0n ? -value : value;
  const text = (magnitude.toString(16).length - 1) * 4 < MAX_INT_TEXT_BITS ? magnitude.toString() : undefined;
  if (text === undefined || text.length > MAX_INT_TEXT_DIGITS) {
    failure(
      `an int of more than ${MAX_INT_TEXT_DIGITS} digits cannot be written as text at protocols 0 and 1 ` +
        '(Python refuses to write and to read it: its int_max_str_digits); protocol 2 and later write it in binary',
      undefined,
      'UNREPRESENTABLE',
    );
  }
  return value < 0n ? `-${text}` : text;
}

const BYTES = new PyGlobal('builtins', 'bytes');
const BYTEARRAY = new PyGlobal('builtins', 'bytearray');
const CODECS_ENCODE = new PyGlobal('_codecs', 'encode');
const COMPLEX = new PyGlobal('builtins', 'complex');
const SET = new PyGlobal('builtins', 'set');
const FROZENSET = new PyGlobal('builtins', 'frozenset');
const GETATTR = new PyGlobal('builtins', 'getattr');

/** A step below the value being saved, for a failure about a part of it (a Map's key). */
interface InnerStep {
  readonly kind: StepKind;
  readonly key: unknown;
  readonly label?: string;
}

/** Thrown inside a save; the dump reports it with the path of the value being saved. */
class SaveFailure extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
    /** Where in the value being saved it went wrong, when that is a part of it. */
    readonly inner?: InnerStep,
    readonly code: PickleErrorCode = 'UNPICKLABLE',
  ) {
    super(message);
  }
}

function failure(message: string, cause?: unknown, code?: PickleErrorCode): never {
  throw new SaveFailure(message, cause, undefined, code);
}

/** The code a failure inside a reduction keeps: a PickleError's own (INVALID_ARGUMENT, ...), else UNPICKLABLE. */
function codeOf(error: unknown): PickleErrorCode | undefined {
  return error instanceof PickleError && !(error instanceof UnpicklingError) && error.code !== 'PICKLE_ERROR' ? error.code : undefined;
}

const isCopyreg = (callable: unknown, name: string): boolean =>
  callable instanceof PyGlobal && callable.module === 'copyreg' && callable.name === name;

/** `[copyreg.__newobj__, [cls], state]` whose state is the plain dict `fresh` made for it. */
const isBareNewObj = (reduction: Reduction, fresh: object): boolean =>
  Array.isArray(reduction) &&
  reduction.length === 3 &&
  reduction[2] === fresh &&
  isPlainDict(fresh) &&
  isCopyreg(reduction[0], '__newobj__') &&
  Array.isArray(reduction[1]) &&
  reduction[1].length === 1;

/** Bytes to write as the Latin-1 text CPython gives `_codecs.encode` below protocol 3. */
class Latin1Text {
  constructor(readonly bytes: Uint8Array) {}
}

/** What a frame works through; each kind has one step method. */
const Kind = {
  /** A list's items, MARK … APPENDS per batch of 1000 (protocol 1+, two or more items). */
  List: 0,
  /** A list's items, APPEND after each (protocol 0, or a single item). */
  ListEach: 1,
  /** A dict's pairs, SETITEM each or MARK … SETITEMS per batch. */
  Dict: 2,
  /** A set's items, MARK … ADDITEMS per batch (protocol 4+). */
  Set: 3,
  /** A frozenset's items, then FROZENSET (protocol 4+). */
  FrozenSet: 4,
  /** A tuple's items, then TUPLE1-3 or TUPLE. */
  Tuple: 5,
  /** A reduction or placeholder: a program of parts to save and opcodes to write, in order. */
  Program: 6,
  /** The list items of a reduction (batch_list). */
  AppendItems: 7,
  /** The dict items of a reduction (batch_dict). */
  SetItems: 8,
} as const;

/** Program instructions, three slots each: [op, a, b]. */
const Op = {
  /** Save `a`; `b` labels it in error paths. */
  Save: 0,
  /** Save `a` without asking persistentId (a persistent id itself). */
  SaveRaw: 1,
  /** Write the byte `a`. */
  Byte: 2,
  /** Write the Latin-1 text `a`. */
  Latin1: 3,
  /** Memoize the object `a`, or, when saving its parts memoized it already, POP and fetch it. */
  MemoizeOrPop: 4,
  /**
   * Save a tuple the pickler made (so nothing else can refer to it) of the items `a`: labelled
   * `b` when `b` is a string, each item labelled `b[i]` when it is an array.
   */
  FreshTuple: 5,
  /** The list items of a reduction, from the iterable `a`, labelled `b`. */
  AppendItems: 6,
  /** The dict items of a reduction, from the iterable `a` of pairs, labelled `b`. */
  SetItems: 7,
  /** Memoize the global named `a` (its memo key). */
  MemoizeGlobal: 8,
  /** Save the dict `a`, labelled `b`, that nothing else refers to: no memo lookup or entry. */
  FreshDict: 9,
} as const;

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/**
 * The end of a NEWOBJ written directly (#saveBareNewObj): the state, then BUILD. The frame
 * starts as if the state were in progress (its value is passed directly), so it resumes at BUILD
 * and error paths still say `<state>` or `.state`.
 */
const FRESH_STATE_THEN_BUILD: readonly unknown[] = Object.freeze([Op.FreshDict, undefined, '<state>', Op.Byte, BUILD, undefined]);
const PLACEHOLDER_STATE_THEN_BUILD: readonly unknown[] = Object.freeze([Op.Save, undefined, '.state', Op.Byte, BUILD, undefined]);

/**
 * One container being written. Frames live in a pool indexed by depth and are reused, so
 * saving a container allocates nothing for the bookkeeping.
 */
class Frame {
  kind = 0;
  /** The nesting depth of the values this frame saves. */
  depth = 0;
  /** The container (or tuple), checked against the memo when it is finished. */
  value: unknown = undefined;
  /** Items, dict keys, set items, pairs or program instructions. */
  items: readonly unknown[] = NO_ITEMS;
  /** The Map whose keys `items` are, for a Map dict. */
  map: Map<unknown, unknown> | undefined = undefined;
  /** The container's loaded floats (items, keys, values to write as floats), if it has any. */
  floats: Floats | undefined = undefined;
  /** Labels in error paths: one for all items (string) or one per item (array). */
  labels: string | readonly string[] | undefined = undefined;
  /** The item being saved. */
  i = 0;
  n = 0;
  /** Dict and dict items: 0 while a key is saved, 1 while its value is. */
  phase = 0;
  /** Item i is a container being saved by the frames above: finish it when this frame resumes. */
  pending = false;
  /** List and dict: written in batches. Tuple: the short TUPLE1-3 form. */
  batched = false;
  /** Tuple: one the pickler made, so never in the memo (no memo check or entry). */
  fresh = false;
}

/** Lists of at most this many items are written in place when every item is a scalar. */
const SHORT_LIST = 16;

/** Dicts of at most this many pairs write their leading pairs of scalars in place. */
const SHORT_DICT = 16;

/** A number, string, boolean, null or undefined: saved at once, never nesting or failing. */
function isScalar(value: unknown): boolean {
  return typeof value === 'object' ? value === null : typeof value !== 'bigint' && typeof value !== 'symbol' && typeof value !== 'function';
}

/** Whether the first `n` items are scalars (isScalar). */
function allScalars(items: readonly unknown[], n: number): boolean {
  for (let i = 0; i < n; i++) if (!isScalar(items[i])) return false;
  return true;
}

/** `.args[i]` labels, made once per argument count (placeholders are written per instance). */
const argLabelCache: string[][] = [];
function argLabels(n: number): readonly string[] {
  let labels = argLabelCache[n];
  if (!labels) {
    labels = Array.from({ length: n }, (_, i) => `.args[${i}]`);
    if (n < 64) argLabelCache[n] = labels;
  }
  return labels;
}

/**
 * Writes pickles. `dump()` returns one complete pickle (and hands it to the `write` option);
 * each starts with a fresh memo unless `keepMemo` is set.
 */
export class Pickler {
  readonly protocol: number;
  readonly #registry: Registry;
  /** What the registry does not know is looked up here: the builtins, and the standard types once installed. */
  readonly #fallback: Registry;
  readonly #fixImports: boolean;
  readonly #bufferCallback: DumpOptions['bufferCallback'];
  readonly #persistentId: DumpOptions['persistentId'];
  readonly #reducerOverride: DumpOptions['reducerOverride'];
  readonly #extensions: Map<string, number> | undefined;
  readonly #maxDepth: number;
  readonly #keepMemo: boolean;
  readonly #fast: boolean;
  /** Fast mode: the values of open frames FAST_NESTING_LIMIT deep or deeper, to catch a cycle. */
  #fastOpen: Set<unknown> | undefined;
  /** Fast mode: how far shared values have been expanded, to refuse a DAG that would explode. */
  readonly #fastExpansion: FastExpansion | undefined;
  readonly #write: DumpOptions['write'];
  readonly #out = new PickleWriter();
  #released = false;
  /** Memo by identity for objects (globals too, besides their memo by name). */
  #memo = new Map<unknown, number>();
  /** Memo by value for strings (JavaScript strings have no identity). */
  readonly #stringWindow: number;
  #stringMemo: StringMemo;
  /** Memo entries written so far: the index of the next one. */
  #memoCount = 0;
  /** Globals are names, so they are memoized by qualified name. */
  #globalMemo = new Map<string, number>();
  #context: DumpContext = { protocol: 0, cache: new Map() };
  /** The frames of the containers being written, bottom first; `#top` of them are in use. */
  readonly #frames: Frame[] = [];
  #top = 0;
  /**
   * The prototype of the last value that went through every check of #saveObject to
   * #saveByReduction (a registered class's instance, as a rule): the next value with it goes
   * there at once. The checks are instanceof tests, so they answer alike for a prototype (as long
   * as no prototype chain is changed during the dump); not for an array, which #reducedByHandler
   * may send elsewhere. Forgotten at each dump.
   */
  #reducedProto: object | null | undefined = undefined;

  constructor(options: DumpOptions = {}) {
    let protocol = options.protocol ?? DEFAULT_PROTOCOL;
    if (protocol < 0) protocol = HIGHEST_PROTOCOL;
    if (!Number.isInteger(protocol) || protocol > HIGHEST_PROTOCOL) {
      throw new PicklingError(`pickle protocol must be an integer <= ${HIGHEST_PROTOCOL}, not ${protocol}`, undefined, { code: 'INVALID_ARGUMENT' });
    }
    if (options.bufferCallback && protocol < 5) throw new PicklingError('bufferCallback needs protocol >= 5', undefined, { code: 'INVALID_ARGUMENT' });
    this.protocol = protocol;
    this.#registry = options.registry ?? defaultRegistry();
    this.#fallback = fallbackRegistry();
    this.#fixImports = (options.fixImports ?? true) && protocol < 3;
    this.#bufferCallback = options.bufferCallback;
    this.#persistentId = options.persistentId;
    this.#reducerOverride = options.reducerOverride;
    this.#maxDepth = options.maxDepth ?? 1_000_000;
    this.#keepMemo = options.keepMemo ?? false;
    this.#fast = options.fast ?? false;
    this.#fastExpansion = this.#fast ? new FastExpansion() : undefined;
    const shareStrings = options.shareStrings ?? 'recent';
    if (shareStrings !== 'recent' && shareStrings !== 'all') {
      throw new PicklingError(`shareStrings must be 'recent' or 'all', not ${String(shareStrings)}`, undefined, { code: 'INVALID_ARGUMENT' });
    }
    this.#stringWindow = shareStrings === 'all' ? Infinity : RECENT_STRINGS;
    this.#stringMemo = new StringMemo(this.#stringWindow);
    this.#write = options.write;
    if (options.extensions) {
      this.#extensions = new Map();
      const table = options.extensions;
      const entries = table instanceof Map ? [...table.entries()] : Object.entries(table).map(([k, v]) => [Number(k), v] as const);
      for (const [code, [module, name]] of entries) {
        if (!Number.isInteger(code) || code <= 0 || code > 0x7fffffff) throw new PicklingError(`invalid extension code ${code}`, undefined, { code: 'INVALID_ARGUMENT' });
        this.#extensions.set(`${module}\n${name}`, code);
      }
    }
  }

  /** Lets a later Pickler reuse this one's output buffer. Idempotent; a released Pickler refuses to dump. */
  release(): void {
    this.#released = true;
    this.#out.release();
  }

  /** Forgets what earlier dumps memoized (only matters with keepMemo). */
  clearMemo(): void {
    this.#memo = new Map();
    this.#stringMemo = new StringMemo(this.#stringWindow);
    this.#globalMemo = new Map();
    this.#memoCount = 0;
  }

  /** Pickles `value`; returns the complete pickle. Nothing is written anywhere on failure. */
  dump(value: unknown): Uint8Array {
    if (this.#released) {
      throw new PicklingError('this Pickler was released: its buffer went to the next Pickler made; make a new Pickler', undefined, { code: 'RELEASED' });
    }
    const out = this.#out;
    out.reset();
    this.#reducedProto = undefined;
    if (!this.#keepMemo) this.clearMemo();
    const memoBefore = this.#keepMemo
      ? { objects: new Map(this.#memo), strings: this.#stringMemo.copy(), globals: new Map(this.#globalMemo), count: this.#memoCount }
      : undefined;
    this.#context = { protocol: this.protocol, cache: new Map() };
    this.#top = 0;
    this.#fastOpen = undefined;
    this.#fastExpansion?.reset();
    let pickle: Uint8Array;
    try {
      if (this.protocol >= 2) out.byte2(0x80, this.protocol);
      if (this.protocol >= 4) out.setFraming(true);
      if (!this.#save(value)) this.#run();
      out.byte(0x2e); // STOP
      out.setFraming(false);
      pickle = out.result();
    } catch (error) {
      // A failed dump leaves the memo as it was, so later dumps never refer to unwritten entries.
      if (memoBefore) this.#restoreMemo(memoBefore);
      if (error instanceof PicklingError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new PicklingError(message, this.#failurePath(error instanceof SaveFailure ? error.inner : undefined), {
        cause: error instanceof SaveFailure ? error.cause : error,
        code: error instanceof SaveFailure ? error.code : error instanceof OutputTooLarge ? 'LIMIT_EXCEEDED' : error instanceof PickleError ? error.code : 'UNPICKLABLE',
      });
    } finally {
      while (this.#top > 0) this.#pop();
      this.#context.cache.clear();
    }
    if (this.#write) {
      try {
        this.#write(pickle);
      } catch (error) {
        // Not delivered: later dumps must not refer to what it memoized either.
        if (memoBefore) this.#restoreMemo(memoBefore);
        throw error;
      }
    }
    return pickle;
  }

  #restoreMemo(memo: { objects: Map<unknown, number>; strings: StringMemo; globals: Map<string, number>; count: number }): void {
    this.#memo = memo.objects;
    this.#stringMemo = memo.strings;
    this.#globalMemo = memo.globals;
    this.#memoCount = memo.count;
  }

  // ---- frames -------------------------------------------------------------------------------

  /** Runs the frames until every container is written. Only this loop resumes frames. */
  #run(): void {
    const frames = this.#frames;
    while (this.#top > 0) {
      const frame = frames[this.#top - 1]!;
      switch (frame.kind) {
        case Kind.List:
          this.#stepList(frame);
          break;
        case Kind.ListEach:
          this.#stepListEach(frame);
          break;
        case Kind.Dict:
          this.#stepDict(frame);
          break;
        case Kind.Set:
          this.#stepSet(frame);
          break;
        case Kind.FrozenSet:
          this.#stepFrozenSet(frame);
          break;
        case Kind.Tuple:
          this.#stepTuple(frame);
          break;
        case Kind.Program:
          this.#stepProgram(frame);
          break;
        case Kind.AppendItems:
          this.#stepAppendItems(frame);
          break;
        case Kind.SetItems:
          this.#stepSetItems(frame);
          break;
      }
    }
  }

  #push(kind: number, depth: number, value: unknown, items: readonly unknown[]): Frame {
    if (this.#fast) this.#enterFast(value, items.length, depth);
    let frame = this.#frames[this.#top];
    if (!frame) {
      frame = new Frame();
      this.#frames.push(frame);
    }
    this.#top++;
    frame.kind = kind;
    frame.depth = depth;
    frame.value = value;
    frame.items = items;
    frame.i = 0;
    frame.n = items.length;
    frame.phase = 0;
    frame.pending = false;
    frame.map = undefined;
    frame.floats = undefined;
    frame.labels = undefined;
    frame.batched = false;
    frame.fresh = false;
    return frame;
  }

  /** Drops the top frame, letting go of what it referred to. */
  #pop(): void {
    const frame = this.#frames[--this.#top]!;
    if (this.#fast) this.#leaveFast(frame);
    frame.value = undefined;
    frame.items = NO_ITEMS;
    frame.map = undefined;
    frame.floats = undefined;
    frame.labels = undefined;
  }

  /**
   * Fast mode has no memo to write a value that contains itself as a reference to itself, so
   * that would nest for ever: a value open deep down (FAST_NESTING_LIMIT) that is opened again
   * is an error. A value shared so much that writing it at each reference would explode (a
   * DAG) is one too (FastExpansion).
   */
  #enterFast(value: unknown, items: number, depth: number): void {
    const shared = this.#fastExpansion!.open(value, items, this.#top);
    if (shared !== undefined) failure(fastExpansionMessage(describe(shared)), undefined, 'SHARED_IN_FAST_MODE');
    if (depth < FAST_NESTING_LIMIT || value === undefined) return;
    this.#fastOpen ??= new Set();
    if (this.#fastOpen.has(value)) failure(`fast mode: ${describe(value)} contains itself, and without a memo it cannot refer back to itself`, undefined, 'SHARED_IN_FAST_MODE');
    this.#fastOpen.add(value);
  }

  /** Fast mode: the frame at the top (index #top now) is done. */
  #leaveFast(frame: Frame): void {
    this.#fastExpansion!.close(this.#top);
    if (this.#fastOpen !== undefined && frame.depth >= FAST_NESTING_LIMIT) this.#fastOpen.delete(frame.value);
  }

  /**
   * An undefined item of a list, tuple or list items: refused when it is a hole (an index the
   * array does not have). Checked here, for undefined only, so that other items pay nothing.
   */
  #refuseHole(): void {
    const frame = this.#frames[this.#top - 1]!;
    const kind = frame.kind;
    if (kind !== Kind.List && kind !== Kind.ListEach && kind !== Kind.Tuple && kind !== Kind.AppendItems) return;
    if (!(frame.i in frame.items)) failure(holeMessage(frame.i));
  }

  /** Refuses an array with a hole before its items are spread or counted (path: `label[i]` below the value). */
  #refuseHoles(array: readonly unknown[], label: string): void {
    const hole = firstHole(array);
    if (hole >= 0) throw new SaveFailure(holeMessage(hole), undefined, { kind: StepKind.LabelIndex, key: hole, label });
  }

  /** The nesting depth of a value saved now: the top frame's, or 0 for the value itself. */
  #depth(): number {
    return this.#top === 0 ? 0 : this.#frames[this.#top - 1]!.depth;
  }

  /** Where the failing value sits: each frame contributes the step to the item it is saving. */
  #failurePath(inner?: InnerStep): string {
    let node: PathStep | undefined;
    for (let k = 0; k < this.#top; k++) {
      const frame = this.#frames[k]!;
      const { i, items } = frame;
      switch (frame.kind) {
        case Kind.List:
        case Kind.ListEach:
          node = step(node, StepKind.Index, i);
          break;
        case Kind.Tuple:
          if (Array.isArray(frame.labels)) node = step(node, StepKind.Label, frame.labels[i]);
          else node = step(node, StepKind.Index, i);
          break;
        case Kind.Dict: {
          const key = items[i];
          if (frame.phase === 0) node = step(node, StepKind.DictKey, i);
          else node = step(node, typeof key === 'string' ? StepKind.Key : StepKind.MapValue, key);
          break;
        }
        case Kind.Set:
          node = step(node, StepKind.SetItem, i);
          break;
        case Kind.FrozenSet:
          node = step(node, StepKind.FrozenSetItem, i);
          break;
        case Kind.AppendItems:
          node = step(node, StepKind.LabelIndex, i, frame.labels as string);
          break;
        case Kind.SetItems:
          node = step(node, StepKind.LabelIndex, frame.phase, `${frame.labels as string}[${i}]`);
          break;
        case Kind.Program: {
          const op = items[i];
          const label = items[i + 2];
          if (op === Op.Save || op === Op.FreshDict || (op === Op.FreshTuple && typeof label === 'string')) {
            node = step(node, StepKind.Label, label);
          }
          break;
        }
      }
    }
    if (inner !== undefined) node = step(node, inner.kind, inner.key, inner.label);
    return formatPath(node);
  }

  // ---- dict keys and set members ------------------------------------------------------------

  /** Python's equality of keys, with this dump's registry for the classes it knows. */
  readonly #makeKeys = (): PythonKeys =>
    new PythonKeys(
      (value) => this.#registry.handlerForValue(value) ?? this.#fallback.handlerForValue(value),
      (cls) => this.#registry.handlerForClass(cls) ?? this.#fallback.handlerForClass(cls),
    );

  /**
   * Refuses a Map's keys or a Set's members of which Python cannot hash one, or finds two equal
   * (it would keep one entry for both): the error's path names the member.
   */
  #checkMembers(members: readonly unknown[], kind: MemberKind): void {
    const problem = checkMembers(members, kind, this.#makeKeys);
    if (problem === undefined) return;
    let inner: InnerStep;
    if (kind === MemberKind.MapKey) inner = { kind: StepKind.DictKey, key: problem.index };
    else if (kind === MemberKind.SetMember) inner = { kind: StepKind.SetItem, key: problem.index };
    else if (kind === MemberKind.FrozenSetMember) inner = { kind: StepKind.FrozenSetItem, key: problem.index };
    else inner = { kind: StepKind.LabelIndex, key: 0, label: `<dict items>[${problem.index}]` };
    throw new SaveFailure(problem.message, undefined, inner, 'UNHASHABLE');
  }

  // ---- memo ---------------------------------------------------------------------------------

  #memoize(key: object): void {
    if (this.#fast) return;
    const index = this.#memoCount++;
    this.#memo.set(key, index);
    this.#writePut(index);
  }

  #writePut(index: number): void {
    if (this.#fast) return; // CPython's fast mode writes no PUT
    const out = this.#out;
    if (this.protocol >= 4) out.byte(0x94); // MEMOIZE
    else if (this.protocol === 0) out.latin1(`p${index}\n`);
    else if (index < 256) out.byte2(0x71, index); // BINPUT
    else out.opU32(0x72, index); // LONG_BINPUT
  }

  #writeGet(index: number): void {
    const out = this.#out;
    if (this.protocol === 0) out.latin1(`g${index}\n`);
    else if (index < 256) out.byte2(0x68, index); // BINGET
    else out.opU32(0x6a, index); // LONG_BINGET
  }

  // ---- save ---------------------------------------------------------------------------------

  /**
   * Saves one value at the current position. Returns true when it is completely written, false
   * when it pushed a frame for the rest (which the run loop then works through).
   */
  #save(value: unknown, persistentDone = false): boolean {
    this.#out.opcodeBoundary();
    if (this.#persistentId !== undefined && !persistentDone) {
      const pid = this.#persistentId(value);
      if (pid !== undefined && pid !== null) return this.#savePersistent(pid);
    }
    // An if-chain, not a switch on typeof: TurboFan turns each `typeof value === '…'` into a type
    // check, where a switch first calls a builtin that makes the type's name.
    if (typeof value === 'string') {
      const index = this.#fast ? undefined : this.#stringMemo.find(value);
      if (index !== undefined) this.#writeGet(index);
      else this.#saveString(value);
      return true;
    }
    if (typeof value === 'number') {
      // Safe integers are ints; anything else (fractions, -0, NaN, ±inf, and integral values
      // beyond 2^53, which loads gives as bigint when they were ints) is a float.
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.#saveInt(value);
      else this.#saveFloat(value);
      return true;
    }
    if (typeof value === 'object') {
      if (value === null) {
        this.#out.byte(0x4e); // NONE
        return true;
      }
      const index = this.#memo.get(value);
      if (index !== undefined) {
        this.#writeGet(index);
        return true;
      }
      return this.#saveObject(value);
    }
    if (typeof value === 'undefined') {
      if (this.#top > 0) this.#refuseHole();
      this.#out.byte(0x4e); // NONE
      return true;
    }
    if (typeof value === 'boolean') {
      this.#saveBool(value);
      return true;
    }
    if (typeof value === 'bigint') {
      this.#saveBigInt(value);
      return true;
    }
    if (typeof value === 'function') return this.#saveClass(value, value);
    failure(`cannot pickle a ${typeof value}`);
  }

  /**
   * A JavaScript class used as a value (`__reduce__` returning `[Money, args]`, or `dumps(Money)`):
   * the Python global its handler names, as CPython's save_global writes a class, memoized by the
   * JavaScript object (`value`: the class, or the enum type standing for it).
   */
  #saveClass(cls: Function, value: object): boolean {
    const index = this.#memo.get(value);
    if (index !== undefined) {
      this.#writeGet(index);
      return true;
    }
    const depth = this.#depth();
    if (this.#top > 0 && depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
    if (this.#reducerOverride !== undefined) {
      let reduction: Reduction | undefined;
      try {
        reduction = this.#reducerOverride(value);
      } catch (error) {
        failure(error instanceof Error ? error.message : String(error), error, error instanceof PickleError ? error.code : undefined);
      }
      if (reduction !== undefined) return this.#saveReduce(reduction, value, depth + 1);
    }
    const handler = this.#registry.handlerForClass(cls) ?? this.#fallback.handlerForClass(cls);
    if (handler === undefined || handler.kind === 'function') failure(unpicklableFunctionMessage(cls, this.#registry, handler));
    const global = new PyGlobal(handler.module, handler.name);
    const done = this.#saveGlobal(global, depth + 1);
    const memoIndex = this.#memo.get(global);
    if (memoIndex !== undefined) this.#memo.set(value, memoIndex);
    return done;
  }

  /** An object not in the memo. The exact builtin classes first; then the general order. */
  #saveObject(value: object): boolean {
    const depth = this.#depth();
    if (this.#top > 0 && depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Object.prototype) return this.#saveDict(value as Record<string, unknown>, undefined, Object.keys(value), depth + 1);
    if (proto === Array.prototype) return this.#saveList(value as unknown[], depth + 1);
    if (proto === Tuple.prototype) return this.#saveTuple(value as Tuple, depth + 1);
    if (proto === PyGlobal.prototype) return this.#saveGlobal(value as PyGlobal, depth + 1);
    if (proto === this.#reducedProto && !Array.isArray(value)) return this.#saveByReduction(value, depth + 1);
    if (this.#reducedByHandler(value, proto)) return this.#saveByReduction(value, depth + 1);
    if (value instanceof Uint8Array) {
      if (value.length === 0 && isDetached(value.buffer)) failure(detachedMessage(value instanceof PyByteArray ? 'a PyByteArray' : 'a Uint8Array'), undefined, 'INVALID_ARGUMENT');
      return value instanceof PyByteArray ? this.#saveByteArray(value, depth + 1) : this.#saveBytes(value, depth + 1);
    }
    if (Array.isArray(value)) return value instanceof Tuple ? this.#saveTuple(value, depth + 1) : this.#saveList(value, depth + 1);
    if (value instanceof Map) return this.#saveDict(value, value, [...value.keys()], depth + 1);
    if (value instanceof Set) return value instanceof PyFrozenSet ? this.#saveFrozenSet(value, depth + 1) : this.#saveSet(value, depth + 1);
    if (value instanceof PyGlobal) return this.#saveGlobal(value, depth + 1);
    if (value instanceof PyObject) return this.#savePlaceholder(value, depth + 1);
    if (value instanceof PyFloat) {
      this.#saveFloat(value.value);
      return true;
    }
    if (value instanceof PyComplex) {
      // complex.__reduce__ gives (complex, (real, imag)): both parts floats, even when integral.
      return this.#saveReduce([COMPLEX, Tuple.from([new PyFloat(value.real), new PyFloat(value.imag)])], value, depth + 1);
    }
    if (value instanceof PickleBuffer) return this.#savePickleBuffer(value);
    if (value instanceof Latin1Text) {
      this.#saveLatin1Text(value.bytes);
      return true;
    }
    this.#reducedProto = proto;
    return this.#saveByReduction(value, depth + 1);
  }

  /**
   * A subclass of Array, Map or Set whose class has a handler with `reduce` (the standard
   * PyOrderedDict, PyCounter, PyDefaultDict, PyDeque, or a user's) is written by its reduction,
   * not as the builtin list, dict or set it extends. The exact builtin classes skip the lookup.
   */
  #reducedByHandler(value: object, proto: object | null): boolean {
    if (proto === Map.prototype || proto === Set.prototype) return false;
    if (!(Array.isArray(value) || value instanceof Map || value instanceof Set)) return false;
    const handler = this.#registry.handlerForValue(value) ?? this.#fallback.handlerForValue(value);
    return handler?.reduce !== undefined;
  }

  #saveByReduction(value: object, depth: number): boolean {
    let reduction: Reduction | undefined;
    const context = this.#context;
    let fresh: object | undefined;
    let bare: BareNewObj<object> | undefined;
    let bareState: object | undefined;
    try {
      reduction = this.#reducerOverride?.(value);
      if (reduction === undefined) {
        const handler: PyClassHandler | undefined =
          this.#registry.handlerForValue(value) ?? this.#fallback.handlerForValue(value);
        const own = value as { __reduce_ex__?: (protocol: number) => unknown; __reduce__?: () => unknown };
        // The handler's commonest reduction, written without being built, where it applies.
        bare = handler?.[BARE_NEWOBJ] as BareNewObj<object> | undefined;
        if (bare !== undefined && this.#persistentId === undefined && this.#canSaveBareNewObj(bare.cls, depth)) {
          bareState = bare.state(value, this.protocol, context);
        }
        if (bareState === undefined) {
          if (handler?.reduce) {
            context.fresh = undefined;
            reduction = handler.reduce(value, this.protocol, context);
            fresh = context.fresh;
            context.fresh = undefined;
          } else if (typeof own.__reduce_ex__ === 'function') reduction = own.__reduce_ex__(this.protocol) as Reduction;
          else if (typeof own.__reduce__ === 'function') reduction = own.__reduce__() as Reduction;
        }
      }
    } catch (error) {
      if (error instanceof SaveFailure) throw error;
      failure(error instanceof Error ? error.message : String(error), error, codeOf(error));
    }
    if (bareState !== undefined) {
      const done = this.#saveBareNewObj(value, bare!.cls, bareState, true, depth);
      if (done === undefined) throw new Error('unreachable: #canSaveBareNewObj said yes');
      return done;
    }
    if (reduction === undefined) {
      // An enum class, as registerEnum's enumTypeOf gives it: the class its members' handler names.
      if (value instanceof PyEnumType) return this.#saveClass(value.memberClass, value);
      const cls = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor;
      failure(jsValueHint(value) ?? unregisteredInstanceMessage(`${describe(value)} object`, cls, this.#registry));
    }
    // persistentId must see the state dict, as any other value: then it goes the usual way.
    if (this.#persistentId !== undefined) return this.#saveReduce(reduction, value, depth);
    if (fresh !== undefined && isBareNewObj(reduction, fresh)) {
      const done = this.#saveBareNewObj(value, (reduction[1] as unknown[])[0], fresh, true, depth);
      if (done !== undefined) return done;
    }
    return this.#saveReduce(reduction, value, depth, fresh);
  }

  /** A value persistentId named: its id (saved as is, never asked for an id of its own), then BINPERSID. */
  #savePersistent(pid: unknown): boolean {
    if (this.protocol >= 1) {
      if (typeof pid === 'object' && pid !== null) {
        // The id is a container: BINPERSID has to wait until its frames are done.
        this.#push(Kind.Program, this.#depth(), undefined, [Op.SaveRaw, pid, undefined, Op.Byte, 0x51, undefined]);
        return false;
      }
      this.#save(pid, true);
      this.#out.byte(0x51); // BINPERSID
      return true;
    }
    if (typeof pid !== 'string' || !/^[\x00-\x09\x0b-\x7f]*$/.test(pid)) {
      failure('persistent IDs in protocol 0 must be ASCII strings without a newline');
    }
    this.#out.latin1(`P${pid}\n`);
    return true;
  }

  // ---- scalars ------------------------------------------------------------------------------

  #saveBool(value: boolean): void {
    if (this.protocol >= 2) this.#out.byte(value ? 0x88 : 0x89);
    else this.#out.latin1(value ? 'I01\n' : 'I00\n');
  }

  #saveInt(value: number): void {
    const out = this.#out;
    if (value >= -0x8000_0000 && value <= 0x7fff_ffff) {
      if (this.protocol === 0) out.latin1(`I${value}\n`);
      else if (value >= 0 && value <= 0xff) out.byte2(0x4b, value); // BININT1
      else if (value >= 0 && value <= 0xffff) out.opU16(0x4d, value); // BININT2
      else out.opU32(0x4a, value); // BININT
      return;
    }
    if (this.protocol < 2) {
      this.#saveBigInt(BigInt(value));
      return;
    }
    // Beyond int32 and within ±2^53 (timestamps in milliseconds, large ids): the low 32 bits and
    // the signed high part (|high| < 2^21), with no BigInt made. The minimal two's complement
    // takes 4 bytes and the high part's bytes with a sign bit: 1 below 2^7, 2 below 2^15, else 3
    // (for a negative high part, counted on its complement).
    const high = Math.floor(value / 0x1_0000_0000);
    const low = value - high * 0x1_0000_0000;
    const magnitude = high ^ (high >> 31);
    const n = magnitude < 0x80 ? 5 : magnitude < 0x8000 ? 6 : 7;
    const at = out.reserve(2 + n);
    const buf = out.buffer;
    buf[at] = 0x8a; // LONG1
    buf[at + 1] = n;
    buf[at + 2] = low;
    buf[at + 3] = low >>> 8;
    buf[at + 4] = low >>> 16;
    buf[at + 5] = low >>> 24;
    buf[at + 6] = high;
    if (n > 5) buf[at + 7] = high >> 8;
    if (n > 6) buf[at + 8] = high >> 16;
  }

  #saveBigInt(value: bigint): void {
    const out = this.#out;
    if (this.protocol < 2) {
      if (value >= -0x8000_0000n && value <= 0x7fff_ffffn) this.#saveInt(Number(value));
      else out.latin1(`L${longText(value)}L\n`);
      return;
    }
    if (value >= INT64_MIN && value <= INT64_MAX) {
      // The commonest wide ints: two's complement written in place, then trimmed to the minimal
      // length LONG1 takes (at most 4 bytes means it fits BININT: written as that instead).
      const at = out.reserve(10);
      out.view.setBigInt64(at + 2, value, true);
      const n = minimalLength(out.buffer, 8, at + 2);
      if (n <= 4) {
        out.unreserve(10);
        this.#saveInt(Number(value));
        return;
      }
      out.buffer[at] = 0x8a; // LONG1
      out.buffer[at + 1] = n;
      out.unreserve(8 - n);
      return;
    }
    // Beyond int64 from here.
    if (isChunkedLong(value)) {
      // Written in place (at most 64 bytes: always LONG1), its length patched in after.
      const at = out.reserve(2 + MAX_CHUNKED_LONG_BYTES);
      const n = encodeChunkedLong(value, out.buffer, out.view, at + 2);
      out.buffer[at] = 0x8a; // LONG1
      out.buffer[at + 1] = n;
      out.unreserve(MAX_CHUNKED_LONG_BYTES - n);
      return;
    }
    const bytes = encodeLong(value);
    if (bytes.length < 256) out.byte2(0x8a, bytes.length); // LONG1
    else out.opU32(0x8b, bytes.length); // LONG4
    out.bytes(bytes);
  }

  #saveFloat(value: number): void {
    if (this.protocol === 0) this.#out.latin1(`F${pythonFloatRepr(value)}\n`);
    else this.#out.opF64(0x47, value); // BINFLOAT
  }

  /** A number that a loaded container held as a float (2.0): #save of a number, written as a float. */
  #saveLoadedFloat(value: number): boolean {
    this.#out.opcodeBoundary();
    if (this.#persistentId !== undefined) {
      const pid = this.#persistentId(value);
      if (pid !== undefined && pid !== null) return this.#savePersistent(pid);
    }
    this.#saveFloat(value);
    return true;
  }

  #saveString(value: string): void {
    const out = this.#out;
    const length = value.length;
    if (this.protocol === 0) {
      out.latin1(`V${encodeRawUnicodeEscape(value)}\n`);
    } else if (length <= 85 && this.protocol >= 4) {
      // At most 255 bytes whatever the characters: SHORT_BINUNICODE, length patched in after.
      const at = out.reserve(2 + 3 * length);
      const end = encodeUtf8Into(value, out.buffer, at + 2);
      out.buffer[at] = 0x8c;
      out.buffer[at + 1] = end - at - 2;
      out.unreserve(at + 2 + 3 * length - end);
    } else if (length <= 0x5555 && (length > 0xff || this.protocol < 4)) {
      // Below 64 KiB whatever the characters, and too long for SHORT_BINUNICODE (or below
      // protocol 4): BINUNICODE into a worst-case reservation, length patched in after.
      const at = out.reserve(5 + 3 * length);
      const end = encodeUtf8Into(value, out.buffer, at + 5);
      out.buffer[at] = 0x58; // BINUNICODE
      out.view.setUint32(at + 1, end - at - 5, true);
      out.unreserve(at + 5 + 3 * length - end);
    } else {
      const size = utf8Length(value);
      const header = (): void => {
        if (size <= 0xff && this.protocol >= 4) out.byte2(0x8c, size);
        else if (size > 0xffff_ffff && this.protocol >= 4) out.opU64(0x8d, size);
        else if (size > 0xffff_ffff) failure('cannot serialize a string larger than 4 GiB below protocol 4', undefined, 'UNREPRESENTABLE');
        else out.opU32(0x58, size); // BINUNICODE
      };
      const payload = (): void => {
        const at = out.reserve(size);
        encodeUtf8Into(value, out.buffer, at);
      };
      if (size >= FRAME_SIZE_TARGET) out.largePayload(header, payload);
      else {
        header();
        payload();
      }
    }
    if (this.#fast) return;
    const index = this.#memoCount++;
    this.#stringMemo.add(value, index);
    this.#writePut(index);
  }

  /** BINUNICODE of bytes read as Latin-1: each byte above 0x7f is two bytes of UTF-8. Not memoized by value. */
  #saveLatin1Text(bytes: Uint8Array): void {
    const out = this.#out;
    const n = bytes.length;
    if (this.protocol === 0) {
      out.latin1(`V${encodeRawUnicodeEscape(latin1String(bytes))}\n`);
      this.#writePut(this.#memoCount++);
      return;
    }
    if (2 * n > 0xffff_ffff) failure('cannot serialize a string larger than 4 GiB below protocol 4', undefined, 'UNREPRESENTABLE');
    const at = out.reserve(5 + 2 * n);
    const buf = out.buffer;
    let p = at + 5;
    // Branch-free (bytes mix one- and two-byte characters at random, and a mispredicted branch per
    // byte costs more than the work): a byte of 0x80 or more is C2/C3 and a continuation byte;
    // the continuation byte is written either way, and overwritten next when the byte was ASCII.
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      const two = b >> 7;
      const mask = -two;
      buf[p] = (b & ~mask) | ((0xc0 | (b >> 6)) & mask);
      buf[p + 1] = 0x80 | (b & 0x3f);
      p += 1 + two;
    }
    buf[at] = 0x58; // BINUNICODE
    out.view.setUint32(at + 1, p - at - 5, true);
    out.unreserve(at + 5 + 2 * n - p);
    this.#writePut(this.#memoCount++);
  }

  #saveBytes(value: Uint8Array, depth: number): boolean {
    if (this.protocol < 3) {
      // No bytes opcode: CPython writes _codecs.encode(latin1 text, 'latin1'), or bytes() when empty.
      if (value.length === 0) return this.#saveReduce([BYTES, new Tuple()], value, depth);
      // The text is a fresh str in CPython (never shared, except one-character strings, which
      // CPython caches): written straight from the bytes, unless persistentId must see it as a
      // string.
      if (value.length > 1 && this.#persistentId === undefined) {
        return this.#saveReduce([CODECS_ENCODE, Tuple.from([new Latin1Text(value), 'latin1'])], value, depth);
      }
      return this.#saveReduce([CODECS_ENCODE, Tuple.from([latin1String(value), 'latin1'])], value, depth);
    }
    this.#writeBytesData(value, false);
    this.#memoize(value);
    return true;
  }

  #writeBytesData(value: Uint8Array, asByteArray: boolean): void {
    const out = this.#out;
    const size = value.length;
    const header = (): void => {
      if (asByteArray) out.opU64(0x96, size); // BYTEARRAY8
      else if (size <= 0xff) out.byte2(0x43, size); // SHORT_BINBYTES
      else if (size > 0xffff_ffff && this.protocol >= 4) out.opU64(0x8e, size); // BINBYTES8
      else if (size > 0xffff_ffff) failure('cannot serialize bytes larger than 4 GiB below protocol 4', undefined, 'UNREPRESENTABLE');
      else out.opU32(0x42, size); // BINBYTES
    };
    if (size >= FRAME_SIZE_TARGET) {
      out.largeBytes(header, value);
    } else {
      header();
      out.bytes(value);
    }
  }

  #saveByteArray(value: PyByteArray, depth: number): boolean {
    if (this.protocol < 5) {
      const args = value.length === 0 ? new Tuple() : Tuple.from([new Uint8Array(value)]);
      return this.#saveReduce([BYTEARRAY, args], value, depth);
    }
    this.#writeBytesData(value, true);
    this.#memoize(value);
    return true;
  }

  #savePickleBuffer(value: PickleBuffer): boolean {
    if (this.protocol < 5) failure('PickleBuffer can only be pickled with protocol >= 5');
    if (value.data.length === 0 && isDetached(value.data.buffer)) failure(detachedMessage('the data of a PickleBuffer'), undefined, 'INVALID_ARGUMENT');
    const inBand = this.#bufferCallback ? Boolean(this.#bufferCallback(value)) : true;
    if (inBand) {
      this.#writeBytesData(value.data, !value.readonly);
      this.#memoize(value);
      return true;
    }
    this.#out.byte(0x97); // NEXT_BUFFER
    if (value.readonly) this.#out.byte(0x98); // READONLY_BUFFER
    return true;
  }

  // ---- containers ---------------------------------------------------------------------------

  /**
   * A tuple: items then TUPLE1-3 (protocol 2+) or MARK ... TUPLE. When saving the items
   * memoized the tuple itself (it is recursive), the items are dropped and it is fetched.
   * A fresh tuple (one the pickler assembled) cannot be in the memo: it skips the memo checks.
   */
  #saveTuple(value: readonly unknown[], depth: number, fresh = false, labels?: readonly string[]): boolean {
    const out = this.#out;
    const n = value.length;
    if (n === 0) {
      if (this.protocol >= 1) out.byte(0x29); // EMPTY_TUPLE
      else out.byte2(MARK, 0x74); // MARK TUPLE
      return true;
    }
    const short = n <= 3 && this.protocol >= 2;
    if (!short) out.byte(MARK);
    // Items are saved by the frame, never from inside this call: nesting must not recurse.
    const frame = this.#push(Kind.Tuple, depth, value, value);
    frame.floats = floatsOf(value);
    frame.batched = short;
    frame.fresh = fresh;
    frame.labels = labels;
    return false;
  }

  /**
   * Saves a frame's items from where it stands, for containers that write nothing between
   * items. False when an item pushed a frame of its own (this one resumes after it).
   */
  #saveRemainingItems(frame: Frame): boolean {
    const items = frame.items;
    const n = frame.n;
    const floats = frame.floats;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      i++;
    }
    for (; i < n; i++) {
      frame.i = i;
      const item = items[i];
      const float = floats !== undefined && (frame.kind === Kind.FrozenSet ? keyIsFloat(floats, item) : itemIsFloat(floats, i, item));
      if (!(float ? this.#saveLoadedFloat(frame.kind === Kind.FrozenSet ? floatKey(floats!, item as number) : (item as number)) : this.#save(item))) {
        frame.pending = true;
        return false;
      }
    }
    return true;
  }

  #stepTuple(frame: Frame): void {
    if (!this.#saveRemainingItems(frame)) return;
    const { value, n, batched: short, fresh } = frame;
    this.#pop();
    const out = this.#out;
    if (fresh) {
      out.byte(short ? 0x84 + n : 0x74); // TUPLE1..3 / TUPLE
      this.#writePut(this.#memoCount++);
      return;
    }
    const index = this.#memo.get(value);
    if (index === undefined) {
      out.byte(short ? 0x84 + n : 0x74); // TUPLE1..3 / TUPLE
      this.#memoize(value as object);
      return;
    }
    // Recursive: saving the items memoized the tuple. Drop them and fetch it.
    if (short) for (let k = 0; k < n; k++) out.byte(POP);
    else if (this.protocol >= 1) out.byte(POP_MARK);
    else for (let k = 0; k <= n; k++) out.byte(POP); // the MARK too
    this.#writeGet(index);
  }

  #saveList(list: unknown[], depth: number): boolean {
    const out = this.#out;
    if (this.protocol >= 1) out.byte(0x5d); // EMPTY_LIST
    else out.byte2(MARK, 0x6c); // MARK LIST
    this.#memoize(list);
    const n = list.length;
    if (n === 0) return true;
    const floats = floatsOf(list);
    if (n > 1 && n <= SHORT_LIST && this.protocol >= 1 && this.#persistentId === undefined && allScalars(list, n)) {
      // A short list of numbers, strings, None and booleans (a record's tags, a row): written
      // here, without a frame and a trip through the run loop; none of them can fail or nest
      // (with a persistentId any of them could become an id that needs frames of its own).
      out.byte(MARK);
      for (let i = 0; i < n; i++) {
        const item = list[i];
        if (floats !== undefined && itemIsFloat(floats, i, item)) this.#saveLoadedFloat(item as number);
        else if (item === undefined && !(i in list)) throw new SaveFailure(holeMessage(i), undefined, { kind: StepKind.Index, key: i });
        // Only an index getter could hand over a container now, after allScalars read a scalar.
        else if (!this.#save(item)) failure('a list item changed while the list was written (an index getter?)');
      }
      out.byte(APPENDS);
      return true;
    }
    const frame = this.#push(this.protocol === 0 || n === 1 ? Kind.ListEach : Kind.List, depth, list, list);
    frame.floats = floats;
    return false;
  }

  /** Protocol 0 lists (and one-item lists): item APPEND, item APPEND, … */
  #stepListEach(frame: Frame): void {
    const out = this.#out;
    const items = frame.items;
    const n = frame.n;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      out.byte(APPEND);
      i++;
    }
    const floats = frame.floats;
    for (; i < n; i++) {
      frame.i = i;
      const item = items[i];
      if (!(floats !== undefined && itemIsFloat(floats, i, item) ? this.#saveLoadedFloat(item as number) : this.#save(item))) {
        frame.pending = true;
        return;
      }
      out.byte(APPEND);
    }
    this.#pop();
  }

  /** The C pickler's exact-list batching: every batch, even a last one of one item, is MARK ... APPENDS. */
  #stepList(frame: Frame): void {
    const out = this.#out;
    const items = frame.items;
    const n = frame.n;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) out.byte(APPENDS);
      i++;
    }
    const floats = frame.floats;
    while (i < n) {
      // One batch (or the rest of one, when resuming): no per-item batch arithmetic.
      if (i % BATCH_SIZE === 0) out.byte(MARK);
      const stop = Math.min(n, i - (i % BATCH_SIZE) + BATCH_SIZE);
      for (; i < stop; i++) {
        frame.i = i;
        const item = items[i];
        if (!(floats !== undefined && itemIsFloat(floats, i, item) ? this.#saveLoadedFloat(item as number) : this.#save(item))) {
          frame.pending = true;
          return;
        }
      }
      out.byte(APPENDS);
    }
    this.#pop();
  }

  /**
   * A dict: EMPTY_DICT (MARK DICT at protocol 0), then its pairs: SETITEM each at protocol 0
   * or for a single pair, else the C pickler's exact-dict batching, MARK ... SETITEMS per 1000
   * pairs with one more, empty, batch after a last full one (it loops while a batch came out full).
   * `keys` are the dict's keys in order; values are read as the pairs are written.
   */
  #saveDict(dict: object, map: Map<unknown, unknown> | undefined, keys: unknown[], depth: number, fresh = false): boolean {
    if (map !== undefined) this.#checkMembers(keys, MemberKind.MapKey);
    const out = this.#out;
    if (this.protocol >= 1) out.byte(0x7d); // EMPTY_DICT
    else out.byte2(MARK, 0x64); // MARK DICT
    if (fresh) this.#writePut(this.#memoCount++);
    else this.#memoize(dict);
    const n = keys.length;
    if (n === 0) return true;
    const batched = this.protocol >= 1 && n > 1;
    const floats = floatsOf(dict);
    let i = 0;
    if (n <= SHORT_DICT && this.protocol >= 1 && this.#persistentId === undefined) {
      // A short dict's pairs of scalars (an instance's state, a row) are written here, without a
      // frame, up to the first pair that is not: a frame takes over from that pair.
      for (; i < n; i++) {
        const key = keys[i];
        const value = map ? map.get(key) : (dict as Record<string, unknown>)[key as string];
        if (!isScalar(key) || !isScalar(value)) break;
        if (i === 0 && batched) out.byte(MARK);
        if (floats === undefined) {
          this.#save(key);
          this.#save(value);
        } else {
          if (keyIsFloat(floats, key)) this.#saveLoadedFloat(floatKey(floats, key as number));
          else this.#save(key);
          if (valueIsFloat(floats, key, value)) this.#saveLoadedFloat(value as number);
          else this.#save(value);
        }
      }
      if (i === n) {
        out.byte(batched ? SETITEMS : SETITEM);
        return true;
      }
    }
    const frame = this.#push(Kind.Dict, depth, dict, keys);
    frame.map = map;
    frame.floats = floats;
    frame.batched = batched;
    frame.i = i;
    return false;
  }

  /** After pair i: SETITEM, or SETITEMS at the end of a batch (plus the C pickler's empty batch). */
  #afterPair(i: number, n: number, batched: boolean): void {
    const out = this.#out;
    if (!batched) out.byte(SETITEM);
    else if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) {
      out.byte(SETITEMS);
      if (i + 1 === n && n % BATCH_SIZE === 0) out.byte2(MARK, SETITEMS);
    }
  }

  #stepDict(frame: Frame): void {
    const out = this.#out;
    const keys = frame.items;
    const n = frame.n;
    const map = frame.map;
    const floats = frame.floats;
    const dict = frame.value as Record<string, unknown>;
    const batched = frame.batched;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      if (frame.phase === 0) {
        frame.phase = 1; // the key is written: its value next
      } else {
        this.#afterPair(i, n, batched);
        frame.phase = 0;
        i++;
      }
    }
    for (; i < n; i++) {
      const key = keys[i];
      frame.i = i;
      if (frame.phase === 0) {
        if (batched && i % BATCH_SIZE === 0) out.byte(MARK);
        if (!(floats !== undefined && keyIsFloat(floats, key) ? this.#saveLoadedFloat(floatKey(floats, key as number)) : this.#save(key))) {
          frame.pending = true;
          return;
        }
        frame.phase = 1;
      }
      const value = map ? map.get(key) : dict[key as string];
      if (!(floats !== undefined && valueIsFloat(floats, key, value) ? this.#saveLoadedFloat(value as number) : this.#save(value))) {
        frame.pending = true;
        return;
      }
      frame.phase = 0;
      this.#afterPair(i, n, batched);
    }
    this.#pop();
  }

  #saveSet(set: Set<unknown>, depth: number): boolean {
    const items = [...set];
    this.#checkMembers(items, MemberKind.SetMember);
    const floats = floatsOf(set);
    if (this.protocol < 4) return this.#saveReduce([SET, Tuple.from([floats === undefined ? items : membersToWrite(set)])], set, depth);
    this.#out.byte(0x8f); // EMPTY_SET
    this.#memoize(set);
    if (set.size === 0) return true;
    this.#push(Kind.Set, depth, set, items).floats = floats;
    return false;
  }

  /** Set items: MARK ... ADDITEMS per 1000, with the C pickler's extra empty batch after a full one. */
  #stepSet(frame: Frame): void {
    const out = this.#out;
    const items = frame.items;
    const n = frame.n;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      this.#afterSetItem(i, n);
      i++;
    }
    const floats = frame.floats;
    for (; i < n; i++) {
      if (i % BATCH_SIZE === 0) out.byte(MARK);
      frame.i = i;
      const item = items[i];
      if (!(floats !== undefined && keyIsFloat(floats, item) ? this.#saveLoadedFloat(floatKey(floats, item as number)) : this.#save(item))) {
        frame.pending = true;
        return;
      }
      this.#afterSetItem(i, n);
    }
    this.#pop();
  }

  #afterSetItem(i: number, n: number): void {
    if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) {
      this.#out.byte(ADDITEMS);
      if (i + 1 === n && n % BATCH_SIZE === 0) this.#out.byte2(MARK, ADDITEMS);
    }
  }

  #saveFrozenSet(set: PyFrozenSet, depth: number): boolean {
    const items = [...set];
    this.#checkMembers(items, MemberKind.FrozenSetMember);
    const floats = floatsOf(set);
    if (this.protocol < 4) return this.#saveReduce([FROZENSET, Tuple.from([floats === undefined ? items : membersToWrite(set)])], set, depth);
    this.#out.byte(MARK);
    this.#push(Kind.FrozenSet, depth, set, items).floats = floats;
    return false;
  }

  #stepFrozenSet(frame: Frame): void {
    if (!this.#saveRemainingItems(frame)) return;
    const set = frame.value as PyFrozenSet;
    this.#pop();
    const index = this.#memo.get(set);
    if (index !== undefined) {
      this.#out.byte(POP_MARK); // recursive: fetch it from the memo instead
      this.#writeGet(index);
      return;
    }
    this.#out.byte(0x91); // FROZENSET
    this.#memoize(set);
  }

  // ---- globals ------------------------------------------------------------------------------

  #saveGlobal(global: PyGlobal, depth: number): boolean {
    const { module, name } = global;
    const key = `${module}\n${name}`;
    const known = this.#globalMemo.get(key);
    if (known !== undefined) {
      // This object is memoized too, so the next save of it is a plain memo hit.
      this.#memo.set(global, known);
      this.#writeGet(known);
      return true;
    }
    const out = this.#out;
    if (this.protocol >= 2 && this.#extensions) {
      const code = this.#extensions.get(key);
      if (code !== undefined) {
        // Extension codes are not memoized, as in CPython.
        if (code <= 0xff) out.byte2(0x82, code);
        else if (code <= 0xffff) out.opU16(0x83, code);
        else out.opU32(0x84, code);
        return true;
      }
    }
    const lastDot = name.lastIndexOf('.');
    if (this.protocol >= 4) {
      this.#save(module);
      this.#save(name);
      out.byte(0x93); // STACK_GLOBAL
    } else if (lastDot > 0) {
      // A nested qualname below protocol 4: getattr(parent, last name), as CPython writes it.
      const parent = new PyGlobal(module, name.slice(0, lastDot));
      const ops = this.#reduceOps([GETATTR, [parent, name.slice(lastDot + 1)]], undefined);
      ops.push(Op.MemoizeGlobal, key, undefined);
      this.#push(Kind.Program, depth, undefined, ops);
      return false;
    } else {
      let [m, n] = [module, name];
      if (this.#fixImports) {
        const renamed = REVERSE_NAME_MAPPING.get(key);
        if (renamed) [m, n] = renamed;
        else m = REVERSE_IMPORT_MAPPING.get(m) ?? m;
      }
      const printable = this.protocol < 3 ? /^[\x00-\x09\x0b-\x7f]*$/ : /^[^\n]*$/;
      if (!printable.test(m) || !printable.test(n)) {
        failure(
          `cannot pickle global '${module}.${name}' with protocol ${this.protocol}: the name must be ${this.protocol < 3 ? 'ASCII and ' : ''}without newlines`,
        );
      }
      out.byte(0x63); // GLOBAL
      if (this.protocol < 3) out.latin1(`${m}\n${n}\n`);
      else {
        const text = `${m}\n${n}\n`;
        const at = out.reserve(utf8Length(text));
        encodeUtf8Into(text, out.buffer, at);
      }
    }
    if (this.#fast) return true;
    this.#memoizeGlobal(key);
    this.#memo.set(global, this.#memoCount - 1);
    return true;
  }

  #memoizeGlobal(key: string): void {
    if (this.#fast) return;
    const index = this.#memoCount++;
    this.#globalMemo.set(key, index);
    this.#writePut(index);
  }

  // ---- reductions ---------------------------------------------------------------------------

  /**
   * Writes a reduction `[callable, args, state?, listItems?, dictItems?, stateSetter?]` as
   * CPython's save_reduce does: NEWOBJ for copyreg.__newobj__, NEWOBJ_EX for __newobj_ex__,
   * REDUCE otherwise; then memoizes `obj`, appends items, and BUILDs the state.
   */
  #saveReduce(reduction: Reduction, obj: object | undefined, depth: number, fresh?: object): boolean {
    this.#push(Kind.Program, depth, obj, this.#reduceOps(reduction, obj, fresh));
    return false;
  }

  /** The program that writes a reduction. `fresh` is a state dict nothing else refers to. */
  #reduceOps(reduction: Reduction, obj: object | undefined, fresh?: object): unknown[] {
    if (!Array.isArray(reduction) || reduction.length < 2 || reduction.length > 6) {
      failure('a reduction must be [callable, args, state?, listItems?, dictItems?, stateSetter?]');
    }
    const [callable, args, state, listItems, dictItems, stateSetter] = reduction;
    if (!Array.isArray(args)) failure('the arguments of a reduction must be a tuple');
    // A Tuple given by the reduction keeps its identity (it may be shared); other arrays become fresh tuples.
    const tupleOp = (items: readonly unknown[]): number => (items instanceof Tuple ? Op.Save : Op.FreshTuple);
    let ops: unknown[];
    if (this.protocol >= 4 && isCopyreg(callable, '__newobj_ex__')) {
      const [cls, clsArgs, kwargs] = args;
      const argItems = (clsArgs ?? []) as unknown[];
      ops = [
        Op.Save, cls, '<class>',
        tupleOp(argItems), argItems, '<args>',
        Op.Save, kwargs ?? {}, '<kwargs>',
        Op.Byte, 0x92, undefined, // NEWOBJ_EX
      ];
    } else if (this.protocol >= 2 && isCopyreg(callable, '__newobj__')) {
      if (args.length === 0) failure('copyreg.__newobj__ needs the class as its first argument');
      this.#refuseHoles(args, '<args>');
      ops = [Op.Save, args[0], '<class>', Op.FreshTuple, args.length === 1 ? NO_ITEMS : args.slice(1), '<args>', Op.Byte, 0x81, undefined];
    } else {
      // Includes copyreg.__newobj_ex__ below protocol 4, which Python calls as a function.
      ops = [Op.Save, callable, '<callable>', tupleOp(args), args, '<args>', Op.Byte, REDUCE, undefined];
    }
    if (obj !== undefined) ops.push(Op.MemoizeOrPop, obj, undefined);
    if (listItems !== undefined && listItems !== null) ops.push(Op.AppendItems, listItems, '<list items>');
    if (dictItems !== undefined && dictItems !== null) ops.push(Op.SetItems, dictItems, '<dict items>');
    if (state !== undefined && state !== null) {
      if (stateSetter === undefined || stateSetter === null) {
        const freshDict = state === fresh && (isPlainDict(state) || state instanceof Map);
        ops.push(freshDict ? Op.FreshDict : Op.Save, state, '<state>', Op.Byte, BUILD, undefined);
      } else {
        ops.push(
          Op.Save, stateSetter, '<state setter>',
          Op.Save, obj, '',
          Op.Save, state, '<state>',
          Op.Byte, 0x86, undefined, // TUPLE2
          Op.Byte, REDUCE, undefined,
          Op.Byte, POP, undefined,
        );
      }
    }
    return ops;
  }

  #stepProgram(frame: Frame): void {
    const ops = frame.items;
    const n = frame.n;
    const out = this.#out;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      i += 3;
    }
    for (; i < n; i += 3) {
      frame.i = i;
      const a = ops[i + 1];
      switch (ops[i]) {
        case Op.Save:
          if (this.#save(a)) continue;
          break;
        case Op.SaveRaw:
          if (this.#save(a, true)) continue;
          break;
        case Op.Byte:
          out.byte(a as number);
          continue;
        case Op.Latin1:
          out.latin1(a as string);
          continue;
        case Op.MemoizeOrPop: {
          const index = this.#memo.get(a);
          if (index === undefined) this.#memoize(a as object);
          else {
            out.byte(POP); // saving its parts memoized it (recursion): fetch it instead
            this.#writeGet(index);
          }
          continue;
        }
        case Op.FreshTuple: {
          const label = ops[i + 2];
          let depth = frame.depth;
          out.opcodeBoundary();
          if (typeof label === 'string') {
            // Labelled as one part: the tuple is a value of its own, as if saved by Op.Save
            // (so persistentId sees it too).
            if (this.#persistentId !== undefined) {
              const pid = this.#persistentId(Tuple.from(a as unknown[]));
              if (pid !== undefined && pid !== null) {
                if (this.#savePersistent(pid)) continue;
                break;
              }
            }
            if (depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
            depth++;
          }
          if (this.#saveTuple(a as unknown[], depth, true, typeof label === 'string' ? undefined : (label as string[]))) continue;
          break;
        }
        case Op.AppendItems: {
          // A loaded list (a placeholder's list items) writes its floats as floats.
          // An array is used as it is (a hole is refused when reached), never spread: spreading
          // would turn holes into undefined and walk a claimed length of 2^32-1.
          const items = Array.isArray(a) ? itemsToWrite(a) : [...(a as Iterable<unknown>)];
          if (items.length === 0) continue;
          const child = this.#push(Kind.AppendItems, frame.depth, undefined, items);
          child.labels = ops[i + 2] as string;
          break;
        }
        case Op.SetItems: {
          if (Array.isArray(a)) this.#refuseHoles(a, ops[i + 2] as string);
          const pairs = [...(a as Iterable<readonly [unknown, unknown]>)];
          for (let k = 0; k < pairs.length; k++) {
            const pair = pairs[k];
            if (!Array.isArray(pair) || pair.length !== 2) failure('dict items of a reduction must be [key, value] pairs');
            pairs[k] = itemsToWrite(pair) as readonly [unknown, unknown];
          }
          // The items of a Map (an OrderedDict, Counter, defaultdict...) make a Python dict.
          if (frame.value instanceof Map) this.#checkMembers(pairs.map((pair) => pair[0]), MemberKind.DictItemKey);
          if (pairs.length === 0) continue;
          const child = this.#push(Kind.SetItems, frame.depth, undefined, pairs);
          child.labels = ops[i + 2] as string;
          break;
        }
        case Op.MemoizeGlobal:
          this.#memoizeGlobal(a as string);
          continue;
        case Op.FreshDict: {
          out.opcodeBoundary();
          if (frame.depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
          const map = a instanceof Map ? a : undefined;
          if (this.#saveDict(a as object, map, map ? [...map.keys()] : Object.keys(a as object), frame.depth + 1, true)) continue;
          break;
        }
      }
      // A frame was pushed for this instruction's value: resume after it.
      frame.pending = true;
      return;
    }
    this.#pop();
  }

  /** Items of a reduction's list part (batch_list): batches, a trailing single item as APPEND. */
  #stepAppendItems(frame: Frame): void {
    const items = frame.items;
    const n = frame.n;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      this.#endBatchItem(i, n, APPEND, APPENDS);
      i++;
    }
    for (; i < n; i++) {
      this.#startBatch(i, n);
      frame.i = i;
      if (!this.#save(items[i])) {
        frame.pending = true;
        return;
      }
      this.#endBatchItem(i, n, APPEND, APPENDS);
    }
    this.#pop();
  }

  /**
   * batch_list / batch_dict: an item alone in its batch (every item at protocol 0) goes without
   * MARK and is added by `one`; the others come in MARK … `many` batches of 1000.
   */
  #aloneInBatch(i: number, n: number): boolean {
    const batchStart = i - (i % BATCH_SIZE);
    return this.protocol === 0 || Math.min(n, batchStart + BATCH_SIZE) - batchStart === 1;
  }

  #startBatch(i: number, n: number): void {
    if (i % BATCH_SIZE === 0 && !this.#aloneInBatch(i, n)) this.#out.byte(MARK);
  }

  #endBatchItem(i: number, n: number, one: number, many: number): void {
    if (this.#aloneInBatch(i, n)) this.#out.byte(one);
    else if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) this.#out.byte(many);
  }

  /** Pairs of a reduction's dict part (batch_dict): batches, a trailing single pair as SETITEM. */
  #stepSetItems(frame: Frame): void {
    const pairs = frame.items as ReadonlyArray<readonly [unknown, unknown]>;
    const n = frame.n;
    let i = frame.i;
    if (frame.pending) {
      frame.pending = false;
      if (frame.phase === 0) frame.phase = 1;
      else {
        this.#endBatchItem(i, n, SETITEM, SETITEMS);
        frame.phase = 0;
        i++;
      }
    }
    for (; i < n; i++) {
      const pair = pairs[i]!;
      frame.i = i;
      if (frame.phase === 0) {
        this.#startBatch(i, n);
        if (!this.#save(pair[0])) {
          frame.pending = true;
          return;
        }
        frame.phase = 1;
      }
      if (!this.#save(pair[1])) {
        frame.pending = true;
        return;
      }
      frame.phase = 0;
      this.#endBatchItem(i, n, SETITEM, SETITEMS);
    }
    this.#pop();
  }

  // ---- placeholders -------------------------------------------------------------------------

  /**
   * `cls.__new__(cls)` by NEWOBJ with no arguments, then the state and BUILD, written straight
   * out when the class object is in the object memo already (as a rule every instance after the
   * first of its class; not a class written as an extension code, or by name alone), or in fast
   * mode (no memo) when the class is a name written in place: the bytes
   * the program of #reduceOps or #savePlaceholder writes, without building it. `stateIsFresh`:
   * the state is a plain dict made for this call (never in the memo). Undefined when this does
   * not apply and nothing was written; otherwise as #save.
   */
  #saveBareNewObj(obj: object, cls: unknown, state: unknown, stateIsFresh: boolean, depth: number): boolean | undefined {
    if (!this.#canSaveBareNewObj(cls, depth)) return undefined;
    const out = this.#out;
    if (this.#fast) {
      if (!this.#saveGlobal(cls as PyGlobal, depth + 1)) throw new Error('unreachable: a global written in place pushed a frame');
    } else {
      this.#writeGet(this.#memo.get(cls)!); // at the boundary the instance's own #save marked
    }
    out.opcodeBoundary();
    out.byte2(0x29, 0x81); // EMPTY_TUPLE NEWOBJ
    this.#memoize(obj); // not in the memo (#save looked), and nothing was saved since
    if (state === undefined) return true;
    const frame = this.#push(Kind.Program, depth, obj, stateIsFresh ? FRESH_STATE_THEN_BUILD : PLACEHOLDER_STATE_THEN_BUILD);
    frame.pending = true;
    let written: boolean;
    if (stateIsFresh) {
      out.opcodeBoundary();
      written = this.#saveDict(state as object, undefined, Object.keys(state as object), depth + 1, true);
    } else written = this.#save(state);
    if (!written) return false;
    out.byte(BUILD);
    this.#pop();
    return true;
  }

  /** Whether #saveBareNewObj writes an instance of `cls` at `depth` (or leaves it to the generic path). */
  #canSaveBareNewObj(cls: unknown, depth: number): boolean {
    // The generic path gives the errors (and below protocol 2 there is no NEWOBJ).
    if (this.protocol < 2 || depth >= this.#maxDepth) return false;
    // Fast mode (no memo) writes the class again for each instance, by name, in place; not a
    // nested name below protocol 4, for which #saveGlobal pushes a program of getattr calls instead.
    if (this.#fast) return cls instanceof PyGlobal && !(this.protocol < 4 && cls.name.lastIndexOf('.') > 0);
    return this.#memo.has(cls);
  }

  /** A placeholder is written back in the form it was read in. */
  #savePlaceholder(value: PyObject, depth: number): boolean {
    const { cls } = value;
    // Arguments and a bare state loaded as floats (2.0) are written as floats.
    if (!Array.isArray(value.args)) failure('the arguments of a placeholder must be a tuple');
    const args = itemsToWrite(value.args);
    if (args.length > 0) this.#refuseHoles(args, '.args');
    const state = valueToWrite(value, 'state', value.state);
    if (
      value.creation === 'newobj' &&
      args.length === 0 &&
      value.listItems === undefined &&
      value.dictItems === undefined &&
      this.#persistentId === undefined
    ) {
      const done = this.#saveBareNewObj(value, cls, state, false, depth);
      if (done !== undefined) return done;
    }
    let ops: unknown[];
    /** callable(parts…) by REDUCE, the parts in a fresh tuple labelled one by one. */
    const call = (callable: unknown, label: string, parts: unknown[], labels: readonly string[]): unknown[] => [
      Op.Save, callable, label,
      Op.FreshTuple, parts, labels,
      Op.Byte, REDUCE, undefined,
    ];
    switch (value.creation) {
      case 'newobj':
        if (this.protocol >= 2) {
          ops = [Op.Save, cls, '.cls', Op.FreshTuple, args, argLabels(args.length), Op.Byte, 0x81, undefined]; // NEWOBJ
        } else if (args.length === 0 && value.listItems === undefined && value.dictItems === undefined) {
          // Protocols 0 and 1 have no NEWOBJ: object.__new__(cls) is copyreg._reconstructor(cls, object, None).
          ops = call(RECONSTRUCTOR, '<copyreg._reconstructor>', [cls, OBJECT, null], ['.cls', '<object>', '<None>']);
        } else {
          ops = call(NEWOBJ, '<copyreg.__newobj__>', [cls, ...args], ['.cls', ...argLabels(args.length)]);
        }
        break;
      case 'newobj_ex':
        if (this.protocol >= 4) {
          ops = [
            Op.Save, cls, '.cls',
            Op.FreshTuple, args, argLabels(args.length),
            Op.Save, value.kwargs ?? {}, '.kwargs',
            Op.Byte, 0x92, undefined, // NEWOBJ_EX
          ];
        } else {
          // No NEWOBJ_EX below protocol 4: copyreg.__newobj_ex__(cls, args, kwargs) is the same call.
          ops = call(NEWOBJ_EX, '<copyreg.__newobj_ex__>', [cls, value.args, value.kwargs ?? {}], ['.cls', '.args', '.kwargs']);
        }
        break;
      case 'reduce':
        ops = call(cls, '.cls', [...args], argLabels(args.length));
        break;
      case 'reconstructor':
        ops = call(RECONSTRUCTOR, '<copyreg._reconstructor>', [cls, ...args], ['.cls', ...argLabels(args.length)]);
        break;
      case 'inst': {
        if (!(cls instanceof PyGlobal)) failure('an INST placeholder needs a global class');
        const line = `i${cls.module}\n${cls.name}\n`;
        if (!/^i[\x00-\x09\x0b-\x7f]*\n[\x00-\x09\x0b-\x7f]*\n$/.test(line)) failure('INST names must be ASCII');
        ops = [Op.Byte, MARK, undefined];
        args.forEach((arg, i) => ops.push(Op.Save, arg, `.args[${i}]`));
        ops.push(Op.Latin1, line, undefined);
        break;
      }
      case 'obj':
        ops = [Op.Byte, MARK, undefined, Op.Save, cls, '.cls'];
        args.forEach((arg, i) => ops.push(Op.Save, arg, `.args[${i}]`));
        ops.push(Op.Byte, 0x6f, undefined); // OBJ
        break;
    }
    ops.push(Op.MemoizeOrPop, value, undefined);
    if (value.listItems !== undefined) ops.push(Op.AppendItems, value.listItems, '.listItems');
    if (value.dictItems !== undefined) ops.push(Op.SetItems, value.dictItems, '.dictItems');
    if (state !== undefined) ops.push(Op.Save, state, '.state', Op.Byte, BUILD, undefined);
    this.#push(Kind.Program, depth, value, ops);
    return false;
  }
}

/** Pickles `value` with the given options (protocol 4 by default). */
export function dumps(value: unknown, options?: DumpOptions): Uint8Array {
  const pickler = new Pickler(options);
  try {
    return pickler.dump(value);
  } finally {
    pickler.release();
  }
}

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
import { Opcode } from '../protocol/opcodes.js';
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

// The pickler's own work list, not to be confused with pickle's opcodes: a container being
// written is a Task on a stack of tasks, of a TaskKind; a reduction's task runs a script of
// Actions, which save its parts and write its opcodes in order.

/** What a task works through; each kind has one resume method. */
const TaskKind = {
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
  /** A reduction or placeholder: a script of parts to save and opcodes to write, in order. */
  Script: 6,
  /** The list items of a reduction (batch_list). */
  AppendItems: 7,
  /** The dict items of a reduction (batch_dict). */
  SetItems: 8,
} as const;

/** The steps of a script, three slots each: [action, a, b]. */
const Action = {
  /** Save `a`; `b` labels it in error paths. */
  Save: 0,
  /** Save `a` without asking persistentId (a persistent id itself). */
  SaveRaw: 1,
  /** Write the opcode `a`. */
  WriteOpcode: 2,
  /** Write the Latin-1 text `a` (a protocol 0 opcode's argument lines, after the opcode). */
  WriteText: 3,
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

type ActionCode = (typeof Action)[keyof typeof Action];

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/**
 * The end of a NEWOBJ written directly (#saveBareNewObj): the state, then BUILD. The task
 * starts as if the state were in progress (its value is passed directly), so it resumes at BUILD
 * and error paths still say `<state>` or `.state`.
 */
const FRESH_STATE_THEN_BUILD: readonly unknown[] = Object.freeze([Action.FreshDict, undefined, '<state>', Action.WriteOpcode, Opcode.BUILD, undefined]);
const PLACEHOLDER_STATE_THEN_BUILD: readonly unknown[] = Object.freeze([Action.Save, undefined, '.state', Action.WriteOpcode, Opcode.BUILD, undefined]);

/**
 * One container being written. Tasks live in a pool indexed by depth and are reused, so
 * saving a container allocates nothing for the bookkeeping.
 */
class Task {
  kind = 0;
  /** The nesting depth of the values this task saves. */
  depth = 0;
  /** The container (or tuple), checked against the memo when it is finished. */
  value: unknown = undefined;
  /** Items, dict keys, set items, pairs or a script. */
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
  /** Item i is a container being saved by the tasks above: finish it when this task resumes. */
  pending = false;
  /** List and dict: written in batches. Tuple: the short TUPLE1-3 form. */
  batched = false;
  /** Tuple: one the pickler made, so never in the memo (no memo check or entry). */
  fresh = false;
}

/** TUPLE1-3 by the tuple's length. */
const SHORT_TUPLE: readonly number[] = [Opcode.EMPTY_TUPLE, Opcode.TUPLE1, Opcode.TUPLE2, Opcode.TUPLE3];

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
  /** Fast mode: the values of open tasks FAST_NESTING_LIMIT deep or deeper, to catch a cycle. */
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
  /** The tasks of the containers being written, bottom first; `#taskCount` of them are in use. */
  readonly #tasks: Task[] = [];
  #taskCount = 0;
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
    this.#taskCount = 0;
    this.#fastOpen = undefined;
    this.#fastExpansion?.reset();
    let pickle: Uint8Array;
    try {
      if (this.protocol >= 2) out.byte2(Opcode.PROTO, this.protocol);
      if (this.protocol >= 4) out.setFraming(true);
      if (!this.#save(value)) this.#runTasks();
      out.byte(Opcode.STOP);
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
      while (this.#taskCount > 0) this.#popTask();
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

  // ---- tasks -------------------------------------------------------------------------------

  /** Runs the tasks until every container is written. Only this loop resumes tasks. */
  #runTasks(): void {
    const tasks = this.#tasks;
    while (this.#taskCount > 0) {
      const task = tasks[this.#taskCount - 1]!;
      switch (task.kind) {
        case TaskKind.List:
          this.#resumeList(task);
          break;
        case TaskKind.ListEach:
          this.#resumeListEach(task);
          break;
        case TaskKind.Dict:
          this.#resumeDict(task);
          break;
        case TaskKind.Set:
          this.#resumeSet(task);
          break;
        case TaskKind.FrozenSet:
          this.#resumeFrozenSet(task);
          break;
        case TaskKind.Tuple:
          this.#resumeTuple(task);
          break;
        case TaskKind.Script:
          this.#resumeScript(task);
          break;
        case TaskKind.AppendItems:
          this.#resumeAppendItems(task);
          break;
        case TaskKind.SetItems:
          this.#resumeSetItems(task);
          break;
      }
    }
  }

  #pushTask(kind: number, depth: number, value: unknown, items: readonly unknown[]): Task {
    if (this.#fast) this.#enterFast(value, items.length, depth);
    let task = this.#tasks[this.#taskCount];
    if (!task) {
      task = new Task();
      this.#tasks.push(task);
    }
    this.#taskCount++;
    task.kind = kind;
    task.depth = depth;
    task.value = value;
    task.items = items;
    task.i = 0;
    task.n = items.length;
    task.phase = 0;
    task.pending = false;
    task.map = undefined;
    task.floats = undefined;
    task.labels = undefined;
    task.batched = false;
    task.fresh = false;
    return task;
  }

  /** Drops the top task, letting go of what it referred to. */
  #popTask(): void {
    const task = this.#tasks[--this.#taskCount]!;
    if (this.#fast) this.#leaveFast(task);
    task.value = undefined;
    task.items = NO_ITEMS;
    task.map = undefined;
    task.floats = undefined;
    task.labels = undefined;
  }

  /**
   * Fast mode has no memo to write a value that contains itself as a reference to itself, so
   * that would nest for ever: a value open deep down (FAST_NESTING_LIMIT) that is opened again
   * is an error. A value shared so much that writing it at each reference would explode (a
   * DAG) is one too (FastExpansion).
   */
  #enterFast(value: unknown, items: number, depth: number): void {
    const shared = this.#fastExpansion!.open(value, items, this.#taskCount);
    if (shared !== undefined) failure(fastExpansionMessage(describe(shared)), undefined, 'SHARED_IN_FAST_MODE');
    if (depth < FAST_NESTING_LIMIT || value === undefined) return;
    this.#fastOpen ??= new Set();
    if (this.#fastOpen.has(value)) failure(`fast mode: ${describe(value)} contains itself, and without a memo it cannot refer back to itself`, undefined, 'SHARED_IN_FAST_MODE');
    this.#fastOpen.add(value);
  }

  /** Fast mode: the task at the top (index #taskCount now) is done. */
  #leaveFast(task: Task): void {
    this.#fastExpansion!.close(this.#taskCount);
    if (this.#fastOpen !== undefined && task.depth >= FAST_NESTING_LIMIT) this.#fastOpen.delete(task.value);
  }

  /**
   * An undefined item of a list, tuple or list items: refused when it is a hole (an index the
   * array does not have). Checked here, for undefined only, so that other items pay nothing.
   */
  #refuseHole(): void {
    const task = this.#tasks[this.#taskCount - 1]!;
    const kind = task.kind;
    if (kind !== TaskKind.List && kind !== TaskKind.ListEach && kind !== TaskKind.Tuple && kind !== TaskKind.AppendItems) return;
    if (!(task.i in task.items)) failure(holeMessage(task.i));
  }

  /** Refuses an array with a hole before its items are spread or counted (path: `label[i]` below the value). */
  #refuseHoles(array: readonly unknown[], label: string): void {
    const hole = firstHole(array);
    if (hole >= 0) throw new SaveFailure(holeMessage(hole), undefined, { kind: StepKind.LabelIndex, key: hole, label });
  }

  /** The nesting depth of a value saved now: the top task's, or 0 for the value itself. */
  #depth(): number {
    return this.#taskCount === 0 ? 0 : this.#tasks[this.#taskCount - 1]!.depth;
  }

  /** Where the failing value sits: each task contributes the step to the item it is saving. */
  #failurePath(inner?: InnerStep): string {
    let node: PathStep | undefined;
    for (let k = 0; k < this.#taskCount; k++) {
      const task = this.#tasks[k]!;
      const { i, items } = task;
      switch (task.kind) {
        case TaskKind.List:
        case TaskKind.ListEach:
          node = step(node, StepKind.Index, i);
          break;
        case TaskKind.Tuple:
          if (Array.isArray(task.labels)) node = step(node, StepKind.Label, task.labels[i]);
          else node = step(node, StepKind.Index, i);
          break;
        case TaskKind.Dict: {
          const key = items[i];
          if (task.phase === 0) node = step(node, StepKind.DictKey, i);
          else node = step(node, typeof key === 'string' ? StepKind.Key : StepKind.MapValue, key);
          break;
        }
        case TaskKind.Set:
          node = step(node, StepKind.SetItem, i);
          break;
        case TaskKind.FrozenSet:
          node = step(node, StepKind.FrozenSetItem, i);
          break;
        case TaskKind.AppendItems:
          node = step(node, StepKind.LabelIndex, i, task.labels as string);
          break;
        case TaskKind.SetItems:
          node = step(node, StepKind.LabelIndex, task.phase, `${task.labels as string}[${i}]`);
          break;
        case TaskKind.Script: {
          const action = items[i];
          const label = items[i + 2];
          if (action === Action.Save || action === Action.FreshDict || (action === Action.FreshTuple && typeof label === 'string')) {
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
    if (this.protocol >= 4) out.byte(Opcode.MEMOIZE);
    else if (this.protocol === 0) out.opLine(Opcode.PUT, String(index));
    else if (index < 256) out.byte2(Opcode.BINPUT, index);
    else out.opU32(Opcode.LONG_BINPUT, index);
  }

  #writeGet(index: number): void {
    const out = this.#out;
    if (this.protocol === 0) out.opLine(Opcode.GET, String(index));
    else if (index < 256) out.byte2(Opcode.BINGET, index);
    else out.opU32(Opcode.LONG_BINGET, index);
  }

  // ---- save ---------------------------------------------------------------------------------

  /**
   * Saves one value at the current position. Returns true when it is completely written, false
   * when it pushed a task for the rest (which the run loop then works through).
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
        this.#out.byte(Opcode.NONE);
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
      if (this.#taskCount > 0) this.#refuseHole();
      this.#out.byte(Opcode.NONE);
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
    if (this.#taskCount > 0 && depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
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
    if (this.#taskCount > 0 && depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
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
        // The id is a container: BINPERSID has to wait until its tasks are done.
        this.#pushTask(TaskKind.Script, this.#depth(), undefined, [Action.SaveRaw, pid, undefined, Action.WriteOpcode, Opcode.BINPERSID, undefined]);
        return false;
      }
      this.#save(pid, true);
      this.#out.byte(Opcode.BINPERSID);
      return true;
    }
    if (typeof pid !== 'string' || !/^[\x00-\x09\x0b-\x7f]*$/.test(pid)) {
      failure('persistent IDs in protocol 0 must be ASCII strings without a newline');
    }
    this.#out.opLine(Opcode.PERSID, pid);
    return true;
  }

  // ---- scalars ------------------------------------------------------------------------------

  #saveBool(value: boolean): void {
    if (this.protocol >= 2) this.#out.byte(value ? Opcode.NEWTRUE : Opcode.NEWFALSE);
    else this.#out.opLine(Opcode.INT, value ? '01' : '00');
  }

  #saveInt(value: number): void {
    const out = this.#out;
    if (value >= -0x8000_0000 && value <= 0x7fff_ffff) {
      if (this.protocol === 0) out.opLine(Opcode.INT, String(value));
      else if (value >= 0 && value <= 0xff) out.byte2(Opcode.BININT1, value);
      else if (value >= 0 && value <= 0xffff) out.opU16(Opcode.BININT2, value);
      else out.opU32(Opcode.BININT, value);
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
    const n = magnitude < 2 ** 7 ? 5 : magnitude < 2 ** 15 ? 6 : 7;
    const at = out.reserve(2 + n);
    const buf = out.buffer;
    buf[at] = Opcode.LONG1;
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
      else out.opLine(Opcode.LONG, `${longText(value)}L`);
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
      out.buffer[at] = Opcode.LONG1;
      out.buffer[at + 1] = n;
      out.unreserve(8 - n);
      return;
    }
    // Beyond int64 from here.
    if (isChunkedLong(value)) {
      // Written in place (at most 64 bytes: always LONG1), its length patched in after.
      const at = out.reserve(2 + MAX_CHUNKED_LONG_BYTES);
      const n = encodeChunkedLong(value, out.buffer, out.view, at + 2);
      out.buffer[at] = Opcode.LONG1;
      out.buffer[at + 1] = n;
      out.unreserve(MAX_CHUNKED_LONG_BYTES - n);
      return;
    }
    const bytes = encodeLong(value);
    if (bytes.length < 256) out.byte2(Opcode.LONG1, bytes.length);
    else out.opU32(Opcode.LONG4, bytes.length);
    out.bytes(bytes);
  }

  #saveFloat(value: number): void {
    if (this.protocol === 0) this.#out.opLine(Opcode.FLOAT, pythonFloatRepr(value));
    else this.#out.opF64(Opcode.BINFLOAT, value);
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
      out.opLine(Opcode.UNICODE, encodeRawUnicodeEscape(value));
    } else if (length <= 85 && this.protocol >= 4) {
      // At most 255 bytes whatever the characters: SHORT_BINUNICODE, length patched in after.
      const at = out.reserve(2 + 3 * length);
      const end = encodeUtf8Into(value, out.buffer, at + 2);
      out.buffer[at] = Opcode.SHORT_BINUNICODE;
      out.buffer[at + 1] = end - at - 2;
      out.unreserve(at + 2 + 3 * length - end);
    } else if (length <= 0x5555 && (length > 0xff || this.protocol < 4)) {
      // Below 64 KiB whatever the characters, and too long for SHORT_BINUNICODE (or below
      // protocol 4): BINUNICODE into a worst-case reservation, length patched in after.
      const at = out.reserve(5 + 3 * length);
      const end = encodeUtf8Into(value, out.buffer, at + 5);
      out.buffer[at] = Opcode.BINUNICODE;
      out.view.setUint32(at + 1, end - at - 5, true);
      out.unreserve(at + 5 + 3 * length - end);
    } else {
      const size = utf8Length(value);
      const header = (): void => {
        if (size <= 0xff && this.protocol >= 4) out.byte2(Opcode.SHORT_BINUNICODE, size);
        else if (size > 0xffff_ffff && this.protocol >= 4) out.opU64(Opcode.BINUNICODE8, size);
        else if (size > 0xffff_ffff) failure('cannot serialize a string larger than 4 GiB below protocol 4', undefined, 'UNREPRESENTABLE');
        else out.opU32(Opcode.BINUNICODE, size);
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
      out.opLine(Opcode.UNICODE, encodeRawUnicodeEscape(latin1String(bytes)));
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
    buf[at] = Opcode.BINUNICODE;
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
      if (asByteArray) out.opU64(Opcode.BYTEARRAY8, size);
      else if (size <= 0xff) out.byte2(Opcode.SHORT_BINBYTES, size);
      else if (size > 0xffff_ffff && this.protocol >= 4) out.opU64(Opcode.BINBYTES8, size);
      else if (size > 0xffff_ffff) failure('cannot serialize bytes larger than 4 GiB below protocol 4', undefined, 'UNREPRESENTABLE');
      else out.opU32(Opcode.BINBYTES, size);
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
    this.#out.byte(Opcode.NEXT_BUFFER);
    if (value.readonly) this.#out.byte(Opcode.READONLY_BUFFER);
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
      if (this.protocol >= 1) out.byte(Opcode.EMPTY_TUPLE);
      else out.byte2(Opcode.MARK, Opcode.TUPLE);
      return true;
    }
    const short = n <= 3 && this.protocol >= 2;
    if (!short) out.byte(Opcode.MARK);
    // Items are saved by the task, never from inside this call: nesting must not recurse.
    const task = this.#pushTask(TaskKind.Tuple, depth, value, value);
    task.floats = floatsOf(value);
    task.batched = short;
    task.fresh = fresh;
    task.labels = labels;
    return false;
  }

  /**
   * Saves a task's items from where it stands, for containers that write nothing between
   * items. False when an item pushed a task of its own (this one resumes after it).
   */
  #saveRemainingItems(task: Task): boolean {
    const items = task.items;
    const n = task.n;
    const floats = task.floats;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      i++;
    }
    for (; i < n; i++) {
      task.i = i;
      const item = items[i];
      const float = floats !== undefined && (task.kind === TaskKind.FrozenSet ? keyIsFloat(floats, item) : itemIsFloat(floats, i, item));
      if (!(float ? this.#saveLoadedFloat(task.kind === TaskKind.FrozenSet ? floatKey(floats!, item as number) : (item as number)) : this.#save(item))) {
        task.pending = true;
        return false;
      }
    }
    return true;
  }

  #resumeTuple(task: Task): void {
    if (!this.#saveRemainingItems(task)) return;
    const { value, n, batched: short, fresh } = task;
    this.#popTask();
    const out = this.#out;
    if (fresh) {
      out.byte(short ? SHORT_TUPLE[n]! : Opcode.TUPLE);
      this.#writePut(this.#memoCount++);
      return;
    }
    const index = this.#memo.get(value);
    if (index === undefined) {
      out.byte(short ? SHORT_TUPLE[n]! : Opcode.TUPLE);
      this.#memoize(value as object);
      return;
    }
    // Recursive: saving the items memoized the tuple. Drop them and fetch it.
    if (short) for (let k = 0; k < n; k++) out.byte(Opcode.POP);
    else if (this.protocol >= 1) out.byte(Opcode.POP_MARK);
    else for (let k = 0; k <= n; k++) out.byte(Opcode.POP); // the MARK too
    this.#writeGet(index);
  }

  #saveList(list: unknown[], depth: number): boolean {
    const out = this.#out;
    if (this.protocol >= 1) out.byte(Opcode.EMPTY_LIST);
    else out.byte2(Opcode.MARK, Opcode.LIST);
    this.#memoize(list);
    const n = list.length;
    if (n === 0) return true;
    const floats = floatsOf(list);
    if (n > 1 && n <= SHORT_LIST && this.protocol >= 1 && this.#persistentId === undefined && allScalars(list, n)) {
      // A short list of numbers, strings, None and booleans (a record's tags, a row): written
      // here, without a task and a trip through the run loop; none of them can fail or nest
      // (with a persistentId any of them could become an id that needs tasks of its own).
      out.byte(Opcode.MARK);
      for (let i = 0; i < n; i++) {
        const item = list[i];
        if (floats !== undefined && itemIsFloat(floats, i, item)) this.#saveLoadedFloat(item as number);
        else if (item === undefined && !(i in list)) throw new SaveFailure(holeMessage(i), undefined, { kind: StepKind.Index, key: i });
        // Only an index getter could hand over a container now, after allScalars read a scalar.
        else if (!this.#save(item)) failure('a list item changed while the list was written (an index getter?)');
      }
      out.byte(Opcode.APPENDS);
      return true;
    }
    const task = this.#pushTask(this.protocol === 0 || n === 1 ? TaskKind.ListEach : TaskKind.List, depth, list, list);
    task.floats = floats;
    return false;
  }

  /** Protocol 0 lists (and one-item lists): item APPEND, item APPEND, … */
  #resumeListEach(task: Task): void {
    const out = this.#out;
    const items = task.items;
    const n = task.n;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      out.byte(Opcode.APPEND);
      i++;
    }
    const floats = task.floats;
    for (; i < n; i++) {
      task.i = i;
      const item = items[i];
      if (!(floats !== undefined && itemIsFloat(floats, i, item) ? this.#saveLoadedFloat(item as number) : this.#save(item))) {
        task.pending = true;
        return;
      }
      out.byte(Opcode.APPEND);
    }
    this.#popTask();
  }

  /** The C pickler's exact-list batching: every batch, even a last one of one item, is MARK ... APPENDS. */
  #resumeList(task: Task): void {
    const out = this.#out;
    const items = task.items;
    const n = task.n;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) out.byte(Opcode.APPENDS);
      i++;
    }
    const floats = task.floats;
    while (i < n) {
      // One batch (or the rest of one, when resuming): no per-item batch arithmetic.
      if (i % BATCH_SIZE === 0) out.byte(Opcode.MARK);
      const stop = Math.min(n, i - (i % BATCH_SIZE) + BATCH_SIZE);
      for (; i < stop; i++) {
        task.i = i;
        const item = items[i];
        if (!(floats !== undefined && itemIsFloat(floats, i, item) ? this.#saveLoadedFloat(item as number) : this.#save(item))) {
          task.pending = true;
          return;
        }
      }
      out.byte(Opcode.APPENDS);
    }
    this.#popTask();
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
    if (this.protocol >= 1) out.byte(Opcode.EMPTY_DICT);
    else out.byte2(Opcode.MARK, Opcode.DICT);
    if (fresh) this.#writePut(this.#memoCount++);
    else this.#memoize(dict);
    const n = keys.length;
    if (n === 0) return true;
    const batched = this.protocol >= 1 && n > 1;
    const floats = floatsOf(dict);
    let i = 0;
    if (n <= SHORT_DICT && this.protocol >= 1 && this.#persistentId === undefined) {
      // A short dict's pairs of scalars (an instance's state, a row) are written here, without a
      // task, up to the first pair that is not: a task takes over from that pair.
      for (; i < n; i++) {
        const key = keys[i];
        const value = map ? map.get(key) : (dict as Record<string, unknown>)[key as string];
        if (!isScalar(key) || !isScalar(value)) break;
        if (i === 0 && batched) out.byte(Opcode.MARK);
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
        out.byte(batched ? Opcode.SETITEMS : Opcode.SETITEM);
        return true;
      }
    }
    const task = this.#pushTask(TaskKind.Dict, depth, dict, keys);
    task.map = map;
    task.floats = floats;
    task.batched = batched;
    task.i = i;
    return false;
  }

  /** After pair i: SETITEM, or SETITEMS at the end of a batch (plus the C pickler's empty batch). */
  #afterPair(i: number, n: number, batched: boolean): void {
    const out = this.#out;
    if (!batched) out.byte(Opcode.SETITEM);
    else if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) {
      out.byte(Opcode.SETITEMS);
      if (i + 1 === n && n % BATCH_SIZE === 0) out.byte2(Opcode.MARK, Opcode.SETITEMS);
    }
  }

  #resumeDict(task: Task): void {
    const out = this.#out;
    const keys = task.items;
    const n = task.n;
    const map = task.map;
    const floats = task.floats;
    const dict = task.value as Record<string, unknown>;
    const batched = task.batched;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      if (task.phase === 0) {
        task.phase = 1; // the key is written: its value next
      } else {
        this.#afterPair(i, n, batched);
        task.phase = 0;
        i++;
      }
    }
    for (; i < n; i++) {
      const key = keys[i];
      task.i = i;
      if (task.phase === 0) {
        if (batched && i % BATCH_SIZE === 0) out.byte(Opcode.MARK);
        if (!(floats !== undefined && keyIsFloat(floats, key) ? this.#saveLoadedFloat(floatKey(floats, key as number)) : this.#save(key))) {
          task.pending = true;
          return;
        }
        task.phase = 1;
      }
      const value = map ? map.get(key) : dict[key as string];
      if (!(floats !== undefined && valueIsFloat(floats, key, value) ? this.#saveLoadedFloat(value as number) : this.#save(value))) {
        task.pending = true;
        return;
      }
      task.phase = 0;
      this.#afterPair(i, n, batched);
    }
    this.#popTask();
  }

  #saveSet(set: Set<unknown>, depth: number): boolean {
    const items = [...set];
    this.#checkMembers(items, MemberKind.SetMember);
    const floats = floatsOf(set);
    if (this.protocol < 4) return this.#saveReduce([SET, Tuple.from([floats === undefined ? items : membersToWrite(set)])], set, depth);
    this.#out.byte(Opcode.EMPTY_SET);
    this.#memoize(set);
    if (set.size === 0) return true;
    this.#pushTask(TaskKind.Set, depth, set, items).floats = floats;
    return false;
  }

  /** Set items: MARK ... ADDITEMS per 1000, with the C pickler's extra empty batch after a full one. */
  #resumeSet(task: Task): void {
    const out = this.#out;
    const items = task.items;
    const n = task.n;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      this.#afterSetItem(i, n);
      i++;
    }
    const floats = task.floats;
    for (; i < n; i++) {
      if (i % BATCH_SIZE === 0) out.byte(Opcode.MARK);
      task.i = i;
      const item = items[i];
      if (!(floats !== undefined && keyIsFloat(floats, item) ? this.#saveLoadedFloat(floatKey(floats, item as number)) : this.#save(item))) {
        task.pending = true;
        return;
      }
      this.#afterSetItem(i, n);
    }
    this.#popTask();
  }

  #afterSetItem(i: number, n: number): void {
    if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) {
      this.#out.byte(Opcode.ADDITEMS);
      if (i + 1 === n && n % BATCH_SIZE === 0) this.#out.byte2(Opcode.MARK, Opcode.ADDITEMS);
    }
  }

  #saveFrozenSet(set: PyFrozenSet, depth: number): boolean {
    const items = [...set];
    this.#checkMembers(items, MemberKind.FrozenSetMember);
    const floats = floatsOf(set);
    if (this.protocol < 4) return this.#saveReduce([FROZENSET, Tuple.from([floats === undefined ? items : membersToWrite(set)])], set, depth);
    this.#out.byte(Opcode.MARK);
    this.#pushTask(TaskKind.FrozenSet, depth, set, items).floats = floats;
    return false;
  }

  #resumeFrozenSet(task: Task): void {
    if (!this.#saveRemainingItems(task)) return;
    const set = task.value as PyFrozenSet;
    this.#popTask();
    const index = this.#memo.get(set);
    if (index !== undefined) {
      this.#out.byte(Opcode.POP_MARK); // recursive: fetch it from the memo instead
      this.#writeGet(index);
      return;
    }
    this.#out.byte(Opcode.FROZENSET);
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
        if (code <= 0xff) out.byte2(Opcode.EXT1, code);
        else if (code <= 0xffff) out.opU16(Opcode.EXT2, code);
        else out.opU32(Opcode.EXT4, code);
        return true;
      }
    }
    const lastDot = name.lastIndexOf('.');
    if (this.protocol >= 4) {
      this.#save(module);
      this.#save(name);
      out.byte(Opcode.STACK_GLOBAL);
    } else if (lastDot > 0) {
      // A nested qualname below protocol 4: getattr(parent, last name), as CPython writes it.
      const parent = new PyGlobal(module, name.slice(0, lastDot));
      const script = this.#reductionScript([GETATTR, [parent, name.slice(lastDot + 1)]], undefined);
      script.push(Action.MemoizeGlobal, key, undefined);
      this.#pushTask(TaskKind.Script, depth, undefined, script);
      return false;
    } else {
      this.#writeGlobalByName(module, name, key);
    }
    if (this.#fast) return true;
    this.#memoizeGlobal(key);
    this.#memo.set(global, this.#memoCount - 1);
    return true;
  }

  /** GLOBAL (below protocol 4): the module and name as lines, Python 2's names below protocol 3. */
  #writeGlobalByName(module: string, name: string, key: string): void {
    const out = this.#out;
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
    out.byte(Opcode.GLOBAL);
    if (this.protocol < 3) out.latin1(`${m}\n${n}\n`);
    else {
      const text = `${m}\n${n}\n`;
      const at = out.reserve(utf8Length(text));
      encodeUtf8Into(text, out.buffer, at);
    }
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
    this.#pushTask(TaskKind.Script, depth, obj, this.#reductionScript(reduction, obj, fresh));
    return false;
  }

  /** The script that writes a reduction. `fresh` is a state dict nothing else refers to. */
  #reductionScript(reduction: Reduction, obj: object | undefined, fresh?: object): unknown[] {
    if (!Array.isArray(reduction) || reduction.length < 2 || reduction.length > 6) {
      failure('a reduction must be [callable, args, state?, listItems?, dictItems?, stateSetter?]');
    }
    const [callable, args, state, listItems, dictItems, stateSetter] = reduction;
    if (!Array.isArray(args)) failure('the arguments of a reduction must be a tuple');
    // A Tuple given by the reduction keeps its identity (it may be shared); other arrays become fresh tuples.
    const tupleAction = (items: readonly unknown[]): number => (items instanceof Tuple ? Action.Save : Action.FreshTuple);
    let script: unknown[];
    if (this.protocol >= 4 && isCopyreg(callable, '__newobj_ex__')) {
      const [cls, clsArgs, kwargs] = args;
      const argItems = (clsArgs ?? []) as unknown[];
      script = [
        Action.Save, cls, '<class>',
        tupleAction(argItems), argItems, '<args>',
        Action.Save, kwargs ?? {}, '<kwargs>',
        Action.WriteOpcode, Opcode.NEWOBJ_EX, undefined,
      ];
    } else if (this.protocol >= 2 && isCopyreg(callable, '__newobj__')) {
      if (args.length === 0) failure('copyreg.__newobj__ needs the class as its first argument');
      this.#refuseHoles(args, '<args>');
      script = [Action.Save, args[0], '<class>', Action.FreshTuple, args.length === 1 ? NO_ITEMS : args.slice(1), '<args>', Action.WriteOpcode, Opcode.NEWOBJ, undefined];
    } else {
      // Includes copyreg.__newobj_ex__ below protocol 4, which Python calls as a function.
      script = [Action.Save, callable, '<callable>', tupleAction(args), args, '<args>', Action.WriteOpcode, Opcode.REDUCE, undefined];
    }
    if (obj !== undefined) script.push(Action.MemoizeOrPop, obj, undefined);
    if (listItems !== undefined && listItems !== null) script.push(Action.AppendItems, listItems, '<list items>');
    if (dictItems !== undefined && dictItems !== null) script.push(Action.SetItems, dictItems, '<dict items>');
    if (state !== undefined && state !== null) {
      if (stateSetter === undefined || stateSetter === null) {
        const freshDict = state === fresh && (isPlainDict(state) || state instanceof Map);
        script.push(freshDict ? Action.FreshDict : Action.Save, state, '<state>', Action.WriteOpcode, Opcode.BUILD, undefined);
      } else {
        script.push(
          Action.Save, stateSetter, '<state setter>',
          Action.Save, obj, '',
          Action.Save, state, '<state>',
          Action.WriteOpcode, Opcode.TUPLE2, undefined,
          Action.WriteOpcode, Opcode.REDUCE, undefined,
          Action.WriteOpcode, Opcode.POP, undefined,
        );
      }
    }
    return script;
  }

  /** Runs a script from the action it stands at, until an action pushes a task (it resumes after it). */
  #resumeScript(task: Task): void {
    const script = task.items;
    const n = task.n;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      i += 3;
    }
    for (; i < n; i += 3) {
      task.i = i;
      if (!this.#runAction(task, script[i] as ActionCode, script[i + 1], script[i + 2])) {
        task.pending = true;
        return;
      }
    }
    this.#popTask();
  }

  /** One action of a script, [action, a, b]: false when it pushed a task for its value, as #save. */
  #runAction(task: Task, action: ActionCode, a: unknown, b: unknown): boolean {
    switch (action) {
      case Action.Save:
        return this.#save(a);
      case Action.SaveRaw:
        return this.#save(a, true);
      case Action.WriteOpcode:
        this.#out.byte(a as number);
        return true;
      case Action.WriteText:
        this.#out.latin1(a as string);
        return true;
      case Action.MemoizeOrPop:
        this.#memoizeOrPop(a as object);
        return true;
      case Action.FreshTuple:
        return this.#saveFreshTuple(a as unknown[], b as string | readonly string[], task.depth);
      case Action.AppendItems:
        return this.#pushAppendItems(a, b as string, task.depth);
      case Action.SetItems:
        return this.#pushSetItems(a, b as string, task);
      case Action.MemoizeGlobal:
        this.#memoizeGlobal(a as string);
        return true;
      case Action.FreshDict:
        return this.#saveFreshDict(a as object, task.depth);
    }
  }

  /** Memoizes `obj`; when saving its parts memoized it already (recursion), POP and fetch it instead. */
  #memoizeOrPop(obj: object): void {
    const index = this.#memo.get(obj);
    if (index === undefined) this.#memoize(obj);
    else {
      this.#out.byte(Opcode.POP);
      this.#writeGet(index);
    }
  }

  /**
   * A tuple of `items` the pickler made: labelled `label` as one part (then a value of its own, as
   * if saved by Action.Save, so persistentId sees it too), or each item by `label[i]`.
   */
  #saveFreshTuple(items: unknown[], label: string | readonly string[], depth: number): boolean {
    this.#out.opcodeBoundary();
    if (typeof label !== 'string') return this.#saveTuple(items, depth, true, label);
    if (this.#persistentId !== undefined) {
      const pid = this.#persistentId(Tuple.from(items));
      if (pid !== undefined && pid !== null) return this.#savePersistent(pid);
    }
    if (depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
    return this.#saveTuple(items, depth + 1, true);
  }

  /** A reduction's list items, labelled `label`: a task of their own, unless there are none. */
  #pushAppendItems(source: unknown, label: string, depth: number): boolean {
    // A loaded list (a placeholder's list items) writes its floats as floats.
    // An array is used as it is (a hole is refused when reached), never spread: spreading
    // would turn holes into undefined and walk a claimed length of 2^32-1.
    const items = Array.isArray(source) ? itemsToWrite(source) : [...(source as Iterable<unknown>)];
    if (items.length === 0) return true;
    this.#pushTask(TaskKind.AppendItems, depth, undefined, items).labels = label;
    return false;
  }

  /** The dict items of the reduction `task` writes, labelled `label`: a task of their own, unless there are none. */
  #pushSetItems(source: unknown, label: string, task: Task): boolean {
    if (Array.isArray(source)) this.#refuseHoles(source, label);
    const pairs = [...(source as Iterable<readonly [unknown, unknown]>)];
    for (let k = 0; k < pairs.length; k++) {
      const pair = pairs[k];
      if (!Array.isArray(pair) || pair.length !== 2) failure('dict items of a reduction must be [key, value] pairs');
      pairs[k] = itemsToWrite(pair) as readonly [unknown, unknown];
    }
    // The items of a Map (an OrderedDict, Counter, defaultdict...) make a Python dict.
    if (task.value instanceof Map) this.#checkMembers(pairs.map((pair) => pair[0]), MemberKind.DictItemKey);
    if (pairs.length === 0) return true;
    this.#pushTask(TaskKind.SetItems, task.depth, undefined, pairs).labels = label;
    return false;
  }

  /** A state dict that nothing else refers to: no memo lookup or entry. */
  #saveFreshDict(dict: object, depth: number): boolean {
    this.#out.opcodeBoundary();
    if (depth >= this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`, undefined, 'LIMIT_EXCEEDED');
    const map = dict instanceof Map ? dict : undefined;
    return this.#saveDict(dict, map, map ? [...map.keys()] : Object.keys(dict), depth + 1, true);
  }

  /** Items of a reduction's list part (batch_list): batches, a trailing single item as APPEND. */
  #resumeAppendItems(task: Task): void {
    const items = task.items;
    const n = task.n;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      this.#endBatchItem(i, n, Opcode.APPEND, Opcode.APPENDS);
      i++;
    }
    for (; i < n; i++) {
      this.#startBatch(i, n);
      task.i = i;
      if (!this.#save(items[i])) {
        task.pending = true;
        return;
      }
      this.#endBatchItem(i, n, Opcode.APPEND, Opcode.APPENDS);
    }
    this.#popTask();
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
    if (i % BATCH_SIZE === 0 && !this.#aloneInBatch(i, n)) this.#out.byte(Opcode.MARK);
  }

  #endBatchItem(i: number, n: number, one: number, many: number): void {
    if (this.#aloneInBatch(i, n)) this.#out.byte(one);
    else if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) this.#out.byte(many);
  }

  /** Pairs of a reduction's dict part (batch_dict): batches, a trailing single pair as SETITEM. */
  #resumeSetItems(task: Task): void {
    const pairs = task.items as ReadonlyArray<readonly [unknown, unknown]>;
    const n = task.n;
    let i = task.i;
    if (task.pending) {
      task.pending = false;
      if (task.phase === 0) task.phase = 1;
      else {
        this.#endBatchItem(i, n, Opcode.SETITEM, Opcode.SETITEMS);
        task.phase = 0;
        i++;
      }
    }
    for (; i < n; i++) {
      const pair = pairs[i]!;
      task.i = i;
      if (task.phase === 0) {
        this.#startBatch(i, n);
        if (!this.#save(pair[0])) {
          task.pending = true;
          return;
        }
        task.phase = 1;
      }
      if (!this.#save(pair[1])) {
        task.pending = true;
        return;
      }
      task.phase = 0;
      this.#endBatchItem(i, n, Opcode.SETITEM, Opcode.SETITEMS);
    }
    this.#popTask();
  }

  // ---- placeholders -------------------------------------------------------------------------

  /**
   * `cls.__new__(cls)` by NEWOBJ with no arguments, then the state and BUILD, written straight
   * out when the class object is in the object memo already (as a rule every instance after the
   * first of its class; not a class written as an extension code, or by name alone), or in fast
   * mode (no memo) when the class is a name written in place: the bytes
   * the script of #reductionScript or #savePlaceholder writes, without building it. `stateIsFresh`:
   * the state is a plain dict made for this call (never in the memo). Undefined when this does
   * not apply and nothing was written; otherwise as #save.
   */
  #saveBareNewObj(obj: object, cls: unknown, state: unknown, stateIsFresh: boolean, depth: number): boolean | undefined {
    if (!this.#canSaveBareNewObj(cls, depth)) return undefined;
    const out = this.#out;
    if (this.#fast) {
      if (!this.#saveGlobal(cls as PyGlobal, depth + 1)) throw new Error('unreachable: a global written in place pushed a task');
    } else {
      this.#writeGet(this.#memo.get(cls)!); // at the boundary the instance's own #save marked
    }
    out.opcodeBoundary();
    out.byte2(Opcode.EMPTY_TUPLE, Opcode.NEWOBJ);
    this.#memoize(obj); // not in the memo (#save looked), and nothing was saved since
    if (state === undefined) return true;
    const task = this.#pushTask(TaskKind.Script, depth, obj, stateIsFresh ? FRESH_STATE_THEN_BUILD : PLACEHOLDER_STATE_THEN_BUILD);
    task.pending = true;
    let written: boolean;
    if (stateIsFresh) {
      out.opcodeBoundary();
      written = this.#saveDict(state as object, undefined, Object.keys(state as object), depth + 1, true);
    } else written = this.#save(state);
    if (!written) return false;
    out.byte(Opcode.BUILD);
    this.#popTask();
    return true;
  }

  /** Whether #saveBareNewObj writes an instance of `cls` at `depth` (or leaves it to the generic path). */
  #canSaveBareNewObj(cls: unknown, depth: number): boolean {
    // The generic path gives the errors (and below protocol 2 there is no NEWOBJ).
    if (this.protocol < 2 || depth >= this.#maxDepth) return false;
    // Fast mode (no memo) writes the class again for each instance, by name, in place; not a
    // nested name below protocol 4, for which #saveGlobal pushes a script of getattr calls instead.
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
    const script = this.#creationScript(value, args);
    script.push(Action.MemoizeOrPop, value, undefined);
    if (value.listItems !== undefined) script.push(Action.AppendItems, value.listItems, '.listItems');
    if (value.dictItems !== undefined) script.push(Action.SetItems, value.dictItems, '.dictItems');
    if (state !== undefined) script.push(Action.Save, state, '.state', Action.WriteOpcode, Opcode.BUILD, undefined);
    this.#pushTask(TaskKind.Script, depth, value, script);
    return false;
  }

  /** The script that makes a placeholder's object again, in the form it was read in (its creation). */
  #creationScript(value: PyObject, args: readonly unknown[]): unknown[] {
    const { cls } = value;
    /** callable(parts…) by REDUCE, the parts in a fresh tuple labelled one by one. */
    const call = (callable: unknown, label: string, parts: unknown[], labels: readonly string[]): unknown[] => [
      Action.Save, callable, label,
      Action.FreshTuple, parts, labels,
      Action.WriteOpcode, Opcode.REDUCE, undefined,
    ];
    switch (value.creation) {
      case 'newobj':
        if (this.protocol >= 2) {
          return [Action.Save, cls, '.cls', Action.FreshTuple, args, argLabels(args.length), Action.WriteOpcode, Opcode.NEWOBJ, undefined];
        }
        if (args.length === 0 && value.listItems === undefined && value.dictItems === undefined) {
          // Protocols 0 and 1 have no NEWOBJ: object.__new__(cls) is copyreg._reconstructor(cls, object, None).
          return call(RECONSTRUCTOR, '<copyreg._reconstructor>', [cls, OBJECT, null], ['.cls', '<object>', '<None>']);
        }
        return call(NEWOBJ, '<copyreg.__newobj__>', [cls, ...args], ['.cls', ...argLabels(args.length)]);
      case 'newobj_ex':
        if (this.protocol >= 4) {
          return [
            Action.Save, cls, '.cls',
            Action.FreshTuple, args, argLabels(args.length),
            Action.Save, value.kwargs ?? {}, '.kwargs',
            Action.WriteOpcode, Opcode.NEWOBJ_EX, undefined,
          ];
        }
        // No NEWOBJ_EX below protocol 4: copyreg.__newobj_ex__(cls, args, kwargs) is the same call.
        return call(NEWOBJ_EX, '<copyreg.__newobj_ex__>', [cls, value.args, value.kwargs ?? {}], ['.cls', '.args', '.kwargs']);
      case 'reduce':
        return call(cls, '.cls', [...args], argLabels(args.length));
      case 'reconstructor':
        return call(RECONSTRUCTOR, '<copyreg._reconstructor>', [cls, ...args], ['.cls', ...argLabels(args.length)]);
      case 'inst': {
        if (!(cls instanceof PyGlobal)) failure('an INST placeholder needs a global class');
        const names = `${cls.module}\n${cls.name}\n`;
        if (!/^[\x00-\x09\x0b-\x7f]*\n[\x00-\x09\x0b-\x7f]*\n$/.test(names)) failure('INST names must be ASCII');
        const script: unknown[] = [Action.WriteOpcode, Opcode.MARK, undefined];
        args.forEach((arg, i) => script.push(Action.Save, arg, `.args[${i}]`));
        script.push(Action.WriteOpcode, Opcode.INST, undefined, Action.WriteText, names, undefined);
        return script;
      }
      case 'obj': {
        const script: unknown[] = [Action.WriteOpcode, Opcode.MARK, undefined, Action.Save, cls, '.cls'];
        args.forEach((arg, i) => script.push(Action.Save, arg, `.args[${i}]`));
        script.push(Action.WriteOpcode, Opcode.OBJ, undefined);
        return script;
      }
    }
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

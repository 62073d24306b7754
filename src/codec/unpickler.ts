// The unpickler: a flat loop over opcodes with an explicit value stack and mark stack, never
// recursive, so nesting depth is bounded by memory and the limits, not by the JavaScript stack.
// It follows CPython's Modules/_pickle.c (the C unpickler users run) for semantics and errors.
import { fixImport } from '../protocol/compat.js';
import { PickleError, type PickleErrorCode, UnpicklingError } from '../errors.js';
import { detachedMessage, isDetached } from '../values/detached-buffer.js';
import { decodeLong, parsePythonFloat, parsePythonInt } from './numbers.js';
import { Opcode, opcodeName } from '../protocol/opcodes.js';
import { HIGHEST_PROTOCOL } from '../protocol/limits.js';
import { fallbackRegistry } from './fallback-registry.js';
import { joblibInputHint } from './joblib-hint.js';
import { compressedInputHint } from './input-hints.js';
import { unregisteredNameHint } from '../registry/registry-hints.js';
import { defaultRegistry, type LoadContext, type PyClassHandler, type Registry } from '../registry/registry.js';
import { codecsEncode } from './builtins.js';
import {
  decodeAscii,
  decodeLatin1,
  decodeRawUnicodeEscape,
  decodeStringEscape,
  decodeUtf8,
} from './text.js';
import { PyByteArray } from '../values/bytearray.js';
import { describe } from '../values/describe.js';
import { dictEntries, isDict, isPlainDict, type PyDict, setPlainDictItem } from '../values/dict.js';
import { distinctNaN, PyFloat, setOf } from '../values/float.js';
import { floatItemsFor, floatsOf, isIntegralFloat, itemIsFloat, markFloatItem, markFloatKey, markFloatValue, shareFloats, truncateFloatItems, unmarkFloatValue, valueIsFloat } from '../values/float-marks.js';
import { PyFrozenSet } from '../values/frozenset.js';
import { PyGlobal } from '../values/global.js';
import { PyObject, type PyObjectCreation } from '../values/object.js';
import { Tuple } from '../values/tuple.js';
import { matchLatin1BytesIdiom } from './latin1-bytes-idiom.js';
import { BatchRunProgress, BatchRunScan, flatItemAt, frameAfter, scanBatchRun, startsWithWideNumber } from './list-batch-run.js';
import { replaceReferences } from './replace-references.js';
import { reprStr } from './python-repr.js';
import { LATIN1_TEXT_MIN, latin1BytesOfUtf8, latin1String, releaseLatin1Bytes } from './text-latin1.js';
import { asciiFailure } from './text-decoders.js';

/**
 * A new empty list. Not an array literal: V8 remembers what a literal's arrays came to hold and
 * makes later ones generic from the start, so after one list of strings every list of floats
 * would box each float. Array.of() starts each list afresh: a list of floats stores them unboxed.
 */
const newList = (): unknown[] => Array.of();

/** How Python 2 `str` values (STRING, BINSTRING, SHORT_BINSTRING) are decoded. */
export type Python2StringEncoding = 'ascii' | 'latin1' | 'utf-8' | 'bytes';

/** Options of `loads` and `Unpickler`. */
export interface LoadOptions {
  /** Where globals are resolved; the shared default registry when omitted. */
  registry?: Registry;
  /** Unregistered classes and globals are errors instead of placeholders. Default false. */
  strict?: boolean;
  /** Python 2 `str` decoding: 'ascii' (Python's default), 'latin1', 'utf-8' or 'bytes'. */
  encoding?: Python2StringEncoding;
  /** Map Python 2 module and class names to Python 3 ones below protocol 3. Default true. */
  fixImports?: boolean;
  /**
   * Dict representation: 'auto' (default) gives plain objects for dicts whose keys are all
   * strings and a `Map` for the others; 'map' gives a `Map` for every dict.
   */
  dicts?: 'auto' | 'map';
  /** Out-of-band buffers for NEXT_BUFFER (protocol 5), in the order the pickler produced them. */
  buffers?: Iterable<ArrayBuffer | ArrayBufferView>;
  /** Resolves persistent ids (PERSID/BINPERSID), as Python's `persistent_load`. */
  persistentLoad?: (pid: unknown) => unknown;
  /** The extension registry for EXT1/EXT2/EXT4: code → [module, qualified name]. */
  extensions?: ReadonlyMap<number, readonly [string, string]> | Readonly<Record<number, readonly [string, string]>>;
  /** Largest input accepted, in bytes. Default 2 GiB. */
  maxInputBytes?: number;
  /** Largest unpickling stack (values plus marks): bounds nesting depth. Default 10 000 000. */
  maxDepth?: number;
  /** Most memo entries. Default 100 000 000. */
  maxMemo?: number;
  /**
   * Most digits in a protocol 0 decimal integer, and in text `int()` reads in a base that is not
   * a power of two, as CPython's int_max_str_digits. Default 4300.
   */
  maxIntDigits?: number;
  /**
   * Keep the memo from one `load()` to the next, for a stream written by one Pickler's repeated
   * `dump()` calls (CPython's Unpickler always does). Default false: each pickle gets a fresh memo,
   * as a file of repeated `pickle.dump(obj, f)` calls needs.
   */
  keepMemo?: boolean;
  /**
   * Load floats with an integral value (`2.0`) as `PyFloat` instead of the number 2. Default
   * false: every float is a plain number, and the container holding an integral one records it,
   * so that `dumps` writes it back as a float (see float-marks.ts).
   */
  keepFloatType?: boolean;
}

const DEFAULTS = {
  maxInputBytes: 2 ** 31,
  maxDepth: 10_000_000,
  maxMemo: 100_000_000,
  maxIntDigits: 4300,
};

const EMPTY_TUPLE: Tuple = Object.freeze(new Tuple()) as Tuple;

/** Memo indices at or beyond this go to a Map: JavaScript array indices stop below 2^32 - 1. */
const ARRAY_INDEX_LIMIT = 0xffff_fffe;
/** Runs of at least this many items size their list once (smaller ones grow it as they go). */
const RESERVE_MIN_ITEMS = 1024;
/** #freshListMemoIndex: the list may be referred to from elsewhere. */
const NOT_FRESH = -2;
/** V8 turns an array longer than this (kMaxFastArrayLength, 32 Mi) into a slow dictionary. */
const MAX_FAST_ARRAY_LENGTH = 32 * 1024 * 1024;

const textDecoderFor = { ascii: decodeAscii, latin1: decodeLatin1, 'utf-8': decodeUtf8 } as const;

/** Thrown inside the loop; turned into an UnpicklingError with the opcode's offset and name. */
class LoadFailure extends Error {
  constructor(
    message: string,
    readonly code: PickleErrorCode,
  ) {
    super(message);
  }
}

function fail(message: string, code: PickleErrorCode = 'INVALID_PICKLE'): never {
  throw new LoadFailure(message, code);
}

/** The values of a memo array, holes skipped in time proportional to the entries (not the length). */
function memoValues(memo: unknown[]): unknown[] {
  const values: unknown[] = [];
  for (const index in memo) values.push(memo[index as unknown as number]);
  return values;
}

function toBytes(data: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  refuseDetached(data, 'loads() input');
  // A Node Buffer is a Uint8Array whose slice() is a view: rewrap it so bytes values are copies.
  if (data instanceof Uint8Array) {
    return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new UnpicklingError(`loads() expects a Uint8Array, ArrayBuffer or Buffer, not ${describe(data)}`, { code: 'INVALID_ARGUMENT' });
}

/** A detached buffer, or a view of one, is an invalid argument (it would throw a TypeError further on). */
function refuseDetached(data: unknown, what: string): void {
  const buffer = data instanceof ArrayBuffer ? data : ArrayBuffer.isView(data) ? data.buffer : undefined;
  if (buffer !== undefined && isDetached(buffer)) {
    throw new UnpicklingError(detachedMessage(`the ${what}`), { code: 'INVALID_ARGUMENT' });
  }
}

function bufferToBytes(buffer: unknown): Uint8Array {
  refuseDetached(buffer, 'out-of-band buffer');
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  fail(`out-of-band buffer must be an ArrayBuffer or a typed array, not ${describe(buffer)}`, 'INVALID_ARGUMENT');
}

/** A memo entry made on its first fetch (see Unpickler's fused `_codecs.encode`). */
class LazyMemoValue {
  constructor(readonly make: () => unknown) {}
}

/**
 * Points an Unpickler at new input, keeping everything else (the memo, with keepMemo; the
 * out-of-band buffers not yet taken): the stream reader loads each pickle of a stream from its
 * own bytes with one Unpickler. Not part of the public API.
 */
export let replaceInput: (unpickler: Unpickler, data: Uint8Array) => void;

/**
 * @internal The input after a BUILD, for formats that write raw bytes into the pickle stream
 * right after an object's BUILD (joblib's arrays after each NumpyArrayWrapper).
 */
export interface RawInput {
  /** Offset of the next byte. */
  readonly position: number;
  /** Bytes left after the position. */
  readonly remaining: number;
  /** The next `count` bytes (a view), consumed; a TRUNCATED failure when fewer are left. */
  take(count: number, what: string): Uint8Array;
  /** Every byte left, not consumed (for a nested pickle; `skip` what it used). */
  rest(): Uint8Array;
  skip(count: number): void;
  /** Fails the load at this BUILD with a message and code. */
  fail(message: string, code?: PickleErrorCode): never;
}

/**
 * @internal Called after each BUILD with the built object: a value other than undefined replaces
 * it on the stack. Set per unpickler (joblib's loader); costs one check per BUILD otherwise.
 */
export type BuildHook = (target: unknown, input: RawInput) => unknown;

/** @internal Sets (or clears) an unpickler's BuildHook. */
export let setBuildHook: (unpickler: Unpickler, hook: BuildHook | undefined) => void;

/**
 * Loads the next pickle as `load()` does, but with every opcode through its handler: none of the
 * loop's fast paths, nor the runs of list batches and the Latin-1 idiom they lead to. For tests
 * that check the fast paths do what the handlers do. Not part of the public API.
 */
export let loadByHandlers: (unpickler: Unpickler) => unknown;

/**
 * Reads pickles from a buffer. `load()` reads the next one; calling it again reads the one after
 * (a file written by repeated `pickle.dump` calls). Each load starts with a fresh memo, as each
 * `pickle.dump` call writes with a fresh one; `keepMemo` reads what one Pickler's repeated
 * `dump()` calls wrote.
 */
export class Unpickler implements LoadContext {
  // ---- options ------------------------------------------------------------------------------
  readonly strict: boolean;
  readonly maxIntDigits: number;
  readonly #registry: Registry;
  /** What the registry does not know is looked up here: the builtins, and the standard types once installed. */
  readonly #fallback: Registry;
  readonly #encoding: Python2StringEncoding;
  readonly #fixImports: boolean;
  readonly #mapDicts: boolean;
  readonly #persistentLoad: ((pid: unknown) => unknown) | undefined;
  readonly #extensions: LoadOptions['extensions'];
  readonly #buffers: Iterator<ArrayBuffer | ArrayBufferView> | undefined;
  readonly #maxDepth: number;
  readonly #maxMemo: number;
  readonly #keepMemo: boolean;
  readonly #keepFloatType: boolean;

  // ---- the input ----------------------------------------------------------------------------
  #data: Uint8Array;
  #view: DataView;
  #pos = 0;
  /** Where the current pickle starts. */
  #start = 0;
  #proto = 0;
  #frameEnd = -1;
  /** Copying handlers may still do (see charge). */
  #budget = 0;

  // ---- the stack ----------------------------------------------------------------------------
  // The value stack is stack[0, sp). It never shrinks during a load: V8 trims an array's storage
  // when its length drops by half, and a list's APPENDS batches would grow and trim it each time.
  #stack: unknown[] = [];
  #sp = 0;
  #marks: number[] = [];
  /** The topmost mark's position (0 with none): nothing below it can be popped. */
  #fence = 0;
  /**
   * The stack slots (ascending, each below #sp) holding integral floats (2.0) pushed as plain
   * numbers: the container that takes a slot records its number as a float (see
   * float-marks.ts). Whatever lowers #sp drops the slots above it. Empty with keepFloatType,
   * whose floats are PyFloat.
   */
  readonly #floatSlots: number[] = [];
  /** How many of #floatSlots are in use (the array is not shortened: that is a runtime call). */
  #floatSlotCount = 0;
  /** Where #takeFloats puts the offsets of the slots it takes. */
  readonly #floatOffsets: number[] = [];

  // ---- the memo -----------------------------------------------------------------------------
  #memo: unknown[] = [];
  /** Entries at ARRAY_INDEX_LIMIT and beyond. */
  #memoBig: Map<number, unknown> | undefined;
  #memoSize = 0;
  /** The memo holds an integral float, as a PyFloat: GET pushes it as the number, in a float slot. */
  #memoHoldsFloats = false;
  #buildHook: BuildHook | undefined;

  // ---- dicts and objects --------------------------------------------------------------------
  // Plain-object dicts that gained a non-string key became Maps; old → new, and which old ones
  // were referenced from somewhere other than the stack (DUP or memo GET) before that happened.
  #replacedDicts: Map<object, Map<unknown, unknown>> | undefined;
  #escapedDicts: WeakSet<object> | undefined;
  /** State dicts made by merging two BUILDs: private to the placeholder, so merged into in place. */
  #mergedStates: WeakSet<object> | undefined;
  /** Globals resolved so far, by module and name. */
  readonly #globals = new Map<string, PyGlobal>();
  #perLoadStore = new Map<symbol, unknown>();

  // ---- runs of list batches (#appendBatchRun) -----------------------------------------------
  /** No batch run starts before this position: a run sent a batch back there. */
  #noRunBefore = 0;
  readonly #runScan = new BatchRunScan();
  readonly #runProgress = new BatchRunProgress();
  /** The list the last EMPTY_LIST made, and the position after that opcode. */
  #freshList: unknown[] | undefined = undefined;
  #freshListEnd = -1;

  static {
    setBuildHook = (unpickler, hook) => {
      unpickler.#buildHook = hook;
    };
    replaceInput = (unpickler, data) => {
      unpickler.#data = toBytes(data);
      unpickler.#view = new DataView(unpickler.#data.buffer, unpickler.#data.byteOffset, unpickler.#data.byteLength);
      unpickler.#pos = 0;
    };
    loadByHandlers = (unpickler) => {
      unpickler.#beginLoad();
      return unpickler.#runHandlersOnly();
    };
  }

  constructor(data: Uint8Array | ArrayBuffer | ArrayBufferView, options: LoadOptions = {}) {
    this.#data = toBytes(data);
    const maxInputBytes = options.maxInputBytes ?? DEFAULTS.maxInputBytes;
    if (this.#data.length > maxInputBytes) {
      throw new UnpicklingError(
        `input of ${this.#data.length} bytes exceeds maxInputBytes (${maxInputBytes})`,
        { code: 'LIMIT_EXCEEDED' },
      );
    }
    this.#view = new DataView(this.#data.buffer, this.#data.byteOffset, this.#data.byteLength);
    this.#registry = options.registry ?? defaultRegistry();
    this.#fallback = fallbackRegistry();
    this.strict = options.strict ?? false;
    const encoding = options.encoding ?? 'ascii';
    if (!['ascii', 'latin1', 'utf-8', 'bytes'].includes(encoding)) {
      throw new UnpicklingError(`unsupported encoding option '${String(encoding)}'`, { code: 'INVALID_ARGUMENT' });
    }
    this.#encoding = encoding;
    this.#fixImports = options.fixImports ?? true;
    this.#mapDicts = options.dicts === 'map';
    this.#persistentLoad = options.persistentLoad;
    this.#extensions = options.extensions;
    this.#buffers = options.buffers?.[Symbol.iterator]();
    this.#maxDepth = options.maxDepth ?? DEFAULTS.maxDepth;
    this.#maxMemo = options.maxMemo ?? DEFAULTS.maxMemo;
    this.maxIntDigits = options.maxIntDigits ?? DEFAULTS.maxIntDigits;
    this.#keepMemo = options.keepMemo ?? false;
    this.#keepFloatType = options.keepFloatType ?? false;
  }

  /**
   * Offset just past the last pickle loaded (its STOP opcode): where the next load begins. After
   * a failed load it is the start of the pickle that failed.
   */
  get position(): number {
    return this.#pos;
  }

  /** True when every byte of the input has been consumed. */
  get atEnd(): boolean {
    return this.#pos >= this.#data.length;
  }

  /** Reads every remaining pickle, one value per pickle. */
  *[Symbol.iterator](): IterableIterator<unknown> {
    while (!this.atEnd) yield this.load();
  }

  /** LoadContext: work budget for handlers that copy in proportion to their input. */
  charge(units: number): void {
    this.#budget -= units;
    if (this.#budget < 0) {
      fail('pickle asks for more copying than its size can justify (hostile input?)', 'LIMIT_EXCEEDED');
    }
  }

  /** LoadContext: a new dict in the representation the options ask for. */
  newDict(): PyDict {
    return this.#mapDicts ? new Map() : {};
  }

  /** Reads the next pickle and returns its value. */
  load(): unknown {
    this.#beginLoad();
    return this.#run();
  }

  /** Starts a load at #pos: a fresh stack, and a fresh memo unless keepMemo keeps it. */
  #beginLoad(): void {
    const data = this.#data;
    this.#start = this.#pos;
    if (this.#pos >= data.length) {
      throw new UnpicklingError('ran out of input: no pickle data', { offset: this.#pos, code: 'TRUNCATED' });
    }
    this.#stack = [];
    this.#sp = 0;
    this.#marks = [];
    this.#fence = 0;
    if (!this.#keepMemo) {
      this.#memo = [];
      this.#memoBig = undefined;
      this.#memoSize = 0;
      this.#memoHoldsFloats = false;
    }
    this.#proto = 0;
    this.#frameEnd = -1;
    this.#noRunBefore = 0;
    this.#freshList = undefined;
    this.#replacedDicts = undefined;
    this.#escapedDicts = undefined;
    this.#mergedStates = undefined;
    this.#perLoadStore = new Map();
    this.#floatSlotCount = 0;
    // Handlers may copy what they are given. A pickle written by Python needs well under one
    // element copy per input byte (each element costs at least a byte to write); four per byte,
    // plus a fixed allowance, keeps a hostile pickle to about a second per megabyte.
    this.#budget = 4 * (data.length - this.#pos) + 1_000_000;
  }

  /**
   * The opcode loop, up to STOP. It keeps the position in a local, and the commonest opcodes run
   * right here while their input is complete and the stack has room: each such case is a fast
   * path of the handler named beside it, with the same effect; anything else, those opcodes'
   * error cases included, goes to #dispatch, whose handlers report errors as CPython does.
   * test/codec/unpickler-fast-paths.test.ts loads the same inputs through #dispatch alone
   * (#runHandlersOnly) and compares.
   */
  #run(): unknown {
    const data = this.#data;
    const end = data.length;
    const stack = this.#stack;
    const marks = this.#marks;
    const maxDepth = this.#maxDepth;
    // Not shortened during a load (see #floatSlotCount): one array throughout.
    const floatSlots = this.#floatSlots;
    let pos = this.#pos;
    let opStart = pos;
    try {
      for (;;) {
        opStart = pos;
        if (pos >= end) {
          opStart = -1;
          fail('pickle data was truncated: no STOP opcode before the end of the input', 'TRUNCATED');
        }
        const code = data[pos++]!;
        const room = this.#sp + marks.length < maxDepth;
        switch (code) {
          case Opcode.BININT1: // fast path of #loadBinInt1
            if (room && pos < end) {
              stack[this.#sp++] = data[pos++];
              continue;
            }
            break;
          case Opcode.BININT2: // fast path of #loadBinInt2
            if (room && pos + 2 <= end) {
              stack[this.#sp++] = data[pos]! | (data[pos + 1]! << 8);
              pos += 2;
              continue;
            }
            break;
          case Opcode.BININT: // fast path of #loadBinInt
            if (room && pos + 4 <= end) {
              stack[this.#sp++] = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24);
              pos += 4;
              continue;
            }
            break;
          case Opcode.LONG1: { // fast path of #loadLong1
            if (!room || pos >= end) break;
            const n = data[pos]!;
            if (n > end - pos - 1) break;
            stack[this.#sp++] = decodeLong(data, pos + 1, n, this.#view);
            pos += 1 + n;
            continue;
          }
          case Opcode.BINFLOAT: // fast path of #loadBinFloat
            if (room && pos + 8 <= end) {
              const value = this.#view.getFloat64(pos, false);
              // An integral one (2.0) in a float slot, to be told from an int; -0 and
              // keepFloatType's PyFloat by #pushFloat.
              if (!Number.isInteger(value)) {
                stack[this.#sp++] = value;
                pos += 8;
                continue;
              }
              if (value !== 0 && !this.#keepFloatType && Number.isSafeInteger(value)) {
                floatSlots[this.#floatSlotCount++] = this.#sp;
                stack[this.#sp++] = value;
                pos += 8;
                continue;
              }
            }
            break;
          case Opcode.SHORT_BINUNICODE: { // fast path of #loadShortBinUnicode
            if (!room || pos >= end) break;
            const n = data[pos]!;
            if (n > end - pos - 1) break;
            const text = decodeUtf8(data, pos + 1, pos + 1 + n);
            if (text === null) break;
            stack[this.#sp++] = text;
            pos += 1 + n;
            continue;
          }
          case Opcode.BINUNICODE: { // fast path of #loadBinUnicode (and of the idiom of #encodedLatin1)
            if (!room || pos + 4 > end) break;
            const n = this.#view.getUint32(pos, true);
            if (n > end - pos - 4) break;
            if (n >= LATIN1_TEXT_MIN) {
              const after = this.#encodedLatin1(pos + 4, pos + 4 + n, opStart);
              if (after >= 0) {
                pos = after;
                continue;
              }
            }
            const text = decodeUtf8(data, pos + 4, pos + 4 + n);
            if (text === null) break;
            stack[this.#sp++] = text;
            pos += 4 + n;
            continue;
          }
          case Opcode.MEMOIZE: { // fast path of #loadMemoize: the next index, when the memo is a dense array up to it
            const memo = this.#memo;
            const index = this.#memoSize;
            if (this.#sp > this.#fence && index === memo.length && index < this.#maxMemo) {
              memo.push(this.#floatSlotCount !== 0 ? this.#topToMemo() : stack[this.#sp - 1]);
              this.#memoSize = index + 1;
              continue;
            }
            break;
          }
          case Opcode.BINPUT: // fast path of #loadBinPut
            if (pos < end && this.#sp > this.#fence) {
              this.#memoSet(data[pos++]!, this.#floatSlotCount !== 0 ? this.#topToMemo() : stack[this.#sp - 1]);
              continue;
            }
            break;
          case Opcode.LONG_BINPUT: // fast path of #loadLongBinPut
            if (pos + 4 <= end && this.#sp > this.#fence) {
              this.#memoSet(this.#view.getUint32(pos, true), this.#floatSlotCount !== 0 ? this.#topToMemo() : stack[this.#sp - 1]);
              pos += 4;
              continue;
            }
            break;
          case Opcode.BINGET: // fast path of #loadBinGet
            if (room && pos < end) {
              const value = this.#memoGet(data[pos++]!);
              if (this.#memoHoldsFloats && value instanceof PyFloat) this.#pushFetched(value);
              else stack[this.#sp++] = value;
              continue;
            }
            break;
          case Opcode.LONG_BINGET: // fast path of #loadLongBinGet
            if (room && pos + 4 <= end) {
              const value = this.#memoGet(this.#view.getUint32(pos, true));
              if (this.#memoHoldsFloats && value instanceof PyFloat) this.#pushFetched(value);
              else stack[this.#sp++] = value;
              pos += 4;
              continue;
            }
            break;
          case Opcode.MARK: // fast path of #loadMark, and of a run of list batches (#appendBatchRun)
            if (room) {
              // A batch of simple items for a list: maybe the first of a run, loaded in one step.
              if (pos < end && flatItemAt(data, pos) && Array.isArray(stack[this.#sp - 1]) && opStart >= this.#noRunBefore) {
                const after = this.#appendBatchRun(opStart);
                if (after >= 0) {
                  pos = after;
                  continue;
                }
              }
              marks.push(this.#sp);
              this.#fence = this.#sp;
              continue;
            }
            break;
          case Opcode.NONE: // fast path of #loadNone
            if (room) {
              stack[this.#sp++] = null;
              continue;
            }
            break;
          case Opcode.NEWTRUE: // fast path of #loadNewTrue
            if (room) {
              stack[this.#sp++] = true;
              continue;
            }
            break;
          case Opcode.NEWFALSE: // fast path of #loadNewFalse
            if (room) {
              stack[this.#sp++] = false;
              continue;
            }
            break;
          case Opcode.EMPTY_LIST: // fast path of #loadEmptyList
            if (room) {
              const list = newList();
              stack[this.#sp++] = list;
              this.#freshList = list;
              this.#freshListEnd = pos;
              continue;
            }
            break;
          case Opcode.EMPTY_DICT: // fast path of #loadEmptyDict
            if (room) {
              stack[this.#sp++] = this.#mapDicts ? new Map() : {};
              continue;
            }
            break;
          // Handlers without an argument, called here without the trip through #dispatch.
          case Opcode.APPENDS:
            this.#loadAppends();
            continue;
          case Opcode.SETITEMS:
            this.#loadSetItems();
            continue;
          case Opcode.STOP:
            this.#pos = pos;
            return this.#loadStop();
        }
        this.#pos = pos;
        this.#dispatch(code);
        pos = this.#pos;
      }
    } catch (error) {
      throw this.#failedLoad(error, opStart);
    } finally {
      releaseLatin1Bytes();
    }
  }

  /** The opcode loop with no fast path: every opcode through #dispatch (see #run). */
  #runHandlersOnly(): unknown {
    const data = this.#data;
    let opStart = this.#pos;
    try {
      for (;;) {
        opStart = this.#pos;
        if (opStart >= data.length) {
          opStart = -1;
          fail('pickle data was truncated: no STOP opcode before the end of the input', 'TRUNCATED');
        }
        const code = data[this.#pos++]!;
        if (code === Opcode.STOP) return this.#loadStop();
        this.#dispatch(code);
      }
    } catch (error) {
      throw this.#failedLoad(error, opStart);
    } finally {
      releaseLatin1Bytes();
    }
  }

  /**
   * What a load that failed at the opcode at `opStart` (-1: at the end of the input) throws: an
   * UnpicklingError with the offset and opcode. The pickle is not consumed: the position goes
   * back to its start.
   */
  #failedLoad(error: unknown, opStart: number): unknown {
    this.#pos = this.#start;
    this.#stack = [];
    if (error instanceof UnpicklingError) return error;
    const data = this.#data;
    const offset = opStart < 0 ? data.length : opStart;
    const opcode = opStart < 0 ? undefined : opcodeName(data[opStart]!);
    const hint = compressedInputHint(data, this.#start, offset) ?? joblibInputHint(data, this.#start, offset);
    const also = hint === undefined ? '' : `; ${hint}`;
    if (error instanceof LoadFailure) {
      return new UnpicklingError(error.message + also, { offset, opcode, code: error.code });
    }
    const tooDeep = error instanceof RangeError && /call stack/i.test(error.message);
    const reason = tooDeep ? 'nesting too deep' : error instanceof Error ? error.message : String(error);
    const code = tooDeep ? 'LIMIT_EXCEEDED' : error instanceof PickleError ? error.code : 'RECONSTRUCTION_FAILED';
    return new UnpicklingError(reason + also, { offset, opcode, cause: error, code });
  }

  // ---- reading primitives -------------------------------------------------------------------

  /** The input after the current position, for a BuildHook. */
  #rawInput(): RawInput {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const unpickler = this;
    const outsideFrame = (): void => {
      // Raw bytes follow a committed frame; inside one, Python's reader would take them from
      // after the frame, so they would not be these bytes.
      if (unpickler.#frameEnd > unpickler.#pos) fail('raw data after a BUILD starts inside a pickle frame');
    };
    return {
      get position() {
        return unpickler.#pos;
      },
      get remaining() {
        return unpickler.#data.length - unpickler.#pos;
      },
      take(count, what) {
        outsideFrame();
        const at = unpickler.#pos;
        const left = unpickler.#data.length - at;
        if (!Number.isSafeInteger(count) || count < 0 || count > left) {
          fail(`${what} needs ${count} bytes at offset ${at}, only ${left} are left`, 'TRUNCATED');
        }
        unpickler.#pos = at + count;
        return unpickler.#data.subarray(at, at + count);
      },
      rest() {
        outsideFrame();
        return unpickler.#data.subarray(unpickler.#pos);
      },
      skip(count) {
        const left = unpickler.#data.length - unpickler.#pos;
        if (!Number.isSafeInteger(count) || count < 0 || count > left) fail(`cannot skip ${count} bytes, ${left} are left`, 'TRUNCATED');
        unpickler.#pos += count;
      },
      fail(message, code = 'INVALID_PICKLE') {
        fail(message, code);
      },
    };
  }

  /** Reserves `n` bytes and returns their offset; fails without allocating when they are absent. */
  #take(n: number): number {
    const at = this.#pos;
    if (n > this.#data.length - at) {
      fail(`pickle data was truncated: ${n} bytes needed, ${this.#data.length - at} left`, 'TRUNCATED');
    }
    this.#pos = at + n;
    return at;
  }

  #u8(): number {
    return this.#data[this.#take(1)]!;
  }

  #u16(): number {
    return this.#view.getUint16(this.#take(2), true);
  }

  #u32(): number {
    return this.#view.getUint32(this.#take(4), true);
  }

  #i32(): number {
    return this.#view.getInt32(this.#take(4), true);
  }

  /** An 8-byte unsigned length; anything beyond the remaining input is refused before use. */
  #u64(): number {
    const at = this.#take(8);
    const low = this.#view.getUint32(at, true);
    const high = this.#view.getUint32(at + 4, true);
    if (high >= 0x200000) fail(`length ${(BigInt(high) << 32n) | BigInt(low)} exceeds the input`, 'TRUNCATED');
    return high * 0x1_0000_0000 + low;
  }

  /** A protocol 0 argument line: returns [start, end) without the newline. */
  #line(): [number, number] {
    const data = this.#data;
    const start = this.#pos;
    const newline = data.indexOf(0x0a, start);
    if (newline < 0) fail('pickle data was truncated: no newline ending the argument', 'TRUNCATED');
    this.#pos = newline + 1;
    return [start, newline];
  }

  #lineText(what: string, decode: (b: Uint8Array, s: number, e: number) => string | null = decodeAscii): string {
    const [start, end] = this.#line();
    const text = decode(this.#data, start, end);
    if (text === null) fail(`${what} is not valid text`);
    return text;
  }

  /** The next line, which must be ASCII as #lineText's default decoder wants it, as its bounds. */
  #asciiLine(what: string): [number, number] {
    const line = this.#line();
    if (asciiFailure(this.#data, line[0], line[1]) !== undefined) fail(`${what} is not valid text`);
    return line;
  }

  // ---- integral floats on the stack -----------------------------------------------------

  /**
   * Pushes a float: an integral one (2.0) in a float slot, or as a PyFloat with keepFloatType;
   * -0.0 in a float slot too, for a Map key or set member (a Map holds it as 0).
   */
  #pushFloat(value: number): void {
    if (isIntegralFloat(value)) {
      if (this.#keepFloatType) this.#push(new PyFloat(value));
      else this.#pushInFloatSlot(value);
    } else if (Object.is(value, -0) && !this.#keepFloatType) this.#pushInFloatSlot(value);
    else this.#push(value);
  }

  #pushInFloatSlot(value: number): void {
    this.#push(value);
    this.#floatSlots[this.#floatSlotCount++] = this.#sp - 1;
  }

  /** Pushes what a handler made; a PyFloat (`float('2')`) goes in a float slot as its number. */
  #pushMade(value: unknown): void {
    if (value instanceof PyFloat && !this.#keepFloatType) this.#pushInFloatSlot(value.value);
    else this.#push(value);
  }

  /** Pushes a memo value; an integral float put there as a PyFloat goes in a float slot again. */
  #pushFetched(value: unknown): void {
    if (this.#memoHoldsFloats && value instanceof PyFloat) this.#pushInFloatSlot(value.value);
    else this.#push(value);
  }

  /** The top of the stack as the memo keeps it: the number of a float slot as a PyFloat. */
  #topToMemo(): unknown {
    const top = this.#top();
    if (this.#topIsFloat()) {
      this.#memoHoldsFloats = true;
      return new PyFloat(top as number);
    }
    return top;
  }

  /**
   * The float slots at `from` and above, which a container is about to take (or an op to drop):
   * removed; returns how many, their offsets from `from` in #floatOffsets (until the next call).
   */
  #takeFloats(from: number): number {
    const slots = this.#floatSlots;
    const count = this.#floatSlotCount;
    if (count === 0 || slots[count - 1]! < from) return 0;
    let first = count;
    while (first > 0 && slots[first - 1]! >= from) first--;
    const offsets = this.#floatOffsets;
    for (let k = first; k < count; k++) offsets[k - first] = slots[k]! - from;
    this.#floatSlotCount = first;
    return count - first;
  }

  /** Whether the top of the stack is in a float slot. */
  #topIsFloat(): boolean {
    const count = this.#floatSlotCount;
    return count !== 0 && this.#floatSlots[count - 1] === this.#sp - 1;
  }

  /** Records the `count` floats #takeFloats took, among items now in `array` from `base` on. */
  #markItems(array: object, base: number, count: number): void {
    const offsets = this.#floatOffsets;
    for (let j = 0; j < count; j++) markFloatItem(array, base + offsets[j]!);
  }

  // ---- the stack ----------------------------------------------------------------------------

  #underflow(): never {
    fail(this.#marks.length > 0 && this.#sp === this.#fence ? 'unexpected MARK found' : 'unpickling stack underflow');
  }

  #push(value: unknown): void {
    if (this.#sp + this.#marks.length >= this.#maxDepth) {
      fail(`unpickling stack exceeds maxDepth (${this.#maxDepth})`, 'LIMIT_EXCEEDED');
    }
    this.#stack[this.#sp++] = value;
  }

  #pop(): unknown {
    if (this.#sp <= this.#fence) this.#underflow();
    const value = this.#stack[--this.#sp];
    const count = this.#floatSlotCount;
    if (count !== 0 && this.#floatSlots[count - 1] === this.#sp) this.#floatSlotCount = count - 1;
    return value;
  }

  #top(): unknown {
    if (this.#sp <= this.#fence) this.#underflow();
    return this.#stack[this.#sp - 1];
  }

  /** Removes the topmost mark and returns the stack position it stood at. */
  #popMark(): number {
    const marks = this.#marks;
    if (marks.length === 0) fail('could not find MARK');
    const at = marks.pop()!;
    this.#fence = marks.length > 0 ? marks[marks.length - 1]! : 0;
    return at;
  }

  /** Pops everything above the topmost mark, and the mark. */
  #popToMark(): unknown[] {
    const at = this.#popMark();
    const items = this.#stack.slice(at, this.#sp);
    this.#takeFloats(at);
    this.#sp = at;
    return items;
  }

  /** Pops everything above the topmost mark, and the mark, into a new list (or tuple) that records its floats. */
  #popToMarkRecordingFloats(kind: ArrayConstructor | typeof Tuple = Array): unknown[] {
    const at = this.#popMark();
    const floats = this.#takeFloats(at);
    const stack = this.#stack;
    const items = kind === Array ? stack.slice(at, this.#sp) : Tuple.from(stack.slice(at, this.#sp));
    if (floats) this.#markItems(items, 0, floats);
    this.#sp = at;
    return items;
  }

  /**
   * The run of flat list batches from the MARK at `markPos` (see list-batch-run.ts), when the
   * MARK is on a plain list: a fast path of MARK, the items' handlers and APPENDS, batch after
   * batch. Its items go straight into the list, sized once for the whole run, not through the
   * value stack. Returns where the opcodes go on one by one: after the run's last APPENDS, or -1
   * when no batch qualifies. A string that is not valid UTF-8 (which the scan does not look
   * into), or a list that refuses its items, sends its batch back: it runs again opcode by
   * opcode, from the state before it, and the load fails with the error, offset and opcode it
   * always had.
   */
  #appendBatchRun(markPos: number): number {
    const sp = this.#sp;
    const target = this.#stack[sp - 1] as unknown[];
    const memo = this.#memo;
    // As APPENDS requires, the list is above the current MARK; the memo must be one dense array.
    if (sp <= this.#fence || target.constructor !== Array || this.#memoBig !== undefined || this.#memoSize !== memo.length) {
      return -1;
    }
    const run = this.#runScan;
    run.frameEnd = this.#frameEnd;
    run.itemsPerBatch = this.#maxDepth - sp - this.#marks.length - 1;
    run.memoSize = memo.length;
    run.maxMemo = this.#maxMemo;
    run.plainFloats = !this.#keepFloatType;
    if (!scanBatchRun(this.#data, this.#view, markPos, run)) return -1;
    const runEnd = run.end;
    // A short run into the list EMPTY_LIST just made is copied, when done, into a list of exactly
    // its length (see #freshListMemoIndex); this one, grown item by item, has room for 17 or more.
    const exactMemoIndex = run.items < RESERVE_MIN_ITEMS && target === this.#freshList ? this.#freshListMemoIndex(markPos) : NOT_FRESH;
    const batch = this.#runProgress;
    batch.mark = markPos;
    batch.fill = target.length;
    batch.frameEnd = this.#frameEnd;
    batch.holdsItself = false;
    if (!this.#decodeBatchRun(target, markPos, runEnd, run.items)) return this.#sendBatchBack(target, runEnd);
    if (exactMemoIndex !== NOT_FRESH && !batch.holdsItself) {
      // Nothing else can refer to the list yet: the value stack and its memo entry are all.
      const exact = target.slice();
      shareFloats(target, exact);
      this.#stack[sp - 1] = exact;
      if (exactMemoIndex >= 0) memo[exactMemoIndex] = exact;
    }
    this.#freshList = undefined;
    return runEnd;
  }

  /**
   * Decodes the run #appendBatchRun scanned, [markPos, runEnd), into `target`: the opcodes' work
   * done here, each case as its handler does it (the scan vouched for each argument and limit).
   * Keeps #runProgress at the start of the current batch. False when the batch must be sent back.
   */
  #decodeBatchRun(target: unknown[], markPos: number, runEnd: number, items: number): boolean {
    const data = this.#data;
    const view = this.#view;
    const memo = this.#memo;
    const batch = this.#runProgress;
    let fill = target.length;
    const itemsEnd = fill + items;
    /** The list's record of its integral floats (FloatItems' bits, room for the run), once it has one. */
    let floatBits: Uint8Array | undefined;
    try {
      // Holes until filled, which no code but this loop can see: nothing here calls out.
      if (items >= RESERVE_MIN_ITEMS && itemsEnd <= MAX_FAST_ARRAY_LENGTH) {
        // A list that starts with a float or a wide int: one float first, so V8 makes the room
        // as unboxed doubles at once, not as small-int slots that the first such number then
        // converts, every one of them (a million floats at protocol 2: 16 ms to 10 ms; a
        // million ints within 2^53: 27 ms to 22 ms). The first item overwrites it. A list that
        // turns out to hold other items is boxed as it would have been anyway.
        if (fill === 0 && startsWithWideNumber(data, markPos)) target[0] = 0.5;
        target.length = itemsEnd;
      }
      for (let pos = markPos; pos < runEnd;) {
        const code = data[pos++]!;
        switch (code) {
          case Opcode.MARK:
            batch.mark = pos - 1;
            batch.fill = fill;
            batch.frameEnd = this.#frameEnd;
            break;
          case Opcode.APPENDS:
            this.#memoSize = memo.length;
            break;
          case Opcode.FRAME:
            this.#frameEnd = frameAfter(view, pos, this.#frameEnd);
            pos += 8;
            break;
          case Opcode.BININT1:
            target[fill++] = data[pos++];
            break;
          case Opcode.BININT2:
            target[fill++] = data[pos]! | (data[pos + 1]! << 8);
            pos += 2;
            break;
          case Opcode.BININT:
            target[fill++] = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24);
            pos += 4;
            break;
          case Opcode.BINFLOAT: {
            const value = view.getFloat64(pos, false);
            // Integral ones (and -0.0, for a set made from the list) are recorded.
            if (Number.isInteger(value)) {
              floatBits ??= floatItemsFor(target).reserve(itemsEnd);
              floatBits[fill >>> 3]! |= 1 << (fill & 7);
            }
            target[fill++] = value;
            pos += 8;
            break;
          }
          case Opcode.LONG1: {
            const n = data[pos]!;
            target[fill++] = decodeLong(data, pos + 1, n, view);
            pos += 1 + n;
            break;
          }
          case Opcode.SHORT_BINUNICODE:
          case Opcode.BINUNICODE: {
            const at = code === Opcode.SHORT_BINUNICODE ? pos + 1 : pos + 4;
            const n = code === Opcode.SHORT_BINUNICODE ? data[pos]! : view.getUint32(pos, true);
            const text = decodeUtf8(data, at, at + n);
            if (text === null) return false;
            target[fill++] = text;
            pos = at + n;
            break;
          }
          case Opcode.NONE:
            target[fill++] = null;
            break;
          case Opcode.NEWTRUE:
            target[fill++] = true;
            break;
          case Opcode.NEWFALSE:
            target[fill++] = false;
            break;
          case Opcode.BINGET:
            this.#putFetched(target, fill++, this.#memoGet(data[pos++]!));
            break;
          case Opcode.LONG_BINGET:
            this.#putFetched(target, fill++, this.#memoGet(view.getUint32(pos, true)));
            pos += 4;
            break;
          case Opcode.MEMOIZE:
            memo.push(this.#runItemToMemo(target, fill - 1));
            break;
          case Opcode.BINPUT:
            memo.push(this.#runItemToMemo(target, fill - 1));
            pos += 1;
            break;
          case Opcode.LONG_BINPUT:
            memo.push(this.#runItemToMemo(target, fill - 1));
            pos += 4;
            break;
        }
      }
    } catch {
      // A list that does not take its items (frozen, sealed, a read-only length: one a handler or
      // persistentLoad gave) fails its first write; opcode by opcode it fails at APPENDS.
      return false;
    }
    return true;
  }

  /**
   * Puts the list back as it was before the current batch of a run, which then runs again opcode
   * by opcode; no run starts again inside this one, or it would loop. Returns the batch's MARK.
   */
  #sendBatchBack(target: unknown[], runEnd: number): number {
    const batch = this.#runProgress;
    try {
      if (target.length !== batch.fill) target.length = batch.fill;
    } catch {
      // a length that cannot be set was not changed either
    }
    truncateFloatItems(target, batch.fill);
    this.#memo.length = this.#memoSize;
    this.#frameEnd = batch.frameEnd;
    this.#noRunBefore = runEnd;
    return batch.mark;
  }

  /** A run's memo fetch: into the list at `index`; an integral float as its number, recorded as a float. */
  #putFetched(target: unknown[], index: number, value: unknown): void {
    if (value === target) this.#runProgress.holdsItself = true;
    if (this.#memoHoldsFloats && value instanceof PyFloat) {
      target[index] = value.value;
      markFloatItem(target, index);
    } else target[index] = value;
  }

  /** A run's item `index` as the memo holds it: a float recorded there as the PyFloat a fetch waits with. */
  #runItemToMemo(target: unknown[], index: number): unknown {
    const value = target[index];
    const floats = typeof value === 'number' && Number.isInteger(value) ? floatsOf(target) : undefined;
    if (floats !== undefined && itemIsFloat(floats, index, value)) {
      this.#memoHoldsFloats = true;
      return new PyFloat(value as number);
    }
    return value;
  }

  /**
   * Whether only the list's own memo put (and frames) stand between the EMPTY_LIST that made
   * `#freshList` and the MARK at `markPos`: then nothing but the value stack and that memo entry
   * refers to the list. Its memo index, -1 when it was not put, or NOT_FRESH.
   */
  #freshListMemoIndex(markPos: number): number {
    const data = this.#data;
    let pos = this.#freshListEnd;
    let put = false;
    while (pos < markPos) {
      const code = data[pos]!;
      if (code === Opcode.FRAME) pos += 9;
      else if (put) return NOT_FRESH;
      else if (code === Opcode.MEMOIZE || code === Opcode.BINPUT || code === Opcode.LONG_BINPUT) {
        put = true;
        pos += code === Opcode.MEMOIZE ? 1 : code === Opcode.BINPUT ? 2 : 5;
      } else return NOT_FRESH;
    }
    if (pos !== markPos) return NOT_FRESH;
    if (!put) return -1;
    const last = this.#memo.length - 1;
    return last >= 0 && this.#memo[last] === this.#freshList ? last : NOT_FRESH;
  }

  /**
   * The idiom bytes below protocol 3 are written with, `_codecs.encode(text, 'latin1')` (see
   * latin1-bytes-idiom.ts), when the text at [start, end) begins it whole: run in one step. The
   * bytes are decoded straight from the UTF-8, and the text, never made, goes in the memo as a
   * lazy value, made on its first fetch (which pickles written by Python never do): so a 100 MB
   * bytes object is not held twice, as text and bytes. (The text is made from the bytes the load
   * returns, so code that changes those bytes during the load, which Python's immutable bytes
   * never allow, changes a text fetched later.) Returns the position after REDUCE, or -1 when
   * anything differs (the opcodes then run one by one, as always).
   */
  #encodedLatin1(start: number, end: number, opStart: number): number {
    const sp = this.#sp;
    const callable = this.#stack[sp - 1];
    if (
      this.#keepMemo ||
      sp <= this.#fence ||
      !(callable instanceof PyGlobal) ||
      callable.handler !== codecsEncode ||
      this.#frameEnd > opStart ||
      this.#sp + this.#marks.length + 2 > this.#maxDepth ||
      this.#memoSize + 3 > this.#maxMemo
    ) {
      return -1;
    }
    const idiom = matchLatin1BytesIdiom(this.#data, end, (index) => this.#memoPeek(index));
    if (idiom === undefined) return -1;
    const bytes = latin1BytesOfUtf8(this.#data, start, end);
    if (bytes === undefined || bytes.length > this.#budget) return -1;
    // What the opcodes would have done, in their order; none of it can fail now.
    this.charge(bytes.length); // as _codecs.encode charges for the text it encodes
    let text: string | undefined;
    const makeText = (): string => (text ??= latin1String(bytes));
    if (idiom.textPut !== undefined) this.#memoSet(idiom.textPut, new LazyMemoValue(makeText));
    if (idiom.encodingPut !== undefined) this.#memoSet(idiom.encodingPut, 'latin1');
    if (idiom.tuplePut !== undefined) this.#memoSet(idiom.tuplePut, new LazyMemoValue(() => Tuple.from([makeText(), 'latin1'])));
    this.#stack[sp - 1] = bytes;
    return idiom.end;
  }

  /** The memo value at `index` as it stands, without fetching it. */
  #memoPeek(index: number): unknown {
    return index < ARRAY_INDEX_LIMIT ? this.#memo[index] : this.#memoBig?.get(index);
  }

  // ---- memo ---------------------------------------------------------------------------------

  #memoGet(index: number): unknown {
    let value = this.#memoPeek(index);
    if (value === undefined) fail(`memo value not found at index ${index}${this.#keepMemoHint()}`);
    if (value instanceof LazyMemoValue) {
      value = value.make();
      this.#memoSet(index, value);
    }
    if (this.#replacedDicts !== undefined && typeof value === 'object' && value !== null) {
      const replacement = this.#replacedDicts.get(value);
      if (replacement !== undefined) {
        value = replacement;
        this.#memoSet(index, replacement);
      }
    }
    this.#noteEscape(value);
    return value;
  }

  /**
   * A pickle after the first in the input may refer to the memo of earlier ones: one Pickler's
   * repeated dump() calls write that (Python's, and pickle-mapper's with keepMemo).
   */
  #keepMemoHint(): string {
    if (this.#keepMemo || this.#start === 0) return '';
    return (
      '; this is not the first pickle of the input, and pickles written by one Pickler\'s repeated dump() calls ' +
      '(Python\'s Pickler, or a Pickler with keepMemo) refer to the memo of the ones before: ' +
      'read them with new Unpickler(data, { keepMemo: true })'
    );
  }

  #memoSet(index: number, value: unknown): void {
    if (index < ARRAY_INDEX_LIMIT) {
      if (this.#memo[index] === undefined) this.#memoGrow();
      this.#memo[index] = value;
    } else {
      this.#memoBig ??= new Map();
      if (!this.#memoBig.has(index)) this.#memoGrow();
      this.#memoBig.set(index, value);
    }
  }

  /** Points memo entries at the Maps that replaced their dicts (the next load reads this memo). */
  #repointMemo(replaced: Map<object, Map<unknown, unknown>>): void {
    const memo = this.#memo;
    for (const index in memo) {
      const value = memo[index as unknown as number];
      const map = typeof value === 'object' && value !== null ? replaced.get(value) : undefined;
      if (map) memo[index as unknown as number] = map;
    }
    for (const [index, value] of this.#memoBig ?? []) {
      const map = typeof value === 'object' && value !== null ? replaced.get(value) : undefined;
      if (map) this.#memoBig!.set(index, map);
    }
  }

  #memoGrow(): void {
    if (++this.#memoSize > this.#maxMemo) fail(`memo exceeds maxMemo (${this.#maxMemo}) entries`, 'LIMIT_EXCEEDED');
  }

  // ---- dicts --------------------------------------------------------------------------------

  /** A plain-object dict referenced from a second place cannot be swapped for a Map cheaply. */
  #noteEscape(value: unknown): void {
    if (!this.#mapDicts && isPlainDict(value)) {
      (this.#escapedDicts ??= new WeakSet()).add(value);
    }
  }

  #addEntries(target: PyDict, source: PyDict): void {
    const entries = dictEntries(source);
    this.charge(entries.length);
    const sourceFloats = floatsOf(source);
    const targetFloats = floatsOf(target);
    for (const [k, v] of entries) {
      this.#setOne(target, k, v);
      // The entry's float record goes with it, and a float it replaced is forgotten.
      if (sourceFloats !== undefined && valueIsFloat(sourceFloats, k, v)) markFloatValue(target, k);
      else if (targetFloats !== undefined) unmarkFloatValue(target, k);
    }
  }

  /** Stores one pair into a dict this load created (not yet referenced elsewhere). */
  #setOne(dict: PyDict, key: unknown, value: unknown): void {
    if (dict instanceof Map) dict.set(distinctNaN(dict, key), value);
    else if (typeof key === 'string') setPlainDictItem(dict, key, value);
    else fail('cannot merge a state with non-string keys into a plain dict');
  }

  /** Stores pairs stack[from..to) into `dict`; returns the dict, which may now be a Map. */
  #setDictItems(dict: PyDict, from: number, to: number): PyDict {
    if (this.#floatSlotCount !== 0) {
      // Integral floats may be among the pairs: stored, then recorded.
      const floats = this.#takeFloats(from);
      const target = this.#storePairs(dict, from, to);
      if (floats !== 0) this.#markPairs(target, from, floats);
      return target;
    }
    return this.#storePairs(dict, from, to);
  }

  /** #setDictItems's stores. */
  #storePairs(dict: PyDict, from: number, to: number): PyDict {
    const stack = this.#stack;
    let target = dict;
    for (let i = from; i < to; i += 2) {
      const key = stack[i];
      if (target instanceof Map) {
        target.set(distinctNaN(target, key), stack[i + 1]);
      } else if (typeof key === 'string') {
        setPlainDictItem(target, key, stack[i + 1]);
      } else {
        target = this.#promoteDict(target);
        target.set(key, stack[i + 1]);
      }
    }
    return target;
  }


  /** Records the floats among the pairs stack[from, ...) stored into `dict`: keys and values. */
  #markPairs(dict: object, from: number, count: number): void {
    const stack = this.#stack;
    const offsets = this.#floatOffsets;
    for (let j = 0; j < count; j++) {
      const offset = offsets[j]!;
      const at = from + offset;
      // A float key (Python keeps a dict's first key object) or value (the latest one stored).
      if ((offset & 1) === 0) markFloatKey(dict, stack[at] as number);
      else markFloatValue(dict, stack[at - 1]);
    }
  }

  /**
   * A plain-object dict met a non-string key: it becomes a Map with the same entries, and every
   * reference to the old object (stack, memo, and wherever it escaped to) is pointed at the Map.
   */
  #promoteDict(old: Record<string, unknown>): Map<unknown, unknown> {
    const map = new Map<unknown, unknown>(Object.entries(old));
    this.charge(map.size);
    shareFloats(old, map);
    // The memo is repointed lazily, as GET meets the old object.
    (this.#replacedDicts ??= new Map()).set(old, map);
    // A dict nobody DUPed or fetched from the memo has one stack slot: the SETITEMS target,
    // which the caller replaces. Any other needs every reference found, at a charge per object.
    if (this.#escapedDicts?.has(old)) {
      this.#stack.length = this.#sp; // no stale values past the top to search
      const roots: unknown[] = [this.#stack, memoValues(this.#memo)];
      if (this.#memoBig) roots.push([...this.#memoBig.values()]);
      replaceReferences(roots, old, map, (visited) => this.charge(visited));
    }
    return map;
  }

  // ---- globals and objects ------------------------------------------------------------------

  /** LoadContext: storage that lives for one load. */
  perLoad<T>(key: symbol, make: () => T): T {
    let value = this.#perLoadStore.get(key) as T | undefined;
    if (value === undefined) {
      value = make();
      this.#perLoadStore.set(key, value);
    }
    return value;
  }

  /** LoadContext: a global by name, resolved as GLOBAL resolves it. */
  findGlobal(module: string, name: string): PyGlobal {
    return this.#findClass(module, name);
  }

  /** LoadContext: the handler for a JavaScript class, in the load's registry or the standard one. */
  handlerForClass(cls: unknown): PyClassHandler | undefined {
    return this.#registry.handlerForClass(cls) ?? this.#fallback.handlerForClass(cls);
  }

  #findClass(module: string, name: string): PyGlobal {
    if (this.#proto < 3 && this.#fixImports) [module, name] = fixImport(module, name);
    const cacheKey = `${module}\n${name}`;
    const cached = this.#globals.get(cacheKey);
    if (cached) return cached;
    const handler = this.#registry.resolve(module, name) ?? this.#fallback.resolve(module, name);
    if (!handler && this.strict) fail(`global '${module}.${name}' is not registered (strict mode)${unregisteredNameHint(module, name, this.#registry)}`, 'FORBIDDEN_GLOBAL');
    const global = handler
      ? new PyGlobal(handler.module, handler.name, handler)
      : new PyGlobal(module, name);
    this.#globals.set(cacheKey, global);
    return global;
  }

  #placeholder(cls: unknown, args: readonly unknown[], creation: PyObjectCreation, kwargs?: PyDict): PyObject {
    if (this.strict) {
      const what = cls instanceof PyGlobal ? `'${cls.qualifiedName}'` : describe(cls);
      fail(`cannot rebuild ${what}: no registered handler (strict mode)`, 'FORBIDDEN_GLOBAL');
    }
    return new PyObject(cls, args instanceof Tuple ? args : Tuple.from(args), creation, kwargs);
  }

  #reduce(callable: unknown, args: unknown): unknown {
    if (!(args instanceof Tuple)) fail(`REDUCE arguments must be a tuple, not ${describe(args)}`);
    if (callable instanceof PyGlobal) {
      const handler = callable.handler;
      if (handler?.call) return handler.call(args, this) ?? null;
      return this.#placeholder(callable, args, 'reduce');
    }
    if (callable instanceof PyObject) return this.#placeholder(callable, args, 'reduce');
    fail(`REDUCE callable must be a class or function, not ${describe(callable)}`);
  }

  #newObject(cls: unknown, args: unknown, kwargs: unknown, opcode: 'NEWOBJ' | 'NEWOBJ_EX'): unknown {
    if (!(args instanceof Tuple)) fail(`${opcode} arguments must be a tuple, not ${describe(args)}`);
    if (kwargs !== undefined && !(kwargs instanceof Map) && !isPlainDict(kwargs)) {
      fail(`${opcode} keyword arguments must be a dict, not ${describe(kwargs)}`);
    }
    if (cls instanceof PyGlobal) {
      const handler = cls.handler;
      if (handler?.kind === 'function') fail(`${opcode} class argument '${cls.qualifiedName}' isn't a type object`);
      if (handler?.newInstance) return handler.newInstance(args, kwargs as PyDict | undefined, this) ?? null;
    } else if (!(cls instanceof PyObject)) {
      fail(`${opcode} class argument isn't a type object: ${describe(cls)}`);
    }
    return this.#placeholder(cls, args, opcode === 'NEWOBJ' ? 'newobj' : 'newobj_ex', kwargs as PyDict | undefined);
  }

  /** INST and OBJ: `cls(*args)`, or `cls.__new__(cls)` when there are no arguments. */
  #instantiate(cls: unknown, args: unknown[], creation: 'inst' | 'obj'): unknown {
    if (cls instanceof PyGlobal) {
      const handler = cls.handler;
      if (handler) {
        if ((args.length > 0 || !handler.newInstance) && handler.call) return handler.call(args, this) ?? null;
        if (handler.newInstance) return handler.newInstance([], undefined, this) ?? null;
      }
      return this.#placeholder(cls, args, creation);
    }
    if (cls instanceof PyObject) return this.#placeholder(cls, args, creation);
    fail(`${creation.toUpperCase()} class argument must be a class, not ${describe(cls)}`);
  }

  #handlerFor(target: unknown): PyClassHandler | undefined {
    if (typeof target !== 'object' || target === null) return undefined;
    return this.handlerForClass((Object.getPrototypeOf(target) as { constructor?: unknown } | null)?.constructor);
  }

  #build(target: unknown, state: unknown): void {
    if (target instanceof PyObject) {
      // A second BUILD updates the instance dict as Python's default __setstate__ does; the
      // merge goes into a new dict, since either state may be shared through the memo.
      const previous = target.state;
      if (isDict(previous) && isDict(state)) {
        // The first merge copies into a dict of this load's own; later ones add to it in place.
        let merged = previous;
        if (!this.#mergedStates?.has(previous)) {
          merged = this.newDict();
          this.#addEntries(merged, previous);
          (this.#mergedStates ??= new WeakSet()).add(merged);
        }
        this.#addEntries(merged, state);
        target.state = merged;
      } else {
        target.state = state;
      }
      return;
    }
    const handler = this.#handlerFor(target);
    if (handler?.setState) {
      handler.setState(target, state, this);
      return;
    }
    fail(`cannot set state of ${describe(target)}: it has no __setstate__ or __dict__`);
  }

  #appendItems(from: number): void {
    const stack = this.#stack;
    const sp = this.#sp;
    if (from <= this.#fence || from > sp) this.#underflow();
    const target = stack[from - 1];
    const floats = this.#takeFloats(from);
    if (Array.isArray(target) && target.constructor === Array) {
      const base = target.length;
      for (let i = from; i < sp; i++) target.push(stack[i]);
      if (floats) this.#markItems(target, base, floats);
    } else if (target instanceof PyObject) {
      const items = (target.listItems ??= []);
      const base = items.length;
      for (let i = from; i < sp; i++) items.push(stack[i]);
      if (floats) this.#markItems(items, base, floats);
    } else {
      const handler = this.#handlerFor(target);
      if (!handler?.extend) fail(`cannot append to ${describe(target)}`);
      handler.extend(target, stack.slice(from, sp), this);
      // An array subclass (deque) ends with the items it was given, unless it dropped them.
      if (floats && Array.isArray(target)) {
        const base = target.length - (sp - from);
        for (let j = 0; j < floats; j++) {
          const offset = this.#floatOffsets[j]!;
          const value = stack[from + offset];
          if (base + offset >= 0 && target[base + offset] === value) markFloatItem(target, base + offset);
        }
      }
    }
    this.#sp = from;
  }

  #setItems(from: number): void {
    const stack = this.#stack;
    const sp = this.#sp;
    if (from <= this.#fence || from > sp) this.#underflow();
    if ((sp - from) % 2 !== 0) fail('odd number of items for SETITEMS');
    const target = stack[from - 1];
    if (target instanceof Map || isPlainDict(target)) {
      const result = this.#setDictItems(target, from, sp);
      stack[from - 1] = result;
    } else if (target instanceof PyObject) {
      const floats = this.#takeFloats(from);
      const items = (target.dictItems ??= []);
      const base = items.length;
      for (let i = from; i < sp; i += 2) items.push([stack[i], stack[i + 1]]);
      for (let j = 0; j < floats; j++) {
        const offset = this.#floatOffsets[j]!;
        markFloatItem(items[base + (offset >> 1)]!, offset & 1);
      }
    } else {
      const handler = this.#handlerFor(target);
      if (!handler?.setItems) fail(`cannot set items of ${describe(target)}`);
      const floats = this.#takeFloats(from);
      const pairs: Array<[unknown, unknown]> = [];
      for (let i = from; i < sp; i += 2) pairs.push([stack[i], stack[i + 1]]);
      handler.setItems(target, pairs, this);
      // A Map subclass (OrderedDict, defaultdict) holds the pairs it was given.
      if (floats && target instanceof Map) this.#markPairs(target, from, floats);
    }
    this.#sp = from;
  }

  #addItems(from: number): void {
    const stack = this.#stack;
    const sp = this.#sp;
    if (from <= this.#fence || from > sp) this.#underflow();
    const target = stack[from - 1];
    const floats = this.#takeFloats(from);
    if (target instanceof Set && !(target instanceof PyFrozenSet)) {
      for (let i = from; i < sp; i++) target.add(distinctNaN(target, stack[i]));
    } else {
      const handler = this.#handlerFor(target);
      if (!handler?.addItems) fail(`cannot add items to ${describe(target)}`);
      handler.addItems(target, stack.slice(from, sp), this);
    }
    if (floats && target instanceof Set) {
      for (let j = 0; j < floats; j++) {
          const offset = this.#floatOffsets[j]!;
        const member = stack[from + offset] as number;
        if (target.has(member)) markFloatKey(target, member);
      }
    }
    this.#sp = from;
  }

  #python2String(start: number, end: number): string | Uint8Array {
    if (this.#encoding === 'bytes') return this.#data.slice(start, end);
    const text = textDecoderFor[this.#encoding](this.#data, start, end);
    if (text === null) fail(`Python 2 str is not valid ${this.#encoding}; pass the encoding option ('latin1' or 'bytes')`);
    return text;
  }

  #utf8(start: number, end: number): string {
    const text = decodeUtf8(this.#data, start, end);
    if (text === null) fail('string is not valid UTF-8');
    return text;
  }

  #persistent(pid: unknown): unknown {
    if (!this.#persistentLoad) {
      fail('a persistent id instruction was encountered, but no persistentLoad function was given');
    }
    return this.#persistentLoad(pid) ?? null;
  }

  #extension(code: number): PyGlobal {
    if (code <= 0) fail('EXT specifies code <= 0');
    const table = this.#extensions;
    const entry = table instanceof Map ? table.get(code) : (table as Record<number, readonly [string, string]> | undefined)?.[code];
    if (!entry) fail(`unregistered extension code ${code}`);
    return this.#findClass(entry[0], entry[1]);
  }

  #nextBuffer(): PyByteArray {
    if (!this.#buffers) fail('pickle stream refers to out-of-band data but no buffers option was given');
    const next = this.#buffers.next();
    if (next.done) fail('not enough out-of-band buffers');
    const bytes = bufferToBytes(next.value);
    // Zero-copy: a writable buffer is a bytearray; READONLY_BUFFER turns it into bytes.
    return new PyByteArray(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  }

  // ---- the dispatch -------------------------------------------------------------------------

  /**
   * Runs the opcode `code`, whose argument (if any) starts at #pos: one handler per opcode, as
   * in _pickle.c and pickle.py. STOP is not here: it ends the loop (#run), which returns its value.
   */
  #dispatch(code: number): void {
    switch (code) {
      case Opcode.PROTO: return this.#loadProto();
      case Opcode.FRAME: return this.#loadFrame();
      // the stack and its marks
      case Opcode.MARK: return this.#loadMark();
      case Opcode.POP: return this.#loadPop();
      case Opcode.POP_MARK: return this.#loadPopMark();
      case Opcode.DUP: return this.#loadDup();
      // constants and numbers
      case Opcode.NONE: return this.#loadNone();
      case Opcode.NEWTRUE: return this.#loadNewTrue();
      case Opcode.NEWFALSE: return this.#loadNewFalse();
      case Opcode.INT: return this.#loadInt();
      case Opcode.BININT: return this.#loadBinInt();
      case Opcode.BININT1: return this.#loadBinInt1();
      case Opcode.BININT2: return this.#loadBinInt2();
      case Opcode.LONG: return this.#loadLong();
      case Opcode.LONG1: return this.#loadLong1();
      case Opcode.LONG4: return this.#loadLong4();
      case Opcode.FLOAT: return this.#loadFloat();
      case Opcode.BINFLOAT: return this.#loadBinFloat();
      // text, bytes and Python 2 strings
      case Opcode.UNICODE: return this.#loadUnicode();
      case Opcode.SHORT_BINUNICODE: return this.#loadShortBinUnicode();
      case Opcode.BINUNICODE: return this.#loadBinUnicode();
      case Opcode.BINUNICODE8: return this.#loadBinUnicode8();
      case Opcode.SHORT_BINBYTES: return this.#loadShortBinBytes();
      case Opcode.BINBYTES: return this.#loadBinBytes();
      case Opcode.BINBYTES8: return this.#loadBinBytes8();
      case Opcode.BYTEARRAY8: return this.#loadByteArray8();
      case Opcode.STRING: return this.#loadString();
      case Opcode.BINSTRING: return this.#loadBinString();
      case Opcode.SHORT_BINSTRING: return this.#loadShortBinString();
      case Opcode.NEXT_BUFFER: return this.#loadNextBuffer();
      case Opcode.READONLY_BUFFER: return this.#loadReadonlyBuffer();
      // containers
      case Opcode.EMPTY_TUPLE: return this.#loadEmptyTuple();
      case Opcode.TUPLE1: return this.#loadTuple1();
      case Opcode.TUPLE2: return this.#loadTuple2();
      case Opcode.TUPLE3: return this.#loadTuple3();
      case Opcode.TUPLE: return this.#loadTuple();
      case Opcode.EMPTY_LIST: return this.#loadEmptyList();
      case Opcode.LIST: return this.#loadList();
      case Opcode.APPEND: return this.#loadAppend();
      case Opcode.APPENDS: return this.#loadAppends();
      case Opcode.EMPTY_DICT: return this.#loadEmptyDict();
      case Opcode.DICT: return this.#loadDict();
      case Opcode.SETITEM: return this.#loadSetItem();
      case Opcode.SETITEMS: return this.#loadSetItems();
      case Opcode.EMPTY_SET: return this.#loadEmptySet();
      case Opcode.ADDITEMS: return this.#loadAddItems();
      case Opcode.FROZENSET: return this.#loadFrozenSet();
      // the memo
      case Opcode.GET: return this.#loadGet();
      case Opcode.BINGET: return this.#loadBinGet();
      case Opcode.LONG_BINGET: return this.#loadLongBinGet();
      case Opcode.PUT: return this.#loadPut();
      case Opcode.BINPUT: return this.#loadBinPut();
      case Opcode.LONG_BINPUT: return this.#loadLongBinPut();
      case Opcode.MEMOIZE: return this.#loadMemoize();
      // globals and objects
      case Opcode.GLOBAL: return this.#loadGlobal();
      case Opcode.STACK_GLOBAL: return this.#loadStackGlobal();
      case Opcode.EXT1: return this.#loadExt1();
      case Opcode.EXT2: return this.#loadExt2();
      case Opcode.EXT4: return this.#loadExt4();
      case Opcode.REDUCE: return this.#loadReduce();
      case Opcode.NEWOBJ: return this.#loadNewObj();
      case Opcode.NEWOBJ_EX: return this.#loadNewObjEx();
      case Opcode.INST: return this.#loadInst();
      case Opcode.OBJ: return this.#loadObj();
      case Opcode.BUILD: return this.#loadBuild();
      case Opcode.PERSID: return this.#loadPersId();
      case Opcode.BINPERSID: return this.#loadBinPersId();
      default: return this.#unknownOpcode(code);
    }
  }

  #unknownOpcode(code: number): never {
    fail(`invalid load key, '\\x${code.toString(16).padStart(2, '0')}'`, 'UNKNOWN_OPCODE');
  }

  // ---- handlers: protocol, frames, the stack ------------------------------------------------

  #loadProto(): void {
    const proto = this.#u8();
    if (proto > HIGHEST_PROTOCOL) fail(`unsupported pickle protocol: ${proto}`);
    this.#proto = proto;
  }

  #loadFrame(): void {
    const length = this.#u64();
    if (this.#frameEnd > this.#pos) fail('beginning of a new frame before end of current frame');
    if (length > this.#data.length - this.#pos) fail('pickle exhausted before end of frame', 'TRUNCATED');
    this.#frameEnd = this.#pos + length;
  }

  /** STOP: the value the pickle ends with. */
  #loadStop(): unknown {
    const value = this.#pop();
    if (this.#keepMemo && this.#replacedDicts) this.#repointMemo(this.#replacedDicts);
    this.#stack = []; // let go of the values left in it
    return value;
  }

  #loadMark(): void {
    if (this.#sp + this.#marks.length >= this.#maxDepth) {
      fail(`unpickling stack exceeds maxDepth (${this.#maxDepth})`, 'LIMIT_EXCEEDED');
    }
    this.#marks.push(this.#sp);
    this.#fence = this.#sp;
  }

  #loadPop(): void {
    const marks = this.#marks;
    if (marks.length > 0 && marks[marks.length - 1] === this.#sp) this.#popMark();
    else this.#pop();
  }

  #loadPopMark(): void {
    this.#popToMark();
  }

  #loadDup(): void {
    const top = this.#top();
    this.#noteEscape(top);
    if (this.#topIsFloat()) this.#pushInFloatSlot(top as number);
    else this.#push(top);
  }

  // ---- handlers: constants and numbers ------------------------------------------------------

  #loadNone(): void {
    this.#push(null);
  }

  #loadNewTrue(): void {
    this.#push(true);
  }

  #loadNewFalse(): void {
    this.#push(false);
  }

  /** INT: a protocol 0 int, or a bool as 00 and 01. */
  #loadInt(): void {
    const data = this.#data;
    const [start, end] = this.#asciiLine('INT argument');
    if (end - start === 2 && data[start] === 0x30 && (data[start + 1] === 0x30 || data[start + 1] === 0x31)) {
      this.#push(data[start + 1] === 0x31);
    } else {
      this.#push(this.#parseInt(start, end));
    }
  }

  #loadBinInt(): void {
    this.#push(this.#i32());
  }

  #loadBinInt1(): void {
    this.#push(this.#u8());
  }

  #loadBinInt2(): void {
    this.#push(this.#u16());
  }

  /** LONG: a protocol 0 int, with Python 2's trailing L or without. */
  #loadLong(): void {
    const [start, end] = this.#asciiLine('LONG argument');
    this.#push(this.#parseInt(start, end > start && this.#data[end - 1] === 0x4c ? end - 1 : end));
  }

  #loadLong1(): void {
    const n = this.#u8();
    this.#push(decodeLong(this.#data, this.#take(n), n, this.#view));
  }

  #loadLong4(): void {
    const n = this.#i32();
    if (n < 0) fail('LONG pickle has negative byte count');
    this.#push(decodeLong(this.#data, this.#take(n), n, this.#view));
  }

  #loadFloat(): void {
    const value = parsePythonFloat(this.#data, ...this.#asciiLine('FLOAT argument'));
    if (value === null) fail('could not convert FLOAT argument to float');
    this.#pushFloat(value);
  }

  #loadBinFloat(): void {
    this.#pushFloat(this.#view.getFloat64(this.#take(8), false));
  }

  // ---- handlers: text, bytes, Python 2 strings and buffers ---------------------------------

  #loadUnicode(): void {
    const [start, end] = this.#line();
    const text = decodeRawUnicodeEscape(this.#data, start, end);
    if (text === null) fail('malformed raw-unicode-escape in UNICODE argument');
    this.#push(text);
  }

  #loadShortBinUnicode(): void {
    this.#pushUtf8(this.#u8());
  }

  #loadBinUnicode(): void {
    this.#pushUtf8(this.#u32());
  }

  #loadBinUnicode8(): void {
    this.#pushUtf8(this.#u64());
  }

  /** Pushes the text of the next `n` bytes, which must be UTF-8. */
  #pushUtf8(n: number): void {
    const at = this.#take(n);
    this.#push(this.#utf8(at, at + n));
  }

  #loadShortBinBytes(): void {
    this.#pushBytes(this.#u8());
  }

  #loadBinBytes(): void {
    this.#pushBytes(this.#u32());
  }

  #loadBinBytes8(): void {
    this.#pushBytes(this.#u64());
  }

  /** Pushes a copy of the next `n` bytes. */
  #pushBytes(n: number): void {
    const at = this.#take(n);
    this.#push(this.#data.slice(at, at + n));
  }

  #loadByteArray8(): void {
    const n = this.#u64();
    const at = this.#take(n);
    this.#push(PyByteArray.fromBytes(this.#data.subarray(at, at + n)));
  }

  /** STRING: a quoted, escaped Python 2 str, decoded as the encoding option says. */
  #loadString(): void {
    const data = this.#data;
    const [start, end] = this.#line();
    const quote = data[start];
    if (end - start < 2 || (quote !== 0x27 && quote !== 0x22) || data[end - 1] !== quote) {
      fail('the STRING opcode argument must be quoted');
    }
    const bytes = decodeStringEscape(data, start + 1, end - 1);
    if (bytes === null) fail('invalid escape in STRING argument');
    if (this.#encoding === 'bytes') {
      this.#push(bytes);
    } else {
      const text = textDecoderFor[this.#encoding](bytes, 0, bytes.length);
      if (text === null) fail(`Python 2 str is not valid ${this.#encoding}; pass the encoding option ('latin1' or 'bytes')`);
      this.#push(text);
    }
  }

  #loadBinString(): void {
    const n = this.#i32();
    if (n < 0) fail('BINSTRING pickle has negative byte count');
    this.#pushPython2String(n);
  }

  #loadShortBinString(): void {
    this.#pushPython2String(this.#u8());
  }

  /** Pushes the Python 2 str in the next `n` bytes. */
  #pushPython2String(n: number): void {
    const at = this.#take(n);
    this.#push(this.#python2String(at, at + n));
  }

  #loadNextBuffer(): void {
    this.#push(this.#nextBuffer());
  }

  #loadReadonlyBuffer(): void {
    const top = this.#top();
    if (top instanceof PyByteArray) {
      this.#stack[this.#sp - 1] = new Uint8Array(top.buffer, top.byteOffset, top.byteLength);
    } else if (!(top instanceof Uint8Array)) {
      fail(`READONLY_BUFFER needs a buffer on the stack, not ${describe(top)}`);
    }
  }

  // ---- handlers: tuples, lists, dicts, sets -------------------------------------------------

  #loadEmptyTuple(): void {
    // Python's () is a single immutable object; one frozen Tuple serves every load.
    this.#push(EMPTY_TUPLE);
  }

  #loadTuple1(): void {
    this.#loadShortTuple(1);
  }

  #loadTuple2(): void {
    this.#loadShortTuple(2);
  }

  #loadTuple3(): void {
    this.#loadShortTuple(3);
  }

  /** TUPLE1-3: the top `n` items (they must be above the topmost mark) become a tuple. */
  #loadShortTuple(n: 1 | 2 | 3): void {
    const floats = this.#takeFloats(Math.max(this.#sp - n, this.#fence));
    const t = new Tuple();
    if (n === 1) {
      t.push(this.#pop());
    } else if (n === 2) {
      const b = this.#pop();
      t.push(this.#pop(), b);
    } else {
      const c = this.#pop();
      const b = this.#pop();
      t.push(this.#pop(), b, c);
    }
    if (floats) this.#markItems(t, 0, floats);
    this.#push(t);
  }

  #loadTuple(): void {
    const at = this.#popMark();
    const stack = this.#stack;
    const floats = this.#takeFloats(at);
    const t = new Tuple();
    for (let i = at; i < this.#sp; i++) t.push(stack[i]);
    if (floats) this.#markItems(t, 0, floats);
    this.#sp = at;
    this.#push(t);
  }

  /** EMPTY_LIST; a batch run may size the list once if nothing else refers to it (#freshListMemoIndex). */
  #loadEmptyList(): void {
    const list = newList();
    this.#push(list);
    this.#freshList = list;
    this.#freshListEnd = this.#pos;
  }

  #loadList(): void {
    this.#push(this.#popToMarkRecordingFloats());
  }

  #loadAppend(): void {
    if (this.#sp <= this.#fence) this.#underflow();
    this.#appendItems(this.#sp - 1);
  }

  #loadAppends(): void {
    this.#appendItems(this.#popMark());
  }

  #loadEmptyDict(): void {
    this.#push(this.#mapDicts ? new Map() : {});
  }

  #loadDict(): void {
    const at = this.#popMark();
    if ((this.#sp - at) % 2 !== 0) fail('odd number of items for DICT');
    const dict = this.#setDictItems(this.#mapDicts ? new Map() : {}, at, this.#sp);
    this.#sp = at;
    this.#push(dict);
  }

  #loadSetItem(): void {
    if (this.#sp <= this.#fence) this.#underflow();
    if (this.#sp - 1 <= this.#fence) {
      this.#sp--; // as popping the value first, for the same message
      this.#underflow();
    }
    this.#setItems(this.#sp - 2);
  }

  #loadSetItems(): void {
    this.#setItems(this.#popMark());
  }

  #loadEmptySet(): void {
    this.#push(new Set());
  }

  #loadAddItems(): void {
    this.#addItems(this.#popMark());
  }

  #loadFrozenSet(): void {
    const at = this.#popMark();
    const floats = this.#takeFloats(at);
    const set = setOf(new PyFrozenSet(), this.#stack.slice(at, this.#sp));
    for (let j = 0; j < floats; j++) markFloatKey(set, this.#stack[at + this.#floatOffsets[j]!] as number);
    this.#sp = at;
    this.#push(set);
  }

  // ---- handlers: the memo -------------------------------------------------------------------

  #loadGet(): void {
    const index = this.#parseInt(...this.#asciiLine('GET argument'), 10);
    if (typeof index !== 'number' || index < 0) fail('GET index out of range');
    this.#pushFetched(this.#memoGet(index));
  }

  #loadBinGet(): void {
    this.#pushFetched(this.#memoGet(this.#u8()));
  }

  #loadLongBinGet(): void {
    this.#pushFetched(this.#memoGet(this.#u32()));
  }

  #loadPut(): void {
    const index = this.#parseInt(...this.#asciiLine('PUT argument'), 10);
    if (typeof index !== 'number' || index < 0) fail('negative PUT argument');
    this.#memoSet(index, this.#topToMemo());
  }

  #loadBinPut(): void {
    this.#memoSet(this.#u8(), this.#topToMemo());
  }

  #loadLongBinPut(): void {
    this.#memoSet(this.#u32(), this.#topToMemo());
  }

  #loadMemoize(): void {
    this.#memoSet(this.#memoSize, this.#topToMemo());
  }

  // ---- handlers: globals and objects --------------------------------------------------------

  #loadGlobal(): void {
    const module = this.#lineText('GLOBAL module', decodeUtf8);
    const name = this.#lineText('GLOBAL name', decodeUtf8);
    this.#push(this.#findClass(module, name));
  }

  #loadStackGlobal(): void {
    const name = this.#pop();
    const module = this.#pop();
    if (typeof name !== 'string' || typeof module !== 'string') fail('STACK_GLOBAL requires str');
    this.#push(this.#findClass(module, name));
  }

  #loadExt1(): void {
    this.#push(this.#extension(this.#u8()));
  }

  #loadExt2(): void {
    this.#push(this.#extension(this.#u16()));
  }

  #loadExt4(): void {
    this.#push(this.#extension(this.#i32()));
  }

  #loadReduce(): void {
    const args = this.#pop();
    const callable = this.#pop();
    this.#pushMade(this.#reduce(callable, args));
  }

  #loadNewObj(): void {
    const args = this.#pop();
    const cls = this.#pop();
    this.#pushMade(this.#newObject(cls, args, undefined, 'NEWOBJ'));
  }

  #loadNewObjEx(): void {
    const kwargs = this.#pop();
    const args = this.#pop();
    const cls = this.#pop();
    this.#pushMade(this.#newObject(cls, args, kwargs, 'NEWOBJ_EX'));
  }

  #loadInst(): void {
    const module = this.#lineText('INST module');
    const name = this.#lineText('INST name');
    const args = this.#popToMarkRecordingFloats(Tuple);
    this.#pushMade(this.#instantiate(this.#findClass(module, name), args, 'inst'));
  }

  #loadObj(): void {
    const at = this.#popMark();
    const stack = this.#stack;
    if (this.#sp - at < 1) this.#underflow();
    const cls = stack[at];
    const floats = this.#takeFloats(at);
    const args = Tuple.from(stack.slice(at + 1, this.#sp));
    for (let j = 0; j < floats; j++) {
      const offset = this.#floatOffsets[j]!;
      if (offset > 0) markFloatItem(args, offset - 1);
    }
    this.#sp = at;
    this.#pushMade(this.#instantiate(cls, args, 'obj'));
  }

  #loadBuild(): void {
    const floats = this.#takeFloats(this.#sp - 1);
    const state = this.#pop();
    const target = this.#top();
    this.#build(target, state);
    // A bare float as a placeholder's state (`__getstate__` returning 2.0).
    if (floats && target instanceof PyObject && target.state === state) markFloatValue(target, 'state');
    if (this.#buildHook !== undefined) {
      const replacement = this.#buildHook(target, this.#rawInput());
      if (replacement !== undefined) this.#stack[this.#sp - 1] = replacement;
    }
  }

  #loadPersId(): void {
    const pid = this.#lineText('persistent id (protocol 0 persistent ids must be ASCII strings)');
    this.#pushMade(this.#persistent(pid));
  }

  #loadBinPersId(): void {
    this.#pushMade(this.#persistent(this.#pop()));
  }

  /**
   * LoadContext: a float a handler returns, as a PyFloat when it is integral (2.0): the load then
   * gives it as the number, recorded as a float where it lands, or keeps the PyFloat with
   * keepFloatType.
   */
  asFloat(value: number): number | PyFloat {
    return isIntegralFloat(value) ? new PyFloat(value) : value;
  }

  /**
   * The int of the ASCII bytes [start, end), as int(bytes, base) reads it: base 0 for INT and
   * LONG (pickle.py's int(line, 0)), 10 for the memo indices of GET and PUT (as both CPython
   * unpicklers read them).
   */
  #parseInt(start: number, end: number, base = 0): number | bigint {
    const value = parsePythonInt(this.#data, start, end, base, this.maxIntDigits);
    if (value === null) {
      fail(`invalid literal for int() with base ${base}: ${reprStr(latin1String(this.#data, start, Math.min(end, start + 40)))}`);
    }
    return value;
  }
}

/** Loads one pickle from `data`. Bytes after its STOP opcode are ignored, as in Python. */
export function loads(data: Uint8Array | ArrayBuffer | ArrayBufferView, options?: LoadOptions): unknown {
  return new Unpickler(data, options).load();
}

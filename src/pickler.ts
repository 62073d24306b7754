// The pickler: follows CPython's save() order and opcode choices (Modules/_pickle.c), so that
// for values made of Python's builtin types its output is byte for byte what CPython writes.
// Like the unpickler it never recurses: containers schedule the saving of their items on an
// explicit task stack, so nesting depth is bounded by maxDepth, not by the JavaScript stack.
import { REVERSE_IMPORT_MAPPING, REVERSE_NAME_MAPPING } from './compat.js';
import { PicklingError } from './errors.js';
import { encodeLong, pythonFloatRepr } from './numbers.js';
import { formatPath, type PathStep, step, StepKind } from './pickle-path.js';
import { defaultRegistry, type DumpContext, type PyClassHandler, type Reduction, Registry } from './registry.js';
import { describe } from './standard/builtins.js';
import { STANDARD_REGISTRY } from './standard/index.js';
import { encodeRawUnicodeEscape, encodeUtf8Into, utf8Length } from './text.js';
import { HIGHEST_PROTOCOL } from './unpickler.js';
import { PyByteArray } from './values/bytearray.js';
import { PyComplex } from './values/complex.js';
import { isPlainDict } from './values/dict.js';
import { PyFloat } from './values/float.js';
import { PyFrozenSet } from './values/frozenset.js';
import { PyGlobal, COPYREG_NEWOBJ as NEWOBJ, COPYREG_NEWOBJ_EX as NEWOBJ_EX, COPYREG_RECONSTRUCTOR as RECONSTRUCTOR, BUILTINS_OBJECT as OBJECT } from './values/global.js';
import { PyObject } from './values/object.js';
import { PickleBuffer } from './values/picklebuffer.js';
import { Tuple } from './values/tuple.js';
import { FRAME_SIZE_TARGET, PickleWriter } from './writer.js';

/** The protocol `dumps` uses unless told otherwise: 4, which every Python from 3.4 reads. */
export const DEFAULT_PROTOCOL = 4;

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
const BATCH_SIZE = 1000;

/** `()`: never memoized, so one shared instance serves every NEWOBJ without arguments. */
const EMPTY_TUPLE: Tuple = Object.freeze(new Tuple()) as Tuple;
const BYTES = new PyGlobal('builtins', 'bytes');
const BYTEARRAY = new PyGlobal('builtins', 'bytearray');
const CODECS_ENCODE = new PyGlobal('_codecs', 'encode');
const COMPLEX = new PyGlobal('builtins', 'complex');
const SET = new PyGlobal('builtins', 'set');
const FROZENSET = new PyGlobal('builtins', 'frozenset');
const GETATTR = new PyGlobal('builtins', 'getattr');

/** Thrown inside a save; the dump reports it with the path of the value being saved. */
class SaveFailure extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

function failure(message: string, cause?: unknown): never {
  throw new SaveFailure(message, cause);
}

const isCopyreg = (callable: unknown, name: string): boolean =>
  callable instanceof PyGlobal && callable.module === 'copyreg' && callable.name === name;

/** A task: work to do after everything scheduled above it, at the path it was scheduled from. */
type Task = () => void;

/**
 * Writes pickles. `dump()` returns one complete pickle (and hands it to the `write` option);
 * each starts with a fresh memo unless `keepMemo` is set.
 */
export class Pickler {
  readonly protocol: number;
  readonly #registry: Registry;
  readonly #fixImports: boolean;
  readonly #bufferCallback: DumpOptions['bufferCallback'];
  readonly #persistentId: DumpOptions['persistentId'];
  readonly #reducerOverride: DumpOptions['reducerOverride'];
  readonly #extensions: Map<string, number> | undefined;
  readonly #maxDepth: number;
  readonly #keepMemo: boolean;
  readonly #write: DumpOptions['write'];
  readonly #out = new PickleWriter();
  /** Memo by identity for objects. */
  #memo = new Map<unknown, number>();
  /** Memo by value for strings (JavaScript strings have no identity). */
  #stringMemo = new Map<string, number>();
  /** Memo entries written so far: the index of the next one. */
  #memoCount = 0;
  /** Globals are names, so they are memoized by qualified name. */
  #globalMemo = new Map<string, number>();
  #context: DumpContext = { protocol: 0, cache: new Map() };
  /** The task stack (LIFO) and, beside it, the path each task runs at. */
  #tasks: Task[] = [];
  #taskPaths: Array<PathStep | undefined> = [];
  /** Where in the value the pickler is now. */
  #path: PathStep | undefined;

  constructor(options: DumpOptions = {}) {
    let protocol = options.protocol ?? DEFAULT_PROTOCOL;
    if (protocol < 0) protocol = HIGHEST_PROTOCOL;
    if (!Number.isInteger(protocol) || protocol > HIGHEST_PROTOCOL) {
      throw new PicklingError(`pickle protocol must be an integer <= ${HIGHEST_PROTOCOL}, not ${protocol}`);
    }
    if (options.bufferCallback && protocol < 5) throw new PicklingError('bufferCallback needs protocol >= 5');
    this.protocol = protocol;
    this.#registry = options.registry ?? defaultRegistry();
    this.#fixImports = (options.fixImports ?? true) && protocol < 3;
    this.#bufferCallback = options.bufferCallback;
    this.#persistentId = options.persistentId;
    this.#reducerOverride = options.reducerOverride;
    this.#maxDepth = options.maxDepth ?? 1_000_000;
    this.#keepMemo = options.keepMemo ?? false;
    this.#write = options.write;
    if (options.extensions) {
      this.#extensions = new Map();
      const table = options.extensions;
      const entries = table instanceof Map ? [...table.entries()] : Object.entries(table).map(([k, v]) => [Number(k), v] as const);
      for (const [code, [module, name]] of entries) {
        if (!Number.isInteger(code) || code <= 0 || code > 0x7fffffff) throw new PicklingError(`invalid extension code ${code}`);
        this.#extensions.set(`${module}\n${name}`, code);
      }
    }
  }

  /** Lets a later Pickler reuse this one's output buffer; this Pickler must not dump again. */
  release(): void {
    this.#out.release();
  }

  /** Forgets what earlier dumps memoized (only matters with keepMemo). */
  clearMemo(): void {
    this.#memo = new Map();
    this.#stringMemo = new Map();
    this.#globalMemo = new Map();
    this.#memoCount = 0;
  }

  /** Pickles `value`; returns the complete pickle. Nothing is written anywhere on failure. */
  dump(value: unknown): Uint8Array {
    const out = this.#out;
    out.reset();
    if (!this.#keepMemo) this.clearMemo();
    const memoBefore = this.#keepMemo
      ? { objects: new Map(this.#memo), strings: new Map(this.#stringMemo), globals: new Map(this.#globalMemo), count: this.#memoCount }
      : undefined;
    this.#context = { protocol: this.protocol, cache: new Map() };
    this.#tasks = [];
    this.#taskPaths = [];
    this.#path = undefined;
    try {
      if (this.protocol >= 2) out.byte2(0x80, this.protocol);
      if (this.protocol >= 4) out.setFraming(true);
      this.#save(value);
      this.#drain();
      out.byte(0x2e); // STOP
      out.setFraming(false);
    } catch (error) {
      // A failed dump leaves the memo as it was, so later dumps never refer to unwritten entries.
      if (memoBefore) {
        this.#memo = memoBefore.objects;
        this.#stringMemo = memoBefore.strings;
        this.#globalMemo = memoBefore.globals;
        this.#memoCount = memoBefore.count;
      }
      if (error instanceof PicklingError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new PicklingError(message, formatPath(this.#path), {
        cause: error instanceof SaveFailure ? error.cause : error,
      });
    } finally {
      this.#tasks = [];
      this.#taskPaths = [];
      this.#context.cache.clear();
    }
    const pickle = out.result();
    this.#write?.(pickle);
    return pickle;
  }

  // ---- the task stack -----------------------------------------------------------------------

  #drain(): void {
    const tasks = this.#tasks;
    const paths = this.#taskPaths;
    while (tasks.length > 0) {
      const task = tasks.pop()!;
      this.#path = paths.pop();
      task();
    }
  }

  /** Schedules `steps` to run in order, after whatever is scheduled from now on. */
  #sequence(...steps: Task[]): void {
    for (let i = steps.length - 1; i >= 0; i--) {
      this.#tasks.push(steps[i]!);
      this.#taskPaths.push(this.#path);
    }
  }

  /** Schedules `task` below the tasks scheduled since the stack was `mark` tasks high. */
  #insertAt(mark: number, task: Task): void {
    this.#tasks.splice(mark, 0, task);
    this.#taskPaths.splice(mark, 0, this.#path);
  }

  /** A step of the path below the current one, refusing nesting beyond maxDepth. */
  #enter(kind: StepKind | undefined, key: unknown, label?: string): PathStep | undefined {
    if (kind === undefined) return this.#path;
    const child = step(this.#path, kind, key, label);
    // The value itself is at depth 1.
    if (child.depth >= this.#maxDepth) {
      this.#path = child;
      failure(`nesting deeper than maxDepth (${this.#maxDepth})`);
    }
    return child;
  }

  // ---- memo ---------------------------------------------------------------------------------

  #memoize(key: object): void {
    const index = this.#memoCount++;
    this.#memo.set(key, index);
    this.#writePut(index);
  }

  #writePut(index: number): void {
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

  /** After a part that may have memoized `value` itself (recursion): fetch it instead. */
  #memoizeOrFetch(value: object, dropped: () => void): void {
    const index = this.#memo.get(value);
    if (index === undefined) {
      this.#memoize(value);
    } else {
      dropped();
      this.#writeGet(index);
    }
  }

  // ---- save ---------------------------------------------------------------------------------

  /**
   * Saves one value (a part of the current one when `kind` is given). Returns true when it is
   * completely written, false when the rest of it is scheduled as tasks.
   */
  #save(value: unknown, kind?: StepKind, key?: unknown, label?: string, persistentDone = false): boolean {
    this.#out.opcodeBoundary();
    if (!persistentDone && this.#persistentId) {
      const pid = this.#persistentId(value);
      if (pid !== undefined && pid !== null) return this.#savePersistent(pid, kind, key, label);
    }
    switch (typeof value) {
      case 'undefined':
        this.#out.byte(0x4e); // NONE
        return true;
      case 'boolean':
        this.#saveBool(value);
        return true;
      case 'number':
        // Safe integers are ints; anything else (fractions, -0, NaN, ±inf, and integral values
        // beyond 2^53, which loads gives as bigint when they were ints) is a float.
        if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.#saveInt(value);
        else this.#saveFloat(value);
        return true;
      case 'bigint':
        this.#saveBigInt(value);
        return true;
      case 'string': {
        const index = this.#stringMemo.get(value);
        if (index !== undefined) this.#writeGet(index);
        else this.#saveString(value);
        return true;
      }
      case 'object': {
        if (value === null) {
          this.#out.byte(0x4e); // NONE
          return true;
        }
        const index = this.#memo.get(value);
        if (index !== undefined) {
          this.#writeGet(index);
          return true;
        }
        const outer = this.#path;
        this.#path = this.#enter(kind, key, label);
        const done = this.#saveObject(value);
        this.#path = outer;
        return done;
      }
      default:
        this.#path = this.#enter(kind, key, label);
        failure(`cannot pickle a ${typeof value}`);
    }
  }

  #saveObject(value: object): boolean {
    if (this.#reducedByHandler(value)) return this.#saveByReduction(value);
    if (value instanceof Uint8Array) {
      return value instanceof PyByteArray ? this.#saveByteArray(value) : this.#saveBytes(value);
    }
    if (Array.isArray(value)) return value instanceof Tuple ? this.#saveTuple(value) : this.#saveList(value);
    if (value instanceof Map) return this.#saveDict(value, [...value.keys()]);
    if (isPlainDict(value)) return this.#saveDict(value, Object.keys(value));
    if (value instanceof Set) return value instanceof PyFrozenSet ? this.#saveFrozenSet(value) : this.#saveSet(value);
    if (value instanceof PyGlobal) return this.#saveGlobal(value.module, value.name);
    if (value instanceof PyObject) return this.#savePlaceholder(value);
    if (value instanceof PyFloat) {
      this.#saveFloat(value.value);
      return true;
    }
    if (value instanceof PyComplex) {
      // complex.__reduce__ gives (complex, (real, imag)): both parts floats, even when integral.
      return this.#saveReduce([COMPLEX, Tuple.from([new PyFloat(value.real), new PyFloat(value.imag)])], value);
    }
    if (value instanceof PickleBuffer) return this.#savePickleBuffer(value);
    return this.#saveByReduction(value);
  }

  /**
   * A subclass of Array, Map or Set whose class has a handler with `reduce` (the standard
   * PyOrderedDict, PyCounter, PyDefaultDict, PyDeque, or a user's) is written by its reduction,
   * not as the builtin list, dict or set it extends. The exact builtin classes skip the lookup.
   */
  #reducedByHandler(value: object): boolean {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Object.prototype || proto === Array.prototype || proto === Map.prototype || proto === Set.prototype) {
      return false;
    }
    if (!(Array.isArray(value) || value instanceof Map || value instanceof Set)) return false;
    const handler = this.#registry.handlerForValue(value) ?? STANDARD_REGISTRY.handlerForValue(value);
    return handler?.reduce !== undefined;
  }

  #saveByReduction(value: object): boolean {
    let reduction: Reduction | undefined;
    try {
      reduction = this.#reducerOverride?.(value);
      if (reduction === undefined) {
        const handler: PyClassHandler | undefined =
          this.#registry.handlerForValue(value) ?? STANDARD_REGISTRY.handlerForValue(value);
        const own = value as { __reduce_ex__?: (protocol: number) => unknown; __reduce__?: () => unknown };
        if (handler?.reduce) reduction = handler.reduce(value, this.protocol, this.#context);
        else if (typeof own.__reduce_ex__ === 'function') reduction = own.__reduce_ex__(this.protocol) as Reduction;
        else if (typeof own.__reduce__ === 'function') reduction = own.__reduce__() as Reduction;
      }
    } catch (error) {
      if (error instanceof SaveFailure) throw error;
      failure(error instanceof Error ? error.message : String(error), error);
    }
    if (reduction === undefined) failure(`cannot pickle ${describe(value)} object: no handler is registered for its class`);
    return this.#saveReduce(reduction, value);
  }

  #savePersistent(pid: unknown, kind: StepKind | undefined, key: unknown, label: string | undefined): boolean {
    if (this.protocol >= 1) {
      // The id itself is saved as is (never asked for a persistent id of its own), then BINPERSID.
      const mark = this.#tasks.length;
      const binpersid: Task = () => this.#out.byte(0x51);
      if (this.#save(pid, kind, key, label, true)) {
        binpersid();
        return true;
      }
      this.#insertAt(mark, binpersid);
      return false;
    }
    if (typeof pid !== 'string' || !/^[\x00-\x09\x0b-\x7f]*$/.test(pid)) {
      this.#path = this.#enter(kind, key, label);
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
    this.#saveBigInt(BigInt(value));
  }

  #saveBigInt(value: bigint): void {
    if (value >= -0x8000_0000n && value <= 0x7fff_ffffn) {
      this.#saveInt(Number(value));
      return;
    }
    const out = this.#out;
    if (this.protocol < 2) {
      out.latin1(`L${value}L\n`);
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

  #saveString(value: string): void {
    const out = this.#out;
    if (this.protocol === 0) {
      out.latin1(`V${encodeRawUnicodeEscape(value)}\n`);
    } else if (value.length <= 85 && this.protocol >= 4) {
      // At most 255 bytes whatever the characters: SHORT_BINUNICODE, length patched in after.
      const at = out.reserve(2 + 3 * value.length);
      const end = encodeUtf8Into(value, out.buffer, at + 2);
      out.buffer[at] = 0x8c;
      out.buffer[at + 1] = end - at - 2;
      out.unreserve(at + 2 + 3 * value.length - end);
    } else {
      const size = utf8Length(value);
      const header = (): void => {
        if (size <= 0xff && this.protocol >= 4) out.byte2(0x8c, size);
        else if (size > 0xffff_ffff && this.protocol >= 4) out.opU64(0x8d, size);
        else if (size > 0xffff_ffff) failure('cannot serialize a string larger than 4 GiB below protocol 4');
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
    const index = this.#memoCount++;
    this.#stringMemo.set(value, index);
    this.#writePut(index);
  }

  #saveBytes(value: Uint8Array): boolean {
    if (this.protocol < 3) {
      // No bytes opcode: CPython writes _codecs.encode(latin1 text, 'latin1'), or bytes() when empty.
      if (value.length === 0) return this.#saveReduce([BYTES, new Tuple()], value);
      let text = '';
      for (let i = 0; i < value.length; i += 0x2000) {
        text += String.fromCharCode(...value.subarray(i, Math.min(value.length, i + 0x2000)));
      }
      return this.#saveReduce([CODECS_ENCODE, Tuple.from([text, 'latin1'])], value);
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
      else if (size > 0xffff_ffff) failure('cannot serialize bytes larger than 4 GiB below protocol 4');
      else out.opU32(0x42, size); // BINBYTES
    };
    if (size >= FRAME_SIZE_TARGET) {
      out.largeBytes(header, value);
    } else {
      header();
      out.bytes(value);
    }
  }

  #saveByteArray(value: PyByteArray): boolean {
    if (this.protocol < 5) {
      const args = value.length === 0 ? new Tuple() : Tuple.from([new Uint8Array(value)]);
      return this.#saveReduce([BYTEARRAY, args], value);
    }
    this.#writeBytesData(value, true);
    this.#memoize(value);
    return true;
  }

  #savePickleBuffer(value: PickleBuffer): boolean {
    if (this.protocol < 5) failure('PickleBuffer can only be pickled with protocol >= 5');
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
   * `itemPath` names the items in error paths when the tuple is one the pickler assembled.
   */
  #saveTuple(value: Tuple, itemPath?: (index: number) => [StepKind, unknown]): boolean {
    const out = this.#out;
    const n = value.length;
    if (n === 0) {
      if (this.protocol >= 1) out.byte(0x29); // EMPTY_TUPLE
      else out.byte2(MARK, 0x74); // MARK TUPLE
      return true;
    }
    const short = n <= 3 && this.protocol >= 2;
    if (!short) out.byte(MARK);
    const finish: Task = () =>
      this.#memoizeOrFetch(value, () => {
        if (short) for (let i = 0; i < n; i++) out.byte(POP);
        else if (this.protocol >= 1) out.byte(POP_MARK);
        else for (let i = 0; i <= n; i++) out.byte(POP); // the MARK too
      });
    const items = (from: number): boolean => {
      for (let i = from; i < n; i++) {
        const [kind, key] = itemPath ? itemPath(i) : [StepKind.Index, i];
        const mark = this.#tasks.length;
        if (this.#save(value[i], kind, key)) continue;
        this.#insertAt(mark, () => {
          if (items(i + 1)) writeEnd();
        });
        return false;
      }
      return true;
    };
    const writeEnd = (): void => {
      const index = this.#memo.get(value);
      if (index === undefined) out.byte(short ? 0x84 + n : 0x74); // TUPLE1..3 / TUPLE
      finish();
    };
    // Items are saved by a task, never from inside this call: nesting must not recurse.
    this.#sequence(() => {
      if (items(0)) writeEnd();
    });
    return false;
  }

  #saveList(list: unknown[]): boolean {
    const out = this.#out;
    if (this.protocol >= 1) out.byte(0x5d); // EMPTY_LIST
    else out.byte2(MARK, 0x6c); // MARK LIST
    this.#memoize(list);
    if (list.length === 0) return true;
    if (this.protocol === 0 || list.length === 1) this.#sequence(() => this.#appendEach(list, 0));
    else this.#sequence(() => this.#appendBatches(list, 0));
    return false;
  }

  /** Protocol 0 lists (and one-item lists): item APPEND, item APPEND, … */
  #appendEach(list: unknown[], from: number): boolean {
    const out = this.#out;
    for (let i = from; i < list.length; i++) {
      const mark = this.#tasks.length;
      if (this.#save(list[i], StepKind.Index, i)) {
        out.byte(APPEND);
        continue;
      }
      this.#insertAt(mark, () => {
        out.byte(APPEND);
        this.#appendEach(list, i + 1);
      });
      return false;
    }
    return true;
  }

  /** The C pickler's exact-list batching: every batch, even a last one of one item, is MARK ... APPENDS. */
  #appendBatches(list: unknown[], from: number): boolean {
    const out = this.#out;
    const n = list.length;
    for (let i = from; i < n; i++) {
      if (i % BATCH_SIZE === 0) out.byte(MARK);
      const mark = this.#tasks.length;
      const saved = this.#save(list[i], StepKind.Index, i);
      const batchEnds = (i + 1) % BATCH_SIZE === 0 || i + 1 === n;
      if (saved) {
        if (batchEnds) out.byte(APPENDS);
        continue;
      }
      this.#insertAt(mark, () => {
        if (batchEnds) out.byte(APPENDS);
        this.#appendBatches(list, i + 1);
      });
      return false;
    }
    return true;
  }

  /**
   * A dict: EMPTY_DICT (MARK DICT at protocol 0), then its pairs: SETITEM each at protocol 0
   * or for a single pair, else the C pickler's exact-dict batching, MARK ... SETITEMS per 1000
   * pairs with one more, empty, batch after a last full one (it loops while a batch came out full).
   * `keys` are the dict's keys in order; values are read as the pairs are written.
   */
  #saveDict(dict: Map<unknown, unknown> | Record<string, unknown>, keys: unknown[]): boolean {
    const out = this.#out;
    if (this.protocol >= 1) out.byte(0x7d); // EMPTY_DICT
    else out.byte2(MARK, 0x64); // MARK DICT
    this.#memoize(dict);
    if (keys.length === 0) return true;
    const batched = this.protocol >= 1 && keys.length > 1;
    this.#sequence(() => this.#dictPairs(dict, keys, 0, 0, batched));
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

  #dictPairs(dict: Map<unknown, unknown> | Record<string, unknown>, keys: unknown[], from: number, phase: 0 | 1, batched: boolean): void {
    const out = this.#out;
    const n = keys.length;
    const map = dict instanceof Map ? dict : undefined;
    for (let i = from; i < n; i++) {
      const key = keys[i];
      if (phase === 0) {
        if (batched && i % BATCH_SIZE === 0) out.byte(MARK);
        const mark = this.#tasks.length;
        if (!this.#save(key, StepKind.DictKey, i)) {
          this.#insertAt(mark, () => this.#dictPairs(dict, keys, i, 1, batched));
          return;
        }
      }
      phase = 0;
      const value = map ? map.get(key) : (dict as Record<string, unknown>)[key as string];
      const mark = this.#tasks.length;
      if (this.#save(value, typeof key === 'string' ? StepKind.Key : StepKind.MapValue, key)) {
        this.#afterPair(i, n, batched);
        continue;
      }
      this.#insertAt(mark, () => {
        this.#afterPair(i, n, batched);
        this.#dictPairs(dict, keys, i + 1, 0, batched);
      });
      return;
    }
  }

  #saveSet(set: Set<unknown>): boolean {
    if (this.protocol < 4) return this.#saveReduce([SET, Tuple.from([[...set]])], set);
    this.#out.byte(0x8f); // EMPTY_SET
    this.#memoize(set);
    if (set.size === 0) return true;
    const items = [...set];
    this.#sequence(() => this.#addBatches(items, 0));
    return false;
  }

  /** Set items: MARK ... ADDITEMS per 1000, with the C pickler's extra empty batch after a full one. */
  #addBatches(items: unknown[], from: number): boolean {
    const out = this.#out;
    const n = items.length;
    for (let i = from; i < n; i++) {
      if (i % BATCH_SIZE === 0) out.byte(MARK);
      const mark = this.#tasks.length;
      const saved = this.#save(items[i], StepKind.SetItem, i);
      const after = (): void => {
        if ((i + 1) % BATCH_SIZE === 0 || i + 1 === n) {
          out.byte(ADDITEMS);
          if (i + 1 === n && n % BATCH_SIZE === 0) out.byte2(MARK, ADDITEMS);
        }
      };
      if (saved) {
        after();
        continue;
      }
      this.#insertAt(mark, () => {
        after();
        this.#addBatches(items, i + 1);
      });
      return false;
    }
    return true;
  }

  #saveFrozenSet(set: PyFrozenSet): boolean {
    const out = this.#out;
    if (this.protocol < 4) return this.#saveReduce([FROZENSET, Tuple.from([[...set]])], set);
    out.byte(MARK);
    const items = [...set];
    const finish = (): void => {
      if (this.#memo.has(set)) {
        out.byte(POP_MARK); // recursive: fetch it from the memo instead
        this.#writeGet(this.#memo.get(set)!);
        return;
      }
      out.byte(0x91); // FROZENSET
      this.#memoize(set);
    };
    const each = (from: number): boolean => {
      for (let i = from; i < items.length; i++) {
        const mark = this.#tasks.length;
        if (this.#save(items[i], StepKind.FrozenSetItem, i)) continue;
        this.#insertAt(mark, () => {
          if (each(i + 1)) finish();
        });
        return false;
      }
      return true;
    };
    this.#sequence(() => {
      if (each(0)) finish();
    });
    return false;
  }

  // ---- globals ------------------------------------------------------------------------------

  #saveGlobal(module: string, name: string): boolean {
    const key = `${module}\n${name}`;
    const known = this.#globalMemo.get(key);
    if (known !== undefined) {
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
    const memoizeGlobal = (): void => {
      const index = this.#memoCount++;
      this.#globalMemo.set(key, index);
      this.#writePut(index);
    };
    const lastDot = name.lastIndexOf('.');
    if (this.protocol >= 4) {
      this.#save(module);
      this.#save(name);
      out.byte(0x93); // STACK_GLOBAL
    } else if (lastDot > 0) {
      // A nested qualname below protocol 4: getattr(parent, last name), as CPython writes it.
      const parent = new PyGlobal(module, name.slice(0, lastDot));
      this.#sequence(memoizeGlobal); // below the reduction's tasks, so it runs after them
      this.#saveReduce([GETATTR, Tuple.from([parent, name.slice(lastDot + 1)])], undefined);
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
    memoizeGlobal();
    return true;
  }

  // ---- reductions ---------------------------------------------------------------------------

  /** A task that saves one part of the current value, labelled in error paths. */
  #part(value: unknown, label: string): Task {
    return () => {
      this.#save(value, StepKind.Label, label);
    };
  }

  /**
   * Writes a reduction `[callable, args, state?, listItems?, dictItems?, stateSetter?]` as
   * CPython's save_reduce does: NEWOBJ for copyreg.__newobj__, NEWOBJ_EX for __newobj_ex__,
   * REDUCE otherwise; then memoizes `obj`, appends items, and BUILDs the state.
   */
  #saveReduce(reduction: Reduction, obj: object | undefined): boolean {
    if (!Array.isArray(reduction) || reduction.length < 2 || reduction.length > 6) {
      failure('a reduction must be [callable, args, state?, listItems?, dictItems?, stateSetter?]');
    }
    const [callable, args, state, listItems, dictItems, stateSetter] = reduction;
    if (!Array.isArray(args)) failure('the arguments of a reduction must be a tuple');
    const out = this.#out;
    const asTuple = (items: readonly unknown[]): Tuple => (items instanceof Tuple ? items : Tuple.from(items));
    const steps: Task[] = [];
    if (this.protocol >= 4 && isCopyreg(callable, '__newobj_ex__')) {
      const [cls, clsArgs, kwargs] = args;
      steps.push(
        this.#part(cls, '<class>'),
        this.#part(asTuple((clsArgs ?? []) as unknown[]), '<args>'),
        this.#part(kwargs ?? {}, '<kwargs>'),
        () => out.byte(0x92), // NEWOBJ_EX
      );
    } else if (this.protocol >= 2 && isCopyreg(callable, '__newobj__')) {
      if (args.length === 0) failure('copyreg.__newobj__ needs the class as its first argument');
      const clsArgs = args.length === 1 ? EMPTY_TUPLE : Tuple.from(args.slice(1));
      steps.push(this.#part(args[0], '<class>'), this.#part(clsArgs, '<args>'), () => out.byte(0x81)); // NEWOBJ
    } else {
      // Includes copyreg.__newobj_ex__ below protocol 4, which Python calls as a function.
      steps.push(this.#part(callable, '<callable>'), this.#part(asTuple(args), '<args>'), () => out.byte(REDUCE));
    }
    if (obj !== undefined) steps.push(() => this.#memoizeOrFetch(obj, () => out.byte(POP)));
    if (listItems !== undefined && listItems !== null) {
      steps.push(() => this.#appendItems([...(listItems as Iterable<unknown>)], 0, '<list items>'));
    }
    if (dictItems !== undefined && dictItems !== null) {
      steps.push(() => this.#setItems([...(dictItems as Iterable<readonly [unknown, unknown]>)], 0, 0, '<dict items>'));
    }
    if (state !== undefined && state !== null) {
      if (stateSetter === undefined || stateSetter === null) {
        steps.push(this.#part(state, '<state>'), () => out.byte(BUILD));
      } else {
        steps.push(this.#part(stateSetter, '<state setter>'), this.#part(obj, ''), this.#part(state, '<state>'), () => {
          out.byte(0x86); // TUPLE2
          out.byte(REDUCE);
          out.byte(POP);
        });
      }
    }
    this.#sequence(...steps);
    return false;
  }

  /** Items of a reduction's list part (batch_list): batches, a trailing single item as APPEND. */
  #appendItems(items: unknown[], from: number, label: string): void {
    const out = this.#out;
    const n = items.length;
    for (let i = from; i < n; i++) {
      const batchStart = i - (i % BATCH_SIZE);
      const batchEnd = Math.min(n, batchStart + BATCH_SIZE);
      const single = this.protocol === 0 || batchEnd - batchStart === 1;
      if (!single && i === batchStart) out.byte(MARK);
      const after = (): void => {
        if (single) out.byte(APPEND);
        else if (i + 1 === batchEnd) out.byte(APPENDS);
      };
      const mark = this.#tasks.length;
      if (this.#save(items[i], StepKind.LabelIndex, i, label)) {
        after();
        continue;
      }
      this.#insertAt(mark, () => {
        after();
        this.#appendItems(items, i + 1, label);
      });
      return;
    }
  }

  /** Pairs of a reduction's dict part (batch_dict): batches, a trailing single pair as SETITEM. */
  #setItems(pairs: ReadonlyArray<readonly [unknown, unknown]>, from: number, phase: 0 | 1, label: string): void {
    const out = this.#out;
    const n = pairs.length;
    for (let i = from; i < n; i++) {
      const pair = pairs[i];
      if (!Array.isArray(pair) || pair.length !== 2) failure('dict items of a reduction must be [key, value] pairs');
      const batchStart = i - (i % BATCH_SIZE);
      const batchEnd = Math.min(n, batchStart + BATCH_SIZE);
      const single = this.protocol === 0 || batchEnd - batchStart === 1;
      if (phase === 0) {
        if (!single && i === batchStart) out.byte(MARK);
        const mark = this.#tasks.length;
        if (!this.#save(pair[0], StepKind.LabelIndex, 0, `${label}[${i}]`)) {
          this.#insertAt(mark, () => this.#setItems(pairs, i, 1, label));
          return;
        }
      }
      phase = 0;
      const after = (): void => {
        if (single) out.byte(SETITEM);
        else if (i + 1 === batchEnd) out.byte(SETITEMS);
      };
      const mark = this.#tasks.length;
      if (this.#save(pair[1], StepKind.LabelIndex, 1, `${label}[${i}]`)) {
        after();
        continue;
      }
      this.#insertAt(mark, () => {
        after();
        this.#setItems(pairs, i + 1, 0, label);
      });
      return;
    }
  }

  // ---- placeholders -------------------------------------------------------------------------

  /** Saves a tuple the pickler assembles from a placeholder's parts, with their own paths. */
  #partsTuple(items: Array<[unknown, string]>): Task {
    const tuple = Tuple.from(items.map(([value]) => value));
    return () => {
      this.#saveTuple(tuple, (index) => [StepKind.Label, items[index]![1]]);
    };
  }

  /** A placeholder is written back in the form it was read in. */
  #savePlaceholder(value: PyObject): boolean {
    const out = this.#out;
    const { cls, args } = value;
    const argParts = (): Array<[unknown, string]> => args.map((arg, i) => [arg, `.args[${i}]`]);
    const steps: Task[] = [];
    const call = (callable: unknown, label: string, parts: Array<[unknown, string]>): void => {
      steps.push(this.#part(callable, label), this.#partsTuple(parts), () => out.byte(REDUCE));
    };
    switch (value.creation) {
      case 'newobj':
        if (this.protocol >= 2) {
          steps.push(this.#part(cls, '.cls'), this.#partsTuple(argParts()), () => out.byte(0x81)); // NEWOBJ
        } else if (args.length === 0 && value.listItems === undefined && value.dictItems === undefined) {
          // Protocols 0 and 1 have no NEWOBJ: object.__new__(cls) is copyreg._reconstructor(cls, object, None).
          call(RECONSTRUCTOR, '<copyreg._reconstructor>', [[cls, '.cls'], [OBJECT, '<object>'], [null, '<None>']]);
        } else {
          call(NEWOBJ, '<copyreg.__newobj__>', [[cls, '.cls'], ...argParts()]);
        }
        break;
      case 'newobj_ex':
        if (this.protocol >= 4) {
          steps.push(
            this.#part(cls, '.cls'),
            this.#partsTuple(argParts()),
            this.#part(value.kwargs ?? {}, '.kwargs'),
            () => out.byte(0x92), // NEWOBJ_EX
          );
        } else {
          // No NEWOBJ_EX below protocol 4: copyreg.__newobj_ex__(cls, args, kwargs) is the same call.
          call(NEWOBJ_EX, '<copyreg.__newobj_ex__>', [[cls, '.cls'], [args, '.args'], [value.kwargs ?? {}, '.kwargs']]);
        }
        break;
      case 'reduce':
        call(cls, '.cls', argParts());
        break;
      case 'reconstructor':
        call(RECONSTRUCTOR, '<copyreg._reconstructor>', [[cls, '.cls'], ...argParts()]);
        break;
      case 'inst': {
        if (!(cls instanceof PyGlobal)) failure('an INST placeholder needs a global class');
        const line = `i${cls.module}\n${cls.name}\n`;
        if (!/^i[\x00-\x09\x0b-\x7f]*\n[\x00-\x09\x0b-\x7f]*\n$/.test(line)) failure('INST names must be ASCII');
        steps.push(() => out.byte(MARK));
        args.forEach((arg, i) => steps.push(this.#part(arg, `.args[${i}]`)));
        steps.push(() => out.latin1(line));
        break;
      }
      case 'obj':
        steps.push(() => out.byte(MARK), this.#part(cls, '.cls'));
        args.forEach((arg, i) => steps.push(this.#part(arg, `.args[${i}]`)));
        steps.push(() => out.byte(0x6f)); // OBJ
        break;
    }
    steps.push(() => this.#memoizeOrFetch(value, () => out.byte(POP)));
    if (value.listItems !== undefined) steps.push(() => this.#appendItems(value.listItems!, 0, '.listItems'));
    if (value.dictItems !== undefined) steps.push(() => this.#setItems(value.dictItems!, 0, 0, '.dictItems'));
    if (value.state !== undefined) steps.push(this.#part(value.state, '.state'), () => out.byte(BUILD));
    this.#sequence(...steps);
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

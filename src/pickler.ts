// The pickler: follows CPython's save() order and opcode choices (Modules/_pickle.c), so that
// for values made of Python's builtin types its output is byte for byte what CPython writes.
import { REVERSE_IMPORT_MAPPING, REVERSE_NAME_MAPPING } from './compat.js';
import { PicklingError } from './errors.js';
import { encodeLong, pythonFloatRepr } from './numbers.js';
import { defaultRegistry, type PyClassHandler, type Reduction, Registry } from './registry.js';
import { describe } from './standard/builtins.js';
import { encodeRawUnicodeEscape, encodeUtf8Into, utf8Length } from './text.js';
import { HIGHEST_PROTOCOL } from './unpickler.js';
import { PyByteArray } from './values/bytearray.js';
import { PyComplex } from './values/complex.js';
import { PyFloat } from './values/float.js';
import { isPlainDict } from './values/dict.js';
import { PyFrozenSet } from './values/frozenset.js';
import { PyGlobal } from './values/global.js';
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
  /** Deepest nesting written; deeper values give a PicklingError. Default 10 000. */
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
const BATCH_SIZE = 1000;

const COPYREG = 'copyreg';

/** Thrown inside save(); gathers the path to the value on its way out. */
class SaveFailure extends Error {
  readonly segments: string[] = [];
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

function failure(message: string): never {
  throw new SaveFailure(message);
}

function keySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Runs `save` for one part of a value, adding that part's path segment to a failure. */
function within<T>(segment: string | (() => string), save: () => T): T {
  try {
    return save();
  } catch (error) {
    if (error instanceof SaveFailure) {
      error.segments.push(typeof segment === 'string' ? segment : segment());
      throw error;
    }
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      const wrapped = new SaveFailure('nesting too deep for the JavaScript stack; lower the nesting or maxDepth', error);
      wrapped.segments.push(typeof segment === 'string' ? segment : segment());
      throw wrapped;
    }
    throw error;
  }
}

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
  /** Memo by identity for objects and by value for strings (JavaScript strings have no identity). */
  #memo = new Map<unknown, number>();
  /** Globals are names, so they are memoized by qualified name. */
  #globalMemo = new Map<string, number>();
  #depth = 0;

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
    this.#maxDepth = options.maxDepth ?? 10_000;
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

  /** Forgets what earlier dumps memoized (only matters with keepMemo). */
  clearMemo(): void {
    this.#memo = new Map();
    this.#globalMemo = new Map();
  }

  /** Pickles `value`; returns the complete pickle. Nothing is written anywhere on failure. */
  dump(value: unknown): Uint8Array {
    const out = this.#out;
    out.reset();
    if (!this.#keepMemo) this.clearMemo();
    const memoBefore = this.#keepMemo ? new Map(this.#memo) : undefined;
    const globalsBefore = this.#keepMemo ? new Map(this.#globalMemo) : undefined;
    this.#depth = 0;
    try {
      if (this.protocol >= 2) out.byte2(0x80, this.protocol);
      if (this.protocol >= 4) out.setFraming(true);
      this.#save(value);
      out.byte(0x2e); // STOP
      out.setFraming(false);
    } catch (error) {
      // A failed dump leaves the memo as it was, so later dumps never refer to unwritten entries.
      if (memoBefore && globalsBefore) {
        this.#memo = memoBefore;
        this.#globalMemo = globalsBefore;
      }
      if (error instanceof SaveFailure) {
        const path = error.segments.reverse().join('');
        throw new PicklingError(error.message, path === '' ? 'the value itself' : `value${path}`, {
          cause: error.cause,
        });
      }
      if (error instanceof PicklingError) throw error;
      throw new PicklingError(error instanceof Error ? error.message : String(error), undefined, { cause: error });
    }
    const pickle = out.result();
    this.#write?.(pickle);
    return pickle;
  }

  // ---- memo ---------------------------------------------------------------------------------

  #memoize(key: unknown): void {
    const index = this.#memo.size + this.#globalMemo.size;
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

  // ---- save ---------------------------------------------------------------------------------

  #save(value: unknown, persistentDone = false): void {
    this.#out.opcodeBoundary();
    if (!persistentDone && this.#persistentId) {
      const pid = this.#persistentId(value);
      if (pid !== undefined && pid !== null) {
        this.#savePersistent(pid);
        return;
      }
    }
    switch (typeof value) {
      case 'undefined':
        this.#out.byte(0x4e); // NONE
        return;
      case 'boolean':
        this.#saveBool(value);
        return;
      case 'number':
        // Safe integers are ints; anything else (fractions, -0, NaN, ±inf, and integral values
        // beyond 2^53, which loads gives as bigint when they were ints) is a float.
        if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.#saveInt(value);
        else this.#saveFloat(value);
        return;
      case 'bigint':
        this.#saveBigInt(value);
        return;
      case 'string': {
        const index = this.#memo.get(value);
        if (index !== undefined) this.#writeGet(index);
        else this.#saveString(value);
        return;
      }
      case 'object':
        if (value === null) {
          this.#out.byte(0x4e); // NONE
          return;
        }
        break;
      default:
        failure(`cannot pickle a ${typeof value}`);
    }
    const index = this.#memo.get(value);
    if (index !== undefined) {
      this.#writeGet(index);
      return;
    }
    if (++this.#depth > this.#maxDepth) failure(`nesting deeper than maxDepth (${this.#maxDepth})`);
    try {
      this.#saveObject(value);
    } finally {
      this.#depth--;
    }
  }

  #saveObject(value: object): void {
    if (value instanceof Uint8Array) {
      if (value instanceof PyByteArray) this.#saveByteArray(value);
      else this.#saveBytes(value);
    } else if (Array.isArray(value)) {
      if (value instanceof Tuple) this.#saveTuple(value);
      else this.#saveList(value);
    } else if (value instanceof Map) {
      this.#saveDict(value, value.size, value.entries());
    } else if (isPlainDict(value)) {
      const keys = Object.keys(value);
      this.#saveDict(value, keys.length, (function* () {
        for (const key of keys) yield [key, value[key]] as [unknown, unknown];
      })());
    } else if (value instanceof Set) {
      if (value instanceof PyFrozenSet) this.#saveFrozenSet(value);
      else this.#saveSet(value);
    } else if (value instanceof PyGlobal) {
      this.#saveGlobal(value.module, value.name);
    } else if (value instanceof PyObject) {
      this.#savePlaceholder(value);
    } else if (value instanceof PyFloat) {
      this.#saveFloat(value.value);
    } else if (value instanceof PyComplex) {
      // complex.__reduce__ gives (complex, (real, imag)): both parts are floats, even when integral.
      const parts = Tuple.from([new PyFloat(value.real), new PyFloat(value.imag)]);
      this.#saveReduce([this.#global('builtins', 'complex'), parts], value);
    } else if (value instanceof PickleBuffer) {
      this.#savePickleBuffer(value);
    } else {
      this.#saveByReduction(value);
    }
  }

  #saveByReduction(value: object): void {
    const override = this.#reducerOverride?.(value);
    if (override !== undefined) {
      this.#saveReduce(override, value);
      return;
    }
    const handler: PyClassHandler | undefined = this.#registry.handlerForValue(value);
    if (handler?.reduce) {
      this.#saveReduce(handler.reduce(value, this.protocol), value);
      return;
    }
    const own = value as { __reduce_ex__?: (protocol: number) => unknown; __reduce__?: () => unknown };
    if (typeof own.__reduce_ex__ === 'function') {
      this.#saveReduce(own.__reduce_ex__(this.protocol) as Reduction, value);
    } else if (typeof own.__reduce__ === 'function') {
      this.#saveReduce(own.__reduce__() as Reduction, value);
    } else {
      failure(`cannot pickle ${describe(value)} object: no handler is registered for its class`);
    }
  }

  #savePersistent(pid: unknown): void {
    if (this.protocol >= 1) {
      this.#save(pid, true);
      this.#out.byte(0x51); // BINPERSID
      return;
    }
    if (typeof pid !== 'string' || !/^[\x00-\x09\x0b-\x7f]*$/.test(pid)) {
      failure('persistent IDs in protocol 0 must be ASCII strings without a newline');
    }
    this.#out.latin1(`P${pid}\n`);
  }

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
    this.#memoize(value);
  }

  #saveBytes(value: Uint8Array): void {
    if (this.protocol < 3) {
      // No bytes opcode: CPython writes _codecs.encode(latin1 text, 'latin1'), or bytes() when empty.
      if (value.length === 0) {
        this.#saveReduce([this.#global('builtins', 'bytes'), new Tuple()], value);
      } else {
        let text = '';
        for (let i = 0; i < value.length; i += 0x2000) {
          text += String.fromCharCode(...value.subarray(i, Math.min(value.length, i + 0x2000)));
        }
        this.#saveReduce([this.#global('_codecs', 'encode'), Tuple.from([text, 'latin1'])], value);
      }
      return;
    }
    this.#writeBytesData(value, false);
    this.#memoize(value);
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
      out.largePayload(header, () => out.bytes(value));
    } else {
      header();
      out.bytes(value);
    }
  }

  #saveByteArray(value: PyByteArray): void {
    if (this.protocol < 5) {
      const args = value.length === 0 ? new Tuple() : Tuple.from([new Uint8Array(value)]);
      this.#saveReduce([this.#global('builtins', 'bytearray'), args], value);
      return;
    }
    this.#writeBytesData(value, true);
    this.#memoize(value);
  }

  #savePickleBuffer(value: PickleBuffer): void {
    if (this.protocol < 5) failure('PickleBuffer can only be pickled with protocol >= 5');
    const inBand = this.#bufferCallback ? Boolean(this.#bufferCallback(value)) : true;
    if (inBand) {
      this.#writeBytesData(value.data, !value.readonly);
      this.#memoize(value);
      return;
    }
    this.#out.byte(0x97); // NEXT_BUFFER
    if (value.readonly) this.#out.byte(0x98); // READONLY_BUFFER
  }

  #saveTuple(value: Tuple): void {
    const out = this.#out;
    const n = value.length;
    if (n === 0) {
      if (this.protocol >= 1) out.byte(0x29); // EMPTY_TUPLE
      else out.byte2(MARK, 0x74); // MARK TUPLE
      return;
    }
    if (n <= 3 && this.protocol >= 2) {
      for (let i = 0; i < n; i++) within(`[${i}]`, () => this.#save(value[i]));
      const index = this.#memo.get(value);
      if (index !== undefined) {
        // The tuple is recursive: it was memoized while its items were saved. Drop the items.
        for (let i = 0; i < n; i++) out.byte(0x30); // POP
        this.#writeGet(index);
        return;
      }
      out.byte(0x84 + n); // TUPLE1..3
    } else {
      out.byte(MARK);
      for (let i = 0; i < n; i++) within(`[${i}]`, () => this.#save(value[i]));
      const index = this.#memo.get(value);
      if (index !== undefined) {
        if (this.protocol >= 1) out.byte(0x31); // POP_MARK
        else for (let i = 0; i <= n; i++) out.byte(0x30); // POP, the MARK included
        this.#writeGet(index);
        return;
      }
      out.byte(0x74); // TUPLE
    }
    this.#memoize(value);
  }

  #saveList(value: unknown[]): void {
    const out = this.#out;
    if (this.protocol >= 1) out.byte(0x5d); // EMPTY_LIST
    else out.byte2(MARK, 0x6c); // MARK LIST
    this.#memoize(value);
    const n = value.length;
    if (n === 0) return;
    if (this.protocol === 0) {
      for (let i = 0; i < n; i++) {
        within(`[${i}]`, () => this.#save(value[i]));
        out.byte(APPEND);
      }
      return;
    }
    if (n === 1) {
      within('[0]', () => this.#save(value[0]));
      out.byte(APPEND);
      return;
    }
    // The C pickler's exact-list batching: every batch, even a last one of one item, is MARK ... APPENDS.
    let i = 0;
    while (i < n) {
      out.byte(MARK);
      const end = Math.min(n, i + BATCH_SIZE);
      for (; i < end; i++) {
        const at = i;
        within(`[${at}]`, () => this.#save(value[at]));
      }
      out.byte(APPENDS);
    }
  }

  #saveDict(value: object, size: number, entries: Iterator<[unknown, unknown]>): void {
    const out = this.#out;
    if (this.protocol >= 1) out.byte(0x7d); // EMPTY_DICT
    else out.byte2(MARK, 0x64); // MARK DICT
    this.#memoize(value);
    if (size === 0) return;
    const saveEntry = ([key, item]: [unknown, unknown]): void => {
      const segment = () => (typeof key === 'string' ? keySegment(key) : `.get(${String(key)})`);
      within(() => `${segment()}<key>`, () => this.#save(key));
      within(segment, () => this.#save(item));
    };
    if (this.protocol === 0) {
      for (let next = entries.next(); !next.done; next = entries.next()) {
        saveEntry(next.value);
        out.byte(SETITEM);
      }
      return;
    }
    if (size === 1) {
      saveEntry(entries.next().value as [unknown, unknown]);
      out.byte(SETITEM);
      return;
    }
    // The C pickler's exact-dict batching: MARK ... SETITEMS per 1000 pairs, and one more empty
    // batch after a last full one (it loops while a batch came out full).
    let count: number;
    do {
      out.byte(MARK);
      count = 0;
      for (let next = entries.next(); !next.done; next = entries.next()) {
        saveEntry(next.value);
        if (++count === BATCH_SIZE) break;
      }
      out.byte(SETITEMS);
    } while (count === BATCH_SIZE);
  }

  #saveSet(value: Set<unknown>): void {
    const out = this.#out;
    if (this.protocol < 4) {
      this.#saveReduce([this.#global('builtins', 'set'), Tuple.from([[...value]])], value);
      return;
    }
    out.byte(0x8f); // EMPTY_SET
    this.#memoize(value);
    if (value.size === 0) return;
    const items = value.values();
    let position = 0;
    let count: number;
    do {
      out.byte(MARK);
      count = 0;
      for (let next = items.next(); !next.done; next = items.next()) {
        const at = position++;
        within(`<set item ${at}>`, () => this.#save(next.value));
        if (++count === BATCH_SIZE) break;
      }
      out.byte(ADDITEMS);
    } while (count === BATCH_SIZE);
  }

  #saveFrozenSet(value: PyFrozenSet): void {
    const out = this.#out;
    if (this.protocol < 4) {
      this.#saveReduce([this.#global('builtins', 'frozenset'), Tuple.from([[...value]])], value);
      return;
    }
    out.byte(MARK);
    let position = 0;
    for (const item of value) {
      const at = position++;
      within(`<frozenset item ${at}>`, () => this.#save(item));
    }
    const index = this.#memo.get(value);
    if (index !== undefined) {
      out.byte(0x31); // POP_MARK: recursive, fetch it from the memo instead
      this.#writeGet(index);
      return;
    }
    out.byte(0x91); // FROZENSET
    this.#memoize(value);
  }

  // ---- globals ------------------------------------------------------------------------------

  /** A PyGlobal for a name the pickler itself needs (builtins.set, copyreg._reconstructor…). */
  #global(module: string, name: string): PyGlobal {
    return new PyGlobal(module, name);
  }

  #saveGlobal(module: string, name: string): void {
    const key = `${module}\n${name}`;
    const known = this.#globalMemo.get(key);
    if (known !== undefined) {
      this.#writeGet(known);
      return;
    }
    const out = this.#out;
    if (this.protocol >= 2 && this.#extensions) {
      const code = this.#extensions.get(key);
      if (code !== undefined) {
        // Extension codes are not memoized, as in CPython.
        if (code <= 0xff) out.byte2(0x82, code);
        else if (code <= 0xffff) out.opU16(0x83, code);
        else out.opU32(0x84, code);
        return;
      }
    }
    const lastDot = name.lastIndexOf('.');
    if (this.protocol >= 4) {
      this.#save(module);
      this.#save(name);
      out.byte(0x93); // STACK_GLOBAL
    } else if (lastDot > 0) {
      // A nested qualname below protocol 4: getattr(parent, last name), as CPython writes it.
      this.#saveReduce(
        [this.#global('builtins', 'getattr'), Tuple.from([new PyGlobal(module, name.slice(0, lastDot)), name.slice(lastDot + 1)])],
        undefined,
      );
    } else {
      let [m, n] = [module, name];
      if (this.#fixImports) {
        const renamed = REVERSE_NAME_MAPPING.get(key);
        if (renamed) [m, n] = renamed;
        else m = REVERSE_IMPORT_MAPPING.get(m) ?? m;
      }
      const printable = this.protocol < 3 ? /^[\x00-\x09\x0b-\x7f]*$/ : /^[^\n]*$/;
      if (!printable.test(m) || !printable.test(n)) {
        failure(`cannot pickle global '${module}.${name}' with protocol ${this.protocol}: the name must be ${this.protocol < 3 ? 'ASCII ' : ''}without newlines`);
      }
      out.byte(0x63); // GLOBAL
      if (this.protocol < 3) out.latin1(`${m}\n${n}\n`);
      else {
        const text = `${m}\n${n}\n`;
        const at = out.reserve(utf8Length(text));
        encodeUtf8Into(text, out.buffer, at);
      }
    }
    const index = this.#memo.size + this.#globalMemo.size;
    this.#globalMemo.set(key, index);
    this.#writePut(index);
  }

  // ---- reductions ---------------------------------------------------------------------------

  /**
   * Writes a reduction `[callable, args, state?, listItems?, dictItems?, stateSetter?]` as
   * CPython's save_reduce does: NEWOBJ for copyreg.__newobj__, NEWOBJ_EX for __newobj_ex__,
   * REDUCE otherwise; then memoizes `obj`, appends items, and BUILDs the state.
   */
  #saveReduce(reduction: Reduction, obj: object | undefined): void {
    if (!Array.isArray(reduction) || reduction.length < 2 || reduction.length > 6) {
      failure('a reduction must be [callable, args, state?, listItems?, dictItems?, stateSetter?]');
    }
    const [callable, args, state, listItems, dictItems, stateSetter] = reduction;
    if (!Array.isArray(args)) failure('the arguments of a reduction must be a tuple');
    const out = this.#out;
    const isCopyreg = (name: string) => callable instanceof PyGlobal && callable.module === COPYREG && callable.name === name;
    if (this.protocol >= 2 && isCopyreg('__newobj_ex__')) {
      const [cls, clsArgs, kwargs] = args;
      if (this.protocol >= 4) {
        within('<class>', () => this.#save(cls));
        within('<args>', () => this.#save(clsArgs instanceof Tuple ? clsArgs : Tuple.from((clsArgs ?? []) as unknown[])));
        within('<kwargs>', () => this.#save(kwargs));
        out.byte(0x92); // NEWOBJ_EX
      } else {
        // No NEWOBJ_EX below protocol 4: call copyreg.__newobj_ex__(cls, args, kwargs) instead.
        within('<class>', () => this.#save(callable));
        within('<args>', () => this.#save(args instanceof Tuple ? args : Tuple.from(args)));
        out.byte(0x52); // REDUCE
      }
    } else if (this.protocol >= 2 && isCopyreg('__newobj__')) {
      if (args.length === 0) failure('copyreg.__newobj__ needs the class as its first argument');
      within('<class>', () => this.#save(args[0]));
      within('<args>', () => this.#save(Tuple.from(args.slice(1))));
      out.byte(0x81); // NEWOBJ
    } else {
      within('<callable>', () => this.#save(callable));
      within('<args>', () => this.#save(args instanceof Tuple ? args : Tuple.from(args)));
      out.byte(0x52); // REDUCE
    }
    if (obj !== undefined) {
      const index = this.#memo.get(obj);
      if (index !== undefined) {
        out.byte(0x30); // POP: recursive through its arguments; fetch it from the memo
        this.#writeGet(index);
      } else {
        this.#memoize(obj);
      }
    }
    if (listItems !== undefined && listItems !== null) this.#batchAppends(listItems as Iterable<unknown>);
    if (dictItems !== undefined && dictItems !== null) this.#batchSetItems(dictItems as Iterable<[unknown, unknown]>);
    if (state !== undefined && state !== null) {
      if (stateSetter === undefined || stateSetter === null) {
        within('<state>', () => this.#save(state));
        out.byte(0x62); // BUILD
      } else {
        within('<state setter>', () => this.#save(stateSetter));
        this.#save(obj);
        within('<state>', () => this.#save(state));
        out.byte(0x86); // TUPLE2
        out.byte(0x52); // REDUCE
        out.byte(0x30); // POP
      }
    }
  }

  /** Items of a reduction's list part: batches, with a trailing single item as APPEND (batch_list). */
  #batchAppends(items: Iterable<unknown>): void {
    const out = this.#out;
    let position = 0;
    if (this.protocol === 0) {
      for (const item of items) {
        const at = position++;
        within(`<list item ${at}>`, () => this.#save(item));
        out.byte(APPEND);
      }
      return;
    }
    const all = [...items];
    for (let start = 0; start < all.length; start += BATCH_SIZE) {
      const end = Math.min(all.length, start + BATCH_SIZE);
      if (end - start === 1) {
        within(`<list item ${start}>`, () => this.#save(all[start]));
        out.byte(APPEND);
        break;
      }
      out.byte(MARK);
      for (let i = start; i < end; i++) within(`<list item ${i}>`, () => this.#save(all[i]));
      out.byte(APPENDS);
    }
  }

  /** Pairs of a reduction's dict part: batches, with a trailing single pair as SETITEM. */
  #batchSetItems(pairs: Iterable<[unknown, unknown]>): void {
    const out = this.#out;
    const all = [...pairs];
    const savePair = (i: number): void => {
      const pair = all[i];
      if (!Array.isArray(pair) || pair.length !== 2) failure('dict items of a reduction must be [key, value] pairs');
      within(`<dict item ${i}>`, () => {
        this.#save(pair[0]);
        this.#save(pair[1]);
      });
    };
    if (this.protocol === 0) {
      for (let i = 0; i < all.length; i++) {
        savePair(i);
        out.byte(SETITEM);
      }
      return;
    }
    for (let start = 0; start < all.length; start += BATCH_SIZE) {
      const end = Math.min(all.length, start + BATCH_SIZE);
      if (end - start === 1) {
        savePair(start);
        out.byte(SETITEM);
        break;
      }
      out.byte(MARK);
      for (let i = start; i < end; i++) savePair(i);
      out.byte(SETITEMS);
    }
  }

  // ---- placeholders -------------------------------------------------------------------------

  /** A placeholder is written back in the form it was read in. */
  #savePlaceholder(value: PyObject): void {
    const out = this.#out;
    const { cls, args } = value;
    switch (value.creation) {
      case 'newobj':
        if (this.protocol >= 2) {
          within('.cls', () => this.#save(cls));
          within('.args', () => this.#save(args));
          out.byte(0x81); // NEWOBJ
        } else if (args.length === 0 && value.listItems === undefined && value.dictItems === undefined) {
          // Protocols 0 and 1 have no NEWOBJ: object.__new__(cls) is copyreg._reconstructor(cls, object, None).
          this.#saveCall(this.#global(COPYREG, '_reconstructor'), Tuple.from([cls, this.#global('builtins', 'object'), null]));
        } else {
          this.#saveCall(this.#global(COPYREG, '__newobj__'), Tuple.from([cls, ...args]));
        }
        break;
      case 'newobj_ex':
        if (this.protocol >= 4) {
          within('.cls', () => this.#save(cls));
          within('.args', () => this.#save(args));
          within('.kwargs', () => this.#save(value.kwargs ?? {}));
          out.byte(0x92); // NEWOBJ_EX
        } else {
          this.#saveCall(this.#global(COPYREG, '__newobj_ex__'), Tuple.from([cls, args, value.kwargs ?? {}]));
        }
        break;
      case 'reduce':
        this.#saveCall(cls, args);
        break;
      case 'reconstructor':
        this.#saveCall(this.#global(COPYREG, '_reconstructor'), Tuple.from([cls, ...args]));
        break;
      case 'inst': {
        if (!(cls instanceof PyGlobal)) failure('an INST placeholder needs a global class');
        out.byte(MARK);
        args.forEach((arg, i) => within(`.args[${i}]`, () => this.#save(arg)));
        const line = `i${cls.module}\n${cls.name}\n`;
        if (!/^i[\x00-\x09\x0b-\x7f]*\n[\x00-\x09\x0b-\x7f]*\n$/.test(line)) failure('INST names must be ASCII');
        out.latin1(line);
        break;
      }
      case 'obj':
        out.byte(MARK);
        within('.cls', () => this.#save(cls));
        args.forEach((arg, i) => within(`.args[${i}]`, () => this.#save(arg)));
        out.byte(0x6f); // OBJ
        break;
    }
    const index = this.#memo.get(value);
    if (index !== undefined) {
      out.byte(0x30); // POP
      this.#writeGet(index);
    } else {
      this.#memoize(value);
    }
    if (value.listItems !== undefined) within('.listItems', () => this.#batchAppends(value.listItems!));
    if (value.dictItems !== undefined) within('.dictItems', () => this.#batchSetItems(value.dictItems!));
    if (value.state !== undefined) {
      within('.state', () => this.#save(value.state));
      out.byte(0x62); // BUILD
    }
  }

  #saveCall(callable: unknown, args: Tuple): void {
    within('.cls', () => this.#save(callable));
    within('.args', () => this.#save(args));
    this.#out.byte(0x52); // REDUCE
  }
}

/** Pickles `value` with the given options (protocol 4 by default). */
export function dumps(value: unknown, options?: DumpOptions): Uint8Array {
  return new Pickler(options).dump(value);
}

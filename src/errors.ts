/**
 * What went wrong, stable across releases and wordings: match on `error.code`, never on the
 * message. Each class has a default code; the codes below it narrow what it means.
 */
export type PickleErrorCode =
  /** PickleError: a failure of this package not narrowed further. */
  | 'PICKLE_ERROR'
  // ---- UnpicklingError ----
  /** The input is not a pickle: malformed bytes, a bad argument to an opcode, a broken stack. */
  | 'INVALID_PICKLE'
  /** The input ended inside a pickle: more bytes would have been needed. */
  | 'TRUNCATED'
  /** A byte that is no opcode of any protocol. */
  | 'UNKNOWN_OPCODE'
  /** A configured limit (`maxInputBytes`, `maxDepth`, `maxMemo`, ...) or a built-in bound was reached. */
  | 'LIMIT_EXCEEDED'
  /** A global that the options or the registry forbid or do not know (strict mode). */
  | 'FORBIDDEN_GLOBAL'
  /** A reduction, `__setstate__` or registered class failed on the arguments the pickle gave. */
  | 'RECONSTRUCTION_FAILED'
  /** A value does not fit a mapped class's declared field type, or the root is not the class asked for. */
  | 'SCHEMA_MISMATCH'
  // ---- PicklingError ----
  /** A value of a kind Python cannot receive (a function, a Symbol, an unregistered class...). */
  | 'UNPICKLABLE'
  /** A dict key or set member that Python cannot hash, or two that Python would merge. */
  | 'UNHASHABLE'
  /** A value that Python could not load back (an int too long for protocol 0/1 text...). */
  | 'UNREPRESENTABLE'
  /** `fast` mode met a value twice (shared or recursive). */
  | 'SHARED_IN_FAST_MODE'
  /** The Pickler was used after `release()`. */
  | 'RELEASED'
  // ---- options and arguments, either direction ----
  /** An option or argument of the wrong type or value. */
  | 'INVALID_ARGUMENT'
  // ---- inspection and mapping ----
  /** A value or input too large or too deep for the printer or mapper asked. */
  | 'FORMAT_LIMIT'
  /** JSON that does not follow the documented mapping. */
  | 'JSON_MAPPING'
  /** `dis`/`disassemble` met a malformed pickle (as pickletools raises). */
  | 'DISASSEMBLY'
  // ---- multiprocessing connections (pickle-mapper/multiprocessing) ----
  /** The HMAC handshake failed: a wrong authkey on either side, or a peer not speaking it. */
  | 'AUTHENTICATION_FAILED'
  /** The peer closed the connection between messages (Python's EOFError), or this side had closed it. */
  | 'CONNECTION_CLOSED'
  // ---- files (pickle-mapper/node) ----
  /** An optional peer package that the input needs (seek-bzip for bz2, xz-decompress for xz) is not installed. */
  | 'MISSING_DEPENDENCY';

export interface PickleErrorOptions {
  readonly cause?: unknown;
  readonly code?: PickleErrorCode;
}

/** Base class of every error this package throws on purpose. */
export class PickleError extends Error {
  override name = 'PickleError';
  /** What went wrong, for programs (see {@link PickleErrorCode}). */
  readonly code: PickleErrorCode;

  constructor(message: string, options: PickleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? (new.target as typeof PickleError).defaultCode;
  }

  /** The code of an error of this class when the thrower names none. */
  static defaultCode: PickleErrorCode = 'PICKLE_ERROR';
}

/** A value could not be pickled; `path` says where in the value it sits (`order.items[3]`). */
export class PicklingError extends PickleError {
  override name = 'PicklingError';
  static override defaultCode: PickleErrorCode = 'UNPICKLABLE';
  constructor(
    message: string,
    readonly path?: string,
    options?: PickleErrorOptions,
  ) {
    super(path ? `${message} (at ${path})` : message, options);
  }
}

/** Where in the input an unpickling failure happened. */
export interface UnpicklingErrorLocation {
  /** Byte offset of the opcode being executed (or of the truncated read). */
  readonly offset?: number;
  /** Name of that opcode, e.g. "BINUNICODE". */
  readonly opcode?: string;
  readonly cause?: unknown;
  readonly code?: PickleErrorCode;
}

/**
 * The input is not a pickle this package can load: truncated, malformed, hostile, beyond a
 * configured limit, or (in strict mode) naming a class nobody registered.
 */
export class UnpicklingError extends PickleError {
  override name = 'UnpicklingError';
  static override defaultCode: PickleErrorCode = 'INVALID_PICKLE';
  /** Byte offset of the opcode that failed, when known. */
  readonly offset: number | undefined;
  /** Name of the opcode that failed, when known. */
  readonly opcode: string | undefined;
  /** The message without the location suffix. */
  readonly reason: string;

  constructor(reason: string, location: UnpicklingErrorLocation = {}) {
    const where =
      location.offset === undefined
        ? ''
        : location.opcode === undefined
          ? ` (at byte ${location.offset})`
          : ` (at byte ${location.offset}, opcode ${location.opcode})`;
    super(reason + where, location);
    this.reason = reason;
    this.offset = location.offset;
    this.opcode = location.opcode;
  }
}

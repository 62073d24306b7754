/** Base class of every error this package throws on purpose. */
export class PickleError extends Error {
  override name = 'PickleError';
}

/** A value could not be pickled; `path` says where in the value it sits (`order.items[3]`). */
export class PicklingError extends PickleError {
  override name = 'PicklingError';
  constructor(
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
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
}

/**
 * The input is not a pickle this package can load: truncated, malformed, hostile, beyond a
 * configured limit, or (in strict mode) naming a class nobody registered.
 */
export class UnpicklingError extends PickleError {
  override name = 'UnpicklingError';
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
    super(reason + where, location.cause === undefined ? undefined : { cause: location.cause });
    this.reason = reason;
    this.offset = location.offset;
    this.opcode = location.opcode;
  }
}

import { detachedMessage, isDetached } from './detached-buffer.js';
import { PyByteArray } from './bytearray.js';
import { invalidArgument } from './invalid-argument.js';

/**
 * Python's `pickle.PickleBuffer`: bytes offered to a protocol 5 pickler for out-of-band transfer.
 * With a `bufferCallback` that returns a falsy value the pickle holds only a NEXT_BUFFER marker
 * (plus READONLY_BUFFER for read-only data) and the bytes travel separately; otherwise they are
 * written in the pickle as bytes (read-only) or bytearray (writable).
 */
export class PickleBuffer {
  constructor(
    /** The bytes; not copied. */
    readonly data: Uint8Array,
    /** Read-only data loads back as bytes, writable data as bytearray. Default: a
     * `PyByteArray` is writable, any other array read-only, as in Python. */
    readonly readonly: boolean = !(data instanceof PyByteArray),
  ) {
    if (!(data instanceof Uint8Array)) throw invalidArgument(`a PickleBuffer holds a Uint8Array, not ${typeof data}`);
    if (data.length === 0 && isDetached(data.buffer)) throw invalidArgument(detachedMessage('the data of a PickleBuffer'));
  }

  /** The bytes as a plain Uint8Array view (Python's `PickleBuffer.raw()`). */
  raw(): Uint8Array {
    if (this.data.length === 0 && isDetached(this.data.buffer)) throw invalidArgument(detachedMessage('the data of a PickleBuffer'));
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }
}

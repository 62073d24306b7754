/**
 * A Python bytearray: a `Uint8Array` subclass, so it is used like any byte array, but a distinct
 * type so that it pickles back as a bytearray rather than bytes.
 */
export class PyByteArray extends Uint8Array {
  /** Copies `bytes` into a new bytearray. */
  static fromBytes(bytes: ArrayLike<number>): PyByteArray {
    const result = new PyByteArray(bytes.length);
    result.set(bytes);
    return result;
  }
}

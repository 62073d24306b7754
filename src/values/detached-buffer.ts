// A detached ArrayBuffer (its contents transferred to a worker or by structuredClone, or freed)
// has no bytes left: a view over it reads as empty, and most operations on it throw a TypeError.
// Pickling it would write nothing where the data was, loading it has nothing to read: both refuse.

/** Whether `buffer` is detached. Cheap for a buffer that holds bytes (only an empty one is probed). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength !== 0) return false;
  const flag = (buffer as { detached?: unknown }).detached; // ES2024; probed where absent (Node 20)
  if (typeof flag === 'boolean') return flag;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** The message for a value over a detached buffer (`what`: 'a Uint8Array', 'the data of an NdArray'...). */
export function detachedMessage(what: string): string {
  return `${what} is over a detached ArrayBuffer (its bytes were transferred away, e.g. by postMessage or structuredClone with transfer): there is nothing left to read`;
}

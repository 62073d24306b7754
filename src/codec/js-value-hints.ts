// What `dumps` says about JavaScript values that have no Python counterpart of their own but an
// obvious conversion: a Date, a typed array, a DataView or an ArrayBuffer. Only error paths call it.

/** How to pickle `value` when it is one of those; undefined for anything else. */
export function jsValueHint(value: object): string | undefined {
  if (value instanceof Date) {
    return (
      'cannot pickle a JavaScript Date: convert it with PyDatetime.fromDate(date, { tz }) for a datetime.datetime ' +
      "(aware, in UTC unless tz is another PyTimezone; tz: null gives a naive one in UTC, tz: 'local' a naive one in local time), " +
      'or PyDate.fromDate(date) for a datetime.date'
    );
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor?.name ?? 'typed array';
    if (value instanceof DataView) {
      return `cannot pickle a DataView: for Python bytes of what it views, pass new Uint8Array(view.buffer, view.byteOffset, view.byteLength)`;
    }
    return (
      `cannot pickle a ${name}: Python has no typed array; wrap it with NdArray.from(array, { shape }) to write a numpy.ndarray. ` +
      'It is not written as bytes, which would give Python the raw bytes of its elements rather than the numbers ' +
      '(for that, pass new Uint8Array(array.buffer, array.byteOffset, array.byteLength))'
    );
  }
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
    return `cannot pickle an ${value.constructor.name}: for Python bytes, wrap it in a Uint8Array (new Uint8Array(buffer))`;
  }
  return undefined;
}

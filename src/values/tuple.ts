/**
 * A Python tuple. An `Array` subclass, so `Array.isArray` holds and indexing works, but a distinct
 * type so that it pickles back as a tuple rather than a list. Build one with `tuple(...items)`.
 */
export class Tuple<T = unknown> extends Array<T> {
  // map/filter/slice give plain arrays: a derived sequence is not the same tuple.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** Builds a tuple from the items of any iterable or array-like. */
  static override from<T>(items: Iterable<T> | ArrayLike<T>): Tuple<T> {
    const result = new Tuple<T>();
    for (const item of Array.from(items)) result.push(item);
    return result;
  }
}

/** Builds a Python tuple: `tuple(1, 'a')` is `(1, 'a')`, `tuple()` is `()`. */
export function tuple<T>(...items: T[]): Tuple<T>;
export function tuple<T extends unknown[]>(...items: T): Tuple<T[number]>;
export function tuple(...items: unknown[]): Tuple {
  const result = new Tuple();
  for (let i = 0; i < items.length; i++) result.push(items[i]);
  return result;
}

/** True when `value` is a Python tuple. */
export function isTuple(value: unknown): value is Tuple {
  return value instanceof Tuple;
}

import { shown } from './describe.js';
import { invalidArgument } from './invalid-argument.js';

/**
 * A Python float whose value is integral (`2.0`). Plain numbers that are safe integers pickle as
 * ints; wrap one in a PyFloat (`pyFloat(2)`) to write a float. `loads` gives these only with the
 * `keepFloatType` option (otherwise a float such as 2.0 loads as the number 2, which the
 * container holding it records, to write it back as a float), and for a second NaN key of a dict
 * or member of a set, which a Map or Set would not hold apart from the first.
 */
export class PyFloat {
  constructor(readonly value: number) {
    if (typeof value !== 'number') throw invalidArgument(`a PyFloat holds a number, not ${shown(value)}`);
  }

  valueOf(): number {
    return this.value;
  }

  toString(): string {
    return Number.isInteger(this.value) ? `${this.value}.0` : String(this.value);
  }
}

/** Marks a number as a Python float: `pyFloat(2)` pickles as `2.0`. */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/**
 * The member to store for `key` in a Map or Set: itself, except a NaN the container already
 * holds, which becomes a PyFloat of its own. Each NaN in a pickle is a float object of its own,
 * which Python's dicts and sets keep apart (NaN equals nothing); a Map or Set holds NaN once.
 */
export function distinctNaN(container: { has(key: unknown): boolean }, key: unknown): unknown {
  return key !== key && container.has(key) ? new PyFloat(NaN) : key;
}

/** `new Set(items)`, keeping every NaN (see distinctNaN). */
export function setOf<S extends Set<unknown>>(set: S, items: Iterable<unknown>): S {
  for (const item of items) set.add(distinctNaN(set, item));
  return set;
}

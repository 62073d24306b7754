/**
 * A Python float whose value is integral (`2.0`). Plain numbers that are safe integers pickle as
 * ints; wrap one in a PyFloat (`pyFloat(2)`) to write a float. `loads` gives these only with the
 * `keepFloatType` option; otherwise a float such as 2.0 loads as the number 2, which the container
 * holding it records, to write it back as a float.
 */
export class PyFloat {
  constructor(readonly value: number) {}

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

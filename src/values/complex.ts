import { shown } from './describe.js';
import { invalidArgument } from './invalid-argument.js';

/** A Python complex number. */
export class PyComplex {
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {
    if (typeof real !== 'number' || typeof imag !== 'number') {
      throw invalidArgument(`a PyComplex has two numbers, not ${shown(real)} and ${shown(imag)}`);
    }
  }

  toString(): string {
    return `(${this.real}${this.imag < 0 || Object.is(this.imag, -0) ? '-' : '+'}${Math.abs(this.imag)}j)`;
  }
}

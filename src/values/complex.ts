/** A Python complex number. */
export class PyComplex {
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}

  toString(): string {
    return `(${this.real}${this.imag < 0 || Object.is(this.imag, -0) ? '-' : '+'}${Math.abs(this.imag)}j)`;
  }
}

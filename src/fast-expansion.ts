// Fast mode (CPython's `Pickler.fast`) has no memo: a value met twice is written twice. A DAG of
// 40 lists that share their children (`l1 = [l0, l0]`, `l2 = [l1, l1]`, ...) then expands to
// 2^40 lists. CPython's fast mode expands it too (it only checks for a cycle, past a nesting
// depth) and never ends. This bounds the expansion by the value's own size: the work, in items,
// of the containers written again (inside a container met before) may not exceed FACTOR times
// that of the others, plus SLACK. A tree, or a value sharing a few parts, never comes near it and
// is written as CPython writes it.
//
// Nothing is watched until UNTRACKED items have been written: a smaller value pays a counter.
// Beyond, recording every container would cost fast mode what the memo costs (an identity hash
// made for each object), so one container in SAMPLE is recorded, picked by a pseudo-random sequence that
// starts alike at each dump (so a value is refused or written the same way every time). Every
// container is looked up, which is cheap for the unrecorded ones (they have no hash). A
// container written again and again is soon recorded: in an exploding DAG the shared ones are
// met exponentially often, and until it is recorded a container costs at most about SAMPLE
// times its size, which keeps the bound linear in the value's size.

/** Items written before anything is watched. */
const UNTRACKED = 1 << 20;
/** Repeated work allowed beyond FACTOR times the rest. */
const SLACK = 1 << 20;
/** Repeated work allowed per item of the rest. */
const FACTOR = 8;
/** One container in this many is recorded (a power of two). */
const SAMPLE = 32;
const SEED = 0x9e3779b9;

export class FastExpansion {
  /** Items of the containers opened before watching started (up to UNTRACKED). */
  #untracked = 0;
  /** The containers recorded, to tell when one is met again. */
  readonly #seen = new Set<object>();
  /** xorshift32 state. */
  #random = SEED;
  /** Items of the containers not inside a container met again. */
  #first = 0;
  /** Items of the containers inside a container met again. */
  #repeated = 0;
  /** Frame index of the outermost open container met again, or -1. */
  #repeatTop = -1;
  /** That container. */
  #repeatRoot: object | undefined;

  /** Forgets everything (a new dump). */
  reset(): void {
    this.#untracked = 0;
    this.#seen.clear();
    this.#random = SEED;
    this.#first = 0;
    this.#repeated = 0;
    this.#repeatTop = -1;
    this.#repeatRoot = undefined;
  }

  /**
   * A container of `items` items opened at frame index `top` (`value` undefined for a part the
   * pickler made, which has no identity). Returns the shared value whose repetition passed the
   * bound, or undefined.
   */
  open(value: unknown, items: number, top: number): object | undefined {
    if (this.#untracked < UNTRACKED) {
      this.#untracked += items;
      return undefined;
    }
    if (this.#repeatTop < 0) {
      if (typeof value !== 'object' || value === null) {
        this.#first += items;
        return undefined;
      }
      if (!this.#seen.has(value)) {
        let x = this.#random;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        this.#random = x;
        if ((x & (SAMPLE - 1)) === 0) this.#seen.add(value);
        this.#first += items;
        return undefined;
      }
      this.#repeatTop = top;
      this.#repeatRoot = value;
    }
    this.#repeated += items;
    return this.#repeated > SLACK + FACTOR * this.#first ? this.#repeatRoot : undefined;
  }

  /** The container at frame index `top` is done. */
  close(top: number): void {
    if (top === this.#repeatTop) {
      this.#repeatTop = -1;
      this.#repeatRoot = undefined;
    }
  }
}

/** What the PicklingError says about the shared value, described by `what`. */
export function fastExpansionMessage(what: string): string {
  return (
    `fast mode: ${what} is shared within the value, and fast mode (no memo) writes it again at each reference: ` +
    `the repeats would exceed ${FACTOR} times the size of the rest; pickle without fast, which writes a shared value once`
  );
}

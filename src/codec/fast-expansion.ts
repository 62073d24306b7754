// Fast mode (CPython's `Pickler.fast`) has no memo: a value met twice is written twice. A DAG of
// 40 lists that share their children (`l1 = [l0, l0]`, `l2 = [l1, l1]`, ...) then expands to
// 2^40 lists. CPython's fast mode expands it too (it only checks for a cycle, past a nesting
// depth) and never ends. This bounds the expansion by the value's own size: the work, in items,
// of writing containers again (everything inside a container met before) may not exceed FACTOR
// times the work of the containers met once, plus SLACK. A tree, or a value sharing a few parts,
// never comes near it and is written as CPython writes it.
//
// Watching every container would cost fast mode what the memo costs (an identity hash made and
// looked up for each object), so nothing is watched for the first UNTRACKED items, and then only
// one container opened in SAMPLE, picked by a pseudo-random sequence that starts alike at each
// dump (so a value is written or refused the same way every time): a sampled container is
// recorded, or found recorded (a repeat, whose whole content counts as written again). Both
// sides are thus counted on a sample: the first side over containers recorded, the repeated side
// over repeats found, each about one in SAMPLE of the real work. An exploding DAG repeats its
// recorded containers exponentially often and is refused soon; to hide repeats from the sample,
// a value would need a fresh container at every sampled position, which makes its own size (and
// so the bound) grow with the work.

/** Items written before anything is watched (a value this small costs only a counter). */
const UNTRACKED = 1 << 20;
/** Repeated work allowed beyond FACTOR times the rest. */
const SLACK = 1 << 20;
/** Repeated work allowed per item of the rest. */
const FACTOR = 8;
/** One container opened in this many is sampled (a power of two). */
const SAMPLE = 64;
const SEED = 0x9e3779b9;

export class FastExpansion {
  /** Items of the containers opened before watching started (up to UNTRACKED). */
  #untracked = 0;
  /** The sampled containers, to tell when one is met again. */
  readonly #seen = new Set<object>();
  /** xorshift32 state. */
  #random = SEED;
  /** Items of the containers recorded (sampled, met the first time). */
  #first = 0;
  /** Items of the containers inside a repeat found (sampled, met again). */
  #repeated = 0;
  /** Frame index of the outermost open repeat found, or -1. */
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
      let x = this.#random;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#random = x;
      if ((x & (SAMPLE - 1)) !== 0 || typeof value !== 'object' || value === null) return undefined;
      if (!this.#seen.has(value)) {
        this.#seen.add(value);
        this.#first += items;
        return undefined;
      }
      this.#repeatTop = top;
      this.#repeatRoot = value;
    }
    this.#repeated += items;
    // Both sides are samples of one in SAMPLE: the bound is compared at that scale.
    return this.#repeated > SLACK / SAMPLE + FACTOR * this.#first ? this.#repeatRoot : undefined;
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

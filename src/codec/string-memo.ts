/**
 * The pickler's memo for strings, which JavaScript gives no identity: equal strings share one
 * memo entry. With a window, a short string is found only while it is recent, so the tables stay
 * small enough to live in the processor's cache: a lookup in a table of a million strings misses
 * the cache on nearly every probe, and had cost more than writing the strings. Hot strings (dict
 * keys, repeated values) stay recent. A short string found again after the window is written
 * again, as CPython writes two equal `str` objects. A long one is always shared, so writing a
 * string again costs at most a few hundred bytes.
 *
 * Those few hundred bytes, for each return, add up when many strings come back from beyond the
 * window (a vocabulary wider than it, used over and over). So a sample of the strings written is
 * kept as long as the memo, and some of the lookups that miss look there: when the sample shows
 * that such returns are common, the window widens fourfold, as often as that goes on. The strings
 * the window had already let go are written once more; once it holds the vocabulary, never again.
 * Strings never used again still leave it, so the tables stay no larger than the reuse needs.
 */
export class StringMemo {
  /** Short strings added or found again since the last turn-over. */
  #recent = new Map<string, number>();
  /** The generation before: still found, and moved back into `#recent` when it is. */
  #older = new Map<string, number>();
  /** One short string in SAMPLE_EVERY of those added (until it comes back), kept as long as the memo. */
  #sample = new Map<string, number>();
  /** Strings of SHARED_LENGTH or more units, kept for the whole dump. */
  #long = new Map<string, number>();
  /** Short strings a generation holds before it turns over; Infinity keeps them all. */
  #window: number;
  /** The memo index of the last string sampled: about the count of memo entries so far. */
  #lastSampled = 0;
  /** How many times a sampled string came back from beyond the window. */
  #sampleReturns = 0;
  /** Lookups that miss both generations before the next one looks in the sample. */
  #untilCheck = CHECK_EVERY;
  /** Short strings added before the next one is sampled. */
  #untilSample = SAMPLE_EVERY;

  /** @param window short strings a generation holds; Infinity keeps every string. */
  constructor(window: number) {
    this.#window = window;
  }

  /** Short strings a generation holds now (it widens as strings come back from beyond it). */
  get window(): number {
    return this.#window;
  }

  /** The memo index of an equal string written before, if it is still found. */
  find(value: string): number | undefined {
    if (value.length >= SHARED_LENGTH) return this.#long.get(value);
    const index = this.#recent.get(value);
    return index !== undefined ? index : this.#findBeyondRecent(value);
  }

  /** Records that `value` was written as memo entry `index`. */
  add(value: string, index: number): void {
    if (value.length >= SHARED_LENGTH) {
      this.#long.set(value, index);
      return;
    }
    if (this.#recent.size >= this.#window) this.#turnOver();
    this.#recent.set(value, index);
    if (--this.#untilSample === 0) this.#takeSample(value, index);
  }

  // The rarer paths are methods of their own, so that find and add stay small enough to inline.

  #findBeyondRecent(value: string): number | undefined {
    let found = this.#older.get(value);
    if (found === undefined) {
      // Only one miss in CHECK_EVERY looks in the sample: a lookup per miss would cost more than
      // the window saves. On average each sampled return found stands for SAMPLE_EVERY *
      // CHECK_EVERY strings written again; too many, and the window widens. A sampled string
      // counts once (it leaves the sample), so one string coming back in step with the checks
      // cannot stand for many.
      if (--this.#untilCheck !== 0) return undefined;
      this.#untilCheck = CHECK_EVERY;
      found = this.#sample.get(value);
      if (found === undefined) return undefined;
      this.#sample.delete(value);
      if (
        ++this.#sampleReturns >= MIN_SAMPLE_RETURNS &&
        this.#sampleReturns * SAMPLE_EVERY * CHECK_EVERY * RETURN_SHARE >= this.#lastSampled
      ) {
        this.#window *= WIDEN_BY;
        this.#sampleReturns = 0; // widening again takes returns from beyond the new window
      }
    }
    // Moved back, so it stays while it is used; it counts towards the turn-over as an added
    // string does, so a working set wider than the window is seen missing, not kept growing.
    if (this.#recent.size >= this.#window) this.#turnOver();
    this.#recent.set(value, found);
    return found;
  }

  #turnOver(): void {
    this.#older = this.#recent;
    this.#recent = new Map();
  }

  #takeSample(value: string, index: number): void {
    this.#untilSample = SAMPLE_EVERY;
    this.#lastSampled = index;
    if (this.#window !== Infinity) this.#sample.set(value, index);
  }

  copy(): StringMemo {
    const copy = new StringMemo(this.#window);
    copy.#recent = new Map(this.#recent);
    copy.#older = new Map(this.#older);
    copy.#sample = new Map(this.#sample);
    copy.#long = new Map(this.#long);
    copy.#lastSampled = this.#lastSampled;
    copy.#sampleReturns = this.#sampleReturns;
    copy.#untilCheck = this.#untilCheck;
    copy.#untilSample = this.#untilSample;
    return copy;
  }
}

/** Short strings per generation of the default window, to start with. */
export const RECENT_STRINGS = 4096;

/** Strings of this many UTF-16 units or more are always shared, whatever the window. */
export const SHARED_LENGTH = 256;

/** One short string in this many is sampled. */
export const SAMPLE_EVERY = 32;

/** How much the window widens each time the sample shows strings coming back from beyond it. */
export const WIDEN_BY = 4;

/**
 * One lookup in this many that misses both generations looks in the sample. Prime to
 * SAMPLE_EVERY: with equal periods, a vocabulary used in the same order each time could meet
 * the checks out of step with the samples, and never be seen coming back.
 */
export const CHECK_EVERY = 31;

/**
 * The window widens once at least MIN_SAMPLE_RETURNS sampled strings came back and the strings
 * coming back from beyond it (each written again) are estimated at one memo entry in RETURN_SHARE.
 */
export const RETURN_SHARE = 16;
export const MIN_SAMPLE_RETURNS = 2;

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
 * kept for the whole dump, and some of the lookups that miss look there: when the sample shows
 * that such returns are common, the window opens and every string is kept from then on. The
 * strings the window had already let go are written once more, then never again.
 */
export class StringMemo {
  /** Short strings added or found again since the last turn-over. */
  #recent = new Map<string, number>();
  /** The generation before: still found, and moved back into `#recent` when it is. */
  #older = new Map<string, number>();
  /** One short string in SAMPLE_EVERY of those added, kept while the window is shut. */
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

  /** True once every string is kept: from the start, or since returns from beyond the window. */
  get keepsAll(): boolean {
    return this.#window === Infinity;
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
      // the window saves. Each sampled return found stands for SAMPLE_EVERY * CHECK_EVERY strings
      // written again; too many, and the window opens.
      if (--this.#untilCheck !== 0) return undefined;
      this.#untilCheck = CHECK_EVERY;
      found = this.#sample.get(value);
      if (found === undefined) return undefined;
      this.#sampleReturns++;
      if (
        this.#sampleReturns >= MIN_SAMPLE_RETURNS &&
        this.#sampleReturns * SAMPLE_EVERY * CHECK_EVERY * RETURN_SHARE >= this.#lastSampled
      ) {
        this.#window = Infinity;
      }
    }
    this.#recent.set(value, found); // moved back, so it stays as long as it is used
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

/** Short strings per generation of the default window: a lookup finds the last 4096 to 8192. */
export const RECENT_STRINGS = 4096;

/** Strings of this many UTF-16 units or more are always shared, whatever the window. */
export const SHARED_LENGTH = 256;

/** One short string in this many is sampled. */
export const SAMPLE_EVERY = 32;

/**
 * One lookup in this many that misses both generations looks in the sample. Prime to
 * SAMPLE_EVERY: with equal periods, a vocabulary used in the same order each time could meet
 * the checks out of step with the samples, and never be seen coming back.
 */
export const CHECK_EVERY = 31;

/**
 * The window opens once at least MIN_SAMPLE_RETURNS sampled strings came back and the strings
 * coming back from beyond it (each written again) are estimated at one memo entry in RETURN_SHARE.
 */
export const RETURN_SHARE = 16;
export const MIN_SAMPLE_RETURNS = 2;

/**
 * The pickler's memo for strings, which JavaScript gives no identity: equal strings share one
 * memo entry. With a window, a short string is found only while it is recent, so the tables stay
 * small enough to live in the processor's cache: a lookup in a table of a million strings misses
 * the cache on nearly every probe, and had cost more than writing the strings. Hot strings (dict
 * keys, repeated values) stay recent. A short string found again after the window is written
 * again, as CPython writes two equal `str` objects; a long one is always shared, so no value can
 * make the output much longer than CPython's.
 */
export class StringMemo {
  /** Short strings written or found since the last turn-over. */
  #recent = new Map<string, number>();
  /** The generation before: still found, and moved back into `#recent` when it is. */
  #older = new Map<string, number>();
  /** Strings of `SHARED_LENGTH` or more units, kept for the whole dump. */
  #long = new Map<string, number>();

  /** @param window short strings a generation holds before it turns over; Infinity keeps them all. */
  constructor(readonly window: number) {}

  get(value: string): number | undefined {
    if (value.length >= SHARED_LENGTH) return this.#long.get(value);
    const index = this.#recent.get(value);
    if (index !== undefined) return index;
    const older = this.#older.get(value);
    if (older !== undefined) this.set(value, older);
    return older;
  }

  set(value: string, index: number): void {
    if (value.length >= SHARED_LENGTH) {
      this.#long.set(value, index);
      return;
    }
    if (this.#recent.size >= this.window) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#recent.set(value, index);
  }

  copy(): StringMemo {
    const copy = new StringMemo(this.window);
    copy.#recent = new Map(this.#recent);
    copy.#older = new Map(this.#older);
    copy.#long = new Map(this.#long);
    return copy;
  }
}

/** Short strings per generation of the default window: a lookup finds the last 4096 to 8192. */
export const RECENT_STRINGS = 4096;

/** Strings of this many UTF-16 units or more are always shared, whatever the window. */
export const SHARED_LENGTH = 256;

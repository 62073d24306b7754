// How a worker waits after Redis failed it (a lost connection, a refused command) before it tries
// again: doubling from half a second up to half a minute, and back to the start once a try works.
const FIRST_DELAY_MS = 500;
const LONGEST_DELAY_MS = 30_000;

export class Backoff {
  private delay = FIRST_DELAY_MS;

  /** Waits the current delay, then doubles it; resolves early when `stopped()` turns true. */
  async wait(stopped: () => boolean): Promise<void> {
    const until = Date.now() + this.delay;
    this.delay = Math.min(this.delay * 2, LONGEST_DELAY_MS);
    while (!stopped() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
  }

  reset(): void {
    this.delay = FIRST_DELAY_MS;
  }
}

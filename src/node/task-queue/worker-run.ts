// A worker's run, for the RQ and Celery workers alike: one `work()` at a time, and `stop()`,
// which lets the job at hand finish, drops a wait that Redis left hanging, and closes the
// worker's connections.
import type { RedisConnections } from './connections.js';

export class WorkerRun<Summary> {
  /** Set by `stop()`: the loop ends after the job it is running. */
  stopping = false;
  private running: Promise<Summary> | undefined;

  constructor(
    private readonly connections: RedisConnections,
    /** How long one wait for work blocks, in seconds. */
    private readonly pollSeconds: number,
  ) {}

  start(loop: () => Promise<Summary>, who: string): Promise<Summary> {
    if (this.running) throw new Error(`${who} is already working`);
    this.stopping = false;
    this.running = loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const running = this.running?.catch(() => undefined);
    // A wait for work ends within pollSeconds while Redis answers; one that Redis left hanging
    // (a lost connection) is dropped after that.
    const grace = setTimeout(() => this.connections.abortBlocking(), this.pollSeconds * 1000 + 2000);
    await running;
    clearTimeout(grace);
    await this.connections.close();
  }
}

// Where a command writes: stdout, or a file (`dis -o FILE`), buffered in large chunks. A failed
// write (a full disk, a closed pipe) becomes an OutputError naming the destination; the output
// then drops what is written after, so that closing it cannot fail a second time.
import { closeSync, openSync, writeSync } from 'node:fs';
import { describeSystemError } from './system-error.js';

export interface Output {
  write(text: string): void;
  /** Writes what is buffered. */
  flush(): void;
  /** Flushes and releases the destination; later calls do nothing. */
  close(): void;
}

/** A destination could not be written: printed as `pickle-mapper: NAME: cannot write: reason`, exit 1. */
export class OutputError extends Error {
  constructor(
    readonly outputName: string,
    reason: string,
  ) {
    super(`cannot write: ${reason}`);
  }
}

/** The reader went away (`pickle-mapper dis big.pkl | head`): stop, successfully and quietly. */
export class ReaderGone extends Error {}

const CHUNK = 1 << 16;

/** Write errors already reported as an OutputError (stdout emits them as an event as well). */
const reported = new WeakSet<object>();

/** True when `error` was already reported through an OutputError. */
export function alreadyReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reported.has(error);
}

class BufferedOutput implements Output {
  #parts: string[] = [];
  #size = 0;
  #closed = false;
  #failed = false;

  constructor(
    readonly name: string,
    readonly sink: (text: string) => void,
    readonly done: () => void = () => {},
  ) {}

  write(text: string): void {
    if (this.#failed) return;
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.#parts.length === 0 || this.#failed) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    try {
      this.sink(text);
    } catch (error) {
      this.#failed = true;
      if ((error as NodeJS.ErrnoException | null)?.code === 'EPIPE') throw new ReaderGone();
      if (typeof error === 'object' && error !== null) reported.add(error);
      throw new OutputError(this.name, describeSystemError(error));
    }
  }

  close(): void {
    if (this.#closed) return;
    try {
      this.flush();
    } finally {
      this.#closed = true;
      this.done();
    }
  }
}

/**
 * Standard output. A failed write also arrives as the stream's 'error' event (see src/cli.ts);
 * the stream records it at once, so the failure is seen here on the write that caused it.
 */
export function stdoutOutput(): Output {
  return new BufferedOutput('<stdout>', (text) => {
    process.stdout.write(text);
    const failure = process.stdout.errored;
    if (failure) throw failure;
  });
}

/** A file, created or truncated. */
export function fileOutput(path: string): Output {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new OutputError(path, describeSystemError(error));
  }
  return new BufferedOutput(
    path,
    (text) => {
      writeSync(fd, text);
    },
    () => closeSync(fd),
  );
}

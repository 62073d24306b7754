// Where a command writes: stdout, or a file (`dis -o FILE`), buffered in large chunks.
import { closeSync, openSync, writeSync } from 'node:fs';

export interface Output {
  write(text: string): void;
  /** Writes what is buffered. */
  flush(): void;
  /** Flushes and releases the destination; later calls do nothing. */
  close(): void;
}

const CHUNK = 1 << 16;

class BufferedOutput implements Output {
  #parts: string[] = [];
  #size = 0;
  #closed = false;

  constructor(readonly sink: (text: string) => void, readonly done: () => void = () => {}) {}

  write(text: string): void {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    this.sink(text);
  }

  close(): void {
    this.flush();
    if (this.#closed) return;
    this.#closed = true;
    this.done();
  }
}

/** Standard output. */
export function stdoutOutput(): Output {
  return new BufferedOutput((text) => {
    process.stdout.write(text);
  });
}

/** A file, created or truncated. */
export function fileOutput(path: string): Output {
  const fd = openSync(path, 'w');
  return new BufferedOutput(
    (text) => {
      writeSync(fd, text);
    },
    () => closeSync(fd),
  );
}

// A running python process that reports JSON lines on stdout (test/multiprocessing/peer.py), and
// the pyenv interpreters of other CPython versions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type PeerEvent = { event: string } & Record<string, unknown>;

export class PythonPeer {
  readonly events: PeerEvent[] = [];
  private stderr = '';
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(python: string, args: string[]) {
    this.child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONHASHSEED: '0' } });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as PeerEvent);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      for (const wake of this.waiters.splice(0)) wake();
      resolve(code);
    }));
  }

  /** The first event named `name`, waiting for it; fails if the process ends without one. */
  async event(name: string): Promise<PeerEvent> {
    for (;;) {
      const found = this.events.find((e) => e.event === name);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`python ended without a ${name} event: ${JSON.stringify(this.events)}\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits for the process to end; returns its exit code and stderr. */
  async finish(): Promise<{ code: number | null; stderr: string }> {
    const code = await this.exited;
    return { code, stderr: this.stderr };
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** The python of a pyenv-installed CPython `major.minor`, or undefined. */
export function pyenvPython(version: string): string | undefined {
  const root = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  const base = root.status === 0 ? join(root.stdout.trim(), 'versions') : join(process.env.HOME ?? '', '.pyenv', 'versions');
  if (!existsSync(base)) return undefined;
  const dir = readdirSync(base).filter((name) => name.startsWith(`${version}.`)).sort().pop();
  const python = dir && join(base, dir, 'bin', 'python');
  return python && existsSync(python) ? python : undefined;
}

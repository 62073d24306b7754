// Runs one load in a child Node process with a time and heap limit, so that a test of hostile
// input ends in bounded time even when the unpickler would run for minutes or exhaust memory:
// the child is killed (or dies of its heap limit) and the test fails, instead of the test run
// hanging or crashing. (A worker thread is not enough: a fatal out-of-memory in a worker can
// take the whole test process down.)
//
// The child cannot import the TypeScript sources through vitest's transform, so the sources are
// bundled once per test file with esbuild (already installed: tsup and vite use it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const SRC_INDEX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'index.ts');

let bundleUrl: string | undefined;
let bundleDir: string | undefined;

/** A file URL of src/index.ts bundled to one ES module (built on first use). */
export function sourceBundleUrl(): string {
  if (bundleUrl === undefined) {
    bundleDir = mkdtempSync(join(tmpdir(), 'pickle-mapper-robustness-'));
    const outfile = join(bundleDir, 'index.mjs');
    buildSync({ entryPoints: [SRC_INDEX], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'silent' });
    bundleUrl = pathToFileURL(outfile).href;
  }
  return bundleUrl;
}

/** Deletes the bundle (call from afterAll). */
export function removeSourceBundle(): void {
  if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  bundleUrl = undefined;
}

export type ChildOutcome =
  | { status: 'value'; ms: number; type: string }
  | { status: 'error'; ms: number; name: string; message: string; opcode?: string; unpicklingError: boolean }
  /** Still running after the time limit: killed. */
  | { status: 'timeout'; ms: number }
  /** The child died (e.g. out of memory under the heap limit) or printed no result. */
  | { status: 'crashed'; ms: number; message: string };

const CHILD_SOURCE = `
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const data = new Uint8Array(Buffer.concat(chunks));
const { loads, UnpicklingError } = await import(process.argv[1]);
const started = performance.now();
let result;
try {
  const value = loads(data);
  result = { status: 'value', type: value === null ? 'null' : value?.constructor?.name ?? typeof value };
} catch (error) {
  result = {
    status: 'error',
    name: error?.constructor?.name ?? typeof error,
    message: String(error?.message ?? error),
    opcode: error?.opcode,
    unpicklingError: error instanceof UnpicklingError,
  };
}
result.ms = performance.now() - started;
process.stdout.write(JSON.stringify(result));
`;

/**
 * Loads `data` (default options) in a fresh Node process. Resolves with what happened; a load
 * still running after `timeoutMs` is killed ('timeout'); one exceeding `maxHeapMb` crashes.
 */
export function loadInChild(data: Uint8Array, limits: { timeoutMs: number; maxHeapMb?: number }): Promise<ChildOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${limits.maxHeapMb ?? 1024}`, '--input-type=module', '-e', CHILD_SOURCE, sourceBundleUrl()],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        resolve({ status: 'timeout', ms: elapsed() });
        return;
      }
      try {
        resolve(JSON.parse(stdout) as ChildOutcome);
      } catch {
        const reason = stderr.includes('heap out of memory') ? 'out of memory' : stderr.trim().split('\n').slice(-3).join(' | ');
        resolve({ status: 'crashed', ms: elapsed(), message: `exit ${code ?? signal}: ${reason}` });
      }
    });
    child.stdin.on('error', () => {}); // the child may die before reading everything
    child.stdin.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
}

/** One line saying what happened, for assertion messages. */
export function describeOutcome(outcome: ChildOutcome): string {
  switch (outcome.status) {
    case 'value':
      return `loaded a ${outcome.type} in ${Math.round(outcome.ms)} ms`;
    case 'error':
      return `${outcome.name} in ${Math.round(outcome.ms)} ms: ${outcome.message}`;
    case 'timeout':
      return `still running after ${Math.round(outcome.ms)} ms (killed)`;
    case 'crashed':
      return `child process crashed after ${Math.round(outcome.ms)} ms: ${outcome.message}`;
  }
}

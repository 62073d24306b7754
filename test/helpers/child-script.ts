// Runs a snippet against the library in a child Node process that is killed after a time limit.
// An endless loop cannot be interrupted in-process (a vitest timeout never fires while the loop
// holds the thread), so a test of an input that once hung runs it here: a regression fails the
// test instead of hanging the run. The snippet is the body of a function of `lib` (the package's
// exports, bundled from src/) and returns a JSON-serialisable value (bigints as strings).
import { spawn } from 'node:child_process';
import { sourceBundleUrl } from '../robustness/child.js';

export { removeSourceBundle } from '../robustness/child.js';

export type ScriptOutcome =
  | { status: 'value'; value: unknown }
  | { status: 'error'; name: string; code?: string; message: string; path?: string; pickleError: boolean }
  /** Still running after the time limit: killed. */
  | { status: 'timeout' }
  /** The child died (out of memory, a crash) or printed no result. */
  | { status: 'crashed'; message: string };

const CHILD_SOURCE = `
const lib = await import(process.argv[1]);
const body = new Function('lib', process.argv[2]);
let result;
try {
  result = { status: 'value', value: body(lib) };
} catch (error) {
  result = {
    status: 'error',
    name: error?.constructor?.name ?? typeof error,
    code: error?.code,
    message: String(error?.message ?? error),
    path: error?.path,
    pickleError: error instanceof lib.PickleError,
  };
}
process.stdout.write(JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
`;

/** Runs `body` (a function body of `lib`) in a fresh Node process; killed after `timeoutMs`. */
export function runScript(body: string, limits: { timeoutMs?: number; maxHeapMb?: number } = {}): Promise<ScriptOutcome> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${limits.maxHeapMb ?? 2048}`, '--input-type=module', '-e', CHILD_SOURCE, sourceBundleUrl(), body],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ status: 'timeout' });
      try {
        resolve(JSON.parse(stdout) as ScriptOutcome);
      } catch {
        resolve({ status: 'crashed', message: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

// Spawning a real python3 for interop tests. Under CI=true a missing python3 is a failure,
// never a skip; on a developer machine without python3 those tests are skipped with a reason.
import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

export const PYTHON = process.env.PYTHON ?? 'python3';

let available: boolean | undefined;

/** True when python3 runs here. */
export function hasPython(): boolean {
  if (available === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' });
    available = probe.status === 0 && probe.stdout.trim() === '3';
  }
  return available;
}

/** Runs a Python script (given as source) with optional stdin; returns stdout, throws on failure. */
export function runPython(source: string, input?: Uint8Array | string, args: string[] = []): Buffer {
  const result = spawnSync(PYTHON, ['-c', source, ...args], {
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONIOENCODING: 'utf-8' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`python3 failed (${result.status}):\n${result.stderr.toString()}`);
  }
  return result.stdout;
}

/**
 * `describe` for tests that need python3: runs them when it is there, fails under CI=true when
 * it is not, and skips them (saying why) elsewhere.
 */
export function describeWithPython(name: string, body: () => void): void {
  if (hasPython()) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`python3 is required under CI=true (${name})`);
    });
  } else {
    describe.skip(`${name} (python3 not found)`, body);
  }
}

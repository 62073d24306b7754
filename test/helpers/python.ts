// Spawning a real python3 for interop tests. Under CI=true a missing python3 is a failure,
// never a skip; on a developer machine without python3 those tests are skipped with a reason.
// `npm run test:quick` leaves python3 out on purpose (vitest.quick.config.ts): its tests are
// skipped then, and a test that spawns python3 outside `describeWithPython` fails.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export const PYTHON = process.env.PYTHON ?? 'python3';

/** Set by vitest.quick.config.ts: the run is meant to need no python3. */
export const PYTHON_LEFT_OUT = process.env.PICKLE_MAPPER_TEST_WITHOUT_PYTHON === '1';

let available: boolean | undefined;

/** True when python3 runs here (and the run has not left it out). */
export function hasPython(): boolean {
  if (PYTHON_LEFT_OUT) return false;
  if (available === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' });
    available = probe.status === 0 && probe.stdout.trim() === '3';
  }
  return available;
}

/** Runs a Python script (given as source) with optional stdin; returns stdout, throws on failure. */
export function runPython(source: string, input?: Uint8Array | string, args: string[] = []): Buffer {
  if (PYTHON_LEFT_OUT) throw new Error('python3 is left out of this run (npm run test:quick): spawn it only inside describeWithPython');
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
 * it is not, and skips them (saying why) elsewhere. A skipped body is not run at all: many
 * spawn python3 while their tests are collected.
 */
export function describeWithPython(name: string, body: () => void): void {
  if (PYTHON_LEFT_OUT) {
    skipWithoutPython(`${name} (python3 left out: npm run test:quick)`);
  } else if (hasPython()) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`python3 is required under CI=true (${name})`);
    });
  } else {
    skipWithoutPython(`${name} (python3 not found)`);
  }
}

function skipWithoutPython(label: string): void {
  describe.skip(label, () => {
    it.skip('needs python3', () => {});
  });
}

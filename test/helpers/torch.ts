// What the torch interop tests need: a python3 with torch (Debian's python3-torch under
// /usr/bin/python3; PYTHON_TORCH overrides it). Under CI=true a missing one fails the tests,
// never skips them.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { PYTHON_LEFT_OUT } from './python.js';

export const TORCH_PYTHON = process.env.PYTHON_TORCH ?? '/usr/bin/python3';

let reason: string | undefined | null = null;

function missing(): string | undefined {
  if (reason !== null) return reason;
  if (PYTHON_LEFT_OUT) reason = 'python3 left out (npm run test:quick)';
  else {
    const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    reason = probe.status === 0 ? undefined : `${TORCH_PYTHON} lacks torch (apt-get install python3-torch)`;
  }
  return reason;
}

/** `describe` for tests that need a real torch. */
export function describeWithTorch(name: string, body: () => void): void {
  const why = missing();
  if (why === undefined) describe(name, body);
  else if (process.env.CI === 'true' && !PYTHON_LEFT_OUT) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`${why} (required under CI=true)`);
      });
    });
  } else describe.skip(`${name} (${why})`, body);
}

/** Runs Python source with torch's python; returns stdout, throws with stderr on failure. */
export function runTorchPython(source: string, args: string[] = []): string {
  const result = spawnSync(TORCH_PYTHON, ['-c', source, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONIOENCODING: 'utf-8' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${TORCH_PYTHON} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

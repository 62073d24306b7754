// What the joblib interop tests need: a python3 with joblib, scikit-learn and numpy (Debian's
// python3-joblib, python3-sklearn under /usr/bin/python3; PYTHON_JOBLIB overrides it). Under
// CI=true a missing one fails the tests, never skips them.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { PYTHON_LEFT_OUT } from './python.js';

export const JOBLIB_PYTHON = process.env.PYTHON_JOBLIB ?? '/usr/bin/python3';

function missing(): string | undefined {
  if (PYTHON_LEFT_OUT) return 'python3 left out (npm run test:quick)';
  const probe = spawnSync(JOBLIB_PYTHON, ['-c', 'import joblib, sklearn, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${JOBLIB_PYTHON} lacks joblib, sklearn or numpy (apt-get install python3-joblib python3-sklearn)`;
  return undefined;
}

/** `describe` for tests that need Python's joblib and scikit-learn. */
export function describeWithJoblib(name: string, body: () => void): void {
  const reason = missing();
  if (reason === undefined) describe(name, body);
  else if (process.env.CI === 'true' && !PYTHON_LEFT_OUT) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`${reason} (required under CI=true)`);
      });
    });
  } else describe.skip(`${name} (${reason})`, body);
}

/** Runs Python source with joblib at hand (arguments after it); returns stdout, throws on failure. */
export function runJoblibPython(source: string, args: string[] = []): string {
  const result = spawnSync(JOBLIB_PYTHON, ['-c', source, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, PYTHONHASHSEED: '0' } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`python failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

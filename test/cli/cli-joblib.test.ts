// joblib files met by `loads` and the CLI: loads says what the file is and what reads it; `show`
// and `json` read it as joblib.load does.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loads, UnpicklingError } from '../../src/index.js';
import { useBuiltCli } from '../helpers/cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/joblib/${name}`, import.meta.url));
const runCli = useBuiltCli('cli-joblib').run;

describe('joblib files outside loadJoblib', () => {
  it('loads fails at the array data and says to use loadJoblib', () => {
    let error: unknown;
    try {
      loads(readFileSync(fixture('tree.joblib')));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnpicklingError);
    expect((error as Error).message).toMatch(/looks like a joblib file .*loadJoblib, or loadJoblibFile from 'pickle-mapper\/node'/);
  });

  it('the hint comes only when the failing pickle names the wrapper class before the failure', () => {
    const bytes = (text: string) => Buffer.from(text, 'latin1');
    expect(() => loads(bytes('\x80\x04X\x11\x00\x00\x00NumpyArrayWrapper\x08'))).toThrow(/looks like a joblib file/);
    expect(() => loads(bytes('\x80\x04X\x03\x00\x00\x00abc\x08'))).toThrow(/^invalid load key, '\\x08' \(at byte 10[^;]*$/);
  });

  it('show prints the value of a joblib file, its arrays included', () => {
    const result = runCli(['show', fixture('f8.joblib11.joblib')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('numpy.core.multiarray._reconstruct(numpy.ndarray');
    const model = runCli(['show', fixture('logistic.joblib')]);
    expect(model.status).toBe(0);
    expect(model.stdout).toMatch(/^sklearn\.linear_model\._logistic\.LogisticRegression\(/);
  });
});

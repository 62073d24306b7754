// The CLI as a user runs it: src/cli/bin.ts bundled once per test file (as tsup builds it) and
// spawned with node; the corpus of CPython pickles; and python3 modules run the same way.
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import { PYTHON } from './python.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every CPython-written pickle the tests keep: the fixtures and the robustness corpus. */
export const CORPUS_FILES: readonly string[] = ['test/fixtures/pickles', 'test/robustness/corpus'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((name) => name.endsWith('.pkl'))
    .sort()
    .map((name) => `${dir}/${name}`),
);

/** A corpus file's bytes. */
export const readCorpus = (file: string) => new Uint8Array(readFileSync(join(ROOT, file)));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnCliOptions {
  /** Flags for node itself, before the script (`--max-old-space-size=64`, `--require x.cjs`). */
  readonly nodeArgs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** stdin, stdout and stderr as spawnSync takes them (a file descriptor to write to /dev/full). */
  readonly stdio?: SpawnSyncOptions['stdio'];
  readonly input?: Uint8Array;
}

/** Bundles the CLI before the file's tests (and removes it after); `work` is a scratch folder. */
export function useBuiltCli(name: string): {
  readonly work: string;
  run(args: string[], input?: Uint8Array): RunResult;
  spawn(args: string[], options: SpawnCliOptions): RunResult;
} {
  const state = { work: '', cli: '' };
  beforeAll(async () => {
    state.work = mkdtempSync(join(tmpdir(), `pickle-mapper-${name}-`));
    state.cli = join(state.work, 'cli.mjs');
    await build({
      entryPoints: [join(ROOT, 'src/cli/bin.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: state.cli,
      keepNames: true, // as tsup.config.ts builds it: class names survive bundling
      logLevel: 'silent',
    });
  });
  afterAll(() => {
    if (state.work) rmSync(state.work, { recursive: true, force: true });
  });
  return {
    get work() {
      return state.work;
    },
    run(args, input) {
      const result = spawnSync(process.execPath, [state.cli, ...args], { cwd: ROOT, input, maxBuffer: 1 << 30 });
      return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
    },
    spawn(args, options) {
      const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), state.cli, ...args], {
        cwd: ROOT,
        input: options.input,
        stdio: options.stdio,
        env: options.env ?? process.env,
        maxBuffer: 1 << 30,
      });
      return { status: result.status, stdout: result.stdout?.toString('utf8') ?? '', stderr: result.stderr?.toString('utf8') ?? '' };
    },
  };
}

/** `python3 ARGS` (e.g. `-m pickletools FILE`) from the repository root. */
export function runPythonModule(args: string[], input?: Uint8Array): RunResult {
  const result = spawnSync(PYTHON, args, {
    cwd: ROOT,
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONIOENCODING: 'utf-8' },
  });
  return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

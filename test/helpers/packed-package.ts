// The package as a user gets it: built with the repository's tsup config, packed by `npm pack`,
// and installed from the tarball into scratch projects. The tarball is cached by a hash of what
// goes into it, so test files (and runs) share one build (it takes half a minute or so).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './cli.js';

/**
 * Sources whose content decides the tarball's code. The README is packed too, but leaves the
 * cache key out: a tarball with an older README behaves the same, and editing it rebuilds nothing.
 */
const PACKAGE_INPUTS = ['src', 'decorators', 'package.json', 'tsup.config.ts', 'tsconfig.json'];
const CACHE = join(ROOT, 'node_modules', '.cache', 'pickle-mapper-tests');

/** Runs a command, throwing with its output when it fails. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${String(result.stdout)}\n${String(result.stderr)}`);
  }
  return String(result.stdout);
}

function hashInputs(): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const input of PACKAGE_INPUTS) visit(join(ROOT, input));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The path of `npm pack`'s tarball of the current sources: built into a staging folder (never
 * the repository's own `dist`, which other processes may be using) and packed there. Test
 * files asking at once wait for one build (a lock folder) instead of each building it.
 */
export function packedTarball(): string {
  const tarball = join(CACHE, `pickle-mapper-${hashInputs()}.tgz`);
  mkdirSync(CACHE, { recursive: true });
  const lock = `${tarball}.lock`;
  while (!existsSync(tarball)) {
    if (!takeLock(lock)) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      continue;
    }
    try {
      if (!existsSync(tarball)) buildTarball(tarball);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return tarball;
}

/** A lock left by a run that was killed is taken over once it is this old. */
const STALE_LOCK_MS = 10 * 60_000;

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const taken = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
    if (taken !== undefined && Date.now() - taken > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function buildTarball(tarball: string): void {
  const staging = mkdtempSync(join(tmpdir(), 'pickle-mapper-pack-'));
  try {
    cpSync(join(ROOT, 'package.json'), join(staging, 'package.json'));
    cpSync(join(ROOT, 'README.md'), join(staging, 'README.md'));
    run(join(ROOT, 'node_modules', '.bin', 'tsup'), ['--out-dir', join(staging, 'dist')], { cwd: ROOT });
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', staging], { cwd: staging })) as Array<{ filename: string }>;
    renameSync(join(staging, packed[0]!.filename), tarball);
    for (const name of readdirSync(CACHE)) {
      if (name.endsWith('.tgz') && join(CACHE, name) !== tarball) rmSync(join(CACHE, name), { force: true });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * A scratch folder with the packed package installed by `npm install <tarball>` (offline: the
 * package has no dependencies), plus the repository's copies of `links` (development tools and
 * peer packages such as typescript or reflect-metadata) linked into its node_modules. Projects
 * in subfolders resolve all of them from there.
 */
export function installPackage(links: readonly string[] = []): string {
  const tarball = packedTarball();
  const dir = mkdtempSync(join(tmpdir(), 'pickle-mapper-install-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], { cwd: dir });
  // Linked after the install, which would remove packages package.json does not list.
  for (const name of links) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
  return dir;
}

/** Writes files (path relative to `dir` → content), making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** The repository's TypeScript compiler, run on a project folder (`tsc -p dir`). */
export function tsc(projectDir: string): void {
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', projectDir]);
}

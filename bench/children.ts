// Fresh processes for measurements: each child script runs as one plain bundled file rather than
// under tsx's loader, so that no compiler, loader thread or their garbage shares the measured
// process with what it measures.
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs a command to completion and returns its stdout; throws with its stderr when it fails. */
export function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** Bundles bench/NAME.ts into `outDir` and returns the path of the bundled script. */
export async function bundleChild(name: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${basename(name)}.mjs`);
  await build({ entryPoints: [join(here, `${name}.ts`)], outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
  return outfile;
}

// The core entry (and the decorators entry) must bundle for browsers: nothing from Node.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it.each(['src/index.ts', 'src/core.ts', 'decorators/index.ts'])('%s bundles for the browser without Node built-ins', async (entry) => {
  const result = await build({
    entryPoints: [`${ROOT}/${entry}`],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((file) => file.startsWith('node:'))).toBe(false);
  const code = result.outputFiles[0]!.text;
  expect(code).not.toMatch(/from ["']node:|require\(["']node:/);
  expect(code.length).toBeGreaterThan(10_000);
});

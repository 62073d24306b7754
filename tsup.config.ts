import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS with a .d.ts/.d.cts per format.
    entry: { index: 'src/index.ts', decorators: 'decorators/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    keepNames: true,
  },
  {
    // The command line: ESM only, with a shebang.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    keepNames: true,
  },
]);

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests and examples import the package by its published name, resolved to the sources.
    alias: [
      { find: /^pickle-mapper\/core$/, replacement: here('./src/core.ts') },
      { find: /^pickle-mapper\/decorators$/, replacement: here('./decorators/index.ts') },
      { find: /^pickle-mapper\/multiprocessing$/, replacement: here('./src/node/multiprocessing/index.ts') },
      { find: /^pickle-mapper\/node$/, replacement: here('./src/node/index.ts') },
      { find: /^pickle-mapper$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

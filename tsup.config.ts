import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

// The library's entry points. A value class or registry exists once per build, in a chunk all
// its entries share; which build a process gets is the exports map's choice (package.json):
// - Node, whether it imports or requires: the CommonJS build. `import` goes through a wrapper
//   that re-exports it (dist/node/), so a process that does both has one copy of the package.
// - Bundlers and browsers: the ESM build (the "module" condition: for require() as well).
const LIBRARY_ENTRIES = {
  index: 'src/index.ts',
  // The core without the standard types and the inspection tools: what a small bundle imports.
  core: 'src/core.ts',
  decorators: 'decorators/index.ts',
  // Node only (node:net, node:crypto, node:fs, node:zlib): the core entries never import them.
  multiprocessing: 'src/node/multiprocessing/index.ts',
  node: 'src/node/index.ts',
};

// No source maps: with the sources inlined they were most of the packed package, and maps left
// out of the package would leave each file pointing at a map that is not there.
const library: Options = {
  entry: LIBRARY_ENTRIES,
  dts: true,
  target: 'es2022',
  keepNames: true,
};

/** Writes dist/node/<entry>.js and .d.ts: ESM modules re-exporting the CommonJS build. */
const nodeImportWrappers = {
  name: 'node-import-wrappers',
  buildEnd(this: { options: { outDir: string } }) {
    const dir = join(this.options.outDir, 'node');
    mkdirSync(dir, { recursive: true });
    for (const entry of Object.keys(LIBRARY_ENTRIES)) {
      const reexport = `export * from '../${entry}.cjs';\n`;
      writeFileSync(join(dir, `${entry}.js`), reexport);
      // The types re-export the CommonJS build's too (index.d.cts), as the module does: in Node
      // both ways in give the same classes, to the type checker as well.
      writeFileSync(join(dir, `${entry}.d.ts`), reexport);
    }
  },
};

export default defineConfig([
  { ...library, format: ['esm'] },
  // Split as the ESM build is, so that index.cjs and decorators.cjs share one copy of the code.
  { ...library, format: ['cjs'], splitting: true, treeshake: true, plugins: [nodeImportWrappers] },
  {
    // The command line: ESM only, with a shebang; its own process, so its own copy.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    keepNames: true,
  },
]);

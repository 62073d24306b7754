// What a browser bundle of the package weighs, and that tree shaking keeps what each entry
// promises: `pickle-mapper/core` leaves the standard types (numpy, datetime...) and the
// inspection tools out; `pickle-mapper` keeps the one statement that installs the standard types,
// so its `loads` alone still loads a datetime and a numpy array. Bundled by esbuild (minified,
// for the browser) from the sources, as package.json presents them to a user's bundler: its
// `sideEffects` names the files the full entry builds to, so the full entry's source is bundled
// as having side effects and every other module as having none.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { LOADED_AS_PLACEHOLDERS, LOADED_AS_STANDARD_TYPES, loadingProgram, runBundle } from '../helpers/bundle-probe.js';
import { ROOT } from '../helpers/cli.js';

/**
 * The most the core's loads and dumps may weigh, minified. The issue hoped for 60 KB; the codec
 * alone is over that (the unpickler and the pickler are some 48 KB, Python 2's name tables 15 KB),
 * so this guards against the standard types or the printers coming back (some 60 KB more).
 */
const CORE_BUDGET = 128 * 1024;

/** Strings only the standard types' code holds (numpy's pickling module, a datetime method). */
const STANDARD_MARKERS = ['multiarray', 'utcoffset'];
const markersIn = (code: string) => STANDARD_MARKERS.filter((marker) => code.includes(marker));

/** Sources no core bundle may contain. */
const STANDARD_SOURCES = /^src\/(standard|inspect)\/|^src\/values\/(datetime|numeric|ndarray)\.ts$|^src\/values\/numpy\//;

const { sideEffects } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { sideEffects?: boolean | string[] };

/** The package's browser entries: their sources and the file each builds to. */
const ENTRIES: Record<string, { source: string; built: string }> = {
  'pickle-mapper': { source: 'src/index.ts', built: './dist/index.js' },
  'pickle-mapper/core': { source: 'src/core.ts', built: './dist/core.js' },
};

/** Resolves the package's entries to their sources, with the side effects package.json gives their built files. */
const sourcesAsPublished: Plugin = {
  name: 'sources-as-published',
  setup(build) {
    build.onResolve({ filter: /^pickle-mapper(\/core)?$/ }, ({ path }) => {
      const entry = ENTRIES[path]!;
      return { path: join(ROOT, entry.source), sideEffects: Array.isArray(sideEffects) ? sideEffects.includes(entry.built) : sideEffects !== false };
    });
  },
};

interface Bundle {
  readonly code: string;
  readonly gzipped: number;
  readonly metafile: Metafile;
}

/** A minified browser bundle of `source` (an ES module importing the package). */
async function bundle(source: string): Promise<Bundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [sourcesAsPublished],
  });
  const code = result.outputFiles[0]!.text;
  return { code, gzipped: gzipSync(code).length, metafile: result.metafile };
}

/** The sources in a bundle, largest share first, with their bytes in it. */
function breakdown(metafile: Metafile): Array<[string, number]> {
  const output = Object.values(metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]): [string, number] => [file, bytesInOutput])
    .sort((a, b) => b[1] - a[1]);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const scratch = mkdtempSync(join(tmpdir(), 'pickle-mapper-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bundle size', () => {
  it(`the core's loads and dumps bundle to under ${kb(CORE_BUDGET)} minified, without the standard types or the printers`, async () => {
    const core = await bundle("import { loads, dumps } from 'pickle-mapper/core';\nglobalThis.api = { loads, dumps };\n");
    const full = await bundle("import { loads, dumps } from 'pickle-mapper';\nglobalThis.api = { loads, dumps };\n");
    const sources = breakdown(core.metafile);
    console.log(
      `pickle-mapper/core (loads, dumps): ${kb(core.code.length)} minified, ${kb(core.gzipped)} gzipped\n` +
        `pickle-mapper (loads, dumps): ${kb(full.code.length)} minified, ${kb(full.gzipped)} gzipped\n` +
        `where the core's bytes go:\n${sources.slice(0, 12).map(([file, bytes]) => `  ${kb(bytes).padStart(8)}  ${file}`).join('\n')}`,
    );
    expect(sources.map(([file]) => file).filter((file) => STANDARD_SOURCES.test(file))).toEqual([]);
    expect(markersIn(full.code)).toEqual(STANDARD_MARKERS);
    expect(markersIn(core.code)).toEqual([]);
    expect(core.code.length).toBeLessThan(CORE_BUDGET);
  });

  it("the full entry's loads, tree-shaken, still knows the standard types: the installing statement is kept", async () => {
    const full = await bundle(loadingProgram('pickle-mapper'));
    expect(runBundle(scratch, 'full', full.code)).toEqual(LOADED_AS_STANDARD_TYPES);
  });

  it('the core alone loads them as placeholders naming their globals', async () => {
    const core = await bundle(loadingProgram('pickle-mapper/core'));
    expect(markersIn(core.code)).toEqual([]);
    expect(runBundle(scratch, 'core', core.code)).toEqual(LOADED_AS_PLACEHOLDERS);
  });
});

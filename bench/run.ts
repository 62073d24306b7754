// npm run bench: this package's loads/dumps side by side with CPython's C pickle (spawned
// python3, gc on and off), pickleparser's loader and JSON.parse/stringify, on the same bytes, in
// one run. Prints ratios (ours / theirs: below 1.0 means we are faster), then the memory table
// (memory.ts). `--quick` for a smoke run, `--only=NAME` for one workload.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Parser } from 'pickleparser';
import { Bench } from 'tinybench';
import { dumps, loads, Registry, registerClass } from '../src/index.js';
import { memoryBenchmark } from './memory.js';

interface PythonRow {
  workload: string;
  protocol: number;
  bytes: number;
  loads_gcOn: number;
  loads_gcOff: number;
  dumps_gcOn: number;
  dumps_gcOff: number;
}

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pickle-mapper-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // about 1 GB of pickles in a full run

console.log(`generating workloads and timing CPython (${quick ? 'quick' : 'full'} run)…`);
const pythonFlags = [...(quick ? ['--quick'] : []), ...(only ? [`--only=${only}`] : [])];
const python = spawnSync(process.env.PYTHON ?? 'python3', [join(here, 'workloads.py'), dir, ...pythonFlags], {
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
if (python.status !== 0) throw new Error(`python3 failed: ${python.stderr}`);
const report = JSON.parse(python.stdout) as { python: string; results: PythonRow[]; notes: string[] };

class Point {
  x = 0;
  y = 0;
  label = '';
}
const registry = new Registry();
registerClass(Point, { module: 'bench', name: 'Point', registry, fields: { x: {}, y: { type: 'float' }, label: {} } });

// A full gc before each measurement, so that no earlier workload's garbage (or heap left grown)
// is collected on this one's time. Node exposes gc() only behind a flag, set here at run time.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Median milliseconds of `fn`, measured by tinybench after warm-up runs (V8 compiles hot code in
 * the first few), from a freshly collected heap.
 */
async function measure(fn: () => unknown): Promise<number> {
  const bench = new Bench({ iterations: quick ? 3 : 11, time: 0, warmupIterations: quick ? 1 : 3, warmupTime: 0 });
  bench.add('task', fn, { beforeAll: collectGarbage });
  await bench.run();
  const result = bench.tasks[0]!.result as { latency?: { p50?: number }; error?: unknown };
  if (result.error) throw result.error;
  return result.latency?.p50 ?? NaN;
}

const ratio = (ours: number, theirs: number | undefined): string =>
  theirs === undefined || !Number.isFinite(theirs) ? 'n/a' : `${(ours / theirs).toFixed(2)}×`;

const rows: string[][] = [];
for (const row of report.results) {
  const file = join(dir, `${row.workload}.p${row.protocol}.pkl`);
  const data = new Uint8Array(readFileSync(file));
  const variants: Array<[string, Parameters<typeof loads>[1] | undefined]> =
    row.workload === 'instances' ? [['registered', { registry }], ['placeholders', undefined]] : [['', undefined]];
  for (const [variant, options] of variants) {
    const value = loads(data, options);
    const oursLoads = await measure(() => loads(data, options));
    const oursDumps = await measure(() => dumps(value, { protocol: row.protocol, registry }));
    let parser: number | undefined;
    // pickleparser warns on every int beyond 2^53 it meets; the table is what matters here.
    const warn = console.warn;
    console.warn = () => {};
    try {
      new Parser().parse(data);
      parser = await measure(() => new Parser().parse(data));
    } catch {
      parser = undefined; // pickleparser cannot read this workload
    } finally {
      console.warn = warn;
    }
    let jsonParse: number | undefined;
    let jsonStringify: number | undefined;
    const jsonFile = join(dir, `${row.workload}.json`);
    if (existsSync(jsonFile)) {
      const text = readFileSync(jsonFile, 'utf8');
      const parsed: unknown = JSON.parse(text);
      jsonParse = await measure(() => JSON.parse(text));
      jsonStringify = await measure(() => JSON.stringify(parsed));
    }
    rows.push([
      `${row.workload}${variant ? ` (${variant})` : ''}`,
      String(row.protocol),
      `${(row.bytes / 1e6).toFixed(1)} MB`,
      `${oursLoads.toFixed(1)} ms`,
      ratio(oursLoads, row.loads_gcOn),
      ratio(oursLoads, row.loads_gcOff),
      ratio(oursLoads, parser),
      ratio(oursLoads, jsonParse),
      `${oursDumps.toFixed(1)} ms`,
      ratio(oursDumps, row.dumps_gcOn),
      ratio(oursDumps, row.dumps_gcOff),
      ratio(oursDumps, jsonStringify),
    ]);
  }
}

const header = [
  'workload', 'proto', 'size', 'loads', 'vs CPython', 'vs CPython gc off', 'vs pickleparser', 'vs JSON.parse',
  'dumps', 'vs CPython', 'vs CPython gc off', 'vs JSON.stringify',
];
console.log(`\nNode ${process.version}, CPython ${report.python}; ratios are ours / theirs (below 1.00× = faster)\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

console.log(`\nmeasuring memory while loading, one fresh node process per pickle…`);
const memory = await memoryBenchmark({ dir, quick, only });
console.log(
  '\nMemory of `loads`, above the process before loading (input already read): values = what the loaded value' +
    ' holds after a full gc; peak = most heap + external memory during the load, garbage included (the 2× target' +
    " is on peak / values); peak RSS = the resident set's high-water mark; views input = the value shares memory" +
    ' with the input bytes\n',
);
for (const line of memory.table) console.log(line);
for (const note of new Set([...report.notes, ...memory.notes])) console.log(`\nnote: ${note}`);

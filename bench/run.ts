// npm run bench: this package's loads/dumps side by side with CPython's C pickle (spawned
// python3, gc on and off), pickleparser's loader and JSON.parse/stringify, on the same bytes, in
// one run. Prints ratios (ours / theirs: below 1.0 means we are faster), then the memory table
// (memory.ts). `--quick` for a smoke run, `--only=NAME` for one workload.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild, run } from './children.js';
import { memoryBenchmark } from './memory.js';
import type { TimeResult } from './time-child.js';

interface PickleFile {
  workload: string;
  protocol: number;
  bytes: number;
}

interface PythonTimes {
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

console.log(`generating workloads (${quick ? 'quick' : 'full'} run)…`);
const python = process.env.PYTHON ?? 'python3';
const workloads = join(here, 'workloads.py');
const quickFlag = quick ? ['--quick'] : [];
const report = JSON.parse(run(python, [workloads, 'write', dir, ...quickFlag, ...(only ? [`--only=${only}`] : [])])) as {
  python: string;
  files: PickleFile[];
  notes: string[];
};

const ratio = (ours: number, theirs: number | undefined): string =>
  theirs === undefined || !Number.isFinite(theirs) ? 'n/a' : `${(ours / theirs).toFixed(2)}×`;

// Each row is timed by CPython and then by us, each in a fresh process (python3, time-child.ts):
// no row's garbage or heap growth reaches the next, and the two sides of a ratio are measured
// close together in time.
const child = await bundleChild('time-child', dir);
const rows: string[][] = [];
for (const file of report.files) {
  console.log(`timing ${file.workload} at protocol ${file.protocol}…`);
  const fileArgs = [dir, file.workload, String(file.protocol), ...quickFlag];
  const cpython = JSON.parse(run(python, [workloads, 'time', ...fileArgs])) as PythonTimes;
  const row = { ...file, ...cpython };
  const variants = file.workload === 'instances' ? ['registered', 'placeholders'] : [''];
  for (const variant of variants) {
    const ours = JSON.parse(run(process.execPath, [child, ...fileArgs, variant])) as TimeResult;
    rows.push([
      `${row.workload}${ours.variant ? ` (${ours.variant})` : ''}`,
      String(row.protocol),
      `${(row.bytes / 1e6).toFixed(1)} MB`,
      `${ours.loads.toFixed(1)} ms`,
      ratio(ours.loads, row.loads_gcOn),
      ratio(ours.loads, row.loads_gcOff),
      ratio(ours.loads, ours.parser),
      ratio(ours.loads, ours.jsonParse),
      `${ours.dumps.toFixed(1)} ms`,
      ratio(ours.dumps, row.dumps_gcOn),
      ratio(ours.dumps, row.dumps_gcOff),
      ratio(ours.dumps, ours.jsonStringify),
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

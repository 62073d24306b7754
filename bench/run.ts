// npm run bench: this package's loads/dumps side by side with CPython's C pickle (spawned
// python3, gc on and off), pickleparser's loader and JSON.parse/stringify, on the same bytes, in
// one run. Prints ratios (ours / theirs: below 1.0 means we are faster), then the memory table
// (memory.ts). For the workloads of many objects, one more table times dumps of values loaded
// just before each run (see time-child.ts). `--quick` for a smoke run, `--only=NAME` for one
// workload, `--rounds=N` to time each row N times (median ratio and range, see rounds.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild, run } from './children.js';
import { memoryBenchmark } from './memory.js';
import { median, ratioCell } from './rounds.js';
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
  /** A Pickler with fast = True (no memo), gc on. */
  dumps_fast_gcOn: number;
  /** With --fresh: dumps of a value loaded just before each run, gc on. */
  dumps_fresh_gcOn?: number;
}

/** Workloads of many objects, whose dumps are timed on values just loaded too (--fresh). */
const FRESH_WORKLOADS = new Set(['records', 'instances']);

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const roundsText = process.argv.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length) ?? '1';
const rounds = Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${roundsText}`);
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

// Each row is timed by CPython and then by us, each in a fresh process (python3, time-child.ts):
// no row's garbage or heap growth reaches the next, and the two sides of a ratio are measured
// close together in time. With --rounds, the whole pair is repeated and each ratio taken per round.
const child = await bundleChild('time-child', dir);
const rows: string[][] = [];
const fastRows: string[][] = [];
const freshRows: string[][] = [];
for (const file of report.files) {
  const fresh = FRESH_WORKLOADS.has(file.workload);
  const fileArgs = [dir, file.workload, String(file.protocol), ...quickFlag, ...(fresh ? ['--fresh'] : [])];
  const variants = file.workload === 'instances' ? ['registered', 'placeholders'] : [''];
  const timed = variants.map(() => [] as { ours: TimeResult; cpython: PythonTimes }[]);
  for (let round = 1; round <= rounds; round++) {
    const of = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
    console.log(`timing ${file.workload} at protocol ${file.protocol}${of}…`);
    const cpython = JSON.parse(run(python, [workloads, 'time', ...fileArgs])) as PythonTimes;
    variants.forEach((variant, v) => {
      const ours = JSON.parse(run(process.execPath, [child, ...fileArgs, variant])) as TimeResult;
      timed[v]!.push({ ours, cpython });
    });
  }
  for (const samples of timed) {
    const ours = samples.map((sample) => sample.ours);
    const cell = (pick: (sample: { ours: TimeResult; cpython: PythonTimes }) => readonly [number, number | undefined]): string =>
      ratioCell(samples.map(pick));
    rows.push([
      `${file.workload}${ours[0]!.variant ? ` (${ours[0]!.variant})` : ''}`,
      String(file.protocol),
      `${(file.bytes / 1e6).toFixed(1)} MB`,
      `${median(ours.map((o) => o.loads)).toFixed(1)} ms`,
      cell((s) => [s.ours.loads, s.cpython.loads_gcOn]),
      cell((s) => [s.ours.loads, s.cpython.loads_gcOff]),
      cell((s) => [s.ours.loads, s.ours.parser]),
      cell((s) => [s.ours.loads, s.ours.jsonParse]),
      `${median(ours.map((o) => o.dumps)).toFixed(1)} ms`,
      cell((s) => [s.ours.dumps, s.cpython.dumps_gcOn]),
      cell((s) => [s.ours.dumps, s.cpython.dumps_gcOff]),
      cell((s) => [s.ours.dumps, s.ours.jsonStringify]),
    ]);
    fastRows.push([
      rows.at(-1)![0]!,
      String(file.protocol),
      `${median(ours.map((o) => o.dumpsFast)).toFixed(1)} ms`,
      cell((s) => [s.ours.dumpsFast, s.cpython.dumps_fast_gcOn]),
      cell((s) => [s.ours.dumpsFast, s.cpython.dumps_gcOn]),
      cell((s) => [s.ours.dumpsFast, s.ours.dumps]),
    ]);
    if (fresh) {
      freshRows.push([
        rows.at(-1)![0]!,
        String(file.protocol),
        `${median(ours.map((o) => o.dumpsFresh ?? NaN)).toFixed(1)} ms`,
        cell((s) => [s.ours.dumpsFresh ?? NaN, s.cpython.dumps_fresh_gcOn]),
        cell((s) => [s.ours.dumpsFresh ?? NaN, s.ours.dumps]),
      ]);
    }
  }
}

const header = [
  'workload', 'proto', 'size', 'loads', 'vs CPython', 'vs CPython gc off', 'vs pickleparser', 'vs JSON.parse',
  'dumps', 'vs CPython', 'vs CPython gc off', 'vs JSON.stringify',
];
const perRound = rounds > 1 ? `; ${rounds} rounds a row: median ratio (range), median times` : '';
console.log(`\nNode ${process.version}, CPython ${report.python}; ratios are ours / theirs (below 1.00× = faster)${perRound}\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

const fastHeader = ['workload', 'proto', 'dumps fast', 'vs CPython fast', 'vs CPython default', 'vs ours default'];
console.log('\n`fast: true` (no memo, as CPython\'s Pickler.fast; CPython timed with gc on)\n');
console.log(`| ${fastHeader.join(' | ')} |`);
console.log(`| ${fastHeader.map(() => '---').join(' | ')} |`);
for (const row of fastRows) console.log(`| ${row.join(' | ')} |`);

if (freshRows.length > 0) {
  const freshHeader = ['workload', 'proto', 'dumps of new objects', 'vs CPython', 'vs ours again'];
  console.log(
    '\n`dumps` of a value loaded just before each run (untimed, on both sides), whose objects no dump has seen yet;' +
      ' the first table dumps the same objects again and again (CPython timed with gc on)\n',
  );
  console.log(`| ${freshHeader.join(' | ')} |`);
  console.log(`| ${freshHeader.map(() => '---').join(' | ')} |`);
  for (const row of freshRows) console.log(`| ${row.join(' | ')} |`);
}

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

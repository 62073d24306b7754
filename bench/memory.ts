// The memory part of `npm run bench`: CPython writes ~100 MB pickles (memory_workloads.py), and
// each is loaded by our `loads` in a fresh node process (memory-child.ts), so that one load's
// garbage, heap growth and peak RSS cannot leak into the next. Issue 7's target: the peak while
// loading stays within 2× of the memory the loaded values hold.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild, run } from './children.js';
import type { MemoryResult } from './memory-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_RATIO = 2;

interface MemoryFile {
  workload: string;
  protocol: number;
  file: string;
  bytes: number;
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
// Rounded up, so that a ratio shown as 2.00× never fails the 2× target.
const times = (ratio: number): string => `${(Math.ceil(ratio * 100) / 100).toFixed(2)}×`;

/** Runs the memory benchmark; returns the markdown table and any notes (skipped workloads). */
export async function memoryBenchmark(options: { dir: string; quick: boolean; only?: string }): Promise<{ table: string[]; notes: string[] }> {
  const python = process.env.PYTHON ?? 'python3';
  const flags = [...(options.quick ? ['--quick'] : []), ...(options.only ? [`--only=${options.only}`] : [])];
  const report = JSON.parse(run(python, [join(here, 'memory_workloads.py'), options.dir, ...flags])) as {
    files: MemoryFile[];
    notes: string[];
  };

  const child = await bundleChild('memory-child', options.dir);

  const header = ['workload', 'proto', 'pickle', 'load', 'values', 'peak', 'peak / values', `within ${TARGET_RATIO}×`, 'peak RSS', 'peak RSS / values', 'views input'];
  const table = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const { workload, protocol, file } of report.files) {
    const result = JSON.parse(run(process.execPath, ['--expose-gc', child, file])) as MemoryResult;
    const ratio = result.peak / result.values;
    const rssRatio = result.peakRss / result.values;
    table.push(`| ${[
      workload,
      String(protocol),
      megabytes(result.pickleBytes),
      `${result.loadMs.toFixed(0)} ms`,
      megabytes(result.values),
      megabytes(result.peak),
      times(ratio),
      ratio <= TARGET_RATIO ? 'yes' : '**no**',
      `${result.peakRssHidden ? '≤ ' : ''}${megabytes(result.peakRss)}`,
      `${result.peakRssHidden ? '≤ ' : ''}${times(rssRatio)}`,
      result.viewsInput ? 'yes' : 'no',
    ].join(' | ')} |`);
  }
  return { table, notes: report.notes };
}

// `npm run bench` is one of the README's commands: a quick run of one workload, in two rounds,
// must print all three tables (timing, fast mode, memory) with a row per protocol and every
// ratio a number; a workload of many objects adds the table of dumps of values just loaded. What the ratios are is the benchmark's business, not a test's: nothing here
// asserts a speed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithPython } from '../helpers/python.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The rows of the table whose header starts with `header`, as arrays of cells. */
function tableRows(output: string, header: string): string[][] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const RATIO_WITH_RANGE = /^\d+\.\d\d× \(\d+\.\d\d–\d+\.\d\d\)$/;

function runBench(args: string[]): string {
  const result = spawnSync(TSX, ['bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
  if (result.status !== 0) throw new Error(`bench failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const FRESH_HEADER = '| workload | proto | dumps of new objects |';

describeWithPython('npm run bench', () => {
  it('--quick --only=bytes --rounds=2 prints the timing, fast-mode and memory tables, each ratio with its range', () => {
    const output = runBench(['--quick', '--only=bytes', '--rounds=2']);

    const timing = tableRows(output, '| workload | proto | size | loads |');
    expect(timing.map((row) => [row[0], row[1]])).toEqual([['bytes', '2'], ['bytes', '4'], ['bytes', '5']]);
    for (const row of timing) {
      // loads, dumps: times; CPython gc on and off: ratios with their range over the two rounds.
      expect(row[3]).toMatch(/^\d+\.\d ms$/);
      expect(row[8]).toMatch(/^\d+\.\d ms$/);
      for (const cell of [row[4], row[5], row[9], row[10]]) expect(cell).toMatch(RATIO_WITH_RANGE);
      expect(row[7]).toBe('n/a'); // bytes are not JSON
    }

    const fast = tableRows(output, '| workload | proto | dumps fast |');
    expect(fast).toHaveLength(3);
    for (const row of fast) for (const cell of row.slice(3)) expect(cell).toMatch(RATIO_WITH_RANGE);

    const memory = tableRows(output, '| workload | proto | pickle | load |');
    expect(memory.map((row) => [row[0], row[1], row[7], row[10]])).toEqual([
      ['bytes', '2', 'yes', 'no'],
      ['bytes', '4', 'yes', 'no'],
      ['bytes', '5', 'yes', 'no'],
    ]);
    expect(output).not.toContain(FRESH_HEADER); // bytes are not a workload of many objects
  }, 180_000);

  it('--quick --only=instances times dumps of values just loaded, registered and as placeholders', () => {
    const output = runBench(['--quick', '--only=instances']);
    const fresh = tableRows(output, FRESH_HEADER);
    expect(fresh.map((row) => [row[0], row[1]])).toEqual(
      [2, 4, 5].flatMap((protocol) => [
        ['instances (registered)', String(protocol)],
        ['instances (placeholders)', String(protocol)],
      ]),
    );
    for (const row of fresh) {
      expect(row[2]).toMatch(/^\d+\.\d ms$/);
      for (const cell of row.slice(3)) expect(cell).toMatch(/^\d+\.\d\d×$/); // against CPython and against ours again
    }
  }, 180_000);
});

// One measured load of a torch checkpoint, in a fresh process: prints {ms, peakMB, baseMB, sum}.
// mode: bytes (readFileSync + loadTorch), file (loadTorchFile, lazy: false), lazy (loadTorchFile,
// then every storage touched), fflate (fflate's unzipSync of the same bytes, for the zip choice).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Tensor, loadTorch } from '../src/index.js';
import { loadTorchFile } from '../src/node/index.js';

const [mode, path] = process.argv.slice(2) as [string, string];
const base = process.resourceUsage().maxRSS / 1024;

function touch(value: unknown): number {
  let sum = 0;
  const items = value instanceof Map ? [...value.values()] : Object.values(value as object);
  for (const item of items) if (item instanceof Tensor && item.numel > 0) sum += Number(item.data[item.data.length - 1]);
  return sum;
}

const start = performance.now();
let sum = 0;
if (mode === 'bytes') sum = touch(loadTorch(readFileSync(path)));
else if (mode === 'file') sum = touch(loadTorchFile(path, { lazy: false }));
else if (mode === 'lazy') sum = touch(loadTorchFile(path));
else if (mode === 'fflate') {
  // Not a dependency of this package (a dev tool brings it): measured only where it is installed.
  const { unzipSync } = (await import('fflate')) as typeof import('fflate');
  const entries = unzipSync(readFileSync(path));
  sum = Object.values(entries).reduce((n, e) => n + e.length, 0);
} else throw new Error(`unknown mode ${mode}`);
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, peakMB: process.resourceUsage().maxRSS / 1024, baseMB: base, sum }));

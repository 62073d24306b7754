// npm run bench:torch: loading a ~500 MB state_dict (float32 weights, a few small tensors) with
// pickle-mapper against torch.load(path, weights_only=True) under /usr/bin/python3 (torch 1.13),
// each in fresh processes, warm page cache; time and peak RSS above the process's own baseline.
// Also fflate's unzipSync of the same file (the library this package did not use for zip: it
// copies every stored entry). Medians of ROUNDS rounds, ratios per round. Not part of npm test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleChild, run } from './children.js';
import { median, ratioCell } from './rounds.js';

const ROUNDS = Number(process.env.TORCH_BENCH_ROUNDS ?? 5);
const MB = Number(process.env.TORCH_BENCH_MB ?? 500);
const PYTHON = process.env.PYTHON_TORCH ?? '/usr/bin/python3';

interface Sample {
  ms: number;
  peakMB: number;
  baseMB: number;
}

const dir = mkdtempSync(join(tmpdir(), 'pm-torch-bench-'));
const file = join(dir, 'state.pt');
run(PYTHON, [
  '-c',
  `
import torch, collections
torch.manual_seed(0)
state = collections.OrderedDict()
per = 2_500_000  # 10 MB of float32 per weight
for i in range(${Math.round(MB / 10)}):
    state[f'layer{i}.weight'] = torch.randn(per // 1000, 1000)
    state[f'layer{i}.bias'] = torch.randn(1000)
    state[f'layer{i}.steps'] = torch.tensor(i)
torch.save(state, ${JSON.stringify(file)})
`,
]);
const child = await bundleChild('torch-load-child', dir);
const PY_CHILD = `
import json, resource, sys, time, torch
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
state = torch.load(sys.argv[1], weights_only=True)
s = sum(float(v.view(-1)[-1]) for v in state.values() if v.numel())
ms = (time.perf_counter() - t) * 1000
print(json.dumps({'ms': ms, 'peakMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'baseMB': base}))
`;

function sample(command: string, args: string[]): Sample {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Sample;
}

const modes = ['bytes', 'file', 'lazy', 'fflate'] as const;
const samples: Record<string, Sample[]> = { torch: [], bytes: [], file: [], lazy: [], fflate: [] };
sample(PYTHON, ['-c', PY_CHILD, file]); // warm the page cache
for (let round = 0; round < ROUNDS; round++) {
  samples.torch!.push(sample(PYTHON, ['-c', PY_CHILD, file]));
  for (const mode of modes) samples[mode]!.push(sample(process.execPath, [child, mode, file]));
}
const size = statSync(file).size / 2 ** 20;
console.log(`state_dict of ${size.toFixed(0)} MiB (${Math.round(MB / 10) * 3} tensors), ${ROUNDS} rounds, medians [ranges]\n`);
console.log('| reader | time ms | time vs torch.load | peak RSS above baseline, MiB |');
console.log('|---|---|---|---|');
const labels: Record<string, string> = {
  torch: 'torch.load(weights_only=True)',
  bytes: 'loadTorch(readFileSync(path))',
  file: 'loadTorchFile(path, { lazy: false })',
  lazy: 'loadTorchFile(path), then every tensor touched',
  fflate: "fflate unzipSync(readFileSync(path)) (entries only)",
};
for (const name of ['torch', ...modes]) {
  const rows = samples[name]!;
  const pairs = rows.map((s, i) => [s.ms, samples.torch![i]!.ms] as const);
  console.log(`| ${labels[name]} | ${median(rows.map((s) => s.ms)).toFixed(0)} | ${name === 'torch' ? '1.00×' : ratioCell(pairs)} | ${median(rows.map((s) => s.peakMB - s.baseMB)).toFixed(0)} |`);
}
rmSync(dir, { recursive: true, force: true });

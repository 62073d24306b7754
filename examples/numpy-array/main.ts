// A numpy array from Python read as a typed array (with shape, dtype and order explicit), worked
// on in TypeScript, and sent back so numpy loads arrays of the same dtype, shape and order.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumps, loads, NdArray } from 'pickle-mapper';

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.PYTHON ?? 'python3';

const sent = spawnSync(python, [join(here, 'model.py'), 'send'], { maxBuffer: 1 << 24 });
if (sent.status !== 0) throw new Error(`python3 failed: ${sent.stderr}`);
const { weights, counts } = loads(sent.stdout) as { weights: NdArray; counts: NdArray };

console.log(`weights: ${weights.dtype.str} shape [${weights.shape}] ${weights.data.constructor.name} [${[...(weights.data as Float32Array)]}]`);
console.log(`counts: ${counts.dtype.str} shape [${counts.shape}] values [${[...(counts.data as BigInt64Array)]}]`);

// Work on the typed array, then build a new one from a JavaScript typed array and a shape.
const doubled = NdArray.from((weights.data as Float32Array).map((x) => x * 2), { shape: weights.shape });
const fortran = NdArray.from(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], order: 'F' });

const back = spawnSync(python, [join(here, 'model.py'), 'check'], { input: dumps({ weights: doubled, fortran }, { protocol: 5 }) });
if (back.status !== 0) throw new Error(`python3 rejected the arrays: ${back.stderr}`);
process.stdout.write(back.stdout);

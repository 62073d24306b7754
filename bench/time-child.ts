// One row of the timing table, in a fresh process (see run.ts): times our loads and dumps,
// pickleparser's loader and JSON.parse/stringify on one workload's pickle at one protocol, and
// prints a JSON TimeResult. A fresh process per row keeps earlier rows' heap growth and garbage,
// and the JIT feedback other workloads left, off this row's times. Instances are timed
// registered or as placeholders (VARIANT), each in a process of its own, so that neither is
// timed in a heap the other has grown.
//
// With --fresh it also times dumps of a value loaded just before each run (not timed), whose
// objects no dump has seen yet: V8 gives an object its identity hash when it first becomes a Map
// key, and a memo lookup of an object without one ends at once, so a first dump costs less than
// dumping the same objects again, which is what the main table times.
//
// usage: node time-child.mjs DIR WORKLOAD PROTOCOL [VARIANT] [--quick] [--fresh]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Parser } from 'pickleparser';
import { Bench } from 'tinybench';
import { dumps, loads, Registry, registerClass } from '../src/index.js';

export interface TimeResult {
  /** '' or, for instances, 'registered' / 'placeholders'. */
  variant: string;
  loads: number;
  dumps: number;
  /** dumps with `fast: true` (no memo, as CPython's Pickler.fast). */
  dumpsFast: number;
  /** With --fresh: dumps of a value loaded just before each run. */
  dumpsFresh?: number;
  /** Undefined where pickleparser cannot read the pickle or there is no JSON of the workload. */
  parser?: number;
  jsonParse?: number;
  jsonStringify?: number;
}

const quick = process.argv.includes('--quick');
const fresh = process.argv.includes('--fresh');
const [dir, workload, protocolText, variant = ''] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (!dir || !workload || !protocolText) throw new Error('usage: time-child DIR WORKLOAD PROTOCOL [VARIANT] [--quick] [--fresh]');
const protocol = Number(protocolText);

class Point {
  x = 0;
  y = 0;
  label = '';
}
const registry = new Registry();
registerClass(Point, { module: 'bench', name: 'Point', registry, fields: { x: {}, y: { type: 'float' }, label: {} } });

// A full gc before each measurement, so that the garbage of the one before is not collected on
// this one's time. Node exposes gc() only behind a flag, set here at run time.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Median milliseconds of `fn` over at least 11 runs and 1 second of runs (CPython's are timed the
 * same way), measured by tinybench after warm-up runs (V8 compiles hot code in the first few),
 * from a freshly collected heap. `beforeEach` runs before each run, untimed.
 */
async function measure(fn: () => unknown, beforeEach?: () => void): Promise<number> {
  const bench = new Bench({ iterations: quick ? 3 : 11, time: quick ? 0 : 1000, warmupIterations: quick ? 1 : 3, warmupTime: 0 });
  bench.add('task', fn, { beforeAll: collectGarbage, beforeEach });
  await bench.run();
  const result = bench.tasks[0]!.result as { latency?: { p50?: number }; error?: unknown };
  if (result.error) throw result.error;
  return result.latency?.p50 ?? NaN;
}

const data = new Uint8Array(readFileSync(join(dir, `${workload}.p${protocol}.pkl`)));
const options = variant === 'registered' ? { registry } : undefined;
const value = loads(data, options);
const result: TimeResult = {
  variant,
  loads: await measure(() => loads(data, options)),
  dumps: await measure(() => dumps(value, { protocol, registry })),
  dumpsFast: await measure(() => dumps(value, { protocol, registry, fast: true })),
};
if (fresh) {
  let loaded: unknown;
  result.dumpsFresh = await measure(
    () => dumps(loaded, { protocol, registry }),
    () => {
      loaded = undefined; // let go of before the next is loaded, where CPython frees it
      loaded = loads(data, options);
    },
  );
}
// pickleparser warns on every int beyond 2^53 it meets; the table is what matters here.
const warn = console.warn;
console.warn = () => {};
try {
  new Parser().parse(data);
  result.parser = await measure(() => new Parser().parse(data));
} catch {
  // pickleparser cannot read this workload
} finally {
  console.warn = warn;
}
const jsonFile = join(dir, `${workload}.json`);
if (existsSync(jsonFile)) {
  const text = readFileSync(jsonFile, 'utf8');
  const parsed: unknown = JSON.parse(text);
  result.jsonParse = await measure(() => JSON.parse(text));
  result.jsonStringify = await measure(() => JSON.stringify(parsed));
}
console.log(JSON.stringify(result));

// One memory measurement, in a fresh process (node --expose-gc, see memory.ts): loads the pickle
// file named on the command line and prints a JSON MemoryResult.
//
// How each number is got, and why it is honest:
// - "live" is heapUsed + external from process.memoryUsage() (external already includes
//   arrayBuffers, so adding those too would count them twice).
// - values: live after a forced full gc with the loaded value still referenced, minus live after a
//   forced gc before loading (when the input bytes are already in memory). What the value holds.
// - peak: loading is synchronous, so a timer cannot sample it. But live memory only falls during a
//   gc, so its maximum is reached either just before some gc or at the end of the load; V8's
//   GCProfiler reports live memory before each gc, which makes this peak exact (garbage included).
// - peak RSS: what the operating system saw: the resident set's high-water mark minus the RSS
//   before loading. It also counts V8's unused heap pages, so it usually runs above the live peak.
//   On Linux the mark is reset just before the load (/proc/self/clear_refs) and read from VmHWM;
//   getrusage's maxRSS is no use there, as it carries over the RSS of the node process that spawned
//   this one. Elsewhere it falls back on maxRSS, and flags a load whose peak stayed below an
//   earlier one.
import { readFileSync, writeFileSync } from 'node:fs';
import { GCProfiler } from 'node:v8';
import { loads } from '../src/index.js';

export interface MemoryResult {
  pickleBytes: number;
  loadMs: number;
  /** Bytes the loaded value holds (live memory it keeps after a full gc). */
  values: number;
  /** Most live memory (heap + external) above the baseline during the load, garbage included. */
  peak: number;
  /** Highest resident set size above the baseline during the load. */
  peakRss: number;
  /** The process had peaked higher before the load: peakRss is an upper bound only. */
  peakRssHidden: boolean;
  /** The value holds a view into the input's memory (so the input stays alive with it). */
  viewsInput: boolean;
}

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with node --expose-gc');
const fullGc = (): void => {
  collect();
  collect(); // a second pass frees what the first one's finalizers released
};
const live = (): number => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};

/** Resets the RSS high-water mark where Linux allows it. */
function resetRssHighWater(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux (or too old): highWaterRss falls back on maxRSS
  }
}

/** The RSS high-water mark: VmHWM on Linux, getrusage's maxRSS elsewhere. */
function highWaterRss(): number {
  try {
    const kilobytes = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kilobytes !== undefined) return Number(kilobytes) * 1024;
  } catch {
    // no /proc
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Whether anything reachable from `root` is a view of (or is) `buffer`. */
function referencesBuffer(root: unknown, buffer: ArrayBufferLike): boolean {
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || (typeof item !== 'object' && typeof item !== 'function') || seen.has(item)) continue;
    seen.add(item);
    if (item === buffer) return true;
    if (ArrayBuffer.isView(item)) {
      if (item.buffer === buffer) return true;
      continue;
    }
    if (Array.isArray(item)) for (const element of item) pending.push(element);
    else if (item instanceof Map) for (const [key, value] of item) pending.push(key, value);
    else if (item instanceof Set) for (const value of item) pending.push(value);
    if (!Array.isArray(item)) {
      for (const key of Reflect.ownKeys(item)) pending.push((item as Record<PropertyKey, unknown>)[key]);
    }
  }
  return false;
}

const input = readFileSync(process.argv[2]!);
fullGc();
const baseLive = live();
const baseRss = process.memoryUsage().rss;
resetRssHighWater();
const rssPeakBefore = highWaterRss();

const profiler = new GCProfiler();
profiler.start();
const start = performance.now();
const value: unknown = loads(input);
const loadMs = performance.now() - start;
const liveAtEnd = live();
const rssPeakAfter = highWaterRss();
const beforeEachGc = profiler.stop().statistics.map(({ beforeGC: { heapStatistics: s } }) => s.usedHeapSize + s.externalMemory);

fullGc();
const values = live() - baseLive;
const result: MemoryResult = {
  pickleBytes: input.byteLength,
  loadMs,
  values,
  peak: Math.max(liveAtEnd, ...beforeEachGc) - baseLive,
  peakRss: rssPeakAfter - baseRss,
  peakRssHidden: rssPeakAfter <= rssPeakBefore,
  viewsInput: referencesBuffer(value, input.buffer),
};
console.log(JSON.stringify(result));

// Sending JavaScript values to CPython as the same object graph, and getting CPython's pickles of
// them back (see build_and_pickle.py for the tagged format and the Python side).
//
// - `toTagged(value)` describes a value of the builtin types (None, bool, int, float, str, bytes,
//   bytearray, list, tuple, dict, set, frozenset) in the tagged JSON format: every object gets an
//   id where it first appears and later appearances are {"t":"ref"}, so shared references and
//   cycles are rebuilt as such; floats travel as their IEEE-754 bits (-0, NaN, ±inf exactly);
//   strings as UTF-16 code units (lone surrogates survive).
// - `cpythonPickles(values, protocols)` runs ONE python3 process for a whole batch, and reorders
//   every JavaScript Set/PyFrozenSet in place to the iteration order of the Python set built from
//   it: a Python set's order depends on hashing, ours is insertion order, and the pickler walks
//   each in its own order. After the call `dumps(value)` must equal CPython's bytes exactly.
// - `explainMismatch(ours, theirs)` gives pickletools.dis of both around the first difference.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlainDict, PyByteArray, PyFloat, PyFrozenSet, Tuple } from '../../../src/index.js';
import { runPython } from '../../helpers/python.js';

const SCRIPT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'build_and_pickle.py'), 'utf8');

export type Tagged =
  | null
  | boolean
  | { t: 'int' | 'float' | 'bytes' | 'bytearray'; v: string; id?: number }
  | { t: 'str'; v: number[]; id?: number }
  | { t: 'list' | 'tuple' | 'set' | 'frozenset'; id: number; v: Tagged[] }
  | { t: 'dict'; id: number; v: Array<[Tagged, Tagged]> }
  | { t: 'ref'; id: number };

export interface TaggedValue {
  readonly tagged: Tagged;
  /** Every Set/PyFrozenSet of the value by its id, with its items in the order they were sent. */
  readonly sets: Map<number, { set: Set<unknown>; items: unknown[] }>;
}

export interface TagOptions {
  /** Give strings ids too, so one JavaScript string value used twice is one Python object. */
  shareStrings?: boolean;
}

export function floatBits(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, false);
  return view.getBigUint64(0, false).toString(16).padStart(16, '0');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function codeUnits(text: string): number[] {
  const units = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return units;
}

/** The tagged description of `value` (types as `dumps` sees them). */
export function toTagged(value: unknown, options: TagOptions = {}): TaggedValue {
  const ids = new Map<unknown, number>();
  const sets = new Map<number, { set: Set<unknown>; items: unknown[] }>();
  const walk = (v: unknown): Tagged => {
    switch (typeof v) {
      case 'undefined':
        return null;
      case 'boolean':
        return v;
      case 'number':
        return Number.isSafeInteger(v) && !Object.is(v, -0) ? { t: 'int', v: String(v) } : { t: 'float', v: floatBits(v) };
      case 'bigint':
        return { t: 'int', v: v.toString() };
      case 'string': {
        if (!options.shareStrings) return { t: 'str', v: codeUnits(v) };
        const known = ids.get(v);
        if (known !== undefined) return { t: 'ref', id: known };
        const id = ids.size;
        ids.set(v, id);
        return { t: 'str', id, v: codeUnits(v) };
      }
      case 'object':
        break;
      default:
        throw new Error(`toTagged: cannot describe a ${typeof v}`);
    }
    if (v === null) return null;
    if (v instanceof PyFloat) return { t: 'float', v: floatBits(v.value) };
    const known = ids.get(v);
    if (known !== undefined) return { t: 'ref', id: known };
    const id = ids.size;
    ids.set(v, id);
    if (v instanceof Uint8Array) return { t: v instanceof PyByteArray ? 'bytearray' : 'bytes', id, v: hex(v) };
    if (v instanceof Tuple) return { t: 'tuple', id, v: v.map(walk) };
    if (Array.isArray(v)) return { t: 'list', id, v: v.map(walk) };
    if (v instanceof Map) return { t: 'dict', id, v: [...v].map(([k, x]) => [walk(k), walk(x)] as [Tagged, Tagged]) };
    if (v instanceof Set) {
      const items = [...v];
      sets.set(id, { set: v, items });
      return { t: v instanceof PyFrozenSet ? 'frozenset' : 'set', id, v: items.map(walk) };
    }
    if (isPlainDict(v)) {
      return { t: 'dict', id, v: Object.keys(v).map((k) => [walk(k), walk(v[k])] as [Tagged, Tagged]) };
    }
    throw new Error(`toTagged: not a builtin-type value: ${Object.prototype.toString.call(v)}`);
  };
  const tagged = walk(value);
  return { tagged, sets };
}

export interface CPythonResult {
  /** CPython's pickle by protocol. */
  readonly pickles: Map<number, Uint8Array>;
  /** Iteration order of each set/frozenset by id: indices into the items as they were sent. */
  readonly orders: Readonly<Record<string, number[]>>;
}

interface RawResult {
  pickles?: Record<string, string>;
  orders?: Record<string, number[]>;
  error?: string;
}

/** Counts python3 processes started here (the property tests check that they batch). */
export const pythonRuns = { count: 0 };

/** Puts each set of `described` into the iteration order CPython reported for it. */
export function applyOrders(described: TaggedValue, orders: Readonly<Record<string, number[]>>): void {
  for (const [id, { set, items }] of described.sets) {
    const order = orders[String(id)];
    if (!order || order.length !== items.length || new Set(order).size !== items.length) {
      throw new Error(`python gave no usable iteration order for set ${id}`);
    }
    set.clear();
    for (const index of order) set.add(items[index]);
  }
}

/**
 * CPython's pickles of every value at every protocol, from one python3 process; reorders the
 * values' sets in place (see the top of this file). Throws when Python could not rebuild a value.
 */
export function cpythonPickles(
  values: readonly unknown[],
  protocols: readonly number[],
  options: TagOptions & { allowRepeatedStrings?: boolean } = {},
): CPythonResult[] {
  const described = values.map((v) => toTagged(v, options));
  const results = cpythonPicklesTagged(described, protocols, options.allowRepeatedStrings ?? false);
  results.forEach((result, i) => applyOrders(described[i]!, result.orders));
  return results;
}

/** As cpythonPickles, for values already described, without reordering their sets. */
export function cpythonPicklesTagged(
  described: readonly TaggedValue[],
  protocols: readonly number[],
  allowRepeatedStrings = false,
): CPythonResult[] {
  const request = {
    mode: 'pickle',
    protocols,
    allowRepeatedStrings,
    values: described.map((d) => d.tagged),
  };
  pythonRuns.count++;
  const answer = JSON.parse(runPython(SCRIPT, JSON.stringify(request)).toString('utf8')) as { results: RawResult[] };
  return answer.results.map((raw, i) => {
    if (raw.error !== undefined || !raw.pickles || !raw.orders) {
      throw new Error(`python could not rebuild value #${i}:\n${raw.error}\n${preview(described[i]!.tagged)}`);
    }
    const pickles = new Map<number, Uint8Array>();
    for (const [p, b64] of Object.entries(raw.pickles)) pickles.set(Number(p), new Uint8Array(Buffer.from(b64, 'base64')));
    return { pickles, orders: raw.orders };
  });
}

/** The tagged JSON of a value, cut to `max` characters. */
export function preview(tagged: Tagged, max = 1500): string {
  const text = JSON.stringify(tagged);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Index of the first differing byte, or -1 when equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return firstDifference(a, b) === -1;
}

/** pickletools.dis of both pickles around their first difference, as text. */
export function explainMismatch(ours: Uint8Array, theirs: Uint8Array): string {
  pythonRuns.count++;
  const answer = JSON.parse(
    runPython(
      SCRIPT,
      JSON.stringify({ mode: 'explain', ours: Buffer.from(ours).toString('base64'), theirs: Buffer.from(theirs).toString('base64') }),
    ).toString('utf8'),
  ) as { firstDifference: number; ours: string[]; theirs: string[]; oursLength: number; theirsLength: number; equalWhenLoaded: string };
  return [
    `first difference at byte ${answer.firstDifference}; ours ${answer.oursLength} bytes, CPython ${answer.theirsLength}; pickle.loads(ours) == pickle.loads(CPython's): ${answer.equalWhenLoaded}`,
    'ours (pickletools):',
    ...answer.ours,
    "CPython's (pickletools):",
    ...answer.theirs,
  ].join('\n');
}

/** A message for a byte mismatch, or undefined when `ours` equals `theirs`. */
export function mismatchReport(label: string, ours: Uint8Array, theirs: Uint8Array, tagged?: Tagged): string | undefined {
  if (sameBytes(ours, theirs)) return undefined;
  return [`${label}: dumps differs from CPython`, tagged === undefined ? '' : `value: ${preview(tagged)}`, explainMismatch(ours, theirs)]
    .filter(Boolean)
    .join('\n');
}

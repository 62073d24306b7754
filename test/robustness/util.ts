// Shared pieces of the robustness tests (test/robustness-*.test.ts): the corpora, an opcode
// scanner independent of the unpickler, a seeded PRNG and a value-model checker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PyByteArray,
  PyComplex,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  UnpicklingError,
  isPlainDict, PyDate, PyDatetime, PyTime, PyTimedelta, PyTimezone, PyDecimal, PyFraction, PyUUID, PyRange, PySlice, PyFloat, PyEnumMember, NdArray, NdDtype, NumpyScalar } from '../../src/index.js';
import { ARGUMENT_WIDTH, OPCODE_BY_CODE } from '../../src/protocol/opcodes.js';
import { seededRandom as prng } from '../helpers/random.js';
export { seededRandom as prng } from '../helpers/random.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Directory of the corpus written by make-corpus.py. */
export const CORPUS_DIR = join(here, 'corpus');
/** Directory of the shared interop fixtures (read only here; another generator owns it). */
export const FIXTURE_DIR = join(here, '..', 'fixtures', 'pickles');

export interface PickleFile {
  readonly name: string;
  readonly data: Uint8Array;
}

function readPickles(dir: string, prefix: string): PickleFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.pkl'))
    .sort()
    .map((name) => ({ name: `${prefix}/${name}`, data: new Uint8Array(readFileSync(join(dir, name))) }));
}

/** The committed robustness corpus (test/robustness/corpus/*.pkl). */
export function corpusFiles(): PickleFile[] {
  return readPickles(CORPUS_DIR, 'corpus');
}

/** test/fixtures/pickles/*.pkl, globbed now (empty when the directory does not exist). */
export function fixtureFiles(): PickleFile[] {
  return readPickles(FIXTURE_DIR, 'fixtures');
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/** Little-endian unsigned integer of `width` bytes. */
export function le(value: number | bigint, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let v = BigInt(value);
  for (let i = 0; i < width; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * The opcodes of the first pickle in `data`, found by walking opcodes and skipping their
 * arguments with the opcode table alone, as pickletools.genops does: no stack, no memo, no
 * values. Returns the offset of every opcode and the end of the pickle (just past its STOP),
 * or undefined when the bytes are not a well-formed opcode stream ending in STOP.
 */
export function scanOpcodes(data: Uint8Array): { starts: number[]; end: number } | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const starts: number[] = [];
  let pos = 0;
  while (pos < data.length) {
    const info = OPCODE_BY_CODE[data[pos]!];
    if (!info) return undefined;
    starts.push(pos);
    pos++;
    if (info.name === 'STOP') return { starts, end: pos };
    if (info.arg === null) continue;
    const width = ARGUMENT_WIDTH[info.arg];
    let skip: number;
    if (width >= 0) {
      skip = width;
    } else if (width === -1) {
      const lines = info.arg === 'stringnl_noescape_pair' ? 2 : 1;
      for (let i = 0; i < lines; i++) {
        const newline = data.indexOf(0x0a, pos);
        if (newline < 0) return undefined;
        pos = newline + 1;
      }
      continue;
    } else if (width === -2) {
      if (pos + 1 > data.length) return undefined;
      skip = 1 + data[pos]!;
    } else if (width === -3 || width === -4) {
      if (pos + 4 > data.length) return undefined;
      const n = width === -3 ? view.getInt32(pos, true) : view.getUint32(pos, true);
      if (n < 0) return undefined;
      skip = 4 + n;
    } else {
      if (pos + 8 > data.length) return undefined;
      const n = view.getBigUint64(pos, true);
      if (n > BigInt(data.length)) return undefined;
      skip = 8 + Number(n);
    }
    if (pos + skip > data.length) return undefined;
    pos += skip;
  }
  return undefined;
}

/** Where the first pickle in `data` ends (just past its STOP), by `scanOpcodes`. */
export function pickleEnd(data: Uint8Array): number | undefined {
  return scanOpcodes(data)?.end;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `fn`, returning its value or what it threw. */
export function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Describes a thrown value for an assertion message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return `non-Error thrown: ${String(error)}`;
}

/**
 * Walks a loaded value iteratively (it may be cyclic and arbitrarily deep) and checks that every
 * reachable node belongs to the value model: null, booleans, numbers, bigints, strings, byte
 * arrays, arrays and tuples, sets, maps, plain-object dicts, PyObject, PyGlobal, PyComplex.
 * Returns the number of distinct objects, or throws naming the first foreign node.
 */
export function checkValueModel(root: unknown): number {
  const seen = new Set<object>();
  const pending: Array<[unknown, string]> = [[root, '$']];
  while (pending.length > 0) {
    const [node, path] = pending.pop()!;
    switch (typeof node) {
      case 'boolean':
      case 'number':
      case 'bigint':
      case 'string':
        continue;
      case 'object':
        break;
      default:
        throw new Error(`${typeof node} at ${path}`);
    }
    if (node === null) continue;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof Uint8Array) {
      if (node.constructor !== Uint8Array && node.constructor !== PyByteArray) {
        throw new Error(`${node.constructor.name} at ${path}`);
      }
    } else if (Array.isArray(node)) {
      // Arrays must be dense: Object.keys would skip holes, so compare the counts.
      if (Object.keys(node).length !== node.length) throw new Error(`sparse array at ${path}`);
      node.forEach((item, i) => pending.push([item, `${path}[${i}]`]));
    } else if (node instanceof Set) {
      if (node.constructor !== Set && node.constructor !== PyFrozenSet) throw new Error(`set subclass at ${path}`);
      let i = 0;
      for (const item of node) pending.push([item, `${path}{${i++}}`]);
    } else if (node instanceof Map) {
      let i = 0;
      for (const [k, v] of node) {
        pending.push([k, `${path}<key ${i}>`], [v, `${path}<value ${i}>`]);
        i++;
      }
    } else if (isPlainDict(node)) {
      for (const key of Object.keys(node)) {
        const descriptor = Object.getOwnPropertyDescriptor(node, key)!;
        if (!('value' in descriptor)) throw new Error(`accessor property ${key} at ${path}`);
        pending.push([descriptor.value, `${path}.${key}`]);
      }
    } else if (node instanceof PyObject) {
      pending.push([node.cls, `${path}.cls`], [node.args, `${path}.args`]);
      if (node.state !== undefined) pending.push([node.state, `${path}.state`]);
      if (node.listItems !== undefined) pending.push([node.listItems, `${path}.listItems`]);
      if (node.dictItems !== undefined) pending.push([node.dictItems, `${path}.dictItems`]);
      if (node.kwargs !== undefined) pending.push([node.kwargs, `${path}.kwargs`]);
    } else if (node instanceof PyGlobal || node instanceof PyComplex) {
      continue;
    } else if (
      node instanceof PyDate ||
      node instanceof PyTimedelta ||
      node instanceof PyDecimal ||
      node instanceof PyFraction ||
      node instanceof PyUUID ||
      node instanceof PyRange ||
      node instanceof PyFloat ||
      node instanceof PyEnumMember
    ) {
      continue; // standard types made of scalars
    } else if (node instanceof NdArray) {
      // Typed data is a leaf; an object array's data is an Array of values to walk.
      if (Array.isArray(node.data)) pending.push([node.data, `${path}.data`]);
      pending.push([node.dtype, `${path}.dtype`]);
    } else if (node instanceof NdDtype || node instanceof NumpyScalar) {
      continue;
    } else if (node instanceof PyDatetime || node instanceof PyTime) {
      if (node.tzinfo !== null) pending.push([node.tzinfo, `${path}.tzinfo`]);
    } else if (node instanceof PyTimezone) {
      pending.push([node.offset, `${path}.offset`]);
    } else if (node instanceof PySlice) {
      pending.push([node.start, `${path}.start`], [node.stop, `${path}.stop`], [node.step, `${path}.step`]);
    } else {
      throw new Error(`foreign object ${(node as object).constructor?.name ?? 'null-prototype'} at ${path}`);
    }
  }
  return seen.size;
}

/** True for the error every load failure must be. */
export function isUnpicklingError(error: unknown): error is UnpicklingError {
  return error instanceof UnpicklingError;
}

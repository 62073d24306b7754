// Comparing loaded tensors with what torch itself reported (test/fixtures/torch/*.json, written
// by test/fixtures/torch/generate.py or by a live torch).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Parameter, Tensor, extraState } from '../../../src/index.js';

export const FIXTURES = new URL('../../fixtures/torch/', import.meta.url);

export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  requiresGrad: boolean;
  parameter: boolean;
  storageSize: number;
  /** C-order elements: numbers, int64 as decimal strings, float16/bfloat16 as bit patterns. */
  values: Array<number | string | boolean>;
}

export interface Expected {
  tensors: Record<string, ExpectedTensor>;
  shared: string[][];
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

export function expectedOf(name: string): Expected {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as Expected;
}

/** The value at a path such as '/list/0' or '/1.weight' (dict keys, list indices). */
export function at(root: unknown, path: string): unknown {
  let value = root;
  for (const part of path.split('/').slice(1)) {
    if (value instanceof Map) value = value.get(part);
    else if (Array.isArray(value)) value = value[Number(part)];
    else value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function elements(tensor: Tensor): Array<number | string | boolean> {
  const flat = tensor.contiguousData();
  const out: Array<number | string | boolean> = [];
  for (let i = 0; i < tensor.numel; i++) {
    const value = flat[i]!;
    if (tensor.dtype === 'bool') out.push(value !== 0);
    else if (typeof value === 'bigint') out.push(value.toString());
    else out.push(value);
  }
  return out;
}

/** Checks every tensor torch reported, and that the ones sharing a storage share one here. */
export function expectTensors(loaded: unknown, expected: Expected): void {
  const paths = Object.keys(expected.tensors);
  expect(paths.length).toBeGreaterThan(0);
  for (const path of paths) {
    const want = expected.tensors[path]!;
    const tensor = at(loaded, path);
    expect(tensor, path).toBeInstanceOf(Tensor);
    const t = tensor as Tensor;
    expect({ path, dtype: t.dtype, shape: [...t.shape], stride: [...t.stride], offset: t.storageOffset, requiresGrad: t.requiresGrad, parameter: t instanceof Parameter, storageSize: t.storage.size }).toEqual({
      path,
      dtype: want.dtype,
      shape: want.shape,
      stride: want.stride,
      offset: want.offset,
      requiresGrad: want.requiresGrad,
      parameter: want.parameter,
      storageSize: want.storageSize,
    });
    const got = elements(t);
    if (t.dtype === 'float32') expect(got, path).toEqual(want.values.map((v) => Math.fround(v as number)));
    else expect(got, path).toEqual(want.values);
  }
  for (const group of expected.shared) {
    const storages = new Set(group.map((path) => (at(loaded, path) as Tensor).storage));
    expect(storages.size, group.join(', ')).toBe(1);
  }
  const all = new Set(paths.map((path) => (at(loaded, path) as Tensor).storage));
  const groups = expected.shared.reduce((n, group) => n + group.length - 1, 0);
  expect(all.size).toBe(paths.length - groups);
}

export { extraState };

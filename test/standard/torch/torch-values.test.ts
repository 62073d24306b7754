import { describe, expect, it } from 'vitest';
import { Parameter, PickleError, Storage, Tensor, bfloat16ToNumber, halfToNumber, loadTorch, numberToBfloat16, numberToHalf } from '../../../src/index.js';
import { expectedOf, fixture } from './expected.js';

describe('Tensor and Storage values', () => {
  it('converts to float16 and bfloat16 bits as torch rounds (bits from torch 1.13)', () => {
    const tensors = expectedOf('mixed.pt').tensors;
    expect([1.0, -2.5, 65504.0, 6e-8, 0.0, -0.0].map(numberToHalf)).toEqual(tensors['/f16']!.values);
    expect([1.0, -2.5, 3.0e38, 1e-30, 0.0].map(numberToBfloat16)).toEqual(tensors['/bf16']!.values);
    expect((tensors['/bf16']!.values as number[]).map(bfloat16ToNumber).slice(0, 2)).toEqual([1, -2.5]);
    expect(bfloat16ToNumber(numberToBfloat16(Number.NaN))).toBeNaN();
    expect(bfloat16ToNumber(numberToBfloat16(-Infinity))).toBe(-Infinity);
    expect(halfToNumber(numberToHalf(0.5))).toBe(0.5);
  });

  it('reads elements through strides and offset, and converts them', () => {
    const loaded = loadTorch(fixture('mixed.pt')) as Record<string, Tensor>;
    const sliced = loaded['sliced']!; // base[1:, 2:5] of arange(24).reshape(4, 6)
    expect(sliced.at(0, 0)).toBe(8);
    expect(sliced.at(2, 2)).toBe(22);
    expect(sliced.isContiguous).toBe(false);
    expect(sliced.toArray()).toEqual([8, 9, 10, 14, 15, 16, 20, 21, 22]);
    expect(loaded['transposed']!.toArray().slice(0, 4)).toEqual([0, 6, 12, 18]);
    expect(loaded['bool']!.toArray()).toEqual([true, false, true, true]);
    expect(loaded['i64']!.at(1, 2)).toBe(-(2n ** 62n));
    expect(loaded['f16']!.toArray()).toEqual([1, -2.5, 65504, halfToNumber(numberToHalf(6e-8)), 0, -0]);
    expect(loaded['scalar']!.at()).toBe(3.5);
    expect(loaded['empty']!.toArray()).toEqual([]);
    expect(() => sliced.at(3, 0)).toThrow(PickleError);
  });

  it('makes contiguous tensors over typed arrays and parameters over tensors', () => {
    const t = Tensor.from('float64', new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.stride).toEqual([3, 1]);
    expect(t.contiguousData().buffer).toBe(t.storage.data.buffer); // a view, not a copy
    const p = Parameter.of(t);
    expect(p.requiresGrad).toBe(true);
    expect(p.storage).toBe(t.storage);
    expect(() => Tensor.from('float32', new Float64Array(2) as unknown as Float32Array)).toThrow(expect.objectContaining({ code: 'INVALID_TENSOR' }));
    expect(() => Tensor.from('float32', new Float32Array(6), [4, 2])).toThrow(expect.objectContaining({ code: 'INVALID_TENSOR' }));
    expect(() => new Tensor(new Storage('float32', 4, new Uint8Array(16)), [2, 2], { stride: [3, 1] })).toThrow(expect.objectContaining({ code: 'INVALID_TENSOR' }));
    expect(() => new Storage('float32', 4, new Uint8Array(15))).toThrow(expect.objectContaining({ code: 'INVALID_TENSOR' }));
  });
});

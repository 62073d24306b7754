import { describe, expect, it } from 'vitest';
import { median, ratioCell } from '../../bench/rounds.js';

describe('bench rounds: ratios taken pair by pair', () => {
  it('median of odd and even counts, NaN of none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('one round is the plain ratio', () => {
    expect(ratioCell([[1, 2]])).toBe('0.50×');
  });

  it('several rounds: the median of the per-round ratios, not the ratio of the medians, with their range', () => {
    // Per round 0.5, 2 and 1: median 1.00.
    expect(ratioCell([[1, 2], [4, 2], [3, 3]])).toBe('1.00× (0.50–2.00)');
    // ours 1, 10, 10; theirs 2, 1, 20 -> ratios 0.5, 10, 0.5: median 0.50; ratio of medians 10 / 2 = 5.
    expect(ratioCell([[1, 2], [10, 1], [10, 20]])).toBe('0.50× (0.50–10.00)');
  });

  it("n/a when any round has nothing to compare with", () => {
    expect(ratioCell([[1, undefined]])).toBe('n/a');
    expect(ratioCell([[1, 2], [1, Number.NaN]])).toBe('n/a');
    expect(ratioCell([])).toBe('n/a');
  });
});

// Several rounds of one row: each round times CPython and then us, so each ratio is taken pair by
// pair, from two measurements made close together in time, and the row reports their median. On a
// machine whose speed drifts with its neighbours' load, that is steadier than a ratio of medians.

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * A ratio cell, ours / theirs per round: their median, and with several rounds their range
 * (`0.95× (0.90–1.10)`). 'n/a' when a round has nothing to compare with.
 */
export function ratioCell(pairs: readonly (readonly [ours: number, theirs: number | undefined])[]): string {
  const ratios: number[] = [];
  for (const [ours, theirs] of pairs) {
    if (theirs === undefined || !Number.isFinite(theirs) || !Number.isFinite(ours)) return 'n/a';
    ratios.push(ours / theirs);
  }
  if (ratios.length === 0) return 'n/a';
  const cell = `${median(ratios).toFixed(2)}×`;
  if (ratios.length === 1) return cell;
  return `${cell} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

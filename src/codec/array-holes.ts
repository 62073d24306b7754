// Arrays with holes (`[1, , 3]`, `new Array(5)`, a length set past the items) have indices they
// do not have. A Python list or tuple cannot leave an item out, and writing None there would
// invent a value, so the pickler refuses them, at the first hole: a sparse array claiming
// 2^32-1 items costs only the items before it.

/** The index of the first hole of `array`, or -1 when it has none; stops at the first hole. */
export function firstHole(array: readonly unknown[]): number {
  const n = array.length;
  for (let i = 0; i < n; i++) if (!(i in array)) return i;
  return -1;
}

/** What a PicklingError says about a hole at `index`. */
export function holeMessage(index: number): string {
  return (
    `the array has a hole at index ${index} (an index it does not have, as in [1, , 3] or new Array(n)): ` +
    'a Python list or tuple cannot leave an item out; fill it (undefined and null pickle as None)'
  );
}

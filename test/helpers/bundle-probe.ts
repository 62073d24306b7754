// A probe of what a build of the package knows: two pickles of standard types, a program that
// loads them with `loads` from an entry and prints what it got, and a way to run it (bundled)
// in its own process.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Written by CPython 3.11 (numpy 2.4) at protocol 2, where bytes go through _codecs.encode:
//   pickle.dumps(datetime.datetime(2024, 2, 29, 13, 45, 30, 123456), protocol=2)
//   pickle.dumps(numpy.arange(6, dtype='<i4').reshape(2, 3), protocol=2)
const DATETIME_PICKLE = 'gAJjZGF0ZXRpbWUKZGF0ZXRpbWUKcQBjX2NvZGVjcwplbmNvZGUKcQFYDAAAAAfDqAIdDS0eAcOiQHECWAYAAABsYXRpbjFxA4ZxBFJxBYVxBlJxBy4=';
const NDARRAY_PICKLE =
  'gAJjbnVtcHkuX2NvcmUubXVsdGlhcnJheQpfcmVjb25zdHJ1Y3QKcQBjbnVtcHkKbmRhcnJheQpxAUsAhXECY19jb2RlY3MKZW5jb2RlCnEDWAEAAABicQRYBgAAAGxhdGluMXEFhnEGUnEHh3EIUnEJKEsBSwJLA4ZxCmNudW1weQpkdHlwZQpxC1gCAAAAaTRxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWBgAAAAAAAAAAQAAAAIAAAADAAAABAAAAAUAAABxEWgFhnESUnETdHEUYi4=';

/** What the probe prints when the standard types are known. */
export const LOADED_AS_STANDARD_TYPES = {
  datetime: [2024, 2, 29, 13, 45, 30, 123456],
  ndarray: { shape: [2, 3], dtype: '<i4', items: [0, 1, 2, 3, 4, 5] },
};

/** What it prints when they are not: placeholders naming the globals the pickles call. */
export const LOADED_AS_PLACEHOLDERS = {
  datetime: 'datetime.datetime',
  ndarray: 'numpy._core.multiarray._reconstruct',
};

/**
 * An ES module that loads the two pickles with `loads` from `entry` and prints what it got, by
 * properties (a minified bundle renames the classes): the datetime's fields and the array's
 * shape, dtype and items, or, for placeholders, the global each names.
 */
export function loadingProgram(entry: string): string {
  return `
import { loads } from '${entry}';
const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const dt = loads(bytes('${DATETIME_PICKLE}'));
const array = loads(bytes('${NDARRAY_PICKLE}'));
const placeholder = (value) => value.cls ? value.cls.module + '.' + value.cls.name : undefined;
console.log(JSON.stringify({
  datetime: placeholder(dt) ?? [dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond],
  ndarray: placeholder(array) ?? { shape: array.shape, dtype: array.dtype.str, items: [...array.data] },
}));
`;
}

/** Runs an ES module bundle with node (from `dir`, as `name`.mjs) and parses the JSON it prints. */
export function runBundle(dir: string, name: string, code: string): unknown {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, code);
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

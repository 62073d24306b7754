// The records of loaded floats on random values (fast-check, fixed seeds): for any value of the
// generated kinds (floats integral or not, as PyFloat or numbers, in lists, tuples, dicts, Maps,
// sets and frozensets, shared and cyclic), `dumps(loads(p))` is `p` byte for byte, where
// `p = dumps(value)`: every float loaded as a plain number is written back as a float, every
// int as an int, at every protocol and in fast mode. Each value goes inside a list: a float
// that is the whole pickle has no container to record it (docs/values.md says so). No python3
// needed: the pickles are ours, and CPython's identity with them is
// test/pickler-bytes-properties.test.ts's business.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dumps, loads } from '../../src/index.js';
import { materialize, topModel } from './pickler/value-model.js';

const RUNS = 400;
const SEED = 0xf10a_7000;

describe('dumps(loads(p)) is p for pickles holding integral floats', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`protocol ${protocol}: ${RUNS} values`, () => {
      fc.assert(
        fc.property(topModel, (model) => {
          const original = dumps([materialize(model)], { protocol });
          const again = dumps(loads(original), { protocol });
          expect(Buffer.from(again).equals(Buffer.from(original))).toBe(true);
        }),
        { seed: SEED + protocol, numRuns: RUNS },
      );
    });
  }

  it('and in fast mode (no memo, so shared values are written again, floats and all)', () => {
    fc.assert(
      fc.property(topModel, (model) => {
        const value = [materialize(model)];
        let original: Uint8Array;
        try {
          original = dumps(value, { protocol: 4, fast: true });
        } catch {
          return; // a value that contains itself cannot be written without the memo
        }
        expect(Buffer.from(dumps(loads(original), { protocol: 4, fast: true })).equals(Buffer.from(original))).toBe(true);
      }),
      { seed: SEED + 9, numRuns: RUNS },
    );
  });
});

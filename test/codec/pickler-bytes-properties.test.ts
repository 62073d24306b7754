// Byte identity with CPython on random values (fast-check, fixed seeds): for values built only of
// None, bool, int, float, str, bytes, bytearray, list, tuple, dict, set and frozenset, with
// shared references and cycles, `dumps(value, { protocol })` must be exactly
// `pickle.dumps(obj, protocol)` of the same object graph rebuilt in CPython, and never longer.
//
// How (see test/pickler/value-model.ts and test/pickler/python-graph.ts):
// - fast-check generates a model; `materialize` makes the JavaScript value under the rules byte
//   identity needs (strings unique across the value, no integer-like plain-object keys, set items
//   distinct under Python's ==, CPython's bytes singletons shared, ...);
// - the value is sent to python3 as tagged JSON that rebuilds the same graph (ids for objects,
//   refs for shared ones and cycles, floats as IEEE bits, strings as UTF-16 code units);
// - sets: a Python set's iteration order depends on hashing while a JavaScript Set keeps
//   insertion order, so Python reports each set's iteration order and the JavaScript Set is
//   rebuilt in that order before `dumps` (any items, not only ones whose hash order is known);
// - one python3 process per protocol: all the values fast-check will generate are produced
//   first with fc.sample (same seed and run count), pickled in one batch, and looked up by
//   their tagged JSON while fc.check runs. Only shrinking after a failure starts more processes.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { dumps } from '../../src/index.js';
import { describeWithPython } from '../helpers/python.js';
import {
  applyOrders,
  type CPythonResult,
  cpythonPicklesTagged,
  explainMismatch,
  preview,
  pythonRuns,
  sameBytes,
  type Tagged,
  toTagged,
} from './pickler/python-graph.js';
import { materialize, type Model, topModel } from './pickler/value-model.js';

const RUNS = 300;
const SEED = 0x5eed_0000;
const SHRINK_TIME_LIMIT_MS = 40_000;

describeWithPython('dumps equals CPython byte for byte on random values', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`protocol ${protocol}: ${RUNS} values`, () => {
      const params = { seed: SEED + protocol, numRuns: RUNS };
      const cache = new Map<string, CPythonResult>();
      const runsBefore = pythonRuns.count;
      const described = fc.sample(topModel, params).map((m) => toTagged(materialize(m)));
      cpythonPicklesTagged(described, [protocol]).forEach((result, i) => cache.set(JSON.stringify(described[i]!.tagged), result));
      expect(pythonRuns.count - runsBefore).toBe(1);

      // Shrinking a failure starts a python3 process per candidate: bounded in time, after which
      // the smallest counterexample found so far is reported.
      let misses = 0;
      const check = (model: Model): { value: unknown; tagged: Tagged; ours: Uint8Array; theirs: Uint8Array } => {
        const value = materialize(model);
        const d = toTagged(value);
        const key = JSON.stringify(d.tagged);
        let result = cache.get(key);
        if (result === undefined) {
          misses++;
          result = cpythonPicklesTagged([d], [protocol])[0]!;
          cache.set(key, result);
        }
        applyOrders(d, result.orders);
        return { value, tagged: d.tagged, ours: dumps(value, { protocol }), theirs: result.pickles.get(protocol)! };
      };
      const details = fc.check(
        fc.property(topModel, (model) => {
          const { ours, theirs } = check(model);
          return ours.length <= theirs.length && sameBytes(ours, theirs);
        }),
        { ...params, interruptAfterTimeLimit: SHRINK_TIME_LIMIT_MS },
      );
      if (details.failed) {
        const model = details.counterexample![0];
        const { tagged, ours, theirs } = check(model);
        expect.fail(
          [
            `dumps ${ours.length > theirs.length ? 'is LONGER than' : 'differs from'} CPython at protocol ${protocol} ` +
              `(seed ${details.seed}, path ${details.counterexamplePath}, ${details.numShrinks} shrinks${details.interrupted ? ', shrinking cut short' : ''})`,
            `value (tagged JSON, see test/pickler/build_and_pickle.py): ${preview(tagged)}`,
            `model: ${fc.stringify(model).slice(0, 1500)}`,
            details.errorInstance ? `error: ${String(details.errorInstance)}` : '',
            explainMismatch(ours, theirs),
          ].join('\n'),
        );
      }
      expect(details.interrupted, 'ran out of time before all runs').toBe(false);
      expect(details.numRuns).toBe(RUNS);
      expect(misses, 'fc.check generated values fc.sample did not (each one cost a python3 run)').toBe(0);
    }, 120_000);
  }
});

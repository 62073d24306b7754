// `npm run test:quick`: the behaviour tests, in under a minute and without python3, for the
// edit-and-test loop. `npm test` (vitest.config.ts) runs everything, and is what CI runs.
// - Tests that need python3 are skipped (describeWithPython, test/helpers/python.ts); one that
//   spawns python3 outside describeWithPython fails here instead of finding one.
// - Whole folders that take minutes are left out by the rule below, so a new test file is in the
//   quick run unless it joins one of them.
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/** What the quick run leaves out, and why: each takes long, and each runs in `npm test`. */
const SLOW = [
  // Hostile input, fuzzing, and child processes run against time and memory limits.
  'test/robustness/**',
  // Builds and packs the package, installs it in scratch projects, runs the README and examples.
  'test/package/**',
  // Runs the benchmark.
  'test/bench/**',
  // Run the TypeScript compiler over models and declarations (several toolchains, both decorator standards).
  'test/mapper/toolchain/**',
  'test/mapper/declaration-types.test.ts',
];

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [...configDefaults.exclude, ...SLOW],
      // A worker per core (vitest's default leaves one core to itself, which on two cores halves
      // the run); the main process has little to do here.
      maxWorkers: availableParallelism(),
      env: {
        PICKLE_MAPPER_TEST_WITHOUT_PYTHON: '1',
        PYTHON: 'python3-left-out-by-test-quick',
      },
    },
  }),
);

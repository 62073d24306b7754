// Every example runs as a user would run it (its npm script's command: tsx on the example's
// main.ts) and says what it should. The Python-side claims are checked by python3 itself.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithPython, runPython } from '../helpers/python.js';
import { describeWithTaskQueues } from '../helpers/task-queues.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function runExample(name: string): string {
  const result = spawnSync(TSX, [join(ROOT, 'examples', name, 'main.ts')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`example ${name} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const scripts = (await import('../../package.json', { with: { type: 'json' } })).default.scripts as Record<string, string>;

describeWithPython('examples', () => {
  it('every example has its npm script, and the demo is the Python interop one', () => {
    expect(scripts.demo).toBe('tsx examples/python-interop/main.ts');
    for (const name of ['versioned-model', 'renamed-module', 'numpy-array', 'multiple-pickles', 'multiprocessing-listener', 'rq-worker', 'celery-producer']) {
      expect(scripts[`example:${name}`]).toBe(`tsx examples/${name}/main.ts`);
    }
  });

  it('python-interop (npm run demo): typed objects go to python3 and come back typed', () => {
    const out = runExample('python-interop');
    expect(out).toContain('typescript: sending order 1042 (2 items, total 30)');
    expect(out).toContain("typescript: got back Order 1042, status 'confirmed'");
    expect(out).toContain('LineItem gift-wrap x1 at 2.5');
    expect(out).toContain('typescript: Receipt total 32.5 over 3 lines (thank you)');
  });

  it('versioned-model: w/b load into weights/bias, defaults and undeclared attributes kept', () => {
    const out = runExample('versioned-model');
    expect(out).toContain('loaded a Regressor: weights 0.5, -1.25, 2, bias 0.1');
    expect(out).toContain('iterations 300, learningRate 0.01 (the default)');
    expect(out).toContain('kept, undeclared: trained_on=sales-2019.csv');
    expect(out).toContain('written back in the current form and read again: bias 0.2');
  });

  it('renamed-module: a Keras 2 pickle loads into the class registered under the Keras 3 path', () => {
    const out = runExample('renamed-module');
    expect(out).toContain('loaded a Tokenizer from a Keras 2 pickle: 3 words');
    expect(out).toContain("encode('The pickle jar') = [2, 3, 1]");
    expect(out).toContain('written back under keras.src.legacy.preprocessing.text: true');
  });

  it('numpy-array: numpy arrays read as typed arrays and sent back with dtype, shape and order', () => {
    const out = runExample('numpy-array');
    expect(out).toContain('weights: <f4 shape [2,3] Float32Array [0,0.25,0.5,0.75,1,1.25]');
    expect(out).toContain('counts: >i8 shape [3] values [3,-1,1099511627776]');
    expect(out).toContain('python: got back float32 (2, 3) doubled, and a float64 (2, 3) Fortran-order array: [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]');
  });

  it('multiple-pickles: appended pickles read back one by one, and by python3 as well', () => {
    const out = runExample('multiple-pickles');
    const file = /to (\S+events\.pkl\.gz)/.exec(out)?.[1];
    expect(file).toBeDefined();
    expect(out).toMatch(/at byte +\d+: signup by ada\nat byte +\d+: purchase by ada\nat byte +\d+: logout by ada/);
    const events = runPython(`
import gzip, pickle, sys
out = []
with gzip.open(sys.argv[1], 'rb') as f:
    while True:
        try:
            out.append(pickle.load(f)['event'])
        except EOFError:
            break
print(','.join(out))
`, undefined, [file!]);
    expect(events.toString().trim()).toBe('signup,purchase,logout');
  });

  it('multiprocessing-listener: a Python Listener serves a TypeScript Client typed answers, and turns a wrong authkey away', () => {
    const out = runExample('multiprocessing-listener');
    expect(out).toMatch(/typescript: the Python Listener is on port \d+\n/);
    expect(out).toContain('typescript: wrong authkey refused (AUTHENTICATION_FAILED)\npython: turned a client away (digest received was wrong)');
    expect(out).toContain('typescript: notebook: 40 on hand at 12, 5 reserved\ntypescript: pen: 3 on hand at 1.5, 10 not available\npython: done');
  });
});

describeWithTaskQueues('queue examples (Redis, rq, celery)', () => {
  it('rq-worker: a TypeScript RQ worker serves a Python producer typed results, and Python sees the failure', () => {
    const out = runExample('rq-worker');
    expect(out).toContain('typescript: invoice 1001 for Acme, 2 lines');
    expect(out).toContain('python: invoice 1001: net 150.50 + vat 30.10 = 180.60 (Total)');
    expect(out).toContain('python: invoice 1002: net 99.99 + vat 7.00 = 106.99 (Total)');
    expect(out).toMatch(/python: job \S+ failed: ValueError: invoice 1003 has no lines/);
    expect(out).toContain('typescript: 2 jobs done, 1 failed');
  });

  it('celery-producer: a TypeScript producer feeds a Python Celery worker and reads typed results and the failure', () => {
    const out = runExample('celery-producer');
    expect(out).toContain('typescript: FR: 7.00 in 2 days (Quote)');
    expect(out).toContain('typescript: JP: 40.50 in 3 days (Quote)');
    expect(out).toContain('typescript: refused by Python: ValueError: 45.0 kg is over the 30 kg limit');
  });
});

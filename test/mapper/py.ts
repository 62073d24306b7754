// The Python side of the mapper tests, batched: one python3 process makes every pickle a test
// group needs, and one loads every pickle a test wrote and reports what it found as JSON.
import { fileURLToPath } from 'node:url';
import { runPython } from '../helpers/python.js';

const PY_DIR = fileURLToPath(new URL('./', import.meta.url));

const PRELUDE = `import sys, json, pickle, pickletools, io
sys.path.insert(0, ${JSON.stringify(PY_DIR)})
import python_models as m
from python_models import describe
`;

/**
 * Runs `body` (Python, at column 0), which fills the dict `out` with name → pickle bytes;
 * returns those pickles.
 */
export function pythonPickles(body: string): Record<string, Uint8Array> {
  const stdout = runPython(
    `${PRELUDE}out = {}\n${body}\nsys.stdout.write(json.dumps({k: v.hex() for k, v in out.items()}))`,
  );
  const hex = JSON.parse(stdout.toString()) as Record<string, string>;
  return Object.fromEntries(Object.entries(hex).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'hex'))]));
}

/**
 * Hands `pickles` to Python, which loads each into `objs[name]` (the bytes stay in `raw`), runs
 * `body` (which sets `result`, by default `{name: describe(obj)}`) and returns `result`.
 * `imports` runs first (the modules the pickles name: `import python_kinds as k`).
 */
export function pythonCheck<T = Record<string, unknown>>(pickles: Record<string, Uint8Array>, body = '', imports = ''): T {
  const input = JSON.stringify(Object.fromEntries(Object.entries(pickles).map(([k, v]) => [k, Buffer.from(v).toString('hex')])));
  const stdout = runPython(
    `${PRELUDE}${imports}\nraw = {k: bytes.fromhex(v) for k, v in json.loads(sys.stdin.read()).items()}
objs = {k: pickle.loads(v) for k, v in raw.items()}
result = {k: describe(v) for k, v in objs.items()}
${body}
sys.stdout.write(json.dumps(result))`,
    input,
  );
  return JSON.parse(stdout.toString()) as T;
}

/** pickletools.dis of some pickles, for failure messages. */
export function pythonDis(pickles: Record<string, Uint8Array>): Record<string, string> {
  return pythonCheck(pickles, `
def dis(b):
    s = io.StringIO()
    pickletools.dis(b, out=s)
    return s.getvalue()
result = {k: dis(v) for k, v in raw.items()}`);
}

/** pythonCheck for pickles of the models in python_kinds.py (imported as `k`). */
export function kindsCheck<T = Record<string, unknown>>(pickles: Record<string, Uint8Array>, body = ''): T {
  return pythonCheck<T>(pickles, body, 'import python_kinds as k');
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Asserts that each pickle of `ours` equals the one of the same name in `theirs`, byte for byte;
 * on a difference the message holds pickletools.dis of both.
 */
export function expectSameBytes(ours: Record<string, Uint8Array>, theirs: Record<string, Uint8Array>): void {
  const differing = Object.keys(ours).filter((name) => {
    const expected = theirs[name];
    if (!expected) throw new Error(`no CPython pickle named ${name}`);
    return hex(ours[name]!) !== hex(expected);
  });
  if (differing.length === 0) return;
  const both: Record<string, Uint8Array> = {};
  for (const name of differing) {
    both[`ours ${name}`] = ours[name]!;
    both[`cpython ${name}`] = theirs[name]!;
  }
  const dis = pythonDis(both);
  const report = differing
    .map((name) => `== ${name}: pickle-mapper\n${dis[`ours ${name}`]}\n== ${name}: CPython\n${dis[`cpython ${name}`]}`)
    .join('\n');
  throw new Error(`pickles differ from CPython's for ${differing.join(', ')}\n${report}`);
}

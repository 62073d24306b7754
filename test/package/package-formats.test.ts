// The packed package, installed from its tarball into scratch projects and used as users do:
// CommonJS and ESM projects with decorated classes compiled by tsc (legacy and TC39 standard
// decorators) load what Python pickled, edit it and dump it, and python3 checks what it gets; a
// process that both `require`s and `import`s the package has one copy of it; a browser bundle
// takes the ESM build alone, and keeps the standard types with the full entry and leaves them out
// with the core one; the declarations type-check per condition; the CLI runs.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { LOADED_AS_PLACEHOLDERS, LOADED_AS_STANDARD_TYPES, loadingProgram, runBundle } from '../helpers/bundle-probe.js';
import { installPackage, run, tsc, writeFiles } from '../helpers/packed-package.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const PACKAGE_DIR = join(ROOT, 'test', 'package');

// pickle.dumps(datetime.datetime(2024, 1, 2), protocol=4), as CPython 3.11 writes it.
const DATETIME_PROTOCOL_4 = 'gASVKgAAAAAAAACMCGRhdGV0aW1llIwIZGF0ZXRpbWWUk5RDCgfoAQIAAAAAAACUhZRSlC4=';
const source = (path: string) => readFileSync(join(PACKAGE_DIR, path), 'utf8');

let scratch = '';

beforeAll(() => {
  scratch = installPackage(['typescript', 'reflect-metadata', '@types/node']);
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the installed package', () => {
  it("Node's import and require give one module instance, with every export of the ESM build", () => {
    const script = `
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const dist = process.cwd() + '/node_modules/pickle-mapper/dist/';
const report = {};
for (const entry of ['index', 'core', 'decorators']) {
  const specifier = entry === 'index' ? 'pickle-mapper' : 'pickle-mapper/' + entry;
  const imported = await import(specifier);
  const required = require(specifier);
  const esmBuild = await import(dist + entry + '.js');
  const names = Object.keys(esmBuild).sort();
  report[entry] = {
    sameNames: JSON.stringify(Object.keys(imported).sort()) === JSON.stringify(names),
    sameValues: names.every((name) => imported[name] === required[name]),
    count: names.length,
  };
}
const [full, core, decorators] = [await import('pickle-mapper'), await import('pickle-mapper/core'), await import('pickle-mapper/decorators')];
report.shared = ['Tuple', 'tuple', 'PyFloat', 'pyFloat', 'Registry', 'defaultRegistry', 'registerClass'].every(
  (name) => full[name] === decorators[name],
);
report.coreShared = Object.keys(core).every((name) => core[name] === full[name]);
console.log(JSON.stringify(report));
`;
    const report = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch }));
    expect(report.index).toEqual({ sameNames: true, sameValues: true, count: expect.any(Number) });
    expect(report.core).toEqual({ sameNames: true, sameValues: true, count: expect.any(Number) });
    expect(report.decorators).toEqual({ sameNames: true, sameValues: true, count: expect.any(Number) });
    expect(report.index.count).toBeGreaterThan(50);
    expect(report.core.count).toBeGreaterThan(50);
    expect(report.core.count).toBeLessThan(report.index.count);
    expect(report.shared).toBe(true);
    expect(report.coreShared).toBe(true);
  });

  it('a browser bundle takes the ESM build alone, for import and require alike', async () => {
    writeFiles(scratch, {
      'browser/entry.js': [
        "import { loads, tuple } from 'pickle-mapper';",
        "import { PyClass } from 'pickle-mapper/decorators';",
        "const required = require('pickle-mapper');",
        'export const same = required.tuple === tuple;',
        'export { loads, PyClass };',
      ].join('\n'),
    });
    const result = await build({
      entryPoints: [join(scratch, 'browser', 'entry.js')],
      absWorkingDir: scratch,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).filter((file) => file.includes('pickle-mapper/'));
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((file) => !/node_modules\/pickle-mapper\/dist\/[\w-]+\.js$/.test(file))).toEqual([]);
    expect(Object.keys(result.metafile.inputs).some((file) => file.startsWith('node:'))).toBe(false);
  });

  it.each([
    ['pickle-mapper', LOADED_AS_STANDARD_TYPES],
    ['pickle-mapper/core', LOADED_AS_PLACEHOLDERS],
  ])("%s's loads, in a minified tree-shaken browser bundle: the standard types as its entry promises", async (entry, expected) => {
    const result = await build({
      stdin: { contents: loadingProgram(entry), resolveDir: scratch, loader: 'js' },
      absWorkingDir: scratch,
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(runBundle(scratch, entry.replace('/', '-'), result.outputFiles[0]!.text)).toEqual(expected);
  });

  it('in Node, the core knows the standard types once the full entry is loaded: one module graph', () => {
    const script = `
const core = await import('pickle-mapper/core');
const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const before = core.loads(bytes('${DATETIME_PROTOCOL_4}')) instanceof core.PyObject;
const full = await import('pickle-mapper');
const after = core.loads(bytes('${DATETIME_PROTOCOL_4}'));
console.log(JSON.stringify({ before, after: after instanceof full.PyDatetime, year: after.year }));
`;
    expect(JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch }))).toEqual({ before: true, after: true, year: 2024 });
  });

  it.each([
    ['nodenext', { module: 'nodenext' }],
    ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ])('the declarations type-check, without Node or DOM types (%s resolution)', (name, options) => {
    const dir = join(scratch, `declarations-${name}`);
    writeFiles(dir, {
      'package.json': JSON.stringify({ name: 'declarations', private: true, type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { target: 'ES2022', strict: true, noEmit: true, types: [], lib: ['es2022'], skipLibCheck: false, ...options },
      }),
      'esm.ts':
        "import * as full from 'pickle-mapper';\nimport * as core from 'pickle-mapper/core';\nimport * as decorators from 'pickle-mapper/decorators';\n" +
        'export const all = { full, core, decorators };\n',
      'cjs.cts':
        "import full = require('pickle-mapper');\nimport core = require('pickle-mapper/core');\nimport decorators = require('pickle-mapper/decorators');\n" +
        'export const all = { full, core, decorators };\n',
    });
    tsc(dir);
  });

  it('the command line runs from the installed bin', () => {
    const fixture = join(ROOT, 'test', 'fixtures', 'pickles', 'bytearray_0.p2.pkl');
    const printed = run(join(scratch, 'node_modules', '.bin', 'pickle-mapper'), ['dis', fixture], { cwd: scratch });
    expect(printed).toMatch(/^ {4}0: \\x80 PROTO {6}2\n/);
    expect(printed).toMatch(/\. +STOP\nhighest protocol among opcodes = 2\n$/);
  });
});

describe('the installed package: pickle-mapper/multiprocessing (Node only)', () => {
  it('import and require give one module; a Client of one talks to a Listener of the other', () => {
    const script = `
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const imported = await import('pickle-mapper/multiprocessing');
const required = require('pickle-mapper/multiprocessing');
const core = require('pickle-mapper');
const listener = await imported.Listener(['127.0.0.1', 0], { authkey: 'key' });
const [server, client] = await Promise.all([listener.accept(), required.Client(listener.address, { authkey: 'key' })]);
await client.send(core.tuple(1, 'two'));
const got = await server.recv();
const names = Object.keys(imported);
console.log(JSON.stringify({ same: names.every((n) => imported[n] === required[n]), names: names.length, tuple: got instanceof core.Tuple, items: [...got] }));
await client.close();
await server.close();
await listener.close();
`;
    const report = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch }));
    expect(report).toEqual({ same: true, names: expect.any(Number), tuple: true, items: [1, 'two'] });
    expect(report.names).toBeGreaterThanOrEqual(6);
  });

  it('its declarations type-check from ESM and CommonJS (with Node types)', () => {
    const dir = join(scratch, 'declarations-multiprocessing');
    writeFiles(dir, {
      'package.json': JSON.stringify({ name: 'declarations-mp', private: true, type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { target: 'ES2022', strict: true, noEmit: true, types: ['node'], module: 'nodenext', skipLibCheck: false },
      }),
      'esm.ts': "import { Client, type Connection } from 'pickle-mapper/multiprocessing';\nexport const connect = (port: number): Promise<Connection> => Client(['127.0.0.1', port], { authkey: 'k' });\n",
      'cjs.cts': "import mp = require('pickle-mapper/multiprocessing');\nexport const listen = (): Promise<mp.ConnectionListener> => mp.Listener('/tmp/s.sock');\n",
    });
    tsc(dir);
  });
});

describe('the installed package: pickle-mapper/node (Node only)', () => {
  it('import and require give one module; a gzip file round-trips; bz2 without its optional peer says what to install', () => {
    const script = `
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { compressedOne } from './bz2-fixture.mjs';
const require = createRequire(process.cwd() + '/');
const imported = await import('pickle-mapper/node');
const required = require('pickle-mapper/node');
const core = require('pickle-mapper');
const names = Object.keys(imported);
await imported.dumpFile('node-entry.pkl.gz', core.tuple(1, 'two'));
const back = required.loadFileSync('node-entry.pkl.gz');
writeFileSync('node-entry.pkl.bz2', compressedOne);
const missing = await imported.loadFile('node-entry.pkl.bz2').catch((error) => error);
console.log(JSON.stringify({ same: names.every((n) => imported[n] === required[n]), names: names.length, tuple: back instanceof core.Tuple, items: [...back], code: missing.code, message: missing.message }));
`;
    // bz2.compress(pickle.dumps(1)) as Python writes it: the peer (seek-bzip) is not installed here.
    const bz2 = runPython('import bz2, pickle, sys; sys.stdout.write(bz2.compress(pickle.dumps(1)).hex())').toString();
    writeFiles(scratch, { 'bz2-fixture.mjs': `export const compressedOne = Buffer.from('${bz2}', 'hex');\n` });
    const report = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch }));
    expect(report).toEqual({
      same: true,
      names: expect.any(Number),
      tuple: true,
      items: [1, 'two'],
      code: 'MISSING_DEPENDENCY',
      message: "reading a bz2-compressed file needs the optional package 'seek-bzip': npm install seek-bzip",
    });
    expect(report.names).toBeGreaterThanOrEqual(6);
  });

  it('alone, it loads the standard types (a datetime file is a PyDatetime, not a placeholder)', () => {
    const datetime = runPython('import datetime, pickle, sys; sys.stdout.write(pickle.dumps(datetime.datetime(2024, 5, 6, 7, 8, 9)).hex())').toString();
    writeFiles(scratch, { 'datetime.pkl.hex': datetime });
    const script = `
import { readFileSync, writeFileSync } from 'node:fs';
writeFileSync('node-datetime.pkl', Buffer.from(readFileSync('datetime.pkl.hex', 'utf8'), 'hex'));
const { loadFile } = await import('pickle-mapper/node');
const value = await loadFile('node-datetime.pkl');
console.log(JSON.stringify({ kind: value.constructor.name, text: String(value) }));
`;
    expect(JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch }))).toEqual({ kind: 'PyDatetime', text: '2024-05-06 07:08:09' });
  });
});

/** Python-side checks of a dumped order, after `import shop`: raises on the first mismatch. */
const CHECK_ORDER = `
o = pickle.load(open(sys.argv[2], 'rb'))
assert type(o) is shop.Order and type(o.customer) is shop.Customer, o
assert all(type(i) is shop.LineItem for i in o.items), o.items
assert (o.order_id, o.customer.name, o.customer.email, o.status) == (7, 'Ada', 'ada@example.com', 'shipped'), vars(o)
assert [(i.sku, i.price, i.size) for i in o.items] == [('pen', 1.5, (10, 2)), ('box', 2.0, (30, 20)), ('tape', 4.0, (5, 5))]
assert all(type(i.price) is float and type(i.size) is tuple for i in o.items)
assert o.notes == {'discount': 1.0, 'origin': ('web', 2)} and type(o.notes['discount']) is float, o.notes
assert type(o.notes['origin']) is tuple
print('python: ok')
`;

const COMPILER_OPTIONS = {
  target: 'ES2022',
  strict: true,
  outDir: 'dist',
  rootDir: 'src',
  types: ['node'],
  skipLibCheck: true, // the declarations are checked on their own above
};

const PROJECTS = {
  // module: commonjs, as NestJS projects have it (node10 resolution: `types` and typesVersions).
  'cjs-legacy': { type: 'commonjs', module: 'commonjs', decorators: 'legacy' },
  'cjs-tc39': { type: 'commonjs', module: 'node16', decorators: 'tc39' },
  'esm-tc39': { type: 'module', module: 'nodenext', decorators: 'tc39' },
  'esm-legacy': { type: 'module', module: 'nodenext', decorators: 'legacy' },
} as const;

function decoratorOptions(standard: 'legacy' | 'tc39') {
  return standard === 'legacy' ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {};
}

describeWithPython('the installed package, with python3', () => {
  beforeAll(() => {
    copyFileSync(join(PACKAGE_DIR, 'shop.py'), join(scratch, 'shop.py'));
    runPython(`
import pickle, sys
sys.path.insert(0, sys.argv[1])
import shop
with open(sys.argv[2], 'wb') as f:
    pickle.dump(shop.sample_order(), f, protocol=4)
`, undefined, [scratch, join(scratch, 'order.pkl')]);
  });

  it.each(Object.keys(PROJECTS) as Array<keyof typeof PROJECTS>)(
    '%s: a tsc-compiled project loads, edits and dumps an order; python3 gets its classes, tuples and floats',
    (name) => {
      const project = PROJECTS[name];
      const dir = join(scratch, name);
      writeFiles(dir, {
        'package.json': JSON.stringify({ name, private: true, type: project.type }),
        'tsconfig.json': JSON.stringify({
          compilerOptions: { ...COMPILER_OPTIONS, module: project.module, ...decoratorOptions(project.decorators) },
        }),
        'src/models.ts': source('app/models.ts'),
        'src/main.ts': source('app/main.ts'),
      });
      tsc(dir);
      const compiled = readFileSync(join(dir, 'dist', 'models.js'), 'utf8');
      // The project really is of its module format and decorator standard.
      expect(/require\("pickle-mapper\/decorators"\)/.test(compiled)).toBe(project.type === 'commonjs');
      expect(compiled.includes('__esDecorate')).toBe(project.decorators === 'tc39');
      const output = join(dir, 'order-out.pkl');
      const printed = run(process.execPath, [join(dir, 'dist', 'main.js'), join(scratch, 'order.pkl'), output], { cwd: dir });
      expect(printed.trim()).toBe('Order true, Customer true, LineItem true, Tuple true, 7 Ada box 2 30x20');
      const checked = runPython(`import pickle, sys\nsys.path.insert(0, sys.argv[1])\nimport shop\n${CHECK_ORDER}`, undefined, [scratch, output]);
      expect(checked.toString().trim()).toBe('python: ok');
    },
  );

  it('one process that requires and imports the package: each copy dumps what the other made and loads into classes the other registered', () => {
    const dir = join(scratch, 'mixed');
    writeFiles(dir, {
      'package.json': JSON.stringify({ name: 'mixed', private: true, type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...COMPILER_OPTIONS, module: 'nodenext', ...decoratorOptions('legacy') },
      }),
      'src/cjs-side.cts': source('mixed/cjs-side.cts'),
      'src/esm-side.mts': source('mixed/esm-side.mts'),
      'src/main.mts': source('mixed/main.mts'),
    });
    tsc(dir);
    expect(readFileSync(join(dir, 'dist', 'cjs-side.cjs'), 'utf8')).toMatch(/require\("pickle-mapper"\)/);
    expect(readFileSync(join(dir, 'dist', 'esm-side.mjs'), 'utf8')).toMatch(/from 'pickle-mapper'/);
    const out = join(dir, 'out');
    mkdirSync(out);
    const printed = run(process.execPath, [join(dir, 'dist', 'main.mjs'), join(scratch, 'order.pkl'), out], { cwd: dir });
    expect(JSON.parse(printed)).toEqual({
      sameRegistry: true,
      'esm.loads Order': true,
      'esm.loads LineItem': true,
      'esm.loads Tuple': true,
      'cjs.loads Order': true,
      'cjs.loads LineItem': true,
      'cjs.loads Tuple': true,
    });
    const checked = runPython(`
import pickle, sys
sys.path.insert(0, sys.argv[1])
import shop
out = sys.argv[2]
load = lambda name: pickle.load(open(f'{out}/{name}.pkl', 'rb'))

v = load('esm-dumps-cjs-values')
assert v['point'] == (1, 2) and type(v['point']) is tuple, v
assert v['ratio'] == 2.0 and type(v['ratio']) is float, v
assert type(v['customer']) is shop.Customer and v['customer'].name == 'Grace', v

v = load('cjs-dumps-esm-values')
assert v['point'] == (3, 4) and type(v['point']) is tuple, v
assert v['ratio'] == 3.0 and type(v['ratio']) is float, v
assert type(v['item']) is shop.LineItem and (v['item'].sku, v['item'].price, v['item'].size) == ('ink', 3.0, (1, 1)), vars(v['item'])
assert type(v['item'].price) is float and type(v['item'].size) is tuple

for side in ('esm', 'cjs'):
    o = load(f'order-loaded-by-{side}')
    assert type(o) is shop.Order and type(o.customer) is shop.Customer, o
    assert o.status == f'shipped by {side}', o.status
    assert [(i.sku, i.price, i.size) for i in o.items] == [('pen', 1.5, (10, 2)), ('box', 2.0, (30, 20)), ('ink', 3.0, (1, 1))]
    assert all(type(i) is shop.LineItem and type(i.price) is float and type(i.size) is tuple for i in o.items)
    assert o.notes == {'point': (5, 6), 'ratio': 4.0}, o.notes
    assert type(o.notes['point']) is tuple and type(o.notes['ratio']) is float
print('python: ok')
`, undefined, [scratch, out]);
    expect(checked.toString().trim()).toBe('python: ok');
  });
});

// Every code block of README.md and of the other documents (docs/*.md, bench/README.md) works as
// pasted, against the packed package as a user installs it.
//
// The convention (README.md, and each document alike):
// - A ```ts or ```js block is a whole program: it is type-checked in a scratch ESM project that
//   has the package installed from its tarball (strict; js with checkJs, where only implicit
//   `any` is allowed, as JavaScript declares no types), and then run with node.
// - A ```python block is run with python3; one whose first line is `# name.py` is that file,
//   saved for the blocks after it to import (`import shop`). So the README shows the Python side
//   that writes the pickles a snippet reads, and what Python gets back.
// - A document's blocks run in its order in one folder of its own: a file one block writes, a
//   later block of the same document reads.
// - A block that cannot be a whole program says so in an HTML comment on the line before it:
//   `<!-- snippet: fragment (why) -->` (not checked) or `<!-- snippet: no-run (why) -->`
//   (type-checked, not run). Any other marker, or one without a reason, fails the test.
// - Other languages (```sh) are not checked.
// Every document runs twice: with TC39 standard decorators (TypeScript 5's default, no flags)
// and with legacy ones (experimentalDecorators + emitDecoratorMetadata, as NestJS and
// class-transformer projects have it): the README says both work, and a user pastes into either.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { installPackage, run, writeFiles } from '../helpers/packed-package.js';
import { describeWithPython, PYTHON } from '../helpers/python.js';

type Disposition = 'run' | 'no-run' | 'fragment';

/** A Markdown file whose code blocks are checked. */
interface Document {
  /** Its path from the repository root: `README.md`, `docs/values.md`. */
  readonly path: string;
  /** A name for its files and folder in the scratch project: `readme`, `docs-values`. */
  readonly slug: string;
  readonly text: string;
}

interface Block {
  readonly doc: Document;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** The marker's words, when an HTML comment precedes the block. */
  readonly marker?: string;
}

/** The fenced blocks of a document, indented ones (in list items) included. */
function fencedBlocks(doc: Document): Block[] {
  const lines = doc.text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    if (i === lines.length) throw new Error(`${doc.path}:${start + 1}: unclosed code block`);
    let previous = start - 1;
    while (previous >= 0 && lines[previous]!.trim() === '') previous--;
    const marker = /^\s*<!--\s*snippet:(.*?)-->\s*$/.exec(lines[previous] ?? '')?.[1]?.trim();
    blocks.push({ doc, line: start + 1, lang: open[2]!, code: `${body.join('\n')}\n`, ...(marker !== undefined ? { marker } : {}) });
  }
  return blocks;
}

const CHECKED_LANGUAGES = new Set(['ts', 'js', 'python']);

/** What the test does with a block; throws on a marker it does not know or without a reason. */
function disposition(block: Block): Disposition {
  if (block.marker === undefined) return 'run';
  const marked = /^(fragment|no-run)\s+\((.{8,})\)$/.exec(block.marker);
  if (!marked) {
    throw new Error(`${block.doc.path}:${block.line}: marker '${block.marker}' is not 'fragment (why)' or 'no-run (why)', with a reason of 8 characters or more`);
  }
  return marked[1] as Disposition;
}

/** README.md, every Markdown file in docs/ (not the generated docs/api/), and bench/README.md. */
const DOCUMENT_PATHS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => `docs/${entry.name}`)
    .sort(),
  'bench/README.md',
];
const DOCUMENTS: Document[] = DOCUMENT_PATHS.map((path) => ({
  path,
  slug: path.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase(),
  text: readFileSync(join(ROOT, path), 'utf8'),
}));
const ALL_BLOCKS = DOCUMENTS.flatMap((doc) => fencedBlocks(doc));
const BLOCKS = ALL_BLOCKS.filter((block) => CHECKED_LANGUAGES.has(block.lang));
const PROGRAMS = BLOCKS.filter((block) => block.lang !== 'python' && disposition(block) !== 'fragment');

/** Where a block is, for messages and test names: `docs/values.md:42`. */
function where(block: Block): string {
  return `${block.doc.path}:${block.line}`;
}

/** The file a block is saved as in the scratch project. */
function programFile(block: Block): string {
  return `src/${block.doc.slug}-${block.line}.${block.lang}`;
}

const PROGRAM_BY_FILE = new Map(PROGRAMS.map((block) => [programFile(block), block]));

/** A Python block that is a module (`# shop.py` on its first line) rather than a script. */
function pythonModuleName(block: Block): string | undefined {
  return /^# ([\w-]+\.py)\b/.exec(block.code)?.[1];
}

const STANDARDS = ['tc39', 'legacy'] as const;
type Standard = (typeof STANDARDS)[number];

let scratch = '';
/** tsc's diagnostics per program file, per decorator standard. */
const diagnostics = new Map<Standard, Map<string, string[]>>();
/** tsc's output lines that are no block's diagnostics (a broken scratch project). */
const otherOutput: string[] = [];

function projectDir(standard: Standard): string {
  return join(scratch, standard);
}

/** The folder a document's blocks run in: the files they write, and its Python modules. */
function runDir(standard: Standard, doc: Document): string {
  return join(projectDir(standard), 'run', doc.slug);
}

const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'nodenext',
  strict: true,
  // Each block is a program of its own, imports or not.
  moduleDetection: 'force',
  rootDir: 'src',
  outDir: 'out',
  types: ['node'],
  skipLibCheck: true,
};

/**
 * Type-checks the documents' programs in `<standard>/`, and compiles its TypeScript ones into
 * `out/`: one tsc run for the TypeScript blocks, and one for the JavaScript ones (in the first
 * standard's folder only: JavaScript has no decorators).
 */
function compileProjects(standard: Standard): void {
  const dir = projectDir(standard);
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: `readme-${standard}`, private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        ...COMPILER_OPTIONS,
        ...(standard === 'legacy' ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {}),
      },
      include: ['src/*.ts'],
    }),
    'tsconfig.js.json': JSON.stringify({
      compilerOptions: { ...COMPILER_OPTIONS, noEmit: true, allowJs: true, checkJs: true, noImplicitAny: false },
      include: ['src/*.js'],
    }),
  };
  for (const block of PROGRAMS) files[programFile(block)] = block.code;
  writeFiles(dir, files);
  const byFile = new Map<string, string[]>();
  const configs = ['tsconfig.json', ...(standard === STANDARDS[0] && PROGRAMS.some((block) => block.lang === 'js') ? ['tsconfig.js.json'] : [])];
  for (const config of configs) collectDiagnostics(standard, dir, config, byFile);
  diagnostics.set(standard, byFile);
}

function collectDiagnostics(standard: Standard, dir: string, config: string, byFile: Map<string, string[]>): void {
  const compiler = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [compiler, '-p', config, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  let found = 0;
  for (const line of `${result.stdout}${result.stderr}`.split('\n').filter((text) => text.trim() !== '')) {
    const match = /^(src\/[\w-]+\.\w+)\((\d+),(\d+)\): (error .*)$/.exec(line);
    const block = match ? PROGRAM_BY_FILE.get(match[1]!) : undefined;
    if (!match || !block) {
      // A continuation of the message before (tsc indents those), or something else.
      if (/^\s/.test(line) && found > 0) continue;
      otherOutput.push(`${standard}/${config}: ${line}`);
      continue;
    }
    found++;
    const [, file, row, column, message] = match;
    // Where the error is in the document: the block's fence line plus the line in the block.
    const at = `${block.doc.path}:${block.line + Number(row)}:${column}`;
    byFile.set(file!, [...(byFile.get(file!) ?? []), `${at} ${message}`]);
  }
  if (result.status !== 0 && found === 0) otherOutput.push(`${standard}/${config}: tsc failed (${result.status}) without a diagnostic`);
}

beforeAll(() => {
  scratch = installPackage(['typescript', '@types/node', 'reflect-metadata']);
  for (const standard of STANDARDS) compileProjects(standard);
}, 240_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('code blocks of README.md and the docs', () => {
  it('are found, and every one of them is a program or marked with a known marker and a reason', () => {
    expect(DOCUMENT_PATHS).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md', 'bench/README.md']));
    expect(BLOCKS.filter((block) => block.doc.path === 'README.md' && block.lang === 'ts').length).toBeGreaterThanOrEqual(4);
    for (const block of BLOCKS) expect(() => disposition(block)).not.toThrow();
    for (const doc of DOCUMENTS) {
      // A marker that precedes no block would mark nothing.
      const markers = [...doc.text.matchAll(/<!--\s*snippet:/g)].length;
      expect(fencedBlocks(doc).filter((block) => block.marker !== undefined).length, doc.path).toBe(markers);
    }
    expect(otherOutput).toEqual([]);
  });

  for (const standard of STANDARDS) {
    it.each(PROGRAMS.filter((block) => block.lang === 'ts').map((block) => [where(block), block] as const))(
      `%s (ts) type-checks against the installed package (${standard} decorators)`,
      (_, block) => {
        expect(diagnostics.get(standard)?.get(programFile(block)) ?? []).toEqual([]);
      },
    );
  }
  it.each(PROGRAMS.filter((block) => block.lang === 'js').map((block) => [where(block), block] as const))(
    '%s (js) type-checks against the installed package',
    (_, block) => {
      expect(diagnostics.get(STANDARDS[0])?.get(programFile(block)) ?? []).toEqual([]);
    },
  );
});

describeWithPython('code blocks of README.md and the docs, run in order', () => {
  for (const standard of STANDARDS) {
    const runnable = BLOCKS.filter((block) => disposition(block) === 'run');
    it.each(runnable.map((block) => [`${where(block)} (${block.lang})`, block] as const))(
      `%s runs (${standard} decorators)`,
      (_, block) => {
        const dir = runDir(standard, block.doc);
        mkdirSync(dir, { recursive: true });
        if (block.lang === 'python') {
          const module = pythonModuleName(block);
          if (module) {
            writeFiles(dir, { [module]: block.code });
          } else {
            run(PYTHON, ['-c', block.code], { cwd: dir, env: { ...process.env, PYTHONPATH: dir } });
          }
        } else {
          const program = block.lang === 'ts' ? programFile(block).replace(/^src\/(.*)\.ts$/, 'out/$1.js') : programFile(block);
          run(process.execPath, [join(projectDir(standard), program)], { cwd: dir });
        }
      },
    );
  }
});

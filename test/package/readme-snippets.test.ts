// Every code block of README.md works as pasted, against the packed package as a user installs it.
//
// The convention (README.md):
// - A ```ts or ```js block is a whole program: it is type-checked in a scratch ESM project that
//   has the package installed from its tarball (strict; js with checkJs, where only implicit
//   `any` is allowed, as JavaScript declares no types), and then run with node.
// - A ```python block is run with python3; one whose first line is `# name.py` is that file,
//   saved for the blocks after it to import (`import shop`). So the README shows the Python side
//   that writes the pickles a snippet reads, and what Python gets back.
// - All blocks run in README order in one folder: a file one block writes, a later one reads.
// - A block that cannot be a whole program says so in an HTML comment on the line before it:
//   `<!-- snippet: fragment (why) -->` (not checked) or `<!-- snippet: no-run (why) -->`
//   (type-checked, not run). Any other marker, or one without a reason, fails the test.
// - Other languages (```sh) are not checked.
// The whole README runs twice: with TC39 standard decorators (TypeScript 5's default, no flags)
// and with legacy ones (experimentalDecorators + emitDecoratorMetadata, as NestJS and
// class-transformer projects have it): the README says both work, and a user pastes into either.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { installPackage, run, writeFiles } from '../helpers/packed-package.js';
import { describeWithPython, PYTHON } from '../helpers/python.js';

type Disposition = 'run' | 'no-run' | 'fragment';

interface Block {
  /** The line of the opening fence (1-based). */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** The marker's words, when an HTML comment precedes the block. */
  readonly marker?: string;
}

/** The fenced blocks of a Markdown text, indented ones (in list items) included. */
function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    if (i === lines.length) throw new Error(`README.md:${start + 1}: unclosed code block`);
    let previous = start - 1;
    while (previous >= 0 && lines[previous]!.trim() === '') previous--;
    const marker = /^\s*<!--\s*snippet:(.*?)-->\s*$/.exec(lines[previous] ?? '')?.[1]?.trim();
    blocks.push({ line: start + 1, lang: open[2]!, code: `${body.join('\n')}\n`, ...(marker !== undefined ? { marker } : {}) });
  }
  return blocks;
}

const CHECKED_LANGUAGES = new Set(['ts', 'js', 'python']);

/** What the test does with a block; throws on a marker it does not know or without a reason. */
function disposition(block: Block): Disposition {
  if (block.marker === undefined) return 'run';
  const marked = /^(fragment|no-run)\s+\((.{8,})\)$/.exec(block.marker);
  if (!marked) {
    throw new Error(`README.md:${block.line}: marker '${block.marker}' is not 'fragment (why)' or 'no-run (why)', with a reason of 8 characters or more`);
  }
  return marked[1] as Disposition;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = fencedBlocks(README).filter((block) => CHECKED_LANGUAGES.has(block.lang));
const PROGRAMS = BLOCKS.filter((block) => block.lang !== 'python' && disposition(block) !== 'fragment');

/** The file a block is saved as in the scratch project. */
function programFile(block: Block): string {
  return `src/readme-${block.line}.${block.lang}`;
}

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
 * Type-checks the README's programs in `<standard>/`, and compiles its TypeScript ones into
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
    const match = /^(src\/readme-(\d+)\.\w+)\((\d+),(\d+)\): (error .*)$/.exec(line);
    if (!match) {
      // A continuation of the message before (tsc indents those), or something else.
      if (/^\s/.test(line) && found > 0) continue;
      otherOutput.push(`${standard}/${config}: ${line}`);
      continue;
    }
    found++;
    const [, file, blockLine, row, column, message] = match;
    // Where the error is in README.md: the block's fence line plus the line in the block.
    const where = `README.md:${Number(blockLine) + Number(row)}:${column}`;
    byFile.set(file!, [...(byFile.get(file!) ?? []), `${where} ${message}`]);
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

describe('README.md code blocks', () => {
  it('are found, and every one of them is a program or marked with a known marker and a reason', () => {
    expect(BLOCKS.filter((block) => block.lang === 'ts').length).toBeGreaterThanOrEqual(4);
    for (const block of BLOCKS) expect(() => disposition(block)).not.toThrow();
    // A marker that precedes no block would mark nothing.
    const markers = [...README.matchAll(/<!--\s*snippet:/g)].length;
    expect(fencedBlocks(README).filter((block) => block.marker !== undefined).length).toBe(markers);
    expect(otherOutput).toEqual([]);
  });

  for (const standard of STANDARDS) {
    it.each(PROGRAMS.filter((block) => block.lang === 'ts').map((block) => [`README.md:${block.line}`, block] as const))(
      `%s (ts) type-checks against the installed package (${standard} decorators)`,
      (_, block) => {
        expect(diagnostics.get(standard)?.get(programFile(block)) ?? []).toEqual([]);
      },
    );
  }
  it.each(PROGRAMS.filter((block) => block.lang === 'js').map((block) => [`README.md:${block.line}`, block] as const))(
    '%s (js) type-checks against the installed package',
    (_, block) => {
      expect(diagnostics.get(STANDARDS[0])?.get(programFile(block)) ?? []).toEqual([]);
    },
  );
});

describeWithPython('README.md code blocks, run in order', () => {
  for (const standard of STANDARDS) {
    const runnable = BLOCKS.filter((block) => disposition(block) === 'run');
    it.each(runnable.map((block) => [`README.md:${block.line} (${block.lang})`, block] as const))(
      `%s runs (${standard} decorators)`,
      (_, block) => {
        const dir = projectDir(standard);
        if (block.lang === 'python') {
          const module = pythonModuleName(block);
          if (module) {
            writeFiles(dir, { [module]: block.code });
          } else {
            run(PYTHON, ['-c', block.code], { cwd: dir, env: { ...process.env, PYTHONPATH: dir } });
          }
        } else {
          const program = block.lang === 'ts' ? programFile(block).replace(/^src\/(.*)\.ts$/, 'out/$1.js') : programFile(block);
          run(process.execPath, [join(dir, program)], { cwd: dir });
        }
      },
    );
  }
});

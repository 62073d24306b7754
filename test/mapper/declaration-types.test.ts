// Field declarations are type-checked against their fields, with legacy decorators and with TC39
// ones: in typing/declarations.ts, without its expected-error directives, exactly the marked
// declarations fail to compile.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import ts from 'typescript';

const FILE = fileURLToPath(new URL('./typing/declarations.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIRECTIVE = '// @ts-expect-error';

/** Lines (1-based) of `source` with compile errors, compiled as FILE. */
function errorLines(source: string, experimentalDecorators: boolean): number[] {
  const host = ts.createCompilerHost({});
  const program = ts.createProgram({
    rootNames: [FILE],
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      experimentalDecorators,
      emitDecoratorMetadata: experimentalDecorators,
      types: ['node'],
      baseUrl: ROOT,
      paths: { 'pickle-mapper': ['./src/index.ts'], 'pickle-mapper/decorators': ['./decorators/index.ts'] },
    },
    host: {
      ...host,
      getSourceFile: (name, version) => (name === FILE ? ts.createSourceFile(name, source, version) : host.getSourceFile(name, version)),
    },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const elsewhere = diagnostics.filter((d) => d.file?.fileName !== FILE);
  expect(elsewhere.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const lines = diagnostics.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
  return [...new Set(lines)].sort((a, b) => a - b);
}

it.each([
  ['legacy', true],
  ['tc39', false],
])('with %s decorators exactly the marked declarations are errors', (_, experimentalDecorators) => {
  const source = ts.sys.readFile(FILE)!;
  const stripped = source.replaceAll(DIRECTIVE, '// (expected error)');
  // A directive's declaration is on the line after it.
  const marked = source.split('\n').flatMap((line, index) => (line.trim().startsWith(DIRECTIVE) ? [index + 2] : []));
  expect(marked).toHaveLength(7);
  expect(errorLines(stripped, experimentalDecorators)).toEqual(marked);
});

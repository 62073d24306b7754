// Compiles a TypeScript module that uses decorators with the TypeScript compiler itself, in
// either decorator standard, and imports the result. vitest's own transform (Oxc) does not
// lower TC39 decorators, and each standard needs its own compiler settings anyway.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export type DecoratorStandard = 'legacy' | 'tc39';

const GENERATED = join(dirname(fileURLToPath(import.meta.url)), '..', '.generated');

/** Compiles `sourcePath` for the given decorator standard and imports it. */
export async function importDecorated<T>(sourcePath: string, standard: DecoratorStandard): Promise<T> {
  const source = readFileSync(sourcePath, 'utf8');
  const output = ts.transpileModule(source, {
    fileName: basename(sourcePath),
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: standard === 'legacy',
      emitDecoratorMetadata: standard === 'legacy',
      useDefineForClassFields: true,
    },
    reportDiagnostics: true,
  });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
  }
  mkdirSync(GENERATED, { recursive: true });
  const target = join(GENERATED, `${basename(sourcePath, '.ts')}.${standard}.mjs`);
  // Test files run in parallel workers and may compile the same module at once: write a
  // private file and rename it into place, so no worker ever imports a half-written one.
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, output.outputText);
  renameSync(temporary, target);
  return (await import(/* @vite-ignore */ target)) as T;
}

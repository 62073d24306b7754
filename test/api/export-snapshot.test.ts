// The public API of every entry point, values and types, as the type checker sees it. The
// snapshot (exports.snapshot.json) was taken before the source tree was rearranged: moving code
// between files must not add, drop or turn a value into a type in what users import. The core
// entry (added then) is the full entry without the standard types and the inspection tools.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES: Record<string, string> = {
  'pickle-mapper': 'src/index.ts',
  'pickle-mapper/core': 'src/core.ts',
  'pickle-mapper/decorators': 'decorators/index.ts',
  'pickle-mapper/multiprocessing': 'src/node/multiprocessing/index.ts',
  'pickle-mapper/node': 'src/node/index.ts',
};
const snapshot = JSON.parse(readFileSync(new URL('./exports.snapshot.json', import.meta.url), 'utf8')) as Record<string, string[]>;

function exportedNames(): Record<string, string[]> {
  const program = ts.createProgram(
    Object.values(ENTRIES).map((file) => root + file),
    { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, skipLibCheck: true, types: ['node'] },
  );
  const checker = program.getTypeChecker();
  const names: Record<string, string[]> = {};
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(root + file)!)!;
    names[entry] = checker
      .getExportsOfModule(module)
      .map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return (target.flags & ts.SymbolFlags.Value ? '' : 'type ') + symbol.name;
      })
      .sort();
  }
  return names;
}

describe('public API', () => {
  it('every entry point exports exactly the snapshot’s names, values as values and types as types', () => {
    const names = exportedNames();
    for (const entry of Object.keys(ENTRIES)) expect({ entry, names: names[entry] }).toEqual({ entry, names: snapshot[entry] });
  });

  it('the core entry exports nothing the full entry does not, each the same kind (value or type)', () => {
    const full = new Set(snapshot['pickle-mapper']);
    expect(snapshot['pickle-mapper/core']!.filter((name) => !full.has(name))).toEqual([]);
  });
});

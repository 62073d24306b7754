// The layers of src/ and which may import which: a module imports its own folder and the layers
// listed for it below, nothing else. The order, lowest first:
//
//   errors.ts, protocol/   nothing of ours (protocol: the opcode table, Python 2 names, limits)
//   values/                errors; registry for types only (a PyGlobal carries its handler)
//   registry/              errors, values
//   codec/                 errors, protocol, values, registry (the builtins pickle itself uses
//                          are here; the standard types are not: they are installed over them)
//   stream/                errors, protocol, codec
//   mapper/                errors, values, registry, codec
//   standard/              errors, values, registry, codec (not the mapper: the standard types
//                          are handlers written against the registry, as a user's would be)
//   inspect/               errors, protocol, values, registry, codec
//   node/                  errors, protocol, values, registry, codec, stream, mapper, standard
//   cli/                   everything but node/
//   core.ts (entry)        everything but standard/, inspect/, node/, cli/
//   index.ts (entry)       everything but node/, cli/
//   decorators/ (entry)    values, registry, mapper
//
// Besides: no module imports itself through others (type-only imports aside), and only node/ and
// cli/ import Node's built-in modules (`node:...`) or anything outside the package's sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

type Layer =
  | 'errors' | 'protocol' | 'values' | 'registry' | 'codec' | 'stream' | 'mapper' | 'standard' | 'inspect' | 'node' | 'cli'
  | 'core-entry' | 'full-entry' | 'decorators';

const ALLOWED: Record<Layer, readonly Layer[]> = {
  errors: [],
  protocol: [],
  values: ['errors'],
  registry: ['errors', 'values'],
  codec: ['errors', 'protocol', 'values', 'registry'],
  stream: ['errors', 'protocol', 'codec'],
  mapper: ['errors', 'values', 'registry', 'codec'],
  standard: ['errors', 'values', 'registry', 'codec'],
  inspect: ['errors', 'protocol', 'values', 'registry', 'codec'],
  node: ['errors', 'protocol', 'values', 'registry', 'codec', 'stream', 'mapper', 'standard'],
  cli: ['errors', 'protocol', 'values', 'registry', 'codec', 'stream', 'mapper', 'standard', 'inspect'],
  'core-entry': ['errors', 'protocol', 'values', 'registry', 'codec', 'stream', 'mapper'],
  'full-entry': ['errors', 'protocol', 'values', 'registry', 'codec', 'stream', 'mapper', 'standard', 'inspect', 'core-entry'],
  decorators: ['values', 'registry', 'mapper'],
};

/** Imports allowed for types only (they vanish from the JavaScript). */
const TYPES_ONLY: Partial<Record<Layer, readonly Layer[]>> = {
  values: ['registry'],
};

/** Layers that may import Node's built-ins and files outside the sources (package.json). */
const OUTSIDE_ALLOWED: ReadonlySet<Layer> = new Set(['node', 'cli']);

function layerOf(file: string): Layer {
  if (file === 'src/errors.ts') return 'errors';
  if (file === 'src/core.ts') return 'core-entry';
  if (file === 'src/index.ts') return 'full-entry';
  if (file.startsWith('decorators/')) return 'decorators';
  const folder = /^src\/([a-z]+)\//.exec(file)?.[1];
  if (folder !== undefined && folder in ALLOWED) return folder as Layer;
  throw new Error(`${file} is in no layer: add its folder to test/api/layers.test.ts`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  readonly specifier: string;
  /** The file it names, relative to the root; undefined for a package or `node:` module. */
  readonly target: string | undefined;
  readonly typeOnly: boolean;
}

/** The static imports and re-exports of a module. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const imports: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const text = specifier.text;
    const target = text.startsWith('.') ? normalize(join(dirname(file), text)).replace(/\.js$/, '.ts') : undefined;
    imports.push({ specifier: text, target, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes = named !== undefined && ts.isNamedImports(named) && named.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && allNamedTypes)));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      add(node.moduleSpecifier, node.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.every((element) => element.isTypeOnly)));
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return imports;
}

const FILES = [...sourceFiles('src'), ...sourceFiles('decorators')].sort();
const IMPORTS = new Map(FILES.map((file) => [file, importsOf(file)]));

describe('layers', () => {
  it('every module imports only its own layer and the layers below it', () => {
    const wrong: string[] = [];
    for (const [file, imports] of IMPORTS) {
      const layer = layerOf(file);
      for (const { specifier, target, typeOnly } of imports) {
        if (target === undefined || !FILES.includes(target)) continue;
        const to = layerOf(target);
        if (to === layer || ALLOWED[layer].includes(to) || (typeOnly && TYPES_ONLY[layer]?.includes(to))) continue;
        wrong.push(`${file} (${layer}) imports ${specifier} (${to}${typeOnly ? ', types only' : ''})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("only node/ and cli/ import Node's built-ins or anything beyond the sources", () => {
    const wrong: string[] = [];
    for (const [file, imports] of IMPORTS) {
      if (OUTSIDE_ALLOWED.has(layerOf(file))) continue;
      for (const { specifier, target } of imports) if (target === undefined || !FILES.includes(target)) wrong.push(`${file} imports ${specifier}`);
    }
    expect(wrong).toEqual([]);
  });

  it('no module imports itself through others', () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    // Depth-first with an explicit stack: a path that reaches a module already on it is a cycle.
    for (const start of FILES) {
      if (done.has(start)) continue;
      const path: string[] = [];
      const onPath = new Set<string>();
      const stack: Array<{ file: string; next: number }> = [{ file: start, next: 0 }];
      path.push(start);
      onPath.add(start);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const targets = IMPORTS.get(top.file)!.filter((i) => !i.typeOnly && i.target !== undefined && IMPORTS.has(i.target)).map((i) => i.target!);
        if (top.next >= targets.length) {
          stack.pop();
          path.pop();
          onPath.delete(top.file);
          done.add(top.file);
          continue;
        }
        const target = targets[top.next++]!;
        if (onPath.has(target)) cycles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
        else if (!done.has(target)) {
          stack.push({ file: target, next: 0 });
          path.push(target);
          onPath.add(target);
        }
      }
    }
    expect(cycles).toEqual([]);
  });

  it('every module is in a layer', () => {
    const unplaced = FILES.filter((file) => {
      try {
        layerOf(file);
        return false;
      } catch {
        return true;
      }
    });
    expect(unplaced).toEqual([]);
    expect(FILES.length).toBeGreaterThan(100);
  });
});

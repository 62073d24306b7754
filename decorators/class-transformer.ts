// class-transformer interop: on a @PyClass, @Expose({ name }), @Type(() => X) and @Exclude()
// from class-transformer count as field declarations where no @PyField says otherwise, so a
// class already decorated for JSON needs no second set of decorators. class-transformer is not
// a dependency: its metadata storage is found where it is installed, or handed over explicitly.
import type { FieldOptions, MappedClass } from '../src/mapper/schema.js';

/** The part of class-transformer's MetadataStorage this bridge reads. */
export interface ClassTransformerStorage {
  getExposedMetadatas(target: MappedClass): Array<{ propertyName?: string; options?: { name?: string } }>;
  getExcludedMetadatas(target: MappedClass): Array<{ propertyName?: string }>;
  findTypeMetadata(target: MappedClass, propertyName: string): { typeFunction?: () => unknown } | undefined;
  getStrategy?(target: MappedClass): string;
}

let storage: ClassTransformerStorage | null | undefined;

/**
 * Hands over class-transformer's metadata storage (`defaultMetadataStorage` from
 * 'class-transformer/cjs/storage', or the ESM build's under a bundler). Under Node it is found
 * on its own; call this where it is not (browsers, bundles) or to pick a specific copy.
 */
export function useClassTransformerMetadata(metadataStorage: ClassTransformerStorage | null): void {
  storage = metadataStorage;
}

type NodeProcess = { getBuiltinModule?: (id: string) => unknown; cwd?: () => string };

function findStorage(): ClassTransformerStorage | null {
  if (storage !== undefined) return storage;
  storage = null;
  try {
    // Node only (getBuiltinModule keeps this entry free of Node imports for browsers). Resolve
    // from the application's directory, where its own copy of class-transformer is installed.
    const nodeProcess = (globalThis as { process?: NodeProcess }).process;
    const moduleApi = nodeProcess?.getBuiltinModule?.('node:module') as
      | { createRequire(path: string): (id: string) => { defaultMetadataStorage?: ClassTransformerStorage } }
      | undefined;
    if (moduleApi && nodeProcess?.cwd) {
      const load = moduleApi.createRequire(`${nodeProcess.cwd()}/`);
      storage = load('class-transformer/cjs/storage').defaultMetadataStorage ?? null;
    }
  } catch {
    storage = null; // not installed: nothing to bridge
  }
  return storage;
}

/** What class-transformer declares on a class, as pickle-mapper fields. */
export interface BridgedFields {
  fields: Map<string, FieldOptions>;
  excluded: string[];
  excludeAll: boolean;
}

export function classTransformerFields(cls: MappedClass): BridgedFields {
  const result: BridgedFields = { fields: new Map(), excluded: [], excludeAll: false };
  const metadata = findStorage();
  if (!metadata) return result;
  const excluded = new Set(
    metadata
      .getExcludedMetadatas(cls)
      .map((entry) => entry.propertyName)
      .filter((name): name is string => name !== undefined),
  );
  result.excluded = [...excluded];
  result.excludeAll = metadata.getStrategy?.(cls) === 'excludeAll';
  const properties = new Set<string>();
  for (const entry of metadata.getExposedMetadatas(cls)) {
    if (entry.propertyName !== undefined && !excluded.has(entry.propertyName)) properties.add(entry.propertyName);
  }
  for (const property of properties) {
    const exposed = metadata.getExposedMetadatas(cls).find((entry) => entry.propertyName === property);
    const typed = metadata.findTypeMetadata(cls, property);
    const field: FieldOptions = {};
    if (exposed?.options?.name !== undefined) field.name = exposed.options.name;
    if (typed?.typeFunction) {
      const typeFunction = typed.typeFunction;
      field.type = () => typeFunction() as MappedClass;
    }
    result.fields.set(property, field);
  }
  // @Type without @Expose still types the property (implicit mode maps it by its own name).
  // The storage has no public list of typed properties, so read its private map when present.
  const typeMaps = (metadata as unknown as { _typeMetadatas?: Map<unknown, Map<string, unknown>> })._typeMetadatas;
  for (let level: unknown = cls; typeof level === 'function' && level !== Function.prototype; level = Object.getPrototypeOf(level)) {
    for (const property of typeMaps?.get(level)?.keys() ?? []) {
      if (result.fields.has(property) || excluded.has(property)) continue;
      const typeFunction = metadata.findTypeMetadata(cls, property)?.typeFunction;
      if (typeFunction) result.fields.set(property, { type: () => typeFunction() as MappedClass });
    }
  }
  return result;
}

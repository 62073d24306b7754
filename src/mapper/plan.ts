// What one registry handler keeps for its schema: the remembered field lookups and the functions
// compiled for loading and dumping, made when first needed. Shared by the load and dump sides.
import type { PyGlobal } from '../values/global.js';
import type { CompiledAssign, CompiledState } from './compiled-state.js';
import { describeDefault } from './infer.js';
import { resolveSchema } from './resolve.js';
import type { FieldSchema, MutableClassSchema } from './schema.js';
import type { LoadContext } from '../registry/registry.js';
import { typeName } from './types.js';
import { pythonNameOf } from './convert.js';

export interface ClassPlan {
  readonly schema: MutableClassSchema;
  /**
   * The field name (or alias) last found at each position of a state dict, and its field. The
   * states of one class nearly always share one key order, so the field of a key is then found
   * by one string comparison instead of a lookup by name. Only the schema's own strings are kept.
   */
  readonly names: Array<string | undefined>;
  readonly fields: Array<FieldSchema | undefined>;
  /** setState's loop over a plain dict compiled for the schema; null where compiling is not allowed. */
  assign?: CompiledAssign<ClassPlan, LoadContext> | null;
  /** The PyGlobal naming the class (made once: the pickler memoizes it by identity). */
  global?: PyGlobal;
  /** The common case of the state dumps writes, compiled; null where compiling is not allowed. */
  compiled?: CompiledState | null;
  /**
   * Whether a plain dict state loads through the compiled loop (a `__dict__` state of a class
   * without slots or strictness, pydantic's excepted), and whether dumps may write the state
   * alone (declared fields of such a class, nothing remembered): decided once, when ready.
   */
  plainLoad?: boolean;
  plainDump?: boolean;
}

export function classPlan(schema: MutableClassSchema): ClassPlan {
  return { schema, names: [], fields: [] };
}

/** The plan with its schema resolved (the first use of the class runs its constructor once). */
export function ready(plan: ClassPlan): ClassPlan {
  const { schema } = plan;
  if (!schema.resolved) resolveSchema(schema);
  if (plan.plainLoad === undefined) {
    const plainDict = schema.model !== 'pydantic' && schema.slots.size === 0 && !schema.slotsOnly;
    plan.plainLoad = plainDict && !schema.strict;
    plan.plainDump = plainDict && !schema.implicit && schema.fields.length > 0;
  }
  return plan;
}

/** What a message about a field's value adds when its type was inferred from its default. */
export function inferredHint(field: FieldSchema): string {
  if (!field.inferredFrom || field.type === undefined) return '';
  const type = typeName(field.type, pythonNameOf);
  return `; the type ${type} comes from the default ${describeDefault(field.inferredFrom.value)}: declare the field's type to accept other values`;
}

/** `shop.Cart.by_sku['a'] (property bySku): message` (+ the hint for an inferred type). */
export function fieldMessage(schema: MutableClassSchema, field: FieldSchema, path: string, message: string, hint = true): string {
  const renamed = field.property === field.pythonName ? '' : ` (property ${field.property})`;
  return `${schema.module}.${schema.name}.${field.pythonName}${path}${renamed}: ${message}${hint ? inferredHint(field) : ''}`;
}

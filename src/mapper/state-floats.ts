// Integral floats (1.0) in a mapped class's state. `loads` gives them as plain numbers and records
// on each container where they were (values/float-marks.ts); a state dict's record would be lost
// with the dict, so BUILD moves it onto the instance, by property, and dumps puts it back into
// the state it writes. A typed field decides for itself: `'float'` writes floats anyway, and
// `'int'` refuses a float, 1.0 as it refuses 2.5.
import type { LoadContext } from '../registry/registry.js';
import { PyFloat } from '../values/float.js';
import {
  floatItemsFor,
  floatsOf,
  floatValueKeys,
  itemIsFloat,
  markFloatValue,
  valueIsFloat,
} from '../values/float-marks.js';
import { peekMemory } from './instance.js';
import type { ClassPlan } from './plan.js';
import type { FieldSchema } from './schema.js';
import type { FieldType } from './types.js';

/** Whether a field of this type holds a loaded value as it came (so it must remember a float). */
function holdsAsLoaded(type: FieldType | undefined): boolean {
  return type === undefined || type === 'any' || (typeof type === 'object' && type.kind === 'optional' && holdsAsLoaded(type.type));
}

/** The field's conversion (load-state's fieldValue), given a float for an 'int' field to refuse. */
type CheckField = (value: unknown, field: FieldSchema, plan: ClassPlan, context: LoadContext) => unknown;

/**
 * After BUILD assigned the dict `state` (a plain object or a Map) onto `obj`: each integral float
 * it held, remembered on `obj` under its field's property (or on the kept extras), or given to
 * `check` as the float it is for a typed field to refuse or take.
 */
export function loadStateFloats(obj: object, state: object, plan: ClassPlan, context: LoadContext, check: CheckField): void {
  const floats = floatsOf(state);
  if (floats === undefined) return;
  const { schema } = plan;
  for (const key of floatValueKeys(state)) {
    const value = state instanceof Map ? state.get(key) : (state as Record<string, unknown>)[key as string];
    if (!valueIsFloat(floats, key, value)) continue;
    const field = typeof key === 'string' ? schema.byPythonName.get(key) : undefined;
    if (field !== undefined) {
      if (holdsAsLoaded(field.type)) markFloatValue(obj, field.property);
      else check(new PyFloat(value as number), field, plan, context);
    } else if (typeof key === 'string' && schema.implicit && !schema.exclude.has(key)) {
      markFloatValue(obj, key);
    } else {
      const extras = peekMemory(obj)?.extras;
      if (extras !== undefined && extras.get(key) === value) markFloatValue(extras, key);
    }
  }
}

/** The same for a state that is the field values in order (`fields[i]` took `values[i]`). */
export function loadPositionalFloats(obj: object, values: readonly unknown[], fields: readonly FieldSchema[], plan: ClassPlan, context: LoadContext, check: CheckField): void {
  const floats = floatsOf(values);
  if (floats === undefined) return;
  const count = Math.min(values.length, fields.length);
  for (let i = 0; i < count; i++) {
    if (!itemIsFloat(floats, i, values[i])) continue;
    const field = fields[i]!;
    if (holdsAsLoaded(field.type)) markFloatValue(obj, field.property);
    else check(new PyFloat(values[i] as number), field, plan, context);
  }
}

/** Whether `obj[property]` is a float loaded into a field that holds values as loaded. */
export function propertyIsFloat(obj: object, property: string, value: unknown): boolean {
  const floats = floatsOf(obj);
  return floats !== undefined && valueIsFloat(floats, property, value);
}


/** The state dict dumps built from `obj`'s declared fields: each float field's value marked under its Python name. */
export function dumpFieldFloats(obj: object, record: Record<string, unknown>, fields: readonly FieldSchema[]): void {
  const floats = floatsOf(obj);
  if (floats === undefined) return;
  for (const property of floatValueKeys(obj)) {
    const field = fields.find((candidate) => candidate.property === property);
    if (field === undefined || !holdsAsLoaded(field.type)) continue;
    const value = (obj as Record<string, unknown>)[property as string];
    if (valueIsFloat(floats, property, value) && record[field.pythonName] === value) markFloatValue(record, field.pythonName);
  }
}

/** Marks `values[i]` as a float where `obj`'s field `fields[i]` holds one (a positional state). */
export function dumpPositionalFloats(obj: object, values: readonly unknown[], fields: readonly FieldSchema[]): void {
  const floats = floatsOf(obj);
  if (floats === undefined) return;
  for (let i = 0; i < fields.length && i < values.length; i++) {
    const field = fields[i]!;
    if (holdsAsLoaded(field.type) && valueIsFloat(floats, field.property, values[i])) floatItemsFor(values).add(i);
  }
}

// Dumping a registered class's instances as CPython's copyreg writes the Python class's: the
// reduction (`copyreg.__newobj__` and the state at protocol 2+, `copyreg._reconstructor` below),
// with the class's own dunders where it has them, and the state in the shape its kind of model
// writes: the fields by Python name, the kept keys each in the part of the state it came from.
import type { DumpContext, Reduction } from '../registry/registry.js';
import { isDict, isPlainDict, setPlainDictItem } from '../values/dict.js';
import {
  BUILTINS_OBJECT as OBJECT,
  COPYREG_NEWOBJ as NEWOBJ,
  COPYREG_NEWOBJ_EX as NEWOBJ_EX,
  COPYREG_RECONSTRUCTOR as RECONSTRUCTOR,
  PyGlobal,
} from '../values/global.js';
import { Tuple } from '../values/tuple.js';
import { copyFloatItems, copyFloatValues, markFloatValue, valueToWrite } from '../values/float-marks.js';
import { compileState } from './compiled-state.js';
import { readField } from './own-property.js';
import { dumpFieldFloats, dumpPositionalFloats, propertyIsFloat } from './state-floats.js';
import { FieldTypeError, toPython } from './convert.js';
import { withFrame } from './frames.js';
import { type InstanceMemory, peekMemory } from './instance.js';
import { acceptsNone, declaredFields, defaultPart, noneMessage } from './load-state.js';
import { type ClassPlan, fieldMessage, ready } from './plan.js';
import type { FieldSchema, MutableClassSchema } from './schema.js';

/** What Python's dunder methods look like on a mapped class. */
interface PythonProtocol {
  __getstate__?(): unknown;
  __reduce__?(): Reduction;
  __reduce_ex__?(protocol: number): Reduction;
  __getnewargs__?(): readonly unknown[];
  __getnewargs_ex__?(): readonly [readonly unknown[], Record<string, unknown> | Map<string, unknown>];
}

const DICT = new PyGlobal('builtins', 'dict');

/** A field's value as Python should receive it, with a conversion error naming the field. */
export function fieldToPython(plan: ClassPlan, field: FieldSchema, value: unknown, cache: Map<object, unknown>): unknown {
  if (value === null || value === undefined) {
    if (acceptsNone(field)) return null;
    throw new FieldTypeError(fieldMessage(plan.schema, field, '', noneMessage(field, String(value)), false));
  }
  try {
    return field.type === undefined ? value : toPython(value, field.type, cache);
  } catch (error) {
    if (error instanceof FieldTypeError) throw new FieldTypeError(fieldMessage(plan.schema, field, error.path, error.message));
    throw error;
  }
}

/** A dict of `entries`: null when empty, a Map when a key is not a str, else a plain object. */
function asDict(entries: Map<unknown, unknown>, emptyIsNone = true): unknown {
  if (entries.size === 0 && emptyIsNone) return null;
  for (const key of entries.keys()) if (typeof key !== 'string') return entries;
  const record: Record<string, unknown> = {};
  for (const [key, value] of entries) setPlainDictItem(record, key as string, value);
  copyFloatValues(entries, record);
  return record;
}

/**
 * The state's entries by part (0 `__dict__`, 1 `__slots__`, 2 pydantic's private): implicit
 * properties in their own order, then the declared fields, then the kept keys. A key goes to
 * the part it was loaded from, else to the one the schema gives its name.
 */
function stateParts(obj: object, plan: ClassPlan, cache: Map<object, unknown>, memory: InstanceMemory | undefined, onePart = false): Array<Map<unknown, unknown>> {
  const { schema } = plan;
  const source = obj as Record<string, unknown>;
  const parts = [new Map<unknown, unknown>(), new Map<unknown, unknown>(), new Map<unknown, unknown>()];
  const place = (name: unknown): Map<unknown, unknown> => parts[onePart ? 0 : (memory?.parts?.get(name) ?? defaultPart(schema, name))]!;
  /** Writes `value` (what `obj[property]` gives Python) under `key`, a float where a loaded float still stands. */
  const put = (key: string, property: string, value: unknown) => {
    const part = place(key);
    part.set(key, value);
    if (value === readField(obj, property) && propertyIsFloat(obj, property, value)) markFloatValue(part, key);
  };
  if (schema.implicit) {
    const byProperty = new Map(schema.fields.map((field) => [field.property, field]));
    for (const key of Object.keys(source)) {
      const field = byProperty.get(key);
      if (field?.implicit) put(key, key, fieldToPython(plan, field, source[key], cache));
      else if (!field && !schema.exclude.has(key)) put(key, key, source[key]);
    }
  }
  for (const field of schema.fields) {
    // An implicit class wrote its implicit fields in the loop above, in its own properties' order.
    if (!field.implicit || !schema.implicit) put(field.pythonName, field.property, fieldToPython(plan, field, readField(obj, field.property), cache));
  }
  const extras = memory?.extras;
  for (const [key, value] of extras ?? []) {
    if (typeof key === 'string' && (schema.byPythonName.has(key) || parts.some((part) => part.has(key)))) continue;
    place(key).set(key, value);
    if (valueToWrite(extras!, key, value) !== value) markFloatValue(place(key), key);
  }
  return parts;
}

/** Python's default `__getstate__` for the schema's kind of model (what `defaultGetState` gives). */
export function dumpState(obj: object, plan: ClassPlan, cache: Map<object, unknown>): unknown {
  const { schema } = plan;
  const memory = peekMemory(obj);
  if (plan.plainDump && memory === undefined) {
    // The common case (declared fields of a plain __dict__ class, nothing remembered): a plain dict, built directly.
    if (plan.compiled === undefined) {
      plan.compiled = compileState(schema, (index, value, dumpCache) => fieldToPython(plan, schema.fields[index]!, value, dumpCache)) ?? null;
    }
    let record: Record<string, unknown>;
    if (plan.compiled !== null) {
      record = plan.compiled(obj as Record<string, unknown>, cache)!;
    } else {
      record = {};
      const source = obj as Record<string, unknown>;
      for (const field of schema.fields) setPlainDictItem(record, field.pythonName, fieldToPython(plan, field, readField(obj, field.property), cache));
    }
    dumpFieldFloats(obj, record, schema.fields);
    return record;
  }
  if (schema.model === 'pydantic') return pydanticState(obj, plan, cache, memory);
  if (schema.model === 'dataclass' && schema.slotsOnly && schema.frozen) return positionalState(obj, plan, cache, memory);
  const [dict, slots] = stateParts(obj, plan, cache, memory);
  if (memory?.noDict && dict!.size > 0) {
    const names = [...dict!.keys()].map(String).join(', ');
    throw new FieldTypeError(
      `${schema.module}.${schema.name} was loaded from a state with no __dict__ (only __slots__), so ${names} cannot be written: ` +
        `declare the class's slots (slots: true, or slots: [...names])`,
    );
  }
  if (slots!.size > 0 || schema.slotsOnly) {
    return slots!.size === 0 ? asDict(dict!) : Tuple.from([asDict(dict!), asDict(slots!)]);
  }
  return asDict(dict!);
}

/** A frozen slotted dataclass's state: its field values in order (then values it had beyond them). */
function positionalState(obj: object, plan: ClassPlan, cache: Map<object, unknown>, memory: InstanceMemory | undefined): unknown[] {
  const { schema } = plan;
  if (memory?.extras?.size) {
    const names = [...memory.extras.keys()].map(String).join(', ');
    throw new FieldTypeError(`${schema.module}.${schema.name} keeps its fields in order, with no room for ${names}`);
  }
  const source = obj as Record<string, unknown>;
  const fields = declaredFields(schema);
  const values = fields.map((field) => fieldToPython(plan, field, readField(obj, field.property), cache));
  const all = memory?.extraPositions ? [...values, ...memory.extraPositions] : values;
  dumpPositionalFloats(obj, all, fields);
  if (memory?.extraPositions) copyFloatItems(memory.extraPositions, 0, all, values.length, memory.extraPositions.length);
  return all;
}

/**
 * A pydantic v2 model's `__getstate__`: `__dict__` (the fields), `__pydantic_extra__` and
 * `__pydantic_private__` as loaded (private attributes the class declares written into it), and
 * `__pydantic_fields_set__`: as loaded, plus every field assigned since (holding another value
 * than it was loaded with). A model made in TypeScript counts every field as set, as a
 * constructor call that passes them all would.
 */
function pydanticState(obj: object, plan: ClassPlan, cache: Map<object, unknown>, memory: InstanceMemory | undefined): Record<string, unknown> {
  const { schema } = plan;
  const loaded = memory?.pydantic;
  const [dict, , privateDeclared] = stateParts(obj, plan, cache, memory);
  const source = obj as Record<string, unknown>;
  const assigned = (field: FieldSchema, index: number) => !loaded || !Object.is(readField(obj, field.property), loaded.loaded[index]);
  let fieldsSet: unknown;
  if (loaded && !(loaded.fieldsSet instanceof Set)) {
    fieldsSet = loaded.fieldsSet;
  } else {
    const names = new Set(loaded ? (loaded.fieldsSet as Set<unknown>) : []);
    schema.fields.forEach((field, index) => {
      if (defaultPart(schema, field.pythonName) === 0 && assigned(field, index)) names.add(field.pythonName);
    });
    fieldsSet = names;
  }
  const privateEntries = new Map<unknown, unknown>(privateDeclared);
  for (const [key, value] of loaded?.private ?? []) if (!privateEntries.has(key)) privateEntries.set(key, value);
  const privateUnchanged = schema.fields.every((field, index) => defaultPart(schema, field.pythonName) !== 2 || !assigned(field, index));
  const privateState = (loaded ? loaded.private === null && privateUnchanged : privateEntries.size === 0) ? null : asDict(privateEntries, false);
  const state: Record<string, unknown> = {
    __dict__: asDict(dict!, false),
    __pydantic_extra__: loaded ? loaded.extra : null,
    __pydantic_fields_set__: fieldsSet,
    __pydantic_private__: privateState,
  };
  for (const [key, value] of loaded?.other ?? []) if (typeof key === 'string') setPlainDictItem(state, key, value);
  return state;
}

/** The state of an instance a typed field made from a dict: that dict again, with all its keys in one part. */
function dictItems(obj: object, plan: ClassPlan, cache: Map<object, unknown>): Array<[unknown, unknown]> {
  const [dict] = stateParts(obj, plan, cache, peekMemory(obj), true);
  return [...dict!];
}

function isTruthyState(state: unknown): boolean {
  if (state === null || state === undefined || state === false || state === 0 || state === '') return false;
  if (Array.isArray(state)) return state.length > 0;
  if (state instanceof Map || state instanceof Set) return state.size > 0;
  if (isDict(state)) return Object.keys(state).length > 0;
  return true;
}

/** The PyGlobal naming the plan's class, made once: the pickler memoizes it by identity. */
export function classGlobal(plan: ClassPlan): PyGlobal {
  return (plan.global ??= new PyGlobal(plan.schema.module, plan.schema.name));
}

/**
 * The state dict of reduce's `[copyreg.__newobj__, [cls], state]` (protocol 2 or more, none of the
 * class's own dunders, a state dict made for the call), without the reduction; undefined where
 * reduce may give anything else. Only for the common case (declared fields of a plain class,
 * nothing remembered), which is sure to give a plain dict: elsewhere reduce would make the state again.
 */
export function bareState(obj: object, protocol: number, plan: ClassPlan, context: DumpContext): object | undefined {
  const own = obj as PythonProtocol;
  if (plan.plainDump === undefined) ready(plan);
  if (
    protocol < 2 ||
    !plan.plainDump ||
    peekMemory(obj) !== undefined ||
    typeof own.__reduce_ex__ === 'function' ||
    typeof own.__reduce__ === 'function' ||
    typeof own.__getstate__ === 'function' ||
    typeof own.__getnewargs_ex__ === 'function' ||
    typeof own.__getnewargs__ === 'function'
  ) {
    return undefined;
  }
  const state = dumpState(obj, plan, context.cache);
  return isPlainDict(state) ? state : undefined;
}

/** `obj.__reduce_ex__(protocol)` as Python's object does it, with the class's own dunders. */
export function reduce(obj: object, protocol: number, plan: ClassPlan, context: DumpContext): Reduction {
  const own = obj as PythonProtocol;
  if (plan.plainDump === undefined) ready(plan);
  if (peekMemory(obj)?.fromDict) return [DICT, [], null, null, dictItems(obj, plan, context.cache)];
  if (typeof own.__reduce_ex__ === 'function') return own.__reduce_ex__(protocol);
  if (typeof own.__reduce__ === 'function') return own.__reduce__();
  const cls = classGlobal(plan);
  let state: unknown;
  if (typeof own.__getstate__ === 'function') {
    state = withFrame({ obj, plan, dump: context }, () => own.__getstate__!());
  } else {
    state = dumpState(obj, plan, context.cache);
    if (typeof state === 'object' && state !== null) context.fresh = state; // built for this call only
  }
  if (protocol >= 2) {
    let args: readonly unknown[] = [];
    let kwargs: Record<string, unknown> | Map<string, unknown> | undefined;
    if (typeof own.__getnewargs_ex__ === 'function') [args, kwargs] = own.__getnewargs_ex__();
    else if (typeof own.__getnewargs__ === 'function') args = own.__getnewargs__();
    const hasKwargs = kwargs !== undefined && (kwargs instanceof Map ? kwargs.size > 0 : Object.keys(kwargs).length > 0);
    if (hasKwargs) return [NEWOBJ_EX, [cls, Tuple.from(args), kwargs], state ?? null];
    return [NEWOBJ, [cls, ...args], state ?? null];
  }
  // Protocols 0 and 1: copyreg._reduce_ex, which leaves out a falsy state.
  const args = [cls, OBJECT, null];
  return isTruthyState(state) ? [RECONSTRUCTOR, args, state] : [RECONSTRUCTOR, args];
}



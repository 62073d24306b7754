// BUILD for a registered class: the state Python's `__getstate__` gave, set on an instance
// through the schema (renames, aliases, types), or handed to the class's own `__setstate__`.
// Each model kind reads its own state shape; what does not fit a declared field is kept and
// remembered where it came from, so that dumping writes the same shape back.
import type { LoadContext } from '../registry/registry.js';
import { dictEntries, isDict, isPlainDict, setPlainDictItem } from '../values/dict.js';
import { Tuple } from '../values/tuple.js';
import { compileAssign } from './compiled-state.js';
import { copyFloatItems } from '../values/float-marks.js';
import { readField, writeField } from './own-property.js';
import { loadPositionalFloats, loadStateFloats } from './state-floats.js';
import { describeValue, FieldTypeError, fromPython, isMappedClass, type LoadTools, pythonNameOf } from './convert.js';
import { withFrame } from './frames.js';
import { memoryOf, type InstanceMemory } from './instance.js';
import { type ClassPlan, fieldMessage, ready } from './plan.js';
import type { FieldSchema, MutableClassSchema } from './schema.js';
import { typeName } from './types.js';

const hasOwn = Object.prototype.hasOwnProperty;

const NESTED_INSTANCES = Symbol('pickle-mapper.nestedInstances');
const CONVERTED = Symbol('pickle-mapper.convertedContainers');
const LOAD_TOOLS = Symbol('pickle-mapper.loadTools');

/**
 * Nested instances are built by the handler of the registry being loaded, as NEWOBJ + BUILD.
 * One instance per state dict and class in a load: a dict shared through the memo gives one
 * shared instance (and a dict that reaches itself, a cycle), never a copy per path to it. Such an
 * instance remembers that it was a dict, and is written back as one.
 */
function loadTools(context: LoadContext): LoadTools {
  return context.perLoad(LOAD_TOOLS, () => {
    const made = context.perLoad(NESTED_INSTANCES, () => new WeakMap<object, Map<unknown, unknown>>());
    const converted = context.perLoad(CONVERTED, () => new WeakMap<object, unknown>());
    return {
      converted<T>(original: object, make: () => T): T {
        if (converted.has(original)) return converted.get(original) as T;
        const result = make();
        converted.set(original, result);
        return result;
      },
      makeInstance(cls, state) {
        const byClass = made.get(state as object);
        const known = byClass?.get(cls);
        if (known !== undefined) return known;
        const handler = isMappedClass(cls) ? context.handlerForClass(cls) : undefined;
        if (!handler?.newInstance || !handler.setState) return undefined;
        context.charge(1);
        const instance = handler.newInstance([], undefined, context) as object;
        let entry = made.get(state as object);
        if (!entry) made.set(state as object, (entry = new Map()));
        entry.set(cls, instance); // before its state is set, so a cycle finds it
        const memory = memoryOf(instance);
        memory.fromDict = true;
        handler.setState(instance, state, context);
        // A dict read as one instance's state must be that: keys the class does not map mean it is
        // something else (a dict of instances is dictOf(() => Class)).
        if (memory.extras?.size) {
          const keys = [...memory.extras.keys()].slice(0, 3).map((key) => (typeof key === 'string' ? `'${key}'` : String(key)));
          throw new FieldTypeError(
            `a dict with keys ${keys.join(', ')} is not the state of a ${pythonNameOf(cls)}, which has no such fields ` +
              `(a dict of ${cls.name} instances is declared dictOf(() => ${cls.name}))`,
          );
        }
        return instance;
      },
    };
  });
}

/** What Python's `__setstate__` looks like on a mapped class. */
interface WithSetState {
  __setstate__?(state: unknown): void;
}

/** BUILD: `__setstate__` when the class has one, else the schema's mapping of the state. */
export function setState(obj: object, state: unknown, plan: ClassPlan, context: LoadContext): void {
  if (plan.plainLoad === undefined) ready(plan);
  const own = obj as WithSetState;
  if (typeof own.__setstate__ === 'function') {
    withFrame({ obj, plan, load: context }, () => own.__setstate__!(state));
  } else if (plan.plainLoad && isPlainDict(state) && plan.assign) {
    plan.assign(obj, state, plan, context); // the common case, straight to the compiled loop
    loadStateFloats(obj, state, plan, context, fieldValue);
  } else {
    loadState(obj, state, plan, context);
  }
}

/** Python's default BUILD for the schema's kind of model (what `defaultSetState` runs). */
export function loadState(obj: object, state: unknown, plan: ClassPlan, context: LoadContext): void {
  const { schema } = plan;
  switch (schema.model) {
    case 'pydantic':
      loadPydantic(obj, state, plan, context);
      return;
    case 'dataclass':
      // @dataclass(frozen=True, slots=True): __getstate__ gives the field values in order.
      if (schema.slotsOnly && schema.frozen && Array.isArray(state) && !(state instanceof Tuple)) {
        loadPositional(obj, state, plan, context);
        return;
      }
      if (schema.slotsOnly && schema.frozen) {
        // Written back as a list, which Python's non-frozen class could not take.
        throw new FieldTypeError(
          `${schema.module}.${schema.name} is mapped as @dataclass(frozen=True, slots=True), whose state is a list, and the state is ${describeValue(state)}: ` +
            'the Python class is not frozen, so drop frozen: true',
        );
      }
      break;
    case 'attrs':
      // attrs before 22.2 pickled a tuple of the attribute values in order.
      if (state instanceof Tuple) {
        loadPositional(obj, state, plan, context);
        return;
      }
      break;
    default:
  }
  loadObject(obj, state, plan, context);
}

/** A plain class's state: a `__dict__` dict, or `(dict or None, slots dict or None)`. */
function loadObject(obj: object, state: unknown, plan: ClassPlan, context: LoadContext): void {
  const { schema } = plan;
  if (plan.plainLoad && isPlainDict(state)) {
    loadPlainDict(obj, state, plan, context);
    return;
  }
  const seen = schema.strict ? new Set<FieldSchema>() : undefined;
  if (isDict(state)) {
    assignPart(obj, state, 0, plan, context, seen);
  } else if (
    state instanceof Tuple &&
    state.length === 2 &&
    (state[0] === null || isDict(state[0])) &&
    (state[1] === null || isDict(state[1]))
  ) {
    if (state[0] !== null) assignPart(obj, state[0], 0, plan, context, seen);
    if (state[1] !== null) assignPart(obj, state[1], 1, plan, context, seen);
    // (None, slots) for a class declared without slots: remember there was no __dict__.
    if (state[0] === null && schema.slots.size === 0 && !schema.slotsOnly) memoryOf(obj).noDict = true;
  } else if (Array.isArray(state) && !(state instanceof Tuple) && schema.model === 'dataclass' && !schema.frozen) {
    throw new FieldTypeError(
      `the state of ${schema.module}.${schema.name} is ${describeValue(state)}, the field values in order that @dataclass(frozen=True, slots=True) writes: ` +
        'map it with frozen: true and slots: true',
    );
  } else {
    throw new FieldTypeError(
      `the state of ${schema.module}.${schema.name} is ${describeValue(state)}; ` +
        `define __setstate__ on ${schema.cls.name} to read it, or declare the model (model: 'dataclass', 'attrs', 'pydantic'` +
        `${Array.isArray(state) && !(state instanceof Tuple) ? "; a list is a @dataclass(frozen=True, slots=True)'s state: model: 'dataclass', slots: true, frozen: true" : ''})`,
    );
  }
  if (seen) checkRequired(schema, seen);
}

/**
 * The common case, a plain `__dict__`: its own keys in order, without building an array of them
 * (for-in reads each value straight from the dict's layout), through the loop compiled for the schema.
 */
function loadPlainDict(obj: object, state: Record<string, unknown>, plan: ClassPlan, context: LoadContext): void {
  if (plan.assign === undefined) plan.assign = compileAssign(plan.schema, assignState) ?? null;
  if (plan.assign !== null) {
    plan.assign(obj, state, plan, context);
  } else {
    let position = 0;
    for (const key in state) {
      if (hasOwn.call(state, key)) assignState(obj, key, state[key], plan, position++, context);
    }
  }
  loadStateFloats(obj, state, plan, context, fieldValue);
}


/** The part of the state (0 `__dict__`, 1 `__slots__`, 2 private) the schema writes a Python name in. */
export function defaultPart(schema: MutableClassSchema, name: unknown): number {
  if (schema.model === 'pydantic') return typeof name === 'string' && isPrivateName(name) ? 2 : 0;
  return schema.slotsOnly || (typeof name === 'string' && schema.slots.has(name)) ? 1 : 0;
}

/** pydantic's private attributes: one leading underscore (dunders are not attributes of the model). */
export function isPrivateName(name: string): boolean {
  return name.startsWith('_') && !name.startsWith('__');
}

/** Each entry of one part of the state, remembering the part of a key the schema would put elsewhere. */
function assignPart(obj: object, part: unknown, index: number, plan: ClassPlan, context: LoadContext, seen?: Set<FieldSchema>): void {
  const { schema } = plan;
  let position = 0;
  let memory: InstanceMemory | undefined;
  for (const [key, value] of dictEntries(part as Record<string, unknown>)) {
    const field = assignState(obj, key, value, plan, position++, context, seen);
    const name = field ? field.pythonName : key;
    if (defaultPart(schema, name) !== index) (((memory ??= memoryOf(obj)).parts ??= new Map())).set(name, index);
  }
  loadStateFloats(obj, part as object, plan, context, fieldValue);
}

/** The field a state key names (by Python name or alias), if any; `position` is the key's index in the state. */
function fieldFor(plan: ClassPlan, key: unknown, position: number): FieldSchema | undefined {
  if (typeof key !== 'string') return undefined;
  if (plan.names[position] === key) return plan.fields[position];
  const field = plan.schema.byPythonName.get(key);
  if (field && position < REMEMBERED_POSITIONS) {
    plan.names[position] = field.pythonName === key ? field.pythonName : field.aliases.find((alias) => alias === key);
    plan.fields[position] = field;
  }
  return field;
}

/** Positions whose fields a plan remembers: enough for any ordinary class. */
const REMEMBERED_POSITIONS = 64;

/**
 * One state entry: a field (converted), a same-named property (implicit), or extra state (an
 * error in a strict schema). Returns the field it went to.
 */
export function assignState(
  obj: object,
  key: unknown,
  value: unknown,
  plan: ClassPlan,
  position: number,
  context: LoadContext,
  seen?: Set<FieldSchema>,
): FieldSchema | undefined {
  const field = fieldFor(plan, key, position);
  const { schema } = plan;
  if (field) {
    seen?.add(field);
    writeField(obj, field.property, fieldValue(value, field, plan, context));
  } else if (schema.strict) {
    throw new FieldTypeError(`${schema.module}.${schema.name}: unexpected state key ${describeKey(key)} (the schema is strict)`);
  } else if (typeof key === 'string' && schema.implicit && !schema.exclude.has(key)) {
    setPlainDictItem(obj as Record<string, unknown>, key, value);
  } else {
    checkUnplacedKey(schema, key);
    memoryOf(obj).extras ??= new Map();
    memoryOf(obj).extras!.set(key, value);
  }
  return field;
}

/** A key by which Python spells a field the schema spells otherwise (`maybe_count`, `maybeCount`). */
const spelling = (name: string): string => name.replace(/_/g, '').toLowerCase();

/**
 * A state key the schema does not place is kept aside, unless it shows the schema is wrong:
 * pydantic's own keys in a class not mapped as one, or a declared field under another spelling
 * (whose edits would never reach Python).
 */
function checkUnplacedKey(schema: MutableClassSchema, key: unknown): void {
  if (typeof key !== 'string') return;
  const where = `${schema.module}.${schema.name}`;
  if (key === '__pydantic_fields_set__' || key === '__pydantic_extra__') {
    throw new FieldTypeError(`${where}: the state is a pydantic model's (it has '${key}'): map the class with model: 'pydantic'`);
  }
  const wanted = spelling(key);
  const field = schema.fields.find((candidate) => !candidate.implicit && spelling(candidate.pythonName) === wanted);
  if (field !== undefined) {
    throw new FieldTypeError(
      `${where}: the state has '${key}', and the field ${field.property} is written as '${field.pythonName}': ` +
        `name it @PyField('${key}') (or fields: { ${field.property}: { name: '${key}' } })`,
    );
  }
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? `'${key}'` : describeValue(key);
}

/** Python's None is accepted by the field: its type is none, any, Optional, or its default is null. */
export function acceptsNone(field: FieldSchema): boolean {
  const { type } = field;
  return field.nullable || type === undefined || type === 'any' || (typeof type === 'object' && type.kind === 'optional');
}

/**
 * A field's value as its type wants it. Scalars already of that type (the usual case) are
 * returned as they are, without a call into the general conversion; `fromPython` does the rest.
 */
export function fieldValue(value: unknown, field: FieldSchema, plan: ClassPlan, context: LoadContext): unknown {
  const { type } = field;
  if (type === undefined) return value;
  switch (typeof value) {
    case 'number':
      if (type === 'float' || (type === 'int' && Number.isInteger(value) && !Object.is(value, -0))) return value;
      break;
    case 'string':
      if (type === 'str') return value;
      break;
    case 'boolean':
      if (type === 'bool') return value;
      break;
    case 'bigint':
      if (type === 'int') return value;
      break;
    default:
  }
  if (value === null || value === undefined) {
    if (acceptsNone(field)) return null;
    throw new FieldTypeError(fieldMessage(plan.schema, field, '', noneMessage(field), false));
  }
  try {
    return fromPython(value, type, loadTools(context));
  } catch (error) {
    if (error instanceof FieldTypeError) throw new FieldTypeError(fieldMessage(plan.schema, field, error.path, error.message));
    throw error;
  }
}

/** What refusing None says: the type, and how to allow None. */
export function noneMessage(field: FieldSchema, got = 'None'): string {
  return `expected ${typeName(field.type!, pythonNameOf)}, got ${got} (declare the field's type optional(...) to allow None)`;
}

/** With a strict schema: every required declared field was in the state. */
function checkRequired(schema: MutableClassSchema, seen: ReadonlySet<FieldSchema>): void {
  const missing = schema.fields.filter((field) => !field.implicit && field.required && !seen.has(field));
  if (missing.length > 0) {
    const names = missing.map((field) => `'${field.pythonName}'`).join(', ');
    throw new FieldTypeError(`${schema.module}.${schema.name}: the state has no ${names} (required: the schema is strict)`);
  }
}

/** The declared fields, in order (what a positional state lines up with). */
export function declaredFields(schema: MutableClassSchema): FieldSchema[] {
  return schema.fields.filter((field) => !field.implicit);
}

/** A state that is the field values in order: a frozen slotted dataclass, or an old attrs tuple. */
function loadPositional(obj: object, values: readonly unknown[], plan: ClassPlan, context: LoadContext): void {
  const { schema } = plan;
  const fields = declaredFields(schema);
  const count = Math.min(values.length, fields.length);
  for (let i = 0; i < count; i++) {
    const field = fields[i]!;
    writeField(obj, field.property, fieldValue(values[i], field, plan, context));
  }
  loadPositionalFloats(obj, values, fields, plan, context, fieldValue);
  if (values.length > fields.length) {
    if (schema.strict) {
      throw new FieldTypeError(`${schema.module}.${schema.name}: the state has ${values.length} values for ${fields.length} declared fields (the schema is strict)`);
    }
    const extra = values.slice(fields.length);
    copyFloatItems(values, fields.length, extra, 0, extra.length);
    memoryOf(obj).extraPositions = extra;
  } else if (schema.strict && values.length < fields.length) {
    checkRequired(schema, new Set(fields.slice(0, values.length)));
  }
}

/** One key of either dict form. */
function dictGet(dict: unknown, key: string): unknown {
  if (dict instanceof Map) return dict.get(key);
  return isPlainDict(dict) && hasOwn.call(dict, key) ? dict[key] : undefined;
}

const PYDANTIC_KEYS = new Set(['__dict__', '__pydantic_extra__', '__pydantic_fields_set__', '__pydantic_private__']);

/**
 * A pydantic v2 model's state: the fields from `__dict__` (the undeclared ones kept), the
 * declared private attributes from `__pydantic_private__`; the rest remembered for the dump,
 * with the field values as loaded (a field that holds another value when dumped was assigned,
 * and counts as set, as pydantic's `__setattr__` would count it).
 */
function loadPydantic(obj: object, state: unknown, plan: ClassPlan, context: LoadContext): void {
  const { schema } = plan;
  const fields = dictGet(state, '__dict__');
  if (!isDict(state) || !isDict(fields)) {
    throw new FieldTypeError(
      `the state of ${schema.module}.${schema.name} is ${describeValue(state)}, not a pydantic model's (a dict with '__dict__')`,
    );
  }
  const seen = schema.strict ? new Set<FieldSchema>() : undefined;
  if (isPlainDict(fields) && !seen) loadPlainDict(obj, fields, plan, context);
  else assignPart(obj, fields, 0, plan, context, seen);
  const privateState = dictGet(state, '__pydantic_private__');
  let privateRest: Map<unknown, unknown> | null = null;
  if (isDict(privateState)) {
    privateRest = new Map();
    for (const [key, value] of dictEntries(privateState)) {
      const field = typeof key === 'string' ? schema.byPythonName.get(key) : undefined;
      if (field) {
        seen?.add(field);
        writeField(obj, field.property, fieldValue(value, field, plan, context));
      } else if (schema.strict) {
        throw new FieldTypeError(`${schema.module}.${schema.name}: unexpected private attribute ${describeKey(key)} (the schema is strict)`);
      } else {
        privateRest.set(key, value);
      }
    }
  }
  const memory = memoryOf(obj);
  memory.pydantic = {
    fieldsSet: dictGet(state, '__pydantic_fields_set__'),
    extra: dictGet(state, '__pydantic_extra__') ?? null,
    private: privateRest,
    loaded: schema.fields.map((field) => readField(obj, field.property)),
  };
  for (const [key, value] of dictEntries(state)) {
    if (typeof key === 'string' && PYDANTIC_KEYS.has(key)) continue;
    if (schema.strict) throw new FieldTypeError(`${schema.module}.${schema.name}: unexpected state key ${describeKey(key)} (the schema is strict)`);
    (memory.pydantic.other ??= []).push([key, value]);
  }
  if (seen) checkRequired(schema, seen);
}

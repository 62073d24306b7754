// registerClass: a class schema turned into a registry handler. This is everything the
// decorators do, as a plain function for JavaScript users and classes one cannot decorate.
import { BARE_NEWOBJ, defaultRegistry, type DumpContext, type LoadContext, type PyClassHandler, type Reduction, Registry } from '../registry.js';
import { dictEntries, isDict, isPlainDict, setPlainDictItem } from '../values/dict.js';
import { PyGlobal, COPYREG_NEWOBJ as NEWOBJ, COPYREG_NEWOBJ_EX as NEWOBJ_EX, COPYREG_RECONSTRUCTOR as RECONSTRUCTOR, BUILTINS_OBJECT as OBJECT } from '../values/global.js';
import { Tuple } from '../values/tuple.js';
import { FieldTypeError, fromPython, describeValue, type InstanceMaker, toPython } from './convert.js';
import { extraState, instanceFactory, peekExtraState } from './instance.js';
import { type CompiledAssign, type CompiledState, compileAssign, compileState } from './compiled-state.js';
import {
  buildSchema,
  type ClassOptions,
  type ClassSchema,
  type FieldSchema,
  type FieldType,
  type MappedClass,
  parsePythonName,
  type PythonName,
} from './schema.js';

const SCHEMAS_KEY = Symbol.for('pickle-mapper.schemas');

/** Schemas by class, shared by every copy of the package loaded in this process. */
function schemaStore(): WeakMap<MappedClass, ClassSchema> {
  const holder = globalThis as { [SCHEMAS_KEY]?: WeakMap<MappedClass, ClassSchema> };
  return (holder[SCHEMAS_KEY] ??= new WeakMap());
}

/** The schema a class was registered with, if any. */
export function schemaOf(cls: MappedClass): ClassSchema | undefined {
  return schemaStore().get(cls);
}


/** What Python's dunder methods look like on a mapped class. */
interface PythonProtocol {
  __getstate__?(): unknown;
  __setstate__?(state: unknown): void;
  __reduce__?(): Reduction;
  __reduce_ex__?(protocol: number): Reduction;
  __getnewargs__?(): readonly unknown[];
  __getnewargs_ex__?(): readonly [readonly unknown[], Record<string, unknown> | Map<string, unknown>];
}

function where(schema: ClassSchema, field: FieldSchema): string {
  const renamed = field.property === field.pythonName ? '' : ` (property ${field.property})`;
  return `${schema.module}.${schema.name}.${field.pythonName}${renamed}`;
}

const NESTED_INSTANCES = Symbol('pickle-mapper.nestedInstances');
const INSTANCE_MAKER = Symbol('pickle-mapper.instanceMaker');

/**
 * Nested instances are built by the handler of the registry being loaded, as NEWOBJ + BUILD.
 * One instance per state dict and class in a load: a dict shared through the memo gives one
 * shared instance (and a dict that reaches itself, a cycle), never a copy per path to it.
 */
function instanceMaker(context: LoadContext): InstanceMaker {
  const made = context.perLoad(NESTED_INSTANCES, () => new WeakMap<object, Map<unknown, unknown>>());
  return (cls, state) => {
    const byClass = typeof state === 'object' && state !== null ? made.get(state) : undefined;
    const known = byClass?.get(cls);
    if (known !== undefined) return known;
    const handler = context.handlerForClass(cls);
    if (!handler?.newInstance || !handler.setState) {
      throw new FieldTypeError(`${cls.name} is not a class registered in the registry being loaded`);
    }
    context.charge(1);
    const instance = handler.newInstance([], undefined, context);
    if (typeof state === 'object' && state !== null) {
      let entry = made.get(state);
      if (!entry) made.set(state, (entry = new Map()));
      entry.set(cls, instance); // before its state is set, so a cycle finds it
    }
    handler.setState(instance, state, context);
    return instance;
  };
}

/** The load's maker of nested instances, made on first use (most classes never need one). */
function instanceMakerOf(context: LoadContext): InstanceMaker {
  return context.perLoad(INSTANCE_MAKER, () => instanceMaker(context));
}

const hasOwn = Object.prototype.hasOwnProperty;

/** How BUILD maps state keys onto a schema's fields, with the lookups of recent states remembered. */
interface StatePlan {
  readonly schema: ClassSchema;
  /**
   * The field name (or alias) last found at each position of a state dict, and its field. The
   * states of one class nearly always share one key order, so the field of a key is then found
   * by one string comparison instead of a lookup by name. Only the schema's own strings are kept.
   */
  readonly names: Array<string | undefined>;
  readonly fields: Array<FieldSchema | undefined>;
  /** setState's loop over a plain dict compiled for the schema (compileAssign); null where compiling is not allowed. */
  assign?: CompiledAssign<StatePlan, LoadContext> | null;
}

/** Positions whose fields a StatePlan remembers: enough for any ordinary class. */
const REMEMBERED_POSITIONS = 64;

function statePlan(schema: ClassSchema): StatePlan {
  return { schema, names: [], fields: [] };
}

/** The field a state key names (by Python name or alias), if any; `position` is the key's index in the state. */
function fieldFor(plan: StatePlan, key: unknown, position: number): FieldSchema | undefined {
  if (typeof key !== 'string') return undefined;
  if (plan.names[position] === key) return plan.fields[position];
  const field = plan.schema.byPythonName.get(key);
  if (field && position < REMEMBERED_POSITIONS) {
    plan.names[position] = field.pythonName === key ? field.pythonName : field.aliases.find((alias) => alias === key);
    plan.fields[position] = field;
  }
  return field;
}

/** BUILD: `__setstate__` when the class has one, else the schema's mapping of the state dict. */
function setState(obj: object, state: unknown, plan: StatePlan, context: LoadContext): void {
  const own = obj as PythonProtocol;
  if (typeof own.__setstate__ === 'function') {
    own.__setstate__(state);
    return;
  }
  if (isPlainDict(state)) {
    // The common case, a plain __dict__: its own keys in order (as Object.keys gives them), without
    // building an array of them; for-in reads each value straight from the dict's layout.
    if (plan.assign === undefined) plan.assign = compileAssign(plan.schema, assignState) ?? null;
    if (plan.assign !== null) {
      plan.assign(obj, state, plan, context);
      return;
    }
    let position = 0;
    for (const key in state) {
      if (hasOwn.call(state, key)) assignState(obj, key, state[key], plan, position++, context);
    }
    return;
  }
  let parts: unknown[];
  if (isDict(state)) {
    parts = [state];
  } else if (
    state instanceof Tuple &&
    state.length === 2 &&
    (state[0] === null || isDict(state[0])) &&
    (state[1] === null || isDict(state[1]))
  ) {
    parts = [state[0], state[1]]; // (instance dict, __slots__ values)
  } else {
    const { schema } = plan;
    throw new FieldTypeError(
      `the state of ${schema.module}.${schema.name} is ${describeValue(state)}; define __setstate__ on ${schema.cls.name} to read it`,
    );
  }
  for (const part of parts) {
    if (part === null) continue;
    let position = 0;
    for (const [key, value] of dictEntries(part as Record<string, unknown>)) assignState(obj, key, value, plan, position++, context);
  }
}

/**
 * A declared field's value as its type wants it. Scalars already of that type (the usual case)
 * are returned as they are, without a call into the general conversion; `fromPython` does the rest.
 */
function fieldValue(value: unknown, type: FieldType | undefined, context: LoadContext): unknown {
  if (type === undefined) return value;
  switch (typeof value) {
    case 'number':
      if (type === 'float' || (type === 'int' && Number.isInteger(value))) return value;
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
  return fromPython(value, type, instanceMakerOf(context));
}

/** One state entry: a declared field (converted), a same-named property (implicit), or extra state. */
function assignState(obj: object, key: unknown, value: unknown, plan: StatePlan, position: number, context: LoadContext): void {
  const field = fieldFor(plan, key, position);
  const { schema } = plan;
  if (field) {
    try {
      (obj as Record<string, unknown>)[field.property] = fieldValue(value, field.type, context);
    } catch (error) {
      if (error instanceof FieldTypeError) throw new FieldTypeError(`${where(schema, field)}: ${error.message}`);
      throw error;
    }
  } else if (typeof key === 'string' && schema.implicit && !schema.exclude.has(key)) {
    setPlainDictItem(obj as Record<string, unknown>, key, value);
  } else {
    extraState(obj).set(key, value);
  }
}

/** What dumping a schema's instances needs, made once per schema when first needed (reduce runs per instance). */
interface DumpPlan {
  readonly schema: ClassSchema;
  /** The PyGlobal naming the class. */
  global?: PyGlobal;
  /** defaultState's common case compiled (compileState); null where compiling is not allowed. */
  compiled?: CompiledState | null;
}

/** toPython for field `index` of the schema, with a conversion error naming the field. */
function fieldToPython(schema: ClassSchema, index: number, value: unknown, cache: Map<object, unknown>): unknown {
  const field = schema.fields[index]!;
  try {
    return toPython(value, field.type, cache);
  } catch (error) {
    if (error instanceof FieldTypeError) throw new FieldTypeError(`${where(schema, field)}: ${error.message}`);
    throw error;
  }
}

/** The default `__getstate__`: declared fields by Python name, then the undeclared keys kept. */
function defaultState(obj: object, plan: DumpPlan, context: DumpContext): unknown {
  const { schema } = plan;
  const source = obj as Record<string, unknown>;
  if (!schema.implicit && schema.slots.size === 0 && peekExtraState(obj) === undefined) {
    // The common case (declared fields only, nothing kept on the side): a plain dict, built directly.
    let compiled = plan.compiled;
    if (compiled === undefined) {
      const convert = (index: number, value: unknown, cache: Map<object, unknown>) => fieldToPython(schema, index, value, cache);
      plan.compiled = compiled = compileState(schema, convert) ?? null;
    }
    if (compiled !== null) return compiled(source, context.cache);
    const record: Record<string, unknown> = {};
    const { fields } = schema;
    for (let i = 0; i < fields.length; i++) {
      setPlainDictItem(record, fields[i]!.pythonName, fieldToPython(schema, i, source[fields[i]!.property], context.cache));
    }
    return fields.length > 0 ? record : null;
  }
  const dict = new Map<unknown, unknown>();
  const slots = new Map<unknown, unknown>();
  if (schema.implicit) {
    const declared = new Set(schema.fields.map((field) => field.property));
    for (const key of Object.keys(source)) {
      if (!declared.has(key) && !schema.exclude.has(key)) dict.set(key, source[key]);
    }
  }
  schema.fields.forEach((field, i) => {
    const value = fieldToPython(schema, i, source[field.property], context.cache);
    (schema.slots.has(field.pythonName) ? slots : dict).set(field.pythonName, value);
  });
  const extras = peekExtraState(obj);
  if (extras) {
    for (const [key, value] of extras) {
      if (typeof key === 'string' && (schema.byPythonName.has(key) || dict.has(key))) continue;
      (typeof key === 'string' && schema.slots.has(key) ? slots : dict).set(key, value);
    }
  }
  const asDict = (entries: Map<unknown, unknown>): unknown => {
    if (entries.size === 0) return null;
    for (const key of entries.keys()) if (typeof key !== 'string') return entries;
    const record: Record<string, unknown> = {};
    for (const [key, value] of entries) setPlainDictItem(record, key as string, value);
    return record;
  };
  if (schema.slots.size > 0) {
    return slots.size === 0 ? asDict(dict) : Tuple.from([asDict(dict), asDict(slots)]);
  }
  return asDict(dict);
}

function isTruthyState(state: unknown): boolean {
  if (state === null || state === undefined || state === false || state === 0 || state === '') return false;
  if (Array.isArray(state)) return state.length > 0;
  if (state instanceof Map || state instanceof Set) return state.size > 0;
  if (isDict(state)) return Object.keys(state).length > 0;
  return true;
}

/** The PyGlobal naming the plan's class, made once: the pickler memoizes it by identity. */
function classGlobal(plan: DumpPlan): PyGlobal {
  return (plan.global ??= new PyGlobal(plan.schema.module, plan.schema.name));
}

/**
 * The state dict of reduce's `[copyreg.__newobj__, [cls], state]` (protocol 2 or more, none of the
 * class's own dunders, a state dict made for the call), without the reduction; undefined where
 * reduce may give anything else. Only for defaultState's common case (declared fields, nothing
 * kept on the side), which is sure to give a plain dict: elsewhere reduce would make the state again.
 */
function bareState(obj: object, protocol: number, plan: DumpPlan, context: DumpContext): object | undefined {
  const own = obj as PythonProtocol;
  const { schema } = plan;
  if (
    protocol < 2 ||
    schema.implicit ||
    schema.slots.size > 0 ||
    schema.fields.length === 0 ||
    peekExtraState(obj) !== undefined ||
    typeof own.__reduce_ex__ === 'function' ||
    typeof own.__reduce__ === 'function' ||
    typeof own.__getstate__ === 'function' ||
    typeof own.__getnewargs_ex__ === 'function' ||
    typeof own.__getnewargs__ === 'function'
  ) {
    return undefined;
  }
  const state = defaultState(obj, plan, context);
  return isPlainDict(state) ? state : undefined;
}

/** `obj.__reduce_ex__(protocol)` as Python's object does it, with the class's own dunders. */
function reduce(obj: object, protocol: number, plan: DumpPlan, context: DumpContext): Reduction {
  const own = obj as PythonProtocol;
  if (typeof own.__reduce_ex__ === 'function') return own.__reduce_ex__(protocol);
  if (typeof own.__reduce__ === 'function') return own.__reduce__();
  const cls = classGlobal(plan);
  let state: unknown;
  if (typeof own.__getstate__ === 'function') state = own.__getstate__();
  else {
    state = defaultState(obj, plan, context);
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

/** The registry handler for a schema. */
function classHandler<T extends object>(schema: ClassSchema): PyClassHandler<T> {
  const cls = schema.cls as unknown as new (...args: unknown[]) => T;
  const make = instanceFactory(schema.cls as MappedClass<T>);
  const plan = statePlan(schema);
  const dumpPlan: DumpPlan = { schema };
  return {
    module: schema.module,
    name: schema.name,
    kind: 'class',
    jsClass: schema.cls as MappedClass<T>,
    call: (args) => new cls(...args),
    // NEWOBJ's arguments go to a static __new__(...args) when the class has one (Python's
    // cls.__new__(cls, *args)); otherwise the instance is made without its constructor.
    newInstance: (args) => {
      const construct = (schema.cls as unknown as { __new__?: (...args: unknown[]) => T }).__new__;
      return typeof construct === 'function' ? construct.apply(schema.cls, [...args]) : make();
    },
    setState: (obj, state, context) => setState(obj, state, plan, context),
    reduce: (obj, protocol, context) => reduce(obj, protocol, dumpPlan, context),
    [BARE_NEWOBJ]: {
      get cls() {
        return classGlobal(dumpPlan);
      },
      state: (obj, protocol, context) => bareState(obj, protocol, dumpPlan, context),
    },
  };
}

/** Options of `registerClass` beyond the schema: where to register. */
export interface RegisterOptions {
  /** The registry to add the class to; the shared default one when omitted. */
  registry?: Registry;
}

/**
 * Registers `cls` as the Python class `options.module`.`options.name`: `loads` rebuilds its
 * instances (NEWOBJ without running the constructor, REDUCE through `new cls(...args)`, BUILD
 * through the fields or `__setstate__`), and `dumps` writes them as CPython's copyreg would.
 */
export function registerClass<T extends object>(
  cls: MappedClass<T>,
  options: ClassOptions & RegisterOptions,
): PyClassHandler<T> {
  const { module, name } = options;
  if (!module || !name) throw new TypeError('registerClass needs the Python module and name');
  const schema = buildSchema(cls, options);
  schemaStore().set(cls, schema);
  const registry = options.registry ?? defaultRegistry();
  const handler = classHandler<T>(schema);
  registry.register(handler);
  for (const alias of options.aliases ?? []) {
    const old = parsePythonName(alias);
    registry.aliasName(old.module, old.name, module, name);
  }
  return handler;
}

/** Makes every name of a renamed Python module load from its new module. */
export function aliasModule(oldModule: string, module: string, registry: Registry = defaultRegistry()): void {
  registry.aliasModule(oldModule, module);
}

/** Makes an old qualified name load as a current one: `aliasName('__main__.Person', 'person.Person')`. */
export function aliasName(
  oldName: string | PythonName,
  name: string | PythonName,
  registry: Registry = defaultRegistry(),
): void {
  const from = parsePythonName(oldName);
  const to = parsePythonName(name);
  registry.aliasName(from.module, from.name, to.module, to.name);
}

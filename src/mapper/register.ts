// registerClass: a class schema turned into a registry handler. This is everything the
// decorators do, as a plain function for JavaScript users and classes one cannot decorate.
import { BARE_NEWOBJ, defaultRegistry, type PyClassHandler, Registry } from '../registry/registry.js';
import { bareState, classGlobal, reduce } from './dump-state.js';
import { instanceFactory } from './instance.js';
import { setState } from './load-state.js';
import { type ClassPlan, classPlan } from './plan.js';
import { markExplicitLevel } from './resolve.js';
import {
  buildSchema,
  type ClassOptions,
  type ClassSchema,
  type MappedClass,
  type MutableClassSchema,
  parsePythonName,
  type PythonName,
} from './schema.js';

const SCHEMAS_KEY = Symbol.for('pickle-mapper.schemas');

/** Schemas by class, shared by every copy of the package loaded in this process. */
function schemaStore(): WeakMap<MappedClass, ClassSchema> {
  const holder = globalThis as { [SCHEMAS_KEY]?: WeakMap<MappedClass, ClassSchema> };
  return (holder[SCHEMAS_KEY] ??= new WeakMap());
}

/** The schema a class was registered with, if any (its latest registration). */
export function schemaOf(cls: MappedClass): ClassSchema | undefined {
  return schemaStore().get(cls);
}

/** The plan of each class's latest registration, and the registry it went to. */
const latest = new WeakMap<MappedClass, { plan: ClassPlan; registry: Registry }>();

/** The plan and registry of a class's latest registration (for dunders that delegate outside a load or dump). */
export function latestRegistration(cls: MappedClass): { plan: ClassPlan; registry: Registry } | undefined {
  return latest.get(cls);
}

/** The registry handler for a schema. */
function classHandler<T extends object>(plan: ClassPlan): PyClassHandler<T> {
  const { schema } = plan;
  const cls = schema.cls as unknown as new (...args: unknown[]) => T;
  const make = instanceFactory(schema.cls as MappedClass<T>);
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
    reduce: (obj, protocol, context) => reduce(obj, protocol, plan, context),
    [BARE_NEWOBJ]: {
      get cls() {
        return classGlobal(plan);
      },
      state: (obj, protocol, context) => bareState(obj, protocol, plan, context),
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
  if (options.model === 'dataclass' && options.frozen && options.slots !== true && options.slots !== undefined) {
    throw new TypeError(`${module}.${name}: a frozen slotted dataclass has every field in __slots__: say slots: true`);
  }
  const schema: MutableClassSchema = buildSchema(cls, options, schemaOf);
  if (!schema.implicit) markExplicitLevel(cls);
  schemaStore().set(cls, schema);
  const registry = options.registry ?? defaultRegistry();
  const plan = classPlan(schema);
  latest.set(cls, { plan, registry });
  const handler = classHandler<T>(plan);
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

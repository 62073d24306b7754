// Python's `super().__getstate__()` and `super().__setstate__(state)` for mapped classes: a class's
// own dunders hand the state (or a part of it) to the default handling, with the schema's names
// and field types applied, instead of copying fields by hand.
import { defaultRegistry, type LoadContext, type Registry } from '../registry/registry.js';
import type { PyGlobal } from '../values/global.js';
import { dumpState } from './dump-state.js';
import { frameOf } from './frames.js';
import { loadState } from './load-state.js';
import { type ClassPlan, ready } from './plan.js';
import { latestRegistration } from './register.js';
import type { MappedClass } from './types.js';

/** The plan of the class of `obj`, as registered last. */
function registrationFor(obj: object, what: string): { plan: ClassPlan; registry: Registry } {
  const cls = (Object.getPrototypeOf(obj) as { constructor?: MappedClass } | null)?.constructor;
  const registration = cls ? latestRegistration(cls) : undefined;
  if (!registration) throw new TypeError(`${what} needs an instance of a registered class, not ${cls?.name ?? 'this value'}`);
  return registration;
}

/** What loading needs outside of a load: nested instances from the class's registry, no limits. */
function standaloneContext(registry: Registry): LoadContext {
  const store = new Map<symbol, unknown>();
  return {
    charge: () => {},
    newDict: () => ({}),
    strict: false,
    maxIntDigits: 4300,
    asFloat: (value) => value,
    findGlobal: (module, name): PyGlobal => {
      throw new TypeError(`no global ${module}.${name} outside of a load`);
    },
    handlerForClass: (cls) => registry.handlerForClass(cls) ?? defaultRegistry().handlerForClass(cls),
    perLoad<T>(key: symbol, make: () => T): T {
      if (!store.has(key)) store.set(key, make());
      return store.get(key) as T;
    },
  };
}

/**
 * Sets `state` on `obj` as BUILD does for its class when it has no `__setstate__`: fields by
 * Python name and alias, converted and checked by their types, the rest kept. Call it from
 * `__setstate__` for the states it does not handle itself (Python's `super().__setstate__(state)`).
 */
export function defaultSetState(obj: object, state: unknown): void {
  const frame = frameOf(obj);
  if (frame?.load) {
    loadState(obj, state, frame.plan, frame.load);
    return;
  }
  const { plan, registry } = registrationFor(obj, 'defaultSetState');
  loadState(obj, state, ready(plan), standaloneContext(registry));
}

/**
 * The state `dumps` writes for `obj` when its class has no `__getstate__`: fields by Python name
 * with their types applied (a float field's 2 as 2.0), the kept keys, in the shape of its kind of
 * model. Call it from `__getstate__` to adjust it (Python's `super().__getstate__()`).
 */
export function defaultGetState(obj: object): unknown {
  const frame = frameOf(obj);
  const plan = frame?.plan ?? registrationFor(obj, 'defaultGetState').plan;
  return dumpState(obj, ready(plan), frame?.dump?.cache ?? new Map());
}

import type { PyDict } from '../values/dict.js';
import type { PyGlobal } from '../values/global.js';
import type { PyFloat } from '../values/float.js';

/** What the unpickler offers a handler while it rebuilds a value. */
export interface LoadContext {
  /**
   * Counts work done in proportion to a handler's input (items copied, characters encoded), so
   * a small hostile pickle that calls `set(big_list)` a million times hits a limit instead of
   * hanging the process. Throws once the budget of the load is spent.
   */
  charge(units: number): void;
  /** A new empty dict in the representation the caller asked for (`dicts` option). */
  newDict(): PyDict;
  /** Whether the load is in strict mode. */
  readonly strict: boolean;
  /** Most digits `int(text)` reads in a base that is not a power of two (the load's `maxIntDigits`). */
  readonly maxIntDigits: number;
  /**
   * A Python float for a handler to return: a PyFloat when integral (2.0), which the load gives
   * as the number, recorded as a float where it lands (or as the PyFloat with `keepFloatType`).
   */
  asFloat(value: number): number | PyFloat;
  /** A global by name, resolved as GLOBAL resolves it (registry, aliases, standard types). */
  findGlobal(module: string, name: string): PyGlobal;
  /** The handler the load's registry has for a JavaScript class (to build nested instances). */
  handlerForClass(cls: unknown): PyClassHandler | undefined;
  /** Storage that lives for one load, by key: `perLoad(KEY, () => new WeakMap())`. */
  perLoad<T>(key: symbol, make: () => T): T;
}

/** What the pickler offers a handler while it reduces a value. */
export interface DumpContext {
  /** The protocol being written. */
  readonly protocol: number;
  /**
   * A cache that lives for one dump: converted copies of containers by original, so that a
   * container shared between fields is converted (and written) once.
   */
  readonly cache: Map<object, unknown>;
  /**
   * A `reduce` may set this to the state dict it just built for this call and shares with
   * nothing else. The pickler then writes that dict without looking it up in (or adding it to)
   * its memo, which nothing could find it by anyway; that is most of the cost of writing many
   * small instances. The pickler clears it around each `reduce` call.
   */
  fresh?: object;
}

/**
 * How a value is pickled, as Python's `__reduce__` returns it: the callable and its arguments,
 * then optionally the state (BUILD), list items (APPENDS), dict items (SETITEMS) and a state
 * setter. A callable of `copyreg.__newobj__` (args = [cls, ...args]) is written as NEWOBJ, and
 * `copyreg.__newobj_ex__` (args = [cls, args, kwargs]) as NEWOBJ_EX, as CPython does.
 */
export type Reduction = readonly [
  callable: unknown,
  args: readonly unknown[],
  state?: unknown,
  listItems?: Iterable<unknown> | null,
  dictItems?: Iterable<readonly [unknown, unknown]> | null,
  stateSetter?: unknown,
];

/**
 * How the codec treats one Python global (a class or function), found by module and qualified
 * name. This is the registry's seam: the standard types, numpy arrays and decorated classes are
 * all handlers, and the unpickler knows nothing else about them.
 */
export interface PyClassHandler<T = unknown> {
  /** Python module, e.g. "collections". */
  readonly module: string;
  /** Qualified name inside the module, e.g. "OrderedDict" or "Outer.Inner". */
  readonly name: string;
  /** "function" for plain functions, which NEWOBJ refuses as Python does; "class" by default. */
  readonly kind?: 'class' | 'function';
  /**
   * The JavaScript constructor of the values this handler produces, so that BUILD, APPENDS and
   * SETITEMS on such a value (and, for the pickler, the value itself) find their way back here.
   */
  readonly jsClass?: abstract new (...args: never[]) => T;
  /** Calling the global: `callable(*args)` (REDUCE; INST and OBJ with arguments). */
  call?(args: readonly unknown[], context: LoadContext): T;
  /** `cls.__new__(cls, *args, **kwargs)` (NEWOBJ, NEWOBJ_EX, and `copyreg._reconstructor`). */
  newInstance?(args: readonly unknown[], kwargs: PyDict | undefined, context: LoadContext): T;
  /** BUILD: `obj.__setstate__(state)`, or Python's default `__dict__` and slots update. */
  setState?(obj: T, state: unknown, context: LoadContext): void;
  /** APPEND/APPENDS on an instance (a list subclass): `obj.extend(items)`. */
  extend?(obj: T, items: readonly unknown[], context: LoadContext): void;
  /** SETITEM/SETITEMS on an instance (a dict subclass): `obj[key] = value` for each pair. */
  setItems?(obj: T, pairs: ReadonlyArray<readonly [unknown, unknown]>, context: LoadContext): void;
  /** ADDITEMS on an instance (a set subclass): `obj.add(item)` for each item. */
  addItems?(obj: T, items: readonly unknown[], context: LoadContext): void;
  /**
   * `getattr(cls, name)` on this class, as `enum.pickle_by_enum_name` pickles a member (REDUCE
   * of builtins.getattr): the attribute's value, or undefined to fall back to the global
   * `cls.name` (how nested classes load below protocol 4).
   */
  getAttribute?(name: string, context: LoadContext): unknown;
  /**
   * `copyreg._reconstructor(cls, base, state)` with a builtin `base`, how protocols 0 and 1 pickle
   * an instance of a class derived from a builtin type (a namedtuple: base `tuple`, state its
   * items): Python's `base.__new__(cls, state)` then `base.__init__(obj, state)`.
   */
  reconstruct?(base: PyGlobal, state: unknown, context: LoadContext): T;
  /** Pickling a value of `jsClass`: its reduction, as `obj.__reduce_ex__(protocol)` gives it. */
  reduce?(obj: T, protocol: number, context: DumpContext): Reduction;
  /**
   * Python's `__eq__`/`__hash__` for this class's values as dict keys and set members, so that
   * `dumps` refuses a Map or Set that Python would merge entries of or could not build: a value
   * Python finds equal to `obj` (a tuple of a namedtuple's fields; `hashedAs('shop.Sku',
   * tuple(code))` for value equality within the class), `UNHASHABLE` when Python cannot hash it,
   * or `obj` itself for equality by identity (Python's default, and what an absent `hashAs` means).
   */
  hashAs?(obj: T): unknown;
  /** @internal The commonest reduction without building it (see BareNewObj). */
  readonly [BARE_NEWOBJ]?: BareNewObj<T>;
}

/** Key of PyClassHandler's BareNewObj shortcut (registered classes have one). */
export const BARE_NEWOBJ: unique symbol = Symbol('pickle-mapper.bareNewObj');

/**
 * A handler's shortcut for the reduction it gives most: `[copyreg.__newobj__, [cls], state]` with
 * a state dict made for the call. The pickler asks for the state alone, saving the reduction's
 * arrays for each instance.
 */
export interface BareNewObj<T> {
  /** The class object the handler's reductions hold (the same object each time: it is memoized). */
  readonly cls: PyGlobal;
  /** The state dict `reduce` would put in that reduction, or undefined where it gives another. */
  state(obj: T, protocol: number, context: DumpContext): object | undefined;
}

function key(module: string, name: string): string {
  return `${module}\n${name}`;
}

const REGISTRATIONS_KEY = Symbol.for('pickle-mapper.registrations');

/**
 * What every registry of the process has registered (shared on `globalThis`, as the default
 * registry is), so that an error can say a class is registered, only elsewhere.
 */
interface Registrations {
  /** The Python name a JavaScript class was last registered under. */
  readonly byClass: WeakMap<object, string>;
  /** Python names with a handler in some registry ("module\nname"). */
  readonly names: Set<string>;
}

function registrations(): Registrations {
  const holder = globalThis as { [REGISTRATIONS_KEY]?: Registrations };
  return (holder[REGISTRATIONS_KEY] ??= { byClass: new WeakMap(), names: new Set() });
}

/** The Python name (`module.name`) `cls` is registered under in some registry of the process. */
export function registeredNameOf(cls: unknown): string | undefined {
  return typeof cls === 'function' ? registrations().byClass.get(cls) : undefined;
}

/** Whether some registry of the process has a handler for this Python name. */
export function isRegisteredAnywhere(module: string, name: string): boolean {
  return registrations().names.has(key(module, name));
}

/**
 * Maps Python globals to handlers, and JavaScript classes back to them. One default registry is
 * shared by the whole process (see `defaultRegistry`); scoped ones are made with `new Registry()`
 * and passed to `loads`/`dumps`, optionally layered over a parent whose entries they inherit.
 */
export class Registry {
  readonly #parent: Registry | undefined;
  readonly #byName = new Map<string, PyClassHandler>();
  readonly #byClass = new Map<unknown, PyClassHandler>();
  readonly #nameAliases = new Map<string, readonly [string, string]>();
  readonly #moduleAliases = new Map<string, string>();

  constructor(options: { parent?: Registry } = {}) {
    this.#parent = options.parent;
  }

  /** Adds (or replaces) the handler for `handler.module`/`handler.name`. */
  register<T>(handler: PyClassHandler<T>): this {
    this.#byName.set(key(handler.module, handler.name), handler as PyClassHandler);
    if (handler.jsClass) this.#byClass.set(handler.jsClass, handler as PyClassHandler);
    const all = registrations();
    all.names.add(key(handler.module, handler.name));
    if (handler.jsClass) all.byClass.set(handler.jsClass, `${handler.module}.${handler.name}`);
    return this;
  }

  /**
   * Makes an old name load as a current one: `aliasName('__main__', 'Person', 'person', 'Person')`.
   */
  aliasName(oldModule: string, oldName: string, module: string, name: string): this {
    this.#nameAliases.set(key(oldModule, oldName), [module, name]);
    return this;
  }

  /**
   * Makes every name of a renamed module load from its new module:
   * `aliasModule('keras.src.preprocessing.text', 'keras.src.legacy.preprocessing.text')`.
   */
  aliasModule(oldModule: string, module: string): this {
    this.#moduleAliases.set(oldModule, module);
    return this;
  }

  /** The handler for a global, following aliases here and then in the parent; undefined if none. */
  resolve(module: string, name: string): PyClassHandler | undefined {
    return this.#resolve(module, name, 0);
  }

  #resolve(module: string, name: string, hops: number): PyClassHandler | undefined {
    // Aliases may chain, but a cycle of them must not loop forever.
    if (hops > 32) return undefined;
    const direct = this.#byName.get(key(module, name));
    if (direct) return direct;
    const renamed = this.#nameAliases.get(key(module, name));
    if (renamed) {
      const viaName = this.#resolve(renamed[0], renamed[1], hops + 1);
      if (viaName) return viaName;
    }
    const movedTo = this.#moduleAliases.get(module);
    if (movedTo !== undefined && movedTo !== module) {
      const viaModule = this.#resolve(movedTo, name, hops + 1);
      if (viaModule) return viaModule;
    }
    return this.#parent?.resolve(module, name);
  }

  /** The handler whose `jsClass` made `value`, here or in the parent. */
  handlerForValue(value: object): PyClassHandler | undefined {
    // The prototype's constructor: an own property named "constructor" is data, not the class.
    return this.handlerForClass((Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor);
  }

  /** The handler registered for a JavaScript class, here or in the parent. */
  handlerForClass(cls: unknown): PyClassHandler | undefined {
    return this.#byClass.get(cls) ?? this.#parent?.handlerForClass(cls);
  }
}

const DEFAULT_REGISTRY_KEY = Symbol.for('pickle-mapper.defaultRegistry');

/**
 * The registry `loads` and `dumps` use when none is passed. It lives on `globalThis` under a
 * `Symbol.for` key so that the ESM and CommonJS copies of this package (and bundled copies)
 * share one.
 */
export function defaultRegistry(): Registry {
  const holder = globalThis as { [DEFAULT_REGISTRY_KEY]?: Registry };
  let registry = holder[DEFAULT_REGISTRY_KEY];
  if (!registry) {
    registry = new Registry();
    holder[DEFAULT_REGISTRY_KEY] = registry;
  }
  return registry;
}

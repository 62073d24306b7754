// `loads(bytes, Order)`: a load whose root must be an instance of the class, typed as one. Passing
// the class as a value also keeps TypeScript from dropping an import used only in a cast, which
// would leave the class's decorators unrun and the pickle loading as placeholders.
import { UnpicklingError } from '../errors.js';
import { loads as loadValue, type LoadOptions } from '../codec/unpickler.js';
import { defaultRegistry } from '../registry/registry.js';
import { PyObject } from '../values/object.js';
import { describeValue, pythonNameOf } from './convert.js';
import { latestRegistration, schemaOf } from './register.js';
import type { MappedClass } from './types.js';

type PickleBytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** Why a root that is not a `cls` is not one, as far as can be told. */
function why(value: unknown, cls: MappedClass, options: LoadOptions | undefined): string {
  const schema = schemaOf(cls);
  if (!schema) return `; ${cls.name} is not registered (@PyClass or registerClass)`;
  if (value instanceof PyObject && value.module === schema.module && value.name === schema.name) {
    const registry = options?.registry ?? defaultRegistry();
    const registeredIn = latestRegistration(cls)?.registry;
    if (registeredIn && registeredIn !== registry) return `; ${cls.name} is registered in another registry: pass it as { registry }`;
  }
  return '';
}

/**
 * Loads a pickle whose root must be an instance of `cls` (or of a subclass): the instance, typed;
 * anything else is an UnpicklingError saying what the root was.
 */
export function loads<T>(data: PickleBytes, cls: MappedClass<T>, options?: LoadOptions): T;
/** Loads a pickle (the last signature, so that `Parameters<typeof loads>[1]` is the options). */
export function loads(data: PickleBytes, options?: LoadOptions): unknown;
export function loads<T>(data: PickleBytes, clsOrOptions?: MappedClass<T> | LoadOptions, options?: LoadOptions): unknown {
  if (typeof clsOrOptions !== 'function') return loadValue(data, clsOrOptions);
  const value = loadValue(data, options);
  if (value instanceof clsOrOptions) return value;
  throw new UnpicklingError(
    `expected the pickle to hold a ${pythonNameOf(clsOrOptions)} (${clsOrOptions.name}), got ${describeValue(value)}${why(value, clsOrOptions, options)}`,
    { code: 'SCHEMA_MISMATCH' },
  );
}

// What an error says when a class or name is missing from the registry a dump or load uses: that
// it is registered in another registry (the default one, or a scoped one), or nowhere, and what to
// do about it. Only error paths call these.
import { defaultRegistry, isRegisteredAnywhere, type PyClassHandler, registeredNameOf, type Registry } from './registry.js';

/** `class Money` or `function price` (a JavaScript class is a function too). */
export function describeFunction(fn: Function): string {
  const name = fn.name || '(anonymous)';
  return looksLikeClass(fn) ? `class ${name}` : `function ${name}`;
}

function looksLikeClass(fn: Function): boolean {
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true;
  // A constructor function written the old way: methods on its prototype.
  const prototype = (fn as { prototype?: unknown }).prototype;
  return typeof prototype === 'object' && prototype !== null && Object.getOwnPropertyNames(prototype).length > 1;
}

/** Where else a class is registered (`is registered in ...`), said to the user of `registry`; undefined when nowhere. */
function elsewhere(cls: unknown, registry: Registry, operation: 'dumps' | 'loads'): string | undefined {
  const defaults = defaultRegistry();
  const name = registeredNameOf(cls);
  if (registry !== defaults && defaults.handlerForClass(cls) !== undefined) {
    return (
      `is registered${name ? ` (as ${name})` : ''} in the default registry, but not in the registry passed to ${operation}; ` +
      'make that one with new Registry({ parent: defaultRegistry() }) to include the default registry, or register the class in it'
    );
  }
  if (name !== undefined) {
    return (
      `is registered (as ${name}) in another registry, not in the one ${operation} uses: ` +
      `pass that registry (${operation}(..., { registry })) or register the class in this one`
    );
  }
  return undefined;
}

/**
 * Why a JavaScript function given to `dumps` cannot be pickled: `handler` is what the registry
 * has for it (a handler for the values a Python function makes, not for a class), if anything.
 */
export function unpicklableFunctionMessage(fn: Function, registry: Registry, handler: PyClassHandler | undefined): string {
  const what = describeFunction(fn);
  if (handler !== undefined) {
    return (
      `cannot pickle ${what}: it is the JavaScript class of the values ${handler.module}.${handler.name} makes, ` +
      'not a Python class; a reference to a Python global is new PyGlobal(module, name)'
    );
  }
  if (!looksLikeClass(fn)) {
    return `cannot pickle ${what}: JavaScript functions have no Python counterpart; a reference to a Python function is new PyGlobal(module, name)`;
  }
  const other = elsewhere(fn, registry, 'dumps');
  if (other !== undefined) return `cannot pickle ${what}: it ${other}`;
  return `${what} is not registered in the registry used by dumps (register it with @PyClass or registerClass, or pass registry: ...)`;
}

/** Why an instance of `cls` (described as `what`, e.g. `'Money' object`) has no handler in `registry`. */
export function unregisteredInstanceMessage(what: string, cls: unknown, registry: Registry): string {
  const other = elsewhere(cls, registry, 'dumps');
  if (other !== undefined) return `cannot pickle ${what}: its class ${other}`;
  return `cannot pickle ${what}: no handler is registered for its class (register it with @PyClass or registerClass, give it __reduce__(), or pass a registry that has it)`;
}

/** For a load in strict mode: a clause saying the name has a handler in another registry, or ''. */
export function unregisteredNameHint(module: string, name: string, registry: Registry): string {
  if (!isRegisteredAnywhere(module, name)) return '';
  const defaults = defaultRegistry();
  if (registry !== defaults && defaults.resolve(module, name) !== undefined) {
    return (
      '; it is registered in the default registry, but not in the registry passed to loads: make that one with ' +
      'new Registry({ parent: defaultRegistry() }) to include the default registry, or register the class in it'
    );
  }
  return '; a class is registered under that name in another registry: pass that registry to loads (registry: ...)';
}

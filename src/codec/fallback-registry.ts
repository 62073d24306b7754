// The registry every load and dump consults after the one it was given (the default registry or
// a scoped one): the builtins a pickle itself uses (builtins.ts), and once the full entry
// (pickle-mapper) is loaded, the standard types over them (src/standard/). The core entry
// (pickle-mapper/core) installs nothing, so a bundle of it leaves the standard types out.
import { Registry } from '../registry/registry.js';
import { BUILTIN_HANDLERS } from './builtins.js';

let builtins: Registry | undefined;
let installed: Registry | undefined;

/** The registry of the builtins the core knows (made on first use). */
export function builtinsRegistry(): Registry {
  if (!builtins) {
    builtins = new Registry();
    for (const handler of BUILTIN_HANDLERS) builtins.register(handler);
  }
  return builtins;
}

/** What loads and dumps fall back on: the installed registry, else the builtins alone. */
export function fallbackRegistry(): Registry {
  return installed ?? builtinsRegistry();
}

/**
 * Makes `registry` the fallback of every load and dump of this copy of the package. It should
 * have builtinsRegistry() at the end of its parents, as the standard registry has.
 */
export function installFallbackRegistry(registry: Registry): void {
  installed = registry;
}

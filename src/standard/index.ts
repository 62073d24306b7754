// The standard types this package implements, each a registry handler built with the same public
// API users have (PyClassHandler), so each file doubles as an example of extending the package.
// Loading and dumping consult the user's registry first, then this one (once installed: the full
// entry installs it, the core entry does not), then the builtins the core knows.
import { builtinsRegistry, installFallbackRegistry } from '../codec/fallback-registry.js';
import { Registry } from '../registry/registry.js';
import { COLLECTIONS_HANDLERS } from './collections.js';
import { DATETIME_HANDLERS } from './datetime.js';
import { NUMERIC_HANDLERS } from './numeric.js';
import { NUMPY_HANDLERS } from './numpy/index.js';

/** The registry of standard types, over the builtins. */
export const STANDARD_REGISTRY: Registry = /* @__PURE__ */ (() => {
  const registry = new Registry({ parent: builtinsRegistry() });
  const all = [...DATETIME_HANDLERS, ...NUMERIC_HANDLERS, ...COLLECTIONS_HANDLERS, ...NUMPY_HANDLERS];
  for (const handler of all) registry.register(handler);
  return registry;
})();

/**
 * Makes every load and dump of this copy of the package know the standard types (datetime,
 * decimal, fractions, uuid, range, slice, collections, numpy), whatever registry they use. The
 * full entry (src/index.ts) and the Node-only entries call it as they load.
 */
export function installStandardTypes(): void {
  installFallbackRegistry(STANDARD_REGISTRY);
}

// The standard types this package implements, each a registry handler built with the same public
// API users have (PyClassHandler), so each file doubles as an example of extending the package.
// Loading and dumping consult the user's registry first, then this one.
import { Registry } from '../registry/registry.js';
import { BUILTIN_HANDLERS } from './builtins.js';
import { COLLECTIONS_HANDLERS } from './collections.js';
import { DATETIME_HANDLERS } from './datetime.js';
import { NUMERIC_HANDLERS } from './numeric.js';
import { NUMPY_HANDLERS } from './numpy/index.js';

/** The registry of standard types every load and dump falls back on. */
export const STANDARD_REGISTRY: Registry = (() => {
  const registry = new Registry();
  const all = [...BUILTIN_HANDLERS, ...DATETIME_HANDLERS, ...NUMERIC_HANDLERS, ...COLLECTIONS_HANDLERS, ...NUMPY_HANDLERS];
  for (const handler of all) registry.register(handler);
  return registry;
})();

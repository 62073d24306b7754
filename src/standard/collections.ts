import type { PyClassHandler } from '../registry.js';

/** Handlers for Python's collections types (filled in by the standard-types work of issue 5). */
export const COLLECTIONS_HANDLERS: readonly PyClassHandler[] = [];

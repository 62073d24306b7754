import type { PyClassHandler } from '../registry.js';

/** Handlers for Python's numeric types (filled in by the standard-types work of issue 5). */
export const NUMERIC_HANDLERS: readonly PyClassHandler[] = [];

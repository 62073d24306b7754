import type { PyClassHandler } from '../registry.js';

/** Handlers for Python's datetime types (filled in by the standard-types work of issue 5). */
export const DATETIME_HANDLERS: readonly PyClassHandler[] = [];

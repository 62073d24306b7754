import type { PyClassHandler } from '../../registry.js';

/** Handlers for numpy arrays, dtypes and scalars (filled in by the standard-types work of issue 5). */
export const NUMPY_HANDLERS: readonly PyClassHandler[] = [];

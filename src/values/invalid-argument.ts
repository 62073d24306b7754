// The value classes fail on a bad argument (a malformed string, a number out of range, a value
// of the wrong type) with a PickleError coded INVALID_ARGUMENT, never a TypeError, RangeError or
// SyntaxError: callers match on `error.code`, as for every other failure of the package.
import { PickleError } from '../errors.js';

/** The error for a bad argument (to throw: `throw invalidArgument('...')`). */
export function invalidArgument(message: string): PickleError {
  return new PickleError(message, { code: 'INVALID_ARGUMENT' });
}

// The value classes fail on a bad argument (a malformed string, a number out of range, a value
// of the wrong type) with a PickleError coded INVALID_ARGUMENT, never a TypeError, RangeError or
// SyntaxError: callers match on `error.code`, as for every other failure of the package.
import { PickleError } from '../errors.js';

/** The error for a bad argument (to throw: `throw invalidArgument('...')`). */
export function invalidArgument(message: string): PickleError {
  return new PickleError(message, { code: 'INVALID_ARGUMENT' });
}

/** A string argument as a message shows it: JSON-quoted, and cut short when long. */
export function quoted(text: unknown, max = 80): string {
  if (typeof text !== 'string') return typeof text;
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/** Any argument as a message shows it, whatever it is (String() throws for a Symbol or a null-prototype object). */
export function shown(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return 'a Symbol';
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  }
}

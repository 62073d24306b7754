// The one error the printers (pformat, pyRepr) and toJson give for a value too large to print,
// and the bound every text they build stays under. No Node imports.
import { PickleError, type PickleErrorCode } from '../../errors.js';

/** The longest string a JavaScript engine holds (V8: 2^29 - 24 UTF-16 units). */
export const MAX_TEXT_LENGTH = 2 ** 29 - 24;

/** The value is too large to print: more work than `maxWork`, or a text longer than `maxLength`. */
export class FormatLimitError extends PickleError {
  override name = 'FormatLimitError';
  static override defaultCode: PickleErrorCode = 'FORMAT_LIMIT';
}

/** The error for a text that would be longer than `maxLength` UTF-16 units. */
export function textTooLong(what: string, maxLength: number): FormatLimitError {
  return new FormatLimitError(`the ${what} is too large to print: its text would be longer than maxLength (${maxLength} characters)`);
}

/** A `maxLength` option: a non-negative count, at most what a string can hold. */
export function maxLengthOption(value: number | undefined): number {
  if (value === undefined) return MAX_TEXT_LENGTH;
  if (typeof value !== 'number' || !(value >= 0)) throw new PickleError(`maxLength must be a number >= 0, not ${String(value)}`, { code: 'INVALID_ARGUMENT' });
  return Math.min(Math.floor(value), MAX_TEXT_LENGTH);
}

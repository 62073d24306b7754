// A loaded value as JSON, and back. Plain JSON where Python and JSON agree (None, bools, ints
// that fit a double, finite floats, str, list, dicts with str keys); a one-key tagged object
// ({"$bytes": ...}, {"$tuple": [...]}...) for everything else, so nothing is lost: floats keep
// their Python repr (2.0 stays 2.0), big ints their digits, and shared or cyclic containers are
// written once ({"$id": n, "$value": ...}) and referred to after ({"$ref": n}). Both directions
// work at any depth (explicit stacks, json-encoder.ts and json-decoder.ts); fromJson refuses
// anything outside the mapping with a JsonMappingError naming the JSON path. No Node imports.
import { PickleError } from '../../errors.js';
import { maxLengthOption } from '../format/format-limit.js';
import { Decoder, parseJson } from './json-decoder.js';
import { Encoder } from './json-encoder.js';

export { JsonMappingError } from './json-error.js';

export interface ToJsonOptions {
  /** Indentation, as JSON.stringify's `space`: a count of blanks (at most 10) or a string (its first 10 characters). Default: none. */
  indent?: number | string;
  /**
   * Longest text (in UTF-16 units) to write before giving up with a FormatLimitError, found out
   * before the text is built. Default and most: 2^29 - 24, the longest string JavaScript holds.
   */
  maxLength?: number;
}

export interface FromJsonOptions {
  /** Dicts: 'auto' (default) gives plain objects when every key is a str, 'map' always a Map. */
  dicts?: 'auto' | 'map';
  /** Floats with an integral value load as PyFloat (as `loads` with keepFloatType). Default false. */
  keepFloatType?: boolean;
}

function indentOption(indent: number | string | undefined): string {
  if (indent === undefined) return '';
  if (typeof indent === 'number' && !Number.isNaN(indent)) return ' '.repeat(Math.max(0, Math.min(10, Math.floor(indent))));
  if (typeof indent === 'string') return indent.slice(0, 10);
  throw new PickleError(`indent must be a number or a string, not ${String(indent)}`, { code: 'INVALID_ARGUMENT' });
}

/**
 * A loaded value as JSON text (see the README for the mapping). Load with `keepFloatType: true`
 * so floats such as 2.0 stay floats, and with `dicts: 'map'` so dicts keep Python's key order.
 * A value with no JSON form (a JavaScript object no registered class reduces, a function) is a
 * JsonMappingError saying where it is; a text longer than `maxLength` a FormatLimitError.
 */
export function toJson(value: unknown, options: ToJsonOptions = {}): string {
  return new Encoder(value, indentOption(options.indent), maxLengthOption(options.maxLength)).run();
}

/** The value a `toJson` text describes, in the value model `loads` gives. */
export function fromJson(text: string, options: FromJsonOptions = {}): unknown {
  if (typeof text !== 'string') throw new PickleError(`fromJson reads a string, not ${typeof text}`, { code: 'INVALID_ARGUMENT' });
  return new Decoder({ mapDicts: options.dicts === 'map', keepFloatType: options.keepFloatType ?? false }).run(parseJson(text));
}

// Loading the pickles of an input for show, json and inspect.
import { type LoadOptions, type Python2StringEncoding, Unpickler } from '../codec/unpickler.js';
import { type ParsedArgs, stringOption, UsageError } from './args.js';
import { type Input, InputError } from './input.js';
import { PickleError, UnpicklingError } from '../errors.js';
import { namesJoblibWrapper } from '../codec/joblib-hint.js';
import { loadJoblib } from '../standard/joblib/load.js';

export const ENCODINGS: readonly Python2StringEncoding[] = ['ascii', 'latin1', 'utf-8', 'bytes'];

/** The `--encoding` option: how Python 2 str values decode (Python's default is ASCII). */
export function encodingOption(args: ParsedArgs): Python2StringEncoding {
  const raw = stringOption(args, 'encoding') ?? 'ascii';
  const normalized = raw.toLowerCase().replace(/_/g, '-');
  const encoding = normalized === 'latin-1' || normalized === 'iso-8859-1' ? 'latin1' : normalized === 'utf8' ? 'utf-8' : normalized;
  if (!(ENCODINGS as readonly string[]).includes(encoding)) {
    throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}, not '${raw}'`);
  }
  return encoding as Python2StringEncoding;
}

/**
 * The first pickle of the input (as `python -m pickle` loads it), or with `all` every pickle in
 * it, each with a fresh memo as repeated `pickle.dump` calls write them.
 */
export function* loadValues(input: Input, all: boolean, options: LoadOptions): Generator<unknown> {
  const reader = new Unpickler(input.data, options);
  let first: unknown;
  try {
    first = reader.load();
  } catch (error) {
    // A joblib file (one value, its arrays after the pickle's wrappers) is read as joblib.load does.
    if (!(error instanceof UnpicklingError) || !namesJoblibWrapper(input.data, 0, error.offset ?? input.data.length)) throw error;
    yield loadJoblib(input.data, options);
    return;
  }
  yield first;
  if (all) while (!reader.atEnd) yield reader.load();
}

/**
 * The RangeErrors JavaScript throws when a value outgrows what it can hold: the call stack, the
 * longest string or array, memory for a buffer. A printer that recurses or builds one string
 * meets them on values too deep or too large; they say nothing about a bug.
 */
const TOO_DEEP = /call stack/i;
const TOO_LARGE = /^(Invalid string length|Invalid array length|Invalid typed array length|Array buffer allocation failed)/;

/**
 * Runs `body` for one input; a failure (an UnpicklingError, a value too deep or too large to
 * print) becomes an InputError naming the input and the error class.
 */
export function forInput<T>(input: Input, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof RangeError && TOO_DEEP.test(error.message)) {
      throw new InputError(input.name, 'the value is nested too deeply to print');
    }
    if (error instanceof RangeError && TOO_LARGE.test(error.message)) {
      throw new InputError(input.name, `the value is too large to print (${error.message})`);
    }
    if (error instanceof PickleError) throw new InputError(input.name, `${error.name}: ${error.message}`);
    throw error;
  }
}

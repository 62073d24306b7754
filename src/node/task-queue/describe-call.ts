// Calls and arguments as Python prints them, for the descriptions RQ and Celery store beside a
// job (`tasks.add(1, 2)`, Celery's argsrepr `(1, 2)`): never an error, a value Python's repr
// cannot print here shows as `...`.
import { pyRepr } from '../../inspect/format/python-format.js';

/** RQ's get_call_string cuts each argument's repr to this length. */
const MAX_ARGUMENT_LENGTH = 75;

export function safeRepr(value: unknown): string {
  try {
    return pyRepr(value);
  } catch {
    return '...';
  }
}

function shortRepr(value: unknown): string {
  const text = safeRepr(value);
  return text.length > MAX_ARGUMENT_LENGTH ? `${text.slice(0, MAX_ARGUMENT_LENGTH)}...` : text;
}

/** `tasks.add(1, 2, b='x')` as RQ's get_call_string writes it: keyword arguments sorted. */
export function describeCall(funcName: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): string {
  const parts = args.map(shortRepr);
  const keywords = Object.keys(kwargs).map((key) => `${key}=${shortRepr(kwargs[key])}`).sort();
  return `${funcName}(${[...parts, ...keywords].join(', ')})`;
}

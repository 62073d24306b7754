// How a failure crosses between a TypeScript task and Python: a task that throws here becomes a
// Python exception there (its builtin type when the error is named after one), and a Python
// job's or task's failure becomes a TaskFailedError here with the exception's type, arguments
// and traceback text.
import { PickleError } from '../../errors.js';

/** Python's builtin exception types: a thrown Error named after one fails the task with that type. */
const BUILTIN_EXCEPTIONS: ReadonlySet<string> = new Set([
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BufferError', 'ConnectionError', 'EOFError', 'Exception',
  'FileExistsError', 'FileNotFoundError', 'FloatingPointError', 'IndexError', 'KeyError', 'LookupError',
  'MemoryError', 'NameError', 'NotImplementedError', 'OSError', 'OverflowError', 'PermissionError',
  'RecursionError', 'ReferenceError', 'RuntimeError', 'TimeoutError', 'TypeError', 'UnicodeError',
  'ValueError', 'ZeroDivisionError',
]);

/** The Python exception a failure is reported as. */
export interface PythonException {
  /** Its module: `builtins` for Python's own types. */
  readonly module: string;
  /** Its qualified name in that module (`ValueError`). */
  readonly type: string;
  /** Its `args`: the message, as Python's exceptions hold it. */
  readonly args: readonly unknown[];
  /** A traceback (or stack) as text, when one is known. */
  readonly traceback?: string;
}

/**
 * A job or task that failed where it ran: for a Python worker, the exception it raised (type,
 * arguments, traceback text); thrown by a TypeScript task, the exception Python sees.
 */
export class TaskFailedError extends PickleError {
  override name = 'TaskFailedError';
  static override defaultCode = 'TASK_FAILED' as const;

  constructor(
    message: string,
    /** The exception, as Python names it. */
    readonly exception: PythonException,
    /** The job's or task's id. */
    readonly taskId?: string,
  ) {
    super(message);
  }
}

/** A result did not arrive within the time asked; the job or task may still run. */
export class TaskTimeoutError extends PickleError {
  override name = 'TaskTimeoutError';
  static override defaultCode = 'TASK_TIMEOUT' as const;
}

/** A queue message, job or result that is not what RQ or Celery write. */
export class InvalidMessageError extends PickleError {
  override name = 'InvalidMessageError';
  static override defaultCode = 'INVALID_MESSAGE' as const;
}

/**
 * The Python exception a thrown value stands for: a TaskFailedError's own, an Error named after a
 * builtin exception type (`ValueError`, `KeyError`...) as that type, any other as `Exception`,
 * with the error's message as its one argument.
 */
export function pythonExceptionOf(thrown: unknown): PythonException {
  if (thrown instanceof TaskFailedError) return thrown.exception;
  if (thrown instanceof Error) {
    const type = BUILTIN_EXCEPTIONS.has(thrown.name) ? thrown.name : 'Exception';
    return { module: 'builtins', type, args: [thrown.message], traceback: thrown.stack ?? `${thrown.name}: ${thrown.message}` };
  }
  const text = String(thrown);
  return { module: 'builtins', type: 'Exception', args: [text], traceback: `Exception: ${text}` };
}

/** `type: message` as Python's traceback ends, for an exception's arguments. */
export function exceptionLine(exception: PythonException): string {
  const { args } = exception;
  const message = args.length === 1 ? String(args[0]) : args.length === 0 ? '' : `(${args.map((arg) => JSON.stringify(arg) ?? String(arg)).join(', ')})`;
  const type = exception.module === 'builtins' ? exception.type : `${exception.module}.${exception.type}`;
  return message === '' ? type : `${type}: ${message}`;
}

/**
 * A failure as the text of a Python traceback: the JavaScript stack's frames, then the line
 * `Type: message` that Python's tools (and exceptionOfTraceback) read the exception from.
 */
export function tracebackText(exception: PythonException): string {
  const frames = (exception.traceback ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .map((line) => `  ${line.trim()}`);
  return ['Traceback (most recent call last):', ...frames, exceptionLine(exception)].join('\n') + '\n';
}

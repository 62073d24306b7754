// A task's result as Celery's Redis result backend keeps it: the key `celery-task-meta-<id>`
// holding the pickled dict {status, result, traceback, children, date_done, task_id}, also
// published on the channel of that name.
import { dumps, type DumpOptions } from '../../codec/pickler.js';
import { loads, type LoadOptions } from '../../codec/unpickler.js';
import { dictEntries, isDict } from '../../values/dict.js';
import { PyObject } from '../../values/object.js';
import { Tuple } from '../../values/tuple.js';
import { InvalidMessageError, type PythonException } from '../task-queue/task-errors.js';
import { CELERY_PICKLE_PROTOCOL } from './message.js';

/** Celery's task states. */
export type CeleryState = 'PENDING' | 'RECEIVED' | 'STARTED' | 'SUCCESS' | 'FAILURE' | 'RETRY' | 'REVOKED';

export const READY_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** Celery's default of `result_expires`: one day. */
export const DEFAULT_RESULT_EXPIRES = 86_400;

export const resultKey = (id: string): string => `celery-task-meta-${id}`;

/** A result as stored. */
export interface ResultMeta {
  readonly status: CeleryState;
  /** The return value (SUCCESS), or the exception (FAILURE, REVOKED). */
  readonly result: unknown;
  readonly traceback: string | null;
  readonly dateDone: string | null;
}

/** `datetime.utcnow().isoformat()`: UTC without an offset, microseconds. */
function dateDone(): string {
  return `${new Date().toISOString().slice(0, 23)}000`;
}

function encodeMeta(id: string, status: CeleryState, result: unknown, traceback: string | null, dumpOptions?: DumpOptions): Uint8Array {
  const meta = { status, result, traceback, children: [], date_done: dateDone(), task_id: id };
  return dumps(meta, { protocol: CELERY_PICKLE_PROTOCOL, ...dumpOptions });
}

export function successMeta(id: string, value: unknown, dumpOptions?: DumpOptions): Uint8Array {
  return encodeMeta(id, 'SUCCESS', value, null, dumpOptions);
}

/**
 * A failure, its exception as the dict Celery's backends read with any serializer
 * ({exc_type, exc_message, exc_module}): Python's `AsyncResult.get()` raises that type.
 */
export function failureMeta(id: string, exception: PythonException, status: 'FAILURE' | 'REVOKED' = 'FAILURE'): Uint8Array {
  const result = { exc_type: exception.type, exc_message: Tuple.from(exception.args), exc_module: exception.module };
  return encodeMeta(id, status, result, exception.traceback ?? null);
}

function field(meta: Map<unknown, unknown> | Record<string, unknown>, name: string): unknown {
  return meta instanceof Map ? meta.get(name) : meta[name];
}

export function decodeMeta(data: Uint8Array, id: string, loadOptions?: LoadOptions): ResultMeta {
  let meta: unknown;
  try {
    meta = loads(data, loadOptions);
  } catch (cause) {
    throw new InvalidMessageError(`task ${id}: its result does not load: ${(cause as Error).message}`, { cause });
  }
  if (!isDict(meta) || typeof field(meta, 'status') !== 'string') throw new InvalidMessageError(`task ${id}: its result is not Celery's result dict`);
  const traceback = field(meta, 'traceback');
  const done = field(meta, 'date_done');
  return {
    status: field(meta, 'status') as CeleryState,
    result: field(meta, 'result'),
    traceback: typeof traceback === 'string' ? traceback : null,
    dateDone: typeof done === 'string' ? done : null,
  };
}

/** The exception a failure holds: a pickled exception instance, or Celery's dict of one. */
export function exceptionOfResult(result: unknown, traceback: string | null): PythonException {
  const withTraceback = traceback === null ? {} : { traceback };
  if (result instanceof PyObject) {
    const args = result.args instanceof Array ? [...result.args] : [];
    return { module: result.module ?? 'builtins', type: result.name ?? 'Exception', args, ...withTraceback };
  }
  if (isDict(result)) {
    const entries = new Map(dictEntries(result));
    const message = entries.get('exc_message');
    const args = Array.isArray(message) ? [...message] : message === undefined ? [] : [message];
    return {
      module: String(entries.get('exc_module') ?? 'builtins'),
      type: String(entries.get('exc_type') ?? 'Exception'),
      args,
      ...withTraceback,
    };
  }
  return { module: 'builtins', type: 'Exception', args: [result], ...withTraceback };
}

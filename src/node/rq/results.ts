// A job's results: the stream `rq:results:<id>`, one entry per execution (RQ 1.12+, Redis 5+).
// A success holds the pickled return value in base64 (no field for None), a failure the
// traceback text, zlib-compressed, in base64.
import { deflateSync, inflateSync } from 'node:zlib';
import { dumps, type DumpOptions } from '../../codec/pickler.js';
import { InvalidMessageError, type PythonException } from '../task-queue/task-errors.js';
import { replyHash } from '../task-queue/redis-link.js';
import { RQ_PICKLE_PROTOCOL } from './job-data.js';

/** RQ's Result.Type values. */
const SUCCESSFUL = '1';
const FAILED = '2';

/** One execution's result as stored, the return value still pickled. */
export interface StoredResult {
  /** The stream entry's id (`<milliseconds>-<n>`). */
  readonly id: string;
  readonly type: 'successful' | 'failed' | 'stopped';
  /** When it was stored (from the entry's id, as RQ reads it). */
  readonly createdAt: Date;
  /** The pickled return value; undefined for None or a failure. */
  readonly pickledValue?: Buffer;
  /** The traceback text of a failure. */
  readonly excString?: string;
}

export function successFields(value: unknown, dumpOptions?: DumpOptions): string[] {
  const fields = ['type', SUCCESSFUL];
  if (value !== null && value !== undefined) {
    fields.push('return_value', Buffer.from(dumps(value, { protocol: RQ_PICKLE_PROTOCOL, ...dumpOptions })).toString('base64'));
  }
  return fields;
}

export function failureFields(excString: string): string[] {
  return ['type', FAILED, 'exc_string', deflateSync(Buffer.from(excString, 'utf8')).toString('base64')];
}

const TYPE_NAMES: Record<string, StoredResult['type']> = { '1': 'successful', '2': 'failed', '3': 'stopped' };

/** The newest entry of an XREVRANGE/XREAD reply ([[id, [field, value, ...]], ...]). */
export function parseResultEntry(entry: unknown, jobId: string): StoredResult {
  if (!Array.isArray(entry) || entry.length !== 2) throw new InvalidMessageError(`job ${jobId}: a result entry is not a stream entry`);
  const id = String(entry[0]);
  const fields = replyHash(entry[1]);
  const type = TYPE_NAMES[fields.get('type')?.toString() ?? ''];
  if (type === undefined) throw new InvalidMessageError(`job ${jobId}: result ${id} has no known type`);
  const createdAt = new Date(Number(id.split('-')[0]));
  const value = fields.get('return_value');
  const exc = fields.get('exc_string');
  let excString: string | undefined;
  if (exc !== undefined && exc.length > 0) {
    try {
      excString = inflateSync(Buffer.from(exc.toString(), 'base64')).toString('utf8');
    } catch (cause) {
      throw new InvalidMessageError(`job ${jobId}: result ${id} has an exc_string that is not zlib in base64`, { cause });
    }
  }
  return {
    id,
    type,
    createdAt,
    ...(value !== undefined ? { pickledValue: Buffer.from(value.toString(), 'base64') } : {}),
    ...(excString !== undefined ? { excString } : {}),
  };
}

/** The exception a traceback text ends with (`ValueError: bad` → builtins.ValueError('bad')). */
export function exceptionOfTraceback(traceback: string): PythonException {
  const lines = traceback.trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const match = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(last);
  if (!match) return { module: 'builtins', type: 'Exception', args: [last], traceback };
  const dotted = match[1]!;
  const dot = dotted.lastIndexOf('.');
  return {
    module: dot < 0 ? 'builtins' : dotted.slice(0, dot),
    type: dot < 0 ? dotted : dotted.slice(dot + 1),
    args: match[2] === undefined ? [] : [match[2]],
    traceback,
  };
}

// A job's `data` field: zlib of the pickle of (func_name, instance, args, kwargs), as RQ's
// Job.data writes it (pickle's highest protocol); readers also take it uncompressed.
import { deflateSync, inflateSync } from 'node:zlib';
import { dumps, type DumpOptions } from '../../codec/pickler.js';
import { loads, type LoadOptions } from '../../codec/unpickler.js';
import { dictEntries, isDict } from '../../values/dict.js';
import { Tuple, tuple } from '../../values/tuple.js';
import { InvalidMessageError } from '../task-queue/task-errors.js';

/** What a job calls: a function by its dotted name, with arguments. */
export interface JobCall {
  /** `module.function` as Python's worker imports it (or a method name when `instance` is set). */
  readonly funcName: string;
  /** The object whose method `funcName` names, or null for a plain function. */
  readonly instance: unknown;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** The pickle protocol RQ's default serializer writes on Python 3.8 and later. */
export const RQ_PICKLE_PROTOCOL = 5;

export function encodeJobData(call: JobCall, dumpOptions?: DumpOptions): Buffer {
  const pickled = dumps(tuple<unknown>(call.funcName, call.instance ?? null, Tuple.from(call.args), { ...call.kwargs }), {
    protocol: RQ_PICKLE_PROTOCOL,
    ...dumpOptions,
  });
  return deflateSync(pickled);
}

/** zlib-compressed data inflated, anything else as it is (RQ's Job.restore). */
function inflated(data: Buffer): Buffer {
  if (data[0] !== 0x78) return data;
  try {
    return inflateSync(data);
  } catch {
    return data;
  }
}

export function decodeJobData(data: Buffer, jobId: string, loadOptions?: LoadOptions): JobCall {
  let value: unknown;
  try {
    value = loads(inflated(data), loadOptions);
  } catch (cause) {
    throw new InvalidMessageError(`job ${jobId}: its data do not load: ${(cause as Error).message}`, { cause });
  }
  if (!Array.isArray(value) || value.length !== 4) {
    throw new InvalidMessageError(`job ${jobId}: its data are not RQ's (func_name, instance, args, kwargs)`);
  }
  const [funcName, instance, args, kwargs] = value as unknown[];
  if (typeof funcName !== 'string') throw new InvalidMessageError(`job ${jobId}: its function name is not text`);
  if (!Array.isArray(args)) throw new InvalidMessageError(`job ${jobId}: its args are not a tuple or list`);
  const keywords: Record<string, unknown> = {};
  if (kwargs !== null && kwargs !== undefined) {
    if (!isDict(kwargs)) throw new InvalidMessageError(`job ${jobId}: its kwargs are not a dict`);
    for (const [key, item] of dictEntries(kwargs)) {
      if (typeof key !== 'string') throw new InvalidMessageError(`job ${jobId}: a keyword argument's name is not text`);
      keywords[key] = item;
    }
  }
  return { funcName, instance, args: [...args], kwargs: keywords };
}

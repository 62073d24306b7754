// Celery's task message (protocol 2) as kombu's Redis transport keeps it: JSON text on a list
// named after the queue, the body base64 of the pickle (or JSON) of (args, kwargs, embed).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dumps, type DumpOptions } from '../../codec/pickler.js';
import { loads, type LoadOptions } from '../../codec/unpickler.js';
import { dictEntries, isDict } from '../../values/dict.js';
import { Tuple, tuple } from '../../values/tuple.js';
import { InvalidMessageError } from '../task-queue/task-errors.js';
import { safeRepr } from '../task-queue/describe-call.js';

export const PICKLE_CONTENT_TYPE = 'application/x-python-serialize';
const JSON_CONTENT_TYPE = 'application/json';
/** The pickle protocol kombu's pickle serializer writes (pickle.DEFAULT_PROTOCOL of 3.8+). */
export const CELERY_PICKLE_PROTOCOL = 4;

/** What a task message asks for. */
export interface TaskCall {
  readonly id: string;
  readonly task: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** When the task should run (ISO text), or null. */
  readonly eta: string | null;
  /** When the task expires (ISO text), or null. */
  readonly expires: string | null;
  readonly ignoreResult: boolean;
}

/** A message as taken from the queue: the call, and what acknowledging it needs. */
export interface ReceivedMessage extends TaskCall {
  /** The message's JSON text, as the `unacked` hash keeps it. */
  readonly raw: string;
  readonly deliveryTag: string;
  readonly exchange: string;
  readonly routingKey: string;
}

/** Options of one message sent. */
export interface SendOptions {
  readonly queue: string;
  readonly priority?: number;
  readonly eta?: Date;
  readonly expires?: Date;
  readonly ignoreResult?: boolean;
  readonly dumpOptions?: DumpOptions;
}

/** kombu's priority steps on Redis, and the separator of a priority queue's name. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;
export const PRIORITY_SEPARATOR = '\x06\x16';

/** The list a message of this priority goes to (kombu's `_q_for_pri`). */
export function priorityQueue(queue: string, priority: number): string {
  const clamped = Math.max(0, Math.min(9, Math.trunc(priority)));
  let step = 0;
  for (const candidate of PRIORITY_STEPS) if (candidate <= clamped) step = candidate;
  return step === 0 ? queue : `${queue}${PRIORITY_SEPARATOR}${step}`;
}

/** ISO text as Celery writes dates in headers (`datetime.isoformat()`, with its offset). */
function isoText(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** The JSON text of a message for `call`, as Celery's `apply_async` sends it. */
export function encodeTaskMessage(
  call: { id: string; task: string; args: readonly unknown[]; kwargs: Readonly<Record<string, unknown>> },
  options: SendOptions,
): string {
  const body = dumps(tuple<unknown>(Tuple.from(call.args), { ...call.kwargs }, { callbacks: null, errbacks: null, chain: null, chord: null }), {
    protocol: CELERY_PICKLE_PROTOCOL,
    ...options.dumpOptions,
  });
  const message = {
    body: Buffer.from(body).toString('base64'),
    'content-encoding': 'binary',
    'content-type': PICKLE_CONTENT_TYPE,
    headers: {
      lang: 'py',
      task: call.task,
      id: call.id,
      shadow: null,
      eta: options.eta ? isoText(options.eta) : null,
      expires: options.expires ? isoText(options.expires) : null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: call.id,
      parent_id: null,
      argsrepr: safeRepr(Tuple.from(call.args)),
      kwargsrepr: safeRepr({ ...call.kwargs }),
      origin: `gen${process.pid}@${hostname()}`,
      ignore_result: options.ignoreResult ?? false,
    },
    properties: {
      correlation_id: call.id,
      reply_to: randomUUID(),
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: options.queue },
      priority: options.priority ?? 0,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  };
  return JSON.stringify(message);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function keywordsOf(kwargs: unknown, id: string): Record<string, unknown> {
  const keywords: Record<string, unknown> = {};
  if (kwargs === null || kwargs === undefined) return keywords;
  if (!isDict(kwargs)) throw new InvalidMessageError(`task ${id}: its kwargs are not a dict`);
  for (const [key, value] of dictEntries(kwargs)) {
    if (typeof key !== 'string') throw new InvalidMessageError(`task ${id}: a keyword argument's name is not text`);
    keywords[key] = value;
  }
  return keywords;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The envelope of a message: its JSON, headers and properties, before the body is decoded. */
export interface MessageEnvelope {
  readonly raw: string;
  readonly message: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly properties: Record<string, unknown>;
  /** The task id, when the headers have one (protocol 2). */
  readonly id: string | undefined;
}

export function parseEnvelope(raw: string): MessageEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new InvalidMessageError(`a queue message is not JSON: ${(cause as Error).message}`, { cause });
  }
  const message = record(parsed);
  if (message === undefined || typeof message.body !== 'string') throw new InvalidMessageError('a queue message is not a kombu message (no body)');
  const headers = record(message.headers) ?? {};
  const properties = record(message.properties) ?? {};
  return { raw, message, headers, properties, id: textOrNull(headers.id) ?? undefined };
}

/** The call a message asks for (protocol 2, or protocol 1 whose body holds the whole request). */
export function decodeTaskMessage(envelope: MessageEnvelope, loadOptions?: LoadOptions): ReceivedMessage {
  const { message, headers, properties } = envelope;
  const encoded = message.body as string;
  const bodyBytes = properties.body_encoding === 'base64' ? Buffer.from(encoded, 'base64') : Buffer.from(encoded, 'utf8');
  const contentType = message['content-type'];
  let body: unknown;
  try {
    if (contentType === PICKLE_CONTENT_TYPE) body = loads(bodyBytes, loadOptions);
    else if (contentType === JSON_CONTENT_TYPE) body = JSON.parse(bodyBytes.toString('utf8'));
    else throw new Error(`content type ${String(contentType)} is neither pickle nor JSON`);
  } catch (cause) {
    throw new InvalidMessageError(`task ${envelope.id ?? '?'}: its body does not decode: ${(cause as Error).message}`, { cause });
  }
  const deliveryInfo = record(properties.delivery_info) ?? {};
  const delivery = {
    raw: envelope.raw,
    deliveryTag: String(properties.delivery_tag ?? ''),
    exchange: String(deliveryInfo.exchange ?? ''),
    routingKey: String(deliveryInfo.routing_key ?? ''),
  };
  if (typeof headers.task === 'string') {
    const id = envelope.id ?? '';
    if (!Array.isArray(body) || body.length < 2 || !Array.isArray(body[0])) {
      throw new InvalidMessageError(`task ${id}: its body is not (args, kwargs, embed)`);
    }
    return {
      ...delivery,
      id,
      task: headers.task,
      args: [...(body[0] as unknown[])],
      kwargs: keywordsOf(body[1], id),
      eta: textOrNull(headers.eta),
      expires: textOrNull(headers.expires),
      ignoreResult: headers.ignore_result === true,
    };
  }
  // Protocol 1: the body is the request itself.
  const request = isDict(body) ? Object.fromEntries(dictEntries(body).map(([key, value]) => [String(key), value])) : undefined;
  if (request === undefined || typeof request.task !== 'string' || typeof request.id !== 'string') {
    throw new InvalidMessageError(`a queue message has neither a task header nor a protocol 1 body`);
  }
  return {
    ...delivery,
    id: request.id,
    task: request.task,
    args: Array.isArray(request.args) ? [...request.args] : [],
    kwargs: keywordsOf(request.kwargs, request.id),
    eta: textOrNull(request.eta),
    expires: textOrNull(request.expires),
    ignoreResult: false,
  };
}

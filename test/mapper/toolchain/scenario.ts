// What the toolchain test compares: each pickle loaded into the model (its fields, typed, or the
// error), and dumps of instances (the bytes, or the error).
import { dumps, loads } from 'pickle-mapper';
import type * as Models from './profile-models.js';

type Outcome = { ok: unknown } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { ok: run() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A field value as type and text, so that JSON keeps what kind of value it was. */
function show(value: unknown): unknown {
  if (value instanceof Uint8Array) return ['bytes', Buffer.from(value).toString('hex')];
  if (typeof value === 'object' && value !== null) return [value.constructor.name, JSON.stringify(value)];
  return [typeof value, String(value)];
}

export function runScenario(models: typeof Models, pickles: Record<string, string>): Record<string, Outcome> {
  const results: Record<string, Outcome> = {};
  for (const [name, hex] of Object.entries(pickles)) {
    results[`loads ${name}`] = outcome(() => {
      const profile = loads(Buffer.from(hex, 'hex'), models.Profile, { registry: models.registry });
      return Object.fromEntries(Object.entries(profile).map(([key, value]) => [key, show(value)]));
    });
  }
  const made = (fields: Record<string, unknown>) => Object.assign(new models.Profile(), fields);
  const dumped = (fields: Record<string, unknown>) => outcome(() => Buffer.from(dumps(made(fields), { registry: models.registry })).toString('hex'));
  results['dumps good'] = dumped({ name: 'ada', count: 3, ratio: 2, score: 1, label: 'l' });
  results['dumps int name'] = dumped({ name: 5 });
  results['dumps float count'] = dumped({ count: 2.5 });
  results['dumps str active'] = dumped({ active: 'yes' });
  results['dumps untyped label'] = dumped({ label: 5 });
  return results;
}

// The value classes a field may be typed with, and whose instances as defaults say the field's
// type: PyDatetime, PyDate, PyTime, PyTimedelta, PyTimezone, PyDecimal, PyFraction, PyUUID,
// PyComplex, PyByteArray. The mapper knows them by the Python types their handlers stand for, in
// the registry every load and dump falls back on, and imports none of them: a bundle of the core
// entry, whose fallback has the builtins only, leaves datetime and decimal out.
import { fallbackRegistry } from '../codec/fallback-registry.js';

/** The Python types of the value classes. */
const VALUE_TYPES: ReadonlySet<string> = new Set([
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
  'decimal.Decimal',
  'fractions.Fraction',
  'uuid.UUID',
  'complex',
  'bytearray',
]);

/** The Python name of a value class (`datetime.datetime` for PyDatetime, `complex` for PyComplex); undefined for any other class. */
export function valueClassName(cls: unknown): string | undefined {
  const handler = fallbackRegistry().handlerForClass(cls);
  if (handler === undefined || handler.jsClass !== cls) return undefined;
  const name = handler.module === 'builtins' ? handler.name : `${handler.module}.${handler.name}`;
  return VALUE_TYPES.has(name) ? name : undefined;
}

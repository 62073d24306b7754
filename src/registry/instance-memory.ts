// What loading remembers about an instance, kept on the instance itself (under a symbol): the
// state a handler read but has no place for, written back when the instance is dumped. Handlers
// of mapped classes and of standard types (OrderedDict, namedtuple) both keep it here.

/**
 * What loading remembers about one instance, to write it back as it came: state keys its class
 * does not declare, which part of the state each key came from where that is not its usual
 * part, and the parts of a model's state the class has no fields for. Absent on instances made
 * in TypeScript and on the common case (a plain dict of declared fields), so checking for it is
 * one property read.
 */
export interface InstanceMemory {
  /** State keys the class does not declare, with their values. */
  extras?: Map<unknown, unknown>;
  /** Keys read from a part of the state other than the one the schema puts them in (0 `__dict__`, 1 `__slots__`, 2 pydantic's private). */
  parts?: Map<unknown, number>;
  /** The state had no `__dict__` part (`(None, slots)`) while the schema declares no slots. */
  noDict?: boolean;
  /** Made from a dict that a typed field held: written back as that dict. */
  fromDict?: boolean;
  /** pydantic: the parts of the state beside `__dict__`, and the loaded field values (to tell edits). */
  pydantic?: PydanticMemory;
  /** A list state's values beyond the declared fields (a frozen slotted dataclass). */
  extraPositions?: unknown[];
}

/** What a pydantic model's state held beside its fields. */
export interface PydanticMemory {
  fieldsSet: unknown;
  extra: unknown;
  /** Private attributes the class does not declare (null when the state's were None). */
  private: Map<unknown, unknown> | null;
  /** Field values just after loading, by field index: a field holding another value was assigned. */
  loaded: unknown[];
  /** State keys beside the four pydantic writes, kept as they were. */
  other?: Array<[unknown, unknown]>;
}

const MEMORY = Symbol.for('pickle-mapper.instanceMemory');

type WithMemory = { [MEMORY]?: InstanceMemory };

/** The memory of an instance, made on first use. */
export function memoryOf(instance: object): InstanceMemory {
  const holder = instance as WithMemory;
  let memory = holder[MEMORY];
  if (!memory) {
    memory = {};
    Object.defineProperty(holder, MEMORY, { value: memory, enumerable: false, configurable: true, writable: true });
  }
  return memory;
}

/** The memory of an instance, or undefined when it has none (without making one). */
export function peekMemory(instance: object): InstanceMemory | undefined {
  return (instance as WithMemory)[MEMORY];
}

/** The state keys a loaded instance carried that its class does not declare (a live Map). */
export function extraState(instance: object): Map<unknown, unknown> {
  const memory = memoryOf(instance);
  return (memory.extras ??= new Map());
}

/** The extra state of an instance, or undefined when it has none (without creating one). */
export function peekExtraState(instance: object): Map<unknown, unknown> | undefined {
  return peekMemory(instance)?.extras;
}

// The TypeScript functions a worker runs, by the name Python calls them (`tasks.add`), and how a
// call's positional and keyword arguments become a JavaScript call: keywords by the parameter
// names given at registration, each checked as Python would check the call.
import { describeValue, pythonNameOf } from '../../mapper/convert.js';
import type { MappedClass } from '../../mapper/types.js';
import { TaskFailedError } from './task-errors.js';

/** A task: any function; its `this` is the job's instance for a method call (RQ), else undefined. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskFunction = (...args: any[]) => unknown;

/** How a task takes its arguments. */
export interface TaskOptions {
  /**
   * The names of the function's parameters, in order, as Python callers name them: a keyword
   * argument fills the parameter of its name. Without them, a call with keyword arguments fails
   * (a TypeError, as Python reports a call it cannot bind).
   */
  parameters?: readonly string[];
  /**
   * The class each parameter must hold an instance of (undefined: anything): a call whose
   * argument is not one fails with a TypeError naming the argument, before the function runs.
   */
  types?: ReadonlyArray<MappedClass | undefined>;
}

interface TaskEntry {
  readonly fn: TaskFunction;
  readonly options: TaskOptions;
}

function typeError(message: string): TaskFailedError {
  return new TaskFailedError(message, { module: 'builtins', type: 'TypeError', args: [message] });
}

export class TaskRegistry {
  private readonly tasks = new Map<string, TaskEntry>();

  register(name: string, fn: TaskFunction, options: TaskOptions = {}): void {
    if (typeof fn !== 'function') throw new TypeError(`task ${name}: not a function`);
    this.tasks.set(name, { fn, options });
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  names(): string[] {
    return [...this.tasks.keys()];
  }

  /**
   * Calls the task `name` with Python's arguments; a name not registered, or arguments that do
   * not bind, throw a TaskFailedError (AttributeError, TypeError) before anything runs.
   */
  call(name: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, self?: unknown): unknown {
    const entry = this.tasks.get(name);
    if (entry === undefined) {
      const message = `no task named '${name}' is registered with this worker`;
      throw new TaskFailedError(message, { module: 'builtins', type: 'AttributeError', args: [message] });
    }
    const bound = bind(name, entry.options, args, kwargs);
    return entry.fn.apply(self, bound);
  }
}

function bind(name: string, options: TaskOptions, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): unknown[] {
  const values = [...args];
  const keywords = Object.keys(kwargs);
  if (keywords.length > 0) {
    const { parameters } = options;
    if (parameters === undefined) {
      throw typeError(`${name}() got keyword arguments (${keywords.join(', ')}): register the task with the names of its parameters`);
    }
    for (const keyword of keywords) {
      const index = parameters.indexOf(keyword);
      if (index < 0) throw typeError(`${name}() got an unexpected keyword argument '${keyword}'`);
      if (index < args.length) throw typeError(`${name}() got multiple values for argument '${keyword}'`);
      values[index] = kwargs[keyword];
    }
  }
  if (options.parameters !== undefined && values.length > options.parameters.length) {
    throw typeError(`${name}() takes ${options.parameters.length} positional arguments but ${values.length} were given`);
  }
  const types = options.types ?? [];
  for (let i = 0; i < types.length; i++) {
    const cls = types[i];
    if (cls === undefined || values[i] === undefined || values[i] instanceof cls) continue;
    const label = options.parameters?.[i] ?? `${i + 1}`;
    throw typeError(`${name}() argument ${label}: expected ${pythonNameOf(cls)} (${cls.name}), got ${describeValue(values[i])}`);
  }
  return values;
}

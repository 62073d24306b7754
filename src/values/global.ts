import type { PyClassHandler } from '../registry.js';

/**
 * A reference to a Python global (a class or a function) by module and qualified name, as a
 * GLOBAL or STACK_GLOBAL opcode names it. Loading never imports or calls anything: a class
 * reference in the data loads as one of these, and an instance of a class nobody registered
 * loads as a `PyObject` whose `cls` is one of these.
 */
export class PyGlobal {
  readonly #handler: PyClassHandler | undefined;

  constructor(
    /** Python module, e.g. "collections". */
    readonly module: string,
    /** Qualified name inside the module, e.g. "OrderedDict" or "Outer.Inner". */
    readonly name: string,
    handler?: PyClassHandler,
  ) {
    this.#handler = handler;
  }

  /** What the registry resolved this name to when it was loaded, if anything. */
  get handler(): PyClassHandler | undefined {
    return this.#handler;
  }

  /** "module.name", as Python prints it. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }

  toString(): string {
    return this.qualifiedName;
  }
}

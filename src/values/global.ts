import type { PyClassHandler } from '../registry/registry.js';
import { invalidArgument } from './invalid-argument.js';

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
    if (typeof module !== 'string' || typeof name !== 'string') {
      throw invalidArgument(`a PyGlobal is named by two strings, module and qualified name, not ${typeof module} and ${typeof name}`);
    }
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

/** `copyreg.__newobj__`: a reduction calling it is written as NEWOBJ (args: [cls, ...args]). */
export const COPYREG_NEWOBJ = new PyGlobal('copyreg', '__newobj__');
/** `copyreg.__newobj_ex__`: written as NEWOBJ_EX from protocol 4 (args: [cls, args, kwargs]). */
export const COPYREG_NEWOBJ_EX = new PyGlobal('copyreg', '__newobj_ex__');
/** `copyreg._reconstructor`: how protocols 0 and 1 make instances. */
export const COPYREG_RECONSTRUCTOR = new PyGlobal('copyreg', '_reconstructor');
/** `builtins.object`. */
export const BUILTINS_OBJECT = new PyGlobal('builtins', 'object');

import type { PyDict } from './dict.js';
import { PyGlobal } from './global.js';
import { type Tuple, isTuple } from './tuple.js';

/** Which opcode pattern created an object; the pickler writes the same pattern back. */
export type PyObjectCreation =
  /** `cls.__new__(cls, *args)` (NEWOBJ) */
  | 'newobj'
  /** `cls.__new__(cls, *args, **kwargs)` (NEWOBJ_EX) */
  | 'newobj_ex'
  /** `callable(*args)` (REDUCE) */
  | 'reduce'
  /** protocol 0/1 `copyreg._reconstructor(cls, base, baseState)`: `args` is `(base, baseState)` */
  | 'reconstructor'
  /** protocol 0 INST: `module.name(*args)` */
  | 'inst'
  /** protocol 1 OBJ: `cls(*args)` */
  | 'obj';

/**
 * An inert placeholder for an object that no registered class could rebuild: it keeps what the
 * pickle said (the class or callable, its arguments, its state, the items added to it) so that it
 * pickles back to the same thing. Nothing is imported or executed to make it.
 */
export class PyObject {
  /** The state a BUILD opcode gave it (what `__setstate__` would receive); undefined when none. */
  state: unknown = undefined;
  /** Items added by APPEND/APPENDS (a list subclass), when there were any. */
  listItems: unknown[] | undefined = undefined;
  /** Key/value pairs added by SETITEM/SETITEMS (a dict subclass), when there were any. */
  dictItems: Array<[unknown, unknown]> | undefined = undefined;

  constructor(
    /** The class (or, for REDUCE, the callable): usually a `PyGlobal`. */
    readonly cls: unknown,
    /** Arguments, exactly as pickled. */
    readonly args: Tuple,
    /** How the pickle created the object. */
    readonly creation: PyObjectCreation,
    /** Keyword arguments of NEWOBJ_EX. */
    readonly kwargs?: PyDict,
  ) {}

  /** Module of the class or callable, when it is a global. */
  get module(): string | undefined {
    return this.cls instanceof PyGlobal ? this.cls.module : undefined;
  }

  /** Qualified name of the class or callable, when it is a global. */
  get name(): string | undefined {
    return this.cls instanceof PyGlobal ? this.cls.name : undefined;
  }

  /** `__slots__` state `(dict, slots)` split into its parts; the dict part alone otherwise. */
  get stateParts(): { dict: unknown; slots: unknown } {
    const state = this.state;
    if (isTuple(state) && state.length === 2) {
      return { dict: state[0], slots: state[1] };
    }
    return { dict: state, slots: undefined };
  }
}

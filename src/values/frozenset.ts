/**
 * A Python frozenset. A `Set` subclass (a Python `set` loads as a plain `Set`), distinct so that it
 * pickles back as a frozenset. Mutating methods are not blocked, as in a JavaScript `Set`.
 */
export class PyFrozenSet<T = unknown> extends Set<T> {}

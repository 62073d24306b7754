// Python's ordering of loaded values, for the printers' sorted dict keys and set members: `==`
// and `<` as Python computes them for the types keys and members can be, and pprint's
// `sorted(items, key=_safe_key)`. Iterative: a deep tuple compares without the JavaScript stack;
// a pair of containers met twice in one comparison (a DAG, or a list that holds itself) is taken
// as equal instead of being expanded again; every step is charged to the caller's work meter.
import { compareCodePoints } from '../../codec/python-repr.js';
import { jsClassName, type PyKind, pyKind, reducedView } from './python-view.js';
import type { PyComplex } from '../../values/complex.js';
import { PyFloat } from '../../values/float.js';
import type { PyGlobal } from '../../values/global.js';
import type { PyObject } from '../../values/object.js';

/** Where Python raises TypeError (or, for sets nested past MAX_SET_NESTING, gives up). */
export class Incomparable extends Error {}

/** Sets inside sets compared member by member, past which two values count as incomparable. */
const MAX_SET_NESTING = 64;

function numeric(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof PyFloat) return value.value;
  return undefined;
}

function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const isBytes = (kind: PyKind) => kind === 'bytes' || kind === 'bytearray';

const TYPE_NAMES: Partial<Record<PyKind, string>> = {
  None: 'NoneType',
  global: 'type',
};

/** `str(type(value))`, pprint's fallback order for values that do not compare. */
function typeString(value: unknown): string {
  const kind = pyKind(value);
  if (kind === 'object') {
    const object = value as PyObject;
    return `<class '${object.module === 'builtins' ? object.name : `${object.module ?? '?'}.${object.name ?? '?'}`}'>`;
  }
  if (kind === 'other') {
    if (typeof value !== 'object' && typeof value !== 'function') return `<class '${typeof value}'>`;
    const view = reducedView(value as object);
    if (view?.module !== undefined) return `<class '${view.module}.${view.name}'>`;
    return `<class '${jsClassName(value as object)}'>`;
  }
  return `<class '${TYPE_NAMES[kind] ?? kind}'>`;
}

const EQUAL = 1;
const UNEQUAL = 2;
const OPEN = 3;
/** Closes a pair of sequences on the comparison stack. */
const DONE = Symbol('done');

/** The objects compared with one object so far (a class of its own: a Set may be a value). */
class Partners extends Set<object> {}

/** Pairs of objects, for the comparisons already under way or done. */
class PairSet {
  readonly #pairs = new Map<object, object>();

  /** Adds the pair; false when it was there. */
  add(a: object, b: object): boolean {
    const known = this.#pairs.get(a);
    if (known === undefined) {
      this.#pairs.set(a, b);
      return true;
    }
    if (known instanceof Partners) {
      if (known.has(b)) return false;
      known.add(b);
      return true;
    }
    if (known === b) return false;
    this.#pairs.set(a, new Partners([known, b]));
    return true;
  }
}

export class PythonOrder {
  readonly #charge: (units: number) => void;

  /** `charge(n)` counts n units of work (and throws when the caller's budget is spent). */
  constructor(charge: (units: number) => void) {
    this.#charge = charge;
  }

  /** Pairs of containers compared before: EQUAL, UNEQUAL, or OPEN while under comparison. */
  readonly #known = new Map<object, Map<object, number>>();

  #state(a: object, b: object): number | undefined {
    return this.#known.get(a)?.get(b);
  }

  #setState(a: object, b: object, state: number | undefined): void {
    let row = this.#known.get(a);
    if (row === undefined) {
      row = new Map();
      this.#known.set(a, row);
    }
    if (state === undefined) row.delete(b);
    else row.set(b, state);
  }

  /**
   * Python's `a == b` for the values keys and set members can be. Depth first, left to right,
   * with an explicit stack; each pair of containers is compared once per printing (later
   * comparisons read the result), and a pair met again while it is being compared (a list that
   * holds itself, where Python would recurse for ever) counts as equal.
   */
  equals(a: unknown, b: unknown, setNesting = 0): boolean {
    const pending: unknown[] = [a, b];
    /** The pairs of sequences being compared: the ancestors of the pair on top of `pending`. */
    const open: object[] = [];
    const close = (state: number | undefined) => {
      for (let i = 0; i < open.length; i += 2) this.#setState(open[i]!, open[i + 1]!, state);
      open.length = 0;
    };
    try {
      while (pending.length > 0) {
        const y = pending.pop();
        const x = pending.pop();
        if (x === DONE) {
          const q = open.pop()!;
          const p = open.pop()!;
          this.#setState(p, q, EQUAL);
          continue;
        }
        this.#charge(1);
        if (x === y) continue;
        const nx = numeric(x);
        const ny = numeric(y);
        let equal: boolean;
        if (nx !== undefined || ny !== undefined) {
          // eslint-disable-next-line eqeqeq
          equal = nx !== undefined && ny !== undefined && nx == ny;
        } else {
          const kx = pyKind(x);
          const ky = pyKind(y);
          if (isBytes(kx) && isBytes(ky)) equal = bytesCompare(x as Uint8Array, y as Uint8Array) === 0;
          else if (kx !== ky) equal = false;
          else if (kx === 'tuple' || kx === 'list') {
            const p = x as unknown[];
            const q = y as unknown[];
            const state = p.length === q.length ? this.#state(p, q) : UNEQUAL;
            if (state === EQUAL || state === OPEN) continue;
            if (state === UNEQUAL) {
              equal = false;
            } else {
              this.#setState(p, q, OPEN);
              open.push(p, q);
              pending.push(DONE, DONE);
              this.#charge(p.length);
              for (let i = p.length - 1; i >= 0; i--) pending.push(p[i], q[i]);
              continue;
            }
          } else if (kx === 'set' || kx === 'frozenset') {
            const p = x as Set<unknown>;
            const q = y as Set<unknown>;
            let state = this.#state(p, q);
            if (state === undefined) {
              state = p.size === q.size && this.#isSubset(p, q, setNesting) ? EQUAL : UNEQUAL;
              this.#setState(p, q, state);
            }
            equal = state !== UNEQUAL;
          } else if (kx === 'complex') {
            equal = (x as PyComplex).real === (y as PyComplex).real && (x as PyComplex).imag === (y as PyComplex).imag;
          } else if (kx === 'global') {
            equal = (x as PyGlobal).module === (y as PyGlobal).module && (x as PyGlobal).name === (y as PyGlobal).name;
          } else {
            equal = false;
          }
        }
        if (!equal) {
          // Every pair being compared holds this one: none of them is equal.
          close(UNEQUAL);
          return false;
        }
      }
      return true;
    } catch (error) {
      close(undefined);
      throw error;
    }
  }

  #isSubset(a: Set<unknown>, b: Set<unknown>, setNesting: number): boolean {
    if (setNesting >= MAX_SET_NESTING) throw new Incomparable();
    for (const item of a) {
      this.#charge(1);
      if (b.has(item)) continue;
      let found = false;
      for (const other of b) {
        if (this.equals(item, other, setNesting + 1)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  /** Python's `a < b`; throws Incomparable where Python raises TypeError. */
  less(a: unknown, b: unknown): boolean {
    let descended: PairSet | undefined;
    for (;;) {
      this.#charge(1);
      const x = numeric(a);
      const y = numeric(b);
      if (x !== undefined && y !== undefined) return x < y;
      const ka = pyKind(a);
      const kb = pyKind(b);
      if (ka === 'str' && kb === 'str') return compareCodePoints(a as string, b as string) < 0;
      if (isBytes(ka) && isBytes(kb)) return bytesCompare(a as Uint8Array, b as Uint8Array) < 0;
      if ((ka === 'tuple' && kb === 'tuple') || (ka === 'list' && kb === 'list')) {
        const p = a as unknown[];
        const q = b as unknown[];
        const n = Math.min(p.length, q.length);
        let i = 0;
        while (i < n && this.equals(p[i], q[i])) i++;
        if (i === n) return p.length < q.length;
        // Python compares the first items that differ; around a cycle it would recurse for ever.
        descended ??= new PairSet();
        if (!descended.add(p, q)) throw new Incomparable();
        a = p[i];
        b = q[i];
        continue;
      }
      if ((ka === 'set' || ka === 'frozenset') && (kb === 'set' || kb === 'frozenset')) {
        const p = a as Set<unknown>;
        const q = b as Set<unknown>;
        return p.size < q.size && this.#isSubset(p, q, 0);
      }
      throw new Incomparable();
    }
  }

  /**
   * pprint's `sorted(items, key=_safe_key)`: Python's order where the values compare, else by
   * type name and then (standing in for `id()`) by position.
   */
  safeSorted<T>(items: readonly T[], key: (item: T) => unknown): T[] {
    const entries = items.map((item, index) => ({ item, index, key: key(item), type: '' }));
    const less = (p: (typeof entries)[number], q: (typeof entries)[number]): boolean => {
      try {
        return this.less(p.key, q.key);
      } catch (error) {
        if (!(error instanceof Incomparable)) throw error;
        p.type ||= typeString(p.key);
        q.type ||= typeString(q.key);
        return p.type < q.type || (p.type === q.type && p.index < q.index);
      }
    };
    entries.sort((p, q) => (less(p, q) ? -1 : less(q, p) ? 1 : 0));
    return entries.map((entry) => entry.item);
  }

  /** Counter.most_common(): by count, highest first, ties in insertion order. */
  mostCommon(entries: Array<[unknown, unknown]>): Array<[unknown, unknown]> {
    try {
      return entries
        .map((entry, index) => ({ entry, index }))
        .sort((p, q) => (this.less(q.entry[1], p.entry[1]) ? -1 : this.less(p.entry[1], q.entry[1]) ? 1 : p.index - q.index))
        .map(({ entry }) => entry);
    } catch (error) {
      if (error instanceof Incomparable) return entries;
      throw error;
    }
  }
}

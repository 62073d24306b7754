// The Map keys and Set members `dumps` refuses: one Python cannot hash (its dict or set could not
// be built, so Python could not load the pickle), or two that JavaScript keeps apart and Python
// finds equal (Python would keep one entry for both). Each is found with python-hash.ts's keys.
import { type PythonKeys, UnhashableKey } from './python-hash.js';
import { shortRepr } from './short-repr.js';

/** Which container the members are of: how they are named in messages and paths. */
export const MemberKind = {
  /** A Map's keys. */
  MapKey: 0,
  /** A Set's members. */
  SetMember: 1,
  /** A PyFrozenSet's members. */
  FrozenSetMember: 2,
  /** The keys of a reduction's dict items (a Map subclass written by its handler). */
  DictItemKey: 3,
} as const;
export type MemberKind = (typeof MemberKind)[keyof typeof MemberKind];

/** A member `dumps` refuses: its index (for the error's path) and what is wrong. */
export interface MemberProblem {
  readonly index: number;
  readonly message: string;
}

const NOUN: Record<MemberKind, string> = ['a dict key', 'a set member', 'a frozenset member', 'a dict key'];

/** What JavaScript value each unhashable Python type is, and what can stand in for it. */
const UNHASHABLE_HELP: Record<string, readonly [string, string]> = {
  list: ['a list (a JavaScript array)', 'a tuple can: tuple(...items)'],
  dict: ['a dict (a plain object or Map)', 'a tuple of its entries or a string can'],
  set: ['a set (a Set)', 'a PyFrozenSet can'],
  bytearray: ['a bytearray (PyByteArray)', 'bytes (a plain Uint8Array) can'],
};

function memberLabel(kind: MemberKind, index: number): string {
  switch (kind) {
    case MemberKind.MapKey:
      return `.keys()[${index}]`;
    case MemberKind.SetMember:
      return `<set item ${index}>`;
    case MemberKind.FrozenSetMember:
      return `<frozenset item ${index}>`;
    case MemberKind.DictItemKey:
      return `<dict items>[${index}][0]`;
  }
}

/** A member as the message shows it: its Python repr, cut short. */
function memberRepr(value: unknown, keys: PythonKeys): string {
  const text = shortRepr(value, (object) => keys.handlerOf(object));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The first of `members` (a Map's keys, a Set's members, in order) that Python cannot hash, or the
 * second of the first two it finds equal; undefined when Python builds the dict or set whole.
 */
export function checkMembers(members: readonly unknown[], kind: MemberKind, makeKeys: () => PythonKeys): MemberProblem | undefined {
  const n = members.length;
  let i = 0;
  // Strings and numbers are equal in Python exactly when they are in a Map or Set (NaN aside,
  // which those hold once): then there is nothing to compare.
  while (i < n) {
    const type = typeof members[i];
    if (type !== 'string' && type !== 'number') break;
    i++;
  }
  if (i === n) return undefined;
  const keys = makeKeys();
  const seen = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    let key: string;
    try {
      key = keys.keyOf(members[k]);
    } catch (error) {
      if (error instanceof UnhashableKey) return { index: k, message: unhashableMessage(error, kind) };
      throw error;
    }
    const first = seen.get(key);
    if (first !== undefined) return { index: k, message: equalMessage(members, first, k, kind, keys) };
    seen.set(key, k);
  }
  return undefined;
}

function unhashableMessage(error: UnhashableKey, kind: MemberKind): string {
  const [what, instead] = UNHASHABLE_HELP[error.typeName] ?? [`a ${error.typeName}`, undefined];
  const found = error.where.length === 0 ? `this one is ${what}` : `this one holds ${what} at ${error.where.join('')}`;
  return `unhashable type: '${error.typeName}': ${NOUN[kind]} must be hashable in Python, and ${found}${instead ? `; ${instead}` : ''}`;
}

function equalMessage(members: readonly unknown[], first: number, second: number, kind: MemberKind, keys: PythonKeys): string {
  const a = members[first];
  const b = members[second];
  const both = `${memberLabel(kind, first)} and ${memberLabel(kind, second)}`;
  const equal = `${memberRepr(a, keys)} == ${memberRepr(b, keys)}`;
  switch (kind) {
    case MemberKind.MapKey:
    case MemberKind.DictItemKey:
      return `dict keys ${both} are one key in Python (${equal}): the dict Python loads would keep one entry for both`;
    default:
      return `${kind === MemberKind.SetMember ? 'set' : 'frozenset'} members ${both} are one member in Python (${equal}): Python's ${kind === MemberKind.SetMember ? 'set' : 'frozenset'} would keep one of them`;
  }
}

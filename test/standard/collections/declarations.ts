// The TypeScript side of fixture_collections.py: the enums and namedtuples its pickles name,
// declared with registerEnum / registerNamedTuple into a given registry, and the hand-written
// values every fixture case must load to.
import {
  enumTypeOf,
  extraState,
  PyCounter,
  PyDefaultDict,
  PyDeque,
  PyGlobal,
  PyOrderedDict,
  type Registry,
  registerEnum,
  registerNamedTuple,
  tuple,
} from './api.js';

const MODULE = 'fixture_collections';

/** A TypeScript numeric enum: its reverse mapping (Perm[4] === 'R') must not become members. */
export enum PermFlags {
  R = 4,
  W = 2,
  X = 1,
}

/** A TypeScript string enum. */
export enum ModeValues {
  READ = 'r',
  WRITE = 'w',
}

export enum ByNameValues {
  ONE = 1,
  TWO = 2,
}

/** collections.namedtuple('Point', 'x y') */
export class Point<X = unknown, Y = unknown> {
  constructor(
    readonly x: X,
    readonly y: Y,
  ) {}
}

/** typing.NamedTuple Employee(name: str, id: int = 3, rate: float = 1.5) */
export class Employee {
  constructor(
    readonly name: string,
    readonly id: number,
    readonly rate: number,
  ) {}
}

/** A namedtuple subclass with a __dict__. */
export class Tagged {
  constructor(
    readonly tag: string,
    readonly value: unknown,
  ) {}
}

/** Registers every fixture type in `registry`; returns the enums' members. */
export function declareFixtureTypes(registry: Registry) {
  const Color = registerEnum(`${MODULE}.Color`, { RED: 1, GREEN: 'g', BLUE: tuple(1, 2), CRIMSON: 1 }, { registry });
  const Level = registerEnum({ module: MODULE, name: 'Level' }, { LOW: 1, HIGH: 2, HUGE: 2n ** 70n }, { registry });
  const Mode = registerEnum(`${MODULE}.Mode`, ModeValues, { registry });
  const Perm = registerEnum(`${MODULE}.Perm`, PermFlags, { registry, flag: true });
  const Bits = registerEnum(`${MODULE}.Bits`, { A: 1, B: 2, BIG: 2 ** 40 }, { registry, flag: true });
  const ByName = registerEnum(`${MODULE}.ByName`, ByNameValues, { registry, byName: true });
  const Suit = registerEnum({ module: MODULE, name: 'Outer.Suit' }, { HEARTS: 'h', SPADES: 's' }, { registry });
  registerNamedTuple(Point, { module: MODULE, name: 'Point', fields: ['x', 'y'], registry });
  registerNamedTuple(Employee, {
    module: MODULE,
    name: 'Employee',
    fields: ['name', 'id', { name: 'rate', type: 'float' }],
    defaults: [3, 1.5],
    registry,
  });
  registerNamedTuple(Tagged, { module: MODULE, name: 'Tagged', fields: ['tag', 'value'], registry });
  return { Color, Level, Mode, Perm, Bits, ByName, Suit };
}

export type Declared = ReturnType<typeof declareFixtureTypes>;

const global = (name: string): PyGlobal => new PyGlobal('builtins', name);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** `value` with attributes kept on the side (a Python __dict__), as loads gives them. */
function withAttributes<T extends object>(value: T, attributes: Record<string, unknown>): T {
  for (const [key, item] of Object.entries(attributes)) extraState(value).set(key, item);
  return value;
}

/** What each fixture case loads to, by case name (hand-written, from generate.py). */
export function expectedValues(t: Declared): Record<string, () => unknown> {
  const { Color, Level, Mode, Perm, Bits, ByName, Suit } = t;
  const bits = enumTypeOf<number>(Bits);
  return {
    od_empty: () => new PyOrderedDict(),
    od_str_keys: () => new PyOrderedDict([['b', 1], ['a', 2]]),
    od_mixed_keys: () =>
      new PyOrderedDict<unknown, unknown>([
        [1, 'one'], ['two', 2], [null, 'none'], [tuple(1, 2), 'tuple'], [2.5, 'float'], [bytes('k'), 'bytes'],
      ]),
    od_attrs: () => withAttributes(new PyOrderedDict([['k', 1]]), { note: 'n' }),
    od_nested: () => new PyOrderedDict([['outer', new PyOrderedDict([['inner', new PyOrderedDict()]])]]),
    od_1001: () => new PyOrderedDict(range(1001).map((i) => [i, i === 0 ? 0 : -i])),
    counter_empty: () => new PyCounter(),
    counter: () => new PyCounter([['a', 5], ['b', 2], ['r', 2], ['c', 1], ['d', 1]]),
    counter_mixed: () => new PyCounter<unknown>([[1, 3], ['x', 0], [tuple(1, 2), -2]]),
    dd_list: () => new PyDefaultDict(global('list'), [['a', [1, 2]], ['b', []]]),
    dd_none: () => new PyDefaultDict(null, [['k', 1]]),
    dd_int: () => new PyDefaultDict(global('int'), [[1, 5], [2, 0]]),
    dd_empty_set: () => new PyDefaultDict(global('set')),
    deque_empty: () => new PyDeque(),
    deque: () => new PyDeque([1, 'two', 3.5, null, tuple(4)]),
    deque_maxlen: () => new PyDeque([1, 2, 3], 3),
    deque_maxlen_empty: () => new PyDeque([], 0),
    deque_2500: () => new PyDeque(range(2500)),
    enum_single: () => Color.GREEN,
    // CRIMSON is an alias: the very member RED.
    enum_color: () => [Color.RED, Color.GREEN, Color.BLUE, Color.CRIMSON],
    enum_int: () => [Level.LOW, Level.HIGH, Level.HUGE],
    enum_str: () => [Mode.READ, Mode.WRITE],
    enum_flag: () => [Perm.R, Perm.R.or(Perm.W), enumTypeOf<number>(Perm).of(0), Perm.R.or(Perm.W, Perm.X)],
    enum_intflag: () => [Bits.A, Bits.A.or(Bits.BIG), bits.of(8), bits.of(10)],
    enum_by_name: () => [ByName.ONE, ByName.TWO],
    enum_nested: () => Suit.HEARTS,
    point: () => new Point(1, 'a'),
    employee: () => new Employee('ann', 7, 2.5),
    employee_float: () => new Employee('bob', 1, 3),
    tagged: () => withAttributes(new Tagged('t', [1]), { note: 'n' }),
    point_nested: () => new Point(new Point(1, 2), [new Point(3, 4)]),
    nested: () => ({
      od: new PyOrderedDict([['inner', new PyOrderedDict([[1, new PyDeque([new Point(1, 2)])]])]]),
      counter: new PyCounter([['spam', 3]]),
      by_level: new PyDefaultDict(global('list'), [[Level.LOW, [new Employee('ann', 7, 2.5)]]]),
      modes: [Mode.READ, Mode.WRITE],
      suit: Suit.SPADES,
    }),
    shared: () => {
      const od = new PyOrderedDict([['a', 1]]);
      const counter = new PyCounter([['x', 2]]);
      const dd = new PyDefaultDict(global('list'), [['k', [1]]]);
      const dq = new PyDeque([1], 4);
      const point = new Point(5, 6);
      const employee = new Employee('e', 1, 0.5);
      const rw = Perm.R.or(Perm.W);
      return [od, od, counter, counter, dd, dd, dq, dq, Color.RED, Color.RED, rw, rw, point, point, employee, employee];
    },
    recursive: () => {
      const od = new PyOrderedDict<string, unknown>();
      od.set('self', od);
      const dq = new PyDeque<unknown>();
      dq.push(dq);
      const dd = new PyDefaultDict<string, unknown>(global('list'));
      dd.set('me', dd);
      return [od, dq, dd];
    },
    // Python 2.7: OrderedDict([[k, v], ...]), deque(list, maxlen), __builtin__.list.
    py2_od: () => new PyOrderedDict<unknown, unknown>([[1, 'a'], ['b', 2]]),
    py2_deque: () => new PyDeque([1, 2], 5),
    py2_counter: () => new PyCounter([['a', 2], ['b', 1]]),
    py2_dd: () => new PyDefaultDict(global('list'), [['a', [1]]]),
    py2_point: () => new Point(1, 2),
  };
}

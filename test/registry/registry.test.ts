import { describe, expect, it } from 'vitest';
import {
  defaultRegistry,
  dumps,
  loads,
  PyDate,
  PyOrderedDict,
  PyGlobal,
  PyObject,
  Registry,
  tuple,
  Tuple,
  UnpicklingError,
  type PyClassHandler,
} from '../../src/index.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

class Point {
  x = 0;
  y = 0;
  constructor(x?: number, y?: number) {
    if (x !== undefined) this.x = x;
    if (y !== undefined) this.y = y;
  }
}

function pointHandler(calls: string[]): PyClassHandler<Point> {
  return {
    module: 'geo',
    name: 'Point',
    jsClass: Point,
    call(args) {
      calls.push(`call(${args.join(',')})`);
      return new Point(args[0] as number, args[1] as number);
    },
    newInstance(args) {
      calls.push(`new(${args.length})`);
      return Object.create(Point.prototype) as Point;
    },
    setState(obj, state) {
      calls.push('setState');
      Object.assign(obj, state as object);
    },
  };
}

/** pickle.dumps of geo.Point instances, written by CPython for the protocols asked. */
function pointPickle(protocol: number, mode: 'newobj' | 'reduce'): Uint8Array {
  const source = `
import pickle, sys, types
geo = types.ModuleType('geo'); sys.modules['geo'] = geo
class Point:
    def __init__(self, x=0, y=0): self.x, self.y = x, y
    ${mode === 'reduce' ? 'def __reduce__(self): return (Point, (self.x, self.y))' : ''}
Point.__module__ = 'geo'; geo.Point = Point
sys.stdout.buffer.write(pickle.dumps(Point(3, 4), protocol=${protocol}))
`;
  return new Uint8Array(runPython(source));
}

describeWithPython('registry: handlers rebuild registered classes', () => {
  it.each([0, 1, 2, 3, 4, 5])('NEWOBJ/BUILD (or copyreg._reconstructor) at protocol %i', (protocol) => {
    const calls: string[] = [];
    const registry = new Registry().register(pointHandler(calls));
    const point = loads(pointPickle(protocol, 'newobj'), { registry });
    expect(point).toBeInstanceOf(Point);
    expect(point).toEqual(Object.assign(new Point(), { x: 3, y: 4 }));
    expect(calls).toEqual(['new(0)', 'setState']);
  });

  it.each([0, 2, 4])('REDUCE calls the class at protocol %i', (protocol) => {
    const calls: string[] = [];
    const registry = new Registry().register(pointHandler(calls));
    const point = loads(pointPickle(protocol, 'reduce'), { registry }) as Point;
    expect(point).toBeInstanceOf(Point);
    expect([point.x, point.y]).toEqual([3, 4]);
    expect(calls).toEqual(['call(3,4)']);
  });

  it('a module alias loads an old path into the new class', () => {
    const registry = new Registry().register(pointHandler([])).aliasModule('old_geo', 'geo');
    const data = new Uint8Array(runPython(pointSource('old_geo')));
    expect(loads(data, { registry })).toBeInstanceOf(Point);
    expect(loads(data)).toBeInstanceOf(PyObject);
  });

  it('a name alias loads a class pickled as __main__.Person', () => {
    const registry = new Registry()
      .register({ ...pointHandler([]), module: 'person', name: 'Person' })
      .aliasName('__main__', 'Person', 'person', 'Person');
    const data = bytes('\x80\x04\x8c\x08__main__\x94\x8c\x06Person\x94\x93\x94)\x81\x94.');
    const value = loads(data, { registry });
    expect(value).toBeInstanceOf(Point);
  });

  it('unregistered in strict mode is an error; registered is not', () => {
    const data = pointPickle(4, 'newobj');
    expect(() => loads(data, { strict: true, registry: new Registry() })).toThrow(UnpicklingError);
    const registry = new Registry().register(pointHandler([]));
    expect(loads(data, { strict: true, registry })).toBeInstanceOf(Point);
  });
});

function pointSource(module: string): string {
  return `
import pickle, sys, types
m = types.ModuleType('${module}'); sys.modules['${module}'] = m
class Point:
    def __init__(self): self.x, self.y = 1, 2
Point.__module__ = '${module}'; m.Point = Point
sys.stdout.buffer.write(pickle.dumps(Point(), protocol=4))
`;
}

describe('registry: scoping and the default', () => {
  it('the default registry lives on globalThis under a Symbol.for key', () => {
    const key = Symbol.for('pickle-mapper.defaultRegistry');
    // Made on first use: asked for first, whatever ran before this test.
    const registry = defaultRegistry();
    expect((globalThis as Record<symbol, unknown>)[key]).toBe(registry);
    expect(defaultRegistry()).toBe(defaultRegistry());
  });

  it('loads uses the default registry when no registry option is given', () => {
    class Thing {}
    const handler: PyClassHandler = { module: 'scoped_test', name: 'Thing', newInstance: () => new Thing() };
    const data = bytes('\x80\x02cscoped_test\nThing\n)\x81.');
    expect(loads(data)).toBeInstanceOf(PyObject);
    defaultRegistry().register(handler);
    expect(loads(data)).toBeInstanceOf(Thing);
    expect(loads(data, { registry: new Registry() })).toBeInstanceOf(PyObject);
    expect(loads(data, { registry: new Registry({ parent: defaultRegistry() }) })).toBeInstanceOf(Thing);
  });

  it('a user handler may override a standard type', () => {
    const registry = new Registry().register({ module: 'builtins', name: 'set', call: () => 'mine' });
    expect(loads(bytes('c__builtin__\nset\n(lp0\nI1\na\x85R.'), { registry })).toBe('mine');
    expect(loads(bytes('c__builtin__\nset\n(lp0\nI1\na\x85R.'))).toEqual(new Set([1]));
  });

  it('the standard types are the fallback of every registry: the default, a scoped one, one with a parent', () => {
    // pickle.dumps(datetime.date(2024, 2, 29), protocol=4) and collections.OrderedDict(a=1) at 2.
    const date = bytes('\x80\x04\x95\x20\x00\x00\x00\x00\x00\x00\x00\x8c\x08datetime\x94\x8c\x04date\x94\x93\x94C\x04\x07\xe8\x02\x1d\x94\x85\x94R\x94.');
    const ordered = bytes('\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00aq\x02K\x01s.');
    for (const registry of [undefined, new Registry(), new Registry({ parent: new Registry() })]) {
      const loaded = loads(date, { registry });
      expect(loaded).toBeInstanceOf(PyDate);
      expect(loaded).toEqual(new PyDate(2024, 2, 29));
      expect(loads(ordered, { registry })).toEqual(new PyOrderedDict([['a', 1]]));
      expect(dumps(new PyDate(2024, 2, 29), { registry, protocol: 4 })).toEqual(date);
    }
    // They are not entries of the registries themselves.
    expect(new Registry().resolve('datetime', 'date')).toBeUndefined();
    expect(defaultRegistry().resolve('datetime', 'date')).toBeUndefined();
  });

  it('class references resolve to a PyGlobal that knows its handler', () => {
    const handler: PyClassHandler = { module: 'm', name: 'C' };
    const registry = new Registry().register(handler);
    const ref = loads(bytes('cm\nC\n.'), { registry }) as PyGlobal;
    expect(ref).toBeInstanceOf(PyGlobal);
    expect(ref.handler).toBe(handler);
    expect((loads(bytes('cm\nD\n.'), { registry }) as PyGlobal).handler).toBeUndefined();
  });

  it('alias cycles do not loop', () => {
    const registry = new Registry().aliasModule('a', 'b').aliasModule('b', 'a');
    expect(registry.resolve('a', 'X')).toBeUndefined();
  });
});

describe('registry: instance hooks', () => {
  class Bag {
    items: unknown[] = [];
    pairs: Array<[unknown, unknown]> = [];
    added: unknown[] = [];
  }
  const registry = new Registry().register<Bag>({
    module: 'bags',
    name: 'Bag',
    jsClass: Bag,
    newInstance: () => new Bag(),
    extend: (bag, items) => void bag.items.push(...items),
    setItems: (bag, pairs) => void bag.pairs.push(...pairs.map(([k, v]) => [k, v] as [unknown, unknown])),
    addItems: (bag, items) => void bag.added.push(...items),
  });

  it('APPENDS, SETITEMS and ADDITEMS reach the handler', () => {
    // NEWOBJ bags.Bag, then APPENDS [1, 2], SETITEMS {'k': 3}, ADDITEMS {4}
    const data = bytes('\x80\x04cbags\nBag\n)\x81(K\x01K\x02e(\x8c\x01kK\x03u(K\x04\x90.');
    const bag = loads(data, { registry }) as Bag;
    expect(bag).toBeInstanceOf(Bag);
    expect(bag.items).toEqual([1, 2]);
    expect(bag.pairs).toEqual([['k', 3]]);
    expect(bag.added).toEqual([4]);
  });

  it('BUILD on an instance without setState is an UnpicklingError naming the type', () => {
    const data = bytes('\x80\x04cbags\nBag\n)\x81}b.');
    expect(() => loads(data, { registry })).toThrow(/cannot set state of 'Bag'/);
  });

  it('placeholders keep list and dict items of list/dict subclasses', () => {
    const data = bytes('\x80\x04cm\nL\n)\x81(K\x01K\x02e(\x8c\x01kK\x03u}\x8c\x01aK\x04sb.');
    const value = loads(data) as PyObject;
    expect(value.listItems).toEqual([1, 2]);
    expect(value.dictItems).toEqual([['k', 3]]);
    expect(value.state).toEqual({ a: 4 });
    expect(value.args).toEqual(tuple());
    expect(value.args).toBeInstanceOf(Tuple);
  });
});

describe('aliasName, the function form', () => {
  it('makes an old qualified name load as the current one', async () => {
    const { aliasName } = await import('../../src/index.js');
    class Person {}
    const registry = new Registry().register({ module: 'person', name: 'Person', jsClass: Person, newInstance: () => new Person() });
    aliasName('__main__.Person', 'person.Person', registry);
    expect(loads(bytes('\x80\x02c__main__\nPerson\n)\x81.'), { registry })).toBeInstanceOf(Person);
  });
});

// Mapped classes used by the decorator tests. This file is compiled twice by the TypeScript
// compiler (test/helpers/decorated.ts): once with legacy decorators (experimentalDecorators +
// emitDecoratorMetadata) and once with TC39 standard decorators. Each compilation registers
// into its own scoped registry, so the two never clash.
import 'reflect-metadata';
import { PyGlobal } from 'pickle-mapper';
import { PyClass, PyField, pyFloat, Registry, tuple, type Tuple } from 'pickle-mapper/decorators';

export const registry = new Registry();
registry.aliasModule('keras.src.preprocessing.text', 'keras.src.legacy.preprocessing.text');

@PyClass('shop.Customer', { registry })
export class Customer {
  @PyField() name = '';
  @PyField({ type: 'int' }) id = 0;
}

@PyClass('shop.LineItem', { registry })
export class LineItem {
  @PyField() sku = '';
  @PyField({ type: 'float' }) price = 0;
  @PyField({ type: 'int' }) quantity = 1;
}

@PyClass('shop.Order', { registry })
export class Order {
  @PyField({ type: 'int' }) id = 0;
  @PyField({ type: () => Customer }) customer?: Customer;
  @PyField({ type: () => LineItem }) items: LineItem[] = [];
  @PyField() tags: Tuple<string> = tuple();
}

@PyClass('shop.Category', { registry })
export class Category {
  @PyField() name = '';
  @PyField({ type: () => Category }) parent: Category | null = null;
  @PyField({ type: () => Category }) children: Category[] = [];
}

@PyClass('ml.Regressor', { registry, aliases: ['ml_old.LinearModel'] })
export class Regressor {
  @PyField({ name: 'weights', aliases: ['w'], type: 'float' }) weights: number[] = [];
  @PyField({ name: 'b', type: 'float' }) bias = 0;
  @PyField('n_iter') iterations = 0;
  @PyField() name = '';
}

/** Python's TupleRegressor.__getstate__ returns (w, b); its __setstate__ accepts that or a dict. */
@PyClass('ml.TupleRegressor', { registry })
export class TupleRegressor {
  @PyField({ type: 'float' }) weights: number[] = [];
  @PyField({ type: 'float' }) bias = 0;

  __getstate__(): Tuple {
    // A hand-written state skips the field types: mark the floats, as Python's would be.
    return tuple(this.weights.map((w) => pyFloat(w)), pyFloat(this.bias));
  }

  __setstate__(state: unknown): void {
    if (Array.isArray(state)) {
      const [w, b] = state as [number[], number];
      this.weights = w;
      this.bias = b;
    } else {
      const dict = state as { w?: number[]; b?: number; weights?: number[]; bias?: number };
      this.weights = dict.weights ?? dict.w ?? [];
      this.bias = dict.bias ?? dict.b ?? 0;
    }
  }
}

@PyClass({ module: 'geo.shapes', name: 'Outer.Inner' }, { registry })
export class Inner {
  @PyField() label = '';
}

@PyClass('keras.src.legacy.preprocessing.text.Tokenizer', { registry })
export class Tokenizer {
  @PyField() num_words: number | null = null;
  @PyField() lower = true;
}

/** Loads through its constructor (REDUCE) and dumps through __reduce__. */
@PyClass('geo.Point', { registry })
export class Point {
  /** The arguments of every constructor call, so tests can tell REDUCE ran `new Point(x, y)`. */
  static constructorCalls: unknown[][] = [];

  constructor(
    public x = 0,
    public y = 0,
  ) {
    Point.constructorCalls.push([x, y]);
  }

  __reduce__() {
    return [new PyGlobal('geo', 'Point'), tuple(this.x, this.y)] as const;
  }
}

/** Nothing declared: every attribute maps onto the property of the same name. */
@PyClass('misc.Plain', { registry })
export class Plain {
  a = 0;
  b = 'x';
}

// ---- models added for the mapper tests (mapper-*.test.ts) ----------------------------------

/** A script's class: pickles of `__main__.Person` load here through the alias. */
@PyClass('person.Person', { registry, aliases: ['__main__.Person'] })
export class Person {
  @PyField() name = '';
  @PyField({ type: 'int' }) age = 0;
}

/** Fields in the order Python's Sample.__init__ assigns them: byte-for-byte comparisons. */
@PyClass('sample.Sample', { registry })
export class Sample {
  @PyField({ type: 'int' }) count = 0;
  @PyField() label = '';
  @PyField({ type: 'float' }) ratio = 0;
  @PyField({ type: 'int' }) values: number[] = [];
}

/** Inherits Customer's fields (written first, as Python's __init__ chain assigns them). */
@PyClass('shop.VipCustomer', { registry })
export class VipCustomer extends Customer {
  @PyField({ type: 'int' }) level = 1;
}

/** Mutable defaults of every kind, for pickles that lack the fields. */
@PyClass('shop.Settings', { registry })
export class Settings {
  @PyField() tags: string[] = [];
  @PyField() options: Record<string, unknown> = {};
  @PyField({ type: () => Customer }) owner: Customer = new Customer();
  @PyField({ type: 'int' }) version = 1;
}

/** NEWOBJ with arguments. */
@PyClass('bank.Money', { registry })
export class Money {
  @PyField({ type: 'int' }) amount = 0;
  @PyField() currency = 'EUR';

  __getnewargs__() {
    return tuple(this.amount, this.currency);
  }
}

/** NEWOBJ_EX at protocol 4+. */
@PyClass('bank.Stamp', { registry })
export class Stamp {
  @PyField() code = '';
  @PyField({ type: 'float' }) weight = 0;

  __getnewargs_ex__() {
    return [tuple(this.code), { weight: pyFloat(this.weight) }] as const;
  }
}

/** Python's Vec has __slots__ = ('x', 'y'): the state is (None, {'x': ..., 'y': ...}). */
@PyClass('geo.Vec', { registry, slots: ['x', 'y'] })
export class Vec {
  @PyField({ type: 'float' }) x = 0;
  @PyField({ type: 'float' }) y = 0;
}

/** No attributes at all: CPython writes no state (no BUILD) for it. */
@PyClass('misc.Empty', { registry })
export class Empty {}

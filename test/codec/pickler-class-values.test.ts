// A JavaScript class the dump's registry has a handler for is a value like any other: it pickles
// as the Python global of its handler, exactly as a PyGlobal of that module and name (memoized
// by identity, as CPython's save_global memoizes a class), wherever it sits: the value itself, a
// reduction's callable or arguments (`__reduce__() { return [Money, tuple(...)] }`, the way every
// Python class writes it), a state. A class no registry has, or only another registry, is a
// PicklingError that says so. python3 is the oracle: it loads ours to the class and instances,
// and CPython writes the same bytes for the same classes.
import { describe, expect, it } from 'vitest';
import {
  defaultRegistry,
  dumps,
  enumTypeOf,
  NdArray,
  NdDtype,
  NumpyScalar,
  PickleError,
  PicklingError,
  PyByteArray,
  PyComplex,
  PyDatetime,
  PyDecimal,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  PyOrderedDict,
  type Reduction,
  registerClass,
  registerEnum,
  Registry,
  Tuple,
  tuple,
} from '../../src/index.js';
import { registerNamedTuple } from '../../src/standard/namedtuple.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

function picklingError(run: () => unknown): PicklingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PicklingError);
    expect(error).toBeInstanceOf(PickleError);
    return error as PicklingError;
  }
  throw new Error('expected a PicklingError');
}

/** A Python module `shop` with the classes the JavaScript side maps. */
const SHOP = `
import json, pickle, sys, types, collections, datetime, decimal, http, urllib.parse
shop = types.ModuleType('shop')
sys.modules['shop'] = shop
class Money:
    def __init__(self, amount, currency):
        self.amount, self.currency = amount, currency
    def __reduce__(self):
        return (Money, (self.amount, self.currency))
class Box:
    pass
for cls in (Money, Box):
    cls.__module__ = 'shop'
    setattr(shop, cls.__name__, cls)
ARGS = json.loads(sys.stdin.read())
def emit(x): sys.stdout.write(json.dumps(x))
`;

class Money {
  constructor(
    readonly amount = 0,
    readonly currency = 'EUR',
  ) {}

  __reduce__(): Reduction {
    return [Money, tuple(this.amount, this.currency)];
  }
}

/** State holding a class: Python's `box.kind = Money`. */
class Box {
  kind: unknown = Money;
  label = 'coins';
}

class Defrag {
  constructor(
    readonly url: string,
    readonly fragment: string,
  ) {}
}

const registry = new Registry();
registerClass(Money, { module: 'shop', name: 'Money', registry });
registerClass(Box, { module: 'shop', name: 'Box', registry });
registerNamedTuple(Defrag, { module: 'urllib.parse', name: 'DefragResult', fields: ['url', 'fragment'], registry });
const Status = registerEnum('http.HTTPStatus', { OK: 200, NOT_FOUND: 404 }, { registry });

describe('a registered class used as a value', () => {
  it('pickles as the global its handler names, the same bytes as that PyGlobal', () => {
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      const options = { protocol, registry };
      expect(hex(dumps(Money, options))).toBe(hex(dumps(new PyGlobal('shop', 'Money'), options)));
      expect(hex(dumps([Money, Money, Box], options))).toBe(
        hex(dumps([new PyGlobal('shop', 'Money'), new PyGlobal('shop', 'Money'), new PyGlobal('shop', 'Box')], options)),
      );
      expect(hex(dumps(new Money(5, 'USD'), options))).toBe(
        hex(dumps(new PyObject(new PyGlobal('shop', 'Money'), tuple(5, 'USD'), 'reduce'), options)),
      );
    }
  });

  it('is memoized by identity: written once, then fetched', () => {
    const once = dumps(Money, { registry });
    const twice = dumps(tuple(Money, Money), { registry });
    // STACK_GLOBAL + MEMOIZE, then one BINGET for the second.
    expect(twice.length - once.length).toBeLessThan(8);
  });

  it('gives the standard types their Python classes', () => {
    const cases: Array<[unknown, string, string]> = [
      [PyOrderedDict, 'collections', 'OrderedDict'],
      [PyDatetime, 'datetime', 'datetime'],
      [PyDecimal, 'decimal', 'Decimal'],
      [Tuple, 'builtins', 'tuple'],
      [Set, 'builtins', 'set'],
      [PyFrozenSet, 'builtins', 'frozenset'],
      [PyComplex, 'builtins', 'complex'],
      [PyByteArray, 'builtins', 'bytearray'],
      [NdArray, 'numpy', 'ndarray'],
      [NdDtype, 'numpy', 'dtype'],
      [Defrag, 'urllib.parse', 'DefragResult'],
      [enumTypeOf(Status), 'http', 'HTTPStatus'],
      [Status.OK.constructor, 'http', 'HTTPStatus'],
    ];
    for (const [cls, module, name] of cases) {
      expect(hex(dumps(cls, { registry })), `${module}.${name}`).toBe(hex(dumps(new PyGlobal(module, name))));
    }
  });

  it('refuses a class no registry has, saying how to register it', () => {
    class Unknown {}
    const error = picklingError(() => dumps({ cls: Unknown }, { registry }));
    expect(error.path).toBe('value.cls');
    expect(error.message).toBe(
      'class Unknown is not registered in the registry used by dumps (register it with @PyClass or registerClass, or pass registry: ...) (at value.cls)',
    );
  });

  it('says when the class is registered in the default registry but dumps got a scoped one, and the reverse', () => {
    class InDefault {}
    registerClass(InDefault, { module: 'shop', name: 'InDefault' });
    const scoped = new Registry();
    const fromScoped = picklingError(() => dumps([InDefault], { registry: scoped }));
    expect(fromScoped.message).toMatch(
      /^cannot pickle class InDefault: it is registered \(as shop\.InDefault\) in the default registry, but not in the registry passed to dumps; make that one with new Registry\(\{ parent: defaultRegistry\(\) \}\)/,
    );
    expect(fromScoped.path).toBe('value[0]');
    // With the default registry as its parent, the scoped one has it.
    expect(() => dumps(InDefault, { registry: new Registry({ parent: scoped }) })).toThrow(PicklingError);
    expect(() => dumps(InDefault, { registry: new Registry({ parent: defaultRegistry() }) })).not.toThrow();
    // Registered only in a scoped registry, dumped with the default one.
    const fromDefault = picklingError(() => dumps(Box));
    expect(fromDefault.message).toMatch(/^cannot pickle class Box: it is registered \(as shop\.Box\) in another registry, not in the one dumps uses/);
  });

  it('refuses plain functions and the JavaScript classes of values a Python function makes', () => {
    expect(picklingError(() => dumps([(x: number) => x])).message).toMatch(/^cannot pickle function \(anonymous\): JavaScript functions have no Python counterpart; a reference to a Python function is new PyGlobal\(module, name\)/);
    expect(picklingError(() => dumps(NumpyScalar)).message).toMatch(/^cannot pickle class NumpyScalar: it is the JavaScript class of the values numpy\.(_)?core\.multiarray\.scalar makes, not a Python class/);
  });

  it('asks reducerOverride first, as CPython does for classes', () => {
    const data = dumps(Money, { registry, reducerOverride: (value) => (value === Money ? [new PyGlobal('builtins', 'str'), ['money']] : undefined) });
    expect(hex(data)).toBe(hex(dumps(new PyObject(new PyGlobal('builtins', 'str'), tuple('money'), 'reduce'))));
  });

  it('writes the class again each time in fast mode', () => {
    const fast = dumps([Money, Money], { registry, fast: true });
    expect(hex(fast)).toBe(hex(dumps([new PyGlobal('shop', 'Money'), new PyGlobal('shop', 'Money')], { fast: true })));
  });
});

describeWithPython('Python loads registered classes used as values', () => {
  it('loads __reduce__ returning the class, the class itself, and a class in state', () => {
    const values: Array<[string, unknown]> = [
      ['instance', new Money(5, 'USD')],
      ['class', Money],
      ['shared', [Money, Money, new Money(1, 'EUR')]],
      ['state', new Box()],
      ['standard', [PyOrderedDict, PyDatetime, Defrag, enumTypeOf(Status)]],
    ];
    const cases = [0, 1, 2, 3, 4, 5].flatMap((protocol) => values.map(([name, value]) => [name, protocol, hex(dumps(value, { protocol, registry }))]));
    const results = JSON.parse(
      runPython(
        `${SHOP}
out = []
for name, protocol, h in ARGS:
    v = pickle.loads(bytes.fromhex(h))
    if name == 'instance':
        ok = type(v) is shop.Money and (v.amount, v.currency) == (5, 'USD')
    elif name == 'class':
        ok = v is shop.Money
    elif name == 'shared':
        ok = v[0] is shop.Money and v[1] is shop.Money and type(v[2]) is shop.Money
    elif name == 'state':
        ok = type(v) is shop.Box and v.kind is shop.Money and v.label == 'coins'
    else:
        ok = v == [collections.OrderedDict, datetime.datetime, urllib.parse.DefragResult, http.HTTPStatus]
    # CPython writes the same bytes for the classes alone.
    same = None
    if name in ('class', 'shared') and protocol >= 2:
        same = pickle.dumps({'class': shop.Money, 'shared': [shop.Money, shop.Money, v[2] if name == 'shared' else None]}[name], protocol=protocol).hex() == h
    out.append([name, protocol, ok, same])
emit(out)`,
        JSON.stringify(cases),
      ).toString('utf8'),
    ) as Array<[string, number, boolean, boolean | null]>;
    for (const [name, protocol, ok, same] of results) {
      expect({ name, protocol, ok }).toEqual({ name, protocol, ok: true });
      if (same !== null) expect({ name, protocol, same }).toEqual({ name, protocol, same: true });
    }
  });
});

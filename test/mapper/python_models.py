"""The Python side of test/decorators/models.ts: the same classes, importable by tests that
spawn python3 (PYTHONPATH=test/decorators). Modules are created in sys.modules so that the
classes carry the module names the TypeScript side registers."""
import sys
import types


def module(name):
    mod = types.ModuleType(name)
    sys.modules[name] = mod
    parent, _, child = name.rpartition('.')
    if parent:
        setattr(module(parent) if parent not in sys.modules else sys.modules[parent], child, mod)
    return mod


shop = module('shop')
ml = module('ml')
ml_old = module('ml_old')
geo = module('geo')
shapes = module('geo.shapes')
misc = module('misc')
keras_old = module('keras.src.preprocessing.text')
keras_new = module('keras.src.legacy.preprocessing.text')


def place(mod, cls, qualname=None):
    cls.__module__ = mod.__name__
    if qualname:
        cls.__qualname__ = qualname
    setattr(mod, cls.__name__, cls)
    return cls


class Customer:
    def __init__(self, name='', id=0):
        self.name = name
        self.id = id

    def __eq__(self, other):
        return type(other) is Customer and vars(self) == vars(other)


class LineItem:
    def __init__(self, sku='', price=0.0, quantity=1):
        self.sku = sku
        self.price = price
        self.quantity = quantity

    def __eq__(self, other):
        return type(other) is LineItem and vars(self) == vars(other)


class Order:
    def __init__(self, id=0, customer=None, items=(), tags=()):
        self.id = id
        self.customer = customer
        self.items = list(items)
        self.tags = tuple(tags)

    def __eq__(self, other):
        return type(other) is Order and vars(self) == vars(other)


class Category:
    def __init__(self, name='', parent=None):
        self.name = name
        self.parent = parent
        self.children = []
        if parent is not None:
            parent.children.append(self)


class Regressor:
    def __init__(self, weights=(), b=0.0, n_iter=0, name=''):
        self.weights = list(weights)
        self.b = b
        self.n_iter = n_iter
        self.name = name


class LinearModel:
    """The old name (ml_old.LinearModel) with the old attribute names w and b."""
    def __init__(self, w=(), b=0.0):
        self.w = list(w)
        self.b = b


class TupleRegressor:
    def __init__(self, weights=(), bias=0.0):
        self.weights = list(weights)
        self.bias = bias

    def __getstate__(self):
        return (self.weights, self.bias)

    def __setstate__(self, state):
        if isinstance(state, tuple):
            self.weights, self.bias = state
        else:
            self.weights = state.get('weights', state.get('w'))
            self.bias = state.get('bias', state.get('b'))


class Outer:
    class Inner:
        def __init__(self, label=''):
            self.label = label


class Tokenizer:
    def __init__(self, num_words=None, lower=True):
        self.num_words = num_words
        self.lower = lower


class Point:
    def __init__(self, x=0, y=0):
        self.x = x
        self.y = y

    def __reduce__(self):
        return (Point, (self.x, self.y))

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)


class Plain:
    def __init__(self, a=0, b='x'):
        self.a = a
        self.b = b


for cls in (Customer, LineItem, Order, Category):
    place(shop, cls)
for cls in (Regressor, TupleRegressor):
    place(ml, cls)
place(ml_old, LinearModel)
place(geo, Point)
place(misc, Plain)
place(shapes, Outer)
Outer.Inner.__module__ = 'geo.shapes'
place(keras_new, Tokenizer)
OldTokenizer = type('Tokenizer', (), {'__init__': Tokenizer.__init__})
place(keras_old, OldTokenizer)


# ---- classes added for the mapper tests (test/decorators/mapper-*.test.ts) ------------------

person = module('person')
sample = module('sample')
bank = module('bank')
ct = module('ct')


class Person:
    def __init__(self, name='', age=0):
        self.name = name
        self.age = age


class Sample:
    """Attributes assigned in the order models.ts declares Sample's fields."""
    def __init__(self, count=0, label='', ratio=0.0, values=()):
        self.count = count
        self.label = label
        self.ratio = ratio
        self.values = list(values)


class VipCustomer(Customer):
    def __init__(self, name='', id=0, level=1):
        super().__init__(name, id)
        self.level = level


class Settings:
    def __init__(self, tags=(), options=None, owner=None, version=1):
        self.tags = list(tags)
        self.options = dict(options or {})
        self.owner = owner if owner is not None else Customer()
        self.version = version


class Money:
    """NEWOBJ with arguments: __getnewargs__."""
    def __new__(cls, amount=0, currency='EUR'):
        return super().__new__(cls)

    def __init__(self, amount=0, currency='EUR'):
        self.amount = amount
        self.currency = currency

    def __getnewargs__(self):
        return (self.amount, self.currency)


class Stamp:
    """NEWOBJ_EX (protocol 4+): __getnewargs_ex__ with keyword arguments."""
    def __new__(cls, code='', *, weight=0.0):
        return super().__new__(cls)

    def __init__(self, code='', *, weight=0.0):
        self.code = code
        self.weight = weight

    def __getnewargs_ex__(self):
        return ((self.code,), {'weight': self.weight})


class Vec:
    """Slots only: the state is (None, {'x': ..., 'y': ...})."""
    __slots__ = ('x', 'y')

    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y


class Child:
    def __init__(self, child_name=''):
        self.child_name = child_name


class Parent:
    def __init__(self, display_name='', children=(), favourite=None, plain=0):
        self.display_name = display_name
        self.children = list(children)
        self.favourite = favourite
        self.plain = plain


class Labelled:
    def __init__(self, py_label='', note_text=''):
        self.py_label = py_label
        self.note_text = note_text


class Empty:
    pass


class Cached:
    """registerClass with exclude: ['cache'] on the TypeScript side."""


class Mixed:
    """registerClass with implicit: true and one renamed field (weights → w_)."""


place(misc, Empty)
place(misc, Cached)
place(misc, Mixed)
place(person, Person)
place(sample, Sample)
place(shop, VipCustomer)
place(shop, Settings)
place(bank, Money)
place(bank, Stamp)
place(geo, Vec)
for cls in (Child, Parent, Labelled):
    place(ct, cls)


def describe(value, _seen=None):
    """A JSON-able picture of a value that keeps Python's types: 'int 2', 'float 2.0',
    'str abc', {'tuple': [...]}, {'dict': {...}}, {'class': 'shop.Order', 'attrs': {...}};
    an object met again on its own path is {'cycle': 'shop.Category'}."""
    seen = set() if _seen is None else _seen
    if value is None or isinstance(value, bool):
        return value
    if type(value) in (int, float, str):
        return f'{type(value).__name__} {value!r}' if type(value) is not str else f'str {value}'
    if type(value) is bytes:
        return {'bytes': value.hex()}
    if id(value) in seen:
        return {'cycle': f'{type(value).__module__}.{type(value).__qualname__}'}
    seen = seen | {id(value)}
    if type(value) is list:
        return [describe(v, seen) for v in value]
    if type(value) is tuple:
        return {'tuple': [describe(v, seen) for v in value]}
    if type(value) in (set, frozenset):
        return {type(value).__name__: sorted(describe(v, seen) for v in value)}
    if type(value) is dict:
        return {'dict': {str(k): describe(v, seen) for k, v in value.items()}}
    cls = type(value)
    attrs = dict(getattr(value, '__dict__', {}))
    for slot in getattr(cls, '__slots__', ()):
        if hasattr(value, slot):
            attrs[slot] = getattr(value, slot)
    return {'class': f'{cls.__module__}.{cls.__qualname__}',
            'attrs': {k: describe(v, seen) for k, v in attrs.items()}}

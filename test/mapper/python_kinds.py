"""The Python side of test/decorators/models-kinds.ts: models of every kind Python teams write
(dataclasses, slotted and frozen; attrs; pydantic v2; plain __slots__ classes; hierarchies) and a
model with a field of each declarable type, all in the module `kinds`."""
import dataclasses
import datetime
import decimal
import enum
import uuid
from typing import Optional

import attr
import attrs
import pydantic

from python_models import module, place

kinds = module('kinds')


def in_kinds(cls):
    return place(kinds, cls)


# ---- one field of each declarable type (dicts of instances among them) --------------------------

@in_kinds
@dataclasses.dataclass
class LineItem:
    sku: str = ''
    price: float = 0.0
    quantity: int = 1


@in_kinds
class Color(enum.Enum):
    RED = 1
    GREEN = 2


@in_kinds
@dataclasses.dataclass
class Cart:
    by_sku: dict[str, LineItem] = dataclasses.field(default_factory=dict)
    by_id: dict[int, LineItem] = dataclasses.field(default_factory=dict)
    items: list[LineItem] = dataclasses.field(default_factory=list)
    dims: tuple[int, ...] = ()
    pair: tuple[str, int] = ('', 0)
    tags: set[str] = dataclasses.field(default_factory=set)
    frozen_tags: frozenset[str] = frozenset()
    note: Optional[str] = None
    created: Optional[datetime.datetime] = None
    day: Optional[datetime.date] = None
    amount: decimal.Decimal = decimal.Decimal('0')
    uid: Optional[uuid.UUID] = None
    color: Color = Color.RED
    owner: Optional[LineItem] = None
    ratios: list[float] = dataclasses.field(default_factory=list)


def full_cart():
    a, b = LineItem('a', 2.0, 3), LineItem('b', 1.5)
    return Cart(
        by_sku={'a': a, 'b': b},
        by_id={1: a, 2: b},
        items=[a, b],
        dims=(2, 3, 4),
        pair=('x', 7),
        tags={'new'},
        frozen_tags=frozenset({'f'}),
        note='gift',
        created=datetime.datetime(2024, 5, 6, 7, 8, 9, 123456),
        day=datetime.date(2024, 5, 6),
        amount=decimal.Decimal('12.50'),
        uid=uuid.UUID('12345678-1234-5678-1234-567812345678'),
        color=Color.GREEN,
        owner=a,
        ratios=[1.0, 0.5, 2.0],
    )


# ---- hierarchies --------------------------------------------------------------------------------

@in_kinds
class Entity:
    def __init__(self, id=0):
        self.id = id


@in_kinds
class User(Entity):
    def __init__(self, id=0, username=''):
        super().__init__(id)
        self.username = username


@in_kinds
class Admin(User):
    def __init__(self, id=0, username='', level=1):
        super().__init__(id, username)
        self.level = level


@in_kinds
class Tag:
    """A TypeScript subclass of an unregistered decorated base maps to it."""
    def __init__(self, name='', color=''):
        self.name = name
        self.color = color


# ---- dataclasses --------------------------------------------------------------------------------

@in_kinds
@dataclasses.dataclass
class Plain:
    a: int = 0
    b: str = 'x'


@in_kinds
@dataclasses.dataclass(slots=True)
class Slotted:
    a: int = 0
    b: str = 'x'


@in_kinds
@dataclasses.dataclass(frozen=True)
class Frozen:
    a: int = 0
    b: str = 'x'


@in_kinds
@dataclasses.dataclass(frozen=True, slots=True)
class FrozenSlotted:
    a: int = 0
    b: str = 'x'
    c: float = 0.5


# ---- attrs --------------------------------------------------------------------------------------

@in_kinds
@attrs.define
class AttrsDefine:
    a: int = 0
    b: str = 'x'


@in_kinds
@attrs.frozen
class AttrsFrozen:
    a: int = 0
    b: str = 'x'


@in_kinds
@attr.s
class AttrS:
    a = attr.ib(default=0)
    b = attr.ib(default='x')


# ---- plain __slots__ classes --------------------------------------------------------------------

@in_kinds
class Vec:
    __slots__ = ('x', 'y')

    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y


@in_kinds
class VecWithDict:
    __slots__ = ('x', '__dict__')

    def __init__(self, x=0.0, label=''):
        self.x = x
        self.label = label


# ---- pydantic v2 --------------------------------------------------------------------------------

@in_kinds
class Address(pydantic.BaseModel):
    street: str
    city: str = 'Paris'


@in_kinds
class Person(pydantic.BaseModel):
    name: str
    age: int = 0
    score: float = 1.0
    address: Optional[Address] = None
    tags: list[str] = []
    _secret: str = pydantic.PrivateAttr(default='s')


@in_kinds
class LooseModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra='allow')
    a: int = 0


@in_kinds
class FrozenModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)
    a: int = 0
    b: str = 'x'


def pydantic_view(m):
    """What a pydantic model holds, as pydantic itself reports it."""
    return {
        'type': type(m).__name__,
        'dump': m.model_dump(mode='json'),
        'fields_set': sorted(m.model_fields_set),
        'extra': m.__pydantic_extra__,
        'private': m.__pydantic_private__,
    }

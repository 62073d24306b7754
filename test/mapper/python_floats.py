"""The Python side of test/decorators/mapper-floats.test.ts: models whose state holds integral
floats (1.0, 0.0, -0.0) beside ints, in the module `floaty`, and samples of each."""
import dataclasses

import pydantic

from python_models import module, place

floaty = module('floaty')


def in_floaty(cls):
    return place(floaty, cls)


@in_floaty
class Model:
    def __init__(self):
        self.alpha = 1.0            # declared without a type (default None)
        self.weights = [1.0, 2.5, 3.0, 4]
        self.count = 3              # int, from a default of 0
        self.rate = 2.0             # declared 'float'
        self.by_name = {'x': 1.0, 'y': 2}  # declared mapOf('any'): a Map in TypeScript
        self.kept_aside = 0.0       # not declared: kept as extra state
        self.zero = -0.0


@in_floaty
class Implicit:
    def __init__(self):
        self.a = 1.0
        self.b = 2
        self.c = [0.0, 1]


@in_floaty
class Slotted:
    __slots__ = ('x', 'y')

    def __init__(self):
        self.x = 1.0
        self.y = 2


@in_floaty
@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: float = 0.0
    n: int = 0


@in_floaty
class Settings(pydantic.BaseModel):
    c: float = 1.0
    n: int = 0


@in_floaty
class Counter:
    def __init__(self, count=2.0, counts=(1,)):
        self.count = count
        self.counts = list(counts)


def samples():
    return {
        'model': Model(),
        'implicit': Implicit(),
        'slotted': Slotted(),
        'point': Point(4.0, 1),
        'settings': Settings(c=3.0, n=2),
    }

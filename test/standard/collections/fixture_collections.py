"""Enum and namedtuple classes the collections fixtures pickle (module name: fixture_collections).

test/standard-collections*.test.ts registers the same classes on the TypeScript side with
registerEnum / registerNamedTuple, and the interop tests import this module to read pickles back.
The Python 2 fixtures declare their own Point under this module's name (generate.py).
"""

import collections
import enum
import typing

Point = collections.namedtuple('Point', 'x y')


class Color(enum.Enum):
    RED = 1
    GREEN = 'g'
    BLUE = (1, 2)
    CRIMSON = 1  # an alias of RED


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2
    HUGE = 2 ** 70


class Mode(enum.StrEnum):
    READ = 'r'
    WRITE = 'w'


class Perm(enum.Flag):
    R = 4
    W = 2
    X = 1


class Bits(enum.IntFlag):
    A = 1
    B = 2
    BIG = 2 ** 40


class ByName(enum.Enum):
    """Pickled as getattr(ByName, 'ONE'), the form enum.pickle_by_enum_name gives."""
    __reduce_ex__ = enum.pickle_by_enum_name
    ONE = 1
    TWO = 2


class Outer:
    class Suit(enum.Enum):
        """A nested enum: below protocol 4 its class is getattr(Outer, 'Suit')."""
        HEARTS = 'h'
        SPADES = 's'


class Employee(typing.NamedTuple):
    name: str
    id: int = 3
    rate: float = 1.5


class Tagged(collections.namedtuple('TaggedBase', 'tag value')):
    """A namedtuple subclass with a __dict__: its attributes are pickled as state."""

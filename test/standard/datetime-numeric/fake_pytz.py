"""A stand-in for pytz's pickle shape, so fixtures need no third-party package.

pytz zones pickle as ``pytz._p(zone, utcoffset_seconds, dst_seconds, tzname)`` (REDUCE of the
module-level function ``pytz._p``). ``install()`` puts a module named ``pytz`` with such a
``_p`` into sys.modules, so CPython writes (and reads back) exactly that shape: the package
under test must keep it as a placeholder and write it back unchanged.
"""

import datetime
import sys
import types


class FakePytzZone(datetime.tzinfo):
    def __init__(self, zone, utcoffset, dst, tzname):
        self.zone, self._utcoffset, self._dst, self._tzname = zone, utcoffset, dst, tzname

    def utcoffset(self, dt):
        return datetime.timedelta(seconds=self._utcoffset)

    def dst(self, dt):
        return datetime.timedelta(seconds=self._dst)

    def tzname(self, dt):
        return self._tzname

    def __reduce__(self):
        return _p, (self.zone, self._utcoffset, self._dst, self._tzname)

    def __eq__(self, other):
        return type(other) is FakePytzZone and self.__reduce__() == other.__reduce__()

    def __hash__(self):
        return hash(self.__reduce__()[1])

    def __repr__(self):
        return f'<fake pytz {self.zone} {self._tzname}>'


def _p(*args):
    return FakePytzZone(*args)


def install():
    if 'pytz' in sys.modules and getattr(sys.modules['pytz'], '_p', None) is _p:
        return sys.modules['pytz']
    module = types.ModuleType('pytz')
    module._p = _p
    _p.__module__ = 'pytz'
    _p.__qualname__ = '_p'
    FakePytzZone.__module__ = 'pytz'
    module.FakePytzZone = FakePytzZone
    sys.modules['pytz'] = module
    return module

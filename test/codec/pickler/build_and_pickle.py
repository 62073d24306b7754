"""Rebuilds object graphs sent by test/pickler/python-graph.ts and pickles them with CPython.

stdin: {"mode": "pickle", "protocols": [..], "values": [tagged, ...], "allowRepeatedStrings": bool}
   or: {"mode": "explain", "ours": base64, "theirs": base64}
stdout: JSON.

The tagged format (see python-graph.ts):
  null / true / false                     None / True / False
  {"t": "int", "v": "123"}                int (decimal text)
  {"t": "float", "v": "7ff8000000000000"} float from its IEEE-754 bits (big-endian hex)
  {"t": "str", "v": [code units]}         str from UTF-16 code units (surrogatepass: a high
                                          surrogate followed by a low one is one astral character,
                                          as in JavaScript; a lone surrogate stays one)
                                          optional "id": the same str object wherever it is used
  {"t": "bytes"|"bytearray", "id": n, "v": "hex"}
  {"t": "list"|"tuple"|"set"|"frozenset", "id": n, "v": [items]}
  {"t": "dict", "id": n, "v": [[key, value], ...]}
  {"t": "ref", "id": n}                   the object first written with that id

A reference to a tuple still being built (a cycle through a tuple) can only sit directly in a list
or as a dict value: it is patched in once the tuple exists. For every set and frozenset the
answer gives its iteration order as indices into the items sent, so that the JavaScript side can
build its Set in the order CPython's pickler will walk it.
"""

import base64
import json
import pickle
import pickletools
import struct
import sys
import traceback


class Pending:
    __slots__ = ('id',)

    def __init__(self, ident):
        self.id = ident


def decode_units(units):
    return struct.pack('<%dH' % len(units), *units).decode('utf-16-le', 'surrogatepass')


class Builder:
    def __init__(self):
        self.objs = {}
        self.patches = []
        self.orders = {}
        self.strings = []
        self.string_objs = {}

    def register(self, ident, obj):
        if ident in self.objs:
            raise ValueError(f'id {ident} defined twice')
        self.objs[ident] = obj

    def build(self, node):
        if node is None or node is True or node is False:
            return node
        t = node['t']
        if t == 'int':
            return int(node['v'])
        if t == 'float':
            return struct.unpack('>d', bytes.fromhex(node['v']))[0]
        if t == 'str':
            ident = node.get('id')
            if ident is not None and ident in self.string_objs:
                return self.string_objs[ident]
            s = decode_units(node['v'])
            self.strings.append(s)
            if ident is not None:
                self.string_objs[ident] = s
            return s
        if t == 'ref':
            ident = node['id']
            if ident in self.objs:
                return self.objs[ident]
            if ident in self.string_objs:
                return self.string_objs[ident]
            return Pending(ident)
        ident = node['id']
        if t == 'bytes':
            obj = bytes.fromhex(node['v'])
        elif t == 'bytearray':
            obj = bytearray.fromhex(node['v'])
        elif t == 'list':
            obj = []
            self.register(ident, obj)
            for item in node['v']:
                value = self.build(item)
                if isinstance(value, Pending):
                    self.patches.append((obj, len(obj), value.id))
                    value = None
                obj.append(value)
            return obj
        elif t == 'dict':
            obj = {}
            self.register(ident, obj)
            for k, v in node['v']:
                key = self.build(k)
                if isinstance(key, Pending):
                    raise ValueError('a dict key refers to an unfinished tuple')
                if key in obj:
                    raise ValueError(f'duplicate dict key {key!r}')
                value = self.build(v)
                if isinstance(value, Pending):
                    self.patches.append((obj, key, value.id))
                    value = None
                obj[key] = value
            return obj
        elif t == 'tuple':
            items = [self.build(x) for x in node['v']]
            if any(isinstance(x, Pending) for x in items):
                raise ValueError('a tuple item refers to an unfinished tuple')
            obj = tuple(items)
        elif t in ('set', 'frozenset'):
            items = [self.build(x) for x in node['v']]
            if any(isinstance(x, Pending) for x in items):
                raise ValueError('a set item refers to an unfinished tuple')
            obj = set(items) if t == 'set' else frozenset(items)
            if len(obj) != len(items):
                raise ValueError(f'{t} items are not distinct: {items!r}')
            position = {x: i for i, x in enumerate(items)}
            self.orders[str(ident)] = [position[x] for x in obj]
        else:
            raise ValueError(f'unknown tag {t!r}')
        self.register(ident, obj)
        return obj

    def finish(self, allow_repeated_strings):
        for container, key, ident in self.patches:
            container[key] = self.objs[ident]
        # Distinct ids must be distinct Python objects. CPython's empty bytes and one-byte bytes
        # are singletons (so is the empty tuple, which is never memoized and so does not matter).
        seen = {}
        for ident, obj in self.objs.items():
            if isinstance(obj, tuple) and len(obj) == 0:
                continue
            other = seen.setdefault(id(obj), ident)
            if other != ident:
                raise ValueError(f'ids {other} and {ident} are one Python object {obj!r} '
                                 '(a CPython singleton): use one JavaScript object for both')
        if not allow_repeated_strings:
            counts = {}
            for s in self.strings:
                counts[s] = counts.get(s, 0) + 1
            repeated = [s for s, n in counts.items() if n > 1]
            if repeated:
                raise ValueError(f'repeated strings {repeated[:5]!r}')


def pickle_all(request):
    results = []
    for tagged in request['values']:
        try:
            builder = Builder()
            obj = builder.build(tagged)
            if isinstance(obj, Pending):
                raise ValueError('the value itself is a dangling reference')
            builder.finish(request.get('allowRepeatedStrings', False))
            pickles = {str(p): base64.b64encode(pickle.dumps(obj, protocol=p)).decode('ascii')
                       for p in request['protocols']}
            results.append({'pickles': pickles, 'orders': builder.orders})
        except Exception:
            results.append({'error': traceback.format_exc()})
    return {'results': results}


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def window(data, at, before=6, after=10):
    lines = []
    try:
        ops = list(pickletools.genops(data))
    except Exception as error:  # not a valid pickle: show raw bytes
        return [f'(genops failed: {error}) bytes {at - 16}..: {data[max(0, at - 16):at + 32].hex()}']
    index = 0
    for i, (_, _, pos) in enumerate(ops):
        if pos is not None and pos <= at:
            index = i
    start = max(0, index - before)
    for i, (op, arg, pos) in enumerate(ops[start:index + after], start):
        text = repr(arg)
        if len(text) > 70:
            text = text[:70] + '...'
        marker = '>>' if i == index else '  '
        lines.append(f'{marker}{pos:8}: {op.name:18} {"" if arg is None else text}')
    return lines


def explain(request):
    ours = base64.b64decode(request['ours'])
    theirs = base64.b64decode(request['theirs'])
    at = first_difference(ours, theirs)
    out = {
        'firstDifference': at,
        'ours': window(ours, at),
        'theirs': window(theirs, at),
        'oursLength': len(ours),
        'theirsLength': len(theirs),
    }
    try:
        out['equalWhenLoaded'] = repr(pickle.loads(ours) == pickle.loads(theirs))
    except Exception as error:
        out['equalWhenLoaded'] = f'loading failed: {error!r}'
    return out


def main():
    request = json.load(sys.stdin)
    if request['mode'] == 'pickle':
        answer = pickle_all(request)
    elif request['mode'] == 'explain':
        answer = explain(request)
    else:
        raise ValueError(request['mode'])
    json.dump(answer, sys.stdout)


main()

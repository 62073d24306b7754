// toJson and fromJson on hostile input: any depth without the JavaScript stack, fromJson reads
// back everything toJson writes (also a CPython object whose reduce arguments hold the object
// itself), and refuses everything outside the documented mapping with a JsonMappingError that
// names the JSON path; toJson refuses what has no JSON form, and text too long to hold, with the
// library's own errors.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PickleError, PyGlobal, PyObject, tuple, Tuple, Unpickler } from '../../src/index.js';
import { FormatLimitError } from '../../src/inspect/format/python-format.js';
import { fromJson, JsonMappingError, toJson } from '../../src/inspect/json/json-mapping.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const OPTIONS = { keepFloatType: true, dicts: 'map' } as const;
const load = (data: Uint8Array) => new Unpickler(data, OPTIONS).load();

/** The JsonMappingError `run` throws: its path, checked against the message. */
function mappingError(run: () => unknown): JsonMappingError {
  try {
    run();
  } catch (error) {
    if (!(error instanceof JsonMappingError)) throw new Error(`expected a JsonMappingError, got ${String(error)}`, { cause: error });
    expect(error.code).toBe('JSON_MAPPING');
    if (error.path !== undefined) expect(error.message).toContain(error.path);
    return error;
  }
  throw new Error('expected a JsonMappingError, got a value');
}

function deepList(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('toJson and fromJson at any depth', () => {
  it('read back 100 000-deep lists, and 25 000-deep dicts, tuples, placeholders and references', () => {
    const depth = 100_000;
    const list = deepList(depth);
    const text = toJson(list);
    expect(text).toBe('['.repeat(depth + 1) + ']'.repeat(depth + 1));
    expect(toJson(fromJson(text))).toBe(text);

    let mixed: unknown = 'leaf';
    const shared = [1];
    for (let i = 0; i < 25_000; i++) {
      switch (i % 4) {
        case 0:
          mixed = new Map<unknown, unknown>([['k', mixed], [i, shared]]);
          break;
        case 1:
          mixed = tuple(mixed, shared);
          break;
        case 2: {
          const object = new PyObject(new PyGlobal('m', 'C'), tuple(mixed), 'reduce');
          object.state = { s: shared };
          mixed = object;
          break;
        }
        default:
          mixed = { plain: mixed };
      }
    }
    const mixedText = toJson(mixed);
    const back = fromJson(mixedText, OPTIONS);
    expect(toJson(back)).toBe(mixedText);
    expect(dumps(back)).toEqual(dumps(mixed));
  }, 30_000);

  it('indent at 20 000 deep: a text longer than a string can hold is a FormatLimitError, fast', () => {
    const list = deepList(20_000);
    try {
      toJson(list, { indent: 2 });
      throw new Error('expected a FormatLimitError');
    } catch (error) {
      expect(error).toBeInstanceOf(FormatLimitError);
      expect((error as PickleError).code).toBe('FORMAT_LIMIT');
    }
    // Within the limit it is JSON.stringify's layout, and reads back.
    const fits = deepList(3_000);
    const text = toJson(fits, { indent: 2 });
    expect(text).toBe(JSON.stringify(fits, null, 2));
    expect(toJson(fromJson(text))).toBe(toJson(fits));
    expect(() => toJson(fits, { indent: 2, maxLength: 1000 })).toThrow(FormatLimitError);
  }, 10_000);

  it('refuses arrays longer than any text, fast', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(() => toJson(sparse)).toThrow(FormatLimitError);
    const claims = new Proxy([] as unknown[], { get: (target, key) => (key === 'length' ? 1e9 : Reflect.get(target, key)) });
    expect(() => toJson(claims)).toThrow(FormatLimitError);
  }, 5_000);

  it('reads an object whose reduce arguments hold the object itself', () => {
    // o = C(L) with L = [o]: the REDUCE that builds o sees L empty, APPEND fills it after.
    const cls = new PyGlobal('m', 'C');
    const items: unknown[] = [];
    const object = new PyObject(cls, tuple(items), 'reduce');
    items.push(object);
    const text = toJson(object);
    expect(text).toBe('{"$id":1,"$value":{"$object":{"module":"m","name":"C","creation":"reduce","args":[[{"$ref":1}]]}}}');
    const back = fromJson(text) as PyObject;
    expect(back).toBeInstanceOf(PyObject);
    expect((back.args[0] as unknown[])[0]).toBe(back);
    expect(toJson(back)).toBe(text);

    // Through the class, kwargs, state and items too.
    const viaAll = new PyObject(cls, tuple(), 'newobj_ex', {});
    (viaAll.kwargs as Record<string, unknown>).me = viaAll;
    viaAll.state = tuple(viaAll);
    viaAll.listItems = [viaAll];
    viaAll.dictItems = [['me', viaAll]];
    const byItself = new PyObject(viaAll, tuple(viaAll), 'reduce');
    for (const value of [viaAll, byItself, [byItself, viaAll]]) {
      const json = toJson(value);
      expect(toJson(fromJson(json)), json).toBe(json);
      expect(dumps(fromJson(json, OPTIONS))).toEqual(dumps(value));
    }
  }, 5_000);
});

describe('fromJson refuses everything outside the mapping, naming the path', () => {
  const cases: Array<[string, string]> = [
    ['{"items":[1,2,3,{"$int":"abc"}]}', '$.items[3].$int'],
    ['{"$int":"0x1f"}', '$.$int'],
    ['{"$int":" "}', '$.$int'],
    ['{"$int":""}', '$.$int'],
    ['{"$int":"+5"}', '$.$int'],
    ['{"$int":"007"}', '$.$int'],
    ['{"$int":"1e3"}', '$.$int'],
    ['{"$int":5}', '$.$int'],
    ['[{"$float":"NaN"}]', '$[0].$float'],
    ['{"$float":2.5}', '$.$float'],
    ['1e400', '$'],
    ['[-1e400]', '$[0]'],
    ['{"$bytes":"***"}', '$.$bytes'],
    ['{"$bytes":"QUI"}', '$.$bytes'],
    ['{"$bytes":"QR=="}', '$.$bytes'],
    ['{"$bytes":"QQ=A"}', '$.$bytes'],
    ['{"$bytes":5}', '$.$bytes'],
    ['{"$bytearray":null}', '$.$bytearray'],
    ['{"$tuple":{}}', '$.$tuple'],
    ['{"$set":"ab"}', '$.$set'],
    ['{"$set":[1,1]}', '$.$set[1]'],
    ['{"$frozenset":5}', '$.$frozenset'],
    ['{"$dict":{}}', '$.$dict'],
    ['{"$dict":[[1]]}', '$.$dict[0]'],
    ['{"$dict":[5]}', '$.$dict[0]'],
    ['{"$dict":[[1,2],[1,3]]}', '$.$dict[1][0]'],
    ['{"a":1,"a":2}', '$.a'],
    ['{"$complex":[1]}', '$.$complex'],
    ['{"$complex":["1","2"]}', '$.$complex[0]'],
    ['{"$complex":[1,{"$int":"99999999999999999999"}]}', '$.$complex[1]'],
    ['{"$global":"os.system"}', '$.$global'],
    ['{"$global":{"module":"os"}}', '$.$global'],
    ['{"$global":{"module":"os","name":1}}', '$.$global.name'],
    ['{"$global":{"module":"os","name":"system","extra":1}}', '$.$global.extra'],
    ['{"$object":{}}', '$.$object'],
    ['{"$object":5}', '$.$object'],
    ['{"$object":{"module":"m","name":"C","args":[]}}', '$.$object'],
    ['{"$object":{"module":"m","creation":"newobj","args":[]}}', '$.$object'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj"}}', '$.$object'],
    ['{"$object":{"module":"m","name":"C","class":null,"creation":"newobj","args":[]}}', '$.$object.class'],
    ['{"$object":{"module":"m","name":"C","creation":"build","args":[]}}', '$.$object.creation'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj","args":5}}', '$.$object.args'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj","args":{"$set":[]}}}', '$.$object.args'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj_ex","args":[],"kwargs":5}}', '$.$object.kwargs'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj_ex","args":[],"kwargs":[1]}}', '$.$object.kwargs'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj","args":[],"listitems":{}}}', '$.$object.listitems'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj","args":[],"dictitems":[[1,2,3]]}}', '$.$object.dictitems[0]'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj","args":[],"dictitems":{}}}', '$.$object.dictitems'],
    ['{"$object":{"module":"m","name":"C","creation":"newobj","args":[],"State":1}}', '$.$object.State'],
    ['{"$object":{"module":5,"name":"C","creation":"newobj","args":[]}}', '$.$object.module'],
    ['{"$js":{"class":"Point","properties":{}}}', '$.$js'],
    ['{"$nope":1}', '$.$nope'],
    ['{"$tuple":[1],"x":2}', '$'],
    ['{"$ref":9}', '$.$ref'],
    ['[{"$ref":1},{"$id":1,"$value":[]}]', '$[0].$ref'],
    ['{"$ref":"1"}', '$.$ref'],
    ['{"$id":1,"$value":5}', '$.$value'],
    ['{"$id":1,"$value":{"$int":"5"}}', '$.$value'],
    ['{"$id":1,"$value":{"$ref":1}}', '$.$value'],
    ['{"$id":1,"$value":{"$id":2,"$value":[]}}', '$.$value'],
    ['[{"$id":1,"$value":[]},{"$id":1,"$value":[]}]', '$[1].$id'],
    ['{"$id":"1","$value":[]}', '$.$id'],
    ['{"$id":1.5,"$value":[]}', '$.$id'],
    ['{"$id":1,"$other":[]}', '$'],
    ['{"$id":1}', '$'],
  ];
  for (const [text, path] of cases) {
    it(`${text} at ${path}`, () => {
      const error = mappingError(() => fromJson(text));
      expect(error.path, error.message).toBe(path);
    }, 5_000);
  }

  it('refuses malformed JSON with the offset, and never throws anything else', () => {
    for (const text of ['', ' ', '[1,', '{"a" 1}', '01', '[1]x', '"\\x"', '"\u0001"', '{"a":}', 'nul', '-', '1.', '.5', '[1,]']) {
      const error = mappingError(() => fromJson(text));
      expect(error.message, text).toMatch(/invalid JSON at offset \d+/);
    }
    expect(() => fromJson(5 as unknown as string)).toThrow(PickleError);
  }, 5_000);

  it('accepts what the mapping documents (docs/cli.md)', () => {
    expect(fromJson('{"$int":"-12345678901234567890"}')).toBe(-12345678901234567890n);
    expect(fromJson('{"$int":"5"}')).toBe(5);
    expect(fromJson('12345678901234567890')).toBe(12345678901234567890n);
    expect(fromJson('{"$complex":[1,{"$float":"-inf"}]}')).toMatchObject({ real: 1, imag: -Infinity });
    expect(fromJson('[{"$id":7,"$value":[]},{"$ref":7}]')).toEqual([[], []]);
    const object = fromJson('{"$object":{"class":{"$global":{"module":"m","name":"f"}},"creation":"reduce","args":{"$tuple":[1]}}}') as PyObject;
    expect(object.cls).toEqual(new PyGlobal('m', 'f'));
    expect(object.args).toBeInstanceOf(Tuple);
  }, 5_000);
});

describe('toJson refuses values with no JSON form, naming where they are', () => {
  it('a JavaScript object no handler reduces, a function, a symbol', () => {
    class Point {
      x = 1;
    }
    const cases: Array<[unknown, string]> = [
      [new Point(), 'value'],
      [{ a: [1, new Point()] }, 'value.a[1]'],
      [new Map<unknown, unknown>([[1, () => 1]]), 'value.get(1)'],
      [[Symbol('s')], 'value[0]'],
    ];
    for (const [value, path] of cases) {
      const error = mappingError(() => toJson(value));
      expect(error.path, error.message).toBe(path);
    }
  }, 5_000);
});

describeWithPython('the mapping reads back what CPython pickles', () => {
  it('objects whose reduce arguments hold the object itself, and copyreg self-references', () => {
    const source = String.raw`
import copyreg, pickle, sys
class C:
    def __init__(self, items): self.items = items
    def __reduce__(self): return (C, (self.items,))
class D:
    pass
def make_d(holder): d = D(); d.holder = holder; return d
copyreg.pickle(D, lambda d: (make_d, (d.holder,), None))
items = []
c = C(items); items.append(c)
holder = {}
d = make_d(holder); holder['d'] = d
e = C([])
e.items.append({'self': e, 'again': [e]})
value = [c, d, e, (c, d)]
sys.stdout.buffer.write(pickle.dumps(c, 4) + pickle.dumps(d, 2) + pickle.dumps(value, 4) + pickle.dumps(value, 0))
`;
    const data = new Uint8Array(runPython(source));
    const unpickler = new Unpickler(data, OPTIONS);
    let count = 0;
    while (!unpickler.atEnd) {
      const value = unpickler.load();
      const text = toJson(value);
      const back = fromJson(text, OPTIONS);
      expect(toJson(back), text).toBe(text);
      for (const protocol of [0, 2, 4]) expect(dumps(back, { protocol }), text).toEqual(dumps(value, { protocol }));
      count++;
    }
    expect(count).toBe(4);
    // And CPython loads what the decoded value pickles to: the object is its own argument's item.
    const c = fromJson(toJson(load(data)), OPTIONS);
    const check = runPython(
      String.raw`
import pickle, sys
class C:
    def __init__(self, items): self.items = items
    def __reduce__(self): return (C, (self.items,))
import __main__; __main__.C = C
c = pickle.loads(sys.stdin.buffer.read())
print(c.items[0] is c)
`,
      dumps(c),
    );
    expect(check.toString().trim()).toBe('True');
  }, 20_000);

  it('keeps loads and toJson in agreement for the corpus of shared and cyclic values', () => {
    const data = runPython(String.raw`
import pickle, sys
a = [1]; a.append(a)
d = {}; d['d'] = d
t = ([],); t[0].append(t)
s = [1, 2]
sys.stdout.buffer.write(pickle.dumps([a, d, t, s, s, (s, s)], 4))
`);
    const value = loads(new Uint8Array(data));
    expect(toJson(fromJson(toJson(value)))).toBe(toJson(value));
  }, 20_000);
});

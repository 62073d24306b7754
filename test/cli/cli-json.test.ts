// `pickle-mapper json` and the library's toJson/fromJson: the mapping's rules, a lossless round
// trip for every fixture and corpus pickle (same values, same sharing, same pickle bytes), and
// Python decoding our JSON back into exactly the object pickle.load gives.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dumps, PyByteArray, PyComplex, PyFloat, PyFrozenSet, PyGlobal, PyObject, pyFloat, tuple, Tuple, Unpickler } from '../../src/index.js';
import { fromJson, JsonMappingError, toJson } from '../../src/inspect/json/json-mapping.js';
import { pyKind } from '../../src/inspect/format/python-view.js';
import { pyDiff } from '../fixtures/py-equal.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { CORPUS_FILES, readCorpus, useBuiltCli } from '../helpers/cli.js';

const FILES = CORPUS_FILES;
const read = readCorpus;
/** What the json command loads: floats keep their type, dicts their order. */
const OPTIONS = { keepFloatType: true, dicts: 'map' } as const;
const load = (data: Uint8Array) => new Unpickler(data, OPTIONS).load();

const cliEnv = useBuiltCli('cli-json');
const runCli = cliEnv.run;

/** True when the value holds a JavaScript object of a registered class (no placeholder form). */
function holdsClassInstances(root: unknown): boolean {
  const seen = new Set<unknown>();
  const stack = [root];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const kind = pyKind(value);
    if (kind === 'other') return true;
    if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    else if (value instanceof Set || Array.isArray(value)) stack.push(...value);
    else if (value instanceof PyObject) stack.push(value.cls, value.args, value.kwargs, value.state, value.listItems, value.dictItems);
    else if (kind === 'dict') stack.push(...Object.values(value));
  }
  return false;
}

describe('the JSON mapping', () => {
  const json = (value: unknown) => toJson(value);

  it('writes plain JSON where Python and JSON agree', () => {
    expect(json([null, true, false, 0, -7, 2 ** 53 - 1, 'text', [1], new Map([['k', 'v']]), { a: 1 }])).toBe(
      '[null,true,false,0,-7,9007199254740991,"text",[1],{"k":"v"},{"a":1}]',
    );
  });

  it('keeps floats floats, in Python repr, and tags what JSON cannot hold', () => {
    expect(json([1.5, pyFloat(2), -0, 1e16, 5e-324, 1e-5, NaN, Infinity, -Infinity])).toBe(
      '[1.5,2.0,-0.0,1e+16,5e-324,1e-05,{"$float":"nan"},{"$float":"inf"},{"$float":"-inf"}]',
    );
    expect(json([2n ** 64n, -(2n ** 70n)])).toBe('[{"$int":"18446744073709551616"},{"$int":"-1180591620717411303424"}]');
    expect(json(new PyComplex(1, -0))).toBe('{"$complex":[1.0,-0.0]}');
  });

  it('tags bytes, bytearray, tuples, sets, frozensets, non-str keys, globals and placeholders', () => {
    expect(json(new Uint8Array([0, 1, 255]))).toBe('{"$bytes":"AAH/"}');
    expect(json(PyByteArray.fromBytes([104, 105]))).toBe('{"$bytearray":"aGk="}');
    expect(json(tuple(1, tuple()))).toBe('{"$tuple":[1,{"$tuple":[]}]}');
    expect(json(new Set([1]))).toBe('{"$set":[1]}');
    expect(json(new PyFrozenSet(['a']))).toBe('{"$frozenset":["a"]}');
    expect(json(new Map<unknown, unknown>([[1, 'a'], ['b', 2]]))).toBe('{"$dict":[[1,"a"],["b",2]]}');
    // A str key starting with "$" could be taken for a tag: such dicts are written as $dict.
    expect(json({ $bytes: 'x' })).toBe('{"$dict":[["$bytes","x"]]}');
    expect(json(new PyGlobal('collections', 'OrderedDict'))).toBe('{"$global":{"module":"collections","name":"OrderedDict"}}');
    const object = new PyObject(new PyGlobal('shop', 'Order'), tuple(1), 'newobj_ex', { k: 2 });
    object.state = { id: 7 };
    object.listItems = [3];
    object.dictItems = [['d', 4]];
    expect(json(object)).toBe(
      '{"$object":{"module":"shop","name":"Order","creation":"newobj_ex","args":[1],"kwargs":{"k":2},"state":{"id":7},"listitems":[3],"dictitems":[["d",4]]}}',
    );
    const byPlaceholder = new PyObject(object, tuple(), 'reduce');
    expect(json(byPlaceholder)).toMatch(/^\{"\$object":\{"class":\{"\$object":/);
  });

  it('writes a shared or cyclic container once, then refers to it', () => {
    const shared = [1];
    expect(json([shared, shared, tuple(shared)])).toBe('[{"$id":1,"$value":[1]},{"$ref":1},{"$tuple":[{"$ref":1}]}]');
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(json(cycle)).toBe('{"$id":1,"$value":[{"$ref":1}]}');
    const args = tuple('a');
    const object = new PyObject(new PyGlobal('m', 'C'), args, 'reduce');
    expect(json([args, object])).toBe('[{"$id":1,"$value":{"$tuple":["a"]}},{"$object":{"module":"m","name":"C","creation":"reduce","args":{"$ref":1}}}]');
  });

  it('indents as JSON.stringify does', () => {
    const value = new Map<string, unknown>([['a', [1, tuple(2)]], ['b', new Map()], ['c', []]]);
    const text = toJson(value, { indent: 2 });
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expect(toJson(value, { indent: '\t' })).toBe(JSON.stringify(JSON.parse(text), null, '\t'));
  });

  it('writes any depth the unpickler loads', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const text = toJson(deep);
    expect(text.length).toBe(200_002);
  });

  it('reads back what it writes', () => {
    const value = [tuple(1, 2.5, 2n ** 64n), new Map<unknown, unknown>([[tuple(), new Set([NaN])]]), { $x: PyByteArray.fromBytes([1]) }];
    const back = fromJson(toJson(value), OPTIONS);
    expect(pyDiff(back, [tuple(1, 2.5, 2n ** 64n), new Map<unknown, unknown>([[tuple(), new Set([NaN])]]), new Map([['$x', PyByteArray.fromBytes([1])]])])).toBeUndefined();
    const float = (fromJson(toJson([pyFloat(2)]), OPTIONS) as unknown[])[0];
    expect(float).toBeInstanceOf(PyFloat);
    expect((float as PyFloat).value).toBe(2);
    expect(fromJson('[1.0, 2, 1e+16]')).toEqual([1, 2, 1e16]);
    expect((fromJson('[1.0]', { keepFloatType: true }) as unknown[])[0]).toBeInstanceOf(PyFloat);
    expect(fromJson('{"__proto__": 1}')).toEqual(Object.fromEntries([['__proto__', 1]]));
    expect(Object.getPrototypeOf(fromJson('{"__proto__": {"x": 1}}'))).toBe(Object.prototype);
    expect(fromJson('{"$tuple": [1]}')).toBeInstanceOf(Tuple);
  });

  it('refuses JSON that does not follow the mapping', () => {
    for (const text of ['{"$nope": 1}', '{"$ref": 9}', '{"$int": 5}', '{"$float": "infinity"}', '{"$bytes": "***"}', '{"$tuple": [1], "x": 2}', '[1,', '{"a" 1}', '01']) {
      expect(() => fromJson(text), text).toThrow(JsonMappingError);
    }
  });
});

describe('json round trip on every fixture and corpus pickle', () => {
  it('gives back the same values with the same sharing, and the same pickle bytes', () => {
    let compared = 0;
    for (const file of FILES) {
      const data = read(file);
      // As the json command loads: integral floats as PyFloat, every dict a Map.
      const value = load(data);
      const text = toJson(value, { indent: 1 });
      expect(() => JSON.parse(text), file).not.toThrow();
      const back = fromJson(text, OPTIONS);
      // Writing the decoded value again gives the same text, and pickling it the same bytes.
      expect(toJson(back, { indent: 1 }), file).toBe(text);
      // A value of a registered class (datetime, OrderedDict...) comes back as the placeholder its
      // reduction describes, which pickles to the same bytes.
      for (const protocol of [0, 2, 5]) {
        let original: Uint8Array | undefined;
        try {
          original = dumps(value, { protocol });
        } catch {
          continue; // not every loaded value pickles at every protocol
        }
        expect(Buffer.from(dumps(back, { protocol })).equals(Buffer.from(original)), `${file} protocol ${protocol}`).toBe(true);
      }
      if (holdsClassInstances(value)) continue;
      compared++;
      // The same graph, compared strictly (pyDiff knows plain numbers, not PyFloat).
      const plain = new Unpickler(data, { dicts: 'map' }).load();
      expect(pyDiff(fromJson(toJson(plain), { dicts: 'map' }), plain), file).toBeUndefined();
    }
    expect(compared).toBeGreaterThan(500);
  });
});

// Python decodes our JSON into Python objects and compares them with pickle.load's result:
// same types, same values (floats by repr: -0.0, nan), same dict order, same sharing of lists,
// dicts, sets and bytearrays.
const PY_CHECK = String.raw`
import base64, json, pickle, sys
class Unresolved(Exception): pass
def decode(x, ids):
    if isinstance(x, list): return [decode(i, ids) for i in x]
    if not isinstance(x, dict): return x
    if '$id' in x: return decode_tagged(x['$value'], ids, x['$id'])
    return decode_tagged(x, ids, None)
def decode_tagged(x, ids, ident):
    def register(v):
        if ident is not None: ids[ident] = v
        return v
    if isinstance(x, list):
        out = register([])
        out.extend(decode(i, ids) for i in x)
        return out
    if not isinstance(x, dict): return register(x)
    if not any(k.startswith('$') for k in x):
        out = register({})
        for k, v in x.items(): out[k] = decode(v, ids)
        return out
    (tag, body), = x.items()
    if tag == '$ref':
        if body not in ids: raise Unresolved()
        return ids[body]
    if tag == '$int': return register(int(body))
    if tag == '$float': return register(float(body))
    if tag == '$bytes': return register(base64.b64decode(body))
    if tag == '$bytearray': return register(bytearray(base64.b64decode(body)))
    if tag == '$tuple': return register(tuple(decode(i, ids) for i in body))
    if tag == '$frozenset': return register(frozenset(decode(i, ids) for i in body))
    if tag == '$complex': return register(complex(*(float(decode(p, ids)) for p in body)))
    if tag == '$set':
        out = register(set())
        out.update(decode(i, ids) for i in body)
        return out
    if tag == '$dict':
        out = register({})
        for k, v in body: out[decode(k, ids)] = decode(v, ids)
        return out
    raise ValueError('unexpected tag %s' % tag)
def same(a, b, fwd, back):
    if type(a) is not type(b): return False
    # A high and a low surrogate kept apart (surrogatepass) load in JavaScript as the one astral
    # character they spell: the one thing the value model cannot keep.
    if type(a) is str: return a == b or a == b.encode('utf-16', 'surrogatepass').decode('utf-16')
    if type(a) in (float, complex): return repr(a) == repr(b)
    if type(a) in (list, dict, set, bytearray):
        if id(a) in fwd: return fwd[id(a)] is b
        if id(b) in back: return False
        fwd[id(a)] = b; back[id(b)] = a
    if type(a) in (list, tuple): return len(a) == len(b) and all(same(x, y, fwd, back) for x, y in zip(a, b))
    if type(a) is dict:
        return len(a) == len(b) and all(same(k1, k2, fwd, back) and same(v1, v2, fwd, back) for (k1, v1), (k2, v2) in zip(a.items(), b.items()))
    if type(a) in (set, frozenset): return len(a) == len(b) and all(x in b for x in a)
    return a == b
BUILTIN = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset)
def builtin_only(v, seen):
    if id(v) in seen: return True
    if type(v) not in BUILTIN: return False
    seen.add(id(v))
    if type(v) is dict: return all(builtin_only(k, seen) and builtin_only(x, seen) for k, x in v.items())
    if type(v) in (list, tuple, set, frozenset): return all(builtin_only(x, seen) for x in v)
    return True
sys.setrecursionlimit(20000)
results = {}
for job in json.load(sys.stdin):
    try:
        original = pickle.load(open(job['file'], 'rb'))
    except Exception:
        results[job['file']] = 'skipped'; continue
    if not builtin_only(original, set()):
        results[job['file']] = 'skipped'; continue
    try:
        decoded = decode(json.loads(job['json']), {})
    except Unresolved:
        results[job['file']] = 'cycle through a tuple'; continue
    results[job['file']] = 'same' if same(decoded, original, {}, {}) else 'DIFFERENT'
json.dump(results, sys.stdout)
`;

describeWithPython('json decoded by Python equals pickle.load', () => {
  it('for every fixture and corpus pickle of builtin values', () => {
    const jobs = FILES.filter((file) => !file.includes('memo-graph')).map((file) => ({ file, json: toJson(load(read(file))) }));
    const results: Record<string, string> = JSON.parse(runPython(PY_CHECK, JSON.stringify(jobs)).toString('utf8'));
    const same = Object.values(results).filter((r) => r === 'same').length;
    expect(Object.entries(results).filter(([, r]) => r === 'DIFFERENT')).toEqual([]);
    expect(same).toBeGreaterThan(300);
  });

  it('from the command line, for files, gzip and stdin', () => {
    const file = 'test/fixtures/pickles/dict_nonstr_keys.p3.pkl';
    const expected = toJson(load(read(file)), { indent: 2 }) + '\n';
    const direct = runCli(['json', file]);
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(expected);
    expect(runCli(['json', '-'], read(file)).stdout).toBe(expected);
    const gz = join(cliEnv.work, 'keys.pkl.gz');
    writeFileSync(gz, gzipSync(read(file)));
    expect(runCli(['json', gz]).stdout).toBe(expected);
    const results: Record<string, string> = JSON.parse(
      runPython(PY_CHECK, JSON.stringify([{ file, json: runCli(['json', '--compact', file]).stdout }])).toString('utf8'),
    );
    expect(results[file]).toBe('same');
  });
});

describe('the json command', () => {
  it('writes the first pickle, or with --all an array of every pickle', () => {
    const file = join(cliEnv.work, 'multi.pkl');
    writeFileSync(file, Buffer.concat([dumps([1], { protocol: 0 }), dumps(tuple('a')), dumps(pyFloat(3))]));
    expect(runCli(['json', '--compact', file]).stdout).toBe('[1]\n');
    expect(runCli(['json', '--compact', '--all', file]).stdout).toBe('[[1],{"$tuple":["a"]},3.0]\n');
    expect(runCli(['json', '--indent', '0', file]).stdout).toBe('[1]\n');
    expect(runCli(['json', '--indent', '4', file]).stdout).toBe('[\n    1\n]\n');
    expect(runCli(['json', '--compact', file, file]).stdout).toBe('[1]\n[1]\n');
  });

  it('decodes Python 2 strings as told', () => {
    const file = join(cliEnv.work, 'py2.pkl');
    writeFileSync(file, Buffer.from("(S'caf\\xe9'\nS'ok'\nl.", 'latin1'));
    const ascii = runCli(['json', file]);
    expect(ascii.status).toBe(1);
    expect(ascii.stderr).toContain('UnpicklingError: Python 2 str is not valid ascii');
    expect(runCli(['json', '--compact', '--encoding', 'latin1', file]).stdout).toBe('["caf\u00e9","ok"]\n');
    expect(runCli(['json', '--compact', '--encoding', 'bytes', file]).stdout).toBe('[{"$bytes":"Y2Fm6Q=="},{"$bytes":"b2s="}]\n');
  });

  it('exits 1 with the offset and opcode of an unpickling error, 2 on usage errors', () => {
    const file = join(cliEnv.work, 'bad.pkl');
    writeFileSync(file, new Uint8Array([0x80, 0x04, 0x8c, 0x05, 0x61]));
    const bad = runCli(['json', file]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(new RegExp(`^pickle-mapper: ${file}: UnpicklingError: .*\\(at byte 2, opcode SHORT_BINUNICODE\\)\\n$`));
    expect(runCli(['json']).status).toBe(2);
    expect(runCli(['json', '--indent', 'x', file]).status).toBe(2);
    expect(runCli(['json', '--help']).stdout).toContain('"$tuple"');
  });

  it('the inspect command still prints every pickle as JavaScript values', () => {
    const file = join(cliEnv.work, 'two.pkl');
    writeFileSync(file, Buffer.concat([dumps(tuple(1, 'a')), dumps(new Set([2]))]));
    const result = runCli(['inspect', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("Tuple(2) [ 1, 'a' ]\nSet(1) { 2 }\n");
  });
});

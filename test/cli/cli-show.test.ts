// `pickle-mapper show` and the library's pformat/pyRepr against Python: for every fixture and
// corpus pickle whose value is made of builtin types only, the text equals Python's pprint
// (what `python -m pickle FILE` prints) and repr(); placeholders print as module.Name(...).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dumps, loads, PyByteArray, PyComplex, PyFrozenSet, PyGlobal, PyObject, pyFloat, tuple, Unpickler } from '../../src/index.js';
import { FormatLimitError, pformat, pyRepr } from '../../src/inspect/format/python-format.js';
import { describeWithPython, runPython } from '../helpers/python.js';
import { CORPUS_FILES, readCorpus, runPythonModule, useBuiltCli } from '../helpers/cli.js';

const FILES = CORPUS_FILES;
const read = readCorpus;
/** What `show` loads: floats keep their type, dicts their order. */
const load = (data: Uint8Array) => new Unpickler(data, { keepFloatType: true, dicts: 'map' }).load();

const cliEnv = useBuiltCli('cli-show');
const runCli = cliEnv.run;

// For each file: pprint and repr of the value when Python can load it and it holds builtin
// types only (anything else prints with an address), within a time limit (a memo graph can
// expand beyond any pprint's patience), plus whether it is recursive.
const PY_SHOW = String.raw`
import io, json, pickle, pprint, signal, sys
BUILTIN = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset)
class Slow(Exception): pass
def alarm(*args): raise Slow()
signal.signal(signal.SIGALRM, alarm)
def builtin_only(v, seen):
    if id(v) in seen: return True
    if type(v) not in BUILTIN: return False
    seen.add(id(v))
    if type(v) is dict: return all(builtin_only(k, seen) and builtin_only(x, seen) for k, x in v.items())
    if type(v) in (list, tuple, set, frozenset): return all(builtin_only(x, seen) for x in v)
    return True
width = int(sys.argv[1])
out = {}
for f in json.load(sys.stdin):
    try:
        v = pickle.load(open(f, 'rb'))
    except Exception:
        out[f] = None; continue
    if not builtin_only(v, set()):
        out[f] = None; continue
    signal.alarm(2)
    try:
        out[f] = {'pprint': pprint.pformat(v, width=width) + '\n', 'repr': repr(v), 'recursive': pprint.isrecursive(v)}
    except Slow:
        out[f] = None
    finally:
        signal.alarm(0)
json.dump(out, sys.stdout)
`;

interface PyShow {
  readonly pprint: string;
  readonly repr: string;
  readonly recursive: boolean;
}

function pythonShow(files: readonly string[], width = 80): Record<string, PyShow | null> {
  // The memo-graph corpus files expand to 2^k nodes: pprint would never finish (show prints
  // them with references, tested below).
  const printable = files.filter((file) => !file.includes('memo-graph'));
  return JSON.parse(runPython(PY_SHOW, JSON.stringify(printable), [String(width)]).toString('utf8'));
}

/**
 * Python's text with the one divergence the value model forces: a str holding a high and a low
 * surrogate as two code points ('\udbff\udc00', only surrogatepass makes one) loads as the
 * astral character the pair spells, which Python itself would print as '\U0010fc00'.
 */
const knownDivergence = (text: string) => text.replaceAll("'\\udbff\\udc00'", "'\\U0010fc00'");

/** pprint's "<Recursion on list with id=...>" is where Python's repr, and ours, write [...]. */
function recursionAsRepr(text: string): string {
  return text.replace(/<Recursion on (\w+) with id=\d+>/g, (_, type: string) =>
    type === 'list' ? '[...]' : type === 'dict' ? '{...}' : type === 'tuple' ? '(...)' : `${type}(...)`);
}

/** Layout aside (the recursion marker's width moves line breaks), the same text. */
const oneLine = (text: string) => text.replace(/\n */g, ' ');

describe('pformat and pyRepr (no Python needed)', () => {
  it('print builtin values as Python does', () => {
    expect(pyRepr([null, true, 1, -0.0, pyFloat(2), 1e16, 2n ** 64n, 'it\'s', new Uint8Array([0, 39, 255])]))
      .toBe("[None, True, 1, -0.0, 2.0, 1e+16, 18446744073709551616, \"it's\", b\"\\x00'\\xff\"]");
    expect(pyRepr(tuple(1))).toBe('(1,)');
    expect(pyRepr(tuple())).toBe('()');
    expect(pyRepr(new Set([1, 2]))).toBe('{1, 2}');
    expect(pyRepr(new Set())).toBe('set()');
    expect(pyRepr(new PyFrozenSet([3]))).toBe('frozenset({3})');
    expect(pyRepr(new PyFrozenSet())).toBe('frozenset()');
    expect(pyRepr(PyByteArray.fromBytes([104, 105]))).toBe("bytearray(b'hi')");
    expect(pyRepr(new Map<unknown, unknown>([[tuple(1, 2), 'a'], [null, 'b']]))).toBe("{(1, 2): 'a', None: 'b'}");
    expect(pyRepr([new PyComplex(0, 1), new PyComplex(-0, 1), new PyComplex(1.5, -0), new PyComplex(NaN, Infinity)]))
      .toBe('[1j, (-0+1j), (1.5-0j), (nan+infj)]');
    expect(pyRepr(['\ud800', '\u{1F600}', '\x7f\x80\xa0\xad', 'tab\tnew\nline\\'])).toBe(
      "['\\ud800', '\u{1F600}', '\\x7f\\x80\\xa0\\xad', 'tab\\tnew\\nline\\\\']",
    );
  });

  it('sorts dict keys as pprint does, falling back to type names for keys that do not compare', () => {
    const dict = new Map<unknown, unknown>([['b', 1], [2, 2], ['a', 3], [1.5, 4], [null, 5], [tuple(1), 6]]);
    expect(pformat(dict)).toBe("{None: 5, 1.5: 4, 2: 2, 'a': 3, 'b': 1, (1,): 6}");
    expect(pyRepr(dict)).toBe("{'b': 1, 2: 2, 'a': 3, 1.5: 4, None: 5, (1,): 6}");
  });

  it('prints cycles as repr does and shared values in full', () => {
    const list: unknown[] = ['x'];
    list.push(list);
    expect(pformat(list)).toBe("['x', [...]]");
    const dict: Record<string, unknown> = { name: 'd' };
    dict.self = dict;
    expect(pformat(dict)).toBe("{'name': 'd', 'self': {...}}");
    const shared = [1];
    expect(pformat([shared, shared])).toBe('[[1], [1]]');
  });

  it('prints placeholders as calls: arguments, keyword arguments, state, items', () => {
    const cls = new PyGlobal('shop', 'Order');
    const plain = new PyObject(cls, tuple(), 'newobj');
    plain.state = { id: 7, items: ['a'] };
    expect(pformat(plain)).toBe("shop.Order(id=7, items=['a'])");
    const reduced = new PyObject(cls, tuple(1, 'x'), 'reduce');
    reduced.state = tuple(null, { slot: 2 });
    expect(pformat(reduced)).toBe("shop.Order(1, 'x', slot=2)");
    const odd = new PyObject(cls, tuple(), 'newobj_ex', { key: 1 });
    odd.state = [1, 2];
    odd.listItems = [3];
    odd.dictItems = [['k', 4]];
    expect(pformat(odd)).toBe("shop.Order([3], {'k': 4}, key=1, __state__=[1, 2])");
    expect(pformat(new PyObject(cls, tuple(new PyGlobal('builtins', 'list'), [1, 2]), 'reconstructor'))).toBe('shop.Order([1, 2])');
    expect(pformat(cls)).toBe('shop.Order');
    const long = new PyObject(cls, tuple(), 'newobj');
    long.state = { alpha: 'a'.repeat(40), beta: 'b'.repeat(40) };
    expect(pformat(long)).toBe(`shop.Order(alpha='${'a'.repeat(40)}',\n           beta='${'b'.repeat(40)}')`);
  });

  it('prints a memo DAG with references instead of expanding it, and gives up on text too long to hold', () => {
    // Each level refers twice to the one below: 2^60 leaves from a few hundred bytes.
    let value: unknown = [[], []];
    for (let i = 0; i < 59; i++) value = [value, value];
    let text = '[[], []]';
    for (let label = 59; label >= 1; label--) text = `[#${label}=${text}, #${label}#]`;
    expect(pyRepr(value, { maxWork: 100_000 })).toBe(text);
    expect(pformat(value, { maxWork: 100_000 }).replace(/\n */g, ' ')).toBe(text);
    // A str has no identity to refer to: 4 096 copies of 1 KiB do not fit in 1 MiB.
    const strings = new Array(4096).fill('x'.repeat(1024));
    expect(() => pformat(strings, { maxLength: 1 << 20 })).toThrow(FormatLimitError);
  });
});

describeWithPython('show matches python -m pickle (pprint) for builtin values', () => {
  it('on every fixture and corpus pickle Python can print', () => {
    const expected = pythonShow(FILES);
    let compared = 0;
    for (const file of FILES) {
      const py = expected[file];
      if (!py) continue;
      compared++;
      const value = load(read(file));
      const pprinted = pformat(value) + '\n';
      const python = knownDivergence(recursionAsRepr(py.pprint));
      if (py.recursive) expect(oneLine(pprinted), file).toBe(oneLine(python));
      else expect(pprinted, file).toBe(python);
      expect(pyRepr(value), file).toBe(knownDivergence(py.repr));
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('with another width', () => {
    const files = FILES.filter((_, i) => i % 3 === 0);
    const expected = pythonShow(files, 40);
    for (const file of files) {
      const py = expected[file];
      if (!py || py.recursive) continue;
      expect(pformat(load(read(file)), { width: 40 }) + '\n', file).toBe(knownDivergence(py.pprint));
    }
  });

  describe('the command line', () => {
    it('prints exactly what python -m pickle prints, for files, gzip and stdin', () => {
      for (const file of ['test/fixtures/pickles/nested_containers.p3.pkl', 'test/fixtures/pickles/floats.p0.pkl', 'test/fixtures/pickles/ints.p4.pkl', 'test/robustness/corpus/strings-p5.pkl']) {
        const expected = runPythonModule(['-m', 'pickle', file]);
        expect(expected.status).toBe(0);
        const actual = runCli(['show', file]);
        expect(actual.status, file).toBe(0);
        expect(actual.stdout, file).toBe(expected.stdout);
        expect(runCli(['show', '-'], read(file)).stdout).toBe(expected.stdout);
        const gz = join(cliEnv.work, 'value.pkl.gz');
        writeFileSync(gz, gzipSync(read(file)));
        expect(runCli(['show', gz]).stdout).toBe(expected.stdout);
      }
      const two = ['test/fixtures/pickles/sets.p2.pkl', 'test/fixtures/pickles/bytes_256.p3.pkl'];
      expect(runCli(['show', ...two]).stdout).toBe(runPythonModule(['-m', 'pickle', ...two]).stdout);
    });

    it('shows the first pickle of a file, as python -m pickle; --all shows each', () => {
      const file = join(cliEnv.work, 'multi.pkl');
      writeFileSync(file, Buffer.concat([dumps([1, 'a'.repeat(100)], { protocol: 0 }), dumps({ b: tuple(2) }), dumps(pyFloat(3))]));
      expect(runCli(['show', file]).stdout).toBe(runPythonModule(['-m', 'pickle', file]).stdout);
      const loop = runPython(
        'import pickle, pprint, sys\nf = open(sys.argv[1], "rb")\nwhile f.peek(1):\n    pprint.pprint(pickle.load(f))',
        undefined,
        [file],
      ).toString('utf8');
      expect(runCli(['show', '--all', file]).stdout).toBe(loop);
    });

    it('prints the standard types (datetime, Decimal, collections...) as Python does', () => {
      const dir = mkdtempSync(join(cliEnv.work, 'std-'));
      runPython(
        String.raw`
import collections, datetime, decimal, fractions, os, pickle, sys, uuid
tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30), 'IST')
values = {
    'datetime': [datetime.datetime(2020, 1, 1), datetime.datetime(2020, 1, 1, 12, 30, 15),
                 datetime.datetime(2024, 2, 29, 12, 30, 15, 123456),
                 datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
                 datetime.datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=tz), datetime.date(1999, 12, 31),
                 datetime.time(12, 30), datetime.time(1, 2, 3, 4, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))),
                 datetime.timedelta(0), datetime.timedelta(days=-1, seconds=5), datetime.timedelta(microseconds=7)],
    'numeric': [decimal.Decimal('-1.50'), decimal.Decimal('NaN'), decimal.Decimal('-Infinity'), fractions.Fraction(1, 3),
                fractions.Fraction(-4, 2), uuid.UUID('12345678-1234-5678-1234-567812345678'), range(10),
                range(1, 10, -2), slice(1, None, 3)],
    'collections': [collections.OrderedDict(a=1, b=[2]), collections.OrderedDict(), collections.Counter('abracadabra'),
                    collections.Counter(), collections.defaultdict(list, {'x': [1], 'a': []}),
                    collections.defaultdict(None), collections.deque([1, 2]), collections.deque([3], maxlen=4),
                    collections.deque()],
    'wide': [collections.OrderedDict((f'key{i}', 'v' * i) for i in range(12)),
             collections.Counter({f'w{i}': i for i in range(20)}),
             collections.defaultdict(int, {f'k{i}': i * 1000 for i in range(15)}), collections.deque(range(40)),
             collections.deque(range(40), maxlen=50), {'when': [datetime.datetime(2020, 1, 1, 0, 0, i) for i in range(5)]}],
}
for name, value in values.items():
    for protocol in (0, 2, 4):
        with open(os.path.join(sys.argv[1], f'{name}.p{protocol}.pkl'), 'wb') as f:
            pickle.dump(value, f, protocol)
`,
        undefined,
        [dir],
      );
      const files = readdirSync(dir).map((name) => join(dir, name));
      expect(files).toHaveLength(12);
      for (const file of files) {
        const expected = runPythonModule(['-m', 'pickle', file]);
        expect(expected.status).toBe(0);
        expect(runCli(['show', file]).stdout, file).toBe(expected.stdout);
      }
    });

    it('takes --width and --encoding', () => {
      const file = 'test/fixtures/pickles/nested_containers.p2.pkl';
      const narrow = runPython('import pickle, pprint, sys\npprint.pprint(pickle.load(open(sys.argv[1], "rb")), width=30)', undefined, [file]);
      expect(runCli(['show', '-w', '30', file]).stdout).toBe(narrow.toString('utf8'));
      const py2 = 'test/robustness/corpus/py2-strings-p0.pkl';
      const latin1 = runPython('import pickle, pprint, sys\npprint.pprint(pickle.load(open(sys.argv[1], "rb"), encoding="latin1"))', undefined, [py2]);
      expect(runCli(['show', '--encoding', 'latin1', py2]).stdout).toBe(latin1.toString('utf8'));
    });
  });
});

describe('show on placeholders and bad input', () => {
  it('prints instances of unregistered classes as module.Name(...)', () => {
    const cases: Array<[string, string]> = [
      ['plain_instance.p2', "fixture_classes.Plain(a=1, b='two', c=[3])\n"],
      ['slots_instance.p4', "fixture_classes.Slotted(x=1, y='y')\n"],
      ['reduce_items.p2', "fixture_classes.Bag([1, 'two'], {3: 'three', 'k': 'v'}, n=1)\n"],
      ['list_subclass.p0', "fixture_classes.MyList([1, 2, 3], tag='mine')\n"],
      ['nested_class.p1', '[fixture_classes.Outer.Inner(value=5), fixture_classes.Outer.Inner]\n'],
    ];
    for (const [name, text] of cases) {
      const result = runCli(['show', `test/fixtures/pickles/${name}.pkl`]);
      expect(result.status, name).toBe(0);
      expect(result.stdout, name).toBe(text);
    }
    expect(runCli(['show', 'test/fixtures/pickles/object_graph.p4.pkl']).stdout).toContain('parent=fixture_classes.Node(...)');
  });

  it('exits 1 with the offset and opcode of an unpickling error', () => {
    const file = join(cliEnv.work, 'truncated.pkl');
    writeFileSync(file, read('test/fixtures/pickles/nested_containers.p4.pkl').subarray(0, 30));
    const result = runCli(['show', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^pickle-mapper: ${file}: UnpicklingError: .*\\(at byte \\d+, opcode [A-Z_0-9]+\\)\\n$`));
    const empty = runCli(['show', '-'], new Uint8Array());
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('pickle-mapper: <stdin>: UnpicklingError: ran out of input');
    // A memo DAG of 2^30 leaves prints with references (#n= where a shared list first prints, #n# after).
    const graph = runCli(['show', 'test/robustness/corpus/memo-graph-p4.pkl']);
    expect(graph.status).toBe(0);
    expect(graph.stdout.endsWith('\n')).toBe(true);
    expect(graph.stdout.trimEnd().replace(/\n */g, ' ')).toMatch(/^\[#1=\[#2=\[#3=.*#2#\], #1#\]$/);
  });

  it('exits 2 on usage errors', () => {
    expect(runCli(['show']).status).toBe(2);
    expect(runCli(['show', '--width', '0', 'x']).status).toBe(2);
    expect(runCli(['show', '--encoding', 'ebcdic', 'x']).status).toBe(2);
    expect(runCli(['show', '--help']).stdout).toContain('--width');
  });

  it('round-trips what it loaded (loads is not disturbed by printing)', () => {
    const value = loads(dumps([1, tuple(2)]));
    pformat(value);
    expect(value).toEqual([1, tuple(2)]);
  });
});

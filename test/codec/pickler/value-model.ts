// Random values of Python's builtin types for the byte-identity property tests.
//
// fast-check generates an inert *model* (plain data); `materialize(model)` turns it into
// the JavaScript value, deterministically, enforcing what byte identity with CPython needs:
//
// - Strings are unique across the whole value (keys included). Our pickler memoizes strings by
//   value (JavaScript strings have no identity), CPython by identity, so a repeated equal string
//   is written once by us and twice by CPython. A repeat gets a "#n" suffix.
// - Strings never equal a string CPython's pickler writes by itself for these types ('latin1'
//   below protocol 3, 'builtins'/'bytearray' for bytearray at protocol 4): those are other Python
//   objects than the value's equal strings, and we would share them. (The Latin-1 texts bytes are
//   written as below protocol 3 are fresh objects in CPython, and written as such by us, except
//   one-character ones, which are CPython's cached strings and shared by both; so a string may
//   equal one.)
// - CPython's empty and one-byte bytes are singletons, so such bytes are one shared JS object.
// - Plain-object keys are never integer-like (JavaScript would put them first); a digit-only
//   key gets a "_" prefix.
// - Set items and Map keys are distinct under Python's == (1 == 1.0 == True, 0 == -0.0, equal
//   tuples...); a later equal one is dropped. NaN is never a set item or a key.
// - Shared references: a "ref" node reuses an already built object (any type) or, for a cycle,
//   a list/dict still being built, or a tuple still being built when the reference sits directly
//   in a list or dict value below it (the only way Python can build a cycle through a tuple).
//   Inside set items and keys only finished hashable objects are reused.
//
// Sets are built in generation order here; `cpythonPickles` then reorders them to CPython's
// iteration order (which depends on hashing) before `dumps` runs.
import fc from 'fast-check';
import { PyByteArray, PyFloat, PyFrozenSet, pyFloat, setPlainDictItem, Tuple } from '../../../src/index.js';
import { seededRandom as prng } from '../../helpers/random.js';

export type Model =
  | { k: 'none'; undef: boolean }
  | { k: 'bool'; v: boolean }
  | { k: 'int'; v: bigint; asBigInt: boolean }
  | { k: 'float'; v: number; wrap: boolean }
  | { k: 'str'; s: string }
  | { k: 'bytes' | 'bytearray'; data: number[] | { size: number; seed: number } }
  | { k: 'list' | 'tuple'; items: Model[] }
  | { k: 'obj'; entries: Array<[string, Model]> }
  | { k: 'map'; entries: Array<[Model, Model]> }
  | { k: 'set' | 'frozenset'; items: Model[] }
  | { k: 'ref'; n: number }
  | { k: 'big'; kind: 'list' | 'tuple' | 'obj' | 'map' | 'set' | 'frozenset'; size: number; flavor: 'int' | 'str' | 'mixed'; seed: number };

const TWO = 2n;
export const INT_EDGES: readonly bigint[] = [
  0n, 1n, -1n, 2n, 127n, 128n, -128n, -129n, 255n, 256n, -255n, -256n, -257n,
  32767n, 32768n, -32768n, -32769n, 65535n, 65536n, -65535n, -65536n, -65537n,
  TWO ** 31n - 1n, TWO ** 31n, -(TWO ** 31n), -(TWO ** 31n) - 1n, TWO ** 32n - 1n, TWO ** 32n, -(TWO ** 32n),
  // 5, 6 and 7 bytes of two's complement (LONG1, written from a number below 2^53 without a BigInt)
  TWO ** 39n - 1n, TWO ** 39n, -(TWO ** 39n), -(TWO ** 39n) - 1n, TWO ** 47n - 1n, TWO ** 47n, -(TWO ** 47n), -(TWO ** 47n) - 1n,
  TWO ** 53n - 1n, TWO ** 53n, TWO ** 53n + 1n, -(TWO ** 53n) + 1n, -(TWO ** 53n), -(TWO ** 53n) - 1n,
  TWO ** 63n - 1n, TWO ** 63n, -(TWO ** 63n), -(TWO ** 63n) - 1n, TWO ** 64n - 1n, TWO ** 64n, -(TWO ** 64n),
  10n ** 400n, -(10n ** 400n),
  // 255 and 256 bytes of two's complement: the LONG1 / LONG4 boundary
  TWO ** 2039n - 1n, TWO ** 2039n, -(TWO ** 2039n), -(TWO ** 2039n) - 1n, TWO ** 2047n, -(TWO ** 2047n),
];

export const FLOAT_EDGES: readonly number[] = [
  0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
  0.1, 0.5, 1.5, -2.5, 1, 2, -1, 1e16, 1e22, 1e-7, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, -(2 ** 63), 123456789.125,
];

export const STRING_EDGES: readonly string[] = [
  '', 'a', '\n', '\r\n', '\\', '\0', '\x1a', '\x7f', '\x80', '\xff', '\u0100', 'é', '中', '😀', '\u{10ffff}',
  '\ud800', '\udfff', '\udc00\ud800', 'a\udfffb', '\udbff\udc00' /* one astral character in JavaScript */,
  '\\u0041', 'V', 'p0', 'latin-1', 'utf-8',
];

const intArb = fc.oneof(
  { arbitrary: fc.constantFrom(...INT_EDGES), weight: 4 },
  { arbitrary: fc.integer({ min: -300, max: 70_000 }).map(BigInt), weight: 3 },
  { arbitrary: fc.integer().map(BigInt), weight: 2 },
  { arbitrary: fc.bigInt({ min: -(TWO ** 66n), max: TWO ** 66n }), weight: 2 },
  { arbitrary: fc.bigInt({ min: -(TWO ** 2100n), max: TWO ** 2100n }), weight: 1 },
);

const intModel: fc.Arbitrary<Model> = fc.record({ k: fc.constant('int' as const), v: intArb, asBigInt: fc.boolean() });

function floatModel(allowNaN: boolean): fc.Arbitrary<Model> {
  const edges = allowNaN ? FLOAT_EDGES : FLOAT_EDGES.filter((x) => !Number.isNaN(x));
  return fc.record({
    k: fc.constant('float' as const),
    v: fc.oneof(
      { arbitrary: fc.constantFrom(...edges), weight: 3 },
      { arbitrary: fc.double({ noNaN: !allowNaN }), weight: 3 },
      { arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }), weight: 1 },
    ),
    wrap: fc.boolean(),
  });
}

// Mostly short strings of every kind; now and then 60-140 characters mixing 1- to 4-byte UTF-8 and
// lone surrogates, whose UTF-8 size crosses SHORT_BINUNICODE's 255 bytes.
const stringArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 10 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 2 },
  {
    arbitrary: fc
      .array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })), { maxLength: 8 })
      .map((units) => String.fromCharCode(...units)),
    weight: 2,
  },
  { arbitrary: fc.constantFrom(...STRING_EDGES), weight: 2 },
  {
    arbitrary: fc.array(fc.constantFrom('a', 'b', 'é', '中', '😀', '\udc00', '\ud800'), { minLength: 60, maxLength: 140 }).map((a) => a.join('')),
    weight: 1,
  },
);

const strModel: fc.Arbitrary<Model> = stringArb.map((s) => ({ k: 'str' as const, s }));

function bytesModel(kind: 'bytes' | 'bytearray', allowLarge: boolean): fc.Arbitrary<Model> {
  const sizes = allowLarge ? [0, 1, 2, 255, 256, 257, 65535, 65536, 65537] : [0, 1, 2, 255, 256, 257];
  return fc.oneof(
    { arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((data) => ({ k: kind, data })), weight: 4 },
    {
      arbitrary: fc.record({ size: fc.constantFrom(...sizes), seed: fc.nat() }).map((data) => ({ k: kind, data })),
      weight: 1,
    },
  );
}

const noneModel: fc.Arbitrary<Model> = fc.boolean().map((undef) => ({ k: 'none' as const, undef }));
const boolModel: fc.Arbitrary<Model> = fc.boolean().map((v) => ({ k: 'bool' as const, v }));
const refModel: fc.Arbitrary<Model> = fc.nat().map((n) => ({ k: 'ref' as const, n }));

// Values usable as set items and dict keys.
const { hashable } = fc.letrec<{ hashable: Model }>((tie) => ({
  hashable: fc.oneof(
    { maxDepth: 2, depthSize: 'small', withCrossShrink: true },
    { arbitrary: intModel, weight: 5 },
    { arbitrary: strModel, weight: 4 },
    { arbitrary: floatModel(false), weight: 1 },
    { arbitrary: noneModel, weight: 1 },
    { arbitrary: boolModel, weight: 1 },
    { arbitrary: bytesModel('bytes', false), weight: 1 },
    { arbitrary: fc.array(tie('hashable'), { maxLength: 3 }).map((items) => ({ k: 'tuple' as const, items })), weight: 2 },
    { arbitrary: fc.array(intModel, { maxLength: 3 }).map((items) => ({ k: 'frozenset' as const, items })), weight: 1 },
    { arbitrary: refModel, weight: 1 },
  ),
}));

const bigModel: fc.Arbitrary<Model> = fc.record({
  k: fc.constant('big' as const),
  kind: fc.constantFrom('list' as const, 'tuple' as const, 'obj' as const, 'map' as const, 'set' as const, 'frozenset' as const),
  size: fc.constantFrom(999, 1000, 1001, 1999, 2000, 2001),
  flavor: fc.constantFrom('int' as const, 'str' as const, 'mixed' as const),
  seed: fc.nat(),
});

const scalarModel: fc.Arbitrary<Model> = fc.oneof(
  { arbitrary: intModel, weight: 5 },
  { arbitrary: strModel, weight: 5 },
  { arbitrary: floatModel(true), weight: 3 },
  { arbitrary: noneModel, weight: 1 },
  { arbitrary: boolModel, weight: 1 },
  { arbitrary: bytesModel('bytes', true), weight: 2 },
  { arbitrary: bytesModel('bytearray', true), weight: 1 },
);

/** Nested values up to depth ~4 (plus the top-level list). */
export const { value: valueModel } = fc.letrec<{ value: Model }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small', withCrossShrink: true },
    { arbitrary: scalarModel, weight: 30 },
    { arbitrary: fc.array(tie('value'), { maxLength: 6 }).map((items) => ({ k: 'list' as const, items })), weight: 8 },
    { arbitrary: fc.array(tie('value'), { maxLength: 5 }).map((items) => ({ k: 'tuple' as const, items })), weight: 6 },
    { arbitrary: fc.array(fc.tuple(stringArb, tie('value')), { maxLength: 5 }).map((entries) => ({ k: 'obj' as const, entries })), weight: 5 },
    { arbitrary: fc.array(fc.tuple(hashable, tie('value')), { maxLength: 5 }).map((entries) => ({ k: 'map' as const, entries })), weight: 4 },
    { arbitrary: fc.array(hashable, { maxLength: 6 }).map((items) => ({ k: 'set' as const, items })), weight: 3 },
    { arbitrary: fc.array(hashable, { maxLength: 5 }).map((items) => ({ k: 'frozenset' as const, items })), weight: 2 },
    { arbitrary: refModel, weight: 6 },
    { arbitrary: bigModel, weight: 1 },
  ),
}));

export const topModel: fc.Arbitrary<Model> = fc.oneof(
  { arbitrary: valueModel, weight: 1 },
  { arbitrary: fc.array(valueModel, { maxLength: 8 }).map((items) => ({ k: 'list' as const, items })), weight: 2 },
);

// ---- materializing ---------------------------------------------------------------------------

function patternBytes(size: number, seed: number): number[] {
  const next = prng(seed);
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(next() * 256);
  return out;
}

/** Python == for hashable values, as a string (NaN never reaches here). */
export function pyEqKey(v: unknown): string {
  if (v === null || v === undefined) return 'N';
  if (typeof v === 'boolean') return v ? 'n1' : 'n0';
  if (typeof v === 'bigint') return `n${v}`;
  if (v instanceof PyFloat) return pyEqKey(v.value);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return `n${BigInt(v)}`;
    return `f${v}`;
  }
  if (typeof v === 'string') return `s${v}`;
  if (v instanceof PyByteArray) throw new Error('a bytearray is not hashable');
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  if (v instanceof Tuple) return `t${JSON.stringify(v.map(pyEqKey))}`;
  if (v instanceof PyFrozenSet) return `z${JSON.stringify([...v].map(pyEqKey).sort())}`;
  throw new Error(`not hashable: ${Object.prototype.toString.call(v)}`);
}

const RESERVED = ['latin1', 'builtins', 'bytearray', '__builtin__', '_codecs', 'encode', 'set', 'frozenset', 'bytes'];

type Parent = 'top' | 'list' | 'dict' | 'tuple';

class Materializer {
  /** Every string of the value, and the reserved names. */
  readonly #strings = new Set<string>(RESERVED);
  readonly #bytesByContent = new Map<string, Uint8Array>();
  /** Finished objects, which a ref may reuse. */
  readonly #done: object[] = [];
  readonly #doneHashable: object[] = [];
  /** Objects being built, outermost first. */
  readonly #building: Array<{ obj: object; kind: 'list' | 'dict' | 'tuple' }> = [];
  #suffix = 0;

  #uniqueString(s: string): string {
    let out = s;
    while (this.#strings.has(out)) out = `${s}#${this.#suffix++}`;
    this.#strings.add(out);
    return out;
  }

  #key(s: string): string {
    return this.#uniqueString(/^\d+$/.test(s) ? `_${s}` : s);
  }

  #bytes(kind: 'bytes' | 'bytearray', spec: number[] | { size: number; seed: number }): Uint8Array {
    const data = Array.isArray(spec) ? spec : patternBytes(spec.size, spec.seed);
    const content = Buffer.from(data).toString('hex');
    const shareable = kind === 'bytes' && data.length <= 1;
    if (shareable) {
      const known = this.#bytesByContent.get(content);
      if (known) return known;
    }
    const obj = kind === 'bytearray' ? PyByteArray.fromBytes(data) : Uint8Array.from(data);
    if (shareable) this.#bytesByContent.set(content, obj);
    this.#done.push(obj);
    if (kind === 'bytes') this.#doneHashable.push(obj);
    return obj;
  }

  #int(v: bigint, asBigInt: boolean): number | bigint {
    return !asBigInt && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  #float(v: number, wrap: boolean): number | PyFloat {
    return wrap || (Number.isSafeInteger(v) && !Object.is(v, -0)) ? pyFloat(v) : v;
  }

  /** A value in a position that need not be hashable, directly inside `parent`. */
  value(m: Model, parent: Parent): unknown {
    switch (m.k) {
      case 'ref': {
        const candidates: object[] = [...this.#done];
        for (const b of this.#building) {
          if (b.kind !== 'tuple' || parent === 'list' || parent === 'dict') candidates.push(b.obj);
        }
        return candidates.length === 0 ? null : candidates[m.n % candidates.length];
      }
      case 'list': {
        const list: unknown[] = [];
        this.#building.push({ obj: list, kind: 'list' });
        for (const item of m.items) list.push(this.value(item, 'list'));
        return this.#finish(list);
      }
      case 'tuple': {
        const t = new Tuple<unknown>();
        this.#building.push({ obj: t, kind: 'tuple' });
        for (const item of m.items) t.push(this.value(item, 'tuple'));
        return this.#finish(t);
      }
      case 'obj': {
        const dict: Record<string, unknown> = {};
        this.#building.push({ obj: dict, kind: 'dict' });
        for (const [key, item] of m.entries) {
          const k = this.#key(key);
          setPlainDictItem(dict, k, this.value(item, 'dict'));
        }
        return this.#finish(dict);
      }
      case 'map': {
        const map = new Map<unknown, unknown>();
        const seen = new Set<string>();
        this.#building.push({ obj: map, kind: 'dict' });
        for (const [keyModel, item] of m.entries) {
          const key = this.hashable(keyModel);
          const eq = pyEqKey(key);
          if (seen.has(eq)) continue;
          seen.add(eq);
          map.set(key, this.value(item, 'dict'));
        }
        return this.#finish(map);
      }
      case 'big':
        return this.#big(m);
      default:
        return this.hashable(m);
    }
  }

  #finish<T extends object>(obj: T): T {
    this.#building.pop();
    this.#done.push(obj);
    return obj;
  }

  /** A value usable as a set item or dict key (no cycles, nothing mutable). */
  hashable(m: Model): unknown {
    switch (m.k) {
      case 'none':
        return m.undef ? undefined : null;
      case 'bool':
        return m.v;
      case 'int':
        return this.#int(m.v, m.asBigInt);
      case 'float':
        return this.#float(m.v, m.wrap);
      case 'str':
        return this.#uniqueString(m.s);
      case 'bytes':
      case 'bytearray':
        return this.#bytes(m.k, m.data);
      case 'ref': {
        const candidates = this.#doneHashable;
        return candidates.length === 0 ? m.n % 1000 : candidates[m.n % candidates.length];
      }
      case 'tuple': {
        const t = Tuple.from(m.items.map((item) => this.hashable(item)));
        this.#done.push(t);
        this.#doneHashable.push(t);
        return t;
      }
      case 'set':
      case 'frozenset': {
        const items: unknown[] = [];
        const seen = new Set<string>();
        for (const itemModel of m.items) {
          const item = this.hashable(itemModel);
          const eq = pyEqKey(item);
          if (seen.has(eq)) continue;
          seen.add(eq);
          items.push(item);
        }
        const set = m.k === 'set' ? new Set(items) : new PyFrozenSet(items);
        this.#done.push(set);
        if (m.k === 'frozenset') this.#doneHashable.push(set);
        return set;
      }
      default:
        throw new Error(`model ${m.k} is not hashable`);
    }
  }

  #big(m: Extract<Model, { k: 'big' }>): unknown {
    const next = prng(m.seed);
    const item = (i: number): unknown => {
      const flavor = m.flavor === 'mixed' ? (['int', 'str', 'float'] as const)[i % 3]! : m.flavor;
      if (flavor === 'str') return this.#uniqueString(`e${m.seed % 97}_${i}${i % 7 === 0 ? 'é' : ''}`);
      if (flavor === 'float') return next() * 1000;
      const r = next();
      return r < 0.6 ? Math.floor(r * 400) : r < 0.9 ? Math.floor(r * 1e6) - 500_000 : BigInt(Math.floor(r * 1e9)) ** 3n;
    };
    const n = m.size;
    switch (m.kind) {
      case 'list':
      case 'tuple': {
        const items = Array.from({ length: n }, (_, i) => item(i));
        const obj = m.kind === 'list' ? items : Tuple.from(items);
        this.#done.push(obj);
        return obj;
      }
      case 'obj': {
        const dict: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) dict[this.#key(`k${m.seed % 89}_${i}`)] = item(i);
        this.#done.push(dict);
        return dict;
      }
      case 'map': {
        const map = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) map.set(m.flavor === 'str' ? this.#uniqueString(`m${m.seed % 83}_${i}`) : i * 3 - 1000, item(i));
        this.#done.push(map);
        return map;
      }
      case 'set':
      case 'frozenset': {
        const items: unknown[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const x = m.flavor === 'str' ? this.#uniqueString(`s${m.seed % 79}_${i}`) : m.flavor === 'mixed' && i % 2 ? BigInt(i) ** 5n : i * 7 - 3000;
          if (!seen.has(pyEqKey(x))) items.push(x);
          seen.add(pyEqKey(x));
        }
        const set = m.kind === 'set' ? new Set(items) : new PyFrozenSet(items);
        this.#done.push(set);
        return set;
      }
    }
  }
}

/** The JavaScript value of a model, for pickling at any protocol. */
export function materialize(m: Model): unknown {
  return new Materializer().value(m, 'top');
}

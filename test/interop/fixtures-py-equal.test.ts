// The comparison the fixture test relies on (test/fixtures/py-equal.ts) must itself catch every
// kind of difference the value model cares about; a lenient comparison would make the fixture
// test pass vacuously.
import { describe, expect, it } from 'vitest';
import { PyByteArray, PyComplex, PyFrozenSet, PyGlobal, PyObject } from '../../src/index.js';
import { fc, instance, map, obj, pyDiff, tuple } from '../fixtures/py-equal.js';

const same = (a: unknown, e: unknown) => expect(pyDiff(a, e)).toBeUndefined();
const differ = (a: unknown, e: unknown, pattern?: RegExp) => {
  const diff = pyDiff(a, e);
  expect(diff, 'expected a difference').toBeTypeOf('string');
  if (pattern) expect(diff).toMatch(pattern);
};

describe('pyDiff', () => {
  it('compares numbers with Object.is and never equates bigint and number', () => {
    same(NaN, NaN);
    same(-0, -0);
    differ(0, -0);
    differ(-0, 0);
    differ(2 ** 53, 2n ** 53n);
    differ(1n, 1);
    differ('1', 1);
    differ(null, undefined);
    differ(undefined, null);
    differ(false, 0);
  });

  it('compares strings by code unit, lone surrogates included', () => {
    same('a\ud800b', 'a\ud800b');
    differ('a\ud800b', 'a\ufffdb', /code unit 1/);
    differ('\u{1F600}', '\ud83d');
  });

  it('requires the exact prototype', () => {
    differ([1], tuple(1));
    differ(tuple(1), [1]);
    differ(new Uint8Array([1]), PyByteArray.fromBytes([1]));
    differ(PyByteArray.fromBytes([1]), new Uint8Array([1]));
    differ(Buffer.from([1]), new Uint8Array([1]), /Buffer/);
    differ(new Set([1]), new PyFrozenSet([1]));
    differ(new PyFrozenSet([1]), new Set([1]));
    differ(new Map([['a', 1]]), { a: 1 });
    differ({ a: 1 }, new Map([['a', 1]]));
    differ(Object.create(null), {});
  });

  it('compares bytes, arrays, dicts and maps in order', () => {
    same(new Uint8Array([1, 2]), new Uint8Array([1, 2]));
    differ(new Uint8Array([1, 2]), new Uint8Array([1, 3]), /\[1\]/);
    differ(new Uint8Array([1]), new Uint8Array([1, 2]));
    differ([1, 2], [2, 1]);
    differ([1], [1, 2]);
    same({ a: 1, b: 2 }, { a: 1, b: 2 });
    differ({ b: 2, a: 1 }, { a: 1, b: 2 }, /keys/);
    differ({ a: 1 }, { a: 1, b: undefined });
    same(map([1, 'a'], ['b', 2]), map([1, 'a'], ['b', 2]));
    differ(map(['b', 2], [1, 'a']), map([1, 'a'], ['b', 2]));
    differ(map([1, 'a']), map([1n, 'a']));
    differ(map([tuple(1), 'a']), map([tuple(2), 'a']));
  });

  it('compares sets without order, elements one to one', () => {
    same(new Set([3, 1, 2]), new Set([1, 2, 3]));
    differ(new Set([1, 2]), new Set([1, 3]));
    differ(new Set([1]), new Set([1, 2]));
    same(
      new Set([new PyFrozenSet([3]), new PyFrozenSet([1, 2])]),
      new Set([new PyFrozenSet([1, 2]), new PyFrozenSet([3])]),
    );
    differ(new Set([new PyFrozenSet([3]), new PyFrozenSet([3])]), new Set([new PyFrozenSet([1]), new PyFrozenSet([3])]));
    differ(new Set([new Set([1])]), new Set([new PyFrozenSet([1])]));
  });

  it('requires the same sharing and the same cycles', () => {
    const a = [1];
    same([a, a], [[1], [1]].map(() => a));
    differ([a, [1]], [a, a], /same object/);
    const e = [1];
    differ([a, a], [e, [1]], /already seen/);
    const selfA: unknown[] = [];
    selfA.push(selfA);
    const selfE: unknown[] = [];
    selfE.push(selfE);
    same(selfA, selfE);
    differ([[[]]], selfE);
    const t1 = tuple(1);
    differ(map([t1, t1]), map([tuple(1), tuple(1)]), /already seen/);
  });

  it('compares complex numbers and every part of a placeholder', () => {
    same(new PyComplex(1, -0), new PyComplex(1, -0));
    differ(new PyComplex(1, 0), new PyComplex(1, -0));
    const base = () => obj(fc('A'), 'newobj', tuple(1), { state: { x: 1 } });
    same(base(), base());
    differ(obj(fc('B'), 'newobj', tuple(1), { state: { x: 1 } }), base(), /cls/);
    differ(obj(new PyGlobal('other', 'A'), 'newobj', tuple(1), { state: { x: 1 } }), base(), /cls/);
    differ(obj(fc('A'), 'reduce', tuple(1), { state: { x: 1 } }), base(), /creation/);
    differ(obj(fc('A'), 'newobj', tuple(2), { state: { x: 1 } }), base(), /args/);
    differ(obj(fc('A'), 'newobj', tuple(1), { state: { x: 2 } }), base(), /state/);
    differ(obj(fc('A'), 'newobj', tuple(1)), base(), /state/);
    differ(obj(fc('A'), 'newobj', tuple(1), { state: { x: 1 }, listItems: [] }), base(), /listItems/);
    differ(obj(fc('A'), 'newobj', tuple(1), { state: { x: 1 }, dictItems: [] }), base(), /dictItems/);
    differ(obj(fc('A'), 'newobj', tuple(1), { state: { x: 1 }, kwargs: {} }), base(), /kwargs/);
    differ(base(), fc('A'));
    differ(fc('A'), base());
    expect(instance(0, fc('A')).creation).toBe('reconstructor');
    expect(instance(2, fc('A')).creation).toBe('newobj');
    expect(instance(1, fc('A'))).toBeInstanceOf(PyObject);
  });
});

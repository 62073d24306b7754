// #saveObject sends a value whose prototype it last followed all the way to the value's
// reduction straight there. Values of other prototypes must not follow, and an array with that
// prototype must still go the array's way: a list, when no handler reduces its class.
import { describe, expect, it } from 'vitest';
import { dumps, loads, PyGlobal, Tuple } from '../../src/index.js';

/** Reduces to int(n). */
class Reduced {
  constructor(readonly n: number) {}
  __reduce_ex__(): unknown[] {
    return [new PyGlobal('builtins', 'int'), Tuple.from([this.n])];
  }
}

/** Reduces to str('x'). */
class Other {
  __reduce_ex__(): unknown[] {
    return [new PyGlobal('builtins', 'str'), Tuple.from(['x'])];
  }
}

describe('a prototype that went to its reduction', () => {
  it.each([2, 4, 5])('protocol %i: an array with it, after an instance, is written as a list', (protocol) => {
    const list = Object.setPrototypeOf([1, 2], Reduced.prototype) as unknown[];
    expect(dumps([new Reduced(7), list], { protocol })).toEqual(dumps([new Reduced(7), [1, 2]], { protocol }));
  });

  it.each([2, 4, 5])('protocol %i: values of other kinds after an instance go their own ways', (protocol) => {
    const others = [
      new Other(),
      new Map([[1, 2]]),
      new Set([3]),
      new Uint8Array([4]),
      Tuple.from([5]),
      new PyGlobal('collections', 'OrderedDict'),
      new Reduced(6),
      [7],
      { eight: 8 },
    ];
    const alone = loads(dumps(others, { protocol })) as unknown[];
    expect(alone[0]).toBe('x');
    const after = loads(dumps([new Reduced(1), ...others], { protocol })) as unknown[];
    expect(after[0]).toBe(1);
    expect(after.slice(1)).toEqual(alone);
  });
});

// Issue 17: loads(bytes, Order) gives a checked, typed Order; another root is an UnpicklingError
// saying what it was and why; and the class passed as a value keeps its import (TypeScript drops
// an import used only in a cast, and the class's decorators then never run).
import { describe, expect, expectTypeOf, it } from 'vitest';
import ts from 'typescript';
import { dumps, loads, PyGlobal, PyObject, Registry, registerClass, tuple, UnpicklingError } from 'pickle-mapper';

class Order {
  id = 0;
}
class SpecialOrder extends Order {}
class Unregistered {}

const registry = new Registry();
registerClass(Order, { module: 'shop', name: 'Order', registry });
registerClass(SpecialOrder, { module: 'shop', name: 'SpecialOrder', registry });

function pickleOf(name: string, state: object): Uint8Array {
  const object = new PyObject(new PyGlobal('shop', name), tuple(), 'newobj');
  object.state = state;
  return dumps(object);
}

function errorOf(fn: () => unknown): UnpicklingError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnpicklingError);
    return error as UnpicklingError;
  }
  return expect.fail('expected an UnpicklingError');
}

describe('mapper: loads(bytes, Class)', () => {
  it('gives the instance, typed (a subclass counts)', () => {
    const order = loads(pickleOf('Order', { id: 7 }), Order, { registry });
    expectTypeOf(order).toEqualTypeOf<Order>();
    expect(order).toBeInstanceOf(Order);
    expect(order.id).toBe(7);
    expect(loads(pickleOf('SpecialOrder', { id: 8 }), Order, { registry })).toBeInstanceOf(SpecialOrder);
  });

  it('another root is an UnpicklingError saying what it was', () => {
    expect(errorOf(() => loads(dumps([1, 2]), Order, { registry })).message).toBe(
      'expected the pickle to hold a shop.Order (Order), got list',
    );
    expect(errorOf(() => loads(dumps('x'), Order, { registry })).message).toBe('expected the pickle to hold a shop.Order (Order), got "x" (str)');
  });

  it('says when the class is registered in a registry the load was not given', () => {
    const error = errorOf(() => loads(pickleOf('Order', { id: 7 }), Order));
    expect(error.message).toBe(
      'expected the pickle to hold a shop.Order (Order), got shop.Order; Order is registered in another registry: pass it as { registry }',
    );
  });

  it('says when the class is not registered at all', () => {
    expect(errorOf(() => loads(pickleOf('Order', {}), Unregistered, { registry })).message).toBe(
      'expected the pickle to hold a Unregistered (Unregistered), got shop.Order; Unregistered is not registered (@PyClass or registerClass)',
    );
  });

  it('keeps the import of a class otherwise used only in a cast', () => {
    const compile = (body: string) =>
      ts.transpileModule(`import { loads } from 'pickle-mapper';\nimport { Order } from './models';\n${body}`, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
    expect(compile('export const order = loads(bytes) as Order;')).not.toContain("from './models'");
    expect(compile('export const order = loads(bytes, Order);')).toContain("import { Order } from './models'");
  });
});

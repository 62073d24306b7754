// Issue 17: strict schemas. With `strict: true` a state key the class does not map, or a required
// field the state lacks, is an UnpicklingError naming the class and key, for every kind of state;
// without it (the default) unknown keys are kept and written back.
import { describe, expect, it } from 'vitest';
import { dumps, extraState, loads, PyGlobal, PyObject, Registry, registerClass, tuple, UnpicklingError, type ClassOptions } from 'pickle-mapper';

/** A pickle of kinds.Item holding `state`, as Python's default reduction writes it. */
function pickleOf(state: unknown, name = 'Item'): Uint8Array {
  const object = new PyObject(new PyGlobal('kinds', name), tuple(), 'newobj');
  object.state = state;
  return dumps(object);
}

function loadError(data: Uint8Array, registry: Registry): string {
  try {
    loads(data, { registry });
  } catch (error) {
    expect(error).toBeInstanceOf(UnpicklingError);
    return (error as Error).message;
  }
  return expect.fail('expected an UnpicklingError');
}

class Item {
  sku = '';
  quantity = 1;
  note: string | null = null;
}

function registryWith(options: Partial<ClassOptions>): Registry {
  const registry = new Registry();
  registerClass(Item, {
    module: 'kinds',
    name: 'Item',
    registry,
    fields: { sku: {}, quantity: {}, note: { required: false } },
    strict: true,
    ...options,
  });
  return registry;
}

describe('mapper: strict schemas', () => {
  it('an unexpected key, in a plain dict state, names the class and key', () => {
    const registry = registryWith({});
    expect(loadError(pickleOf({ sku: 'a', quantity: 2, colour: 'red' }), registry)).toMatch(
      /^kinds\.Item: unexpected state key 'colour' \(the schema is strict\) \(at byte \d+, opcode BUILD\)$/,
    );
  });

  it('a required field the state lacks names the class and field; required: false may be missing', () => {
    const registry = registryWith({});
    expect(loadError(pickleOf({ sku: 'a' }), registry)).toMatch(/^kinds\.Item: the state has no 'quantity' \(required: the schema is strict\)/);
    const item = loads(pickleOf({ sku: 'a', quantity: 2 }), Item, { registry });
    expect([item.sku, item.quantity, item.note]).toEqual(['a', 2, null]);
  });

  it('applies to (dict, slots) states, and to implicit classes', () => {
    const slotted = registryWith({ slots: true });
    expect(loadError(pickleOf(tuple(null, { sku: 'a', quantity: 2, extra: 1 })), slotted)).toMatch(/kinds\.Item: unexpected state key 'extra'/);
    expect(loads(pickleOf(tuple(null, { sku: 'a', quantity: 2 })), Item, { registry: slotted }).quantity).toBe(2);
    const implicit = new Registry();
    registerClass(Item, { module: 'kinds', name: 'Item', registry: implicit, strict: true });
    expect(loadError(pickleOf({ sku: 'a', quantity: 2, note: null, extra: 1 }), implicit)).toMatch(/kinds\.Item: unexpected state key 'extra'/);
  });

  it('applies to pydantic states and to positional states', () => {
    const pydantic = registryWith({ model: 'pydantic' });
    const state = (dict: object) => ({ __dict__: dict, __pydantic_extra__: null, __pydantic_fields_set__: new Set(['sku']), __pydantic_private__: null });
    expect(loadError(pickleOf(state({ sku: 'a', quantity: 1, x: 0 })), pydantic)).toMatch(/kinds\.Item: unexpected state key 'x'/);
    expect(loadError(pickleOf(state({ sku: 'a' })), pydantic)).toMatch(/kinds\.Item: the state has no 'quantity'/);
    const positional = registryWith({ model: 'dataclass', slots: true, frozen: true });
    expect(loadError(pickleOf(['a', 2, null, 'more']), positional)).toMatch(/kinds\.Item: the state has 4 values for 3 declared fields/);
    expect(loadError(pickleOf(['a']), positional)).toMatch(/kinds\.Item: the state has no 'quantity'/);
  });

  it('without strict, the same states load and keep the unknown keys to write back', () => {
    const registry = registryWith({ strict: false });
    const item = loads(pickleOf({ sku: 'a', colour: 'red' }), Item, { registry });
    expect([item.sku, item.quantity]).toEqual(['a', 1]);
    expect(extraState(item).get('colour')).toBe('red');
    expect((loads(dumps(item, { registry })) as PyObject).state).toEqual({ sku: 'a', quantity: 1, note: null, colour: 'red' });
  });
});

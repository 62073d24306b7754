// The mapping mistakes a new user makes (found by trying the package as one): each is an error
// at load that names the class and says what to change, never a silent loss or a pickle Python
// cannot load afterwards.
import { expect, it } from 'vitest';
import { dumps, listOf, loads, Registry, registerClass } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { pythonPickles } from './py.js';

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
import dataclasses, pydantic
mod = m.module('mistakes')
class PUser(pydantic.BaseModel):
    name: str = ''
class Inventory:
    def __init__(self):
        self.maybe_count = 3
@dataclasses.dataclass(slots=True)
class SlotPoint:
    x: float = 0.0
    y: float = 0.0
@dataclasses.dataclass(slots=True, frozen=True)
class FrozenPoint:
    x: float = 0.0
    y: float = 0.0
for cls in (PUser, Inventory, SlotPoint, FrozenPoint):
    m.place(mod, cls)
for p in (2, 4):
    out[f'puser.{p}'] = pickle.dumps(PUser(name='ada'), protocol=p)
    out[f'inventory.{p}'] = pickle.dumps(Inventory(), protocol=p)
    out[f'slot.{p}'] = pickle.dumps(SlotPoint(1.5, 2.5), protocol=p)
    out[f'frozen.{p}'] = pickle.dumps(FrozenPoint(1.5, 2.5), protocol=p)
`));
}

function loadError(bytes: Uint8Array, registry: Registry): Error {
  try {
    loads(bytes, { registry });
  } catch (error) {
    return error as Error;
  }
  throw new Error('loaded without an error');
}

describeWithPython('mapper: mistakes that would lose data are errors that say what to change', () => {
  it("a pydantic model mapped without model: 'pydantic'", () => {
    class PUser {
      name = '';
    }
    const registry = new Registry();
    registerClass(PUser, { module: 'mistakes', name: 'PUser', registry, fields: { name: {} } });
    for (const p of [2, 4]) {
      const error = loadError(fromPython()[`puser.${p}`]!, registry);
      expect(error.message).toMatch(/mistakes\.PUser.*pydantic.*model: 'pydantic'/);
      expect((error as { code?: string }).code).toBe('SCHEMA_MISMATCH');
    }
  });

  it('a field named as TypeScript spells it where Python spells it otherwise', () => {
    class Inventory {
      maybeCount: number | null = null;
    }
    const registry = new Registry();
    registerClass(Inventory, { module: 'mistakes', name: 'Inventory', registry, fields: { maybeCount: {} } });
    expect(loadError(fromPython()['inventory.4']!, registry).message).toMatch(/'maybe_count'.*maybeCount.*@PyField\('maybe_count'\)/);
    // Renamed as the message says, it loads and round-trips.
    const fixed = new Registry();
    registerClass(Inventory, { module: 'mistakes', name: 'Inventory', registry: fixed, fields: { maybeCount: { name: 'maybe_count' } } });
    const inventory = loads(fromPython()['inventory.4']!, Inventory, { registry: fixed });
    expect(inventory.maybeCount).toBe(3);
    expect(loads(dumps(inventory, { registry: fixed }), Inventory, { registry: fixed }).maybeCount).toBe(3);
  });

  it('a slotted dataclass mapped as frozen, and a frozen one mapped without frozen: true', () => {
    class Point {
      x = 0.5;
      y = 0.5;
    }
    const asFrozen = new Registry();
    registerClass(Point, { module: 'mistakes', name: 'SlotPoint', registry: asFrozen, model: 'dataclass', slots: true, frozen: true, fields: { x: {}, y: {} } });
    expect(loadError(fromPython()['slot.4']!, asFrozen).message).toMatch(/mistakes\.SlotPoint.*not frozen.*drop frozen: true/);
    const notFrozen = new Registry();
    registerClass(Point, { module: 'mistakes', name: 'FrozenPoint', registry: notFrozen, model: 'dataclass', slots: true, fields: { x: {}, y: {} } });
    expect(loadError(fromPython()['frozen.4']!, notFrozen).message).toMatch(/mistakes\.FrozenPoint.*frozen: true/);
  });

  it('a field type naming a class nobody registered says so', () => {
    class Item {}
    class Holder {
      items: Item[] = [];
    }
    const registry = new Registry();
    registerClass(Holder, { module: 'mistakes', name: 'Holder', registry, fields: { items: { type: listOf(() => Item) } } });
    expect(() => dumps(Object.assign(new Holder(), { items: [3] }), { registry })).toThrow(/Item is not registered/);
    expect(() => dumps(Object.assign(new Holder(), { items: [new Date(0)] }), { registry })).toThrow(/PyDatetime\.fromDate/);
  });
});

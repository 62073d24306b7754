// The TypeScript side of python_kinds.py: models of every kind, declared the documented way.
// Compiled by the TypeScript compiler in both decorator standards (test/helpers/decorated.ts);
// each compilation registers into its own scoped registry.
import 'reflect-metadata';
import { PyDate, PyDatetime, PyDecimal, PyFrozenSet, PyUUID, registerEnum } from 'pickle-mapper';
import {
  dictOf,
  frozensetOf,
  listOf,
  optional,
  PyClass,
  PyField,
  Registry,
  setOf,
  tuple,
  tupleOf,
  type Tuple,
} from 'pickle-mapper/decorators';

export const registry = new Registry();
export const Color = registerEnum('kinds.Color', { RED: 1, GREEN: 2 }, { registry });

@PyClass('kinds.LineItem', { registry, model: 'dataclass' })
export class LineItem {
  @PyField() sku = '';
  @PyField({ type: 'float' }) price = 0;
  @PyField() quantity = 1;
}

/** A field of each declarable type. */
@PyClass('kinds.Cart', { registry, model: 'dataclass' })
export class Cart {
  @PyField({ name: 'by_sku', type: dictOf(() => LineItem) }) bySku: Record<string, LineItem> = {};
  @PyField({ name: 'by_id', type: dictOf('int', () => LineItem) }) byId = new Map<number, LineItem>();
  @PyField({ type: listOf(() => LineItem) }) items: LineItem[] = [];
  @PyField({ type: tupleOf('int') }) dims: Tuple<number> = tuple();
  @PyField({ type: tupleOf(['str', 'int']) }) pair: Tuple<string | number> = tuple('', 0);
  @PyField({ type: setOf('str') }) tags = new Set<string>();
  @PyField({ name: 'frozen_tags', type: frozensetOf('str') }) frozenTags: Set<string> = new PyFrozenSet<string>();
  @PyField({ type: optional('str') }) note: string | null = null;
  @PyField({ type: optional(() => PyDatetime) }) created: PyDatetime | null = null;
  @PyField({ type: optional(() => PyDate) }) day: PyDate | null = null;
  /** Typed by its default: a PyDecimal. */
  @PyField() amount = new PyDecimal('0');
  @PyField({ type: optional(() => PyUUID) }) uid: PyUUID | null = null;
  /** Typed by its default: a member of kinds.Color. */
  @PyField() color = Color.RED;
  @PyField({ type: optional(() => LineItem) }) owner: LineItem | null = null;
  @PyField({ type: listOf('float') }) ratios: number[] = [];
}

// ---- hierarchies ----------------------------------------------------------------------------

@PyClass('kinds.Entity', { registry })
export class Entity {
  @PyField({ type: 'int' }) id = 0;
  /** TypeScript's own: Entity declares fields, so this one is never written to Python. */
  cache = new Map<string, unknown>();
}

/** Declares no field: what it adds (username) maps by name, beside Entity's fields. */
@PyClass('kinds.User', { registry })
export class User extends Entity {
  username = '';
}

/** Declares its own field: Entity's and User's mappings stay. */
@PyClass('kinds.Admin', { registry })
export class Admin extends User {
  @PyField() level = 1;
}

/** An unregistered base with a declared field. */
export class Named {
  @PyField() name = '';
}

@PyClass('kinds.Tag', { registry })
export class Tag extends Named {
  color = '';
}

// ---- dataclasses, attrs, __slots__ ------------------------------------------------------------

@PyClass('kinds.Plain', { registry, model: 'dataclass' })
export class Plain {
  @PyField() a = 0;
  @PyField() b = 'x';
}

@PyClass('kinds.Slotted', { registry, model: 'dataclass', slots: true })
export class Slotted {
  @PyField() a = 0;
  @PyField() b = 'x';
}

@PyClass('kinds.Frozen', { registry, model: 'dataclass', frozen: true })
export class Frozen {
  @PyField() a = 0;
  @PyField() b = 'x';
}

@PyClass('kinds.FrozenSlotted', { registry, model: 'dataclass', slots: true, frozen: true })
export class FrozenSlotted {
  @PyField() a = 0;
  @PyField() b = 'x';
  @PyField() c = 0.5;
}

@PyClass('kinds.AttrsDefine', { registry, model: 'attrs' })
export class AttrsDefine {
  @PyField() a = 0;
  @PyField() b = 'x';
}

@PyClass('kinds.AttrsFrozen', { registry, model: 'attrs' })
export class AttrsFrozen {
  @PyField() a = 0;
  @PyField() b = 'x';
}

@PyClass('kinds.AttrS', { registry, model: 'attrs' })
export class AttrS {
  @PyField() a = 0;
  @PyField() b = 'x';
}

@PyClass('kinds.Vec', { registry, slots: true })
export class Vec {
  @PyField({ type: 'float' }) x = 0;
  @PyField({ type: 'float' }) y = 0;
}

@PyClass('kinds.VecWithDict', { registry, slots: ['x'] })
export class VecWithDict {
  @PyField({ type: 'float' }) x = 0;
  @PyField() label = '';
}

// ---- pydantic v2 ----------------------------------------------------------------------------

@PyClass('kinds.Address', { registry, model: 'pydantic' })
export class Address {
  @PyField() street = '';
  @PyField() city = 'Paris';
}

@PyClass('kinds.Person', { registry, model: 'pydantic' })
export class Person {
  @PyField() name = '';
  @PyField() age = 0;
  @PyField({ type: 'float' }) score = 1;
  @PyField({ type: optional(() => Address) }) address: Address | null = null;
  @PyField({ type: listOf('str') }) tags: string[] = [];
  /** A private attribute (pydantic's PrivateAttr): its name starts with an underscore. */
  @PyField() _secret = 's';
}

@PyClass('kinds.LooseModel', { registry, model: 'pydantic' })
export class LooseModel {
  @PyField() a = 0;
}

@PyClass('kinds.FrozenModel', { registry, model: 'pydantic' })
export class FrozenModel {
  @PyField() a = 0;
  @PyField() b = 'x';
}

// Issue 17: the models Python teams write, each mapped with one option, in both directions
// against CPython: pydantic v2 (finding 3: edits reach Python, fields_set, extra and private kept
// right), dataclasses (slots=True, frozen=True, both), attrs (@attrs.define, @attrs.frozen,
// @attr.s), plain __slots__ classes, and a slotted class mapped without `slots` (finding 4: the
// state's shape is remembered, never a pickle Python cannot load).
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dumps, extraState, loads, PyGlobal, PyObject, Registry, registerClass, tuple, UnpicklingError } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { expectSameBytes, kindsCheck, pythonPickles } from './py.js';

type Models = typeof import('./models-kinds.js');
const MODELS = fileURLToPath(new URL('./models-kinds.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];
/** Slotted classes without __getstate__ cannot be pickled by CPython below protocol 2. */
const SLOTTED_PROTOCOLS = [2, 3, 4, 5];

const SIMPLE = ['Plain', 'Slotted', 'Frozen', 'FrozenSlotted', 'AttrsDefine', 'AttrsFrozen', 'AttrS'] as const;

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
import python_kinds as k
person = k.Person(name='Ada', address=k.Address(street='1 Main'))
loose = k.LooseModel(a=1, zz=5)
for p in range(6):
    out[f'person.{p}'] = pickle.dumps(person, protocol=p)
    out[f'loose.{p}'] = pickle.dumps(loose, protocol=p)
    out[f'frozen_model.{p}'] = pickle.dumps(k.FrozenModel(a=2), protocol=p)
    for name in ${JSON.stringify(SIMPLE)}:
        if name == 'Slotted' and p < 2:
            continue
        out[f'{name}.{p}'] = pickle.dumps(getattr(k, name)(7, 'y'), protocol=p)
    if p >= 2:
        out[f'vec.{p}'] = pickle.dumps(k.Vec(1.5, 2.0), protocol=p)
        out[f'vec_dict.{p}'] = pickle.dumps(k.VecWithDict(1.0, 'l'), protocol=p)
`));
}

const PYDANTIC_VIEW = `
result = {name: k.pydantic_view(o) for name, o in objs.items()}`;

/** What python_kinds.pydantic_view gives for the Person the pickles hold. */
const PERSON_VIEW = {
  type: 'Person',
  dump: { name: 'Ada', age: 0, score: 1.0, address: { street: '1 Main', city: 'Paris' }, tags: [] },
  fields_set: ['address', 'name'],
  extra: null,
  private: { _secret: 's' },
};

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: models of each kind (${standard} decorators)`, () => {
    let models: Models;
    let pickles: Record<string, Uint8Array>;
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      pickles = fromPython();
    });
    const dumped = (value: unknown, protocol: number) => dumps(value, { protocol, registry: models.registry });

    describe('pydantic v2 (model: "pydantic")', () => {
      it.each(PROTOCOLS)('loads every field, not the defaults (protocol %i)', (p) => {
        const person = loads(pickles[`person.${p}`]!, models.Person, { registry: models.registry });
        expect([person.name, person.age, person.score, person.tags, person._secret]).toEqual(['Ada', 0, 1, [], 's']);
        expect(person.address).toBeInstanceOf(models.Address);
        expect([person.address!.street, person.address!.city]).toEqual(['1 Main', 'Paris']);
        expect(extraState(person).size).toBe(0);
      });

      it.each(PROTOCOLS)('untouched, Python gets the same model back (protocol %i)', (p) => {
        const person = loads(pickles[`person.${p}`]!, models.Person, { registry: models.registry });
        expect(kindsCheck({ person: dumped(person, p) }, PYDANTIC_VIEW)).toEqual({ person: PERSON_VIEW });
      });

      it.each(PROTOCOLS)('edits reach Python, and an assigned field counts as set as pydantic counts it (protocol %i)', (p) => {
        const person = loads(pickles[`person.${p}`]!, models.Person, { registry: models.registry });
        person.age = 37;
        person.score = 2; // a float field: 2.0 in Python
        person.address!.city = 'Lyon';
        person._secret = 't'; // private: never in fields_set
        person.tags.push('vip'); // changed in place: pydantic's __setattr__ never sees that either
        const view = kindsCheck<Record<string, unknown>>({ person: dumped(person, p) }, `
o = objs['person']
result = {'view': k.pydantic_view(o), 'address_set': sorted(o.address.model_fields_set), 'score': repr(o.score)}`);
        expect(view).toEqual({
          view: {
            ...PERSON_VIEW,
            dump: { name: 'Ada', age: 37, score: 2.0, address: { street: '1 Main', city: 'Lyon' }, tags: ['vip'] },
            fields_set: ['address', 'age', 'name', 'score'],
            private: { _secret: 't' },
          },
          address_set: ['city', 'street'],
          score: '2.0',
        });
      });

      it.each(PROTOCOLS)('extra (extra="allow") and frozen models round-trip (protocol %i)', (p) => {
        const loose = loads(pickles[`loose.${p}`]!, models.LooseModel, { registry: models.registry });
        expect(loose.a).toBe(1);
        const frozen = loads(pickles[`frozen_model.${p}`]!, models.FrozenModel, { registry: models.registry });
        expect([frozen.a, frozen.b]).toEqual([2, 'x']);
        const untouched = kindsCheck({ loose: dumped(loose, p), frozen: dumped(frozen, p) }, PYDANTIC_VIEW);
        expect(untouched).toEqual({
          loose: { type: 'LooseModel', dump: { a: 1, zz: 5 }, fields_set: ['a', 'zz'], extra: { zz: 5 }, private: null },
          frozen: { type: 'FrozenModel', dump: { a: 2, b: 'x' }, fields_set: ['a'], extra: null, private: null },
        });
        loose.a = 3;
        expect(kindsCheck({ loose: dumped(loose, p) }, PYDANTIC_VIEW)).toEqual({
          loose: { type: 'LooseModel', dump: { a: 3, zz: 5 }, fields_set: ['a', 'zz'], extra: { zz: 5 }, private: null },
        });
      });

      it('a model made in TypeScript counts its fields as set, and has its private attributes', () => {
        const person = Object.assign(new models.Person(), { name: 'Bo', age: 3, address: Object.assign(new models.Address(), { street: 's' }) });
        expect(kindsCheck({ person: dumped(person, 4) }, PYDANTIC_VIEW)).toEqual({
          person: {
            type: 'Person',
            dump: { name: 'Bo', age: 3, score: 1.0, address: { street: 's', city: 'Paris' }, tags: [] },
            fields_set: ['address', 'age', 'name', 'score', 'tags'],
            extra: null,
            private: { _secret: 's' },
          },
        });
      });
    });

    describe('dataclasses and attrs', () => {
      it.each(PROTOCOLS)('each kind loads, and Python gets it back equal, edited and made in TypeScript (protocol %i)', (p) => {
        const names = SIMPLE.filter((name) => p >= 2 || name !== 'Slotted');
        const loaded: Record<string, Uint8Array> = {};
        const edited: Record<string, Uint8Array> = {};
        const made: Record<string, Uint8Array> = {};
        for (const name of names) {
          const cls = models[name] as new () => { a: number; b: string };
          const value = loads(pickles[`${name}.${p}`]!, cls, { registry: models.registry });
          expect([value.a, value.b]).toEqual([7, 'y']);
          expect(extraState(value).size).toBe(0);
          loaded[name] = dumped(value, p);
          value.b = 'edited';
          edited[name] = dumped(value, p);
          made[name] = dumped(Object.assign(new cls(), { a: 7, b: 'y' }), p);
        }
        const check = (pickled: Record<string, Uint8Array>, b: string) =>
          kindsCheck(pickled, `
result = {name: [type(o).__name__, o == getattr(k, name)(7, ${JSON.stringify(b)})] for name, o in objs.items()}`);
        const expected = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, [name, true]]));
        expect(check(loaded, 'y')).toEqual(expected(names));
        expect(check(edited, 'edited')).toEqual(expected(names));
        expect(check(made, 'y')).toEqual(expected(names));
        // Byte for byte what CPython writes for the same objects.
        expectSameBytes(
          Object.fromEntries(names.map((name) => [`${name}.${p}`, made[name]!])),
          Object.fromEntries(names.map((name) => [`${name}.${p}`, pickles[`${name}.${p}`]!])),
        );
      });

      it('an old attrs pickle (a tuple of the values) loads, and is written the way attrs writes now', () => {
        const old = new PyObject(new PyGlobal('kinds', 'AttrsDefine'), tuple(), 'newobj');
        old.state = tuple(4, 'old');
        const value = loads(dumps(old), models.AttrsDefine, { registry: models.registry });
        expect([value.a, value.b]).toEqual([4, 'old']);
        expect(kindsCheck({ value: dumped(value, 4) }, `result = {'equal': objs['value'] == k.AttrsDefine(4, 'old')}`)).toEqual({ equal: true });
      });
    });

    describe('__slots__', () => {
      it.each(SLOTTED_PROTOCOLS)('slots: true and slots: [names] read and write (None, slots) and (dict, slots) (protocol %i)', (p) => {
        const vec = loads(pickles[`vec.${p}`]!, models.Vec, { registry: models.registry });
        expect([vec.x, vec.y]).toEqual([1.5, 2]);
        const mixed = loads(pickles[`vec_dict.${p}`]!, models.VecWithDict, { registry: models.registry });
        expect([mixed.x, mixed.label]).toEqual([1, 'l']);
        vec.y = 3;
        mixed.label = 'm';
        expect(kindsCheck({ vec: dumped(vec, p), mixed: dumped(mixed, p) }, `
result = {'vec': [repr(objs['vec'].x), repr(objs['vec'].y)], 'mixed': [repr(objs['mixed'].x), objs['mixed'].label, vars(objs['mixed'])]}`)).toEqual({
          vec: ['1.5', '3.0'],
          mixed: ['1.0', 'm', { label: 'm' }],
        });
        expectSameBytes(
          { [`vec.${p}`]: dumped(Object.assign(new models.Vec(), { x: 1.5, y: 2 }), p), [`vec_dict.${p}`]: dumped(Object.assign(new models.VecWithDict(), { x: 1, label: 'l' }), p) },
          { [`vec.${p}`]: pickles[`vec.${p}`]!, [`vec_dict.${p}`]: pickles[`vec_dict.${p}`]! },
        );
      });
    });
  });
}

describeWithPython('mapper: a slotted class mapped without `slots` (issue 17, finding 4)', () => {
  class Vec {
    x = 0.5;
    y = 0.5;
  }

  it.each(SLOTTED_PROTOCOLS)('keeps the (None, slots) shape it loaded, so Python can load the dump (protocol %i)', (p) => {
    const registry = new Registry();
    registerClass(Vec, { module: 'kinds', name: 'Vec', registry });
    const vec = loads(fromPython()[`vec.${p}`]!, Vec, { registry });
    expect([vec.x, vec.y]).toEqual([1.5, 2]);
    vec.y = 4.5;
    expect(kindsCheck({ vec: dumps(vec, { protocol: p, registry }) }, `
result = {'vec': [type(objs['vec']).__name__, objs['vec'].x, objs['vec'].y]}`)).toEqual({ vec: ['Vec', 1.5, 4.5] });
  });

  it.each(SLOTTED_PROTOCOLS)('a field the slots state lacked cannot be placed: a PicklingError, not a pickle Python refuses (protocol %i)', (p) => {
    class Vec3 {
      x = 0.5;
      y = 0.5;
      z = 0.5;
    }
    const registry = new Registry();
    registerClass(Vec3, { module: 'kinds', name: 'Vec', registry });
    const vec = loads(fromPython()[`vec.${p}`]!, Vec3, { registry });
    expect(() => dumps(vec, { protocol: p, registry })).toThrow(
      /kinds\.Vec was loaded from a state with no __dict__ \(only __slots__\), so z cannot be written: declare the class's slots/,
    );
  });

  it('a frozen slotted dataclass keeps values beyond the declared fields, in order', () => {
    class FrozenSlotted {
      a = 0;
      b = '';
    }
    const registry = new Registry();
    registerClass(FrozenSlotted, { module: 'kinds', name: 'FrozenSlotted', registry, model: 'dataclass', slots: true, frozen: true, fields: { a: {}, b: {} } });
    const value = loads(fromPython()['FrozenSlotted.4']!, FrozenSlotted, { registry });
    expect([value.a, value.b]).toEqual([7, 'y']);
    value.b = 'z';
    expect(kindsCheck({ value: dumps(value, { registry }) }, `result = {'equal': objs['value'] == k.FrozenSlotted(7, 'z')}`)).toEqual({ equal: true });
  });

  it('a state that is no model of its declared kind is an UnpicklingError naming the class', () => {
    const registry = new Registry();
    class Person {
      name = '';
    }
    registerClass(Person, { module: 'kinds', name: 'Person', registry, model: 'pydantic' });
    const plain = new PyObject(new PyGlobal('kinds', 'Person'), tuple(), 'newobj');
    plain.state = { name: 'x' };
    expect(() => loads(dumps(plain), { registry })).toThrow(UnpicklingError);
    expect(() => loads(dumps(plain), { registry })).toThrow(/^the state of kinds\.Person is dict, not a pydantic model's \(a dict with '__dict__'\) \(at byte \d+, opcode BUILD\)$/);
  });
});

// Issue 17, finding 2: class hierarchies. A subclass inherits its bases' declared fields; what a
// class that declares no field adds maps by its own name (as Python's __dict__ does), what a class
// that declares fields adds without declaring stays TypeScript's own; each registered class
// loads and dumps under its own Python name; TypeScript edits reach Python.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dumps, extraState, loads, PyObject, Registry, registerClass, schemaOf } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { kindsCheck, pythonPickles } from './py.js';

type Models = typeof import('./models-kinds.js');
const MODELS = fileURLToPath(new URL('./models-kinds.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
import python_kinds as k
for p in range(6):
    out[f'entity.{p}'] = pickle.dumps(k.Entity(1), protocol=p)
    out[f'user.{p}'] = pickle.dumps(k.User(2, 'ada'), protocol=p)
    out[f'admin.{p}'] = pickle.dumps(k.Admin(3, 'root', 9), protocol=p)
    out[f'tag.{p}'] = pickle.dumps(k.Tag('sale', 'red'), protocol=p)
`));
}

const VIEW = `
result = {name: [type(o).__name__, vars(o)] for name, o in objs.items()}`;

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: class hierarchies (${standard} decorators)`, () => {
    let models: Models;
    let pickles: Record<string, Uint8Array>;
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      pickles = fromPython();
    });
    const options = () => ({ registry: models.registry });

    it.each(PROTOCOLS)('a subclass that declares no field maps what it adds, beside its base fields (protocol %i)', (p) => {
      const user = loads(pickles[`user.${p}`]!, models.User, options());
      expect(user).toBeInstanceOf(models.User);
      expect(user.id).toBe(2);
      expect(user.username).toBe('ada');
      expect(extraState(user).size).toBe(0);
      expect(user.cache).toBeInstanceOf(Map); // TypeScript's own, as the constructor sets it
      user.username = 'grace';
      user.id = 5;
      user.cache.set('never', 'written');
      expect(kindsCheck({ user: dumps(user, { protocol: p, ...options() }) }, VIEW)).toEqual({
        user: ['User', { id: 5, username: 'grace' }],
      });
    });

    it.each(PROTOCOLS)('each level keeps its mapping: Admin declares level, User maps username, Entity declares id (protocol %i)', (p) => {
      const admin = loads(pickles[`admin.${p}`]!, models.Admin, options());
      expect([admin.id, admin.username, admin.level]).toEqual([3, 'root', 9]);
      expect(extraState(admin).size).toBe(0);
      admin.username = 'toor';
      admin.level = 10;
      expect(kindsCheck({ admin: dumps(admin, { protocol: p, ...options() }) }, VIEW)).toEqual({
        admin: ['Admin', { id: 3, username: 'toor', level: 10 }],
      });
    });

    it.each(PROTOCOLS)('a registered base loads and dumps under its own name (protocol %i)', (p) => {
      const entity = loads(pickles[`entity.${p}`]!, options());
      expect(entity).toBeInstanceOf(models.Entity);
      expect(entity).not.toBeInstanceOf(models.User);
      expect(kindsCheck({ entity: dumps(entity, { protocol: p, ...options() }) }, VIEW)).toEqual({ entity: ['Entity', { id: 1 }] });
    });

    it.each(PROTOCOLS)('an unregistered base with declared fields passes them on (protocol %i)', (p) => {
      const tag = loads(pickles[`tag.${p}`]!, models.Tag, options());
      expect([tag.name, tag.color]).toEqual(['sale', 'red']);
      tag.color = 'blue';
      expect(kindsCheck({ tag: dumps(tag, { protocol: p, ...options() }) }, VIEW)).toEqual({ tag: ['Tag', { name: 'sale', color: 'blue' }] });
    });

    it('instances made in TypeScript are the ones Python makes', () => {
      const user = Object.assign(new models.User(), { id: 7, username: 'new' });
      const admin = Object.assign(new models.Admin(), { id: 8, username: 'a', level: 2 });
      expect(kindsCheck({ user: dumps(user, options()), admin: dumps(admin, options()) }, `
result = {'user': vars(objs['user']) == vars(k.User(7, 'new')), 'admin': vars(objs['admin']) == vars(k.Admin(8, 'a', 2))}`)).toEqual({
        user: true,
        admin: true,
      });
    });

    it("a value of a subclass's inherited typed field is checked as the base declares", () => {
      const user = Object.assign(new models.User(), { id: 'seven' as unknown as number });
      expect(() => dumps(user, options())).toThrow(/kinds\.User\.id: expected int, got "seven" \(str\)/);
      const named = Object.assign(new models.User(), { username: 3 as unknown as string });
      expect(() => dumps(named, options())).toThrow(/kinds\.User\.username: expected str, got 3 \(int\); the type str comes from the default ""/);
    });
  });
}

describe('mapper: hierarchies declared with registerClass', () => {
  class Entity {
    id = 0;
    cache: unknown = null;
  }
  class User extends Entity {
    username = '';
  }
  class Guest extends User {}

  it('a subclass inherits a registered base\'s fields and maps what it adds', () => {
    const registry = new Registry();
    registerClass(Entity, { module: 'kinds', name: 'Entity', registry, fields: { id: { type: 'int' } } });
    registerClass(User, { module: 'kinds', name: 'User', registry });
    registerClass(Guest, { module: 'kinds', name: 'Guest', registry });
    const user = Object.assign(new User(), { id: 2, username: 'ada' });
    const back = loads(dumps(user, { registry }));
    expect(back).toBeInstanceOf(PyObject);
    expect((back as PyObject).state).toEqual({ id: 2, username: 'ada' });
    const guest = loads(dumps(Object.assign(new Guest(), { id: 3, username: 'g' }), { registry }), Guest, { registry });
    expect([guest.id, guest.username]).toEqual([3, 'g']);
    expect(schemaOf(Guest)?.fields.map((field) => field.property)).toEqual(['id', 'username']);
  });

  it('an unregistered subclass of a registered class is refused, not written as its base', () => {
    const registry = new Registry();
    registerClass(User, { module: 'kinds', name: 'User', registry });
    class Intern extends User {}
    expect(() => dumps(new Intern(), { registry })).toThrow(/cannot pickle 'Intern' object/);
  });
});

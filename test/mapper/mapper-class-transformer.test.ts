// Issue 4, class-transformer interop (legacy decorators only): on a @PyClass with no @PyField,
// @Expose({ name }) renames, @Type(() => X) types, @Exclude() leaves out, both ways; a @PyField
// on the same property wins over @Expose.
import { beforeAll, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instanceToPlain } from 'class-transformer';
import { dumps, extraState, loads } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { importDecorated } from '../helpers/decorated.js';
import { pythonCheck, pythonPickles } from './py.js';

type Models = typeof import('./models-ct.js');
const MODELS = fileURLToPath(new URL('./models-ct.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

describeWithPython('mapper: class-transformer decorators (legacy)', () => {
  let models: Models;
  let pickles: Record<string, Uint8Array>;
  beforeAll(async () => {
    models = await importDecorated<Models>(MODELS, 'legacy');
    pickles = pythonPickles(`
a, b = m.Child('a'), m.Child('b')
parent = m.Parent('P', [a, b], a, 3)
parent.cache = 'from python'
labelled = m.Labelled('L', 'N')
labelled.json_label = 'J'
for p in range(6):
    out[f'parent.{p}'] = pickle.dumps(parent, protocol=p)
    out[f'labelled.{p}'] = pickle.dumps(labelled, protocol=p)
`);
  });

  it('the models are real class-transformer models (its own instanceToPlain sees the names)', () => {
    const child = Object.assign(new models.Child(), { childName: 'c' });
    expect(instanceToPlain(child)).toEqual({ child_name: 'c' });
  });

  it.each(PROTOCOLS)('a CPython ct.Parent at protocol %i loads through @Expose names and @Type classes', (p) => {
    const parent = loads(pickles[`parent.${p}`]!, { registry: models.registry }) as InstanceType<Models['Parent']>;
    expect(parent).toBeInstanceOf(models.Parent);
    expect(parent.displayName).toBe('P');
    expect(parent.children).toHaveLength(2);
    for (const child of parent.children) expect(child).toBeInstanceOf(models.Child);
    expect(parent.children.map((child) => child.childName)).toEqual(['a', 'b']);
    expect(parent.favourite).toBe(parent.children[0]);
    expect(parent.plain).toBe(3);
    // @Exclude: the property is not read from Python; the attribute is kept aside for the dump.
    expect(parent.cache).toBeInstanceOf(Map);
    expect(extraState(parent).get('cache')).toBe('from python');
    expect(Object.keys(parent).sort()).toEqual(['cache', 'children', 'displayName', 'favourite', 'plain']);
  });

  it('TS-built instances dump with the @Expose names, @Type classes, and without @Exclude properties', () => {
    const a = Object.assign(new models.Child(), { childName: 'a' });
    const parent = Object.assign(new models.Parent(), { displayName: 'P', children: [a], favourite: a, plain: 4 });
    parent.cache.set('k', 1);
    const written: Record<string, Uint8Array> = {};
    for (const p of PROTOCOLS) {
      written[`parent.${p}`] = dumps(parent, { protocol: p, registry: models.registry });
      written[`roundtrip.${p}`] = dumps(loads(pickles[`parent.${p}`]!, { registry: models.registry }), { protocol: p, registry: models.registry });
    }
    const seen = pythonCheck(written, `
for p in range(6):
    o = objs[f'parent.{p}']
    result[f'same.{p}'] = o.favourite is o.children[0]`);
    const child = { class: 'ct.Child', attrs: { child_name: 'str a' } };
    for (const p of PROTOCOLS) {
      expect(seen[`parent.${p}`]).toEqual({
        class: 'ct.Parent',
        attrs: { display_name: 'str P', children: [child], favourite: child, plain: 'int 4' },
      });
      expect(seen[`same.${p}`]).toBe(true);
      // What CPython wrote comes back as it was, the excluded attribute included.
      expect(seen[`roundtrip.${p}`]).toEqual({
        class: 'ct.Parent',
        attrs: {
          display_name: 'str P',
          children: [child, { class: 'ct.Child', attrs: { child_name: 'str b' } }],
          favourite: child,
          plain: 'int 3',
          cache: 'str from python',
        },
      });
    }
  });

  it('@PyField wins over @Expose on the same property, both ways', () => {
    const written: Record<string, Uint8Array> = {};
    for (const p of PROTOCOLS) {
      const labelled = loads(pickles[`labelled.${p}`]!, { registry: models.registry }) as InstanceType<Models['Labelled']>;
      expect(labelled).toBeInstanceOf(models.Labelled);
      expect(labelled.label).toBe('L'); // from py_label, not json_label
      expect(labelled.note).toBe('N'); // @Expose still names the other property
      written[`labelled.${p}`] = dumps(Object.assign(new models.Labelled(), { label: 'L2', note: 'N2' }), { protocol: p, registry: models.registry });
    }
    const seen = pythonCheck<Record<string, { class: string; attrs: Record<string, unknown> }>>(written);
    for (const p of PROTOCOLS) {
      const { attrs } = seen[`labelled.${p}`]!;
      expect(seen[`labelled.${p}`]!.class).toBe('ct.Labelled');
      expect(attrs.py_label).toBe('str L2');
      expect(attrs.note_text).toBe('str N2');
      expect(attrs).not.toHaveProperty('json_label');
      expect(attrs).not.toHaveProperty('label');
    }
  });

  it('a class whose @PyField property is also @Expose-d is not in implicit mode', () => {
    // It has a @PyField, so (as for any class with one) only declared properties map: an
    // undeclared attribute loads into extraState, an undeclared property is not written.
    const written: Record<string, Uint8Array> = {};
    for (const p of PROTOCOLS) {
      const labelled = loads(pickles[`labelled.${p}`]!, { registry: models.registry }) as InstanceType<Models['Labelled']>;
      expect(Object.keys(labelled).sort()).toEqual(['label', 'note', 'scratch']);
      expect(extraState(labelled).get('json_label')).toBe('J');
      written[`labelled.${p}`] = dumps(Object.assign(new models.Labelled(), { label: 'L', note: 'N' }), { protocol: p, registry: models.registry });
    }
    const seen = pythonCheck(written);
    for (const p of PROTOCOLS) {
      expect(seen[`labelled.${p}`]).toEqual({ class: 'ct.Labelled', attrs: { py_label: 'str L', note_text: 'str N' } });
    }
  });
});

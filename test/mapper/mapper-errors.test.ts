// Issue 4, errors: a loaded state that cannot fit a field, and a TypeScript value that cannot
// be written as its field's Python type, fail with messages that say where.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dumps, loads, PicklingError, UnpicklingError } from 'pickle-mapper';
import { describeWithPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { pythonPickles } from './py.js';

type Models = typeof import('./models.js');
const MODELS = fileURLToPath(new URL('./models.ts', import.meta.url));
const PROTOCOLS = [0, 1, 2, 3, 4, 5];

let cpython: Record<string, Uint8Array> | undefined;
function fromPython(): Record<string, Uint8Array> {
  return (cpython ??= pythonPickles(`
import copyreg

class TupleState(pickle.Pickler):
    """Writes ml.Regressor with the state tuple ([1.0], 2.0), as an older __getstate__ did."""
    def reducer_override(self, obj):
        if type(obj) is m.Regressor:
            return (copyreg.__newobj__, (m.Regressor,), ([1.0], 2.0))
        return NotImplemented

for p in range(6):
    r = m.Regressor([1.0], 0.5, 3, 'r')
    r.weights = 'abc'
    out[f'str_weights.{p}'] = pickle.dumps(r, protocol=p)
    old = m.LinearModel()
    old.w = 'abc'
    out[f'str_w.{p}'] = pickle.dumps(old, protocol=p)
    out[f'bad_price.{p}'] = pickle.dumps([m.Order(1, None, [m.LineItem('a', 'cheap')])], protocol=p)
    out[f'float_id.{p}'] = pickle.dumps(m.Customer('x', 2.5), protocol=p)
    out[f'str_customer.{p}'] = pickle.dumps(m.Order(1, 'bob'), protocol=p)
    if p >= 2:
        buffer = io.BytesIO()
        TupleState(buffer, p).dump(m.Regressor())
        out[f'tuple_state.{p}'] = buffer.getvalue()
`));
}

function loadError(data: Uint8Array, models: Models): UnpicklingError {
  try {
    loads(data, { registry: models.registry });
  } catch (error) {
    expect(error).toBeInstanceOf(UnpicklingError);
    return error as UnpicklingError;
  }
  throw new Error('loads did not throw');
}

function dumpError(value: unknown, models: Models, protocol: number): PicklingError {
  const written: Uint8Array[] = [];
  try {
    dumps(value, { protocol, registry: models.registry, write: (chunk) => written.push(chunk) });
  } catch (error) {
    expect(error).toBeInstanceOf(PicklingError);
    expect(written).toEqual([]); // nothing half-written
    return error as PicklingError;
  }
  throw new Error('dumps did not throw');
}

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper: errors (${standard} decorators)`, () => {
    let models: Models;
    let pickles: Record<string, Uint8Array>;
    beforeAll(async () => {
      models = await importDecorated<Models>(MODELS, standard);
      pickles = fromPython();
    });

    describe('8a. loading a state that does not fit', () => {
      it.each(PROTOCOLS)('weights holding a str (protocol %i): UnpicklingError naming ml.Regressor, weights, the value', (p) => {
        const error = loadError(pickles[`str_weights.${p}`]!, models);
        expect(error.message).toContain('ml.Regressor');
        expect(error.message).toContain('weights');
        expect(error.message).toContain('"abc"');
        expect(error.message).toContain('str');
        expect(error.message).toMatch(/ml\.Regressor\.weights: expected float, got "abc" \(str\)/);
        expect(error.opcode).toBe('BUILD');
      });

      it.each(PROTOCOLS)('the same through the old name and the alias w (protocol %i)', (p) => {
        const error = loadError(pickles[`str_w.${p}`]!, models);
        expect(error.message).toMatch(/ml\.Regressor\.weights: expected float, got "abc" \(str\)/);
      });

      it.each(PROTOCOLS)('a nested object\'s bad field names that class and field (protocol %i)', (p) => {
        expect(loadError(pickles[`bad_price.${p}`]!, models).message).toMatch(
          /shop\.LineItem\.price: expected float, got "cheap" \(str\)/,
        );
        expect(loadError(pickles[`float_id.${p}`]!, models).message).toMatch(/shop\.Customer\.id: expected int, got 2\.5 \(float\)/);
        expect(loadError(pickles[`str_customer.${p}`]!, models).message).toMatch(
          /shop\.Order\.customer: expected shop\.Customer, got "bob" \(str\)/,
        );
      });

      it.each([2, 3, 4, 5])('a tuple state for a class without __setstate__ (protocol %i) says so', (p) => {
        const error = loadError(pickles[`tuple_state.${p}`]!, models);
        expect(error.message).toContain('ml.Regressor');
        expect(error.message).toContain('__setstate__');
      });
    });

    describe('8b. dumping a value that does not fit its field', () => {
      it.each(PROTOCOLS)('a float field holding a str (protocol %i): PicklingError naming the path and field', (p) => {
        const item = Object.assign(new models.LineItem(), { sku: 'a', price: 'cheap' as unknown as number });
        const order = Object.assign(new models.Order(), { items: [new models.LineItem(), item] });
        const error = dumpError({ orders: [order] }, models, p);
        expect(error.message).toContain('shop.LineItem.price');
        expect(error.message).toContain('"cheap"');
        expect(error.path).toBeDefined();
        expect(error.path).toContain('.orders[0]');
        expect(error.path).toContain('.items[1]');
        expect(error.message).toContain(error.path!);
      });

      it.each(PROTOCOLS)('renamed, int, class-typed and list fields (protocol %i)', (p) => {
        const bias = Object.assign(new models.Regressor(), { bias: 'x' as unknown as number });
        expect(dumpError(bias, models, p).message).toMatch(/ml\.Regressor\.b \(property bias\): expected float, got "x" \(str\)/);
        const id = Object.assign(new models.Customer(), { id: 1.5 });
        expect(dumpError(id, models, p).message).toMatch(/shop\.Customer\.id: expected int, got 1\.5 \(float\)/);
        const customer = Object.assign(new models.Order(), { customer: new models.LineItem() as unknown as InstanceType<Models['Customer']> });
        expect(dumpError(customer, models, p).message).toMatch(/shop\.Order\.customer: expected shop\.Customer, got shop\.LineItem/);
        const weights = Object.assign(new models.Regressor(), { weights: [1, 'x' as unknown as number] });
        expect(dumpError(weights, models, p).message).toMatch(/ml\.Regressor\.weights\[1\]: expected float, got "x" \(str\)/);
      });
    });
  });
}

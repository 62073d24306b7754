import { expect, it } from 'vitest';
import { dumps, loads, PyObject } from 'pickle-mapper';
import { describeWithPython, runPython } from '../helpers/python.js';
import { type DecoratorStandard, importDecorated } from '../helpers/decorated.js';
import { fileURLToPath } from 'node:url';

type Models = typeof import('./models.js');
const MODELS = fileURLToPath(new URL('./models.ts', import.meta.url));
const PY_DIR = fileURLToPath(new URL('./', import.meta.url));

function python(body: string, input?: Uint8Array): Buffer {
  return runPython(`import sys; sys.path.insert(0, ${JSON.stringify(PY_DIR)})\nimport pickle, python_models as m\n${body}`, input);
}

for (const standard of ['legacy', 'tc39'] as DecoratorStandard[]) {
  describeWithPython(`mapper smoke (${standard} decorators)`, () => {
    it('loads an Order graph from Python as typed instances and writes it back', async () => {
      const models = await importDecorated<Models>(MODELS, standard);
      const data = python(`
c = m.Customer('Ada', 7)
o = m.Order(1, c, [m.LineItem('a', 2.0, 3), m.LineItem('b', 1.5)], ('x', 'y'))
sys.stdout.buffer.write(pickle.dumps(o, protocol=4))`);
      const order = loads(data, { registry: models.registry }) as InstanceType<Models['Order']>;
      expect(order).toBeInstanceOf(models.Order);
      expect(order.customer).toBeInstanceOf(models.Customer);
      expect(order.items[0]).toBeInstanceOf(models.LineItem);
      expect(order.items.map((i) => i.price)).toEqual([2, 1.5]);
      const back = dumps(order, { registry: models.registry });
      const verdict = python(`
o = pickle.loads(sys.stdin.buffer.read())
assert type(o) is m.Order, type(o)
assert type(o.items[0].price) is float, o.items[0].price
assert o == m.Order(1, m.Customer('Ada', 7), [m.LineItem('a', 2.0, 3), m.LineItem('b', 1.5)], ('x', 'y')), vars(o)
print('ok')`, back);
      expect(verdict.toString().trim()).toBe('ok');
      expect(loads(data)).toBeInstanceOf(PyObject);
    });
  });
}

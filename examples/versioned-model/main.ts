// Version tolerance: a model pickled by version 1 of the Python code (attributes `w` and `b`)
// loads into the version 2 TypeScript class (`weights`, `bias`), and writes back in the current
// form, keeping the attribute version 2 does not declare.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumps, loads } from 'pickle-mapper';
import { extraState, listOf, PyClass, PyField } from 'pickle-mapper/decorators';

@PyClass('ml.Regressor')
class Regressor {
  @PyField({ name: 'weights', aliases: ['w'], type: listOf('float') }) weights: number[] = [];
  @PyField({ name: 'bias', aliases: ['b'], type: 'float' }) bias = 0;
  @PyField('n_iter') iterations = 100; // an int: the default says so
  @PyField() learningRate = 0.01; // new in version 2: old pickles get this default

  predict(features: number[]): number {
    return features.reduce((sum, x, i) => sum + x * (this.weights[i] ?? 0), this.bias);
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const model = loads(readFileSync(join(here, 'old-model.pkl')), Regressor);
console.log(`loaded a ${model.constructor.name}: weights ${model.weights.join(', ')}, bias ${model.bias}`);
console.log(`iterations ${model.iterations}, learningRate ${model.learningRate} (the default)`);
console.log(`kept, undeclared: ${[...extraState(model)].map(([k, v]) => `${String(k)}=${String(v)}`).join(', ')}`);
console.log(`predict([1, 2, 3]) = ${model.predict([1, 2, 3])}`);

model.bias = 0.2;
const current = loads(dumps(model), Regressor, { keepFloatType: false });
console.log(`written back in the current form and read again: bias ${current.bias}, weights ${current.weights.join(', ')}`);

// A renamed module: a Tokenizer pickled by Keras 2 names keras.src.preprocessing.text.Tokenizer;
// Keras 3 moved the class to keras.src.legacy.preprocessing.text. The TypeScript class is
// registered under the new path, and one module alias makes the old pickles load into it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumps, loads, Unpickler } from 'pickle-mapper';
import { aliasModule, dictOf, optional, PyClass, PyField } from 'pickle-mapper/decorators';

@PyClass('keras.src.legacy.preprocessing.text.Tokenizer')
class Tokenizer {
  @PyField({ name: 'num_words', type: optional('int') }) numWords: number | null = null;
  @PyField() lower = true;
  @PyField({ name: 'oov_token', type: optional('str') }) oovToken: string | null = null;
  @PyField({ name: 'word_index', type: dictOf('int') }) wordIndex: Record<string, number> = {};

  encode(text: string): number[] {
    const words = (this.lower ? text.toLowerCase() : text).split(/\s+/).filter(Boolean);
    const unknown = this.oovToken === null ? 0 : (this.wordIndex[this.oovToken] ?? 0);
    return words.map((word) => this.wordIndex[word] ?? unknown);
  }
}

aliasModule('keras.src.preprocessing.text', 'keras.src.legacy.preprocessing.text');

const here = dirname(fileURLToPath(import.meta.url));
const tokenizer = loads(readFileSync(join(here, 'tokenizer.pkl')), Tokenizer);
console.log(`loaded a ${tokenizer.constructor.name} from a Keras 2 pickle: ${Object.keys(tokenizer.wordIndex).length} words`);
console.log(`encode('The pickle jar') = [${tokenizer.encode('The pickle jar').join(', ')}]`);

// Written back, it names the class where it lives now.
const again = dumps(tokenizer);
const global = [...new Unpickler(again)].length === 1 && Buffer.from(again).includes('keras.src.legacy.preprocessing.text');
console.log(`written back under keras.src.legacy.preprocessing.text: ${global}`);

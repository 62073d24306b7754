"""Writes tokenizer.pkl as Keras 2 code did: the class lives in keras.src.preprocessing.text.
(Keras 3 moved it to keras.src.legacy.preprocessing.text.) Keras itself is not needed: the module
is stood up here with the same name. Run: python3 make-keras2-pickle.py"""
import pickle
import sys
import types

for name in ('keras', 'keras.src', 'keras.src.preprocessing', 'keras.src.preprocessing.text'):
    sys.modules[name] = types.ModuleType(name)


class Tokenizer:
    def __init__(self):
        self.num_words = 10000
        self.lower = True
        self.oov_token = '<unk>'
        self.word_index = {'<unk>': 1, 'the': 2, 'pickle': 3}
        self.word_counts = {'the': 120, 'pickle': 7}


Tokenizer.__module__ = 'keras.src.preprocessing.text'
sys.modules['keras.src.preprocessing.text'].Tokenizer = Tokenizer

with open('tokenizer.pkl', 'wb') as f:
    pickle.dump(Tokenizer(), f, protocol=4)

"""Writes old-model.pkl as version 1 of the Python code did: ml.Regressor with attributes w and b.
(Version 2 renamed them weights and bias.) Run: python3 make-old-pickle.py"""
import pickle
import sys
import types

ml = types.ModuleType('ml')
sys.modules['ml'] = ml


class Regressor:  # version 1
    def __init__(self):
        self.w = [0.5, -1.25, 2.0]
        self.b = 0.1
        self.n_iter = 300
        self.trained_on = 'sales-2019.csv'  # an attribute version 2 no longer declares


Regressor.__module__ = 'ml'
ml.Regressor = Regressor

with open('old-model.pkl', 'wb') as f:
    pickle.dump(Regressor(), f, protocol=2)

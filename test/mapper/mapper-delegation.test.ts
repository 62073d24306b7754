// Issue 17: a class's own __setstate__/__getstate__ hands the state to the default handling,
// with the schema's names and field types applied (Python's super().__setstate__(state) and
// super().__getstate__()), during loads and dumps and outside them.
import { describe, expect, it } from 'vitest';
import {
  defaultGetState,
  defaultSetState,
  dumps,
  loads,
  PyFloat,
  PyGlobal,
  PyObject,
  Registry,
  registerClass,
  tuple,
  UnpicklingError,
} from 'pickle-mapper';
import { describeWithPython, runPython } from '../helpers/python.js';

/** Reads the (w, b) tuple an old version wrote itself, and lets the default read a dict. */
class Model {
  weights: number[] = [];
  bias = 0.5;
  cache = new Map<string, number>();

  __setstate__(state: unknown): void {
    if (Array.isArray(state)) {
      const [weights, bias] = state as [number[], number];
      defaultSetState(this, { weights, b: bias });
    } else {
      defaultSetState(this, state);
    }
  }

  __getstate__(): unknown {
    const state = defaultGetState(this) as Record<string, unknown>;
    state.version = 2;
    return state;
  }
}

const registry = new Registry();
registerClass(Model, {
  module: 'ml',
  name: 'Model',
  registry,
  fields: { weights: { aliases: ['w'], type: 'float' }, bias: { name: 'b' } },
});

function pickleOf(state: unknown): Uint8Array {
  const object = new PyObject(new PyGlobal('ml', 'Model'), tuple(), 'newobj');
  object.state = state;
  return dumps(object);
}

describe('mapper: defaultSetState and defaultGetState', () => {
  it('__setstate__ reads its own shape and hands the rest to the default, with aliases and types', () => {
    const fromTuple = loads(pickleOf(tuple([1, 2], 0.25)), Model, { registry });
    expect([fromTuple.weights, fromTuple.bias]).toEqual([[1, 2], 0.25]);
    const fromDict = loads(pickleOf({ w: [3], b: 1.5 }), Model, { registry });
    expect([fromDict.weights, fromDict.bias]).toEqual([[3], 1.5]);
    // Field types apply: a str where floats belong is an error naming the field.
    expect(() => loads(pickleOf({ weights: ['x'] }), { registry })).toThrow(UnpicklingError);
    expect(() => loads(pickleOf({ weights: ['x'] }), { registry })).toThrow(/ml\.Model\.weights\[0\]: expected float, got "x" \(str\)/);
  });

  it("__getstate__ adjusts the default state, whose float fields are floats", () => {
    const model = Object.assign(new Model(), { weights: [1, 2], bias: 3 });
    const state = (loads(dumps(model, { registry })) as PyObject).state as Record<string, unknown>;
    expect(Object.keys(state)).toEqual(['weights', 'b', 'version']);
    expect(state.weights).toEqual([1, 2]);
    expect(state.b).toBe(3);
    const raw = defaultGetState(model) as { weights: unknown[]; b: unknown };
    expect(raw.weights.every((w) => w instanceof PyFloat)).toBe(true);
    expect(raw.b).toEqual(new PyFloat(3)); // bias = 0.5 says float: written as a float
  });

  it('works outside a load or dump, through the class registration', () => {
    const model = new Model();
    defaultSetState(model, { w: [7], b: 0.75, extra: 'kept' });
    expect([model.weights, model.bias]).toEqual([[7], 0.75]);
    expect(Object.keys(defaultGetState(model) as object)).toEqual(['weights', 'b', 'extra']);
    expect(() => defaultSetState({}, {})).toThrow(/needs an instance of a registered class/);
  });

  it('a nested instance delegating inside its parent\'s delegation finds its own class', () => {
    class Leaf {
      value = 0;
      __setstate__(state: unknown) {
        defaultSetState(this, Array.isArray(state) ? { value: state[0] } : state);
      }
    }
    class Tree {
      leaves: Leaf[] = [];
      __setstate__(state: unknown) {
        defaultSetState(this, state);
      }
    }
    const nested = new Registry();
    registerClass(Leaf, { module: 't', name: 'Leaf', registry: nested, fields: { value: { type: 'int' } } });
    registerClass(Tree, { module: 't', name: 'Tree', registry: nested, fields: { leaves: { type: () => Leaf } } });
    const leaf = (state: unknown) => Object.assign(new PyObject(new PyGlobal('t', 'Leaf'), tuple(), 'newobj'), { state });
    const tree = new PyObject(new PyGlobal('t', 'Tree'), tuple(), 'newobj');
    tree.state = { leaves: [leaf(tuple(4)), leaf({ value: 5 })] };
    const loaded = loads(dumps(tree), Tree, { registry: nested });
    expect(loaded.leaves.map((l) => l.value)).toEqual([4, 5]);
    expect(loaded.leaves[0]).toBeInstanceOf(Leaf);
  });
});

describeWithPython('mapper: delegating dunders against CPython', () => {
  it('Python reads what __getstate__ built on the default state', () => {
    const model = Object.assign(new Model(), { weights: [1, 2.5], bias: 2 });
    const out = runPython(
      `import pickle, sys, types
ml = types.ModuleType('ml'); sys.modules['ml'] = ml
class Model: pass
Model.__module__ = 'ml'; ml.Model = Model
m = pickle.loads(sys.stdin.buffer.read())
print(repr(m.weights), repr(m.b), m.version)`,
      dumps(model, { registry }),
    );
    expect(out.toString().trim()).toBe('[1.0, 2.5] 2.0 2');
  });

  it('a tuple state Python wrote loads through __setstate__', () => {
    const data = runPython(`import pickle, sys, types
ml = types.ModuleType('ml'); sys.modules['ml'] = ml
class Model:
    def __getstate__(self): return ([0.5, 1.0], 2.0)
Model.__module__ = 'ml'; ml.Model = Model
sys.stdout.buffer.write(pickle.dumps(Model(), 4))`);
    const model = loads(data, Model, { registry });
    expect([model.weights, model.bias]).toEqual([[0.5, 1], 2]);
  });
});

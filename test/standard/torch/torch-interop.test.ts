// Against a real torch 1.13: files it writes now load as it reports them, and what saveTorch
// writes loads back in torch.load(weights_only=True) equal to the original tensors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Parameter, PyOrderedDict, Tensor, extraState, loadTorch, numberToBfloat16, numberToHalf, saveTorch } from '../../../src/index.js';
import { describeWithTorch, runTorchPython } from '../../helpers/torch.js';
import { FIXTURES, type Expected, expectTensors } from './expected.js';

const GENERATOR = fileURLToPath(new URL('generate.py', FIXTURES));

/** Python that compares every tensor of two loaded values (a, b) and prints 'ok' or raises. */
const COMPARE = `
import sys, torch
def walk(a, b, path):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), path
        assert type(a) is type(b), (path, type(a), type(b))
        assert a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride(), path
        assert a.storage_offset() == b.storage_offset(), path
        assert a.requires_grad == b.requires_grad, path
        assert torch.equal(a.detach(), b.detach()), path
        return 1
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()) and type(a) is type(b), path
        if hasattr(a, '_metadata'):
            assert a._metadata == b._metadata, path
        return sum(walk(a[k], b[k], f'{path}/{k}') for k in a)
    if isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        return sum(walk(x, y, f'{path}/{i}') for i, (x, y) in enumerate(zip(a, b)))
    assert a == b, (path, a, b)
    return 0
def sharing(v, out, path=''):
    if isinstance(v, torch.Tensor): out.setdefault(v.storage().data_ptr(), []).append(path)
    elif isinstance(v, dict): [sharing(x, out, f'{path}/{k}') for k, x in v.items()]
    elif isinstance(v, (list, tuple)): [sharing(x, out, f'{path}/{i}') for i, x in enumerate(v)]
    return sorted(sorted(p) for p in out.values())
`;

describeWithTorch('torch checkpoints against torch 1.13', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-torch-'));
  runTorchPython(`import runpy, sys; sys.argv = ['generate.py', ${JSON.stringify(dir)}]; runpy.run_path(${JSON.stringify(GENERATOR)}, run_name='__main__')`);

  for (const name of ['mixed.pt', 'state-dict.pt', 'legacy.pt', 'legacy-state-dict.pt', 'pickled-tensor.pkl']) {
    it(`loads ${name} as torch reports it`, () => {
      const expected = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Expected;
      expectTensors(loadTorch(new Uint8Array(readFileSync(join(dir, name)))), expected);
    });
  }

  for (const name of ['mixed.pt', 'state-dict.pt', 'legacy.pt']) {
    it(`writes ${name} back so torch.load (weights_only=True where torch's own file allows it) gives equal tensors, storages shared as before`, () => {
      const loaded = loadTorch(new Uint8Array(readFileSync(join(dir, name))));
      const out = join(dir, `resaved-${name}`);
      const bytes = saveTorch(loaded);
      writeFileSync(out, bytes);
      const report = runTorchPython(
        `${COMPARE}
a = torch.load(sys.argv[1])
try:
    torch.load(sys.argv[1], weights_only=True)
    safe = True
except Exception:
    safe = False  # torch 1.13's weights-only unpickler lacks BINFLOAT: mixed.pt's list holds 2.5
b = torch.load(sys.argv[2], weights_only=safe)
n = walk(a, b, '')
assert sharing(a, {}) == sharing(b, {}), (sharing(a, {}), sharing(b, {}))
print(n)`,
        [join(dir, name), out],
      );
      expect(Number(report)).toBeGreaterThan(5);
      // Shared storages are written once.
      const records = new TextDecoder('latin1').decode(bytes).match(/archive\/data\/\d+/g) ?? [];
      const expected = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Expected;
      const storages = Object.keys(expected.tensors).length - expected.shared.reduce((n, g) => n + g.length - 1, 0);
      expect(new Set(records).size).toBe(storages);
    });
  }

  it('writes a state_dict built in TypeScript that torch reads back value for value', () => {
    const state = new PyOrderedDict<string, Tensor>();
    state.set('w', Parameter.of(Tensor.from('float32', new Float32Array([1.5, -2, 3.25, 4, 5, 6]), [2, 3])));
    const base = Tensor.from('float64', new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), [3, 4]);
    state.set('base', base);
    state.set('t', new Tensor(base.storage, [4, 3], { stride: [1, 4] }));
    state.set('cols', new Tensor(base.storage, [2, 2], { stride: [4, 1], storageOffset: 5 }));
    state.set('half', Tensor.from('float16', new Uint16Array([1, -0.5, 65504].map(numberToHalf))));
    state.set('bf', Tensor.from('bfloat16', new Uint16Array([1, -0.5, 3e38].map(numberToBfloat16))));
    state.set('steps', Tensor.from('int64', new BigInt64Array([7n]), []));
    state.set('mask', Tensor.from('bool', new Uint8Array([1, 0, 1])));
    state.set('empty', Tensor.from('float32', new Float32Array(0), [0, 4]));
    state.set('frozen', Parameter.of(Tensor.from('int32', new Int32Array([1, 2])), false));
    extraState(state).set('_metadata', new PyOrderedDict([['', { version: 1 }]]));
    const out = join(dir, 'from-typescript.pt');
    writeFileSync(out, saveTorch(state));
    // The same in zip64 form (what checkpoints past 4 GiB need), which torch must read alike.
    const out64 = join(dir, 'from-typescript-zip64.pt');
    writeFileSync(out64, saveTorch(state, { zip64: true }));
    const report = runTorchPython(
      `import sys, torch
from collections import OrderedDict
s = torch.load(sys.argv[1], weights_only=True)
base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
want = OrderedDict([
  ('w', torch.nn.Parameter(torch.tensor([[1.5, -2, 3.25], [4, 5, 6]]))),
  ('base', base), ('t', base.t()), ('cols', base.view(-1)[5:].as_strided((2, 2), (4, 1))),
  ('half', torch.tensor([1, -0.5, 65504], dtype=torch.float16)),
  ('bf', torch.tensor([1, -0.5, 3e38], dtype=torch.bfloat16)),
  ('steps', torch.tensor(7)), ('mask', torch.tensor([True, False, True])),
  ('empty', torch.zeros(0, 4)), ('frozen', torch.nn.Parameter(torch.tensor([1, 2], dtype=torch.int32), requires_grad=False)),
])
assert type(s) is OrderedDict and list(s) == list(want), list(s)
for k, v in want.items():
    got = s[k]
    assert type(got) is type(v), (k, type(got))
    assert got.dtype == v.dtype and got.shape == v.shape and got.stride() == v.stride() and got.requires_grad == v.requires_grad, k
    assert torch.equal(got.detach(), v.detach()), (k, got, v)
assert s['t'].storage().data_ptr() == s['base'].storage().data_ptr() == s['cols'].storage().data_ptr()
assert s['cols'].storage_offset() == 5
assert s._metadata == {'': {'version': 1}}, s._metadata
s64 = torch.load(sys.argv[2], weights_only=True)
assert list(s64) == list(s) and all(torch.equal(s64[k].detach(), s[k].detach()) and s64[k].stride() == s[k].stride() for k in s)
print('ok')`,
      [out, out64],
    );
    expect(report.trim()).toBe('ok');
  });
});

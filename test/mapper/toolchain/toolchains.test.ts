// Issue 17, finding 9: one model behaves the same under every toolchain. vitest's transform
// (legacy decorators with metadata, from this folder's tsconfig), the TypeScript compiler (legacy
// with metadata, and TC39), and tsx/esbuild (legacy and TC39, never metadata) each compile
// profile-models.ts; the same pickles load to the same values or the same errors, and the same
// instances dump to the same bytes or the same errors.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { describeWithPython } from '../../helpers/python.js';
import { importDecorated } from '../../helpers/decorated.js';
import { hex, pythonPickles } from '../py.js';
import * as transformed from './profile-models.js';
import { runScenario } from './scenario.js';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const TSX = join(HERE, '..', '..', '..', 'node_modules', '.bin', 'tsx');

function underTsx(tsconfig: string, pickles: Record<string, string>): unknown {
  const run = spawnSync(TSX, ['--tsconfig', join(HERE, tsconfig), join(HERE, 'main.ts')], { input: JSON.stringify(pickles), encoding: 'utf8', cwd: HERE });
  if (run.status !== 0) throw new Error(`tsx failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

describeWithPython('mapper: the same model under every toolchain', () => {
  let pickles: Record<string, string>;
  beforeAll(() => {
    const made = pythonPickles(`
class Profile:
    pass
class Part:
    pass
m.place(m.module('tc'), Profile); m.place(sys.modules['tc'], Part)
import datetime
def profile(**fields):
    p = Profile()
    part = Part(); part.code = 'p1'
    base = dict(name='ada', count=3, ratio=0.25, active=True, label='l', data=b'\\x01', score=1.5, day=datetime.date(2024, 1, 2), part=part)
    base.update(fields)
    p.__dict__.update(base)
    return p
cases = {
    'good': profile(),
    'int name': profile(name=5),
    'float count': profile(count=2.5),
    'int ratio': profile(ratio=2),
    'int active': profile(active=1),
    'str data': profile(data='x'),
    'int label': profile(label=5),
    'none name': profile(name=None),
    'str day': profile(day='2024-01-02'),
}
for key, value in cases.items():
    out[key] = pickle.dumps(value, protocol=4)
`);
    pickles = Object.fromEntries(Object.entries(made).map(([name, bytes]) => [name, hex(bytes)]));
  });

  it('vitest\'s transform emits decorator metadata here, and it changes nothing', () => {
    const metadata = (Reflect as unknown as { getMetadata(key: string, target: object, property: string): unknown }).getMetadata;
    expect(metadata('design:type', transformed.Profile.prototype, 'name')).toBe(String);
    const results = runScenario(transformed, pickles);
    expect(results['loads int name']).toMatchObject({
      error: expect.stringMatching(
        /^UnpicklingError: tc\.Profile\.name: expected str, got 5 \(int\); the type str comes from the default "": declare the field's type to accept other values \(at byte \d+, opcode BUILD\)$/,
      ),
    });
    expect(results['loads float count']).toMatchObject({ error: expect.stringMatching(/tc\.Profile\.count: expected int, got 2\.5 \(float\); the type int comes from the default 0/) });
    expect(results['loads int active']).toMatchObject({ error: expect.stringMatching(/tc\.Profile\.active: expected bool, got 1 \(int\)/) });
    expect(results['loads str data']).toMatchObject({ error: expect.stringMatching(/tc\.Profile\.data: expected bytes, got "x" \(str\)/) });
    expect(results['loads none name']).toMatchObject({ error: expect.stringMatching(/tc\.Profile\.name: expected str, got None/) });
    expect(results['loads str day']).toMatchObject({ error: expect.stringMatching(/tc\.Profile\.day: expected datetime\.date, got "2024-01-02" \(str\)/) });
    expect(results['loads int ratio']).toMatchObject({ ok: { ratio: ['number', '2'] } });
    expect(results['loads int label']).toMatchObject({ ok: { label: ['number', '5'] } });
    expect(results['loads good']).toMatchObject({ ok: { name: ['string', 'ada'], part: ['Part', '{"code":"p1"}'] } });
    expect(results['dumps good']).toHaveProperty('ok');
    expect(results['dumps int name']).toMatchObject({ error: expect.stringMatching(/^PicklingError: tc\.Profile\.name: expected str, got 5 \(int\)/) });
    expect(results['dumps float count']).toMatchObject({ error: expect.stringMatching(/^PicklingError: tc\.Profile\.count: expected int, got 2\.5 \(float\)/) });
    expect(results['dumps str active']).toMatchObject({ error: expect.stringMatching(/^PicklingError: tc\.Profile\.active: expected bool/) });
    expect(results['dumps untyped label']).toHaveProperty('ok');
  });

  it('tsc (legacy with metadata, and TC39) and tsx/esbuild (legacy and TC39) give the same results', async () => {
    const expected = runScenario(transformed, pickles);
    const source = join(HERE, 'profile-models.ts');
    for (const standard of ['legacy', 'tc39'] as const) {
      const compiled = await importDecorated<typeof transformed>(source, standard);
      expect(runScenario(compiled, pickles), `tsc ${standard}`).toEqual(expected);
    }
    expect(underTsx('tsconfig.json', pickles), 'tsx legacy').toEqual(expected);
    expect(underTsx('tsconfig.tc39.json', pickles), 'tsx tc39').toEqual(expected);
  });
});

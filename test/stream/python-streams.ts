// Pickle streams written by real python3: one Pickler, several dump() calls.
import { runPython } from '../helpers/python.js';

export interface PythonStream {
  /** The whole stream. */
  readonly bytes: Uint8Array;
  /** Each pickle's own bytes, in order. */
  readonly pickles: Uint8Array[];
}

/**
 * Writes `values` (a Python expression for a list) with one Pickler of `protocol`; `clearMemo`
 * calls clear_memo() between dumps (every pickle stands alone), otherwise later pickles refer to
 * the memo of earlier ones. `unframed` strips the FRAME headers (protocol 4+ without framing, which
 * Python reads too).
 */
export function pythonStream(protocol: number, values: string, options: { clearMemo: boolean; unframed?: boolean }): PythonStream {
  const out = runPython(`
import io, pickle, pickletools, sys, json, datetime, decimal, collections
values = ${values}
buf = io.BytesIO()
p = pickle.Pickler(buf, protocol=${protocol})
ends = []
for v in values:
    if ${options.clearMemo ? 'True' : 'False'}:
        p.clear_memo()
    p.dump(v)
    ends.append(buf.tell())
data = buf.getvalue()
pickles = [data[a:b] for a, b in zip([0] + ends, ends)]
if ${options.unframed ? 'True' : 'False'}:
    def unframe(pk):
        frames = [pos for op, arg, pos in pickletools.genops(pk) if op.name == 'FRAME']
        out, last = [], 0
        for pos in frames:
            out.append(pk[last:pos]); last = pos + 9
        out.append(pk[last:])
        return b''.join(out)
    stripped = [unframe(pk) for pk in pickles]
    assert stripped != pickles, 'no frame to strip'
    pickles = stripped
sys.stdout.write(json.dumps([len(pk) for pk in pickles]) + '\\n')
sys.stdout.flush()
sys.stdout.buffer.write(b''.join(pickles))
`);
  const newline = out.indexOf(0x0a);
  const lengths = JSON.parse(out.subarray(0, newline).toString()) as number[];
  const bytes = new Uint8Array(out.subarray(newline + 1));
  const pickles: Uint8Array[] = [];
  let at = 0;
  for (const length of lengths) {
    pickles.push(bytes.slice(at, at + length));
    at += length;
  }
  if (at !== bytes.length) throw new Error('python stream lengths do not add up');
  return { bytes, pickles };
}

/** Values of every kind the opcodes cover, small enough to split at every byte. */
export const SMALL_VALUES = `[
    0, -1, 255, 65535, -2**31, 2**31, 2**70, -2**200,
    1.5, -0.0, float('inf'),
    'text', 'caf\\u00e9 \\u2603 \\U0001f600', 'line\\nbreak',
    b'', b'\\x00\\n\\xff' * 3, bytearray(b'ba'),
    None, True, False,
    [], [1, [2, [3]]], (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4),
    {}, {'a': 1, 'b': [1.0, 'x']}, {1: 'one', (2, 3): None},
    set(), {1, 2, 3}, frozenset({'f'}),
    datetime.date(2024, 2, 29), decimal.Decimal('1.25'), collections.OrderedDict(a=1),
]`;

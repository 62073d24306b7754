// `pickle-mapper show`: the loaded value as `python -m pickle` prints it (pprint).
import { pformat } from '../inspect/format/python-format.js';
import { intOption, type ParsedArgs, UsageError } from './args.js';
import type { CommandContext } from './context.js';
import { escapeForTerminal } from './terminal-text.js';
import { MAX_INPUT_HELP, MAX_INPUT_OPTION, maxInputBytesOption, readInput } from './input.js';
import { encodingOption, forInput, loadValues } from './load.js';
import { isTorchCheckpoint } from './archive.js';
import { loadTorch } from '../standard/torch/load.js';

export const SHOW_OPTIONS = [
  { long: 'all' },
  { long: 'width', short: 'w', value: true },
  { long: 'encoding', value: true },
  MAX_INPUT_OPTION,
] as const;

export const SHOW_USAGE = `Usage: pickle-mapper show [options] FILE|- [FILE|-...]

Load each pickle (nothing is imported or run) and print the value as \`python -m pickle\`
does, with pprint: for builtin types the text is Python's own (sorted dict keys, reprs of
str, bytes, floats, big ints, tuples, sets). Classes nobody registered print as calls,
module.Name(args, attribute=value, ...); cycles as [...] and {...}. Control characters
in names are escaped as Python's repr escapes them.

Options:
      --all              every pickle in each file (python -m pickle shows only the first)
  -w, --width N          line width (default 80)
      --encoding ENC     Python 2 str: ascii (default, as Python), latin1, utf-8 or bytes
${MAX_INPUT_HELP}
  -h, --help             show this help

FILE may be - for stdin; gzip input is recognised by its magic bytes. A torch.save
checkpoint (zip or legacy) prints as the value torch.load gives, tensors as Tensor values.`;

export function runShow(args: ParsedArgs, context: CommandContext): number {
  if (args.positionals.length === 0) throw new UsageError('show needs a FILE (or - for stdin)');
  const width = intOption(args, 'width', 80, 1);
  const encoding = encodingOption(args);
  const maxInputBytes = maxInputBytesOption(args);
  const all = args.options.has('all');
  for (const path of args.positionals) {
    const input = readInput(path, context.stdin, maxInputBytes);
    forInput(input, () => {
      // A torch.save checkpoint: loaded whole (its storages beside the pickle), nothing run.
      const values = isTorchCheckpoint(input.data)
        ? [loadTorch(input.data, { weightsOnly: false, dicts: 'map', maxInputBytes })]
        : loadValues(input, all, { encoding, keepFloatType: true, dicts: 'map', maxInputBytes });
      for (const value of values) {
        // Names (module, class, attribute) print as the pickle spells them: escaped here.
        const text = pformat(value, { width, maxWork: 10_000_000 + 64 * input.data.length });
        context.stdout.write(escapeForTerminal(text, { keepNewlines: true }) + '\n');
      }
    });
  }
  return 0;
}

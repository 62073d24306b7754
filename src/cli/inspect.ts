// `pickle-mapper inspect`: every pickle of the input as the JavaScript value `loads` gives
// (Node's util.inspect), to see the value model itself.
import { inspect } from 'node:util';
import { intOption, type ParsedArgs, UsageError } from './args.js';
import type { CommandContext } from './context.js';
import { escapeForTerminal } from './terminal-text.js';
import { MAX_INPUT_HELP, MAX_INPUT_OPTION, maxInputBytesOption, readInput } from './input.js';
import { encodingOption, forInput, loadValues } from './load.js';

export const INSPECT_OPTIONS = [
  { long: 'depth', value: true },
  { long: 'encoding', value: true },
  MAX_INPUT_OPTION,
] as const;

export const INSPECT_USAGE = `Usage: pickle-mapper inspect [options] FILE|- [FILE|-...]

Load every pickle in each file and print the JavaScript value \`loads\` gives for it
(Node's util.inspect): Tuple, Map, Set, PyObject placeholders and so on.

Options:
      --depth N          how deep to print (default 8)
      --encoding ENC     Python 2 str: ascii (default, as Python), latin1, utf-8 or bytes
${MAX_INPUT_HELP}
  -h, --help             show this help

FILE may be - for stdin; gzip input is recognised by its magic bytes.`;

export function runInspect(args: ParsedArgs, context: CommandContext): number {
  if (args.positionals.length === 0) throw new UsageError('inspect needs a FILE (or - for stdin)');
  const depth = intOption(args, 'depth', 8, 0);
  const encoding = encodingOption(args);
  const maxInputBytes = maxInputBytesOption(args);
  for (const path of args.positionals) {
    const input = readInput(path, context.stdin, maxInputBytes);
    forInput(input, () => {
      for (const value of loadValues(input, true, { encoding, maxInputBytes })) {
        const colors = process.stdout.isTTY === true;
        const text = inspect(value, { depth, colors });
        context.stdout.write(escapeForTerminal(text, { keepNewlines: true, keepColors: colors }) + '\n');
      }
    });
  }
  return 0;
}

// `pickle-mapper dis`: what `python -m pickletools` prints, with its options and defaults.
import { DisassemblyError, type DisassemblyMemo, disassemble } from '../inspect/dis/disassemble.js';
import { intOption, type ParsedArgs, stringOption, UsageError } from './args.js';
import { type CommandContext, report } from './context.js';
import { MAX_INPUT_HELP, MAX_INPUT_OPTION, maxInputBytesOption, readInput } from './input.js';
import { fileOutput, type Output } from './output.js';
import { describeArchive } from './archive.js';

export const DIS_OPTIONS = [
  { long: 'memo', short: 'm' },
  { long: 'indentlevel', short: 'l', value: true },
  { long: 'annotate', short: 'a' },
  { long: 'preamble', short: 'p', value: true },
  { long: 'output', short: 'o', value: true },
  { long: 'all' },
  MAX_INPUT_OPTION,
] as const;

/** The widest --indentlevel: pickletools takes any, but a line per MARK level of it is no use. */
const MAX_INDENT_LEVEL = 1000;

export const DIS_USAGE = `Usage: pickle-mapper dis [options] FILE|- [FILE|-...]

Disassemble pickles exactly as \`python -m pickletools\` does: offsets, opcodes, arguments
(Python reprs), MARK indentation, memo annotations and "highest protocol among opcodes = N".
A malformed pickle prints what was disassembled before the fault, then pickletools' error
(on stderr), and exits with status 1.

Options:
  -m, --memo             keep the memo between pickles (several files, or --all)
  -l, --indentlevel N    blanks per MARK level (default 4, at most 1000)
  -a, --annotate         add a short description of each opcode
  -p, --preamble TEXT    printed before each file when there are several
                         (default "==> {name} <==")
  -o, --output FILE      write the disassembly to FILE instead of stdout
      --all              every pickle in each file, one after another (pickletools
                         shows only the first)
${MAX_INPUT_HELP}
  -h, --help             show this help

FILE may be - for stdin; gzip input is recognised by its magic bytes. A torch.save
checkpoint (a zip archive) has its data.pkl disassembled.`;

/** Python's str.format with the one field pickletools offers: {name}. */
function formatPreamble(template: string, name: string): string {
  return template.replace(/\{\{|\}\}|\{name\}/g, (m) => (m === '{{' ? '{' : m === '}}' ? '}' : name));
}

export function runDis(args: ParsedArgs, context: CommandContext): number {
  if (args.positionals.length === 0) throw new UsageError('dis needs a FILE (or - for stdin)');
  const indentLevel = intOption(args, 'indentlevel', 4, -Infinity, MAX_INDENT_LEVEL);
  const maxInputBytes = maxInputBytesOption(args);
  const annotate = args.options.has('annotate') ? 30 : 0;
  const preamble = stringOption(args, 'preamble') ?? '==> {name} <==';
  const all = args.options.has('all');
  const several = args.positionals.length > 1;
  // As pickletools: one file gets a fresh memo; several share one with --memo.
  const sharedMemo: DisassemblyMemo | undefined = args.options.has('memo') && (several || all) ? new Map() : undefined;
  const outputPath = stringOption(args, 'output');
  const out: Output = outputPath === undefined ? context.stdout : fileOutput(outputPath);
  try {
    for (const path of args.positionals) {
      let input = readInput(path, context.stdin, maxInputBytes);
      if (several) out.write(formatPreamble(preamble, input.name) + '\n');
      const archive = describeArchive(input.data);
      if (archive !== undefined) {
        // pickletools would fail on the zip's first byte: say what it is, and go on with its pickle.
        out.flush();
        if (archive.pickle === undefined) {
          report(context, input.name, archive.description);
          return 1;
        }
        report(context, input.name, `${archive.description}: disassembling its data.pkl`);
        input = { name: input.name, data: archive.pickle };
      }
      let start = 0;
      do {
        try {
          const result = disassemble(input.data, { indentLevel, annotate, memo: sharedMemo, start, write: (text) => out.write(text) });
          start = result.end;
        } catch (error) {
          if (!(error instanceof DisassemblyError)) throw error;
          out.flush();
          report(context, input.name, `${error.message} (at byte ${error.offset})`);
          return 1;
        }
      } while (all && start < input.data.length);
    }
  } finally {
    out.close();
  }
  return 0;
}

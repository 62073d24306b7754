// The pickle-mapper command line: argument handling, dispatch, errors and exit statuses
// (0 success, 1 bad input, 2 bad usage).
import { version } from '../../package.json';
import { type OptionSpec, parseArgs, UsageError } from './args.js';
import { type CommandContext, PROGRAM, report } from './context.js';
import { DIS_OPTIONS, DIS_USAGE, runDis } from './dis.js';
import { DEFAULT_MAX_INPUT_BYTES, InputError, readStdin } from './input.js';
import { INSPECT_OPTIONS, INSPECT_USAGE, runInspect } from './inspect.js';
import { JSON_OPTIONS, JSON_USAGE, runJson } from './json.js';
import { OutputError, ReaderGone, stdoutOutput } from './output.js';
import { runShow, SHOW_OPTIONS, SHOW_USAGE } from './show.js';

export const USAGE = `Usage: pickle-mapper <command> [options] FILE|- [FILE|-...]

Read Python pickles safely (nothing is imported or run) from files or stdin (-);
gzip input is recognised by its magic bytes.

Commands:
  dis      disassemble, exactly as \`python -m pickletools\` prints it
  show     print the value as \`python -m pickle\` does (pprint)
  json     print the value as JSON (a lossless tagged mapping)
  inspect  print every pickle as the JavaScript value loads() gives

Options:
  -h, --help       show this help (\`pickle-mapper <command> --help\` for a command's)
  -V, --version    show the version

Every command reads at most --max-input-bytes N per input (default ${DEFAULT_MAX_INPUT_BYTES / 1024 ** 2}M),
gunzipped or not; text from the pickle is printed with control characters escaped.

Exit status: 0 on success, 1 when an input cannot be read or is not a valid pickle (or
the output cannot be written), 2 on a usage error.`;

interface Command {
  readonly options: readonly OptionSpec[];
  readonly usage: string;
  readonly run: (args: ReturnType<typeof parseArgs>, context: CommandContext) => number;
}

const HELP: OptionSpec = { long: 'help', short: 'h' };

// A Map: a name from the command line (`toString`, `__proto__`) finds nothing inherited.
const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['dis', { options: DIS_OPTIONS, usage: DIS_USAGE, run: runDis }],
  ['show', { options: SHOW_OPTIONS, usage: SHOW_USAGE, run: runShow }],
  ['json', { options: JSON_OPTIONS, usage: JSON_USAGE, run: runJson }],
  ['inspect', { options: INSPECT_OPTIONS, usage: INSPECT_USAGE, run: runInspect }],
]);

/** The default context: the process's own streams. */
export function processContext(): CommandContext {
  return {
    stdout: stdoutOutput(),
    stderr: (text) => {
      process.stderr.write(text);
    },
    stdin: readStdin,
  };
}

/** Runs the command line `argv` (without the node and script paths); returns the exit status. */
export function main(argv: readonly string[], context: CommandContext = processContext()): number {
  const name = argv[0];
  let status: number;
  try {
    status = dispatch(argv, context);
  } catch (error) {
    status = failureStatus(error, context, name);
  }
  try {
    context.stdout.close();
  } catch (error) {
    status = failureStatus(error, context, name);
  }
  return status;
}

function dispatch(argv: readonly string[], context: CommandContext): number {
  const [name, ...rest] = argv;
  if (name === undefined) {
    context.stderr(USAGE + '\n');
    return 2;
  }
  if (name === '-h' || name === '--help') {
    context.stdout.write(USAGE + '\n');
    return 0;
  }
  if (name === '-V' || name === '--version') {
    context.stdout.write(`${PROGRAM} ${version}\n`);
    return 0;
  }
  if (name === 'help') {
    const topicName = rest[0];
    if (topicName === undefined) {
      context.stdout.write(USAGE + '\n');
      return 0;
    }
    const topic = COMMANDS.get(topicName);
    if (!topic) throw new UsageError(`unknown command '${topicName}'`);
    context.stdout.write(topic.usage + '\n');
    return 0;
  }
  const command = COMMANDS.get(name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  const args = parseArgs(rest, [...command.options, HELP]);
  if (args.options.has('help')) {
    context.stdout.write(command.usage + '\n');
    return 0;
  }
  return command.run(args, context);
}

/** The exit status for a failure, reported on stderr; anything unforeseen is rethrown (a bug). */
function failureStatus(error: unknown, context: CommandContext, name: string | undefined): number {
  if (error instanceof UsageError) {
    const help = name !== undefined && COMMANDS.has(name) ? `${PROGRAM} ${name} --help` : `${PROGRAM} --help`;
    report(context, undefined, error.message);
    context.stderr(`Try '${help}' for more information.\n`);
    return 2;
  }
  if (error instanceof InputError) {
    report(context, error.inputName, error.message);
    return 1;
  }
  if (error instanceof ReaderGone) return 0;
  if (error instanceof OutputError) {
    report(context, error.outputName, error.message);
    return 1;
  }
  throw error;
}

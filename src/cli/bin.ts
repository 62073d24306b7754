// The pickle-mapper command line (Node only); the commands live in src/cli/. tsup builds this
// file into dist/cli.js, the package's `bin`.
import { installStandardTypes } from '../standard/index.js';
import { main } from './main.js';
import { alreadyReported } from './output.js';
import { describeSystemError } from './system-error.js';
import { escapeForTerminal } from './terminal-text.js';

// The commands load every pickle with the standard types (datetime, numpy...), as the full entry does.
installStandardTypes();

// Writes to stdout fail through this event. A reader that stops early (`pickle-mapper dis
// big.pkl | head`) is not an error; any other failure (a full disk) is, with exit status 1.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  if (alreadyReported(error)) process.exit(1);
  process.stderr.write(`pickle-mapper: <stdout>: cannot write: ${describeSystemError(error)}\n`);
  process.exit(1);
});

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  // Not an input or usage problem: a bug. Say so plainly, with the stack.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`pickle-mapper: internal error: ${escapeForTerminal(text, { keepNewlines: true })}\n`);
  process.exitCode = 70;
}

// The pickle-mapper command line (Node only); the commands live in src/cli/. tsup builds this
// file into dist/cli.js, the package's `bin`.
import { main } from './cli/main.js';

// A reader that stops early (`pickle-mapper dis big.pkl | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  // Not an input or usage problem: a bug. Say so plainly, with the stack.
  process.stderr.write(`pickle-mapper: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
}

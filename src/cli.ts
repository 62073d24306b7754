// The pickle-mapper command line (Node only). For now it loads pickles and prints them; the
// pickletools-compatible `dis`, Python-style `show` and `json` commands come with the CLI issue.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { PickleError } from './errors.js';
import { Unpickler } from './unpickler.js';

const USAGE = `Usage: pickle-mapper <command> [FILE|-]

Commands:
  inspect FILE|-   load every pickle in FILE (or stdin) and print each value
  --help           show this help

Gzip input is recognised by its magic bytes.`;

function readInput(path: string): Uint8Array {
  const raw = path === '-' ? readFileSync(0) : readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

function main(argv: string[]): number {
  const [command, file] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'inspect' || file === undefined) {
    console.error(USAGE);
    return 2;
  }
  const reader = new Unpickler(readInput(file));
  for (const value of reader) console.log(inspect(value, { depth: 8, colors: process.stdout.isTTY }));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`pickle-mapper: ${error instanceof PickleError || error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

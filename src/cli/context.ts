// What a command gets to work with, so that tests can run commands in-process too.
import type { Output } from './output.js';

export interface CommandContext {
  /** Standard output. */
  readonly stdout: Output;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Reads all of standard input. */
  readonly stdin: () => Uint8Array;
}

/** The program name in messages. */
export const PROGRAM = 'pickle-mapper';

/** Prints `pickle-mapper: NAME: message` on stderr. */
export function report(context: CommandContext, name: string | undefined, message: string): void {
  context.stderr(`${PROGRAM}: ${name === undefined ? '' : `${name}: `}${message}\n`);
}

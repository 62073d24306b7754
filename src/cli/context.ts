// What a command gets to work with, so that tests can run commands in-process too.
import type { Output } from './output.js';
import { escapeForTerminal } from './terminal-text.js';

export interface CommandContext {
  /** Standard output. */
  readonly stdout: Output;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Reads all of standard input, failing with an InputError past `limit` bytes. */
  readonly stdin: (limit: number) => Uint8Array;
}

/** The program name in messages. */
export const PROGRAM = 'pickle-mapper';

/**
 * Prints `pickle-mapper: NAME: message` on stderr. Name and message may quote the pickle or the
 * command line, so whatever Python's repr would escape is escaped, newlines included.
 */
export function report(context: CommandContext, name: string | undefined, message: string): void {
  const text = `${name === undefined ? '' : `${name}: `}${message}`;
  context.stderr(`${PROGRAM}: ${escapeForTerminal(text)}\n`);
}

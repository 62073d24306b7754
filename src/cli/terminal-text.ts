// Text from a pickle made safe for a terminal: every character Python's repr escapes (controls,
// C1 controls, format characters such as bidi overrides, separators other than the blank,
// surrogates, unassigned code points) is written as repr writes it, so a pickle cannot send
// escape sequences (`\x1b]0;...\x07`) to the user's terminal.
import { isPrintable } from '../codec/python-printable.js';

/** Only printable ASCII and newlines: nothing to do (the common case, checked first). */
const PLAIN = /^[\x20-\x7e\n]*$/;

/** A terminal colour sequence, as util.inspect writes them (kept when colours are on). */
const SGR = /^\x1b\[[0-9;]*m/;

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

/** Python's repr escape of one code point it does not print as itself. */
function reprEscape(cp: number): string {
  if (cp === 0x09) return '\\t';
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp <= 0xff) return `\\x${hex(cp, 2)}`;
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** A JSON escape of one code point: \uXXXX, or two for an astral one. */
function jsonEscape(cp: number): string {
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  const v = cp - 0x10000;
  return `\\u${hex(0xd800 + (v >> 10), 4)}\\u${hex(0xdc00 + (v & 0x3ff), 4)}`;
}

export interface EscapeOptions {
  /** Keep newlines as they are (multi-line output) instead of escaping them. Default false. */
  readonly keepNewlines?: boolean;
  /** Keep colour sequences (`\x1b[32m`) that the program itself wrote. Default false. */
  readonly keepColors?: boolean;
  /** Escape as JSON does (\u001b) rather than as Python's repr (\x1b). Default false. */
  readonly json?: boolean;
}

/** `text` with every character Python's repr would escape written as an escape. */
export function escapeForTerminal(text: string, options: EscapeOptions = {}): string {
  if (PLAIN.test(text) && (options.keepNewlines || !text.includes('\n'))) return text;
  const escape = options.json ? jsonEscape : reprEscape;
  let out = '';
  let plainStart = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const printable = (cp >= 0x20 && cp < 0x7f) || (cp === 0x0a && options.keepNewlines) || (cp >= 0xa0 && isPrintable(cp));
    if (printable) {
      i += width;
      continue;
    }
    if (cp === 0x1b && options.keepColors) {
      const color = SGR.exec(text.slice(i, i + 32));
      if (color) {
        i += color[0].length;
        continue;
      }
    }
    out += text.slice(plainStart, i) + escape(cp);
    i += width;
    plainStart = i;
  }
  return out + text.slice(plainStart);
}

// The decoders of pickletools' argument readers: the unpickler's own (codec/text-decoders.ts,
// codec/numbers.ts), raising the exception Python raises, worded as CPython words it, where they
// refuse the bytes. No Node imports.
import { FloatTextLimitError, IntDigitsLimitError, parsePythonFloat, parsePythonInt } from '../../codec/numbers.js';
import { INT_MAX_STR_DIGITS, reprBytes } from '../../codec/python-repr.js';
import { asciiFailure, type CodePointDecoder, DecodeFailure, type DecodeState, escapeDecode } from '../../codec/text-decoders.js';

/** The Python exception pickletools raises for a malformed pickle. */
export type PythonErrorType = 'ValueError' | 'UnicodeDecodeError' | 'IndexError';

/** A Python exception inside the port; the disassembler turns it into a DisassemblyError. */
export class PyError extends Error {
  constructor(
    readonly pythonType: PythonErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** A bound of this port that pickletools does not have was reached. */
export class PortLimitError extends Error {}

export const valueError = (message: string) => new PyError('ValueError', message);

/** The exception Python raises where a decoder refuses its input. */
export const decodeError = (failure: DecodeFailure) => new PyError(failure.pythonType, failure.message);

/** Bytes quoted in an error message: Python's repr, cut short past 1 MiB (Python quotes all). */
export function reprForMessage(bytes: Uint8Array): string {
  const shown = 1 << 20;
  if (bytes.length <= shown) return reprBytes(bytes);
  return `${reprBytes(bytes.subarray(0, shown))}... (${bytes.length} bytes)`;
}

/** One call of `decode` (see CodePointDecoder), raising Python's exception where the bytes are bad. */
export function decodeOrRaise(decode: CodePointDecoder, bytes: Uint8Array, state: DecodeState, out: Uint32Array): number {
  const count = decode(bytes, state, out);
  if (state.failure !== undefined) throw decodeError(state.failure);
  return count;
}

/** `codecs.escape_decode(bytes)[0].decode('ascii')`, as code points: read_stringnl's decoding. */
export function escapeDecodeAscii(bytes: Uint8Array): Uint8Array {
  const decoded = escapeDecode(bytes, 0, bytes.length);
  if (decoded instanceof DecodeFailure) throw decodeError(decoded);
  const failure = asciiFailure(decoded, 0, decoded.length);
  if (failure !== undefined) throw decodeError(failure);
  return decoded;
}

/** `int(bytes)` (base 10), with CPython's messages and its 4300-digit limit. */
export function intOf(bytes: Uint8Array): bigint {
  let value: number | bigint | null;
  try {
    value = parsePythonInt(bytes, 0, bytes.length, 10, INT_MAX_STR_DIGITS);
  } catch (error) {
    throw error instanceof IntDigitsLimitError ? valueError(error.pythonMessage) : error;
  }
  // CPython quotes the argument with %.200R: its repr cut at 200 characters.
  if (value === null) throw valueError(`invalid literal for int() with base 10: ${reprBytes(bytes.subarray(0, 200)).slice(0, 200)}`);
  return BigInt(value);
}

/** `float(bytes)`, with CPython's message. */
export function floatOf(bytes: Uint8Array): number {
  let value: number | null;
  try {
    value = parsePythonFloat(bytes, 0, bytes.length);
  } catch (error) {
    throw error instanceof FloatTextLimitError ? new PortLimitError(error.message) : error;
  }
  if (value === null) throw valueError(`could not convert string to float: ${reprForMessage(bytes)}`);
  return value;
}

// Bytes below protocol 3 are pickled as `_codecs.encode(text, 'latin1')`, each character of the
// text one byte. CPython writes that as: the `_codecs.encode` global (or a memo fetch of it),
// BINUNICODE text, BINPUT, 'latin1' (BINUNICODE + BINPUT the first time, BINGET after), TUPLE2,
// BINPUT, REDUCE. The unpickler runs the idiom in one step when it finds it whole (see
// Unpickler's #encodedLatin1), so that the text is never made next to the bytes.
import { Opcode } from '../protocol/opcodes.js';

/** Where the opcodes after the text put things, and where the idiom ends. */
export interface Latin1BytesIdiom {
  /** The memo index the text is put at, if it is. */
  textPut?: number;
  /** The memo index 'latin1' is put at, when it is written (not fetched) and put. */
  encodingPut?: number;
  /** The memo index the argument tuple is put at, if it is. */
  tuplePut?: number;
  /** The position just after REDUCE. */
  end: number;
}

/**
 * Reads the opcodes from `pos` (just after the text's BINUNICODE) up to REDUCE; undefined when
 * they are anything but the idiom. `memoValue` looks up what a memo fetch would give.
 */
export function matchLatin1BytesIdiom(
  data: Uint8Array,
  pos: number,
  memoValue: (index: number) => unknown,
): Latin1BytesIdiom | undefined {
  const idiom: Latin1BytesIdiom = { end: -1 };
  let at = pos;
  const put = (): number | undefined => {
    if (data[at] === Opcode.BINPUT && at + 2 <= data.length) {
      at += 2;
      return data[at - 1];
    }
    if (data[at] === Opcode.LONG_BINPUT && at + 5 <= data.length) {
      at += 5;
      return u32(data, at - 4);
    }
    return undefined;
  };
  idiom.textPut = put();
  // A fetch of what the text was just put at fetches the text, whatever the memo held before.
  const fetchesLatin1 = (index: number): boolean => index !== idiom.textPut && memoValue(index) === 'latin1';
  const code = data[at];
  if (code === Opcode.BINUNICODE && at + 11 <= data.length && u32(data, at + 1) === 6 && isLatin1Name(data, at + 5)) {
    at += 11;
    idiom.encodingPut = put();
  } else if (code === Opcode.BINGET && at + 2 <= data.length && fetchesLatin1(data[at + 1]!)) {
    at += 2;
  } else if (code === Opcode.LONG_BINGET && at + 5 <= data.length && fetchesLatin1(u32(data, at + 1))) {
    at += 5;
  } else {
    return undefined;
  }
  if (data[at++] !== Opcode.TUPLE2) return undefined;
  idiom.tuplePut = put();
  if (data[at++] !== Opcode.REDUCE) return undefined;
  idiom.end = at;
  return idiom;
}

function u32(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

const LATIN1_NAME = Uint8Array.from('latin1', (char) => char.charCodeAt(0));

/** Whether data[at, at + 6) is 'latin1'. */
function isLatin1Name(data: Uint8Array, at: number): boolean {
  for (let i = 0; i < LATIN1_NAME.length; i++) if (data[at + i] !== LATIN1_NAME[i]) return false;
  return true;
}

// Runs of flat list batches: CPython writes a list 1000 items at a time, MARK, items, APPENDS,
// and a list of numbers or strings is nothing but such batches, one after another. Counting the
// items of the whole run before any is decoded lets the list be sized once: growing a
// million-item array a push at a time costs more than decoding its items.
import { Opcode } from '../protocol/opcodes.js';

/**
 * One scan's input and result, reused from scan to scan (a run can be two items long, and a load
 * can hold hundreds of thousands of them: no allocation per run).
 */
export class BatchRunScan {
  /** In: the end of the current frame (-1 for none). */
  frameEnd = -1;
  /** In: the most items a batch may hold before its pushes would exceed maxDepth. */
  itemsPerBatch = 0;
  /** In: the memo's size: the index the next MEMOIZE fills, and one past the last index defined. */
  memoSize = 0;
  /** In: the most entries the memo may hold (maxMemo). */
  maxMemo = 0;
  /** In: whether BINFLOAT items are plain numbers (not keepFloatType's wrappers). */
  plainFloats = true;
  /** Out: the items of every batch of the run. */
  items = 0;
  /** Out: the position just past the run's last APPENDS. */
  end = -1;
}

/** The opcodes of a flat batch: each item pushes one value made from its own argument. */
export const FLAT_ITEM = new Uint8Array(256);
for (const code of [
  Opcode.BININT1, Opcode.BININT2, Opcode.BININT,
  Opcode.LONG1,
  Opcode.BINFLOAT,
  Opcode.SHORT_BINUNICODE, Opcode.BINUNICODE,
  Opcode.NONE, Opcode.NEWTRUE, Opcode.NEWFALSE,
  Opcode.BINGET, Opcode.LONG_BINGET,
]) {
  FLAT_ITEM[code] = 1;
}

/** Where the item after a MARK at `pos - 1` starts: past any FRAME headers there. */
function firstItemAt(data: Uint8Array, pos: number): number {
  // CPython's framer may start a frame between a MARK and the batch's first item; the scan
  // checks those frames.
  while (data[pos] === Opcode.FRAME) pos += 9;
  return pos;
}

/** Whether a flat item starts at `pos`, or after the FRAME headers there. */
export function flatItemAt(data: Uint8Array, pos: number): boolean {
  const at = firstItemAt(data, pos);
  return at < data.length && FLAT_ITEM[data[at]!] === 1;
}

/**
 * Whether the run's first item (after the MARK at `markPos`) is a number that may need a double
 * in V8: a float, a BININT (beyond 2^30 half the time) or a LONG1 of up to 7 bytes (not the
 * longer ones, most of which are bigints). A list that starts so is most likely all numbers
 * such as these: ids, timestamps, measurements.
 */
export function startsWithWideNumber(data: Uint8Array, markPos: number): boolean {
  const at = firstItemAt(data, markPos + 1);
  const code = data[at];
  return code === Opcode.BINFLOAT || code === Opcode.BININT || (code === Opcode.LONG1 && data[at + 1]! <= 7);
}

/**
 * The argument width of the items whose width the table can give, -1 for the rest (BINFLOAT's
 * depends on options): fixed, or one length byte plus what it counts when LENGTH_BYTE is 1.
 */
const ITEM_WIDTH = new Int8Array(256).fill(-1);
const LENGTH_BYTE = new Uint8Array(256);
ITEM_WIDTH[Opcode.BININT1] = 1;
ITEM_WIDTH[Opcode.BININT2] = 2;
ITEM_WIDTH[Opcode.BININT] = 4;
ITEM_WIDTH[Opcode.NONE] = 0;
ITEM_WIDTH[Opcode.NEWTRUE] = 0;
ITEM_WIDTH[Opcode.NEWFALSE] = 0;
for (const code of [Opcode.LONG1, Opcode.SHORT_BINUNICODE]) {
  ITEM_WIDTH[code] = 1;
  LENGTH_BYTE[code] = 1;
}

/**
 * Scans the batches from the MARK at `markPos` while each is whole and would load, opcode by
 * opcode, exactly as the one-step decode loads it: only flat items and the memo puts after them
 * (at the next free index, within maxMemo), fetches of defined memo entries, frames that begin
 * where the opcodes allow, and no more items a batch than the stack has room for. FRAME opcodes
 * may sit anywhere between opcodes, as CPython's framer puts them. Returns false when not even the
 * first batch qualifies; otherwise sets `scan.items` and `scan.end` and returns true.
 */
export function scanBatchRun(data: Uint8Array, view: DataView, markPos: number, scan: BatchRunScan): boolean {
  const length = data.length;
  const { itemsPerBatch, maxMemo, plainFloats } = scan;
  let items = 0;
  let end = -1;
  // Both run on through the batches; a batch that fails ends the run before it.
  let memo = scan.memoSize;
  let frame = scan.frameEnd;
  let pos = markPos;
  batches: for (;;) {
    // At a MARK: one batch, up to its APPENDS.
    pos++;
    let count = 0;
    for (;;) {
      if (pos >= length) break batches; // also when the last argument ran past the end
      const code = data[pos++]!;
      // Items with a fixed-width argument (most of them) by table, without a branch per kind.
      const width = ITEM_WIDTH[code]!;
      if (width >= 0) {
        // `| 0`: past the end there is no length byte, and the loop's first test ends the scan.
        pos += width + LENGTH_BYTE[code]! * (data[pos]! | 0);
        if (++count > itemsPerBatch) break batches;
        continue;
      }
      switch (code) {
        case Opcode.BINFLOAT:
          if (!plainFloats) break batches;
          pos += 8;
          count++;
          break;
        case Opcode.BINUNICODE:
          if (pos + 4 > length) break batches;
          pos += 4 + view.getUint32(pos, true);
          count++;
          break;
        case Opcode.BINGET:
          if (pos >= length || data[pos]! >= memo) break batches;
          pos += 1;
          count++;
          break;
        case Opcode.LONG_BINGET:
          if (pos + 4 > length || view.getUint32(pos, true) >= memo) break batches;
          pos += 4;
          count++;
          break;
        // The limit tests are the ones each opcode meets one at a time (inline MEMOIZE's, and
        // #memoGrow's for the puts), which differ only for a maxMemo that is not a whole number.
        case Opcode.MEMOIZE:
          if (count === 0 || !(memo < maxMemo)) break batches;
          memo++;
          continue;
        case Opcode.BINPUT:
          if (count === 0 || pos >= length || data[pos]! !== memo || memo + 1 > maxMemo) break batches;
          pos += 1;
          memo++;
          continue;
        case Opcode.LONG_BINPUT:
          if (count === 0 || pos + 4 > length || view.getUint32(pos, true) !== memo || memo + 1 > maxMemo) break batches;
          pos += 4;
          memo++;
          continue;
        case Opcode.FRAME:
          frame = frameAfter(view, pos, frame);
          if (frame < 0) break batches;
          pos += 8;
          continue;
        case Opcode.APPENDS:
          if (count === 0) break batches; // CPython never writes an empty batch
          break;
        default:
          break batches;
      }
      if (code === Opcode.APPENDS) break;
      if (count > itemsPerBatch) break batches;
    }
    items += count;
    end = pos;
    // Between batches: any frames, then the next batch's MARK and its first item.
    while (pos < length && data[pos] === Opcode.FRAME) {
      frame = frameAfter(view, pos + 1, frame);
      if (frame < 0) break batches;
      pos += 9;
    }
    if (pos >= length || data[pos] !== Opcode.MARK || !flatItemAt(data, pos + 1)) break;
  }
  scan.items = items;
  scan.end = end;
  return end >= 0;
}

/**
 * The end of the frame whose 8-byte length is at `pos`, or -1 when the FRAME would fail: a new
 * frame before the current one ends, or a frame longer than the input.
 */
export function frameAfter(view: DataView, pos: number, frameEnd: number): number {
  if (pos + 8 > view.byteLength) return -1;
  const frameStart = pos + 8;
  const length = view.getUint32(pos + 4, true) * 0x1_0000_0000 + view.getUint32(pos, true);
  if (frameEnd > frameStart || length > view.byteLength - frameStart) return -1;
  return frameStart + length;
}

/**
 * Where the decode of a run stands: the start of its current batch (what sending the batch back
 * returns to), and whether the run fetched the list itself from the memo. Reused from run to run.
 */
export class BatchRunProgress {
  /** The current batch's MARK. */
  mark = 0;
  /** The list's length before the current batch. */
  fill = 0;
  /** The end of the frame before the current batch (-1 for none). */
  frameEnd = -1;
  /** A memo fetch in the run gave the list itself. */
  holdsItself = false;
}

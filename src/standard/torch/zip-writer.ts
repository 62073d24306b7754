// A zip archive of stored (uncompressed) entries, each entry's data aligned to 64 bytes as
// torch's own writer aligns them (padding in the local header's extra field), so that a reader
// can view tensor data in place.
import { PicklingError } from '../../errors.js';

export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
}

const ALIGNMENT = 64;
const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
const EOCD_SIZE = 22;
/** Extra-field id of the padding (torch writes 'FB'). */
const PADDING_ID = 0x4246;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table === undefined) {
    table = new Uint32Array(256 * 4);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    for (let n = 0; n < 256; n++) {
      for (let s = 1; s < 4; s++) table[s * 256 + n] = (table[(s - 1) * 256 + n]! >>> 8) ^ table[table[(s - 1) * 256 + n]! & 0xff]!;
    }
  }
  return table;
}

/** CRC-32 of bytes (as zip stores it), four bytes a step. */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let crc = 0xffffffff;
  let i = 0;
  const end4 = bytes.length - (bytes.length % 4);
  for (; i < end4; i += 4) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    crc = t[768 + (crc & 0xff)]! ^ t[512 + ((crc >>> 8) & 0xff)]! ^ t[256 + ((crc >>> 16) & 0xff)]! ^ t[crc >>> 24]!;
  }
  for (; i < bytes.length; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const encoder = new TextEncoder();

/** The archive's bytes: local headers and data in order, then the central directory. */
export function writeZip(inputs: readonly ZipInput[]): Uint8Array {
  const names = inputs.map((input) => encoder.encode(input.name));
  const layout: Array<{ header: number; padding: number; data: number }> = [];
  let offset = 0;
  for (let i = 0; i < inputs.length; i++) {
    const headerEnd = offset + LOCAL_SIZE + names[i]!.length;
    // An extra field needs 4 bytes of its own; pad to the next aligned position beyond that.
    let padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    if (padding > 0 && padding < 4) padding += ALIGNMENT;
    layout.push({ header: offset, padding, data: headerEnd + padding });
    offset = headerEnd + padding + inputs[i]!.data.length;
  }
  const directoryOffset = offset;
  const directorySize = names.reduce((n, name) => n + CENTRAL_SIZE + name.length, 0);
  const total = directoryOffset + directorySize + EOCD_SIZE;
  if (total > 0xffffffff || inputs.length > 0xffff) {
    throw new PicklingError(`a checkpoint of ${total} bytes in ${inputs.length} records needs zip64, which saveTorch does not write yet`, undefined, { code: 'UNREPRESENTABLE' });
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = directoryOffset;
  for (let i = 0; i < inputs.length; i++) {
    const { data } = inputs[i]!;
    const name = names[i]!;
    const { header, padding } = layout[i]!;
    const crc = crc32(data);
    view.setUint32(header, 0x04034b50, true);
    view.setUint16(header + 4, 20, true);
    view.setUint16(header + 6, 0, true);
    view.setUint16(header + 8, 0, true);
    view.setUint32(header + 10, 0, true);
    view.setUint32(header + 14, crc, true);
    view.setUint32(header + 18, data.length, true);
    view.setUint32(header + 22, data.length, true);
    view.setUint16(header + 26, name.length, true);
    view.setUint16(header + 28, padding, true);
    out.set(name, header + LOCAL_SIZE);
    if (padding > 0) {
      const extra = header + LOCAL_SIZE + name.length;
      view.setUint16(extra, PADDING_ID, true);
      view.setUint16(extra + 2, padding - 4, true);
      out.fill(0x5a, extra + 4, extra + padding);
    }
    out.set(data, layout[i]!.data);
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint32(at + 16, crc, true);
    view.setUint32(at + 20, data.length, true);
    view.setUint32(at + 24, data.length, true);
    view.setUint16(at + 28, name.length, true);
    view.setUint32(at + 42, header, true);
    out.set(name, at + CENTRAL_SIZE);
    at += CENTRAL_SIZE + name.length;
  }
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, inputs.length, true);
  view.setUint16(at + 10, inputs.length, true);
  view.setUint32(at + 12, directorySize, true);
  view.setUint32(at + 16, directoryOffset, true);
  return out;
}

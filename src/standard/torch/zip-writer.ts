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

const ZIP64_LIMIT = 0xffffffff;
const ZIP64_LOCAL_EXTRA = 20; // id, length, size, compressed size
const ZIP64_CENTRAL_EXTRA = 28; // id, length, size, compressed size, offset
const ZIP64_END_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;

export interface ZipWriteOptions {
  /** Write zip64 records even when the archive would fit without them (they are needed past 4 GiB). */
  zip64?: boolean;
}

/** The archive's bytes: local headers and data in order, then the central directory. */
export function writeZip(inputs: readonly ZipInput[], options: ZipWriteOptions = {}): Uint8Array {
  const names = inputs.map((input) => encoder.encode(input.name));
  const plainSize = inputs.reduce((n, input, i) => n + LOCAL_SIZE + names[i]!.length + ALIGNMENT + 4 + input.data.length + CENTRAL_SIZE + names[i]!.length, EOCD_SIZE);
  const zip64 = options.zip64 === true || plainSize > ZIP64_LIMIT || inputs.length >= 0xffff;
  const localExtra = zip64 ? ZIP64_LOCAL_EXTRA : 0;
  const layout: Array<{ header: number; padding: number; data: number }> = [];
  let offset = 0;
  for (let i = 0; i < inputs.length; i++) {
    const headerEnd = offset + LOCAL_SIZE + names[i]!.length + localExtra;
    // The padding is an extra field of its own (4 bytes of header): pad to the next aligned position beyond that.
    let padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    if (padding > 0 && padding < 4) padding += ALIGNMENT;
    layout.push({ header: offset, padding, data: headerEnd + padding });
    offset = headerEnd + padding + inputs[i]!.data.length;
  }
  const directoryOffset = offset;
  const centralExtra = zip64 ? ZIP64_CENTRAL_EXTRA : 0;
  const directorySize = names.reduce((n, name) => n + CENTRAL_SIZE + name.length + centralExtra, 0);
  const total = directoryOffset + directorySize + (zip64 ? ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE : 0) + EOCD_SIZE;
  if (total > Number.MAX_SAFE_INTEGER) throw new PicklingError(`an archive of ${total} bytes is too large`, undefined, { code: 'UNREPRESENTABLE' });
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const version = zip64 ? 45 : 20;
  let at = directoryOffset;
  for (let i = 0; i < inputs.length; i++) {
    const { data } = inputs[i]!;
    const name = names[i]!;
    const { header, padding } = layout[i]!;
    const crc = crc32(data);
    const size32 = zip64 ? ZIP64_LIMIT : data.length;
    view.setUint32(header, 0x04034b50, true);
    view.setUint16(header + 4, version, true);
    view.setUint16(header + 6, 0, true);
    view.setUint16(header + 8, 0, true);
    view.setUint32(header + 10, 0, true);
    view.setUint32(header + 14, crc, true);
    view.setUint32(header + 18, size32, true);
    view.setUint32(header + 22, size32, true);
    view.setUint16(header + 26, name.length, true);
    view.setUint16(header + 28, localExtra + padding, true);
    out.set(name, header + LOCAL_SIZE);
    let extra = header + LOCAL_SIZE + name.length;
    if (zip64) {
      view.setUint16(extra, 1, true);
      view.setUint16(extra + 2, 16, true);
      view.setBigUint64(extra + 4, BigInt(data.length), true);
      view.setBigUint64(extra + 12, BigInt(data.length), true);
      extra += ZIP64_LOCAL_EXTRA;
    }
    if (padding > 0) {
      view.setUint16(extra, PADDING_ID, true);
      view.setUint16(extra + 2, padding - 4, true);
      out.fill(0x5a, extra + 4, extra + padding);
    }
    out.set(data, layout[i]!.data);
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, version, true);
    view.setUint16(at + 6, version, true);
    view.setUint32(at + 16, crc, true);
    view.setUint32(at + 20, size32, true);
    view.setUint32(at + 24, size32, true);
    view.setUint16(at + 28, name.length, true);
    view.setUint16(at + 30, centralExtra, true);
    view.setUint32(at + 42, zip64 ? ZIP64_LIMIT : header, true);
    out.set(name, at + CENTRAL_SIZE);
    if (zip64) {
      const field = at + CENTRAL_SIZE + name.length;
      view.setUint16(field, 1, true);
      view.setUint16(field + 2, 24, true);
      view.setBigUint64(field + 4, BigInt(data.length), true);
      view.setBigUint64(field + 12, BigInt(data.length), true);
      view.setBigUint64(field + 20, BigInt(header), true);
    }
    at += CENTRAL_SIZE + name.length + centralExtra;
  }
  if (zip64) {
    const record = at;
    view.setUint32(record, 0x06064b50, true);
    view.setBigUint64(record + 4, BigInt(ZIP64_END_SIZE - 12), true);
    view.setUint16(record + 12, 45, true);
    view.setUint16(record + 14, 45, true);
    view.setBigUint64(record + 24, BigInt(inputs.length), true);
    view.setBigUint64(record + 32, BigInt(inputs.length), true);
    view.setBigUint64(record + 40, BigInt(directorySize), true);
    view.setBigUint64(record + 48, BigInt(directoryOffset), true);
    at += ZIP64_END_SIZE;
    view.setUint32(at, 0x07064b50, true);
    view.setBigUint64(at + 8, BigInt(record), true);
    view.setUint32(at + 16, 1, true);
    at += ZIP64_LOCATOR_SIZE;
  }
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, zip64 ? 0xffff : inputs.length, true);
  view.setUint16(at + 10, zip64 ? 0xffff : inputs.length, true);
  view.setUint32(at + 12, zip64 ? ZIP64_LIMIT : directorySize, true);
  view.setUint32(at + 16, zip64 ? ZIP64_LIMIT : directoryOffset, true);
  return out;
}

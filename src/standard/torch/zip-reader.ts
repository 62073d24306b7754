// The central directory of a zip archive and its stored (uncompressed) entries as views of the
// archive's bytes, which is all torch.save writes. Every size and offset is checked against the
// archive before it is used: a lying header gives an UnpicklingError, never an out-of-bounds view
// or an allocation of the size it claims.
import { UnpicklingError } from '../../errors.js';

/** Random access to an archive: the whole file in memory, or a file read piece by piece. */
export interface ZipSource {
  readonly size: number;
  /** Read each storage on its first use rather than during the load (a file on disk). */
  readonly lazy?: boolean;
  /** `length` bytes at `offset` (both within `size`). */
  read(offset: number, length: number): Uint8Array;
}

export interface ZipEntry {
  readonly name: string;
  /** 0 = stored; anything else is compressed. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  /** Where the entry's bytes start (after its local header). */
  readonly dataOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;

export function archiveError(message: string): UnpicklingError {
  return new UnpicklingError(message, { code: 'INVALID_ARCHIVE' });
}

/** Whether bytes start like a zip archive (a local file header). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** A ZipSource over bytes in memory (reads are views, not copies). */
export function bytesSource(bytes: Uint8Array): ZipSource {
  return { size: bytes.byteLength, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

function u64(view: DataView, at: number, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw archiveError(`zip ${what} ${value} is beyond any file`);
  return Number(value);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The archive's entries by name, in directory order, each checked to lie inside the archive. */
export function readZipDirectory(source: ZipSource): Map<string, ZipEntry> {
  const { size } = source;
  if (size < EOCD_SIZE) throw archiveError('not a zip archive: too short for its end-of-directory record');
  const tailLength = Math.min(size, EOCD_SIZE + 0xffff + 20 + 56);
  const tailStart = size - tailLength;
  const tail = source.read(tailStart, tailLength);
  const tailView = viewOf(tail);
  let eocd = -1;
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tailView.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw archiveError('not a zip archive: no end-of-central-directory record (truncated?)');
  let count = tailView.getUint16(eocd + 10, true);
  let directorySize = tailView.getUint32(eocd + 12, true);
  let directoryOffset = tailView.getUint32(eocd + 16, true);
  let directoryEnd = tailStart + eocd;
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tailView.getUint32(locator, true) !== ZIP64_LOCATOR) throw archiveError('zip64 archive without its zip64 locator');
    const recordOffset = u64(tailView, locator + 8, 'zip64 record offset');
    if (recordOffset + 56 > tailStart + locator) throw archiveError(`zip64 end record offset ${recordOffset} is beyond the archive`);
    const record = viewOf(source.read(recordOffset, 56));
    if (record.getUint32(0, true) !== ZIP64_EOCD) throw archiveError(`no zip64 end record at offset ${recordOffset}`);
    count = u64(record, 32, 'entry count');
    directorySize = u64(record, 40, 'directory size');
    directoryOffset = u64(record, 48, 'directory offset');
    directoryEnd = recordOffset;
  }
  if (directoryOffset + directorySize > directoryEnd) {
    throw archiveError(`zip central directory (offset ${directoryOffset}, ${directorySize} bytes) runs past its end record at ${directoryEnd}`);
  }
  if (count * CENTRAL_SIZE > directorySize) throw archiveError(`zip claims ${count} entries in a ${directorySize}-byte directory`);
  const directory = source.read(directoryOffset, directorySize);
  const view = viewOf(directory);
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_SIZE > directory.length || view.getUint32(at, true) !== CENTRAL) throw archiveError(`zip directory entry ${i} is malformed`);
    const method = view.getUint16(at + 10, true);
    const crc32 = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const end = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (end > directory.length) throw archiveError(`zip directory entry ${i} runs past the directory`);
    const name = utf8.decode(directory.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength));
    // zip64: the fields at their maximum are in the extra field (id 1), in this order.
    let extra = at + CENTRAL_SIZE + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (extra + 4 + length > extraEnd) throw archiveError(`zip directory entry '${name}' has a malformed extra field`);
      if (id === 1) {
        let field = extra + 4;
        const next = (what: string): number => {
          if (field + 8 > extra + 4 + length) throw archiveError(`zip64 field of '${name}' lacks its ${what}`);
          const value = u64(view, field, what);
          field += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = next('size');
        if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next('offset');
      }
      extra += 4 + length;
    }
    at = end;
    if (localHeaderOffset + LOCAL_SIZE > directoryOffset) throw archiveError(`zip entry '${name}' has its header at ${localHeaderOffset}, beyond the entries`);
    if (entries.has(name)) throw archiveError(`zip entry '${name}' appears twice`);
    entries.set(name, { name, method, compressedSize, size: uncompressedSize, crc32, localHeaderOffset, dataOffset: -1 });
  }
  return locateData(source, entries, directoryOffset);
}

/** Reads each local header to find where the data start, and checks entries do not overlap. */
function locateData(source: ZipSource, entries: Map<string, ZipEntry>, directoryOffset: number): Map<string, ZipEntry> {
  const located = new Map<string, ZipEntry>();
  for (const entry of entries.values()) {
    const header = viewOf(source.read(entry.localHeaderOffset, LOCAL_SIZE));
    if (header.getUint32(0, true) !== LOCAL) throw archiveError(`zip entry '${entry.name}' has no local header at offset ${entry.localHeaderOffset}`);
    const dataOffset = entry.localHeaderOffset + LOCAL_SIZE + header.getUint16(26, true) + header.getUint16(28, true);
    if (dataOffset + entry.compressedSize > directoryOffset) {
      throw archiveError(`zip entry '${entry.name}' (${entry.compressedSize} bytes at offset ${dataOffset}) runs past the entries' end at ${directoryOffset}`);
    }
    located.set(entry.name, { ...entry, dataOffset });
  }
  const byOffset = [...located.values()].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    const entry = byOffset[i]!;
    if (entry.localHeaderOffset < previous.dataOffset + previous.compressedSize) {
      throw archiveError(`zip entries '${previous.name}' and '${entry.name}' overlap`);
    }
  }
  return located;
}

/** A stored entry's bytes: a view of the source (a copy only for a source that reads files). */
export function readStoredEntry(source: ZipSource, entry: ZipEntry): Uint8Array {
  checkStoredEntry(entry);
  return source.read(entry.dataOffset, entry.size);
}

/** Throws unless the entry is stored uncompressed with consistent sizes. */
export function checkStoredEntry(entry: ZipEntry): void {
  if (entry.method !== 0) {
    throw archiveError(`zip entry '${entry.name}' is compressed (method ${entry.method}); torch.save stores its records uncompressed, and only those are read`);
  }
  if (entry.compressedSize !== entry.size) throw archiveError(`stored zip entry '${entry.name}' claims ${entry.size} bytes but occupies ${entry.compressedSize}`);
}

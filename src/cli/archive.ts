// Inputs that are zip archives rather than pickles: a torch.save checkpoint is one, with its
// pickle at <folder>/data.pkl. dis disassembles that pickle, show prints the loaded checkpoint.
import { PickleError } from '../errors.js';
import { type ZipEntry, bytesSource, looksLikeZip, readStoredEntry, readZipDirectory } from '../standard/torch/zip-reader.js';
import { isLegacyStream } from '../standard/torch/load.js';

export interface ArchiveInfo {
  /** What the input is, in words. */
  readonly description: string;
  /** The checkpoint's pickle (data.pkl), when the archive is a torch.save file. */
  readonly pickle: Uint8Array | undefined;
}

/** Undefined for an input that is not a zip archive; else what it is and its pickle if any. */
export function describeArchive(data: Uint8Array): ArchiveInfo | undefined {
  if (!looksLikeZip(data)) return undefined;
  const source = bytesSource(data);
  let entries: Map<string, ZipEntry>;
  try {
    entries = readZipDirectory(source);
  } catch (error) {
    if (error instanceof PickleError) return { description: `a zip archive, not a pickle, and a broken one: ${error.message}`, pickle: undefined };
    throw error;
  }
  const pkl = [...entries.values()].find((entry) => /^[^/]+\/data\.pkl$/.test(entry.name) || entry.name === 'data.pkl');
  if (pkl === undefined) {
    const names = [...entries.keys()].slice(0, 5).join(', ');
    return { description: `a zip archive of ${entries.size} entries (${names}${entries.size > 5 ? ', ...' : ''}), not a pickle`, pickle: undefined };
  }
  const storages = [...entries.keys()].filter((name) => name.startsWith(pkl.name.slice(0, -'data.pkl'.length) + 'data/')).length;
  const description = `a zip archive: a torch.save checkpoint (${pkl.name} and ${storages} storage records)`;
  try {
    return { description, pickle: readStoredEntry(source, pkl) };
  } catch (error) {
    if (error instanceof PickleError) return { description: `${description}, whose pickle cannot be read: ${error.message}`, pickle: undefined };
    throw error;
  }
}

/** Whether the input is a torch checkpoint show should load with loadTorch (zip or legacy). */
export function isTorchCheckpoint(data: Uint8Array): boolean {
  return looksLikeZip(data) || isLegacyStream(data);
}

// Writing a torch.save zip archive from TypeScript: the value pickled at protocol 2 with each
// Storage as a persistent id ('storage', torch.<Type>Storage, key, location, numel) and its bytes
// as the record data/<key>, once per storage however many tensors view it.
import { PicklingError } from '../../errors.js';
import { dumps } from '../../codec/pickler.js';
import { Storage } from '../../values/torch.js';
import { tuple } from '../../values/tuple.js';
import { defaultRegistry, type Registry } from '../../registry/registry.js';
import { storageTypeGlobal, torchHandlers, torchRegistry } from './handlers.js';
import { writeZip, type ZipInput } from './zip-writer.js';

export interface TorchSaveOptions {
  /** The archive's top folder (torch uses the file's stem). Default 'archive'. */
  archiveName?: string;
  /** A registry for other values the checkpoint holds; torch's handlers are placed over it. */
  registry?: Registry;
  /** Write zip64 records even when not needed (they are written anyway past 4 GiB). */
  zip64?: boolean;
}

const FORMAT_VERSION = '3\n';

/** The bytes of a torch.save file holding `value` (a state_dict of Tensors, or any picklable value). */
export function saveTorch(value: unknown, options: TorchSaveOptions = {}): Uint8Array {
  const archive = options.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(archive)) throw new PicklingError(`archiveName must be a plain folder name, not '${archive}'`, undefined, { code: 'INVALID_ARGUMENT' });
  const keys = new Map<Storage, string>();
  const persistentId = (candidate: unknown): unknown => {
    if (!(candidate instanceof Storage)) return undefined;
    let key = keys.get(candidate);
    if (key === undefined) {
      key = String(keys.size);
      keys.set(candidate, key);
    }
    return tuple('storage', storageTypeGlobal(candidate.dtype), key, candidate.device, candidate.size);
  };
  const registry = torchRegistry(torchHandlers({ module: 'torch.storage', name: '_load_from_bytes' }), options.registry ?? defaultRegistry());
  const pickle = dumps(value, { protocol: 2, persistentId, registry });
  const records: ZipInput[] = [{ name: `${archive}/data.pkl`, data: pickle }, { name: `${archive}/byteorder`, data: new TextEncoder().encode('little') }];
  for (const [storage, key] of keys) records.push({ name: `${archive}/data/${key}`, data: storage.bytes });
  records.push({ name: `${archive}/version`, data: new TextEncoder().encode(FORMAT_VERSION) });
  return writeZip(records, { zip64: options.zip64 });
}

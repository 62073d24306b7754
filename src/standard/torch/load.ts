// Reading what torch.save writes, without torch: the zip archive of torch 1.6+ (data.pkl, whose
// persistent ids name the data/<key> records), the legacy stream of stacked pickles (magic number,
// protocol version, sys_info, the object, the storage keys, then the raw storages), and a plain
// pickle such as pickle.dumps(tensor) (storages as torch.storage._load_from_bytes(legacy stream)).
import { PickleError, UnpicklingError } from '../../errors.js';
import { Unpickler, type LoadOptions } from '../../codec/unpickler.js';
import type { PyClassHandler, Registry } from '../../registry/registry.js';
import { typeName } from '../../values/describe.js';
import { Storage, type TorchDtype, torchItemsize } from '../../values/torch.js';
import { isTuple } from '../../values/tuple.js';
import { WeightsOnlyRegistry, dtypeOfStorageType, isStorageTuple, torchHandlers, torchRegistry } from './handlers.js';
import { type ZipEntry, type ZipSource, archiveError, bytesSource, checkStoredEntry, looksLikeZip, readStoredEntry, readZipDirectory } from './zip-reader.js';

export interface TorchLoadOptions {
  /**
   * As torch.load(weights_only=True) (default true): only tensors, parameters, storages,
   * OrderedDict and plain data are rebuilt; any other global is an UnpicklingError with code
   * FORBIDDEN_GLOBAL. false loads other globals as placeholders (never running anything).
   */
  weightsOnly?: boolean;
  /** Handlers for more globals (allowed in a weights-only load too), over torch's own. */
  registry?: Registry;
  /** Dict representation, as for loads: 'auto' (default) or 'map'. */
  dicts?: LoadOptions['dicts'];
  /** Largest data.pkl (or legacy pickle) accepted, in bytes; as loads' maxInputBytes. */
  maxInputBytes?: number;
}

/** torch's legacy magic number, the first pickle of a legacy stream. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/**
 * Loads a torch.save file (zip or legacy) or a pickle of tensors (pickle.dumps) from bytes. Tensor
 * data are views of `bytes` where aligned (torch aligns its zip records to 64 bytes).
 */
export function loadTorch(bytes: Uint8Array | ArrayBuffer, options: TorchLoadOptions = {}): unknown {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (looksLikeZip(data)) return loadTorchArchive(bytesSource(data), options);
  return loadTorchStream(data, options);
}

/** The handlers and registry of one load; `_load_from_bytes` loads nested legacy streams with the same options. */
function loadRegistry(options: TorchLoadOptions): Registry {
  const loadFromBytes: PyClassHandler<Storage> = {
    module: 'torch.storage',
    name: '_load_from_bytes',
    kind: 'function',
    call(args) {
      const [inner] = args;
      if (!(inner instanceof Uint8Array)) throw new PickleError(`torch.storage._load_from_bytes needs bytes, not ${typeName(inner)}`, { code: 'INVALID_TENSOR' });
      const storage = loadTorch(inner, options);
      if (!(storage instanceof Storage)) throw new PickleError(`torch.storage._load_from_bytes gave ${typeName(storage)}, not a storage`, { code: 'INVALID_TENSOR' });
      return storage;
    },
  };
  const handlers = torchHandlers(loadFromBytes as PyClassHandler);
  return options.weightsOnly === false ? torchRegistry(handlers, options.registry) : new WeightsOnlyRegistry(handlers, options.registry);
}

function unpicklerOptions(options: TorchLoadOptions, registry: Registry, persistentLoad: (pid: unknown) => unknown): LoadOptions {
  return {
    registry,
    persistentLoad,
    dicts: options.dicts,
    maxInputBytes: options.maxInputBytes,
    // Protocol 2 pickles name Python 3 modules already; torch writes no Python 2 names.
    encoding: 'latin1',
  };
}

interface StoragePid {
  readonly dtype: TorchDtype;
  readonly key: string;
  readonly location: string;
  readonly numel: number;
  readonly viewMetadata: unknown;
}

function storagePid(pid: unknown): StoragePid {
  if (!isStorageTuple(pid)) {
    const kind = isTuple(pid) && typeof pid[0] === 'string' ? `'${pid[0]}'` : typeName(pid);
    throw new PickleError(`unsupported persistent id ${kind}: torch checkpoints name storages as ('storage', type, key, location, numel)`, { code: 'INVALID_TENSOR' });
  }
  const [, type, key, location, numelValue, viewMetadata] = pid;
  const numel = typeof numelValue === 'bigint' ? Number(numelValue) : numelValue;
  if (typeof key !== 'string' || typeof location !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw new PickleError('a storage persistent id must be (str, type, str key, str location, non-negative int numel)', { code: 'INVALID_TENSOR' });
  }
  return { dtype: dtypeOfStorageType(type), key, location, numel, viewMetadata };
}

/** The record prefix ("archive/") of a torch zip: the folder holding data.pkl. */
function recordPrefix(entries: Map<string, ZipEntry>): string {
  for (const name of entries.keys()) {
    const slash = name.indexOf('/');
    if (slash > 0 && name.slice(slash + 1) === 'data.pkl') return name.slice(0, slash + 1);
  }
  if (entries.has('data.pkl')) return '';
  throw archiveError('this zip archive is not a torch.save file: it has no <folder>/data.pkl record');
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes).trim();
}

/** Swaps the bytes of each element (a big-endian file read on a little-endian machine). */
function swapped(bytes: Uint8Array, elementSize: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += elementSize) {
    for (let j = 0; j < elementSize; j++) out[i + j] = bytes[i + elementSize - 1 - j]!;
  }
  return out;
}

function laneSize(dtype: TorchDtype): number {
  return dtype === 'complex64' ? 4 : dtype === 'complex128' ? 8 : torchItemsize(dtype);
}

/**
 * Loads a torch zip archive from a ZipSource. Storages of a source in memory are views of it; a
 * source that reads a file (pickle-mapper/node) reads each storage on its first use.
 */
export function loadTorchArchive(source: ZipSource, options: TorchLoadOptions = {}): unknown {
  const entries = readZipDirectory(source);
  const prefix = recordPrefix(entries);
  const record = (name: string): ZipEntry | undefined => entries.get(prefix + name);
  const pickleEntry = record('data.pkl')!;
  const byteorderEntry = record('byteorder');
  if (byteorderEntry !== undefined && byteorderEntry.size > 64) throw archiveError(`the byteorder record holds ${byteorderEntry.size} bytes, not 'little' or 'big'`);
  const byteorder = byteorderEntry === undefined ? 'little' : text(readStoredEntry(source, byteorderEntry));
  if (byteorder !== 'little' && byteorder !== 'big') throw archiveError(`unknown byteorder record '${byteorder.slice(0, 20)}'`);
  const versionEntry = record('version');
  if (versionEntry !== undefined) {
    if (versionEntry.size > 64) throw archiveError(`the version record holds ${versionEntry.size} bytes, not a number`);
    const version = text(readStoredEntry(source, versionEntry));
    if (!/^\d{1,4}$/.test(version)) throw archiveError(`the version record must be a number, not '${version.slice(0, 20)}'`);
  }
  const inMemory = source.lazy !== true;
  // By key (the first dtype a record is read as) and by key and dtype.
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    const { dtype, key, location, numel } = storagePid(pid);
    const same = storages.get(`${key}\n${dtype}`);
    if (same !== undefined) return same;
    const known = storages.get(key);
    const entry = record(`data/${key}`);
    if (entry === undefined) throw new PickleError(`the archive has no record data/${key} for a storage its pickle names`, { code: 'INVALID_ARCHIVE' });
    checkStoredEntry(entry);
    const expected = numel * torchItemsize(dtype);
    if (entry.size !== expected) {
      throw new PickleError(`storage '${key}' of ${numel} ${dtype} elements needs ${expected} bytes, but its record has ${entry.size}`, { code: 'INVALID_TENSOR' });
    }
    const read = (): Uint8Array => {
      // The same record viewed as another dtype (tensor.view(dtype)) shares the first one's bytes.
      if (known !== undefined && byteorder === 'little') return known.bytes;
      const raw = readStoredEntry(source, entry);
      return byteorder === 'big' && laneSize(dtype) > 1 ? swapped(raw, laneSize(dtype)) : raw;
    };
    const storage = new Storage(dtype, numel, inMemory ? read() : read, { device: location, key });
    if (known === undefined) storages.set(key, storage);
    storages.set(`${key}\n${dtype}`, storage);
    return storage;
  };
  const registry = loadRegistry(options);
  const pickle = readStoredEntry(source, pickleEntry);
  const unpickler = new Unpickler(pickle, unpicklerOptions(options, registry, persistentLoad));
  return unpickler.load();
}

/** A loaded legacy stream or plain pickle: reads pickles one after another from `data`. */
function loadTorchStream(data: Uint8Array, options: TorchLoadOptions): unknown {
  const registry = loadRegistry(options);
  if (!isLegacyStream(data)) {
    // A plain pickle (pickle.dumps of tensors): its storages come through _load_from_bytes.
    const unpickler = new Unpickler(data, unpicklerOptions(options, registry, () => {
      throw new PickleError('a persistent id in a plain pickle: this is not a torch.save file', { code: 'INVALID_PICKLE' });
    }));
    return unpickler.load();
  }
  let position = 0;
  const next = (persistentLoad: (pid: unknown) => unknown = refusePersistentId): unknown => {
    const unpickler = new Unpickler(data.subarray(position), unpicklerOptions(options, registry, persistentLoad));
    const value = unpickler.load();
    position += unpickler.position;
    return value;
  };
  next(); // the magic number
  const protocol = next();
  if (protocol !== LEGACY_PROTOCOL) throw new UnpicklingError(`legacy torch protocol version ${String(protocol)} is not supported (only ${LEGACY_PROTOCOL})`, { code: 'INVALID_ARCHIVE', offset: position });
  const sysInfo = next();
  const littleEndian = sysInfoLittleEndian(sysInfo);
  const roots = new Map<string, { dtype: TorchDtype; numel: number; bytes?: Uint8Array }>();
  const views = new Map<string, Storage>();
  const rootStorages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): unknown => {
    if (isTuple(pid) && pid[0] === 'module') {
      if (options.weightsOnly !== false) throw new PickleError("a legacy 'module' persistent id (a pickled nn.Module's source) is refused in a weights-only load: pass { weightsOnly: false }", { code: 'FORBIDDEN_GLOBAL' });
      return pid[1] ?? null;
    }
    const { dtype, key, location, numel, viewMetadata } = storagePid(pid);
    let root = rootStorages.get(key);
    if (root === undefined) {
      const slot = { dtype, numel } as { dtype: TorchDtype; numel: number; bytes?: Uint8Array };
      roots.set(key, slot);
      root = new Storage(dtype, numel, () => {
        if (slot.bytes === undefined) throw new PickleError(`storage '${key}' was never filled`, { code: 'INVALID_ARCHIVE' });
        return slot.bytes;
      }, { device: location, key });
      rootStorages.set(key, root);
    }
    if (viewMetadata === null || viewMetadata === undefined) return root;
    return storageView(root, viewMetadata, views);
  };
  const result = next(persistentLoad);
  const keys = next();
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new UnpicklingError('the legacy storage key list must be a list of str', { code: 'INVALID_ARCHIVE', offset: position });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const key of keys as string[]) {
    const slot = roots.get(key);
    if (slot === undefined) throw new UnpicklingError(`the legacy stream stores '${key}', which its pickle never named`, { code: 'INVALID_ARCHIVE', offset: position });
    if (position + 8 > data.length) throw new UnpicklingError(`the legacy stream ends before storage '${key}'`, { code: 'TRUNCATED', offset: position });
    const count = view.getBigInt64(position, littleEndian);
    if (count !== BigInt(slot.numel)) {
      throw new UnpicklingError(`legacy storage '${key}' is recorded with ${count} elements, its pickle says ${slot.numel}`, { code: 'INVALID_TENSOR', offset: position });
    }
    position += 8;
    const length = slot.numel * torchItemsize(slot.dtype);
    if (position + length > data.length) throw new UnpicklingError(`legacy storage '${key}' needs ${length} bytes, ${data.length - position} remain`, { code: 'TRUNCATED', offset: position });
    const raw = data.subarray(position, position + length);
    slot.bytes = !littleEndian && laneSize(slot.dtype) > 1 ? swapped(raw, laneSize(slot.dtype)) : raw;
    position += length;
  }
  for (const [key, slot] of roots) {
    if (slot.bytes === undefined) throw new UnpicklingError(`the legacy stream has no data for storage '${key}'`, { code: 'INVALID_ARCHIVE', offset: position });
  }
  return result;
}

function refusePersistentId(): never {
  throw new PickleError('a persistent id outside the legacy stream\'s object pickle', { code: 'INVALID_PICKLE' });
}

/** Legacy storage views (view_key, offset, size) of a root storage, from torch before 1.0. */
function storageView(root: Storage, metadata: unknown, views: Map<string, Storage>): Storage {
  if (!isTuple(metadata) || metadata.length !== 3) throw new PickleError('legacy view metadata must be (key, offset, size)', { code: 'INVALID_TENSOR' });
  const [viewKey, offsetValue, sizeValue] = metadata;
  const offset = Number(offsetValue);
  const size = Number(sizeValue);
  if (typeof viewKey !== 'string' || !Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > root.size) {
    throw new PickleError(`legacy storage view ${String(viewKey)} (offset ${offset}, size ${size}) is outside its storage of ${root.size}`, { code: 'INVALID_TENSOR' });
  }
  const known = views.get(viewKey);
  if (known !== undefined) return known;
  const itemsize = torchItemsize(root.dtype);
  const view = new Storage(root.dtype, size, () => root.bytes.subarray(offset * itemsize, (offset + size) * itemsize), { device: root.device, key: viewKey });
  views.set(viewKey, view);
  return view;
}

function sysInfoLittleEndian(sysInfo: unknown): boolean {
  const little = sysInfo instanceof Map ? sysInfo.get('little_endian') : (sysInfo as Record<string, unknown> | null)?.['little_endian'];
  if (typeof little !== 'boolean') throw new UnpicklingError('the legacy sys_info must be a dict with little_endian', { code: 'INVALID_ARCHIVE' });
  return little;
}

/** Whether bytes start with torch's legacy magic number pickled at protocol 2. */
export function isLegacyStream(data: Uint8Array): boolean {
  // \x80\x02 PROTO 2, \x8a\x0a LONG1 of 10 bytes, then the magic number little-endian.
  if (data.length < 15 || data[0] !== 0x80 || data[2] !== 0x8a || data[3] !== 0x0a) return false;
  let value = 0n;
  for (let i = 9; i >= 0; i--) value = (value << 8n) | BigInt(data[4 + i]!);
  return value === LEGACY_MAGIC;
}

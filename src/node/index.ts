// pickle-mapper/node: pickle files on disk, for Node (node:fs, node:zlib). The core entries stay
// free of Node's modules. Files load with the standard types (datetime, numpy...) as the full
// entry does: importing this entry installs them, the one statement below (package.json's
// `sideEffects` names its files).
/**
 * Pickle files on disk (Node only): `loadFile`, `dumpFile`, `readPicklesFromFile`, with gzip,
 * zlib, bz2 and xz told by their first bytes.
 * @module pickle-mapper/node
 */
import { installStandardTypes } from '../standard/index.js';

export { loadFile, loadFileSync, readPicklesFromFile, type FileLoadOptions, type FileStreamOptions } from './files/load-file.js';
export { dumpFile, dumpFileSync, type FileDumpOptions } from './files/dump-file.js';
export { detectCompression, type Compression } from './files/compression.js';
export { DEFAULT_MAX_DECOMPRESSED_BYTES } from './files/decompress.js';

installStandardTypes();

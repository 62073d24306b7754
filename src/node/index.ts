// pickle-mapper/node: pickle files on disk, for Node (node:fs, node:zlib). The core entry
// `pickle-mapper` stays free of Node's modules.
export { loadFile, loadFileSync, readPicklesFromFile, type FileLoadOptions, type FileStreamOptions } from './files/load-file.js';
export { dumpFile, dumpFileSync, type FileDumpOptions } from './files/dump-file.js';
export { detectCompression, type Compression } from './files/compression.js';
export { DEFAULT_MAX_DECOMPRESSED_BYTES } from './files/decompress.js';

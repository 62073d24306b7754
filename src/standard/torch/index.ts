// PyTorch checkpoints: loadTorch reads torch.save files (zip and legacy) and pickled tensors,
// saveTorch writes the zip format torch.load reads.
export { loadTorch, loadTorchArchive, isLegacyStream, type TorchLoadOptions } from './load.js';
export { looksLikeZip, readZipDirectory, type ZipSource, type ZipEntry } from './zip-reader.js';
export { saveTorch, type TorchSaveOptions } from './save.js';

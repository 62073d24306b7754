// torch.save files on disk: the zip's directory and data.pkl are read at load, each storage on its
// first use (or all at once with { lazy: false }), into its own buffer, so a checkpoint larger
// than memory opens and a loaded one is never held twice. Legacy (pre-1.6) files are read whole.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { UnpicklingError } from '../../errors.js';
import { loadTorch, loadTorchArchive, type TorchLoadOptions } from '../../standard/torch/load.js';
import { looksLikeZip, type ZipSource } from '../../standard/torch/zip-reader.js';

export interface TorchFileOptions extends TorchLoadOptions {
  /**
   * Read each storage when its data are first used (default true): the reads are synchronous,
   * from the file as it is then. false reads every storage during the load.
   */
  lazy?: boolean;
}

function readExactly(fd: number, offset: number, length: number, path: string): Uint8Array {
  // A fresh buffer per read: aligned for every element type (pooled Buffers are not).
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, offset + done);
    if (n === 0) {
      throw new UnpicklingError(`${path} ended at byte ${offset + done}, before the ${length} bytes at ${offset} its directory names (was it changed after loading?)`, { code: 'TRUNCATED' });
    }
    done += n;
  }
  return out;
}

/** A ZipSource over a file: reads with the descriptor open during the load, reopening it later. */
class FileSource implements ZipSource {
  readonly size: number;
  readonly lazy: boolean;
  #fd: number | undefined;

  constructor(
    readonly path: string,
    fd: number,
    lazy: boolean,
  ) {
    this.#fd = fd;
    this.size = fstatSync(fd).size;
    this.lazy = lazy;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.#fd !== undefined) return readExactly(this.#fd, offset, length, this.path);
    const fd = openSync(this.path, 'r');
    try {
      return readExactly(fd, offset, length, this.path);
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * Loads a torch.save file (or a pickled tensor) from disk. For a zip checkpoint only its directory
 * and data.pkl are read now; each storage is read on first access to its data (`lazy: false`
 * reads them all now). Synchronous, as those first accesses are.
 */
export function loadTorchFile(path: string, options: TorchFileOptions = {}): unknown {
  const fd = openSync(path, 'r');
  let source: FileSource | undefined;
  try {
    const head = new Uint8Array(4);
    readSync(fd, head, 0, 4, 0);
    if (!looksLikeZip(head)) return loadTorch(readFileSync(fd), options);
    source = new FileSource(path, fd, options.lazy !== false);
    return loadTorchArchive(source, options);
  } finally {
    if (source !== undefined) source.close();
    else closeSync(fd);
  }
}

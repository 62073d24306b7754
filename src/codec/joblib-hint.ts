// What `loads` adds to its error when the input is a joblib file: joblib.dump writes each numpy
// array's bytes into the stream right after a NumpyArrayWrapper, where pickle.load fails on them
// (`invalid load key`). Only error paths call it.

const WRAPPER = Array.from('NumpyArrayWrapper', (char) => char.charCodeAt(0));

/** Whether the pickle's bytes in [start, end) name joblib's NumpyArrayWrapper. */
export function namesJoblibWrapper(data: Uint8Array, start: number, end: number): boolean {
  const last = Math.min(end, data.length) - WRAPPER.length;
  for (let i = data.indexOf(WRAPPER[0]!, start); i !== -1 && i <= last; i = data.indexOf(WRAPPER[0]!, i + 1)) {
    if (WRAPPER.every((byte, j) => data[i + j] === byte)) return true;
  }
  return false;
}

/** The hint for a load that failed at `offset` in a joblib file, or undefined. */
export function joblibInputHint(data: Uint8Array, start: number, offset: number): string | undefined {
  if (!namesJoblibWrapper(data, start, offset)) return undefined;
  return (
    'the input looks like a joblib file (joblib.dump writes each numpy array after a NumpyArrayWrapper, ' +
    "outside the pickle): read it with loadJoblib, or loadJoblibFile from 'pickle-mapper/node'"
  );
}

// PyTorch tensors and storages as values: a Storage is one typed block of elements (what a
// torch.save file holds under data/<key>), a Tensor a view of one (dtype, shape, stride, storage
// offset), as torch has them. Tensors that share a storage in Python share one Storage here.
import { PickleError } from '../errors.js';
import { halfToNumber, numberToHalf } from './numpy/elements.js';

/** A tensor's element type, as torch names it (`torch.float32` → 'float32'). */
export type TorchDtype =
  | 'float64' | 'float32' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool'
  | 'complex64' | 'complex128';

/**
 * The typed array of a dtype's elements: float16 and bfloat16 as their raw 16-bit patterns
 * (Uint16Array; see halfToNumber and bfloat16ToNumber), bool as 0/1 bytes, complex numbers as
 * interleaved real and imaginary parts.
 */
export type TorchTypedArray =
  | Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

interface DtypeInfo {
  readonly itemsize: number;
  /** Typed-array elements per tensor element (2 for complex). */
  readonly lanes: number;
  readonly storageName: string;
  readonly make: (buffer: ArrayBuffer, byteOffset: number, length: number) => TorchTypedArray;
}

const DTYPES: Readonly<Record<TorchDtype, DtypeInfo>> = {
  float64: { itemsize: 8, lanes: 1, storageName: 'DoubleStorage', make: (b, o, n) => new Float64Array(b, o, n) },
  float32: { itemsize: 4, lanes: 1, storageName: 'FloatStorage', make: (b, o, n) => new Float32Array(b, o, n) },
  float16: { itemsize: 2, lanes: 1, storageName: 'HalfStorage', make: (b, o, n) => new Uint16Array(b, o, n) },
  bfloat16: { itemsize: 2, lanes: 1, storageName: 'BFloat16Storage', make: (b, o, n) => new Uint16Array(b, o, n) },
  int64: { itemsize: 8, lanes: 1, storageName: 'LongStorage', make: (b, o, n) => new BigInt64Array(b, o, n) },
  int32: { itemsize: 4, lanes: 1, storageName: 'IntStorage', make: (b, o, n) => new Int32Array(b, o, n) },
  int16: { itemsize: 2, lanes: 1, storageName: 'ShortStorage', make: (b, o, n) => new Int16Array(b, o, n) },
  int8: { itemsize: 1, lanes: 1, storageName: 'CharStorage', make: (b, o, n) => new Int8Array(b, o, n) },
  uint8: { itemsize: 1, lanes: 1, storageName: 'ByteStorage', make: (b, o, n) => new Uint8Array(b, o, n) },
  bool: { itemsize: 1, lanes: 1, storageName: 'BoolStorage', make: (b, o, n) => new Uint8Array(b, o, n) },
  complex64: { itemsize: 8, lanes: 2, storageName: 'ComplexFloatStorage', make: (b, o, n) => new Float32Array(b, o, n) },
  complex128: { itemsize: 16, lanes: 2, storageName: 'ComplexDoubleStorage', make: (b, o, n) => new Float64Array(b, o, n) },
};

const BY_STORAGE_NAME: ReadonlyMap<string, TorchDtype> = new Map(
  (Object.keys(DTYPES) as TorchDtype[]).map((dtype) => [DTYPES[dtype].storageName, dtype]),
);

function tensorError(message: string): PickleError {
  return new PickleError(message, { code: 'INVALID_TENSOR' });
}

/** Bytes per element of a dtype. */
export function torchItemsize(dtype: TorchDtype): number {
  return DTYPES[dtype].itemsize;
}

/** The legacy storage class torch pickles for a dtype (`float32` → 'FloatStorage'). */
export function torchStorageName(dtype: TorchDtype): string {
  return DTYPES[dtype].storageName;
}

/** The dtype of a storage class name ('FloatStorage' → 'float32'), undefined for an unknown one. */
export function dtypeOfStorageName(name: string): TorchDtype | undefined {
  return BY_STORAGE_NAME.get(name);
}

/** Whether `value` names a dtype this package reads. */
export function isTorchDtype(value: unknown): value is TorchDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, value);
}

/** A bfloat16 bit pattern as a number (exact). */
export function bfloat16ToNumber(bits: number): number {
  const scratch = new Float32Array(1);
  new Uint32Array(scratch.buffer)[0] = (bits & 0xffff) << 16;
  return scratch[0]!;
}

/** A number as a bfloat16 bit pattern, rounded to nearest even as torch rounds (NaN stays NaN). */
export function numberToBfloat16(value: number): number {
  const scratch = new Float32Array([value]);
  const bits = new Uint32Array(scratch.buffer)[0]!;
  if (Number.isNaN(value)) return 0x7fc0;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Where a storage's bytes come from: given at once, or read on first access. */
export type StorageBytes = Uint8Array | (() => Uint8Array);

/**
 * A torch storage: `size` elements of one dtype on a device ('cpu', 'cuda:0': the location the
 * file names; the bytes are the same). A storage read from a file keeps the record's `key`.
 */
export class Storage {
  readonly dtype: TorchDtype;
  /** Number of elements. */
  readonly size: number;
  /** The location torch saved it from ('cpu', 'cuda:0', ...). */
  readonly device: string;
  /** The record's name in the file it came from (`data/<key>`), when it came from one. */
  key: string | undefined;
  #source: StorageBytes;
  #data: TorchTypedArray | undefined;

  constructor(dtype: TorchDtype, size: number, bytes: StorageBytes, options: { device?: string; key?: string } = {}) {
    if (!isTorchDtype(dtype)) throw tensorError(`unknown torch dtype: ${String(dtype)}`);
    if (!Number.isSafeInteger(size) || size < 0) throw tensorError(`a storage size must be a non-negative integer, not ${String(size)}`);
    if (bytes instanceof Uint8Array) checkLength(dtype, size, bytes.byteLength, options.key);
    this.dtype = dtype;
    this.size = size;
    this.device = options.device ?? 'cpu';
    this.key = options.key;
    this.#source = bytes;
  }

  /** A storage holding the elements of a typed array (shared, not copied). */
  static fromTypedArray(dtype: TorchDtype, data: TorchTypedArray, options: { device?: string } = {}): Storage {
    const info = DTYPES[dtype];
    if (info === undefined) throw tensorError(`unknown torch dtype: ${String(dtype)}`);
    const expected = info.make(new ArrayBuffer(0), 0, 0).constructor;
    if (data.constructor !== expected) {
      throw tensorError(`a ${dtype} storage holds a ${expected.name}, not a ${data.constructor.name}`);
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return new Storage(dtype, data.length / info.lanes, bytes, options);
  }

  /** Whether the bytes are in memory (false until a lazily read storage is first used). */
  get loaded(): boolean {
    return this.#source instanceof Uint8Array;
  }

  /** The raw little-endian bytes (read now if the storage is lazy). */
  get bytes(): Uint8Array {
    if (!(this.#source instanceof Uint8Array)) {
      const bytes = this.#source();
      checkLength(this.dtype, this.size, bytes.byteLength, this.key);
      this.#source = bytes;
    }
    return this.#source;
  }

  /** The elements as a typed array over the same bytes (copied once only when misaligned). */
  get data(): TorchTypedArray {
    if (this.#data === undefined) {
      const info = DTYPES[this.dtype];
      let bytes = this.bytes;
      if (bytes.byteOffset % (info.itemsize / info.lanes) !== 0) {
        // A fresh copy (Buffer's slice() would be another view of the same misaligned bytes).
        bytes = new Uint8Array(bytes);
        this.#source = bytes;
      }
      this.#data = info.make(bytes.buffer as ArrayBuffer, bytes.byteOffset, this.size * info.lanes);
    }
    return this.#data;
  }

  get itemsize(): number {
    return DTYPES[this.dtype].itemsize;
  }

  get nbytes(): number {
    return this.size * DTYPES[this.dtype].itemsize;
  }
}

function checkLength(dtype: TorchDtype, size: number, byteLength: number, key: string | undefined): void {
  const expected = size * DTYPES[dtype].itemsize;
  if (byteLength !== expected) {
    const which = key === undefined ? 'a storage' : `storage '${key}'`;
    throw tensorError(`${which} of ${size} ${dtype} elements needs ${expected} bytes, but has ${byteLength}`);
  }
}

function dims(value: readonly number[], what: string, allowEmpty = true): number[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) throw tensorError(`a tensor ${what} must be an array of integers`);
  return value.map((n) => {
    const x = typeof n === 'bigint' ? Number(n) : n;
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw tensorError(`a tensor ${what} must hold integers, not ${String(n)}`);
    if (x < 0) throw tensorError(`a negative ${what === 'shape' ? 'dimension' : what} (${x}) is not supported`);
    return x;
  });
}

/** The C-order (row-major) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= Math.max(shape[i]!, 1);
  }
  return strides;
}

export interface TensorOptions {
  /** Element offset of the tensor's first element in its storage. Default 0. */
  storageOffset?: number;
  /** Element strides; default C order. */
  stride?: readonly number[];
  requiresGrad?: boolean;
}

/** One element: a number, a bigint for int64, a boolean for bool, [re, im] for complex. */
export type TorchElement = number | bigint | boolean | readonly [number, number];

/**
 * A torch.Tensor: a view of a Storage. `data` is the typed-array window of the storage the tensor
 * spans (shared, not copied); `at(...index)` reads an element through the strides; `toArray()`
 * gives the elements in C order.
 */
export class Tensor {
  readonly storage: Storage;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  requiresGrad: boolean;
  /** What torch.save kept beside the tensor (backward hooks: an OrderedDict, empty in a saved file). */
  backwardHooks: unknown;

  constructor(storage: Storage, shape: readonly number[], options: TensorOptions = {}) {
    if (!(storage instanceof Storage)) throw tensorError('a tensor needs a Storage');
    this.storage = storage;
    this.shape = Object.freeze(dims(shape, 'shape'));
    this.stride = Object.freeze(options.stride === undefined ? contiguousStrides(this.shape) : dims(options.stride, 'stride'));
    if (this.stride.length !== this.shape.length) {
      throw tensorError(`a tensor of ${this.shape.length} dimensions needs ${this.shape.length} strides, not ${this.stride.length}`);
    }
    const offset = options.storageOffset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw tensorError(`a negative or non-integer storage offset (${String(offset)}) is not supported`);
    this.storageOffset = offset;
    this.requiresGrad = options.requiresGrad ?? false;
    const span = this.span;
    if (span > 0 && offset + span > storage.size) {
      throw tensorError(
        `a tensor of shape (${this.shape.join(', ')}), stride (${this.stride.join(', ')}) and offset ${offset} needs ${offset + span} elements, but its storage has ${storage.size}`,
      );
    }
  }

  /** A contiguous tensor over a typed array (shared, not copied). */
  static from(dtype: TorchDtype, data: TorchTypedArray, shape: readonly number[] = [data.length / DTYPES[dtype]!.lanes], options: { requiresGrad?: boolean } = {}): Tensor {
    const storage = Storage.fromTypedArray(dtype, data);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== storage.size) throw tensorError(`shape (${shape.join(', ')}) holds ${count} elements, the data ${storage.size}`);
    return new Tensor(storage, shape, { requiresGrad: options.requiresGrad });
  }

  get dtype(): TorchDtype {
    return this.storage.dtype;
  }

  /** Number of elements. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Elements of the storage from the first to the last one the tensor reaches (0 when empty). */
  get span(): number {
    if (this.shape.some((n) => n === 0)) return 0;
    let last = 0;
    for (let i = 0; i < this.shape.length; i++) last += (this.shape[i]! - 1) * this.stride[i]!;
    return last + 1;
  }

  /** Whether the elements lie in C order without gaps from storageOffset on. */
  get isContiguous(): boolean {
    const expected = contiguousStrides(this.shape);
    return this.shape.every((n, i) => n <= 1 || this.stride[i] === expected[i]);
  }

  /** The window of the storage's typed array this tensor spans (a view; strides index into it). */
  get data(): TorchTypedArray {
    const lanes = DTYPES[this.dtype].lanes;
    return this.storage.data.subarray(this.storageOffset * lanes, (this.storageOffset + this.span) * lanes);
  }

  /** The element at a multi-index (raw bits for float16/bfloat16). */
  at(...index: number[]): TorchElement {
    if (index.length !== this.shape.length) throw tensorError(`a tensor of ${this.shape.length} dimensions needs ${this.shape.length} indices`);
    let position = this.storageOffset;
    for (let i = 0; i < index.length; i++) {
      const k = index[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= this.shape[i]!) throw tensorError(`index ${k} is out of range for dimension ${i} of size ${this.shape[i]}`);
      position += k * this.stride[i]!;
    }
    return this.#element(this.storage.data, position);
  }

  #element(data: TorchTypedArray, position: number): TorchElement {
    if (this.dtype === 'bool') return data[position] !== 0;
    if (DTYPES[this.dtype].lanes === 2) return [data[2 * position] as number, data[2 * position + 1] as number];
    return data[position]!;
  }

  /**
   * The elements in C order as a typed array of the dtype: a view when the tensor is contiguous,
   * else a copy.
   */
  contiguousData(): TorchTypedArray {
    if (this.isContiguous) {
      const lanes = DTYPES[this.dtype].lanes;
      return this.storage.data.subarray(this.storageOffset * lanes, (this.storageOffset + this.numel) * lanes);
    }
    const info = DTYPES[this.dtype];
    const source = this.storage.data;
    const out = info.make(new ArrayBuffer(this.numel * info.itemsize), 0, this.numel * info.lanes);
    const n = this.shape.length;
    const index = new Array<number>(n).fill(0);
    let position = this.storageOffset;
    for (let k = 0; k < this.numel; k++) {
      if (info.lanes === 2) {
        out[2 * k] = source[2 * position]!;
        out[2 * k + 1] = source[2 * position + 1]!;
      } else out[k] = source[position]!;
      for (let d = n - 1; d >= 0; d--) {
        index[d]!++;
        position += this.stride[d]!;
        if (index[d]! < this.shape[d]!) break;
        position -= index[d]! * this.stride[d]!;
        index[d] = 0;
      }
    }
    return out;
  }

  /**
   * The elements in C order as JavaScript values: numbers (float16/bfloat16 converted), bigint for
   * int64, booleans for bool, [re, im] for complex.
   */
  toArray(): TorchElement[] {
    const flat = this.contiguousData();
    const out: TorchElement[] = [];
    const lanes = DTYPES[this.dtype].lanes;
    for (let k = 0; k < this.numel; k++) {
      if (lanes === 2) out.push([flat[2 * k] as number, flat[2 * k + 1] as number]);
      else if (this.dtype === 'bool') out.push(flat[k] !== 0);
      else if (this.dtype === 'float16') out.push(halfToNumber(flat[k] as number));
      else if (this.dtype === 'bfloat16') out.push(bfloat16ToNumber(flat[k] as number));
      else out.push(flat[k]!);
    }
    return out;
  }
}

/** A torch.nn.Parameter: a tensor that a module owns; requires_grad defaults to true. */
export class Parameter extends Tensor {
  /** What `_rebuild_parameter_with_state` restored beside it (attributes set on the Parameter). */
  state: unknown = undefined;

  constructor(storage: Storage, shape: readonly number[], options: TensorOptions = {}) {
    super(storage, shape, { ...options, requiresGrad: options.requiresGrad ?? true });
  }

  /** The Parameter over a tensor's storage and layout. */
  static of(tensor: Tensor, requiresGrad = true): Parameter {
    return new Parameter(tensor.storage, tensor.shape, { stride: tensor.stride, storageOffset: tensor.storageOffset, requiresGrad });
  }
}

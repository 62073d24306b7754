// The torch globals a checkpoint's pickle names, as handlers: tensors and parameters rebuilt over
// the storages the persistent ids gave, storage classes as dtype names, torch.Size as a tuple.
// These are what torch.load(weights_only=True) allows, plus a few plain builtins.
import { PickleError } from '../../errors.js';
import { builtinsRegistry } from '../../codec/fallback-registry.js';
import type { DumpContext, LoadContext, PyClassHandler, Reduction } from '../../registry/registry.js';
import { Registry } from '../../registry/registry.js';
import { typeName } from '../../values/describe.js';
import { PyGlobal } from '../../values/global.js';
import { PyOrderedDict } from '../../values/collections.js';
import { Parameter, Storage, Tensor, type TorchDtype, dtypeOfStorageName, torchStorageName } from '../../values/torch.js';
import { Tuple, isTuple, tuple } from '../../values/tuple.js';
import { COLLECTIONS_HANDLERS } from '../collections.js';

const REBUILD_TENSOR_V2 = new PyGlobal('torch._utils', '_rebuild_tensor_v2');
const REBUILD_PARAMETER = new PyGlobal('torch._utils', '_rebuild_parameter');

function tensorError(message: string): PickleError {
  return new PickleError(message, { code: 'INVALID_TENSOR' });
}

function ints(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw tensorError(`a tensor's ${what} must be a tuple of ints, not ${typeName(value)}`);
  return value.map((n: unknown) => {
    const x = typeof n === 'bigint' ? Number(n) : n;
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw tensorError(`a tensor's ${what} must hold ints, not ${typeName(n)}`);
    return x;
  });
}

function integer(value: unknown, what: string): number {
  const x = typeof value === 'bigint' ? Number(value) : value;
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw tensorError(`a tensor's ${what} must be an int, not ${typeName(value)}`);
  return x;
}

function storageArgument(value: unknown): Storage {
  if (value instanceof Storage) return value;
  throw tensorError(`a tensor's storage must be a torch storage (a persistent id of the file), not ${typeName(value)}`);
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensor(args: readonly unknown[]): Tensor {
  if (args.length < 4) throw tensorError(`_rebuild_tensor_v2 takes at least 4 arguments, not ${args.length}`);
  const [storage, offset, size, stride, requiresGrad, hooks] = args;
  const tensor = new Tensor(storageArgument(storage), ints(size, 'size'), {
    storageOffset: integer(offset, 'storage offset'),
    stride: ints(stride, 'stride'),
    requiresGrad: requiresGrad === true,
  });
  if (hooks !== undefined && hooks !== null && !(hooks instanceof Map && hooks.size === 0)) tensor.backwardHooks = hooks;
  return tensor;
}

function rebuildParameter(args: readonly unknown[], withState: boolean): Parameter {
  const [data, requiresGrad, hooks, state] = args;
  if (!(data instanceof Tensor)) throw tensorError(`_rebuild_parameter needs a tensor, not ${typeName(data)}`);
  const parameter = Parameter.of(data, requiresGrad !== false);
  if (hooks !== undefined && hooks !== null && !(hooks instanceof Map && hooks.size === 0)) parameter.backwardHooks = hooks;
  if (withState) parameter.state = state;
  return parameter;
}

function reduceTensor(tensor: Tensor): Reduction {
  return [
    REBUILD_TENSOR_V2,
    tuple(tensor.storage, tensor.storageOffset, Tuple.from(tensor.shape), Tuple.from(tensor.stride), tensor.requiresGrad, new PyOrderedDict()),
  ];
}

const tensorHandler: PyClassHandler<Tensor> = {
  module: 'torch._utils',
  name: '_rebuild_tensor_v2',
  kind: 'function',
  jsClass: Tensor,
  call: (args) => rebuildTensor(args),
  reduce: (tensor) => reduceTensor(tensor),
};

const parameterHandler: PyClassHandler<Parameter> = {
  module: 'torch._utils',
  name: '_rebuild_parameter',
  kind: 'function',
  jsClass: Parameter,
  call: (args) => rebuildParameter(args, false),
  reduce: (parameter: Parameter, _protocol: number, _context: DumpContext): Reduction => {
    const data = new Tensor(parameter.storage, parameter.shape, { stride: parameter.stride, storageOffset: parameter.storageOffset });
    return [REBUILD_PARAMETER, tuple(data, parameter.requiresGrad, new PyOrderedDict())];
  },
};

const parameterWithState: PyClassHandler<Parameter> = {
  module: 'torch._utils',
  name: '_rebuild_parameter_with_state',
  kind: 'function',
  call: (args) => rebuildParameter(args, true),
};

/** `torch._utils._rebuild_tensor(storage, storage_offset, size, stride)`, written by old torch. */
const tensorV1: PyClassHandler<Tensor> = {
  module: 'torch._utils',
  name: '_rebuild_tensor',
  kind: 'function',
  call: (args) => rebuildTensor([...args.slice(0, 4), false]),
};

const sizeHandler: PyClassHandler<Tuple> = {
  module: 'torch',
  name: 'Size',
  call(args) {
    const [items] = args;
    if (!Array.isArray(items)) throw tensorError(`torch.Size takes a sequence of ints, not ${typeName(items)}`);
    return Tuple.from(ints(items, 'size'));
  },
};

/** The storage classes (torch.FloatStorage, ...): what a persistent id names the dtype by. */
const STORAGE_NAMES = [
  'DoubleStorage', 'FloatStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage', 'UntypedStorage',
];
const storageClassHandlers: PyClassHandler[] = STORAGE_NAMES.map((name) => ({ module: 'torch', name }));

/**
 * torch's dtype objects (torch.float32, ...) and torch.device, which checkpoints hold beside
 * tensors (an optimizer's or a config's fields): kept as the globals (and, for a device, the
 * call) they are, so they load and write back unchanged.
 */
const DTYPE_NAMES = [
  'float64', 'float32', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
  'complex64', 'complex128', 'double', 'float', 'half', 'long', 'int', 'short', 'cfloat', 'cdouble',
];
const inertHandlers: PyClassHandler[] = [...DTYPE_NAMES, 'device'].map((name) => ({ module: 'torch', name }));

/** The dtype a storage class global names (UntypedStorage: bytes). */
export function dtypeOfStorageType(value: unknown): TorchDtype {
  const name = value instanceof PyGlobal ? value.name : typeof value === 'string' ? value : undefined;
  if (name === 'UntypedStorage') return 'uint8';
  const dtype = name === undefined ? undefined : dtypeOfStorageName(name);
  if (dtype === undefined || (value instanceof PyGlobal && value.module !== 'torch')) {
    throw tensorError(`unsupported torch storage type ${value instanceof PyGlobal ? `'${value.qualifiedName}'` : typeName(value)}`);
  }
  return dtype;
}

/** The storage class global torch pickles in a persistent id for a dtype. */
export function storageTypeGlobal(dtype: TorchDtype): PyGlobal {
  return new PyGlobal('torch', torchStorageName(dtype));
}

/** Builtins weights-only loads allow: plain data (bytes below protocol 3 go through _codecs.encode). */
const ALLOWED_BUILTINS: ReadonlyArray<readonly [string, string]> = [
  ['_codecs', 'encode'],
  ['builtins', 'set'],
  ['builtins', 'frozenset'],
  ['builtins', 'bytearray'],
  ['builtins', 'complex'],
  ['builtins', 'slice'],
];

/** The handlers of torch's own globals (tensors, parameters, storage classes, Size). */
export function torchHandlers(loadFromBytes: PyClassHandler): PyClassHandler[] {
  return [
    tensorHandler as PyClassHandler,
    tensorV1 as PyClassHandler,
    parameterHandler as PyClassHandler,
    parameterWithState as PyClassHandler,
    sizeHandler as PyClassHandler,
    ...storageClassHandlers,
    ...inertHandlers,
    loadFromBytes,
  ];
}

/**
 * The registry of a weights-only load: torch's globals, OrderedDict, plain builtins, and what the
 * caller's registry adds; any other global is refused, naming the options that would load it.
 */
export class WeightsOnlyRegistry extends Registry {
  readonly #extra: Registry | undefined;

  constructor(handlers: readonly PyClassHandler[], extra: Registry | undefined) {
    super();
    this.#extra = extra;
    for (const handler of handlers) this.register(handler);
    const orderedDict = COLLECTIONS_HANDLERS.find((h) => h.module === 'collections' && h.name === 'OrderedDict');
    if (orderedDict) this.register(orderedDict);
    const builtins = builtinsRegistry();
    for (const [module, name] of ALLOWED_BUILTINS) {
      const handler = builtins.resolve(module, name);
      if (handler) this.register(handler);
    }
  }

  override resolve(module: string, name: string): PyClassHandler | undefined {
    const handler = super.resolve(module, name) ?? this.#extra?.resolve(module, name);
    if (handler) return handler;
    // A PickleError: the unpickler adds the byte offset and opcode and keeps the code.
    throw new PickleError(
      `global '${module}.${name}' is not allowed in a weights-only load (as torch.load(weights_only=True) refuses it): ` +
        `pass { weightsOnly: false } to load it as a placeholder, or register a handler for it in a Registry passed as { registry }`,
      { code: 'FORBIDDEN_GLOBAL' },
    );
  }
}

/** The registry a full (not weights-only) load uses: torch's handlers over the caller's or the default one. */
export function torchRegistry(handlers: readonly PyClassHandler[], parent: Registry | undefined): Registry {
  const registry = new Registry(parent === undefined ? {} : { parent });
  for (const handler of handlers) registry.register(handler);
  return registry;
}

export function isStorageTuple(pid: unknown): pid is Tuple {
  return isTuple(pid) && pid.length >= 5 && pid[0] === 'storage';
}

export type { LoadContext };

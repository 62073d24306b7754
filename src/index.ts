// pickle-mapper: read and write Python pickles. This entry point imports nothing from Node, so
// it runs in browsers, Deno and Bun as well.
/**
 * Read and write Python pickles: `loads`, `dumps`, `Unpickler` and `Pickler`, the value classes
 * of the Python value model, registries and `registerClass`, streams, and the inspection tools
 * (`dis`, `pformat`, `toJson`).
 * @module pickle-mapper
 */
export { Unpickler, HIGHEST_PROTOCOL, type LoadOptions, type Python2StringEncoding } from './codec/unpickler.js';
export { loads } from './mapper/typed-loads.js';
export { PickleError, PicklingError, UnpicklingError, type PickleErrorCode, type PickleErrorOptions, type UnpicklingErrorLocation } from './errors.js';
export { Registry, defaultRegistry, type PyClassHandler, type LoadContext, type Reduction } from './registry/registry.js';
export { readPickles, type PickleByteSource } from './stream/read-pickles.js';
export { PickleStreamReader, type StreamReadOptions } from './stream/pickle-stream-reader.js';
export { writePickles, type PickleSink, type PickleStreamWriter, type NodeWritableLike } from './stream/write-pickles.js';
export { dumps, Pickler, DEFAULT_PROTOCOL, type DumpOptions } from './codec/pickler.js';
export { UNHASHABLE, HashedAs, hashedAs } from './codec/python-hash.js';
export { OPCODES, OPCODE_BY_CODE, OP, opcodeName, type OpcodeInfo, type OpcodeName, type ArgumentKind } from './protocol/opcodes.js';
export * from './values/index.js';
export { registerClass, aliasModule, aliasName, schemaOf, type RegisterOptions } from './mapper/register.js';
export { extraState } from './mapper/instance.js';
export { defaultGetState, defaultSetState } from './mapper/delegate.js';
export { listOf, tupleOf, setOf, frozensetOf, dictOf, mapOf, optional, enumOf } from './mapper/types.js';
export type { ClassOptions, ClassSchema, FieldSchema, FieldOptions, ModelKind, PythonName } from './mapper/schema.js';
export type {
  FieldType,
  FieldValue,
  PythonValue,
  MappedClass,
  ScalarType,
  ClassType,
  CompoundType,
  ListType,
  TupleType,
  SetType,
  DictType,
  OptionalType,
  EnumFieldType,
} from './mapper/types.js';
export { type DumpContext } from './registry/registry.js';
export { PyOrderedDict, PyCounter, PyDefaultDict, PyDeque, PyEnumMember, PyEnumType } from './values/collections.js';
export {
  registerEnum,
  enumTypeOf,
  type RegisterEnumOptions,
  type PyEnumMembers,
  type EnumMemberName,
  type EnumValue,
} from './standard/enum.js';
export { registerNamedTuple, type NamedTupleOptions, type NamedTupleField } from './standard/namedtuple.js';
export {
  NdArray,
  NdDtype,
  NumpyScalar,
  halfToNumber,
  numberToHalf,
  MAX_NDIM,
  type NdArrayData,
  type NdArrayOptions,
  type NdOrder,
  type NdKind,
  type NdByteOrder,
  type NdStorage,
  type NdTypedArray,
  type DtypeSpec,
  type NumpyModule,
  type NumpyScalarValue,
} from './values/ndarray.js';
export { numpyHandlers, registerNumpy, type NumpyHandlerOptions } from './standard/numpy/index.js';
export {
  dis,
  disassemble,
  DisassemblyError,
  type DisassembleOptions,
  type Disassembly,
  type DisassemblyMemo,
  type DisassemblyErrorType,
} from './inspect/dis/disassemble.js';
export { pformat, pyRepr, FormatLimitError, type PythonFormatOptions } from './inspect/format/python-format.js';
export { toJson, fromJson, JsonMappingError, type ToJsonOptions, type FromJsonOptions } from './inspect/json/json-mapping.js';

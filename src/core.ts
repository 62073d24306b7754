// pickle-mapper/core: loads, dumps and the mapping onto classes, with the builtin types a pickle
// itself uses (str, bytes, int, float, complex, list, tuple, dict, set, frozenset, bytearray) and
// objects by reduction. It leaves out the standard types (datetime, decimal, fractions, uuid,
// range, slice, collections, enum, namedtuple, numpy: a pickle of one loads as a PyObject
// placeholder, and `dumps` refuses their value classes) and the inspection tools (dis, pformat,
// pyRepr, toJson, fromJson), so that a bundle of it stays small. The full entry (pickle-mapper) is
// this and those; once any code of the process imports it, this entry knows the standard types too.
// Like the full entry it imports nothing from Node.
/**
 * The core: `loads`, `dumps`, the value model and the mapping onto classes, without the standard
 * types and the inspection tools, for small bundles.
 * @module pickle-mapper/core
 */
export { Unpickler, type LoadOptions, type Python2StringEncoding } from './codec/unpickler.js';
export { HIGHEST_PROTOCOL, DEFAULT_PROTOCOL } from './protocol/limits.js';
export { loads } from './mapper/typed-loads.js';
export { PickleError, PicklingError, UnpicklingError, type PickleErrorCode, type PickleErrorOptions, type UnpicklingErrorLocation } from './errors.js';
export { Registry, defaultRegistry, type PyClassHandler, type LoadContext, type Reduction, type DumpContext } from './registry/registry.js';
export { readPickles, type PickleByteSource } from './stream/read-pickles.js';
export { PickleStreamReader, type StreamReadOptions } from './stream/pickle-stream-reader.js';
export { writePickles, type PickleSink, type PickleStreamWriter, type NodeWritableLike } from './stream/write-pickles.js';
export { dumps, Pickler, type DumpOptions } from './codec/pickler.js';
export { UNHASHABLE, HashedAs, hashedAs } from './codec/python-hash.js';
export { OPCODES, OPCODE_BY_CODE, OP, opcodeName, type OpcodeInfo, type OpcodeName, type ArgumentKind } from './protocol/opcodes.js';
export { Tuple, tuple, isTuple } from './values/tuple.js';
export { PyByteArray } from './values/bytearray.js';
export { PyFrozenSet } from './values/frozenset.js';
export { PyComplex } from './values/complex.js';
export { PyGlobal, COPYREG_NEWOBJ, COPYREG_NEWOBJ_EX, COPYREG_RECONSTRUCTOR, BUILTINS_OBJECT } from './values/global.js';
export { PyObject, type PyObjectCreation } from './values/object.js';
export { type PyDict, isDict, isPlainDict, setPlainDictItem, dictEntries } from './values/dict.js';
export { PickleBuffer } from './values/picklebuffer.js';
export { PyFloat, pyFloat } from './values/float.js';
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

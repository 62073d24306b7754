// pickle-mapper: read and write Python pickles. The core (pickle-mapper/core) with the standard
// types (datetime, decimal, fractions, uuid, collections, enum, namedtuple, numpy) and the
// inspection tools (dis, pformat, pyRepr, toJson, fromJson). This entry point imports nothing
// from Node, so it runs in browsers, Deno and Bun as well.
/**
 * Read and write Python pickles: `loads`, `dumps`, `Unpickler` and `Pickler`, the value classes
 * of the Python value model, registries and `registerClass`, streams, and the inspection tools
 * (`dis`, `pformat`, `toJson`).
 * @module pickle-mapper
 */
import { installStandardTypes } from './standard/index.js';

export * from './core.js';
export {
  PyDate,
  PyDatetime,
  PyTime,
  PyTimedelta,
  PyTimezone,
  MINYEAR,
  MAXYEAR,
  daysInMonth,
  type TzInfo,
  type TimedeltaParts,
  type DatetimeFields,
  type TimeFields,
  type ToDateOptions,
} from './values/datetime.js';
export {
  PyDecimal,
  PyFraction,
  PyUUID,
  PyRange,
  PySlice,
  type PyInt,
  type DecimalKind,
  type FractionOptions,
  type SafeUUID,
} from './values/numeric.js';
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

// Every load and dump of the process knows the standard types from here on, whichever entry
// (or registry) it goes through. The one statement of the package that must run for its effect:
// package.json's `sideEffects` names the files this entry builds to, so bundlers keep it.
installStandardTypes();

export { Tuple, tuple, isTuple } from './tuple.js';
export { PyByteArray } from './bytearray.js';
export { PyFrozenSet } from './frozenset.js';
export { PyComplex } from './complex.js';
export { PyGlobal, COPYREG_NEWOBJ, COPYREG_NEWOBJ_EX, COPYREG_RECONSTRUCTOR, BUILTINS_OBJECT } from './global.js';
export { PyObject, type PyObjectCreation } from './object.js';
export { type PyDict, isDict, isPlainDict, setPlainDictItem, dictEntries } from './dict.js';
export { PickleBuffer } from './picklebuffer.js';
export { PyFloat, pyFloat } from './float.js';
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
} from './datetime.js';
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
} from './numeric.js';

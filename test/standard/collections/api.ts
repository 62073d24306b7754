// What the collections tests use: the package's public API, plus the collections, enum and
// namedtuple exports that src/index.ts is to re-export (imported from their modules until then).
export * from '../../../src/index.js';
export { PyCounter, PyDefaultDict, PyDeque, PyEnumMember, PyEnumType, PyOrderedDict } from '../../../src/values/collections.js';
export {
  enumTypeOf,
  registerEnum,
  type EnumMemberName,
  type EnumValue,
  type PyEnumMembers,
  type RegisterEnumOptions,
} from '../../../src/standard/enum.js';
export { registerNamedTuple, type NamedTupleField, type NamedTupleOptions } from '../../../src/standard/namedtuple.js';

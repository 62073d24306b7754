// numpy dtype descriptions: parsing the strings numpy pickles (and users write), the canonical
// names and `dtype.str` forms, and how each kind is stored in JavaScript. Pure functions: the
// NdDtype class (src/values/ndarray.ts) and the pickle handlers build on them.
import { quoted } from '../describe.js';
import { invalidArgument } from '../invalid-argument.js';
import { tuple } from '../tuple.js';

/** `'<'` little-endian, `'>'` big-endian, `'|'` not applicable (one-byte and byte-string kinds). */
export type NdByteOrder = '<' | '>' | '|';

/** The byte order of this machine, as numpy spells it. */
export const NATIVE_ORDER: '<' | '>' = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? '<' : '>';

/**
 * numpy's kind characters: b bool, i signed int, u unsigned int, f float, c complex, S bytes,
 * U unicode, O object, V void (raw, structured or sub-array), M datetime64, m timedelta64.
 */
export type NdKind = 'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'U' | 'O' | 'V' | 'M' | 'm';

/** How the elements of one dtype are held in JavaScript. */
export type NdStorage =
  | 'bool' // Uint8Array of 0/1
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64' // BigInt64Array
  | 'uint64' // BigUint64Array
  | 'float16' // Uint16Array of IEEE half-precision bit patterns
  | 'float32'
  | 'float64'
  | 'complex64' // Float32Array, real and imaginary parts interleaved
  | 'complex128' // Float64Array, interleaved
  | 'unicode' // Uint32Array of UCS-4 code points, itemsize / 4 per element
  | 'datetime' // BigInt64Array (datetime64 and timedelta64 counts)
  | 'object' // a plain Array of values
  | 'raw'; // Uint8Array of the element bytes exactly as numpy holds them (S, V, longdouble...)

/** The parts of a dtype that its string form carries. */
export interface DtypeSpec {
  kind: NdKind;
  itemsize: number;
  byteorder: NdByteOrder;
  /** datetime64/timedelta64 unit ('ns', 'D', ... or 'generic'). */
  unit?: string;
  /** datetime64/timedelta64 unit multiplier (the 10 of 'M8[10ns]'). */
  unitCount?: number;
}

const FIXED_SIZES: Record<string, readonly number[]> = {
  b: [1],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  f: [2, 4, 8, 12, 16],
  c: [8, 16, 24, 32],
  M: [8],
  m: [8],
  O: [4, 8],
};

const DATETIME_UNITS = new Set(['Y', 'M', 'W', 'D', 'h', 'm', 's', 'ms', 'us', 'μs', 'ns', 'ps', 'fs', 'as', 'generic']);

/** Largest itemsize accepted (numpy's own limit is a C int). */
const MAX_ITEMSIZE = 0x7fff_ffff;

/** Single characters numpy accepts as type codes, with their platform-independent meaning. */
const CHAR_CODES: Record<string, [NdKind, number]> = {
  '?': ['b', 1],
  b: ['i', 1],
  B: ['u', 1],
  h: ['i', 2],
  H: ['u', 2],
  i: ['i', 4],
  I: ['u', 4],
  q: ['i', 8],
  Q: ['u', 8],
  e: ['f', 2],
  f: ['f', 4],
  d: ['f', 8],
  F: ['c', 8],
  D: ['c', 16],
  O: ['O', 8],
};

const NAMES: Record<string, [NdKind, number]> = {
  bool: ['b', 1],
  bool_: ['b', 1],
  int8: ['i', 1],
  int16: ['i', 2],
  int32: ['i', 4],
  int64: ['i', 8],
  uint8: ['u', 1],
  uint16: ['u', 2],
  uint32: ['u', 4],
  uint64: ['u', 8],
  float16: ['f', 2],
  half: ['f', 2],
  float32: ['f', 4],
  single: ['f', 4],
  float64: ['f', 8],
  double: ['f', 8],
  float: ['f', 8],
  complex64: ['c', 8],
  complex128: ['c', 16],
  complex: ['c', 16],
  object: ['O', 8],
  object_: ['O', 8],
};

/** Whether a kind has a byte order at all (numpy's '|' otherwise). */
function hasByteOrder(kind: NdKind, itemsize: number): boolean {
  if (kind === 'b' || kind === 'S' || kind === 'V' || kind === 'O') return false;
  if (kind === 'U') return true;
  return itemsize > 1;
}

/** The byte order a dtype really has, given the one it was asked for ('=' is native). */
export function effectiveOrder(kind: NdKind, itemsize: number, asked: string | undefined): NdByteOrder {
  if (!hasByteOrder(kind, itemsize)) return '|';
  if (asked === '<' || asked === '>') return asked;
  if (asked === '!') return '>';
  return NATIVE_ORDER;
}

function checkedSize(kind: NdKind, size: number, text: string): number {
  const allowed = FIXED_SIZES[kind];
  if (allowed && !allowed.includes(size)) throw invalidArgument(`invalid numpy dtype ${quoted(text)}: no ${kind}${size}`);
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_ITEMSIZE) throw invalidArgument(`invalid numpy dtype size in ${quoted(text)}`);
  return size;
}

function parseUnit(inside: string, text: string): { unit: string; unitCount: number } {
  const match = /^(\d*)([A-Za-zμ]+)$/.exec(inside);
  if (!match || !DATETIME_UNITS.has(match[2]!)) throw invalidArgument(`invalid datetime unit in numpy dtype ${quoted(text)}`);
  const unitCount = match[1] ? Number(match[1]) : 1;
  if (!Number.isSafeInteger(unitCount) || unitCount < 1) throw invalidArgument(`invalid datetime unit in numpy dtype ${quoted(text)}`);
  return { unit: match[2]!, unitCount };
}

/**
 * Parses a dtype string: what numpy pickles as `numpy.dtype`'s first argument ('f8', 'b1', 'U3',
 * 'S5', 'V12', 'O8', 'M8') and what users write ('<f4', '>i2', 'float32', 'int64', 'bool', 'U10',
 * 'datetime64[ns]', '<M8[ms]', '?', 'e'...). Unknown strings are an error.
 */
export function parseDtype(text: string): DtypeSpec {
  if (typeof text !== 'string') throw invalidArgument(`a numpy dtype is a string or an NdDtype, not ${typeof text}`);
  let rest = text.trim();
  let asked: string | undefined;
  if (/^[<>=|]/.test(rest)) {
    asked = rest[0];
    rest = rest.slice(1);
  }
  let unitPart: { unit: string; unitCount: number } | undefined;
  // 'M8[ms]': the unit in a trailing [...] (lastIndexOf, not a regex that backtracks on '[[[…').
  const open = rest.endsWith(']') ? rest.lastIndexOf('[') : -1;
  if (open >= 0 && !rest.slice(open + 1, -1).includes(']')) {
    unitPart = parseUnit(rest.slice(open + 1, -1), text);
    rest = rest.slice(0, open);
  }
  let kind: NdKind | undefined;
  let itemsize: number | undefined;
  if (rest === 'datetime64' || rest === 'timedelta64') {
    kind = rest === 'datetime64' ? 'M' : 'm';
    itemsize = 8;
  } else if (Object.hasOwn(NAMES, rest)) {
    [kind, itemsize] = NAMES[rest]!;
  } else if (rest === 'str' || rest === 'unicode' || rest === 'str_') {
    kind = 'U';
    itemsize = 0;
  } else if (rest === 'bytes' || rest === 'bytes_') {
    kind = 'S';
    itemsize = 0;
  } else {
    const match = /^([a-zA-Z?])(\d*)$/.exec(rest);
    if (!match) throw invalidArgument(`unsupported numpy dtype ${quoted(text)}`);
    const [, code, digits] = match as unknown as [string, string, string];
    if (digits === '') {
      if (code === 'S' || code === 'a' || code === 'U' || code === 'V') {
        kind = code === 'a' ? 'S' : (code as NdKind);
        itemsize = 0;
      } else if (code === 'M' || code === 'm') {
        kind = code;
        itemsize = 8;
      } else if (code in CHAR_CODES) {
        [kind, itemsize] = CHAR_CODES[code]!;
      }
    } else {
      const n = Number(digits);
      if (code === 'b' || code === 'i' || code === 'u' || code === 'f' || code === 'c' || code === 'M' || code === 'm' || code === 'O') {
        kind = code;
        itemsize = n;
      } else if (code === 'S' || code === 'a') {
        kind = 'S';
        itemsize = n;
      } else if (code === 'V') {
        kind = 'V';
        itemsize = n;
      } else if (code === 'U') {
        kind = 'U';
        itemsize = n * 4;
      }
    }
  }
  if (kind === undefined || itemsize === undefined) throw invalidArgument(`unsupported numpy dtype ${quoted(text)}`);
  checkedSize(kind, itemsize, text);
  if (unitPart && kind !== 'M' && kind !== 'm') throw invalidArgument(`invalid numpy dtype ${quoted(text)}`);
  const spec: DtypeSpec = { kind, itemsize, byteorder: effectiveOrder(kind, itemsize, asked) };
  if (kind === 'M' || kind === 'm') {
    spec.unit = unitPart?.unit ?? 'generic';
    spec.unitCount = unitPart?.unitCount ?? 1;
  }
  return spec;
}

const KINDS = new Set<string>(['b', 'i', 'u', 'f', 'c', 'S', 'U', 'O', 'V', 'M', 'm']);

/** A DtypeSpec given as an object (`new NdDtype({ kind, itemsize, byteorder })`), checked as parseDtype checks a string. */
export function checkDtypeSpec(spec: unknown): DtypeSpec {
  if (typeof spec !== 'object' || spec === null) throw invalidArgument(`a numpy dtype is a string or an NdDtype, not ${spec === null ? 'null' : typeof spec}`);
  const { kind, itemsize, byteorder, unit, unitCount } = spec as Partial<Record<keyof DtypeSpec, unknown>>;
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw invalidArgument(`a dtype's kind must be one of ${[...KINDS].join(' ')}, not ${quoted(kind)}`);
  if (typeof itemsize !== 'number') throw invalidArgument(`a dtype's itemsize must be a number, not ${typeof itemsize}`);
  checkedSize(kind as NdKind, itemsize, `${kind}${itemsize}`);
  if (byteorder !== undefined && byteorder !== '<' && byteorder !== '>' && byteorder !== '|' && byteorder !== '=') {
    throw invalidArgument(`a dtype's byte order must be '<', '>', '|' or '=', not ${quoted(byteorder)}`);
  }
  const checked: DtypeSpec = { kind: kind as NdKind, itemsize, byteorder: effectiveOrder(kind as NdKind, itemsize, byteorder) };
  if (kind === 'M' || kind === 'm') {
    if (unit !== undefined && (typeof unit !== 'string' || !DATETIME_UNITS.has(unit))) throw invalidArgument(`invalid datetime unit ${quoted(unit)}`);
    if (unitCount !== undefined && (!Number.isSafeInteger(unitCount) || (unitCount as number) < 1)) throw invalidArgument('a datetime unit count must be a positive integer');
    checked.unit = (unit as string | undefined) ?? 'generic';
    checked.unitCount = (unitCount as number | undefined) ?? 1;
  }
  return checked;
}

/** How a dtype's elements are stored in JavaScript. */
export function storageOf(kind: string, itemsize: number): NdStorage {
  switch (kind) {
    case 'b':
      return 'bool';
    case 'i':
      return (['int8', 'int16', 'int32', 'int64'] as const)[[1, 2, 4, 8].indexOf(itemsize)] ?? 'raw';
    case 'u':
      return (['uint8', 'uint16', 'uint32', 'uint64'] as const)[[1, 2, 4, 8].indexOf(itemsize)] ?? 'raw';
    case 'f':
      return itemsize === 2 ? 'float16' : itemsize === 4 ? 'float32' : itemsize === 8 ? 'float64' : 'raw';
    case 'c':
      return itemsize === 8 ? 'complex64' : itemsize === 16 ? 'complex128' : 'raw';
    case 'U':
      return 'unicode';
    case 'M':
    case 'm':
      return 'datetime';
    case 'O':
      return 'object';
    default:
      return 'raw';
  }
}

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** The typed array a storage uses, the storage units per element, and the bytes of one unit. */
export function storageLayout(
  storage: NdStorage,
  itemsize: number,
): { ctor: TypedArrayConstructor | undefined; units: number; unitBytes: number } {
  switch (storage) {
    case 'bool':
      return { ctor: Uint8Array, units: 1, unitBytes: 1 };
    case 'int8':
      return { ctor: Int8Array, units: 1, unitBytes: 1 };
    case 'uint8':
      return { ctor: Uint8Array, units: 1, unitBytes: 1 };
    case 'int16':
      return { ctor: Int16Array, units: 1, unitBytes: 2 };
    case 'uint16':
    case 'float16':
      return { ctor: Uint16Array, units: 1, unitBytes: 2 };
    case 'int32':
      return { ctor: Int32Array, units: 1, unitBytes: 4 };
    case 'uint32':
      return { ctor: Uint32Array, units: 1, unitBytes: 4 };
    case 'int64':
    case 'datetime':
      return { ctor: BigInt64Array, units: 1, unitBytes: 8 };
    case 'uint64':
      return { ctor: BigUint64Array, units: 1, unitBytes: 8 };
    case 'float32':
      return { ctor: Float32Array, units: 1, unitBytes: 4 };
    case 'float64':
      return { ctor: Float64Array, units: 1, unitBytes: 8 };
    case 'complex64':
      return { ctor: Float32Array, units: 2, unitBytes: 4 };
    case 'complex128':
      return { ctor: Float64Array, units: 2, unitBytes: 8 };
    case 'unicode':
      return { ctor: Uint32Array, units: itemsize / 4, unitBytes: 4 };
    case 'object':
      return { ctor: undefined, units: 1, unitBytes: 0 };
    case 'raw':
      return { ctor: Uint8Array, units: itemsize, unitBytes: 1 };
  }
}

/** `dtype.str`: '<f8', '|b1', '|S5', '<U3', '|O', '<M8[ns]', '|V12'. */
export function dtypeStr(spec: DtypeSpec): string {
  const { kind, itemsize, byteorder } = spec;
  if (kind === 'O') return '|O';
  if (kind === 'U') return `${byteorder}U${itemsize / 4}`;
  if (kind === 'M' || kind === 'm') {
    const unit = spec.unit ?? 'generic';
    const suffix = unit === 'generic' ? '' : `[${(spec.unitCount ?? 1) === 1 ? '' : spec.unitCount}${unit}]`;
    return `${byteorder}${kind}8${suffix}`;
  }
  return `${byteorder}${kind}${itemsize}`;
}

/** numpy's `dtype.name`: 'float64', 'bool', 'bytes40', 'str96', 'object', 'datetime64[ns]'. */
export function dtypeName(spec: DtypeSpec): string {
  const { kind, itemsize } = spec;
  const bits = itemsize * 8;
  switch (kind) {
    case 'b':
      return 'bool';
    case 'i':
      return `int${bits}`;
    case 'u':
      return `uint${bits}`;
    case 'f':
      return `float${bits}`;
    case 'c':
      return `complex${bits}`;
    case 'S':
      return `bytes${bits}`;
    case 'U':
      return `str${bits}`;
    case 'O':
      return 'object';
    case 'V':
      return `void${bits}`;
    case 'M':
    case 'm': {
      const base = kind === 'M' ? 'datetime64' : 'timedelta64';
      const unit = spec.unit ?? 'generic';
      return unit === 'generic' ? base : `${base}[${(spec.unitCount ?? 1) === 1 ? '' : spec.unitCount}${unit}]`;
    }
  }
}

/** The first argument numpy pickles for `numpy.dtype(arg, False, True)`: 'f8', 'b1', 'U3', 'O8'. */
export function dtypeReduceArg(spec: DtypeSpec): string {
  const { kind, itemsize } = spec;
  if (kind === 'U') return `U${itemsize / 4}`;
  if (kind === 'O') return 'O8';
  return `${kind}${itemsize}`;
}

/**
 * The BUILD state numpy pickles for a plain dtype (version 3, or 4 with the datetime metadata):
 * (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]).
 */
export function dtypeCanonicalState(spec: DtypeSpec): unknown[] {
  const { kind, itemsize, byteorder } = spec;
  if (kind === 'M' || kind === 'm') {
    // (metadata, (unit, count, 1, 1)). numpy 2 writes None as the metadata, numpy 1 {}: both read
    // {}, while numpy 1.x fails on `dtype.metadata` after reading None.
    const unit = new TextEncoder().encode(spec.unit ?? 'generic');
    return [4, byteorder, null, null, null, -1, -1, 0, tuple({}, tuple(unit, spec.unitCount ?? 1, 1, 1))];
  }
  if (kind === 'S' || kind === 'V') return [3, byteorder, null, null, null, itemsize, 1, 0];
  if (kind === 'U') return [3, byteorder, null, null, null, itemsize, 4, 8];
  if (kind === 'O') return [3, byteorder, null, null, null, -1, -1, 63];
  return [3, byteorder, null, null, null, -1, -1, 0];
}

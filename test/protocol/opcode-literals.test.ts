// The opcode table (src/protocol/opcodes.ts, generated) is the one place opcode bytes are written
// as numbers: everywhere else an opcode is named, `Opcode.BININT1` (a const enum, which compiles
// to the number itself) or `OP.BININT1`. This test reads the sources and fails on an opcode
// written as a number.
//
// The rule, in the files that read or write opcodes (OPCODE_FILES):
// - a hex literal of one byte (0x0 to 0xff) whose value is an opcode's, anywhere in the code
//   (`case 0x4b:`, `=== 0x2e`, `byte(0x94)`, `[0x80, 5]`, `buf[at] = 0x8a`);
// - a decimal literal whose value is an opcode's where an opcode would stand: a case label, either
//   side of == / != / === / !==, the first argument of a writer call, the value of an element
//   assignment, the first item of an array literal (`case 75:`, `=== 46`, `byte(148)`);
// - a one-character string's char code, `'K'.charCodeAt(0)`, when the character is an opcode's.
// Comments and string contents are not code. A byte that is not an opcode's (a mask, 0xff; a
// newline, 0x0a) passes; one that has an opcode's value but is something else (a UTF-8 bit, a
// digit of an argument) is named in ALLOWED, with why.
// And in every file of src/: a line with a byte hex literal and a comment naming the opcode of
// that value (`case 0x4b: // BININT1`) is an opcode written as a number, whatever the file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPCODES } from '../../src/protocol/opcodes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TABLE = 'src/protocol/opcodes.ts';

/** The files that read or write opcodes; besides these, every file that imports the table. */
const OPCODE_FILES = [
  'src/codec/unpickler.ts',
  'src/codec/pickler.ts',
  'src/codec/list-batch-run.ts',
  'src/codec/latin1-bytes-idiom.ts',
  'src/codec/input-hints.ts',
  'src/codec/string-memo.ts',
  'src/codec/writer.ts',
  'src/codec/fast-expansion.ts',
  'src/stream/', // every file in it
  'src/inspect/dis/',
];

/** Files in OPCODE_FILES' folders that hold no opcode: text decoders, whose bytes are characters. */
const NOT_OPCODE_FILES = new Set(['src/inspect/dis/disassemble-codecs.ts']);

interface Allowed {
  readonly file: string;
  /** Text of the code line, which must contain it: with comments and the contents of strings blanked. */
  readonly line: string;
  readonly literal: string;
}

/** Literals with an opcode's value that are not opcodes. Each must still match a line. */
const ALLOWED: readonly Allowed[] = [
  // UTF-8: a continuation byte's top bits (10xxxxxx), not PROTO.
  { file: 'src/codec/pickler.ts', line: 'buf[p + 1] = 0x80 | (b & 0x3f);', literal: '0x80' },
  // Characters of protocol 0 arguments the unpickler reads: INT's 00 and 01 (a bool) and LONG's
  // trailing L, not POP, POP_MARK and LONG.
  { file: 'src/codec/unpickler.ts', line: 'data[start] === 0x30 && (data[start + 1] === 0x30 || data[start + 1] === 0x31)', literal: '0x30' },
  { file: 'src/codec/unpickler.ts', line: 'data[start] === 0x30 && (data[start + 1] === 0x30 || data[start + 1] === 0x31)', literal: '0x31' },
  { file: 'src/codec/unpickler.ts', line: 'this.#push(data[start + 1] === 0x31);', literal: '0x31' },
  { file: 'src/codec/unpickler.ts', line: 'this.#data[end - 1] === 0x4c', literal: '0x4c' },
  // Characters of protocol 0 arguments the disassembler reads: INT's 00 and 01 (a bool) and LONG's
  // trailing L, not POP, POP_MARK and LONG.
  { file: 'src/inspect/dis/disassemble.ts', line: 's[0] === 0x30 && (s[1] === 0x30 || s[1] === 0x31)', literal: '0x30' },
  { file: 'src/inspect/dis/disassemble.ts', line: 's[0] === 0x30 && (s[1] === 0x30 || s[1] === 0x31)', literal: '0x31' },
  { file: 'src/inspect/dis/disassemble.ts', line: 'value: s[1] === 0x31', literal: '0x31' },
  { file: 'src/inspect/dis/disassemble.ts', line: 's[s.length - 1] === 0x4c', literal: '0x4c' },
  // The sign of a LONG argument's top byte (0x80 and up is negative), not PROTO.
  { file: 'src/inspect/dis/disassemble.ts', line: '(data[length - 1]! & 0x80)', literal: '0x80' },
];

const OPCODE_BY_VALUE = new Map(OPCODES.map((op) => [op.code, op.name]));

/** The source with comments and the contents of strings, templates and regexes blanked (lines kept). */
function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const blank = (text: string): string => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += c + blank(source.slice(i + 1, j)) + c;
      i = j + 1;
    } else if (c === '/' && /[(,=:[!&|?{};]\s*$/.test(out.slice(-20))) {
      // A regex literal (a slash where a value starts): up to its closing slash.
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n' && (inClass || source[j] !== '/')) {
        if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        j += source[j] === '\\' ? 2 : 1;
      }
      out += '/' + blank(source.slice(i + 1, j)) + '/';
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

interface Finding {
  readonly line: number;
  readonly literal: string;
  readonly opcode: string;
  readonly text: string;
}

const HEX_BYTE = /\b0[xX]([0-9a-fA-F]{1,2})\b(?![_.0-9a-fA-F])/g;
const DECIMAL_CONTEXTS: readonly RegExp[] = [
  /\bcase\s+(\d+)\s*:/g,
  /[!=]==?\s*(\d+)\b(?![.\d])/g,
  /(?<![\w.])(\d+)\s*[!=]==?/g,
  /\.\s*(?:byte|byte2|opU16|opU32|opU64|opF64|opLine|writeByte)\s*\(\s*(\d+)\b(?![.\d])/g,
  /\]\s*=\s*(\d+)\s*;/g,
  /\[\s*(\d+)\s*,/g,
];
const CHAR_CODE = /(['"])(.)\1\s*\.\s*charCodeAt\s*\(/g;

/** Opcodes written as numbers in `source` (a file that speaks opcodes), by the rule above. */
function opcodeLiterals(source: string): Finding[] {
  const findings: Finding[] = [];
  const rawLines = source.split('\n');
  codeOnly(source).split('\n').forEach((text, index) => {
    const found = (literal: string, value: number): void => {
      const opcode = OPCODE_BY_VALUE.get(value);
      if (opcode !== undefined) findings.push({ line: index + 1, literal, opcode, text: text.trim() });
    };
    for (const match of text.matchAll(HEX_BYTE)) found(match[0], Number.parseInt(match[1]!, 16));
    for (const pattern of DECIMAL_CONTEXTS) {
      for (const match of text.matchAll(pattern)) found(match[1]!, Number(match[1]));
    }
    // The string's content is blanked in `text`: read the character from the raw line.
    for (const match of rawLines[index]!.matchAll(CHAR_CODE)) found(match[0], match[2]!.charCodeAt(0));
  });
  return findings;
}

/** Lines anywhere that write an opcode in hex and name it in a comment (`case 0x4b: // BININT1`). */
function namedHexOpcodes(source: string): Finding[] {
  const findings: Finding[] = [];
  source.split('\n').forEach((line, index) => {
    const comment = line.indexOf('//');
    if (comment < 0) return;
    const code = line.slice(0, comment);
    const names = line.slice(comment);
    for (const match of code.matchAll(HEX_BYTE)) {
      const opcode = OPCODE_BY_VALUE.get(Number.parseInt(match[1]!, 16));
      if (opcode !== undefined && new RegExp(`\\b${opcode}\\b`).test(names)) {
        findings.push({ line: index + 1, literal: match[0], opcode, text: line.trim() });
      }
    }
  });
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

const ALL_SOURCES = sourceFiles('src');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const importsTable = (file: string): boolean => /from '(\.\.\/)+protocol\/opcodes\.js'|from '\.\/opcodes\.js'/.test(read(file));
const speaksOpcodes = ALL_SOURCES.filter(
  (file) =>
    file !== TABLE &&
    !NOT_OPCODE_FILES.has(file) &&
    (OPCODE_FILES.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)) || importsTable(file)),
);

const allows = (allowed: Allowed, file: string, finding: Finding): boolean =>
  allowed.file === file && allowed.literal === finding.literal && finding.text.includes(allowed.line);
const isAllowed = (file: string, finding: Finding): boolean => ALLOWED.some((allowed) => allows(allowed, file, finding));

const report = (file: string, findings: Finding[]): string[] =>
  findings.map((f) => `${file}:${f.line}: ${f.literal} is ${f.opcode}; name it (Opcode.${f.opcode}), or list it in ALLOWED with why: ${f.text}`);

describe('opcodes are named through the generated table', () => {
  it('finds the opcode files, each of them present', () => {
    for (const entry of OPCODE_FILES) {
      expect(ALL_SOURCES.some((file) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)), entry).toBe(true);
    }
    // The files that must be covered are: the unpickler, the pickler, the stream reader, dis.
    for (const file of ['src/codec/unpickler.ts', 'src/codec/pickler.ts', 'src/stream/pickle-boundary.ts', 'src/inspect/dis/disassemble.ts']) {
      expect(speaksOpcodes).toContain(file);
    }
  });

  it('writes no opcode as a number in the files that read or write opcodes', () => {
    const problems = speaksOpcodes.flatMap((file) =>
      report(file, opcodeLiterals(read(file)).filter((finding) => !isAllowed(file, finding))),
    );
    expect(problems).toEqual([]);
  });

  it('has no hex opcode named in a comment anywhere in src/', () => {
    const problems = ALL_SOURCES.filter((file) => file !== TABLE).flatMap((file) => report(file, namedHexOpcodes(read(file))));
    expect(problems).toEqual([]);
  });

  it('allows nothing that is not there: each ALLOWED entry matches a line', () => {
    const stale = ALLOWED.filter((allowed) => !opcodeLiterals(read(allowed.file)).some((finding) => allows(allowed, allowed.file, finding)));
    expect(stale).toEqual([]);
  });
});

describe('the rule', () => {
  const flagged = (code: string): string[] => opcodeLiterals(code).map((f) => `${f.literal} ${f.opcode}`);

  it('catches an opcode in hex wherever it stands', () => {
    expect(flagged('switch (code) {\n  case 0x4b: // BININT1\n}')).toEqual(['0x4b BININT1']);
    expect(flagged('if (code === 0x2e) break;')).toEqual(['0x2e STOP']);
    expect(flagged('out.writeByte(0x94);')).toEqual(['0x94 MEMOIZE']);
    expect(flagged('const header = [0x80, 5];')).toEqual(['0x80 PROTO']);
    expect(flagged('buf[at] = 0x8A;')).toEqual(['0x8A LONG1']);
    expect(flagged('const TUPLE = 0x74;')).toEqual(['0x74 TUPLE']);
  });

  it('catches an opcode in decimal where an opcode stands, and as a character', () => {
    expect(flagged('case 75:')).toEqual(['75 BININT1']);
    expect(flagged('if (data[pos] === 46) return;')).toEqual(['46 STOP']);
    expect(flagged('if (46 !== code) return;')).toEqual(['46 STOP']);
    expect(flagged('out.byte(148);')).toEqual(['148 MEMOIZE']);
    expect(flagged('table[code] = 40;')).toEqual(['40 MARK']);
    expect(flagged("if (code === 'K'.charCodeAt(0)) {}")).toEqual(["'K'.charCodeAt( BININT1"]);
  });

  it('passes bytes that are no opcode, longer numbers, comments and strings', () => {
    expect(flagged('const mask = b & 0xff; const nl = data.indexOf(0x0a); const big = 0x1_0000_0000; const w = 0x7fff_ffff;')).toEqual([]);
    expect(flagged('if (n <= 85 && count > 100) x = 75 + 1;')).toEqual([]);
    expect(flagged('// case 0x4b: BININT1\n/* 0x2e */ const s = "0x94"; const t = `case 0x4b:`;')).toEqual([]);
    expect(flagged('const printable = /^[\\x00-\\x09\\x0b-\\x7f]*$/;')).toEqual([]);
  });

  it('finds a hex opcode named in a comment in any file', () => {
    expect(namedHexOpcodes('  case 0x4b: // BININT1').map((f) => f.opcode)).toEqual(['BININT1']);
    expect(namedHexOpcodes('  if (b === 0x0a) // newline')).toEqual([]);
  });
});

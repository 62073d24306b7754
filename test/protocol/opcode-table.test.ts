// src/protocol/opcodes.ts is generated from CPython's pickletools by scripts/gen-opcodes.py: the
// committed file must be what the generator writes now, and its two tables of opcode bytes by
// name (the Opcode const enum the code uses, the public OP) must agree with OPCODES.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OP, OPCODES } from '../../src/protocol/opcodes.js';
import { describeWithPython, runPython } from '../helpers/python.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TABLE = readFileSync(join(ROOT, 'src', 'protocol', 'opcodes.ts'), 'utf8');

/** The members of `export const enum NAME { ... }` in the table's source, name to value. */
function enumMembers(name: string): Map<string, number> {
  const body = new RegExp(`export const enum ${name} \\{([^}]*)\\}`).exec(TABLE)?.[1];
  if (body === undefined) throw new Error(`no const enum ${name} in opcodes.ts`);
  return new Map([...body.matchAll(/^\s*(\w+) = (0x[0-9a-f]+),$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe('the opcode table', () => {
  it('names every opcode once, in the Opcode enum and in OP, with the byte OPCODES gives it', () => {
    const fromTable = new Map(OPCODES.map((op) => [op.name, op.code]));
    expect(fromTable.size).toBe(OPCODES.length);
    expect(new Map(Object.entries(OP))).toEqual(fromTable);
    expect(enumMembers('Opcode')).toEqual(fromTable);
  });
});

describeWithPython('the generated opcode table', () => {
  it('is what scripts/gen-opcodes.py writes from this CPython', () => {
    const generated = runPython(readFileSync(join(ROOT, 'scripts', 'gen-opcodes.py'), 'utf8')).toString('utf8');
    // The first line names the CPython version it was generated with.
    const withoutVersion = (text: string): string => text.replace(/from CPython [\d.]+\S* pickletools/, 'from CPython pickletools');
    expect(withoutVersion(generated)).toBe(withoutVersion(TABLE));
  });
});

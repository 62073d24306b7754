// The command line on hostile input and arguments: gzip bombs (the decompressed size is limited
// while decompressing, with bounded memory), inputs that never end, pickles whose texts and
// names hold terminal escape sequences (escaped as Python's repr escapes them), values too deep
// or too large to print, unwritable outputs, and names such as `toString` or `__proto__` as
// commands, help topics and options. Every failure exits 1 (bad input, unwritable output) or 2
// (usage), never 70 (internal error), with a message on stderr.
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isPrintable } from '../../src/codec/python-printable.js';
import { type RunResult, useBuiltCli } from '../helpers/cli.js';

const cliEnv = useBuiltCli('cli-hostile');
const runCli = cliEnv.run;

const COMMANDS = ['dis', 'show', 'json', 'inspect'] as const;
const DEFAULT_LIMIT = 256 * 1024 * 1024;

/** The first character Python's repr would escape, other than newlines; undefined when none. */
function unescaped(text: string): string | undefined {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp !== 0x0a && !isPrintable(cp)) return `U+${cp.toString(16).padStart(4, '0')}`;
  }
  return undefined;
}

/** A file in the scratch folder. */
function scratch(name: string, data: Uint8Array | string): string {
  const path = join(cliEnv.work, name);
  writeFileSync(path, data);
  return path;
}

/** Runs the CLI with its peak resident memory (MiB) and wall time recorded. */
function measured(args: string[], input?: Uint8Array): RunResult & { peakMiB: number; ms: number } {
  const peakFile = join(cliEnv.work, 'peak.txt');
  const preload = scratch(
    'peak.cjs',
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  writeFileSync(peakFile, '');
  const started = Date.now();
  const result = cliEnv.spawn(args, { nodeArgs: ['--require', preload], input });
  const ms = Date.now() - started;
  const peakKiB = Number(readFileSync(peakFile, 'utf8'));
  expect(peakKiB, 'the preload recorded the peak').toBeGreaterThan(0);
  return { ...result, peakMiB: peakKiB / 1024, ms };
}

/** gzip members of `size` zero bytes each, `count` of them one after another (a gzip file may hold several). */
function multiMemberBomb(memberSize: number, count: number): Uint8Array {
  const member = gzipSync(new Uint8Array(memberSize), { level: 9 });
  const out = new Uint8Array(member.length * count);
  for (let i = 0; i < count; i++) out.set(member, i * member.length);
  return out;
}

/** One gzip member whose deflate stream repeats a block of `blockSize` zeros `count` times. */
function singleMemberBomb(blockSize: number, count: number): Uint8Array {
  // A sync-flushed deflate stream ends on a byte boundary without a final block, so copies of
  // it concatenate into one stream; an empty final fixed block (0x03 0x00) closes it.
  const block = deflateRawSync(new Uint8Array(blockSize), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
  const out = new Uint8Array(header.length + block.length * count + 2 + 8);
  out.set(header);
  for (let i = 0; i < count; i++) out.set(block, header.length + i * block.length);
  out.set([0x03, 0x00], header.length + block.length * count);
  return out; // CRC and size left zero: the limit stops reading long before them
}

describe('decompressed size is limited while decompressing', () => {
  it('a 2 MB gzip bomb (2 GiB of zeros in 128 members): exit 1 quickly with bounded memory, for every command', { timeout: 120_000 }, () => {
    const bomb = multiMemberBomb(16 << 20, 128);
    expect(bomb.length).toBeLessThan(2_200_000);
    const file = scratch('bomb.pkl.gz', bomb);
    for (const command of COMMANDS) {
      const result = measured([command, file]);
      expect(result.status, command).toBe(1);
      expect(result.stderr).toBe(`pickle-mapper: ${file}: decompressed input is larger than the limit of ${DEFAULT_LIMIT} bytes (--max-input-bytes)\n`);
      expect(result.stdout).toBe('');
      // The limit is 256 MiB; without it this took 4.2 GB and 11 s.
      expect(result.peakMiB, command).toBeLessThan(700);
      expect(result.ms, command).toBeLessThan(10_000);
    }
  });

  it('the same on stdin', { timeout: 60_000 }, () => {
    const result = measured(['dis', '-'], multiMemberBomb(16 << 20, 128));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('pickle-mapper: <stdin>: decompressed input is larger than the limit');
    expect(result.peakMiB).toBeLessThan(700);
  });

  it('a single-member bomb (512 KB to 512 MiB) under --max-input-bytes 1M stops at once, in little memory', { timeout: 60_000 }, () => {
    const file = scratch('one-member.gz', singleMemberBomb(1 << 20, 512));
    const result = measured(['show', '--max-input-bytes', '1M', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`pickle-mapper: ${file}: decompressed input is larger than the limit of 1048576 bytes (--max-input-bytes)\n`);
    expect(result.peakMiB).toBeLessThan(200);
    expect(result.ms).toBeLessThan(5_000);
  });

  it('a gzip file within the limit still reads; --max-input-bytes takes K, M and G', () => {
    const pickle = Uint8Array.of(0x80, 2, 0x4b, 7, 0x2e);
    const file = scratch('small.pkl.gz', gzipSync(pickle));
    for (const limit of ['64', '64K', '2M', '1G', '4096']) {
      const result = runCli(['show', '--max-input-bytes', limit, file]);
      expect(result.status, limit).toBe(0);
      expect(result.stdout).toBe('7\n');
    }
    const tight = runCli(['show', '--max-input-bytes', '4', file]);
    expect(tight.status).toBe(1);
    expect(tight.stderr).toContain('larger than the limit of 4 bytes');
  });

  it('an uncompressed input over the limit is refused before it is read; so is one that never ends', { timeout: 30_000 }, () => {
    const file = scratch('big.pkl', new Uint8Array(3000));
    const big = runCli(['dis', '--max-input-bytes', '2K', file]);
    expect(big.status).toBe(1);
    expect(big.stderr).toBe(`pickle-mapper: ${file}: input is larger than the limit of 2048 bytes (--max-input-bytes)\n`);
    const endless = measured(['dis', '--max-input-bytes', '8M', '/dev/zero']);
    expect(endless.status).toBe(1);
    expect(endless.stderr).toBe('pickle-mapper: /dev/zero: input is larger than the limit of 8388608 bytes (--max-input-bytes)\n');
    expect(endless.peakMiB).toBeLessThan(200);
    const stdin = runCli(['json', '--max-input-bytes', '1K', '-'], new Uint8Array(5000));
    expect(stdin.status).toBe(1);
    expect(stdin.stderr).toContain('pickle-mapper: <stdin>: input is larger than the limit of 1024 bytes');
  });

  it('bad --max-input-bytes values are usage errors', () => {
    for (const value of ['abc', '0', '-1', '1.5', '1e9', '10T', '99999999999999999999', '']) {
      const result = runCli(['dis', '--max-input-bytes', value, 'x.pkl']);
      expect(result.status, value).toBe(2);
      expect(result.stderr, value).toContain('--max-input-bytes');
    }
  });
});

describe('text from the pickle is escaped before it reaches the terminal', () => {
  const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
  const short = (text: string) => {
    const bytes = utf8(text);
    return [0x8c, bytes.length, ...bytes];
  };
  // An instance of module '\x1b]0;mod\x07\x9b\u202e', class 'Cls\x1b[31m', with an attribute
  // '\x1bk' = '\u2028', and a dict key holding a BEL: every kind of name a printer shows raw.
  const evil = Uint8Array.of(
    0x80, 4, 0x5d, // PROTO 4, EMPTY_LIST
    ...short('\x1b]0;mod\x07\x9b\u202e'), ...short('Cls\x1b[31m'), 0x93, 0x29, 0x81, // STACK_GLOBAL, EMPTY_TUPLE, NEWOBJ
    0x7d, ...short('\x1bk'), ...short('\u2028'), 0x73, 0x62, // {'\x1bk': '\u2028'} BUILD
    0x61, // APPEND
    0x7d, ...short('key\x07'), 0x4b, 1, 0x73, 0x61, // APPEND({'key\x07': 1})
    0x2e,
  );

  it('show prints module, class and attribute names as repr escapes them', () => {
    const result = runCli(['show', scratch('evil.pkl', evil)]);
    expect(result.status).toBe(0);
    expect(unescaped(result.stdout)).toBeUndefined();
    expect(result.stdout).toContain('\\x1b]0;mod\\x07\\x9b\\u202e.Cls\\x1b[31m(');
    expect(result.stdout).toContain("'\\x1bk': '\\u2028'");
    expect(result.stdout).toContain("'key\\x07'");
  });

  it('json escapes them as \\u escapes: still valid JSON, the same strings', () => {
    const result = runCli(['json', scratch('evil.pkl', evil)]);
    expect(result.status).toBe(0);
    expect(unescaped(result.stdout)).toBeUndefined();
    expect(result.stdout).toContain('\\u009b\\u202e');
    const parsed = JSON.parse(result.stdout);
    expect(parsed[0].$object.module).toBe('\x1b]0;mod\x07\x9b\u202e');
    expect(parsed[0].$object.name).toBe('Cls\x1b[31m');
    expect(JSON.stringify(parsed[0].$object.state)).toContain('\\u001bk');
  });

  it('inspect and dis print nothing a terminal would act on', () => {
    const file = scratch('evil.pkl', evil);
    for (const command of ['inspect', 'dis'] as const) {
      const result = runCli([command, file]);
      expect(result.status, command).toBe(0);
      expect(unescaped(result.stdout), command).toBeUndefined();
    }
  });

  it('error messages quoting the pickle are escaped: int(), unknown opcodes, dis errors', () => {
    const badInt = scratch('bad-int.pkl', new Uint8Array(Buffer.from('I\x1b]0;pwned\x07\n.', 'latin1')));
    for (const command of COMMANDS) {
      const result = runCli([command, badInt]);
      expect(result.status, command).toBe(1);
      expect(unescaped(result.stderr), command).toBeUndefined();
      expect(result.stderr, command).toContain('\\x1b]0;pwned\\x07');
    }
    const badName = scratch('bad-name.pkl', new Uint8Array(Buffer.from('c\x1b[2J\nx\x07\n.', 'latin1')));
    for (const command of COMMANDS) {
      const result = runCli([command, '--encoding', 'latin1', badName]);
      expect(unescaped(result.stdout + result.stderr), command).toBeUndefined();
    }
  });

  it('command, option and file names from the command line are escaped in messages too', () => {
    for (const args of [['\x1b[2J'], ['dis', '--\x1b[2J'], ['dis', 'no\x1b]0;such\x07file'], ['help', '\x1b[2J']]) {
      const result = runCli(args);
      expect([1, 2]).toContain(result.status);
      expect(unescaped(result.stderr), JSON.stringify(args)).toBeUndefined();
      expect(result.stderr).toContain('\\x1b');
    }
  });
});

describe('every failure exits 1 or 2, never 70', () => {
  const simple = () => scratch('simple.pkl', Uint8Array.of(0x80, 2, 0x28, 0x4b, 1, 0x74, 0x2e));

  it('dis -l 1000000000 is a usage error', () => {
    const result = runCli(['dis', '-l', '1000000000', simple()]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--indentlevel');
    expect(runCli(['dis', '-l', '1000', simple()]).status).toBe(0);
  });

  it('dis -o /dev/full: exit 1, cannot write', () => {
    const result = runCli(['dis', '-o', '/dev/full', simple()]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('pickle-mapper: /dev/full: cannot write: No space left on device\n');
  });

  it('stdout on /dev/full: exit 1, cannot write, for every command', () => {
    for (const command of COMMANDS) {
      const full = openSync('/dev/full', 'w');
      try {
        const result = cliEnv.spawn([command, simple()], { stdio: ['pipe', full, 'pipe'] });
        expect(result.status, command).toBe(1);
        expect(result.stderr, command).toBe('pickle-mapper: <stdout>: cannot write: No space left on device\n');
      } finally {
        closeSync(full);
      }
    }
  });

  it('-o into a folder that does not exist, or onto a folder: exit 1', () => {
    expect(runCli(['dis', '-o', join(cliEnv.work, 'no/such/out.txt'), simple()]).stderr).toMatch(/cannot write: No such file or directory\n$/);
    const onto = runCli(['dis', '-o', cliEnv.work, simple()]);
    expect(onto.status).toBe(1);
    expect(onto.stderr).toMatch(/cannot write: Is a directory\n$/);
  });

  it('a 20 000-deep list: json exits 1 with a message (its indented text is too long for a string); show, inspect and dis print it', { timeout: 60_000 }, () => {
    const depth = 20_000;
    const deep = new Uint8Array(2 + 2 * depth + depth + 1);
    deep.set([0x80, 2]);
    let at = 2;
    for (let i = 0; i < depth; i++) deep[at++] = 0x5d; // EMPTY_LIST
    for (let i = 0; i < depth - 1; i++) deep[at++] = 0x61; // APPEND
    deep[at++] = 0x2e;
    const file = scratch('deep.pkl', deep.subarray(0, at));
    const json = runCli(['json', file]);
    expect(json.status).toBe(1);
    expect(json.stderr).toMatch(new RegExp(`^pickle-mapper: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+\n$`));
    expect(json.stderr).not.toContain('internal error');
    // pformat never recurses: the list prints as Python's pprint would print it.
    const show = runCli(['show', file]);
    expect(show.status).toBe(0);
    expect(show.stdout.trim()).toBe(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(runCli(['inspect', file]).status).toBe(0); // util.inspect stops at --depth
    const dis = runCli(['dis', '-o', '/dev/null', file]);
    expect(dis.status).toBe(0);
  });

  it('20 000 MARKs: dis streams pickletools\' text and exits 1 with its exception', { timeout: 60_000 }, () => {
    const file = scratch('marks.pkl', new Uint8Array([...new Uint8Array(20_000).fill(0x28), 0x2e]));
    const result = runCli(['dis', '-o', '/dev/null', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^pickle-mapper: .*marks\.pkl: ValueError: stack not empty after STOP: \[mark, mark, /);
  });

  it('help for an unknown topic, inherited names included, is a usage error', () => {
    for (const topic of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'nope']) {
      const result = runCli(['help', topic]);
      expect(result.status, topic).toBe(2);
      expect(result.stdout, topic).toBe('');
      expect(result.stderr, topic).toContain(`unknown command '${topic}'`);
    }
  });

  it('inherited names as commands and options are usage errors', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(runCli([name, 'x.pkl']).status, name).toBe(2);
      for (const command of COMMANDS) {
        const result = runCli([command, `--${name}`, 'x.pkl']);
        expect(result.status, `${command} --${name}`).toBe(2);
        expect(result.stderr).toContain(`unknown option --${name}`);
      }
    }
  });

  it('out-of-range numbers for the other options are usage errors or harmless', () => {
    const file = simple();
    expect(runCli(['show', '-w', '0', file]).status).toBe(2);
    expect(runCli(['show', '-w', '99999999999999999999', file]).status).toBe(2);
    expect(runCli(['show', '-w', '1000000000', file]).status).toBe(0);
    expect(runCli(['json', '--indent', '1000000000', file]).status).toBe(0);
    expect(runCli(['json', '--indent', '-1', file]).status).toBe(2);
    expect(runCli(['inspect', '--depth', '1000000000', file]).status).toBe(0);
    expect(runCli(['dis', '-l', '-5', file]).status).toBe(0); // pickletools takes it: no indentation
  });
});

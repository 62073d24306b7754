// `pickle-mapper json`: the loaded value as JSON, in the tagged mapping of json-mapping.ts.
import { toJson } from '../inspect/json/json-mapping.js';
import { intOption, type ParsedArgs, UsageError } from './args.js';
import type { CommandContext } from './context.js';
import { escapeForTerminal } from './terminal-text.js';
import { MAX_INPUT_HELP, MAX_INPUT_OPTION, maxInputBytesOption, readInput } from './input.js';
import { encodingOption, forInput, loadValues } from './load.js';

export const JSON_OPTIONS = [
  { long: 'all' },
  { long: 'indent', value: true },
  { long: 'compact' },
  { long: 'encoding', value: true },
  MAX_INPUT_OPTION,
] as const;

export const JSON_USAGE = `Usage: pickle-mapper json [options] FILE|- [FILE|-...]

Load each pickle (nothing is imported or run) and print the value as JSON. None, bools,
ints that fit a double, finite floats (in Python's repr: 2.0 stays 2.0), str, list and
str-keyed dicts are plain JSON; everything else is a one-key tagged object:
  {"$int": "123..."}  {"$float": "nan"|"inf"|"-inf"}  {"$bytes": "<base64>"}
  {"$bytearray": "<base64>"}  {"$tuple": [...]}  {"$set": [...]}  {"$frozenset": [...]}
  {"$dict": [[key, value], ...]} (non-str keys, or a key starting with "$")
  {"$complex": [real, imag]}  {"$global": {"module": ..., "name": ...}}
  {"$object": {"module", "name", "creation", "args", "kwargs", "state", "listitems",
               "dictitems"}} for instances of classes nobody registered
A container reached twice (shared, or a cycle) is written once as {"$id": N, "$value": ...}
and then referred to as {"$ref": N}.

Options:
      --all              every pickle in each file, as a JSON array (default: the first)
      --indent N         indentation (default 2)
      --compact          no indentation: one line per document
      --encoding ENC     Python 2 str: ascii (default, as Python), latin1, utf-8 or bytes
${MAX_INPUT_HELP}
  -h, --help             show this help

FILE may be - for stdin; gzip input is recognised by its magic bytes. Several files give
one JSON document each, one after another.`;

export function runJson(args: ParsedArgs, context: CommandContext): number {
  if (args.positionals.length === 0) throw new UsageError('json needs a FILE (or - for stdin)');
  const indent = args.options.has('compact') ? 0 : intOption(args, 'indent', 2, 0);
  const encoding = encodingOption(args);
  const maxInputBytes = maxInputBytesOption(args);
  const all = args.options.has('all');
  for (const path of args.positionals) {
    const input = readInput(path, context.stdin, maxInputBytes);
    forInput(input, () => {
      // keepFloatType: 2.0 stays a float; dicts as Maps: Python's key order, integer-like keys too.
      const values = [...loadValues(input, all, { encoding, keepFloatType: true, dicts: 'map', maxInputBytes })];
      // JSON.stringify leaves C1 controls, bidi overrides and the like raw: \u escapes here.
      context.stdout.write(escapeForTerminal(toJson(all ? values : values[0], { indent }), { keepNewlines: true, json: true }) + '\n');
    });
  }
  return 0;
}

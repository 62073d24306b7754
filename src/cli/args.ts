// A small argument parser: long options (--name, --name=value), short ones (-m, -l 2, -l2,
// grouped flags -ma), `--` to end options, and `-` as the file name for stdin.

export interface OptionSpec {
  readonly long: string;
  readonly short?: string;
  /** Takes a value (`--width 100`); a flag otherwise. */
  readonly value?: boolean;
}

export interface ParsedArgs {
  readonly options: Map<string, string | true>;
  readonly positionals: string[];
}

/** A mistake on the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((spec) => [spec.long, spec]));
  const byShort = new Map(specs.filter((spec) => spec.short).map((spec) => [spec.short!, spec]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.value) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option --${name} needs a value`);
        options.set(spec.long, value);
      } else {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        options.set(spec.long, true);
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j]!);
        if (!spec) throw new UsageError(`unknown option -${arg[j]}`);
        if (spec.value) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
          if (value === undefined) throw new UsageError(`option -${arg[j]} needs a value`);
          options.set(spec.long, value);
          break;
        }
        options.set(spec.long, true);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}

/** An integer option value, checked to lie within [min, max]. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = min > -Infinity && max < Infinity ? ` from ${min} to ${max}` : min > -Infinity ? ` >= ${min}` : max < Infinity ? ` <= ${max}` : '';
    throw new UsageError(`--${name} needs an integer${range}, not '${String(raw)}'`);
  }
  return value;
}

/** A string option value. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.options.get(name);
  return typeof raw === 'string' ? raw : undefined;
}

/**
 * A small, declarative argument parser for the original's flag style: `--training:n-neighbors 3`,
 * list flags that take every following non-flag word (`--sampler-args "" r=0.5`), `--no-x` booleans.
 * Bad input throws UsageError, which the dispatcher turns into exit code 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagKind = 'string' | 'number' | 'integer' | 'boolean' | 'list';

export interface FlagSpec {
  /** Without the leading dashes, e.g. `training:n-neighbors`. */
  name: string;
  kind: FlagKind;
  help: string;
  /** Shown in --help; parsing never fills it in (callers merge their own defaults). */
  default?: string;
  /** Allowed values (string/list kinds). */
  choices?: readonly string[];
  /** A one-letter alias, e.g. `o`. */
  short?: string;
  /** A list flag given several times collects every value (`--grid a=1,2 --grid b=x`) instead of keeping the last. */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec[];
  /** Names of positional arguments (all required), shown in usage. */
  positionals?: string[];
}

export type FlagValue = string | number | boolean | string[];

export interface ParsedArgs {
  flags: Map<string, FlagValue>;
  positionals: string[];
  help: boolean;
}

function isFlagWord(word: string): boolean {
  // A negative number is a value, not a flag.
  return word.startsWith('-') && word.length > 1 && !/^-\d|^-\.\d/.test(word);
}

function convert(spec: FlagSpec, raw: string): FlagValue {
  if (spec.kind === 'number' || spec.kind === 'integer') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) {
      throw new UsageError(`--${spec.name}: '${raw}' is not a number`);
    }
    if (spec.kind === 'integer' && !Number.isInteger(value)) {
      throw new UsageError(`--${spec.name}: '${raw}' is not a whole number`);
    }
    return value;
  }
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new UsageError(`--${spec.name}: '${raw}' is not one of ${spec.choices.join(', ')}`);
  }
  return raw;
}

export function parseArgs(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const flag of command.flags) {
    byName.set(flag.name, flag);
    if (flag.short) byName.set(flag.short, flag);
  }
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!isFlagWord(word)) {
      positionals.push(word);
      continue;
    }
    if (word === '--help' || word === '-h') {
      help = true;
      continue;
    }
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 && !byName.has(body) ? body.slice(0, eq) : body;
    const inline = eq >= 0 && !byName.has(body) ? body.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-')) {
      const negated = byName.get(name.slice(3));
      if (negated?.kind === 'boolean') {
        flags.set(negated.name, false);
        continue;
      }
    }
    if (!spec) throw new UsageError(`unknown flag ${word} (see \`alphanet ${command.name} --help\`)`);
    spec = spec as FlagSpec;
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    if (spec.kind === 'list') {
      const values: string[] = inline !== undefined ? [inline] : [];
      while (i + 1 < argv.length && !isFlagWord(argv[i + 1]) && argv[i + 1] !== '--') values.push(argv[++i]);
      if (values.length === 0) throw new UsageError(`--${spec.name} needs at least one value`);
      const converted = values.map((v) => convert(spec, v) as string);
      const before = spec.repeatable ? flags.get(spec.name) : undefined;
      flags.set(spec.name, Array.isArray(before) ? [...before, ...converted] : converted);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${spec.name} needs a value`);
      raw = argv[++i];
    }
    flags.set(spec.name, convert(spec, raw));
  }
  if (!help) {
    const wanted = command.positionals ?? [];
    if (positionals.length < wanted.length) {
      throw new UsageError(`missing ${wanted.slice(positionals.length).join(', ')} (usage: ${command.usage})`);
    }
    if (positionals.length > wanted.length) {
      throw new UsageError(`unexpected argument '${positionals[wanted.length]}' (usage: ${command.usage})`);
    }
  }
  return { flags, positionals, help };
}

export function formatHelp(command: CommandSpec): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary, ''];
  if (command.flags.length > 0) lines.push('Options:');
  const heads = command.flags.map((f) => {
    const value = f.kind === 'boolean' ? '' : f.kind === 'list' ? ' V [V ...]' : ' V';
    return `  ${f.short ? `-${f.short}, ` : ''}--${f.name}${value}`;
  });
  const width = Math.min(48, Math.max(0, ...heads.map((h) => h.length)) + 2);
  command.flags.forEach((f, i) => {
    const extras = [
      f.choices ? `one of: ${f.choices.join(', ')}` : '',
      f.default !== undefined ? `default: ${f.default}` : '',
    ].filter(Boolean);
    const text = extras.length > 0 ? `${f.help} (${extras.join('; ')})` : f.help;
    const head = heads[i];
    lines.push(head.length + 2 > width ? `${head}\n${' '.repeat(width)}${text}` : `${head.padEnd(width)}${text}`);
  });
  lines.push('  -h, --help'.padEnd(width) + 'show this help');
  return lines.join('\n');
}

/** Typed getters: throw UsageError on a missing required flag. */
export function getString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined ? undefined : String(v);
}

export function requireString(args: ParsedArgs, name: string): string {
  const v = getString(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function getNumber(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  return typeof v === 'number' ? v : undefined;
}

export function getBoolean(args: ParsedArgs, name: string): boolean | undefined {
  const v = args.flags.get(name);
  return typeof v === 'boolean' ? v : undefined;
}

export function getList(args: ParsedArgs, name: string): string[] | undefined {
  const v = args.flags.get(name);
  return Array.isArray(v) ? v : undefined;
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { ClassifierLoaderName, DatasetSpec } from '../../src-shared/dataset.ts';
import { FileFormatError, UserError } from '../errors.ts';
import { datasetRegistryFile, resourcesDir } from '../paths.ts';
import { readTextOrFail } from '../files.ts';

export const CLASSIFIER_LOADERS: readonly ClassifierLoaderName[] = [
  'LinearClassifierLoader',
  'CombinedClassifierLoader',
];
export const DEFAULT_DATAGRPS: readonly string[] = ['train', 'val', 'test'];

/** datasets.toml's path keys and the DatasetSpec fields they fill. */
export const PATH_KEYS = {
  split_files_dir: 'splitFilesDir',
  feature_files_dir: 'featureFilesDir',
  classifier_file: 'classifierFile',
  nn_files_dir: 'nnFilesDir',
  baseline_eval_file: 'baselineEvalFile',
} as const;
type PathKey = keyof typeof PATH_KEYS;
const REQUIRED_KEYS: readonly string[] = [...Object.keys(PATH_KEYS), 'classifier_loader'];
// The original reads `label_names_file_path` (while its template writes `label_names_file`): accept both.
export const LABEL_NAMES_KEYS = ['label_names_file', 'label_names_file_path'] as const;
const KNOWN_KEYS = new Set([...REQUIRED_KEYS, ...LABEL_NAMES_KEYS, 'proper_name', 'datagrps']);

/** What path resolution may look at; injected so the rule is testable without a file tree. */
export interface PathProbe {
  cwd: string;
  exists(p: string): boolean;
}

const realProbe = (cwd: string): PathProbe => ({ cwd, exists: (p) => fs.existsSync(p) });

/** One table's outcome: a spec, or the problems that prevented it. */
export interface ParsedTable {
  key: string;
  spec: DatasetSpec | null;
  errors: string[];
  warnings: string[];
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * Resolves a table's relative paths. Ours: relative to the TOML file's folder, so a TOML can live
 * anywhere. The original resolved against the working directory; when a path does not exist beside
 * the TOML but does from the cwd, the cwd one is used (with a warning). Paths that exist in neither
 * place (nn_files_dir and baseline_eval_file are created later) follow the table's other paths: cwd
 * if any of them was found only from the cwd, else the TOML's folder.
 */
function resolveTablePaths(
  raw: Record<PathKey, string> & { label_names_file?: string },
  tomlDir: string,
  probe: PathProbe,
  where: string,
  warnings: string[],
): Record<string, string> {
  const keys = Object.keys(raw) as (keyof typeof raw)[];
  const decided: Record<string, string> = {};
  const undecided: string[] = [];
  let usedCwd = false;
  for (const key of keys) {
    const value = expandHome(raw[key] as string);
    if (path.isAbsolute(value)) {
      decided[key] = path.normalize(value);
      continue;
    }
    const besideToml = path.resolve(tomlDir, value);
    const fromCwd = path.resolve(probe.cwd, value);
    if (probe.exists(besideToml)) decided[key] = besideToml;
    else if (besideToml !== fromCwd && probe.exists(fromCwd)) {
      decided[key] = fromCwd;
      usedCwd = true;
      warnings.push(
        `${where}: ${key} '${value}' is not in the TOML's folder ${tomlDir}; using ${fromCwd} (relative to the working directory, as the original did)`,
      );
    } else undecided.push(key);
  }
  for (const key of undecided) {
    const value = expandHome(raw[key as keyof typeof raw] as string);
    decided[key] = path.resolve(usedCwd ? probe.cwd : tomlDir, value);
  }
  return decided;
}

function parseTable(key: string, table: Record<string, unknown>, file: string, probe: PathProbe): ParsedTable {
  const where = `[${key}]`;
  const errors: string[] = [];
  const warnings: string[] = [];
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(table)) {
    if (!KNOWN_KEYS.has(name)) {
      warnings.push(`${where}: unknown key '${name}' ignored (known: ${[...KNOWN_KEYS].join(', ')})`);
      continue;
    }
    if (name === 'datagrps') continue;
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push(`${where}: '${name}' must be a non-empty string, not ${JSON.stringify(value)}`);
      continue;
    }
    strings[name] = value;
  }
  for (const name of REQUIRED_KEYS) {
    if (!(name in table)) errors.push(`${where}: missing required key '${name}'`);
  }
  const [namesKey, legacyNamesKey] = LABEL_NAMES_KEYS;
  if (
    strings[namesKey] !== undefined &&
    strings[legacyNamesKey] !== undefined &&
    strings[namesKey] !== strings[legacyNamesKey]
  ) {
    errors.push(`${where}: '${namesKey}' and '${legacyNamesKey}' disagree; give one`);
  }
  const labelNames = strings[namesKey] ?? strings[legacyNamesKey];

  const loader = strings.classifier_loader;
  if (loader !== undefined && !CLASSIFIER_LOADERS.includes(loader as ClassifierLoaderName)) {
    errors.push(`${where}: classifier_loader '${loader}' is not one of ${CLASSIFIER_LOADERS.join(', ')}`);
  }

  let datagrps = [...DEFAULT_DATAGRPS];
  if ('datagrps' in table) {
    const value = table.datagrps;
    const valid =
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((g) => typeof g === 'string' && /^[^/\\*?[\]]+$/.test(g)) &&
      new Set(value).size === value.length;
    if (valid) datagrps = value as string[];
    else
      errors.push(
        `${where}: 'datagrps' must be a non-empty list of distinct names without path or glob characters, not ${JSON.stringify(value)}`,
      );
  }
  if (errors.length > 0) return { key, spec: null, errors, warnings };

  const raw = Object.fromEntries(Object.keys(PATH_KEYS).map((k) => [k, strings[k]])) as Record<PathKey, string> & {
    label_names_file?: string;
  };
  if (labelNames !== undefined) raw.label_names_file = labelNames;
  const resolved = resolveTablePaths(raw, path.dirname(file), probe, where, warnings);
  const spec: DatasetSpec = {
    key,
    properName: strings.proper_name ?? key,
    splitFilesDir: resolved.split_files_dir,
    featureFilesDir: resolved.feature_files_dir,
    classifierFile: resolved.classifier_file,
    classifierLoader: loader as ClassifierLoaderName,
    nnFilesDir: resolved.nn_files_dir,
    baselineEvalFile: resolved.baseline_eval_file,
    labelNamesFile: resolved.label_names_file ?? null,
    datagrps,
    configFile: file,
  };
  return { key, spec, errors, warnings };
}

/** Parses a datasets.toml's text into one result per table (pure apart from `probe`). */
export function parseDatasetsToml(
  text: string,
  file: string,
  probe: PathProbe,
): { tables: ParsedTable[]; warnings: string[] } {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new FileFormatError(
        file,
        `not valid TOML (line ${error.line}, column ${error.column}): ${error.message.split('\n')[0]}`,
      );
    }
    throw error;
  }
  const tables: ParsedTable[] = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
      warnings.push(`top-level key '${key}' is not a [table]; ignored`);
      continue;
    }
    tables.push(parseTable(key, value as Record<string, unknown>, file, probe));
  }
  return { tables, warnings };
}

function readTables(file: string, cwd: string): { tables: ParsedTable[]; warnings: string[]; file: string } {
  const absolute = path.resolve(cwd, file);
  const text = readTextOrFail(absolute, 'datasets config');
  return { ...parseDatasetsToml(text, absolute, realProbe(cwd)), file: absolute };
}

function tableFailure(file: string, table: ParsedTable): FileFormatError {
  return new FileFormatError(file, table.errors.join('; '));
}

/**
 * Reads every dataset of a datasets.toml. Throws FileFormatError naming the file and every problem
 * (missing required keys, bad values); unknown keys and cwd-resolved paths come back as warnings.
 */
export function readDatasetsToml(
  file: string,
  cwd: string = process.cwd(),
): { specs: DatasetSpec[]; warnings: string[] } {
  const { tables, warnings, file: absolute } = readTables(file, cwd);
  const problems = tables.flatMap((t) => t.errors);
  if (problems.length > 0) throw new FileFormatError(absolute, problems.join('; '));
  return {
    specs: tables.map((t) => t.spec as DatasetSpec),
    warnings: [...warnings, ...tables.flatMap((t) => t.warnings)].map((w) => `${absolute}: ${w}`),
  };
}

/** The bundled demo dataset's config. */
export function demoConfigFile(): string {
  return path.join(resourcesDir(), 'demo', 'datasets.toml');
}

/**
 * Where `resolveDataset` looks when no config is given, in order: the original project's location
 * under the working directory (the project at hand is the more specific), then the app's registry.
 */
export function defaultConfigFiles(cwd: string = process.cwd()): string[] {
  return [path.resolve(cwd, 'config', 'datasets.toml'), datasetRegistryFile()];
}

/**
 * Finds dataset `name` in `configFile` (or, without one, in the default config files), with the
 * table's warnings. Only the named table has to be valid. `demo` falls back to the bundled demo
 * when the config lacks it.
 */
export function findDataset(
  name: string,
  configFile?: string,
  cwd: string = process.cwd(),
): { spec: DatasetSpec; warnings: string[] } {
  const candidates = configFile !== undefined ? [configFile] : defaultConfigFiles(cwd).filter((f) => fs.existsSync(f));
  const seen: string[] = [];
  const found = (table: ParsedTable, file: string) => {
    if (!table.spec) throw tableFailure(file, table);
    return { spec: table.spec, warnings: table.warnings.map((w) => `${file}: ${w}`) };
  };
  const hits: { table: ParsedTable; file: string }[] = [];
  for (const candidate of candidates) {
    const { tables, file } = readTables(candidate, cwd);
    const table = tables.find((t) => t.key === name);
    if (table) hits.push({ table, file });
    else seen.push(`${file} has ${tables.length > 0 ? tables.map((t) => t.key).join(', ') : 'no datasets'}`);
  }
  if (hits.length > 0) {
    const used = found(hits[0].table, hits[0].file);
    const others = hits.slice(1).map((h) => h.file);
    if (others.length === 0) return used;
    const note = `dataset '${name}' is in ${[hits[0].file, ...others].join(' and ')}; using ${hits[0].file} (the working directory's config comes first; --config ${others[0]} for the other)`;
    return { ...used, warnings: [note, ...used.warnings] };
  }
  if (name === 'demo') {
    const { tables, file } = readTables(demoConfigFile(), cwd);
    const table = tables.find((t) => t.key === 'demo');
    if (!table) throw new FileFormatError(file, 'the bundled config has no [demo] table');
    const demo = found(table, file);
    return { ...demo, spec: { ...demo.spec, configFile: null } };
  }
  if (candidates.length === 0) {
    throw new UserError(
      `no dataset '${name}': no --config given and no default config (${defaultConfigFiles(cwd).join(' or ')}) exists`,
    );
  }
  throw new UserError(`no dataset '${name}' (${seen.join('; ')})`);
}

/** findDataset without the warnings. */
export function resolveDataset(name: string, configFile?: string, cwd: string = process.cwd()): DatasetSpec {
  return findDataset(name, configFile, cwd).spec;
}

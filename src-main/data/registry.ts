/**
 * The app's dataset registry (`datasetRegistryFile()`: the data folder's datasets.toml, in the original
 * project's format). Entries are edited as text, table by table, so the other tables and the comments
 * someone wrote there stay as they were; every edit is checked by parsing the result before the file
 * is replaced (atomically).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetSpec } from '../../src-shared/dataset.ts';
import { UserError } from '../errors.ts';
import { readTextOrFail } from '../files.ts';
import { DEFAULT_DATAGRPS, LABEL_NAMES_KEYS, PATH_KEYS, parseDatasetsToml } from './config.ts';

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
/** `[key]`, `["key"]` or `['key']`, with an optional comment; other `[`-lines (`[a.b]`, `[[x]]`) still end a table. */
const SIMPLE_HEADER = /^\s*\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]\s*(?:#.*)?$/;

// JSON's string escapes are all valid in a TOML basic string.
const tomlString = (s: string): string => JSON.stringify(s);
const tomlKey = (key: string): string => (BARE_KEY.test(key) ? key : tomlString(key));

/** One dataset's table as the original project writes it: absolute paths, so any working directory reads it. */
export function registryTable(spec: DatasetSpec): string[] {
  const lines = [`[${tomlKey(spec.key)}]`, `proper_name = ${tomlString(spec.properName)}`];
  for (const [tomlName, field] of Object.entries(PATH_KEYS)) lines.push(`${tomlName} = ${tomlString(spec[field])}`);
  lines.push(`classifier_loader = ${tomlString(spec.classifierLoader)}`);
  // The original's template writes the first name and its code reads the second: both, so either reads it.
  if (spec.labelNamesFile !== null)
    for (const name of LABEL_NAMES_KEYS) lines.push(`${name} = ${tomlString(spec.labelNamesFile)}`);
  const defaultGroups =
    spec.datagrps.length === DEFAULT_DATAGRPS.length && spec.datagrps.every((g, i) => g === DEFAULT_DATAGRPS[i]);
  if (!defaultGroups) lines.push(`datagrps = [${spec.datagrps.map(tomlString).join(', ')}]`);
  return lines;
}

interface Section {
  /** The table's key; null for a header this editor does not rewrite. */
  key: string | null;
  /** First line: the comment lines right above the header belong to the table. */
  from: number;
  header: number;
  /** One past the last line. */
  to: number;
}

function headerKey(line: string): string | null {
  const m = SIMPLE_HEADER.exec(line);
  if (!m) return null;
  if (m[1] !== undefined) return JSON.parse(`"${m[1]}"`) as string;
  return m[2] ?? m[3];
}

function sections(lines: readonly string[]): Section[] {
  const headers = lines.flatMap((line, i) => (/^\s*\[/.test(line) ? [i] : []));
  const out: Section[] = [];
  headers.forEach((header, j) => {
    const floor = j === 0 ? 0 : headers[j - 1] + 1;
    let from = header;
    while (from > floor && /^\s*#/.test(lines[from - 1])) from--;
    out.push({ key: headerKey(lines[header]), from, header, to: lines.length });
    if (j > 0) out[j - 1].to = from;
  });
  return out;
}

function trailingBlankLines(lines: readonly string[], s: Section): string[] {
  let end = s.to;
  while (end > s.header + 1 && lines[end - 1].trim() === '') end--;
  return lines.slice(end, s.to);
}

/** `text` with each spec's table replaced in place, or appended when new (pure). */
export function upsertRegistryTables(text: string, specs: readonly DatasetSpec[]): string {
  let lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  for (const spec of specs) {
    const table = registryTable(spec);
    const at = sections(lines).find((s) => s.key === spec.key);
    if (at) lines = [...lines.slice(0, at.header), ...table, ...trailingBlankLines(lines, at), ...lines.slice(at.to)];
    else lines = [...lines, ...(lines.length > 0 && lines[lines.length - 1].trim() !== '' ? [''] : []), ...table];
  }
  return `${lines.join('\n')}\n`;
}

/** `text` without `key`'s table and the comment right above it (pure); unchanged when it has none. */
export function removeRegistryTable(text: string, key: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const at = sections(lines).find((s) => s.key === key);
  if (!at) return text;
  const rest = [...lines.slice(0, at.from), ...lines.slice(at.to)];
  while (rest.length > 0 && rest[rest.length - 1].trim() === '') rest.pop();
  return rest.length === 0 ? '' : `${rest.join('\n')}\n`;
}

function readRegistry(file: string): string {
  return fs.existsSync(file) ? readTextOrFail(file, 'dataset registry') : '';
}

function keysOf(text: string, file: string): string[] {
  return parseDatasetsToml(text, file, { cwd: path.dirname(file), exists: () => true }).tables.map((t) => t.key);
}

/** Checks the edit did what it meant to (other tables kept) before anything is written. */
function writeChecked(file: string, before: string, after: string, expected: (keys: Set<string>) => Set<string>): void {
  const want = [...expected(new Set(keysOf(before, file)))].sort();
  const got = keysOf(after, file).sort();
  if (want.join('\n') !== got.join('\n')) {
    throw new UserError(
      `${file}: its layout is too unusual to edit safely (expected tables ${want.join(', ')} after the edit, got ${got.join(', ')}); edit it by hand`,
    );
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, after);
  fs.renameSync(tmp, file);
}

/** The dataset keys the registry holds (none when it does not exist yet). */
export function registryKeys(file: string): string[] {
  return keysOf(readRegistry(file), file);
}

/** Adds or replaces `specs`' tables in the registry. */
export function addToRegistry(file: string, specs: readonly DatasetSpec[]): void {
  const before = readRegistry(file);
  writeChecked(
    file,
    before,
    upsertRegistryTables(before, specs),
    (keys) => new Set([...keys, ...specs.map((s) => s.key)]),
  );
}

/** Removes `key`'s table from the registry; false when it had none. */
export function removeFromRegistry(file: string, key: string): boolean {
  const before = readRegistry(file);
  const after = removeRegistryTable(before, key);
  if (after === before) return false;
  writeChecked(file, before, after, (keys) => new Set([...keys].filter((k) => k !== key)));
  return true;
}

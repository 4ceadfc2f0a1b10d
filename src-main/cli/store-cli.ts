/** What the commands that record or read runs share: the `--db` and `--experiment` flags. */
import path from 'node:path';
import { AnnotationError, normalizeTags } from '../../src-shared/run-annotations.ts';
import type { RunRow } from '../store/run-store.ts';
import { defaultDbFile } from '../store/db.ts';
import { openStore, type OpenedStore } from '../store/open.ts';
import { getList, getString, UsageError, type FlagSpec, type ParsedArgs } from './args.ts';
import type { CliIO } from './command.ts';

export const DB_FLAG: FlagSpec = {
  name: 'db',
  kind: 'string',
  help: 'the workbench database (default: workbench.sqlite in the app folder, shared with the app)',
};

export const EXPERIMENT_FLAG: FlagSpec = {
  name: 'experiment',
  kind: 'string',
  help: 'group the run under this experiment name (default: from the config, e.g. "<dataset> r=<r>")',
};

/** The database `--db` names (default: the app's). */
export function dbFileOf(args: ParsedArgs, io: CliIO): string {
  const flag = getString(args, 'db');
  return flag === undefined ? defaultDbFile() : path.resolve(io.cwd, flag);
}

/**
 * Opens `--db` through the start-up routine (migrations, then orphaned runs → interrupted). Commands
 * that only read pass `readOnly`: a database in a read-only folder is then read from a copy, with a note.
 */
export function openStoreArg(args: ParsedArgs, io: CliIO, opts: { readOnly?: boolean } = {}): OpenedStore {
  const opened = openStore(dbFileOf(args, io), io.cwd, opts);
  if (opened.snapshotOf)
    io.err(
      `note: ${opened.snapshotOf.folder} cannot be written (${opened.snapshotOf.code}); reading a copy of the database`,
    );
  for (const id of opened.interrupted)
    io.err(`note: run ${id} was running in a process that stopped; it is now interrupted (alphanet resume ${id})`);
  return opened;
}

function pct(x: number | undefined): string {
  return x !== undefined && Number.isFinite(x) ? (100 * x).toFixed(1) : '–';
}

/**
 * `alphanet runs` as a text table; `labelOf` names each run's config within its sweep (`k=5, ρ=0.5`). A
 * worker column appears once a listed run went to a distributed worker, a tags column once one has tags.
 */
export function formatRunsTable(runs: readonly RunRow[], labelOf: (run: RunRow) => string = () => ''): string {
  const columns: { head: string; numeric?: boolean; cell: (r: RunRow) => string }[] = [
    { head: 'id', numeric: true, cell: (r) => String(r.id) },
    { head: 'dataset', cell: (r) => r.dataset },
    { head: 'experiment', cell: (r) => r.experiment },
    { head: 'config', cell: (r) => labelOf(r) || '–' },
    { head: 'status', cell: (r) => r.status },
    ...(runs.some((r) => r.worker !== null) ? [{ head: 'worker', cell: (r: RunRow) => r.worker ?? '–' }] : []),
    ...(runs.some((r) => r.tags.length > 0) ? [{ head: 'tags', cell: (r: RunRow) => r.tags.join(' ') || '–' }] : []),
    { head: 'seed', numeric: true, cell: (r) => (r.seed === null ? '–' : String(r.seed)) },
    {
      head: 'epochs',
      numeric: true,
      cell: (r) => (r.kind === 'baseline' ? '–' : `${r.epochsDone}/${r.config.training.train_epochs}`),
    },
    { head: 'best', numeric: true, cell: (r) => (r.bestEpoch === null ? '–' : String(r.bestEpoch)) },
    { head: 'few', numeric: true, cell: (r) => pct(r.test?.per_split.few) },
    { head: 'med.', numeric: true, cell: (r) => pct(r.test?.per_split.medium) },
    { head: 'many', numeric: true, cell: (r) => pct(r.test?.per_split.many) },
    { head: 'overall', numeric: true, cell: (r) => pct(r.test?.accuracy) },
  ];
  const rows = runs.map((r) => columns.map((c) => c.cell(r)));
  const head = columns.map((c) => c.head);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (columns[i].numeric ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** A list flag's tags, normalized by the shared rules; undefined when the flag is absent. */
export function tagsArg(args: ParsedArgs, flag: string): string[] | undefined {
  const raw = getList(args, flag);
  if (raw === undefined) return undefined;
  try {
    return normalizeTags(raw);
  } catch (error) {
    if (error instanceof AnnotationError) throw new UsageError(`--${flag}: ${error.message}`);
    throw error;
  }
}

/** A run id given on the command line. */
export function parseRunId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new UsageError(`'${text}' is not a run id (a whole number ≥ 1; see \`alphanet runs\`)`);
  return id;
}

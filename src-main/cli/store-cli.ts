/** What the commands that record or read runs share: the `--db` and `--experiment` flags. */
import path from 'node:path';
import type { RunRow } from '../store/run-store.ts';
import { defaultDbFile } from '../store/db.ts';
import { openStore, type OpenedStore } from '../store/open.ts';
import { getString, UsageError, type FlagSpec, type ParsedArgs } from './args.ts';
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

/**
 * Opens `--db` through the start-up routine (migrations, then orphaned runs → interrupted). Commands
 * that only read pass `readOnly`: a database in a read-only folder is then read from a copy, with a note.
 */
export function openStoreArg(args: ParsedArgs, io: CliIO, opts: { readOnly?: boolean } = {}): OpenedStore {
  const flag = getString(args, 'db');
  const opened = openStore(flag === undefined ? defaultDbFile() : path.resolve(io.cwd, flag), io.cwd, opts);
  if (opened.snapshotOf) io.err(`note: ${opened.snapshotOf.folder} cannot be written (${opened.snapshotOf.code}); reading a copy of the database`);
  for (const id of opened.interrupted) io.err(`note: run ${id} was running in a process that stopped; it is now interrupted (alphanet resume ${id})`);
  return opened;
}

function pct(x: number | undefined): string {
  return x !== undefined && Number.isFinite(x) ? (100 * x).toFixed(1) : '–';
}

/** `alphanet runs` as a text table; `labelOf` names each run's config within its sweep (`k=5, ρ=0.5`). */
export function formatRunsTable(runs: readonly RunRow[], labelOf: (run: RunRow) => string = () => ''): string {
  const head = ['id', 'dataset', 'experiment', 'config', 'status', 'seed', 'epochs', 'best', 'few', 'med.', 'many', 'overall'];
  const rows = runs.map((r) => [
    String(r.id),
    r.dataset,
    r.experiment,
    labelOf(r) || '–',
    r.status,
    r.seed === null ? '–' : String(r.seed),
    r.kind === 'baseline' ? '–' : `${r.epochsDone}/${r.config.training.train_epochs}`,
    r.bestEpoch === null ? '–' : String(r.bestEpoch),
    pct(r.test?.per_split.few),
    pct(r.test?.per_split.medium),
    pct(r.test?.per_split.many),
    pct(r.test?.accuracy),
  ]);
  const numeric = new Set([0, 5, 6, 7, 8, 9, 10, 11]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** A run id given on the command line. */
export function parseRunId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`'${text}' is not a run id (a whole number ≥ 1; see \`alphanet runs\`)`);
  return id;
}

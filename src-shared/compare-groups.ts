/**
 * What can be compared, from recorded runs: per dataset, the finished runs grouped by experiment name
 * and, automatically, by config (the hash without the seed), and the dataset's baseline. The API lists
 * these groups, the Compare view turns a selection of them into comparisons, and `alphanet results
 * --experiment` does the same from the store, so all three show the same rows.
 */
import {
  compareExperiments,
  runRecordFromResult,
  type Comparison,
  type CompareOptions,
  type ExperimentInput,
} from './compare.ts';
import type { RunConfig, SelectionRule } from './config.ts';
import type { EvalMetrics, RunKind } from './result.ts';
import { configLabels } from './sweep.ts';

/** A finished run, as much of it as a comparison reads. */
export interface CompareRun {
  id: number;
  dataset: string;
  experiment: string;
  kind: RunKind;
  configHash: string;
  /** null for the original's imported runs (they set none). */
  seed: number | null;
  selection: SelectionRule;
  config: RunConfig;
  test: EvalMetrics;
  val: EvalMetrics | null;
  /** Milliseconds since the epoch; picks the newest baseline. */
  finishedAt: number | null;
}

export type CompareGroupKind = 'experiment' | 'config';

export interface CompareGroup {
  /** `experiment:<name>` or `config:<hash>`; unique within its dataset. */
  id: string;
  kind: CompareGroupKind;
  /** The row name: the experiment's name, or `<experiment names>: <label>` for a config group of a sweep. */
  name: string;
  /** What a config group's values are among its experiments' configs (`k=5, ρ=0.5`); '' for an experiment group. */
  label: string;
  /** The experiment names its runs were recorded under. */
  experiments: string[];
  /** The configs (hashes without the seed) of its runs: one for repetitions, several for a sweep. */
  configHashes: string[];
  runIds: number[];
}

export interface CompareDataset {
  dataset: string;
  displayName: string;
  /** The newest finished baseline run (the baseline is deterministic, so one stands for all); null when none. */
  baselineRunId: number | null;
  /** Named experiments first, then config groups that are not already a named experiment; each by first run id. */
  groups: CompareGroup[];
}

/** The original names its baseline row "Baseline". */
export const BASELINE_ROW = 'Baseline';

function groupId(kind: CompareGroupKind, key: string): string {
  return `${kind}:${key}`;
}

function groupOf(
  kind: CompareGroupKind,
  key: string,
  name: string,
  runs: readonly CompareRun[],
  label = '',
): CompareGroup {
  return {
    id: groupId(kind, key),
    kind,
    name,
    label,
    experiments: [...new Set(runs.map((r) => r.experiment))],
    configHashes: [...new Set(runs.map((r) => r.configHash))],
    runIds: runs.map((r) => r.id),
  };
}

function byKey(runs: readonly CompareRun[], key: (r: CompareRun) => string): Map<string, CompareRun[]> {
  const out = new Map<string, CompareRun[]>();
  for (const run of [...runs].sort((a, b) => a.id - b.id)) out.set(key(run), [...(out.get(key(run)) ?? []), run]);
  return out;
}

/**
 * Groups finished runs per dataset (datasets by key). A config group is listed only where it differs
 * from every named experiment, e.g. one setting of a sweep, or repetitions recorded under several names.
 */
export function compareGroups(
  runs: readonly CompareRun[],
  displayNames: Readonly<Record<string, string>> = {},
): CompareDataset[] {
  const out: CompareDataset[] = [];
  for (const [dataset, ofDataset] of [...byKey(runs, (r) => r.dataset)].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const baselines = ofDataset.filter((r) => r.kind === 'baseline');
    const newest = baselines.reduce<CompareRun | null>(
      (a, b) => (a === null || (b.finishedAt ?? 0) >= (a.finishedAt ?? 0) ? b : a),
      null,
    );
    const trained = ofDataset.filter((r) => r.kind === 'train');
    const named = [...byKey(trained, (r) => r.experiment)].map(([name, members]) =>
      groupOf('experiment', name, name, members),
    );
    const sameRuns = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length && a.every((id, i) => id === b[i]);
    const configs = [...byKey(trained, (r) => r.configHash)]
      .map(([hash, members]) => {
        // Named by what sets it apart from the other configs of its experiments: hashes never reach a person.
        const experiments = [...new Set(members.map((r) => r.experiment))];
        const of = trained.filter((r) => experiments.includes(r.experiment));
        const label =
          configLabels(
            of.map((r) => r.config),
            of.map((r) => r.configHash),
          ).byConfig.get(hash)?.label ?? '';
        return groupOf(
          'config',
          hash,
          label === '' ? experiments.join(' + ') : `${experiments.join(' + ')}: ${label}`,
          members,
          label,
        );
      })
      .filter((g) => !named.some((n) => sameRuns(n.runIds, g.runIds)));
    out.push({
      dataset,
      displayName: displayNames[dataset] ?? dataset,
      baselineRunId: newest?.id ?? null,
      groups: [...named, ...configs],
    });
  }
  return out;
}

/**
 * A group's rows: itself, or one per config where its runs have several (a sweep), named by the
 * values that set each apart (`rho sweep: ρ=0.5`), in order of first run: configs are never averaged together.
 */
export function configRows(group: CompareGroup, runs: ReadonlyMap<number, CompareRun>): CompareGroup[] {
  if (group.configHashes.length <= 1) return [group];
  const members = group.runIds.flatMap((id) => runs.get(id) ?? []);
  const labels = configLabels(
    members.map((r) => r.config),
    members.map((r) => r.configHash),
  );
  return group.configHashes.map((hash) => {
    const label = labels.byConfig.get(hash)?.label ?? '';
    const of = members.filter((r) => r.configHash === hash);
    return { ...groupOf('config', hash, `${group.name}: ${label}`, of, label), id: `${group.id}/config:${hash}` };
  });
}

/**
 * The experiments of one dataset's comparison: the baseline row first (when asked for and recorded),
 * then the chosen groups in the order given, a sweep as one row per config (a row chosen twice, as
 * a sweep and as one of its configs, once). Runs missing from `runs` (deleted meanwhile) are left out.
 */
export function experimentInputs(
  dataset: CompareDataset,
  groups: readonly CompareGroup[],
  runs: ReadonlyMap<number, CompareRun>,
  withBaseline = true,
): ExperimentInput[] {
  const records = (ids: readonly number[]) =>
    ids.flatMap((id) => (runs.has(id) ? [runRecordFromResult(runs.get(id) as CompareRun)] : []));
  const inputs: ExperimentInput[] = [];
  if (withBaseline && dataset.baselineRunId !== null && runs.has(dataset.baselineRunId)) {
    inputs.push({
      name: BASELINE_ROW,
      isBaseline: true,
      dataset: dataset.dataset,
      runs: records([dataset.baselineRunId]),
    });
  }
  // A group chosen twice stays twice (compareExperiments then says so); a config a sweep's rows already hold, once.
  const names = new Set<string>();
  const fromSweeps = new Set<string>();
  for (const g of groups) {
    const rows = configRows(g, runs);
    const split = rows[0] !== g;
    for (const row of rows) {
      if (names.has(row.name) && (split || fromSweeps.has(row.name))) continue;
      names.add(row.name);
      if (split) fromSweeps.add(row.name);
      inputs.push({ name: row.name, dataset: dataset.dataset, runs: records(row.runIds) });
    }
  }
  return inputs;
}

/** Each dataset's display name by key (the exports' titles). */
export function displayNamesOf(datasets: readonly CompareDataset[]): Record<string, string> {
  return Object.fromEntries(datasets.map((d) => [d.dataset, d.displayName]));
}

/** The ids of every run a selection needs (baselines included): what the view fetches. */
export function runIdsOf(datasets: readonly { dataset: CompareDataset; groups: readonly CompareGroup[] }[]): number[] {
  const ids = new Set<number>();
  for (const { dataset, groups } of datasets) {
    if (dataset.baselineRunId !== null) ids.add(dataset.baselineRunId);
    for (const g of groups) for (const id of g.runIds) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** One comparison per selected dataset (datasets without a chosen group are left out). */
export function compareSelection(
  selection: readonly { dataset: CompareDataset; groups: readonly CompareGroup[] }[],
  runs: ReadonlyMap<number, CompareRun>,
  options: CompareOptions = {},
): Comparison[] {
  return selection
    .filter((s) => s.groups.length > 0)
    .map((s) => compareExperiments(experimentInputs(s.dataset, s.groups, runs), options));
}

/**
 * The comparison model behind `alphanet results` and the Compare view: experiments (groups of
 * repeated runs) become rows of mean / std / n per column (Few, Med., Many, Overall), with best and
 * second best marked, Δ vs the baseline, significance vs a reference row and the config parameters
 * that differ between experiments. Values are percentages (accuracy × 100), as the original prints.
 */
import type { RunConfig, SelectionRule } from './config.ts';
import type { EvalMetrics, RunResult } from './result.ts';
import {
  bootstrapMeanCI,
  canonicalJson,
  configGroupKey,
  GROUP_KEY_IGNORED_PATHS,
  oneSampleTTest,
  pairBySeed,
  pairedTTest,
  summarize,
  welchTTest,
  type BootstrapOptions,
  type Interval,
  type TTestResult,
} from './stats.ts';

export type Column = 'few' | 'medium' | 'many' | 'overall';
/** The original's column order. */
export const COLUMNS: readonly Column[] = ['few', 'medium', 'many', 'overall'];
export const COLUMN_TITLES: Readonly<Record<Column, string>> = {
  few: 'Few',
  medium: 'Med.',
  many: 'Many',
  overall: 'Overall',
};

export type MetricName = 'top1' | 'top5' | 'f1';
export const METRIC_NAMES: readonly MetricName[] = ['top1', 'top5', 'f1'];
export type EvalDatagrp = 'test' | 'val';

/**
 * Which number of a run is compared. Top-5 and macro F1 are recorded over the whole datagrp only
 * (a run stores per-split top-1 alone), so for them Few / Med. / Many are null and only Overall
 * has values; an F1 "per split" would need per-class predictions that results do not keep.
 */
export interface MetricSource {
  datagrp: EvalDatagrp;
  metric: MetricName;
}
export const DEFAULT_METRIC: MetricSource = { datagrp: 'test', metric: 'top1' };

const METRIC_LABELS: Record<MetricName, string> = { top1: 'top-1 accuracy', top5: 'top-5 accuracy', f1: 'macro F1' };

/** E.g. "test top-1 accuracy" (for captions and titles). */
export function metricLabel(source: MetricSource): string {
  return `${source.datagrp} ${METRIC_LABELS[source.metric]}`;
}

/** What the comparison needs of one run (a RunResult has it all; the store can supply it too). */
export interface RunRecord {
  /** null where unknown (the original's runs set no seed): such runs are never paired. */
  seed: number | null;
  test: EvalMetrics;
  val: EvalMetrics | null;
  config: RunConfig | null;
  selection: SelectionRule | null;
}

export interface ExperimentInput {
  name: string;
  isBaseline?: boolean;
  dataset: string;
  runs: RunRecord[];
}

/** What a run record is read from: a RunResult, or a finished run of the store (compare-groups' CompareRun). */
export type RunRecordSource = Pick<RunResult, 'kind' | 'config' | 'selection'> &
  Pick<RunRecord, 'seed' | 'test' | 'val'>;

export function runRecordFromResult(result: RunRecordSource): RunRecord {
  return {
    seed: result.seed,
    test: result.test,
    val: result.val,
    config: result.config,
    selection: result.kind === 'baseline' ? null : result.selection,
  };
}

/**
 * Groups results (one experiment's repetitions) by dataset, in order of first appearance, as the
 * original groups its table by (Experiment, Dataset).
 */
export function experimentsFromResults(
  name: string,
  results: readonly RunResult[],
  isBaseline = false,
): ExperimentInput[] {
  const byDataset = new Map<string, ExperimentInput>();
  for (const result of results) {
    let experiment = byDataset.get(result.dataset);
    if (!experiment) {
      experiment = { name, isBaseline, dataset: result.dataset, runs: [] };
      byDataset.set(result.dataset, experiment);
    }
    experiment.runs.push(runRecordFromResult(result));
  }
  return [...byDataset.values()];
}

/** One run's value of each column in percent; null where the metric or the datagrp is absent. */
export function runColumnValues(run: RunRecord, source: MetricSource): Record<Column, number | null> {
  const metrics = source.datagrp === 'test' ? run.test : run.val;
  const none = { few: null, medium: null, many: null, overall: null };
  if (!metrics) return none;
  // JSON writes NaN as null, so a recorded metric may be null despite its type.
  const pct = (x: number | null | undefined): number | null => (typeof x === 'number' ? x * 100 : null);
  if (source.metric === 'top1') {
    return {
      few: pct(metrics.per_split.few),
      medium: pct(metrics.per_split.medium),
      many: pct(metrics.per_split.many),
      overall: pct(metrics.accuracy),
    };
  }
  return { ...none, overall: pct(source.metric === 'top5' ? metrics.top5 : metrics.f1) };
}

export interface CellStats {
  /** Per-run values (percent), runs without a value left out. */
  values: number[];
  /** Seeds of those values, aligned with values. */
  seeds: (number | null)[];
  n: number;
  mean: number | null;
  /** Sample std (n − 1); null for fewer than two runs. */
  std: number | null;
  /** 1 = best, 2 = second best in the column (higher is better, by the displayed mean); else null. */
  rank: 1 | 2 | null;
  /** mean − baseline mean in percentage points; null for the baseline or without one. */
  delta: number | null;
  /** Two-sided test of this row vs the reference row (row − reference); null where undefined. */
  test: TTestResult | null;
  /** Percentile bootstrap interval of the mean when asked for (CompareOptions.bootstrap) and n ≥ 2. */
  ci: Interval | null;
}

export interface ComparisonRow {
  name: string;
  isBaseline: boolean;
  nRuns: number;
  /** The runs' selection rule; 'mixed' when they differ; null for a baseline or when unknown. */
  selection: SelectionRule | 'mixed' | null;
  /** Config of the first run (runs of one experiment should differ only in the seed). */
  config: RunConfig | null;
  cells: Record<Column, CellStats>;
}

export interface ConfigValueCount {
  /** The value's text; null where a run lacks the key or a config. */
  value: string | null;
  /** How many of the experiment's runs have it. */
  count: number;
}

export interface ConfigDiffEntry {
  /** Dotted path, e.g. `training.sampler_args`. */
  key: string;
  /** Aligned with ConfigDiff.experiments: every value the experiment's runs have, most common first. */
  values: ConfigValueCount[][];
}

export interface ConfigDiff {
  experiments: string[];
  entries: ConfigDiffEntry[];
}

export interface Comparison {
  dataset: string;
  metric: MetricSource;
  columns: readonly Column[];
  /** Baselines first, then the experiments (in input order or sorted). */
  rows: ComparisonRow[];
  /** Name of the row the tests compare against, null when none was asked for (or it was not found). */
  reference: string | null;
  /** Parameters that differ across the non-baseline experiments. */
  configDiff: ConfigDiff;
  warnings: string[];
}

export interface SortSpec {
  column: Column;
  /** Default true: best first. */
  descending?: boolean;
}

export interface CompareOptions {
  metric?: MetricSource;
  /** Name of the row to test the others against. */
  reference?: string | null;
  /** Sort the non-baseline rows by a column's mean (rows without one last); default: input order. */
  sortBy?: SortSpec | null;
  /** Means are ranked as displayed, rounded to this many decimals (default 1), so equal-looking cells tie. */
  rankDecimals?: number;
  /** Adds a bootstrap interval of the mean to every cell with n ≥ 2 (seeded: the same input, the same interval). */
  bootstrap?: BootstrapOptions | null;
}

function cellStats(values: number[], seeds: (number | null)[], bootstrap: BootstrapOptions | null): CellStats {
  const s = summarize(values);
  const ci = bootstrap && s.n >= 2 ? bootstrapMeanCI(values, bootstrap) : null;
  return { values, seeds, n: s.n, mean: s.n > 0 ? s.mean : null, std: s.std, rank: null, delta: null, test: null, ci };
}

function selectionOf(runs: readonly RunRecord[], isBaseline: boolean): SelectionRule | 'mixed' | null {
  if (isBaseline) return null;
  const rules = new Set(runs.map((r) => r.selection).filter((r): r is SelectionRule => r !== null));
  if (rules.size === 0) return null;
  return rules.size === 1 ? [...rules][0] : 'mixed';
}

function buildRow(
  experiment: ExperimentInput,
  metric: MetricSource,
  bootstrap: BootstrapOptions | null,
): ComparisonRow {
  const perRun = experiment.runs.map((run) => runColumnValues(run, metric));
  const cells = {} as Record<Column, CellStats>;
  for (const column of COLUMNS) {
    const values: number[] = [];
    const seeds: (number | null)[] = [];
    perRun.forEach((v, i) => {
      const value = v[column];
      if (value !== null && Number.isFinite(value)) {
        values.push(value);
        seeds.push(experiment.runs[i].seed);
      }
    });
    cells[column] = cellStats(values, seeds, bootstrap);
  }
  const isBaseline = experiment.isBaseline ?? false;
  return {
    name: experiment.name,
    isBaseline,
    nRuns: experiment.runs.length,
    selection: selectionOf(experiment.runs, isBaseline),
    config: experiment.runs.find((r) => r.config !== null)?.config ?? null,
    cells,
  };
}

/** Test of `row` vs `reference` in one column: paired by seed when possible, else Welch, else one-sample vs a single run. */
export function testCells(row: CellStats, reference: CellStats): TTestResult | null {
  if (row.n >= 2 && reference.n >= 2) {
    const seeded = (c: CellStats) =>
      c.seeds.every((s) => s !== null) ? c.values.map((value, i) => ({ seed: c.seeds[i] as number, value })) : null;
    const a = seeded(row);
    const b = seeded(reference);
    const pairs = a && b ? pairBySeed(a, b) : null;
    if (pairs) return pairedTTest(pairs.a, pairs.b);
    return welchTTest(row.values, reference.values);
  }
  if (row.n >= 2 && reference.n === 1) return oneSampleTTest(row.values, reference.values[0]);
  if (row.n === 1 && reference.n >= 2) {
    const flipped = oneSampleTTest(reference.values, row.values[0]);
    return flipped && { ...flipped, meanDiff: -flipped.meanDiff, t: -flipped.t };
  }
  return null;
}

function markRanks(rows: ComparisonRow[], column: Column, decimals: number): void {
  const scale = 10 ** decimals;
  const shown = (m: number) => Math.round(m * scale);
  const distinct = [
    ...new Set(rows.flatMap((r) => (r.cells[column].mean === null ? [] : [shown(r.cells[column].mean as number)]))),
  ];
  distinct.sort((a, b) => b - a);
  for (const row of rows) {
    const m = row.cells[column].mean;
    if (m === null) continue;
    if (shown(m) === distinct[0]) row.cells[column].rank = 1;
    else if (distinct.length > 1 && shown(m) === distinct[1]) row.cells[column].rank = 2;
  }
}

function configLeafText(value: unknown): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}

/**
 * Flattens a config to dotted keys; objects are descended into, arrays and scalars are leaves
 * (`training.hdims` → `[32,32,32]`, strings as they are).
 */
export function flattenConfig(config: RunConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      out[prefix] = configLeafText(value);
    }
  };
  walk(config, '');
  return out;
}

/**
 * The keys whose value is not the same in every run of every experiment, in sorted key order, with
 * each experiment's values and their counts (a mixed experiment shows all of its values, not its first
 * run's). The seed and output paths (GROUP_KEY_IGNORED_PATHS) are never differences.
 */
export function configDiff(named: readonly { name: string; configs: readonly (RunConfig | null)[] }[]): ConfigDiff {
  const flat = named.map((n) => n.configs.map((c) => (c ? flattenConfig(c) : null)));
  const ignored = new Set(GROUP_KEY_IGNORED_PATHS);
  const keys = [...new Set(flat.flat().flatMap((f) => (f ? Object.keys(f) : [])))]
    .filter((k) => !ignored.has(k))
    .sort();
  const entries: ConfigDiffEntry[] = [];
  for (const key of keys) {
    const values = flat.map((runs) => {
      const counts = new Map<string | null, number>();
      for (const f of runs) {
        const v = f && key in f ? f[key] : null;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      return [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
    });
    if (new Set(values.flat().map((v) => v.value)).size > 1) entries.push({ key, values });
  }
  return { experiments: named.map((n) => n.name), entries };
}

/** Compares experiments of one dataset. Throws RangeError for mixed datasets or a repeated name. */
export function compareExperiments(experiments: readonly ExperimentInput[], options: CompareOptions = {}): Comparison {
  const metric = options.metric ?? DEFAULT_METRIC;
  const datasets = [...new Set(experiments.map((e) => e.dataset))];
  if (datasets.length > 1)
    throw new RangeError(
      `compareExperiments: one dataset at a time (got ${datasets.join(', ')}); use compareByDataset`,
    );
  const names = new Set<string>();
  for (const e of experiments) {
    if (names.has(e.name)) throw new RangeError(`two experiments are named '${e.name}'`);
    names.add(e.name);
  }

  const warnings: string[] = [];
  const built = experiments.map((e) => buildRow(e, metric, options.bootstrap ?? null));
  for (const e of experiments) {
    if (e.runs.length === 0) warnings.push(`${e.name}: no runs`);
    const keys = new Set(e.runs.flatMap((r) => (r.config ? [configGroupKey(r.config)] : [])));
    if (keys.size > 1 && !e.isBaseline)
      warnings.push(`${e.name}: its runs differ in more than the seed (${keys.size} configs)`);
  }
  const baselines = built.filter((r) => r.isBaseline);
  let others = built.filter((r) => !r.isBaseline);
  if (options.sortBy) {
    const { column, descending = true } = options.sortBy;
    const sign = descending ? -1 : 1;
    others = [...others].sort((a, b) => {
      const ma = a.cells[column].mean;
      const mb = b.cells[column].mean;
      if (ma === null || mb === null) return ma === mb ? 0 : ma === null ? 1 : -1;
      return sign * (ma - mb);
    });
  }
  const rows = [...baselines, ...others];
  const selections = new Set(others.map((r) => r.selection).filter((s) => s !== null));
  if (selections.size > 1)
    warnings.push(`the experiments used different epoch selection rules (${[...selections].join(', ')})`);

  const decimals = options.rankDecimals ?? 1;
  for (const column of COLUMNS) markRanks(rows, column, decimals);

  const baseline = baselines[0];
  if (baseline) {
    for (const row of others) {
      for (const column of COLUMNS) {
        const m = row.cells[column].mean;
        const b = baseline.cells[column].mean;
        row.cells[column].delta = m === null || b === null ? null : m - b;
      }
    }
  }

  let reference: string | null = null;
  if (options.reference) {
    const ref = rows.find((r) => r.name === options.reference);
    if (!ref) warnings.push(`reference '${options.reference}' is not among the experiments`);
    else {
      reference = ref.name;
      for (const row of rows) {
        if (row === ref) continue;
        for (const column of COLUMNS) row.cells[column].test = testCells(row.cells[column], ref.cells[column]);
      }
    }
  }

  return {
    dataset: datasets[0] ?? '',
    metric,
    columns: COLUMNS,
    rows,
    reference,
    configDiff: configDiff(
      others.map((r) => ({
        name: r.name,
        configs: experiments.find((e) => e.name === r.name)?.runs.map((run) => run.config) ?? [],
      })),
    ),
    warnings,
  };
}

/** One comparison per dataset, datasets in order of first appearance. */
export function compareByDataset(experiments: readonly ExperimentInput[], options: CompareOptions = {}): Comparison[] {
  const groups = new Map<string, ExperimentInput[]>();
  for (const e of experiments) {
    const group = groups.get(e.dataset) ?? [];
    group.push(e);
    groups.set(e.dataset, group);
  }
  return [...groups.values()].map((group) => compareExperiments(group, options));
}

/**
 * The Runs table: its config columns (one per value that varies among the listed runs, a sweep's
 * parameters included), sorting by any column, and the filter's `tag:` terms.
 */
import type { RunSummary } from '../../../src-shared/api.ts';
import { formatSweepValue, valuesOf, variedParams, type SweepValue } from '../../../src-shared/sweep.ts';
import { filterByRegex } from './curves.ts';

export interface ConfigColumn {
  /** The config path. */
  param: string;
  /** The short name (`k`, `ρ`). */
  name: string;
}

/**
 * One column per config value that varies among the listed training runs (the seed and the dataset,
 * which have their own columns, aside; a baseline trains nothing, so its config says nothing), then
 * any parameter a listed run's sweep varies that the list holds only one value of: a filter down to
 * one config of a sweep keeps its columns. Label order.
 */
export function configColumns(runs: readonly RunSummary[]): ConfigColumn[] {
  const distinct = new Map(runs.filter((r) => r.kind === 'train').map((r) => [r.configHash, r]));
  const varied = variedParams([...distinct.values()].map((r) => r.config)).filter((p) => p !== 'dataset');
  const columns = new Map<string, ConfigColumn>();
  for (const param of varied) {
    const holder =
      [...distinct.values()].find((r) => valuesOf(r.config, [param])[0].value !== undefined) ??
      [...distinct.values()][0];
    columns.set(param, { param, name: valuesOf(holder.config, [param])[0].name });
  }
  for (const r of runs)
    for (const v of r.swept) if (!columns.has(v.param)) columns.set(v.param, { param: v.param, name: v.name });
  return [...columns.values()];
}

/** A training run's value of a config parameter; undefined where its config lacks it, and for a baseline. */
function configValue(run: RunSummary, param: string): SweepValue | undefined {
  return run.kind === 'train' ? valuesOf(run.config, [param])[0].value : undefined;
}

/** A run's value of a config column, as labels print it ('' where it has none). */
export function configText(run: RunSummary, param: string): string {
  const value = configValue(run, param);
  return value === undefined ? '' : formatSweepValue(value);
}

/** What the Runs filter matches a run against: `#12 rho sweep ρ=0.5 demo seed 3 done keep notes…`. */
export function runSearchText(run: RunSummary): string {
  return `#${run.id} ${run.experiment} ${run.label} ${run.dataset} seed ${run.seed ?? '–'} ${run.status} ${run.tags.join(' ')} ${run.notes}`;
}

/**
 * The Runs filter: `tag:NAME` terms keep runs carrying that tag (every term, exact, any case); the rest
 * is a substring or regular expression over runSearchText (tags and notes included).
 */
export function filterRuns(runs: readonly RunSummary[], query: string): { items: RunSummary[]; valid: boolean } {
  const tags: string[] = [];
  const rest = query.replace(/(^|\s)tag:(\S+)/gi, (_, space: string, tag: string) => {
    tags.push(tag.toLowerCase());
    return space;
  });
  const tagged = runs.filter((r) => tags.every((t) => r.tags.some((own) => own.toLowerCase() === t)));
  return filterByRegex(tagged, rest.trim(), runSearchText);
}

/** The columns besides the config's that sort, and the value each sorts by. */
const FIXED_SORTS: Record<string, (r: RunSummary) => SweepValue | undefined> = {
  id: (r) => r.id,
  experiment: (r) => r.experiment,
  dataset: (r) => r.dataset,
  seed: (r) => r.seed ?? undefined,
  status: (r) => r.status,
  few: (r) => r.test?.few ?? undefined,
  medium: (r) => r.test?.medium ?? undefined,
  many: (r) => r.test?.many ?? undefined,
  overall: (r) => r.test?.overall ?? undefined,
  created: (r) => r.createdAt,
};
export const FIXED_SORT_KEYS = Object.keys(FIXED_SORTS);

/** Numbers (and numeric text such as key=value parameters) by value, other values by text; missing last. */
function compareValues(a: SweepValue | undefined, b: SweepValue | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const na = Number(Array.isArray(a) ? Number.NaN : a);
  const nb = Number(Array.isArray(b) ? Number.NaN : b);
  if (a !== null && b !== null && a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const ta = JSON.stringify(a);
  const tb = JSON.stringify(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

export interface RunsSort {
  /** A config path, or one of FIXED_SORT_KEYS. */
  param: string;
  descending: boolean;
}

/** The runs ordered by a column (stable: ties keep the listing's order); as listed without a sort. */
export function sortRuns(runs: readonly RunSummary[], sort: RunsSort | null): RunSummary[] {
  if (sort === null) return [...runs];
  const fixed = FIXED_SORTS[sort.param];
  const valueOf = fixed ?? ((r: RunSummary) => configValue(r, sort.param));
  return runs
    .map((run, i) => ({ run, i, value: valueOf(run) }))
    .sort((x, y) => {
      // Runs without the value stay last in either direction.
      if ((x.value === undefined) !== (y.value === undefined)) return x.value === undefined ? 1 : -1;
      return (sort.descending ? -compareValues(x.value, y.value) : compareValues(x.value, y.value)) || x.i - y.i;
    })
    .map((x) => x.run);
}

/** Clicking a header: ascending, then descending, then as listed. */
export function nextSort(current: RunsSort | null, param: string): RunsSort | null {
  if (current?.param !== param) return { param, descending: false };
  return current.descending ? null : { param, descending: true };
}

/** The selection after ticking the header box: every shown run added, or (all shown were ticked) removed. */
export function toggleShown(selected: ReadonlySet<number>, shown: readonly RunSummary[]): Set<number> {
  const all = shown.length > 0 && shown.every((r) => selected.has(r.id));
  const next = new Set(selected);
  for (const r of shown) {
    if (all) next.delete(r.id);
    else next.add(r.id);
  }
  return next;
}

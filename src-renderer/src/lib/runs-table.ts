/** The Runs table's sweep columns: one per parameter any listed run's sweep varies, sortable by value. */
import type { RunSummary } from '../../../src-shared/api.ts';
import type { SweepValue } from '../../../src-shared/sweep.ts';

export interface SweptColumn {
  /** The config path. */
  param: string;
  /** The short name (`k`, `ρ`). */
  name: string;
}

/** The swept parameters of the listed runs, in order of first appearance (each run's in label order). */
export function sweptColumns(runs: readonly RunSummary[]): SweptColumn[] {
  const seen = new Map<string, SweptColumn>();
  for (const r of runs) for (const v of r.swept) if (!seen.has(v.param)) seen.set(v.param, { param: v.param, name: v.name });
  return [...seen.values()];
}

/** What the Runs filter matches a run against: `#12 rho sweep ρ=0.5 demo seed 3 done`. */
export function runSearchText(run: RunSummary): string {
  return `#${run.id} ${run.experiment} ${run.label} ${run.dataset} seed ${run.seed ?? '–'} ${run.status}`;
}

export function sweptText(run: RunSummary, param: string): string {
  return run.swept.find((v) => v.param === param)?.text ?? '';
}

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
  param: string;
  descending: boolean;
}

/** The runs ordered by a swept parameter (stable: ties keep the listing's order); as listed without a sort. */
export function sortRuns(runs: readonly RunSummary[], sort: RunsSort | null): RunSummary[] {
  if (sort === null) return [...runs];
  const valueOf = (r: RunSummary) => r.swept.find((v) => v.param === sort.param)?.value;
  return runs
    .map((run, i) => ({ run, i }))
    .sort((x, y) => {
      const a = valueOf(x.run);
      const b = valueOf(y.run);
      // Runs without the parameter stay last in either direction.
      if ((a === undefined) !== (b === undefined)) return a === undefined ? 1 : -1;
      return (sort.descending ? -compareValues(a, b) : compareValues(a, b)) || x.i - y.i;
    })
    .map((x) => x.run);
}

/** Clicking a header: ascending, then descending, then as listed. */
export function nextSort(current: RunsSort | null, param: string): RunsSort | null {
  if (current?.param !== param) return { param, descending: false };
  return current.descending ? null : { param, descending: true };
}

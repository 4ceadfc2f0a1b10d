/** The store's finished runs as the comparison reads them (for the API and `alphanet results --experiment`). */
import { compareGroups, type CompareDataset, type CompareRun } from '../../src-shared/compare-groups.ts';
import type { RunRow, RunStore } from './run-store.ts';

/** null for a run without final test metrics (it never finished). */
export function compareRunOf(run: RunRow): CompareRun | null {
  if (run.status !== 'done' || !run.test) return null;
  return {
    id: run.id,
    dataset: run.dataset,
    experiment: run.experiment,
    kind: run.kind,
    configHash: run.configHash,
    seed: run.seed,
    selection: run.selection,
    config: run.config,
    test: run.test,
    val: run.val,
    finishedAt: run.finishedAt,
  };
}

export function finishedCompareRuns(store: RunStore, dataset?: string): CompareRun[] {
  return store.listRuns({ dataset, status: 'done' }).flatMap((r) => compareRunOf(r) ?? []);
}

/** The comparable groups of every dataset (or one), titled with the datasets' recorded display names. */
export function storeCompareGroups(store: RunStore, runs: readonly CompareRun[]): CompareDataset[] {
  const titles = Object.fromEntries(store.listDatasets().map((d) => [d.key, d.displayName]));
  return compareGroups(runs, titles);
}

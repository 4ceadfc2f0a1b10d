/** The Inspector: which experiments it can open, and their data (computed off-thread, cached). */
import type { Api, InspectableExperiment } from '../../../src-shared/api.ts';
import type { InspectorData } from '../../../src-shared/inspector.ts';
import { resolveDataset } from '../../data/dataset.ts';
import { experimentConfigs } from '../../inspector/experiment.ts';
import { datasetConfigOf } from '../../runs/record-run.ts';
import type { RunRow } from '../../store/run-store.ts';
import { NotFoundError } from '../dispatch.ts';
import { inspectOffThread } from '../inspector-worker.ts';
import type { Handlers } from './context.ts';

/** Inspector data kept in memory (least recently used dropped first): computing it can read features. */
const INSPECTOR_CACHE_SIZE = 8;

export function inspectorHandlers(h: Handlers): Pick<Api, 'listInspectable' | 'getInspector'> {
  const { store, cwd } = h;

  /** Per experiment, run set and baseline: a new or deleted run, or a new baseline, makes a new key. */
  const inspectorCache = new Map<string, Promise<InspectorData>>();
  function cachedInspector(key: string, compute: () => Promise<InspectorData>): Promise<InspectorData> {
    let entry = inspectorCache.get(key);
    if (entry) inspectorCache.delete(key);
    else {
      const fresh = compute();
      // A failure is not kept: the user may fix the dataset and ask again.
      fresh.catch(() => {
        if (inspectorCache.get(key) === fresh) inspectorCache.delete(key);
      });
      entry = fresh;
    }
    inspectorCache.set(key, entry);
    for (const old of inspectorCache.keys()) {
      if (inspectorCache.size <= INSPECTOR_CACHE_SIZE) break;
      inspectorCache.delete(old);
    }
    return entry;
  }

  return {
    async listInspectable() {
      const baselines = h.newestBaselines();
      const byExperiment = new Map<string, RunRow[]>();
      for (const run of store.listRuns({ kind: 'train', status: 'done' })) {
        const key = JSON.stringify([run.dataset, run.experiment]);
        byExperiment.set(key, [...(byExperiment.get(key) ?? []), run]);
      }
      const listed: InspectableExperiment[] = [];
      for (const runs of byExperiment.values()) {
        const configs = experimentConfigs(runs);
        for (const c of configs) {
          const finished = runs.filter((r) => r.configHash === c.configHash).map((r) => r.finishedAt ?? 0);
          listed.push({
            dataset: runs[0].dataset,
            experiment: runs[0].experiment,
            configHash: configs.length > 1 ? c.configHash : null,
            label: c.label,
            runIds: c.runIds,
            baselineRunId: baselines.get(runs[0].dataset) ?? null,
            finishedAt: Math.max(...finished) || null,
          });
        }
      }
      return listed.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0));
    },

    async getInspector({ dataset, experiment, configHash }) {
      const all = store.listRuns({ dataset, experiment, kind: 'train', status: 'done' });
      if (all.length === 0)
        throw new NotFoundError(`no finished training runs of experiment '${experiment}' on dataset '${dataset}'`);
      const runs = configHash === undefined ? all : all.filter((r) => r.configHash === configHash);
      if (runs.length === 0)
        throw new NotFoundError(
          `experiment '${experiment}' on dataset '${dataset}' has no finished runs of that config`,
        );
      const key = JSON.stringify([
        dataset,
        experiment,
        configHash ?? null,
        runs.map((r) => r.id),
        h.newestBaselines(dataset).get(dataset) ?? null,
      ]);
      return cachedInspector(key, async () => {
        // The datasets.toml the runs were trained from, as the CLI's inspector reads it.
        const configFile = datasetConfigOf(runs[0]);
        const spec = configFile ? resolveDataset(dataset, configFile, cwd) : h.specOf(dataset);
        return inspectOffThread({ dbFile: store.db.name, spec, experiment, configHash });
      });
    },
  };
}

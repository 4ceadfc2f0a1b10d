/**
 * What every handler area shares: the queue, store and event hub, the live state of running runs (from
 * the queue's events, which are not stored), and the look-ups several areas need.
 */
import type { DatasetLoading, RunProgress, RunStatus, RunSummary } from '../../../src-shared/api.ts';
import type { RunConfig } from '../../../src-shared/config.ts';
import type { DatasetSpec } from '../../../src-shared/dataset.ts';
import { datasetFacts as factsOf, type DatasetFacts } from '../../../src-shared/run-config-validation.ts';
import { labelRuns } from '../../../src-shared/sweep.ts';
import { readSplitFiles, resolveDataset } from '../../data/dataset.ts';
import type { RunQueueApi } from '../../queue/queue.ts';
import { datasetConfigFile, type RunRow, type RunStore } from '../../store/run-store.ts';
import { NotFoundError, type EventHub } from '../dispatch.ts';
import { confinedOutput } from './output.ts';
import { runSummary } from './rows.ts';

export interface HandlerContext {
  queue: RunQueueApi;
  events: EventHub;
  /** Where relative dataset paths resolve. */
  cwd: string;
  /**
   * Served mode: files the API is asked to write (TensorBoard logs) must lie under this folder (the
   * data folder); a relative path resolves there. Unset (the desktop app), they go where asked.
   */
  outputRoot?: string;
  /** The app's dataset registry (the data folder's datasets.toml), written as datasets are added and removed. */
  registryFile: string;
  /** The view settings remembered for the data folder (preferences.json). */
  preferencesFile: string;
}

export interface Handlers extends HandlerContext {
  store: RunStore;
  requireRun(id: number): RunRow;
  /** Each run's label within its experiment, over every run of the experiments in `runs` (not only those listed). */
  labeller(runs: readonly RunRow[]): (run: RunRow) => { values: RunSummary['swept']; label: string };
  summary(run: RunRow, label?: (run: RunRow) => { values: RunSummary['swept']; label: string }): RunSummary;
  /** The spec of a known dataset (added here, or recorded by a run); `demo` is always known. */
  specOf(key: string): DatasetSpec;
  /** What a sweep's checks need of a dataset: its split files and datagrps, read without its features. */
  datasetFacts(spec: DatasetSpec): DatasetFacts;
  enqueue(kind: 'train' | 'baseline', config: RunConfig, seed: number, experiment: string, spec: DatasetSpec): number;
  statusOnce(runId: number): Promise<{ status: RunStatus; error: string | null }>;
  /** Each dataset's newest finished baseline run (the Inspector's baseline), or only `dataset`'s. */
  newestBaselines(dataset?: string): Map<string, number>;
}

const PROGRESS_INTERVAL_MS = 200;

export function handlerKit(ctx: HandlerContext): Handlers {
  const { queue, events, cwd, outputRoot } = ctx;
  const store = queue.store;
  /** The latest progress of each running run (the queue's events are not stored). */
  const progress = new Map<number, RunProgress>();

  const nEpochs = new Map<number, number>();
  const lastSent = new Map<number, number>();
  queue.on('progress', (p) => {
    if (!nEpochs.has(p.runId)) nEpochs.set(p.runId, store.getRun(p.runId)?.config.training.train_epochs ?? 0);
    const live: RunProgress = {
      epoch: p.epoch,
      nEpochs: nEpochs.get(p.runId) ?? 0,
      batch: p.batch,
      nBatches: p.nBatches,
      loss: p.loss,
      etaSeconds: p.etaSeconds,
    };
    progress.set(p.runId, live);
    loading.delete(p.runId);
    // Batches can finish hundreds of times a second; a few updates a second are all a progress bar needs.
    const now = Date.now();
    if (now - (lastSent.get(p.runId) ?? 0) < PROGRESS_INTERVAL_MS) return;
    lastSent.set(p.runId, now);
    events.emit({ type: 'progress', runId: p.runId, status: 'running', ...live });
  });
  const loading = new Map<number, DatasetLoading>();
  queue.on('loading', (e) => {
    const state = { stage: e.stage, done: e.done, total: e.total };
    loading.set(e.runId, state);
    events.emit({ type: 'loading', runId: e.runId, ...state });
  });
  queue.on('epoch', (e) => events.emit({ type: 'epoch', runId: e.runId, epoch: e.epoch }));
  queue.on('status', (e) => {
    if (e.status !== 'running') {
      progress.delete(e.runId);
      loading.delete(e.runId);
      lastSent.delete(e.runId);
      nEpochs.delete(e.runId);
    }
    events.emit({ type: 'status', runId: e.runId, status: e.status, error: e.error ?? null });
  });

  function requireRun(id: number): RunRow {
    const run = store.getRun(id);
    if (!run) throw new NotFoundError(`no run with id ${id}`);
    return run;
  }

  function labeller(runs: readonly RunRow[]): (run: RunRow) => { values: RunSummary['swept']; label: string } {
    const experiments = new Set(runs.map((r) => r.experiment));
    const all = experiments.size === 1 ? store.listRuns({ experiment: [...experiments][0] }) : store.listRuns();
    return labelRuns(all);
  }

  function summary(run: RunRow, label = labeller([run])): RunSummary {
    return runSummary(run, label(run), {
      progress: progress.get(run.id) ?? null,
      loading: loading.get(run.id) ?? null,
    });
  }

  function specOf(key: string): DatasetSpec {
    const rec = store.getDataset(key);
    if (!rec && key !== 'demo') throw new NotFoundError(`no dataset '${key}': add its datasets.toml first`);
    return resolveDataset(key, (rec && datasetConfigFile(rec)) ?? undefined, cwd);
  }

  function datasetFacts(spec: DatasetSpec): DatasetFacts {
    const { ids } = readSplitFiles(spec);
    return factsOf(spec.key, ids, spec.datagrps);
  }

  function enqueue(
    kind: 'train' | 'baseline',
    config: RunConfig,
    seed: number,
    experiment: string,
    spec: DatasetSpec,
  ): number {
    const tb = config.training.tb_logs;
    if (outputRoot !== undefined && tb !== null) {
      config = {
        ...config,
        training: { ...config.training, tb_logs: confinedOutput(outputRoot, tb, 'tb_logs', 'training.tb_logs') },
      };
    }
    return queue.enqueue({ kind, config, seed, experiment, datasetConfig: spec.configFile ?? undefined });
  }

  function statusOnce(runId: number): Promise<{ status: RunStatus; error: string | null }> {
    return new Promise((resolve) => {
      const listener = (e: { runId: number; status: RunStatus; error?: string }) => {
        if (e.runId !== runId || e.status === 'queued' || e.status === 'running') return;
        queue.off('status', listener);
        resolve({ status: e.status, error: e.error ?? null });
      };
      queue.on('status', listener);
    });
  }

  function newestBaselines(dataset?: string): Map<string, number> {
    // listRuns is oldest first: a dataset's last baseline wins.
    return new Map(store.listRuns({ dataset, kind: 'baseline', status: 'done' }).map((r) => [r.dataset, r.id]));
  }

  return { ...ctx, store, requireRun, labeller, summary, specOf, datasetFacts, enqueue, statusOnce, newestBaselines };
}

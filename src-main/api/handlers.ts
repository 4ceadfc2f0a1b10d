/**
 * The workbench API over the store, the run queue and the dataset modules. Params arrive validated
 * (validate.ts); these functions only do the work and map store rows to the contract's shapes.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  seriesToCsv,
  seriesToJson,
  type Api,
  type BaselineSummary,
  type DatasetLoading,
  type DatasetSummary,
  type InspectableExperiment,
  type QueueInfo,
  type RunCurves,
  type RunDetail,
  type RunProgress,
  type RunSummary,
  type ScalarPoint,
  type SplitAccuracies,
} from '../../src-shared/api.ts';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import type { DatasetSpec } from '../../src-shared/dataset.ts';
import type { InspectorData } from '../../src-shared/inspector.ts';
import type { EvalMetrics } from '../../src-shared/result.ts';
import { expandSweep, labelRuns, validateSweep, type DatasetFacts } from '../../src-shared/sweep.ts';
import { readDatasetsToml, readSplitFiles, resolveDataset } from '../data/dataset.ts';
import { addToRegistry, registryKeys, removeFromRegistry } from '../data/registry.ts';
import { experimentConfigs } from '../inspector/experiment.ts';
import { redactRedisUrl } from '../distributed/redis.ts';
import { UserError } from '../errors.ts';
import { readPreferences, writePreferences } from '../preferences.ts';
import { readSettings, writeSettings } from '../settings.ts';
import type { RunQueueApi } from '../queue/queue.ts';
import { compareRunOf, finishedCompareRuns, storeCompareGroups } from '../store/compare-runs.ts';
import { datasetConfigOf } from '../store/recorded-run.ts';
import type { DatasetRecord, RunRow, RunStatus, RunStore } from '../store/run-store.ts';
import { NotFoundError, type EventHub } from './dispatch.ts';
import { ApiValidationError } from './validate.ts';
import { inspectOffThread } from './inspector-worker.ts';
import { validateOffThread } from './validate-worker.ts';

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

/** Nearest existing ancestor's real path joined with the rest: where a path will really be written (symlinks followed). */
function realTarget(file: string): string {
  const rest: string[] = [];
  let at = file;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return file;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

/**
 * An output path a request names, confined to `root`: relative paths resolve under `root/<sub>`;
 * anything that lands outside `root` (absolute elsewhere, `..`, a symlink out) is refused.
 */
export function confinedOutput(root: string, requested: string, sub: string, what: string): string {
  const base = path.resolve(root);
  const target = path.resolve(base, sub, requested);
  const real = realTarget(target);
  const inside = (p: string, r: string) => p === r || p.startsWith(r + path.sep);
  if (!inside(target, base) || !inside(real, realTarget(base))) {
    throw new UserError(`${what}: '${requested}' lies outside the data folder; give a folder name (it goes under ${path.join(base, sub)})`);
  }
  return target;
}

const CONFIG_FILE_KEY = 'config_file';
const PROGRESS_INTERVAL_MS = 200;
/** Inspector data kept in memory (least recently used dropped first): computing it can read features. */
const INSPECTOR_CACHE_SIZE = 8;

function splitAccuracies(m: EvalMetrics | null): SplitAccuracies | null {
  return m ? { ...m.per_split } : null;
}

function datasetSummary(rec: DatasetRecord): DatasetSummary {
  const configFile = rec.sourcePaths[CONFIG_FILE_KEY];
  const splits = rec.splits;
  return {
    key: rec.key,
    properName: rec.displayName,
    configFile: typeof configFile === 'string' ? configFile : null,
    nClasses: rec.report?.n_classes ?? (splits ? splits.many.length + splits.medium.length + splits.few.length : null),
    usable: rec.report?.usable ?? null,
  };
}

function specRecord(spec: DatasetSpec): DatasetRecord {
  const sourcePaths: DatasetRecord['sourcePaths'] = {
    split_files_dir: spec.splitFilesDir,
    feature_files_dir: spec.featureFilesDir,
    classifier_file: spec.classifierFile,
  };
  if (spec.configFile) sourcePaths[CONFIG_FILE_KEY] = spec.configFile;
  return { key: spec.key, displayName: spec.properName, sourcePaths, fingerprint: null, report: null, splits: null, labelNames: null };
}

/** The datasets.toml a folder holds: at its top, or under config/ as in the original project. */
function tomlInFolder(folder: string, cwd: string): string {
  const dir = path.resolve(cwd, folder);
  const candidates = [path.join(dir, 'datasets.toml'), path.join(dir, 'config', 'datasets.toml')];
  const found = candidates.find((f) => fs.existsSync(f));
  // One message whether the folder exists or not: an error must not tell what else is on the disk.
  if (!found) throw new UserError(`${dir}: no datasets.toml there (looked for ${candidates.join(' and ')})`);
  return found;
}

/** A record that now points at the registry, keeping what was learnt about the dataset. */
function inRegistry(rec: DatasetRecord, registryFile: string): DatasetRecord {
  return { ...rec, sourcePaths: { ...rec.sourcePaths, [CONFIG_FILE_KEY]: registryFile } };
}

/**
 * Writes the datasets the store knows from other datasets.toml files (added before the registry
 * existed, or recorded by runs) into the registry, so the CLI finds them without --config. Returns a
 * line per dataset whose config can no longer be read (left as it was).
 */
export function migrateToRegistry(store: RunStore, registryFile: string, cwd: string): string[] {
  const present = new Set(registryKeys(registryFile));
  const specs: DatasetSpec[] = [];
  const problems: string[] = [];
  const moved: DatasetRecord[] = [];
  for (const rec of store.listDatasets()) {
    const configFile = rec.sourcePaths[CONFIG_FILE_KEY];
    if (typeof configFile !== 'string' || configFile === registryFile) continue;
    if (present.has(rec.key)) {
      moved.push(rec);
      continue;
    }
    try {
      specs.push(resolveDataset(rec.key, configFile, cwd));
      moved.push(rec);
    } catch (error) {
      problems.push(`dataset '${rec.key}' stays out of ${registryFile}: ${(error as Error).message}`);
    }
  }
  if (specs.length > 0) addToRegistry(registryFile, specs);
  for (const rec of moved) store.upsertDataset(inRegistry(rec, registryFile));
  return problems;
}

export function createHandlers(ctx: HandlerContext): Api {
  const { queue, events, cwd, outputRoot, registryFile, preferencesFile } = ctx;
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

  async function queueInfo(): Promise<QueueInfo> {
    const saved = readSettings().queue;
    return { ...(await queue.info()), setting: saved === null ? null : redactRedisUrl(saved) };
  }

  function requireRun(id: number): RunRow {
    const run = store.getRun(id);
    if (!run) throw new NotFoundError(`no run with id ${id}`);
    return run;
  }

  /** Each run's label within its experiment, over every run of the experiments in `runs` (not only those listed). */
  function labeller(runs: readonly RunRow[]): (run: RunRow) => { values: RunSummary['swept']; label: string } {
    const experiments = new Set(runs.map((r) => r.experiment));
    const all = experiments.size === 1 ? store.listRuns({ experiment: [...experiments][0] }) : store.listRuns();
    return labelRuns(all);
  }

  function summary(run: RunRow, label = labeller([run])): RunSummary {
    const { values, label: text } = label(run);
    return {
      id: run.id,
      dataset: run.dataset,
      experiment: run.experiment,
      kind: run.kind,
      configHash: run.configHash,
      swept: values,
      label: text,
      status: run.status,
      seed: run.seed,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      epochsDone: run.epochsDone,
      trainEpochs: run.kind === 'train' ? run.config.training.train_epochs : 0,
      bestEpoch: run.bestEpoch,
      test: splitAccuracies(run.test),
      error: run.error,
      progress: run.status === 'running' ? (progress.get(run.id) ?? null) : null,
      loading: run.status === 'running' ? (loading.get(run.id) ?? null) : null,
      worker: run.worker,
    };
  }

  /** The spec of a known dataset (added here, or recorded by a run); `demo` is always known. */
  function specOf(key: string): DatasetSpec {
    const rec = store.listDatasets().find((d) => d.key === key);
    if (!rec && key !== 'demo') throw new NotFoundError(`no dataset '${key}': add its datasets.toml first`);
    const configFile = rec?.sourcePaths[CONFIG_FILE_KEY];
    return resolveDataset(key, typeof configFile === 'string' ? configFile : undefined, cwd);
  }

  /** What a sweep's checks need of a dataset: its split files and datagrps, read without its features. */
  function datasetFacts(spec: DatasetSpec): DatasetFacts {
    const { ids } = readSplitFiles(spec);
    return { key: spec.key, nBaseClasses: ids.many.length + ids.medium.length, datagrps: spec.datagrps };
  }

  function enqueue(kind: 'train' | 'baseline', config: RunConfig, seed: number, experiment: string, spec: DatasetSpec): number {
    const tb = config.training.tb_logs;
    if (outputRoot !== undefined && tb !== null) {
      config = { ...config, training: { ...config.training, tb_logs: confinedOutput(outputRoot, tb, 'tb_logs', 'training.tb_logs') } };
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

  function baselineSummary(run: RunRow): BaselineSummary {
    const evals: Record<string, EvalMetrics> = { ...(run.evals ?? {}) };
    const t = run.config.training;
    if (run.test && !evals[t.test_datagrp]) evals[t.test_datagrp] = run.test;
    if (run.val && t.val_datagrp && !evals[t.val_datagrp]) evals[t.val_datagrp] = run.val;
    const datagrps: BaselineSummary['datagrps'] = {};
    for (const [name, m] of Object.entries(evals)) datagrps[name] = { ...m.per_split, top5: m.top5, f1: m.f1 };
    return { dataset: run.dataset, datagrps };
  }

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

  /** Each dataset's newest finished baseline run (the Inspector's baseline), or only `dataset`'s. */
  function newestBaselines(dataset?: string): Map<string, number> {
    // listRuns is oldest first: a dataset's last baseline wins.
    return new Map(store.listRuns({ dataset, kind: 'baseline', status: 'done' }).map((r) => [r.dataset, r.id]));
  }

  function curvesOf(id: number): RunCurves {
    requireRun(id);
    const tags: Record<string, ScalarPoint[]> = {};
    for (const [tag, s] of Object.entries(store.getRunCurves(id))) {
      tags[tag] = s.steps.map((step, i) => ({ step, wallTime: s.wallTimes[i], value: s.values[i] }));
    }
    return { runId: id, tags };
  }

  return {
    async listDatasets() {
      return store.listDatasets().map(datasetSummary);
    },

    async addDataset(request) {
      let specs: DatasetSpec[];
      if ('bundled' in request) specs = [resolveDataset('demo', undefined, cwd)];
      else {
        const file = 'configFile' in request ? path.resolve(cwd, request.configFile) : tomlInFolder(request.folder, cwd);
        // Only .toml files are read, so a request cannot probe other files (their existence, their first line).
        if (path.extname(file).toLowerCase() !== '.toml') throw new UserError(`${file}: a datasets config is a .toml file`);
        if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
        specs = readDatasetsToml(file, cwd).specs;
        if (specs.length === 0) throw new UserError(`${file}: defines no datasets`);
        // The registry becomes the datasets' config of record (paths resolved), so the CLI reads them too.
        if (file !== registryFile) addToRegistry(registryFile, specs);
        specs = specs.map((spec) => ({ ...spec, configFile: registryFile }));
      }
      for (const spec of specs) store.upsertDataset(specRecord(spec));
      events.emit({ type: 'datasets-changed' });
      const keys = new Set(specs.map((s) => s.key));
      return store.listDatasets().filter((d) => keys.has(d.key)).map(datasetSummary);
    },

    async getDatasetReport({ key }) {
      const rec = store.listDatasets().find((d) => d.key === key);
      if (rec?.report) return rec.report;
      const spec = specOf(key);
      const report = await validateOffThread(spec);
      store.upsertDataset({ ...(rec ?? specRecord(spec)), report });
      return report;
    },

    async computeBaseline({ key }) {
      const spec = specOf(key);
      const done = store.listRuns({ dataset: key, kind: 'baseline', status: 'done' });
      if (done.length > 0) return baselineSummary(done[done.length - 1]);
      const runId = enqueue('baseline', defaultRunConfig(key), 0, `${key} baseline`, spec);
      const outcome = await statusOnce(runId);
      if (outcome.status !== 'done') throw new UserError(`the baseline of '${key}' ${outcome.status}: ${outcome.error ?? 'no reason given'}`);
      return baselineSummary(requireRun(runId));
    },

    async listRuns(filter) {
      const runs = store.listRuns(filter).reverse();
      const label = labeller(runs);
      return runs.map((r) => summary(r, label));
    },

    async getRun({ id }) {
      const run = requireRun(id);
      const detail: RunDetail = {
        ...summary(run),
        config: run.config,
        backend: run.backend,
        appVersion: run.appVersion,
        val: splitAccuracies(run.val),
      };
      return detail;
    },

    async launchExperiment(request) {
      // Resolve the dataset and check the whole sweep against it first, so that a bad sweep queues nothing.
      const spec = specOf(request.config.dataset);
      const sweep = request.sweep ?? { grid: [] };
      const errors = validateSweep(request.config, sweep, datasetFacts(spec));
      if (errors.length > 0) throw new ApiValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
      const seeds = request.seeds ?? Array.from({ length: request.repetitions ?? 1 }, (_, i) => i + 1);
      const runIds = expandSweep(request.config, sweep, seeds).map((run) => enqueue('train', run.config, run.seed, request.experiment, spec));
      events.emit({ type: 'runs-changed' });
      return { runIds };
    },

    async cancelRun({ id }) {
      const run = requireRun(id);
      if (run.status !== 'queued' && run.status !== 'running') throw new UserError(`run ${id} is ${run.status}; only queued or running runs can be cancelled`);
      queue.cancel(id);
      return summary(requireRun(id));
    },

    async resumeRun({ id }) {
      requireRun(id);
      queue.resume(id);
      return summary(requireRun(id));
    },

    async rerun({ id }) {
      const run = requireRun(id);
      const configFile = datasetConfigOf(run);
      const runId = queue.enqueue({
        kind: run.kind,
        config: run.config,
        seed: run.seed ?? 0,
        experiment: run.experiment,
        datasetConfig: configFile ?? undefined,
      });
      events.emit({ type: 'runs-changed' });
      return { runIds: [runId] };
    },

    async deleteRun({ id }) {
      const run = requireRun(id);
      if (run.status === 'running') throw new UserError(`run ${id} is running; cancel it before deleting it`);
      if (run.status === 'queued') queue.cancel(id);
      store.deleteRun(id);
      events.emit({ type: 'runs-changed' });
      return { deleted: id };
    },

    async getCurves({ runIds }) {
      return runIds.map(curvesOf);
    },

    async exportSeries({ runId, tag, format }) {
      const points = curvesOf(runId).tags[tag];
      if (!points) throw new NotFoundError(`run ${runId} has no series '${tag}'`);
      const base = `run-${runId}-${tag.replace(/[^\w.-]+/g, '_')}`;
      return format === 'csv'
        ? { filename: `${base}.csv`, mime: 'text/csv', content: seriesToCsv(points) }
        : { filename: `${base}.json`, mime: 'application/json', content: seriesToJson(points) };
    },

    async listComparisonGroups({ dataset }) {
      return storeCompareGroups(store, finishedCompareRuns(store, dataset));
    },

    async getComparisonRuns({ runIds }) {
      const missing: number[] = [];
      const runs = runIds.flatMap((id) => {
        const run = store.getRun(id);
        const record = run && compareRunOf(run);
        if (!record) missing.push(id);
        return record ? [record] : [];
      });
      if (missing.length > 0) throw new NotFoundError(`no finished run with id ${missing.join(', ')} (deleted, or not finished yet)`);
      return runs;
    },

    async getQueueInfo() {
      return queueInfo();
    },

    async setQueueSetting({ redis }) {
      writeSettings({ queue: redis });
      return queueInfo();
    },

    async listInspectable() {
      const baselines = newestBaselines();
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
      if (all.length === 0) throw new NotFoundError(`no finished training runs of experiment '${experiment}' on dataset '${dataset}'`);
      const runs = configHash === undefined ? all : all.filter((r) => r.configHash === configHash);
      if (runs.length === 0) throw new NotFoundError(`experiment '${experiment}' on dataset '${dataset}' has no finished runs of that config`);
      const key = JSON.stringify([dataset, experiment, configHash ?? null, runs.map((r) => r.id), newestBaselines(dataset).get(dataset) ?? null]);
      return cachedInspector(key, async () => {
        // The datasets.toml the runs were trained from, as the CLI's inspector reads it.
        const configFile = datasetConfigOf(runs[0]);
        const spec = configFile ? resolveDataset(dataset, configFile, cwd) : specOf(dataset);
        return inspectOffThread({ dbFile: store.db.name, spec, experiment, configHash });
      });
    },

    async removeDataset({ key }) {
      const fromStore = store.deleteDataset(key);
      const fromRegistry = removeFromRegistry(registryFile, key);
      if (fromStore || fromRegistry) events.emit({ type: 'datasets-changed' });
      return { removed: fromStore || fromRegistry };
    },

    async getPreferences() {
      return readPreferences(preferencesFile);
    },

    async setPreferences({ scope, values }) {
      return writePreferences(preferencesFile, scope, values);
    },
  };
}

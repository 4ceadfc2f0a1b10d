/**
 * The engine's runs, recorded: the run row is created (or taken over, for a resume) before training
 * starts, every epoch is written as it completes, and the final result lands in one transaction. The
 * engine itself knows nothing of the store; this wraps it through its callbacks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { etaSeconds, runFraction, type ProgressSample } from '../../src-shared/eta.ts';
import type { PhaseProgress } from '../../src-shared/progress.ts';
import type { EpochRecord, RunResult } from '../../src-shared/result.ts';
import type { BackendName } from '../engine/backend.ts';
import { DiskError } from '../errors.ts';
import { appVersion } from '../paths.ts';
import { baselineRun, trainRun } from '../engine/run.ts';
import { RunEventLogger } from '../tb/run-logger.ts';
import type { JsonObject } from '../store/json.ts';
import type { RunRow, RunStore } from '../store/run-store.ts';
import { epochLine, logStart, resultLine } from './run-log.ts';

export interface RunBatchProgress {
  runId: number;
  epoch: number;
  batch: number;
  nBatches: number;
  loss: number;
  /** Seconds left, extrapolated from this process's pace; null until there is a pace to go by. */
  etaSeconds: number | null;
}

export interface RecordedTrainOptions {
  seed: number;
  /** Default: derived from the config (`defaultExperimentName`). */
  experiment?: string;
  backend?: BackendName;
  /** Checkpoint folder (default: the run's own, `<checkpoints>/<run id>`); recorded with the run. */
  ckptDir?: string;
  nCkpt?: number;
  /** Checkpoint after epoch 1, then at most this often (TrainOptions.ckptIntervalSeconds; default every epoch). */
  ckptIntervalSeconds?: number;
  /**
   * Start from the newest checkpoint in the folder. Default: true when continuing a run (`runId`),
   * else true only for a folder the caller chose (`ckptDir`), whose checkpoints belong to this config.
   */
  loadFromCkpt?: boolean;
  signal?: AbortSignal;
  /** The engine's straightforward reference computation (TrainOptions.exactReference). */
  exactReference?: boolean;
  /** The engine's self-checks after every epoch (TrainOptions.debug, the original's --alphanet:debug). */
  debug?: boolean;
  /** The engine's cache folder (scores, class means, neighbours); default the app cache, null = memory only. */
  cacheRoot?: string | null;
  /** A lone run: nothing else in the process reads its train scores (TrainOptions.lone). */
  lone?: boolean;
  /** Continue this existing run (queued again after an interruption) from its newest checkpoint. */
  runId?: number;
  /** Kept with the run (e.g. `dataset_config`: the TOML file the dataset came from, to resume it). */
  extra?: JsonObject;
  onProgress?(progress: RunBatchProgress): void;
  onEpoch?(rec: EpochRecord, runId: number): void;
  /** The engine's slow phases outside the batches (TrainOptions.onPhase). */
  onPhase?(p: PhaseProgress): void;
  /** The engine's warnings, after the run's log has them (default: printed with console.warn). */
  onWarning?(message: string): void;
  /** Called once the run row exists, before training starts. */
  onStart?(runId: number): void;
  /** The engine's trainRun, or one that runs it elsewhere (a sweep's training thread, SweepThread.train). */
  train?: typeof trainRun;
}

export interface RecordedRun {
  runId: number;
  result: RunResult;
}

const HEARTBEAT_MS = 5000;

function classCounts(labels: Int32Array, nClasses: number): Int32Array {
  const counts = new Int32Array(nClasses);
  for (const label of labels) counts[label]++;
  return counts;
}

/** Records the dataset a run used, so the app can show runs of datasets that are not configured here. */
export function recordDataset(
  store: RunStore,
  ds: Pick<LoadedDataset, 'spec' | 'fingerprint' | 'splits' | 'labelNames' | 'classifierInfo'>,
): void {
  store.saveDataset({
    key: ds.spec.key,
    displayName: ds.spec.properName,
    source: { spec: ds.spec, classifierFiles: ds.classifierInfo.files },
    fingerprint: ds.fingerprint,
    splits: ds.splits,
    labelNames: ds.labelNames,
  });
}

/**
 * The ETA of a run this process trains (see src-shared/eta.ts): one tracker per start or resume, its
 * pace measured from the first batch it sees (after the dataset and the checkpoint are loaded).
 */
export function etaTracker(totalEpochs: number): (epoch: number, batch: number, nBatches: number) => number | null {
  let since: ProgressSample | null = null;
  return (epoch, batch, nBatches) => {
    const now = { done: runFraction(epoch, batch, nBatches, totalEpochs), t: performance.now() };
    if (!since) {
      since = now;
      return null;
    }
    return etaSeconds(since, now);
  };
}

/**
 * Trains `config` on `ds` with the engine and records everything into `store`. A new run gets a row
 * in status `running`; with `runId` an existing (re-queued) run continues from its checkpoint. On
 * abort the run becomes `cancelled` (checkpoints kept), on error `failed`; the error is re-thrown.
 */
export async function recordedTrainRun(
  store: RunStore,
  ds: LoadedDataset,
  config: RunConfig,
  opts: RecordedTrainOptions,
): Promise<RecordedRun> {
  const resume = opts.runId !== undefined;
  const runId =
    opts.runId ??
    store.createRun({
      kind: 'train',
      config,
      seed: opts.seed,
      experiment: opts.experiment,
      status: 'running',
      backend: opts.backend ?? null,
      appVersion: appVersion(),
      extra: { ...(ds.spec.configFile ? { [DATASET_CONFIG_KEY]: ds.spec.configFile } : {}), ...opts.extra },
    });
  if (opts.ckptDir !== undefined) store.setCkptDir(runId, opts.ckptDir);
  const ckptDir = store.requireRun(runId).ckptDir ?? undefined;
  const loadFromCkpt = opts.loadFromCkpt ?? (resume || opts.ckptDir !== undefined);
  const t = config.training;
  recordDataset(store, ds);
  for (const datagrp of [t.val_datagrp, t.test_datagrp]) {
    const grp = datagrp ? ds.datagrps[datagrp] : undefined;
    if (datagrp && grp) store.setClassTotals(runId, datagrp, classCounts(grp.labels, ds.nClasses));
  }
  store.markRunning(runId, process.pid, opts.backend ?? null);
  logStart(store, runId, {
    where: thisProcess(opts.backend),
    datasetKey: ds.spec.key,
    fingerprint: ds.fingerprint,
    warnings: ds.warnings,
  });
  const reserve = holdReserve(store, runId);
  opts.onStart?.(runId);

  const eta = etaTracker(t.train_epochs);
  let lastBeat = Date.now();
  const tb = t.tb_logs === null ? null : new RunEventLogger(t.tb_logs, store.iterationsRecorded(runId));
  try {
    const { result, testTop5 } = await (opts.train ?? trainRun)(ds, config, {
      seed: opts.seed,
      backend: opts.backend,
      ckptDir,
      nCkpt: opts.nCkpt,
      ckptIntervalSeconds: opts.ckptIntervalSeconds,
      loadFromCkpt,
      signal: opts.signal,
      exactReference: opts.exactReference,
      debug: opts.debug,
      cacheRoot: opts.cacheRoot,
      lone: opts.lone,
      onPhase: opts.onPhase,
      onWarning: (message) => {
        store.appendLog(runId, 'warning', message);
        (opts.onWarning ?? console.warn)(message);
      },
      onBatch: ({ epoch, batch, nBatches, loss }) => {
        if (Date.now() - lastBeat > HEARTBEAT_MS) {
          store.heartbeat(runId);
          lastBeat = Date.now();
        }
        opts.onProgress?.({ runId, epoch, batch, nBatches, loss, etaSeconds: eta(epoch, batch, nBatches) });
      },
      onEpoch: (rec) => {
        store.recordEpoch(runId, rec);
        store.appendLog(runId, 'info', epochLine(rec, t.train_epochs));
        tb?.epoch(rec);
        lastBeat = Date.now();
        opts.onEpoch?.(rec, runId);
      },
    });
    const testGrp = ds.datagrps[t.test_datagrp];
    tb?.test(result.test, result.best_epoch ?? t.train_epochs);
    store.finishRun(runId, {
      result,
      predictions: testGrp ? { datagrp: t.test_datagrp, labels: testGrp.labels, top5: testTop5 } : null,
    });
    store.appendLog(runId, 'info', resultLine(result));
    // Recorded in one transaction above, so the checkpoints are no longer needed to resume anything.
    store.dropCheckpoints(runId);
    return { runId, result };
  } catch (error) {
    throw endAfterError(store, runId, error, opts.signal?.aborted === true, reserve);
  } finally {
    tb?.close();
    if (reserve) fs.rmSync(reserve, { force: true });
  }
}

/** Where this process runs a run, for its log: `host (pid 123, backend wasm)`. */
function thisProcess(backend: BackendName | undefined): string {
  return `${os.hostname()} (pid ${process.pid}${backend ? `, backend ${backend}` : ''})`;
}

/** Space a training run holds beside its database, given up when the disk fills so that its end can still be recorded. */
const RESERVE_BYTES = 256 * 1024;

function holdReserve(store: RunStore, runId: number): string | null {
  const file = path.join(store.ckptRoot, `.reserve-${runId}-${process.pid}`);
  try {
    fs.mkdirSync(store.ckptRoot, { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(RESERVE_BYTES));
    return file;
  } catch {
    // Already short of space: the run will find out at its first write.
    fs.rmSync(file, { force: true });
    return null;
  }
}

/**
 * Records how a run ended after `error` and returns the error to throw. A full or read-only disk
 * makes the run `interrupted` (resumable once the folder can be written again) and the error one line
 * naming the folder. When even that update cannot be written, the error says so, never silently: the
 * run then still shows `running` with an owner that is gone, which the next process to open the
 * database marks interrupted.
 */
function endAfterError(
  store: RunStore,
  runId: number,
  error: unknown,
  aborted: boolean,
  reserve: string | null = null,
): unknown {
  const dbFolder = path.dirname(path.resolve(store.db.name));
  const disk = DiskError.of(error, dbFolder);
  if (disk && reserve) fs.rmSync(reserve, { force: true });
  const resume = `resume it with \`alphanet resume ${runId}\` once the folder can be written again`;
  try {
    if (aborted) store.cancelRun(runId);
    else if (disk) store.markInterrupted(runId, disk.message);
    else store.failRun(runId, error instanceof Error ? error.message : String(error));
  } catch (markError) {
    const markDisk = DiskError.of(markError, dbFolder);
    if (!markDisk) throw markError;
    const cause = disk ?? markDisk;
    return new DiskError(
      cause.folder,
      cause.code,
      `Run ${runId} could not be marked as stopped either; it will show as interrupted when the database can be written again; then ${resume}`,
    );
  }
  return disk ? new DiskError(disk.folder, disk.code, `Run ${runId} is interrupted; ${resume}`) : error;
}

export interface RecordedBaselineOptions {
  /** Record into this existing (queued) run instead of creating one. */
  runId?: number;
  experiment?: string;
  backend?: BackendName;
  datagrps?: string[];
  /** The engine's score cache folder; default the app cache, null = memory only. */
  cacheRoot?: string | null;
  onPhase?(p: PhaseProgress): void;
}

/** Evaluates the pretrained classifier (dummy mode) with the engine and records it as a `baseline` run. */
export async function recordedBaselineRun(
  store: RunStore,
  ds: LoadedDataset,
  opts: RecordedBaselineOptions = {},
): Promise<RecordedRun> {
  const runId =
    opts.runId ??
    store.createRun({
      kind: 'baseline',
      config: defaultRunConfig(ds.spec.key),
      seed: null,
      experiment: opts.experiment,
      status: 'running',
      backend: opts.backend ?? null,
      appVersion: appVersion(),
    });
  recordDataset(store, ds);
  store.markRunning(runId);
  logStart(store, runId, {
    where: thisProcess(opts.backend),
    datasetKey: ds.spec.key,
    fingerprint: ds.fingerprint,
    warnings: ds.warnings,
  });
  try {
    const { result, testTop5 } = await baselineRun(ds, {
      datagrps: opts.datagrps,
      backend: opts.backend,
      cacheRoot: opts.cacheRoot,
      onPhase: opts.onPhase,
    });
    const testName = result.config.training.test_datagrp;
    const testGrp = ds.datagrps[testName];
    store.finishRun(runId, {
      result,
      predictions: testGrp ? { datagrp: testName, labels: testGrp.labels, top5: testTop5 } : null,
    });
    store.appendLog(runId, 'info', resultLine(result));
    return { runId, result };
  } catch (error) {
    throw endAfterError(store, runId, error, false);
  }
}

/** Where a run's `extra` keeps the datasets TOML its dataset came from (needed to load it again). */
export const DATASET_CONFIG_KEY = 'dataset_config';

export function datasetConfigOf(run: RunRow): string | null {
  const value = run.extra?.[DATASET_CONFIG_KEY];
  return typeof value === 'string' ? value : null;
}

/**
 * Typed access to the runs of a workbench database: every write that belongs together is one
 * transaction (a whole epoch, a whole final result), so a crash leaves either all of it or none.
 * Write transactions are IMMEDIATE: they take the write lock up front, so a concurrent writer waits
 * (busy_timeout) instead of failing when a read inside the transaction would need upgrading.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { RunConfig, SelectionRule } from '../../src-shared/config.ts';
import type { DatasetReport, DatasetSpec, SplitName } from '../../src-shared/dataset.ts';
import { MAX_TAGS_PER_RUN } from '../../src-shared/run-annotations.ts';
import type {
  AlphaEntry,
  EpochRecord,
  EvalMetrics,
  EvalResult,
  RunKind,
  RunResult,
  SavedNetwork,
} from '../../src-shared/result.ts';
import { configGroupKey } from '../../src-shared/stats.ts';
import type { RunFilter, RunLog, RunLogLevel, RunStatus } from '../../src-shared/api.ts';
import { UserError } from '../errors.ts';
import type { Db } from './db.ts';
import { float32FromBlob, float64FromBlob, int32FromBlob, toBlob } from './blobs.ts';
import type { JsonObject } from './json.ts';
import { epochScalars, metricScalars, TAG, type Scalar } from '../../src-shared/scalars.ts';

/** Statuses after which a run can continue from its checkpoint. */
export const RESUMABLE: readonly RunStatus[] = ['interrupted', 'cancelled'];

/**
 * A run's log keeps its newest lines, at most this many, each cut to RUN_LOG_LINE_CHARS: about 1 MB at
 * most, whatever a run prints (an ImageNet run of thousands of epochs, a long stack of warnings).
 */
export const RUN_LOG_MAX_LINES = 2000;
export const RUN_LOG_LINE_CHARS = 500;

export interface NewRun {
  kind: RunKind;
  config: RunConfig;
  /** Null when unknown (the original's runs). */
  seed: number | null;
  /** Default: `defaultExperimentName(kind, config)`. */
  experiment?: string;
  status?: 'queued' | 'running';
  backend?: string | null;
  appVersion?: string | null;
  extra?: JsonObject | null;
}

export interface RunRow {
  id: number;
  dataset: string;
  experiment: string;
  kind: RunKind;
  config: RunConfig;
  configHash: string;
  seed: number | null;
  status: RunStatus;
  /** Unix milliseconds. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  backend: string | null;
  appVersion: string | null;
  error: string | null;
  selection: SelectionRule;
  bestEpoch: number | null;
  tbLogs: boolean;
  tbDir: string | null;
  ckptDir: string | null;
  test: EvalMetrics | null;
  val: EvalMetrics | null;
  /** Final metrics of every evaluated datagrp, when the run recorded them. */
  evals: Record<string, EvalMetrics> | null;
  extra: JsonObject | null;
  ownerPid: number | null;
  heartbeatAt: number | null;
  /** The BullMQ job that carries the run to distributed workers; null for a run of this machine's queue. */
  jobId: string | null;
  /** The distributed worker that runs (or ran) it. */
  worker: string | null;
  /** Epochs recorded so far. */
  epochsDone: number;
  /** What a person wrote about it ('' for none). */
  notes: string;
  /** Its tags, sorted. */
  tags: string[];
  /** The dataset's fingerprint when it last started training (null: recorded before runs kept it). */
  trainedFingerprint: string | null;
}

/** The API's filter, widened for main's own callers. */
export interface RunQuery extends Omit<RunFilter, 'status' | 'tag'> {
  status?: RunStatus | readonly RunStatus[];
  kind?: RunKind;
  /** true: only runs on the distributed queue; false: only this machine's. */
  distributed?: boolean;
  /** Only runs carrying this tag (every one of them, when several). */
  tag?: string | readonly string[];
}

/** Test predictions of the kept state: labels (n) and the top-5 classes of each sample (n × 5, best first). */
export interface Predictions {
  datagrp: string;
  labels: Int32Array;
  top5: Int32Array;
}

export interface FinishedRun {
  result: RunResult;
  predictions?: Predictions | null;
}

/** `{tag: series}`, steps ascending. */
export type StoredCurves = Record<string, { steps: number[]; values: number[]; wallTimes: number[] }>;

/** Final per-class results of one datagrp across an experiment's runs. */
export interface ExperimentMatrix {
  experiment: string;
  datagrp: string;
  runs: { id: number; seed: number | null }[];
  nClasses: number;
  /** accuracy[r][c]; NaN where class c has no samples or the run did not record it. */
  accuracy: Float64Array[];
  /** Correct counts per run when the class sizes are known, else null. */
  correct: (Int32Array | null)[];
  /** Class sizes per run (null when unknown). */
  totals: (Int32Array | null)[];
}

export interface DatasetRecord {
  key: string;
  displayName: string;
  /** The files the dataset was read from (TOML entry, split/feature/classifier paths). */
  sourcePaths: Record<string, string | string[]>;
  fingerprint: string | null;
  report: DatasetReport | null;
  splits: Record<SplitName, number[]> | null;
  labelNames: string[] | null;
}

/** What a dataset row records of where the dataset was read from. */
export type DatasetSource = Pick<
  DatasetSpec,
  'splitFilesDir' | 'featureFilesDir' | 'classifierFile' | 'labelNamesFile' | 'configFile'
>;

const CONFIG_FILE_KEY = 'config_file';

/** The source paths of a dataset row, keyed one way whoever writes it; `classifierFiles`: the files a loaded classifier read. */
export function datasetSourcePaths(
  spec: DatasetSource,
  classifierFiles: readonly string[] = [spec.classifierFile],
): DatasetRecord['sourcePaths'] {
  const paths: DatasetRecord['sourcePaths'] = {
    split_files_dir: spec.splitFilesDir,
    feature_files_dir: spec.featureFilesDir,
    classifier_files: [...classifierFiles],
  };
  if (spec.configFile) paths[CONFIG_FILE_KEY] = spec.configFile;
  if (spec.labelNamesFile) paths.label_names_file = spec.labelNamesFile;
  return paths;
}

/** The datasets.toml a dataset row came from, if any. */
export function datasetConfigFile(rec: DatasetRecord): string | null {
  const file = rec.sourcePaths[CONFIG_FILE_KEY];
  return typeof file === 'string' ? file : null;
}

interface DatasetRow {
  key: string;
  display_name: string;
  source_paths: string;
  fingerprint: string | null;
  report: string | null;
  splits: string | null;
  label_names: string | null;
}

function datasetOfRow(r: DatasetRow): DatasetRecord {
  return {
    key: r.key,
    displayName: r.display_name,
    sourcePaths: JSON.parse(r.source_paths) as DatasetRecord['sourcePaths'],
    fingerprint: r.fingerprint,
    report: r.report ? (JSON.parse(r.report) as DatasetReport) : null,
    splits: r.splits ? (JSON.parse(r.splits) as Record<SplitName, number[]>) : null,
    labelNames: r.label_names ? (JSON.parse(r.label_names) as string[]) : null,
  };
}

/** A write of a dataset row: the key and name always; any other column only when given. */
export interface DatasetUpdate {
  key: string;
  displayName: string;
  source?: { spec: DatasetSource; classifierFiles?: readonly string[] };
  fingerprint?: string | null;
  report?: DatasetReport | null;
  splits?: Record<SplitName, number[]> | null;
  labelNames?: string[] | null;
}

/** Name of the group a run belongs to when the user gives none: the dataset and what usually varies. */
export function defaultExperimentName(kind: RunKind, config: RunConfig): string {
  if (kind === 'baseline') return `${config.dataset} baseline`;
  const t = config.training;
  const r = t.sampler_args.map((a) => a.r).find((v) => v !== undefined);
  const parts = [config.dataset];
  if (r !== undefined) parts.push(`r=${r}`);
  if (t.n_neighbors !== 5) parts.push(`k=${t.n_neighbors}`);
  if (t.nn_dist !== 'euclidean') parts.push(t.nn_dist);
  return parts.join(' ');
}

interface RunDbRow {
  id: number;
  dataset: string;
  experiment: string;
  kind: RunKind;
  config: string;
  config_hash: string;
  seed: number | null;
  status: RunStatus;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  backend: string | null;
  app_version: string | null;
  error: string | null;
  selection: SelectionRule | null;
  best_epoch: number | null;
  tb_logs: number;
  tb_dir: string | null;
  ckpt_dir: string | null;
  test_metrics: string | null;
  val_metrics: string | null;
  evals: string | null;
  extra: string | null;
  owner_pid: number | null;
  heartbeat_at: number | null;
  job_id: string | null;
  worker: string | null;
  notes: string;
  trained_fingerprint: string | null;
  epochs_done: number;
  /** Comma-separated (tags hold no commas). */
  tags: string | null;
}

interface EpochDbRow {
  epoch: number;
  lr: number | null;
  mean_loss: number | null;
  n_batches: number;
  alpha_mean: string;
  alpha_min: string;
  alpha_max: string;
  n_train_per_split: string;
  val: string | null;
  wall_time: number | null;
  selected: number;
}

interface ClassDbRow {
  run_id: number;
  epoch: number;
  n_classes: number;
  correct: Buffer | null;
  accuracy: Buffer | null;
}

/** Numbers that JSON cannot hold (NaN for unknown values) survive as null and come back as NaN. */
function numberOrNaN(x: number | null | undefined): number {
  return x === null || x === undefined ? Number.NaN : x;
}

function metricsFromJson(text: string | null): EvalMetrics | null {
  return text === null ? null : withNaN(JSON.parse(text) as EvalMetrics);
}

function withNaN(m: EvalMetrics): EvalMetrics {
  return {
    accuracy: numberOrNaN(m.accuracy),
    top5: numberOrNaN(m.top5),
    f1: numberOrNaN(m.f1),
    per_split: {
      many: numberOrNaN(m.per_split.many),
      medium: numberOrNaN(m.per_split.medium),
      few: numberOrNaN(m.per_split.few),
      overall: numberOrNaN(m.per_split.overall),
    },
  };
}

function metricsOnly(e: EvalMetrics): EvalMetrics {
  return { accuracy: e.accuracy, top5: e.top5, f1: e.f1, per_split: e.per_split };
}

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Where a database's runs keep their checkpoint folders: `checkpoints/<name>-<hash of its path>/`
 * beside the file. Run ids restart in every database, so two databases in one folder must never
 * share `checkpoints/<run id>` (one would resume from, or delete, the other's checkpoints).
 */
export function checkpointRootOf(dbFile: string): string {
  const file = path.resolve(dbFile);
  const identity = createHash('sha256').update(file).digest('hex').slice(0, 10);
  const stem =
    path
      .basename(file)
      .replace(/\.[^.]*$/, '')
      .replace(/[^\w.-]/g, '_') || 'db';
  return path.join(path.dirname(file), 'checkpoints', `${stem}-${identity}`);
}

const SELECT_RUN = `
  SELECT runs.*, (SELECT COUNT(*) FROM epochs WHERE epochs.run_id = runs.id) AS epochs_done,
  (SELECT group_concat(tag, ',') FROM run_tags WHERE run_tags.run_id = runs.id) AS tags FROM runs`;

export class RunStore {
  private readonly st: Record<string, Statement>;
  /** Class sizes per (run, datagrp), cached: every epoch of a run needs its val sizes. */
  private readonly totalsCache = new Map<string, Int32Array | null>();

  /** `ckptRoot`: where per-run checkpoint folders go (default: checkpointRootOf the database file). */
  constructor(
    readonly db: Db,
    readonly ckptRoot: string = checkpointRootOf(db.name),
  ) {
    const prep = (sql: string) => db.prepare(sql);
    this.st = {
      // A run created `running` gets its owner and heartbeat in the same statement: a concurrent
      // recovery never sees it running without an owner (and marks a live run interrupted).
      insertRun: prep(`INSERT INTO runs (dataset, experiment, kind, config, config_hash, seed, status, created_at,
        backend, app_version, selection, tb_logs, tb_dir, extra, owner_pid, heartbeat_at, started_at)
        VALUES (@dataset, @experiment, @kind, @config, @config_hash, @seed, @status, @created_at,
        @backend, @app_version, @selection, @tb_logs, @tb_dir, @extra, @owner_pid, @heartbeat_at, @heartbeat_at)`),
      setCkptDir: prep('UPDATE runs SET ckpt_dir = ? WHERE id = ?'),
      getRun: prep(`${SELECT_RUN} WHERE id = ?`),
      markRunning: prep(`UPDATE runs SET status = 'running', started_at = COALESCE(started_at, @now), owner_pid = @pid,
        heartbeat_at = @now, error = NULL, backend = COALESCE(@backend, backend) WHERE id = @id`),
      heartbeat: prep('UPDATE runs SET heartbeat_at = ? WHERE id = ?'),
      setStatus: prep(
        'UPDATE runs SET status = @status, finished_at = @now, error = @error, owner_pid = NULL WHERE id = @id',
      ),
      requeue: prep(
        `UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL, owner_pid = NULL WHERE id = ?`,
      ),
      claim:
        prep(`UPDATE runs SET status = 'running', owner_pid = @pid, heartbeat_at = @now, finished_at = NULL, error = NULL
        WHERE id = @id AND status IN (${RESUMABLE.map((s) => `'${s}'`).join(', ')})`),
      // Distributed runs belong to their workers and the coordinator, not to a process of this machine.
      running: prep(`SELECT id, owner_pid, heartbeat_at FROM runs WHERE status = 'running' AND job_id IS NULL`),
      setJob: prep('UPDATE runs SET job_id = ? WHERE id = ?'),
      markRunningOn:
        prep(`UPDATE runs SET status = 'running', started_at = COALESCE(started_at, @now), owner_pid = NULL,
        heartbeat_at = @now, error = NULL, worker = @worker, backend = COALESCE(@backend, backend) WHERE id = @id`),
      iterationsBefore: prep('SELECT COALESCE(SUM(n_batches), 0) AS n FROM epochs WHERE run_id = ? AND epoch < ?'),
      insertEpoch: prep(`INSERT OR REPLACE INTO epochs (run_id, epoch, lr, mean_loss, n_batches, alpha_mean, alpha_min,
        alpha_max, n_train_per_split, val, wall_time, selected)
        VALUES (@run_id, @epoch, @lr, @mean_loss, @n_batches, @alpha_mean, @alpha_min, @alpha_max, @n_train_per_split,
        @val, @wall_time, 0)`),
      epochNumbers: prep('SELECT epoch FROM epochs WHERE run_id = ?'),
      insertScalar: prep('INSERT OR REPLACE INTO scalars (run_id, tag, step, wall_time, value) VALUES (?, ?, ?, ?, ?)'),
      insertTotals: prep('INSERT OR REPLACE INTO class_totals (run_id, datagrp, totals) VALUES (?, ?, ?)'),
      getTotals: prep('SELECT totals FROM class_totals WHERE run_id = ? AND datagrp = ?'),
      insertClass: prep(`INSERT OR REPLACE INTO class_results (run_id, datagrp, epoch, n_classes, correct, accuracy)
        VALUES (?, ?, ?, ?, ?, ?)`),
      classRows: prep(
        'SELECT run_id, epoch, n_classes, correct, accuracy FROM class_results WHERE run_id = ? AND datagrp = ?',
      ),
      insertAlpha: prep('INSERT OR REPLACE INTO alphas (run_id, class, neighbors, alpha) VALUES (?, ?, ?, ?)'),
      alphas: prep('SELECT class, neighbors, alpha FROM alphas WHERE run_id = ? ORDER BY class'),
      insertPredictions: prep(
        'INSERT OR REPLACE INTO predictions (run_id, datagrp, n, labels, top5) VALUES (?, ?, ?, ?, ?)',
      ),
      predictions: prep('SELECT datagrp, n, labels, top5 FROM predictions WHERE run_id = ?'),
      insertNetwork: prep('INSERT OR REPLACE INTO networks (run_id, meta, param_sizes, params) VALUES (?, ?, ?, ?)'),
      network: prep('SELECT meta, param_sizes, params FROM networks WHERE run_id = ?'),
      selectEpoch: prep('UPDATE epochs SET selected = (epoch = ?) WHERE run_id = ?'),
      finish:
        prep(`UPDATE runs SET status = 'done', finished_at = @now, owner_pid = NULL, error = NULL, best_epoch = @best_epoch,
        test_metrics = @test, val_metrics = @val, evals = @evals, backend = COALESCE(@backend, backend),
        app_version = COALESCE(@app_version, app_version), selection = @selection WHERE id = @id`),
      epochs: prep('SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch'),
      batchLosses: prep(`SELECT step, value FROM scalars WHERE run_id = ? AND tag = '${TAG.batchLoss}' ORDER BY step`),
      curves: prep('SELECT tag, step, wall_time, value FROM scalars WHERE run_id = ? ORDER BY tag, step'),
      experimentClass: prep(`SELECT r.id AS run_id, r.seed AS seed, c.epoch AS epoch, c.n_classes AS n_classes,
        c.correct AS correct, c.accuracy AS accuracy, t.totals AS totals
        FROM runs r
        LEFT JOIN class_results c ON c.run_id = r.id AND c.datagrp = @datagrp AND c.epoch = 0
        LEFT JOIN class_totals t ON t.run_id = r.id AND t.datagrp = @datagrp
        WHERE r.experiment = @experiment AND r.status = 'done' ORDER BY r.id`),
      deleteRun: prep('DELETE FROM runs WHERE id = ?'),
      setNotes: prep('UPDATE runs SET notes = ? WHERE id = ?'),
      setTrainedFingerprint: prep('UPDATE runs SET trained_fingerprint = ? WHERE id = ?'),
      lastLogSeq: prep('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_log WHERE run_id = ?'),
      insertLog: prep('INSERT INTO run_log (run_id, seq, at, level, text) VALUES (?, ?, ?, ?, ?)'),
      trimLog: prep('DELETE FROM run_log WHERE run_id = ? AND seq <= ?'),
      log: prep('SELECT seq, at, level, text FROM run_log WHERE run_id = ? ORDER BY seq'),
      addTag: prep('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)'),
      removeTag: prep('DELETE FROM run_tags WHERE run_id = ? AND tag = ?'),
      tagCount: prep('SELECT COUNT(*) AS n FROM run_tags WHERE run_id = ?'),
      // Columns not given keep their stored value; a new fingerprint (the data changed) drops the report.
      saveDataset:
        prep(`INSERT INTO datasets (key, display_name, source_paths, fingerprint, report, splits, label_names, updated_at)
        VALUES (@key, @display_name, @source_paths, @fingerprint, @report, @splits, @label_names, @updated_at)
        ON CONFLICT (key) DO UPDATE SET display_name = excluded.display_name,
        source_paths = CASE WHEN @set_source_paths THEN excluded.source_paths ELSE datasets.source_paths END,
        fingerprint = CASE WHEN @set_fingerprint THEN excluded.fingerprint ELSE datasets.fingerprint END,
        report = CASE WHEN @set_report THEN excluded.report
          WHEN @set_fingerprint AND datasets.fingerprint IS NOT NULL AND excluded.fingerprint IS NOT datasets.fingerprint THEN NULL
          ELSE datasets.report END,
        splits = CASE WHEN @set_splits THEN excluded.splits ELSE datasets.splits END,
        label_names = CASE WHEN @set_label_names THEN excluded.label_names ELSE datasets.label_names END,
        updated_at = excluded.updated_at`),
      datasets: prep('SELECT * FROM datasets ORDER BY key'),
      dataset: prep('SELECT * FROM datasets WHERE key = ?'),
      deleteDataset: prep('DELETE FROM datasets WHERE key = ?'),
    };
  }

  /**
   * Inserts a run (status queued unless told; a `running` one is owned by this process) and gives it
   * its checkpoint folder; returns its id.
   */
  createRun(spec: NewRun): number {
    const running = spec.status === 'running';
    const now = Date.now();
    return this.db
      .transaction(() => {
        const info = this.st.insertRun.run({
          owner_pid: running ? process.pid : null,
          heartbeat_at: running ? now : null,
          dataset: spec.config.dataset,
          experiment: spec.experiment ?? defaultExperimentName(spec.kind, spec.config),
          kind: spec.kind,
          config: JSON.stringify(spec.config),
          config_hash: configGroupKey(spec.config),
          seed: spec.seed,
          status: spec.status ?? 'queued',
          created_at: now,
          backend: spec.backend ?? null,
          app_version: spec.appVersion ?? null,
          selection: spec.config.training.selection,
          tb_logs: spec.config.training.tb_logs ? 1 : 0,
          tb_dir: spec.config.training.tb_logs,
          extra: spec.extra ? JSON.stringify(spec.extra) : null,
        });
        const id = Number(info.lastInsertRowid);
        this.st.setCkptDir.run(path.join(this.ckptRoot, String(id)), id);
        return id;
      })
      .immediate();
  }

  setCkptDir(runId: number, dir: string): void {
    this.st.setCkptDir.run(path.resolve(dir), runId);
  }

  /** The run now belongs to process `pid` (worker threads share their process's pid). */
  markRunning(runId: number, pid: number = process.pid, backend: string | null = null): void {
    this.st.markRunning.run({ id: runId, pid, now: Date.now(), backend });
  }

  /** The run now travels to distributed workers as BullMQ job `jobId` (null: back to this machine's queue). */
  setJob(runId: number, jobId: string | null): void {
    this.st.setJob.run(jobId, runId);
  }

  /** A distributed worker started (or took over) the run. */
  markRunningOn(runId: number, worker: string, backend: string | null): void {
    this.st.markRunningOn.run({ id: runId, worker, backend, now: Date.now() });
  }

  /** Shows the owner is alive; a run whose heartbeat stops and whose owner is gone is interrupted. */
  heartbeat(runId: number): void {
    this.st.heartbeat.run(Date.now(), runId);
  }

  /** Records the class sizes of a datagrp so accuracies are stored as exact correct counts. */
  setClassTotals(runId: number, datagrp: string, totals: ArrayLike<number>): void {
    const array = Int32Array.from(totals);
    this.st.insertTotals.run(runId, datagrp, toBlob(array));
    this.totalsCache.set(`${runId}/${datagrp}`, array);
  }

  private totals(runId: number, datagrp: string): Int32Array | null {
    const key = `${runId}/${datagrp}`;
    if (!this.totalsCache.has(key)) {
      const row = this.st.getTotals.get(runId, datagrp) as { totals: Buffer } | undefined;
      this.totalsCache.set(key, row ? int32FromBlob(row.totals) : null);
    }
    return this.totalsCache.get(key) ?? null;
  }

  private insertClassResult(runId: number, datagrp: string, epoch: number, perClass: (number | null)[]): void {
    const totals = this.totals(runId, datagrp);
    if (totals && totals.length === perClass.length) {
      const correct = Int32Array.from(perClass, (acc, c) => (acc === null ? 0 : Math.round(acc * totals[c])));
      this.st.insertClass.run(runId, datagrp, epoch, perClass.length, toBlob(correct), null);
    } else {
      const acc = Float64Array.from(perClass, (a) => (a === null ? Number.NaN : a));
      this.st.insertClass.run(runId, datagrp, epoch, perClass.length, null, toBlob(acc));
    }
  }

  private writeScalars(runId: number, scalars: Scalar[], wallTime: number): void {
    for (const s of scalars) this.st.insertScalar.run(runId, s.tag, s.step, wallTime, s.value);
  }

  private writeEpoch(runId: number, valDatagrp: string | null, rec: EpochRecord, wallTime: number): void {
    const before = (this.st.iterationsBefore.get(runId, rec.epoch) as { n: number }).n;
    this.st.insertEpoch.run({
      run_id: runId,
      epoch: rec.epoch,
      lr: orNull(rec.lr),
      mean_loss: orNull(rec.mean_loss),
      n_batches: rec.batch_losses.length,
      alpha_mean: JSON.stringify(rec.alpha_mean),
      alpha_min: JSON.stringify(rec.alpha_min),
      alpha_max: JSON.stringify(rec.alpha_max),
      n_train_per_split: JSON.stringify(rec.n_train_per_split),
      val: rec.val ? JSON.stringify(rec.val) : null,
      wall_time: orNull(rec.wall_time),
    });
    this.writeScalars(runId, epochScalars(rec, before), wallTime);
    if (valDatagrp && rec.val_per_class) this.insertClassResult(runId, valDatagrp, rec.epoch, rec.val_per_class);
  }

  /**
   * Records one finished epoch (its row, scalars and per-class val matrix) in one transaction; recording
   * an epoch again (after a resume) replaces it. `wallTime`: unix seconds stamped on its scalars.
   */
  /** Training iterations (batches) of the epochs recorded so far: where a resumed run's step count continues. */
  iterationsRecorded(runId: number): number {
    return (this.st.iterationsBefore.get(runId, Number.MAX_SAFE_INTEGER) as { n: number }).n;
  }

  recordEpoch(runId: number, rec: EpochRecord, wallTime: number = Date.now() / 1000): void {
    const run = this.requireRun(runId);
    this.db.transaction(() => this.writeEpoch(runId, run.config.training.val_datagrp, rec, wallTime)).immediate();
  }

  /**
   * Completes a run with its final result in one transaction: epochs not yet recorded, the selected
   * epoch, final metrics, per-class val/test matrices, learned alphas, predictions; status `done`.
   */
  finishRun(runId: number, outcome: FinishedRun, wallTime: number = Date.now() / 1000): void {
    const { result, predictions } = outcome;
    this.requireRun(runId);
    const t = result.config.training;
    this.db
      .transaction(() => {
        const finals = new Map<string, EvalResult>(Object.entries(result.evals ?? {}));
        finals.set(t.test_datagrp, result.test);
        if (t.val_datagrp && result.val) finals.set(t.val_datagrp, result.val);
        // Class sizes first, so that epochs recorded here store exact counts too.
        for (const [datagrp, evalResult] of finals) {
          if (evalResult.per_class_total.length > 0) this.setClassTotals(runId, datagrp, evalResult.per_class_total);
        }
        const have = new Set((this.st.epochNumbers.all(runId) as { epoch: number }[]).map((r) => r.epoch));
        for (const rec of result.epochs) if (!have.has(rec.epoch)) this.writeEpoch(runId, t.val_datagrp, rec, wallTime);
        this.st.selectEpoch.run(result.best_epoch ?? -1, runId);
        for (const [datagrp, evalResult] of finals) {
          if (evalResult.per_class.length > 0) this.insertClassResult(runId, datagrp, 0, evalResult.per_class);
        }
        this.writeScalars(
          runId,
          metricScalars('test', result.test, result.best_epoch ?? result.epochs.length),
          wallTime,
        );
        for (const [cls, entry] of Object.entries(result.alphas)) {
          this.st.insertAlpha.run(runId, Number(cls), JSON.stringify(entry.neighbors), JSON.stringify(entry.alpha));
        }
        if (result.network) {
          const { params, ...meta } = result.network;
          const flat = Float32Array.from(params.flat());
          this.st.insertNetwork.run(
            runId,
            JSON.stringify(meta),
            JSON.stringify(params.map((p) => p.length)),
            toBlob(flat),
          );
        }
        if (predictions) {
          const n = predictions.labels.length;
          if (predictions.top5.length !== n * 5)
            throw new RangeError(`predictions: ${predictions.top5.length} top-5 entries for ${n} labels`);
          this.st.insertPredictions.run(
            runId,
            predictions.datagrp,
            n,
            toBlob(predictions.labels),
            toBlob(predictions.top5),
          );
        }
        this.st.finish.run({
          id: runId,
          now: Date.now(),
          best_epoch: result.best_epoch,
          test: JSON.stringify(metricsOnly(result.test)),
          val: result.val ? JSON.stringify(metricsOnly(result.val)) : null,
          evals: result.evals
            ? JSON.stringify(
                Object.fromEntries(Object.entries(result.evals).map(([name, e]) => [name, metricsOnly(e)])),
              )
            : null,
          backend: result.backend,
          app_version: result.app_version,
          selection: result.selection,
        });
      })
      .immediate();
  }

  failRun(runId: number, error: string): void {
    this.endRun(runId, 'failed', error, 'error', `failed: ${error}`);
  }

  /** Stopped on request; its checkpoints stay, so it can be resumed. */
  cancelRun(runId: number): void {
    this.endRun(runId, 'cancelled', null, 'info', 'cancelled');
  }

  /** The process running it stopped before the run ended; it can be resumed from its checkpoint. */
  markInterrupted(runId: number, error = 'the process running it stopped'): void {
    this.endRun(runId, 'interrupted', error, 'warning', `interrupted: ${error}`);
  }

  /** Every way a run stops short also ends its log, so the log says why wherever the run ran. */
  private endRun(runId: number, status: RunStatus, error: string | null, level: RunLogLevel, line: string): void {
    this.db
      .transaction(() => {
        this.st.setStatus.run({ id: runId, status, now: Date.now(), error });
        this.appendLog(runId, level, line);
      })
      .immediate();
  }

  /**
   * Adds to a run's log (each line of `text` a line, cut to RUN_LOG_LINE_CHARS), dropping its oldest
   * lines past RUN_LOG_MAX_LINES.
   */
  appendLog(runId: number, level: RunLogLevel, text: string, at: number = Date.now()): void {
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trimEnd())
      .filter((line) => line !== '')
      .map((line) => (line.length > RUN_LOG_LINE_CHARS ? `${line.slice(0, RUN_LOG_LINE_CHARS - 1)}…` : line));
    if (lines.length === 0) return;
    this.db
      .transaction(() => {
        let seq = (this.st.lastLogSeq.get(runId) as { seq: number }).seq;
        for (const line of lines) this.st.insertLog.run(runId, ++seq, at, level, line);
        this.st.trimLog.run(runId, seq - RUN_LOG_MAX_LINES);
      })
      .immediate();
  }

  /** A run's log; its lines are numbered from 1, so the first kept line's number tells how many were dropped. */
  getRunLog(runId: number): RunLog {
    const rows = this.st.log.all(runId) as { seq: number; at: number; level: RunLogLevel; text: string }[];
    return {
      lines: rows.map(({ at, level, text }) => ({ at, level, text })),
      dropped: rows.length > 0 ? rows[0].seq - 1 : 0,
    };
  }

  /** The dataset the run trains on now (a resumed run keeps the fingerprint of its latest start). */
  setTrainedFingerprint(runId: number, fingerprint: string): void {
    this.st.setTrainedFingerprint.run(fingerprint, runId);
  }

  /**
   * Start-up recovery: runs left `running` by a process that no longer exists become `interrupted`.
   * A run counts as orphaned when its owner pid is dead, or when its heartbeat is older than `staleMs`
   * (the pid may have been reused by an unrelated process). Returns the ids marked.
   */
  recoverInterrupted(isAlive: (pid: number) => boolean = pidAlive, staleMs = 30 * 60_000): number[] {
    const now = Date.now();
    return this.db
      .transaction(() => {
        const marked: number[] = [];
        for (const row of this.st.running.all() as {
          id: number;
          owner_pid: number | null;
          heartbeat_at: number | null;
        }[]) {
          const stale = row.heartbeat_at === null || now - row.heartbeat_at > staleMs;
          if (row.owner_pid === null || !isAlive(row.owner_pid) || stale) {
            this.markInterrupted(row.id);
            marked.push(row.id);
          }
        }
        return marked;
      })
      .immediate();
  }

  /** Puts an interrupted or cancelled run back in the queue; it will continue from its checkpoint. */
  requeue(runId: number): RunRow {
    const run = this.requireRun(runId);
    if (!RESUMABLE.includes(run.status)) {
      throw new UserError(`run ${runId} is ${run.status}; only ${RESUMABLE.join(' or ')} runs can be resumed`);
    }
    this.st.requeue.run(runId);
    return this.requireRun(runId);
  }

  /**
   * Takes over an interrupted or cancelled run for this process in one step (so no queue can start it
   * meanwhile), to continue it here from its checkpoint.
   */
  claim(runId: number, pid: number = process.pid): RunRow {
    const run = this.requireRun(runId);
    if (this.st.claim.run({ id: runId, pid, now: Date.now() }).changes !== 1) {
      throw new UserError(`run ${runId} is ${run.status}; only ${RESUMABLE.join(' or ')} runs can be resumed`);
    }
    return this.requireRun(runId);
  }

  getRun(runId: number): RunRow | null {
    const row = this.st.getRun.get(runId) as RunDbRow | undefined;
    return row ? toRunRow(row) : null;
  }

  requireRun(runId: number): RunRow {
    const run = this.getRun(runId);
    if (!run) throw new UserError(`no run with id ${runId} in ${this.db.name}`);
    return run;
  }

  listRuns(filter: RunQuery = {}): RunRow[] {
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (filter.dataset !== undefined) {
      where.push('dataset = @dataset');
      params.dataset = filter.dataset;
    }
    if (filter.experiment !== undefined) {
      where.push('experiment = @experiment');
      params.experiment = filter.experiment;
    }
    if (filter.kind !== undefined) {
      where.push('kind = @kind');
      params.kind = filter.kind;
    }
    if (filter.distributed !== undefined) where.push(`job_id IS ${filter.distributed ? 'NOT ' : ''}NULL`);
    if (filter.tag !== undefined) {
      const tags = typeof filter.tag === 'string' ? [filter.tag] : filter.tag;
      tags.forEach((tag, i) => {
        where.push(`EXISTS (SELECT 1 FROM run_tags WHERE run_tags.run_id = runs.id AND run_tags.tag = @tag${i})`);
        params[`tag${i}`] = tag;
      });
    }
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === 'string' ? [filter.status] : filter.status;
      where.push(`status IN (${statuses.map((_, i) => `@status${i}`).join(', ') || 'NULL'})`);
      statuses.forEach((s, i) => (params[`status${i}`] = s));
    }
    const sql = `${SELECT_RUN}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(params) as RunDbRow[]).map(toRunRow);
  }

  /** Every scalar series of a run, by tag. */
  getRunCurves(runId: number): StoredCurves {
    const out: StoredCurves = {};
    for (const row of this.st.curves.iterate(runId) as IterableIterator<{
      tag: string;
      step: number;
      wall_time: number;
      value: number;
    }>) {
      let series = out[row.tag];
      if (!series) series = out[row.tag] = { steps: [], values: [], wallTimes: [] };
      series.steps.push(row.step);
      series.values.push(row.value);
      series.wallTimes.push(row.wall_time);
    }
    return out;
  }

  /** Per-class final results (default: test) of every finished run of an experiment. */
  getExperimentMatrix(experiment: string, datagrp = 'test'): ExperimentMatrix {
    const rows = this.st.experimentClass.all({ experiment, datagrp }) as (ClassDbRow & {
      seed: number | null;
      totals: Buffer | null;
    })[];
    const nClasses = Math.max(0, ...rows.map((r) => r.n_classes ?? 0));
    const matrix: ExperimentMatrix = { experiment, datagrp, runs: [], nClasses, accuracy: [], correct: [], totals: [] };
    for (const row of rows) {
      const totals = row.totals ? int32FromBlob(row.totals) : null;
      const correct = row.correct ? int32FromBlob(row.correct) : null;
      matrix.runs.push({ id: row.run_id, seed: row.seed });
      matrix.totals.push(totals);
      matrix.correct.push(correct);
      matrix.accuracy.push(classAccuracy(row, totals, nClasses));
    }
    return matrix;
  }

  /** Replaces a run's notes (already normalized: normalizeNotes). */
  setNotes(runId: number, notes: string): void {
    this.requireRun(runId);
    this.st.setNotes.run(notes, runId);
  }

  /**
   * Adds and removes tags (already normalized: normalizeTags) on every run given, all or nothing; a run
   * that would carry more than MAX_TAGS_PER_RUN tags fails the whole change.
   */
  tagRuns(runIds: readonly number[], change: { add?: readonly string[]; remove?: readonly string[] }): void {
    this.db
      .transaction(() => {
        for (const id of runIds) {
          this.requireRun(id);
          for (const tag of change.remove ?? []) this.st.removeTag.run(id, tag);
          for (const tag of change.add ?? []) this.st.addTag.run(id, tag);
          const { n } = this.st.tagCount.get(id) as { n: number };
          if (n > MAX_TAGS_PER_RUN) throw new UserError(`run ${id} would have ${n} tags; at most ${MAX_TAGS_PER_RUN}`);
        }
      })
      .immediate();
  }

  /** Removes a run, everything recorded for it, and its checkpoint folder. */
  deleteRun(runId: number): void {
    const run = this.requireRun(runId);
    this.st.deleteRun.run(runId);
    this.removeOwnCheckpoints(run);
  }

  /**
   * Deletes a finished run's epoch checkpoints when they are in its own folder under our checkpoint root
   * (a folder the user chose with --ckpt-dir is theirs and stays): the selected network is in the store.
   */
  dropCheckpoints(runId: number): void {
    this.removeOwnCheckpoints(this.requireRun(runId));
  }

  private removeOwnCheckpoints(run: RunRow): void {
    // Only ever delete inside our own checkpoint root.
    if (run.ckptDir && path.resolve(run.ckptDir).startsWith(path.resolve(this.ckptRoot) + path.sep)) {
      fs.rmSync(run.ckptDir, { recursive: true, force: true });
    }
  }

  /** The one writer of a dataset row: sets what `update` gives, keeps the rest (a new row starts empty). */
  saveDataset(update: DatasetUpdate): void {
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    const set = (value: unknown) => (value === undefined ? 0 : 1);
    const sourcePaths = update.source && datasetSourcePaths(update.source.spec, update.source.classifierFiles);
    this.st.saveDataset.run({
      key: update.key,
      display_name: update.displayName,
      source_paths: JSON.stringify(sourcePaths ?? {}),
      fingerprint: update.fingerprint ?? null,
      report: json(update.report),
      splits: json(update.splits),
      label_names: json(update.labelNames),
      updated_at: Date.now(),
      set_source_paths: set(sourcePaths),
      set_fingerprint: set(update.fingerprint),
      set_report: set(update.report),
      set_splits: set(update.splits),
      set_label_names: set(update.labelNames),
    });
  }

  /** Forgets a dataset's record; its runs stay (they keep the dataset's key). False when there was none. */
  deleteDataset(key: string): boolean {
    return this.st.deleteDataset.run(key).changes > 0;
  }

  listDatasets(): DatasetRecord[] {
    return (this.st.datasets.all() as DatasetRow[]).map(datasetOfRow);
  }

  /** One dataset's row (without reading and parsing every other dataset's report). */
  getDataset(key: string): DatasetRecord | null {
    const row = this.st.dataset.get(key) as DatasetRow | undefined;
    return row ? datasetOfRow(row) : null;
  }

  /** The test predictions of a run's kept state, if recorded. */
  getPredictions(runId: number): Predictions | null {
    const row = this.st.predictions.get(runId) as { datagrp: string; labels: Buffer; top5: Buffer } | undefined;
    return row ? { datagrp: row.datagrp, labels: int32FromBlob(row.labels), top5: int32FromBlob(row.top5) } : null;
  }

  /** A recorded run as the `--save-file` JSON shape. Unknown numbers (NaN) come back as NaN. */
  /** The epochs recorded so far, as the engine reported them (also while the run trains). */
  getEpochs(runId: number): EpochRecord[] {
    const t = this.requireRun(runId).config.training;
    const valClasses = t.val_datagrp ? this.classResults(runId, t.val_datagrp) : new Map<number, (number | null)[]>();
    const losses = this.st.batchLosses.all(runId) as { step: number; value: number }[];
    let iteration = 0;
    let next = 0;
    return (this.st.epochs.all(runId) as EpochDbRow[]).map((row) => {
      iteration += row.n_batches;
      // Losses are ordered by step; an epoch owns the steps up to its last iteration.
      const batchLosses: number[] = [];
      while (next < losses.length && losses[next].step <= iteration) batchLosses.push(losses[next++].value);
      return {
        epoch: row.epoch,
        lr: numberOrNaN(row.lr),
        mean_loss: numberOrNaN(row.mean_loss),
        batch_losses: batchLosses,
        alpha_mean: JSON.parse(row.alpha_mean) as number[],
        alpha_min: JSON.parse(row.alpha_min) as number[],
        alpha_max: JSON.parse(row.alpha_max) as number[],
        n_train_per_split: JSON.parse(row.n_train_per_split) as Record<SplitName, number>,
        val: metricsFromJson(row.val),
        val_per_class: valClasses.get(row.epoch) ?? null,
        wall_time: numberOrNaN(row.wall_time),
      };
    });
  }

  exportRun(runId: number): RunResult {
    const run = this.requireRun(runId);
    if (!run.test) throw new UserError(`run ${runId} is ${run.status}: it has no final results to export`);
    const t = run.config.training;
    const epochs = this.getEpochs(runId);
    const finalResult = (datagrp: string | null, metrics: EvalMetrics | null): EvalResult | null => {
      if (!datagrp || !metrics) return null;
      const totals = this.totals(runId, datagrp);
      return {
        ...metrics,
        per_class: this.classResults(runId, datagrp).get(0) ?? [],
        per_class_total: totals ? Array.from(totals) : [],
      };
    };
    const alphas: Record<string, AlphaEntry> = {};
    for (const row of this.st.alphas.all(runId) as { class: number; neighbors: string; alpha: string }[]) {
      alphas[String(row.class)] = {
        neighbors: JSON.parse(row.neighbors) as number[],
        alpha: JSON.parse(row.alpha) as number[],
      };
    }
    const out: RunResult = {
      kind: run.kind,
      dataset: run.dataset,
      config: run.config,
      seed: run.seed ?? Number.NaN,
      backend: run.backend ?? '',
      app_version: run.appVersion ?? '',
      selection: run.selection,
      epochs,
      best_epoch: run.bestEpoch,
      val: finalResult(t.val_datagrp, run.val),
      test: finalResult(t.test_datagrp, run.test) as EvalResult,
      alphas,
    };
    if (run.evals) {
      out.evals = {};
      for (const [name, metrics] of Object.entries(run.evals))
        out.evals[name] = finalResult(name, metrics) as EvalResult;
    }
    const network = this.getNetwork(runId);
    if (network) out.network = network;
    return out;
  }

  /** The kept network of a run, if recorded. */
  getNetwork(runId: number): SavedNetwork | null {
    const row = this.st.network.get(runId) as { meta: string; param_sizes: string; params: Buffer } | undefined;
    if (!row) return null;
    const flat = float32FromBlob(row.params);
    let offset = 0;
    const params = (JSON.parse(row.param_sizes) as number[]).map((size) => {
      const part = Array.from(flat.subarray(offset, offset + size));
      offset += size;
      return part;
    });
    return { ...(JSON.parse(row.meta) as Omit<SavedNetwork, 'params'>), params };
  }

  /** Per-class accuracies of a run's datagrp by epoch (0 = final); null where a class has no samples. */
  private classResults(runId: number, datagrp: string): Map<number, (number | null)[]> {
    const totals = this.totals(runId, datagrp);
    const out = new Map<number, (number | null)[]>();
    for (const row of this.st.classRows.all(runId, datagrp) as ClassDbRow[]) {
      out.set(
        row.epoch,
        Array.from(classAccuracy(row, totals, row.n_classes), (x) => (Number.isNaN(x) ? null : x)),
      );
    }
    return out;
  }
}

function classAccuracy(
  row: Pick<ClassDbRow, 'correct' | 'accuracy'>,
  totals: Int32Array | null,
  nClasses: number,
): Float64Array {
  if (row.accuracy) return float64FromBlob(row.accuracy);
  const out = new Float64Array(nClasses).fill(Number.NaN);
  if (row.correct && totals) {
    const correct = int32FromBlob(row.correct);
    for (let c = 0; c < correct.length; c++) out[c] = totals[c] > 0 ? correct[c] / totals[c] : Number.NaN;
  }
  return out;
}

function toRunRow(r: RunDbRow): RunRow {
  return {
    id: r.id,
    dataset: r.dataset,
    experiment: r.experiment,
    kind: r.kind,
    config: JSON.parse(r.config) as RunConfig,
    configHash: r.config_hash,
    seed: r.seed,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    backend: r.backend,
    appVersion: r.app_version,
    error: r.error,
    selection: r.selection ?? 'best-val',
    bestEpoch: r.best_epoch,
    tbLogs: r.tb_logs !== 0,
    tbDir: r.tb_dir,
    ckptDir: r.ckpt_dir,
    test: metricsFromJson(r.test_metrics),
    val: metricsFromJson(r.val_metrics),
    evals: r.evals
      ? Object.fromEntries(
          Object.entries(JSON.parse(r.evals) as Record<string, EvalMetrics>).map(([k, m]) => [k, withNaN(m)]),
        )
      : null,
    extra: r.extra ? (JSON.parse(r.extra) as JsonObject) : null,
    ownerPid: r.owner_pid,
    heartbeatAt: r.heartbeat_at,
    jobId: r.job_id,
    worker: r.worker,
    epochsDone: r.epochs_done,
    notes: r.notes,
    tags: r.tags === null ? [] : r.tags.split(',').sort(),
    trainedFingerprint: r.trained_fingerprint,
  };
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

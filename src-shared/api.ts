/**
 * The one contract between the workbench's renderer and its main side: every method's parameters and
 * result, and the events pushed while runs train. Electron carries it over IPC, served mode over
 * HTTP (POST /api/<method>) and SSE (GET /api/events); both validate every parameter in main.
 */
import type { CompareDataset, CompareRun } from './compare-groups.ts';
import type { RunConfig, SelectionRule } from './config.ts';
import type { DatasetReport, SplitName } from './dataset.ts';
import type { InspectorData } from './inspector.ts';
import type { RunKind } from './result.ts';
import type { FieldError } from './run-config-validation.ts';
import type { SweepSpec, SweptValue } from './sweep.ts';

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'];

/** Accuracies in [0, 1] per split and overall. */
export type SplitAccuracies = Record<SplitName | 'overall', number>;

export interface DatasetSummary {
  key: string;
  properName: string;
  /** The datasets.toml it came from; null for the bundled demo. */
  configFile: string | null;
  nClasses: number | null;
  /** The validator's verdict when it has run (null: not validated yet). */
  usable: boolean | null;
}

export interface RunProgress {
  epoch: number;
  nEpochs: number;
  batch: number;
  nBatches: number;
  /** The latest batch loss. */
  loss: number | null;
  /** Seconds left, estimated from the pace so far; null before the first batch. */
  etaSeconds: number | null;
}

export interface RunSummary {
  id: number;
  dataset: string;
  experiment: string;
  kind: RunKind;
  /** Hash of the config without the seed: runs sharing it (and the experiment) are repetitions. Never shown. */
  configHash: string;
  /** The values its experiment varies (a sweep's parameters), in label order; empty for repetitions of one config. */
  swept: SweptValue[];
  /** What a person reads for its config: `k=5, ρ=0.5`; '' when its experiment has one config. */
  label: string;
  status: RunStatus;
  /** Null for a baseline and for imported runs of the original (which set no seed). */
  seed: number | null;
  /** Milliseconds since the epoch. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  epochsDone: number;
  trainEpochs: number;
  bestEpoch: number | null;
  test: SplitAccuracies | null;
  error: string | null;
  /** Live progress while running (from the queue's latest event). */
  progress: RunProgress | null;
  /** While a running run still reads its dataset: which files, how far. */
  loading: DatasetLoading | null;
  /** The distributed worker that runs (or ran) it; null for a run of this machine's queue. */
  worker: string | null;
  /** Its recorded config: the Runs view shows the values that vary among the listed runs. */
  config: RunConfig;
  /** What a person wrote about it ('' for none); the Runs filter searches it. */
  notes: string;
  /** Its tags, sorted (rules: src-shared/run-annotations.ts). */
  tags: string[];
}

/** A live `alphanet worker` (distributed mode), as it announces itself. */
export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  backend: string;
  cores: number;
  /** Runs it trains at once. */
  concurrency: number;
  /** Dataset keys its datasets.toml has. */
  datasets: string[];
  /** Run ids it is training now (its load: active.length of concurrency). */
  active: number[];
  /** Milliseconds since the epoch. */
  startedAt: number;
}

/** Where runs train: this machine's queue, or workers on a Redis (the URL without its password). */
export interface QueueInfo {
  mode: 'local' | 'distributed';
  /** The Redis in use (distributed mode), its password hidden. */
  redis: string | null;
  workers: WorkerInfo[];
  /** The saved setting (settings.json), its password hidden; it applies at the next start. */
  setting: string | null;
}

export interface DatasetLoading {
  /** `splits`, `label-names`, `classifier` or `features`. */
  stage: string;
  done: number;
  total: number;
}

/** One evaluated datagrp's final results (the kept epoch's). */
export interface DatagrpResult {
  datagrp: string;
  /** `val` or `test` where the config names it so; `other` for a datagrp a baseline evaluated too. */
  role: 'val' | 'test' | 'other';
  accuracy: SplitAccuracies;
  top5: number;
  f1: number;
}

/** `error` lines say why a run stopped; `warning` lines what it went on despite. */
export type RunLogLevel = 'info' | 'warning' | 'error';

export interface RunLogLine {
  /** Unix milliseconds. */
  at: number;
  level: RunLogLevel;
  text: string;
}

/** What a run printed as it went (its start, each epoch, the kept epoch and results, warnings, its end). */
export interface RunLog {
  /** The newest lines, oldest first. */
  lines: RunLogLine[];
  /** Earlier lines dropped to keep the log within its bounds (0: it is whole). */
  dropped: number;
}

export interface RunDetail extends RunSummary {
  backend: string | null;
  appVersion: string | null;
  val: SplitAccuracies | null;
  /** How the kept epoch (bestEpoch) was chosen. */
  selection: SelectionRule;
  /** The dataset's fingerprint as last read by a run or a check (null: not read yet). */
  datasetFingerprint: string | null;
  /** The dataset's fingerprint when the run last started training (null: recorded before runs kept it). */
  trainedFingerprint: string | null;
  /** Every evaluated datagrp, val then test then the rest. */
  results: DatagrpResult[];
  log: RunLog;
}

/** One point of a scalar series, in TensorBoard's shape (wall time in seconds). */
export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

export interface RunCurves {
  runId: number;
  /** Tag → points by ascending step, using the original's tag names (`batch_loss`, `validation/accuracy`…). */
  tags: Record<string, ScalarPoint[]>;
}

export interface BaselineSummary {
  dataset: string;
  /** Datagrp → top-1 accuracies per split. */
  datagrps: Record<string, SplitAccuracies & { top5: number; f1: number }>;
}

export interface RunFilter {
  dataset?: string;
  experiment?: string;
  status?: RunStatus;
  /** Only runs carrying every one of these tags. */
  tag?: string[];
}

export interface LaunchRequest {
  experiment: string;
  config: RunConfig;
  /** Explicit seeds, one run each; or `repetitions` seeds chosen by the app. */
  seeds?: number[];
  repetitions?: number;
  /** A grid (and random draws) over parameters of `config`: every config × every seed. */
  sweep?: SweepSpec;
}

/** A datasets.toml, a folder holding one, or the dataset that ships with the app. */
export type AddDatasetRequest = { configFile: string } | { folder: string } | { bundled: 'demo' };

/** How exportSeries writes one scalar series (the Compare view's table formats are src-shared/export's ExportFormat). */
export type SeriesFormat = 'csv' | 'json';
export const SERIES_FORMATS: readonly SeriesFormat[] = ['csv', 'json'];

export interface ExportedFile {
  filename: string;
  mime: string;
  content: string;
}

/**
 * What the Inspector can open: finished training runs of one experiment on one dataset, one entry per
 * config of a sweep (runs of different configs are never averaged together).
 */
export interface InspectableExperiment {
  dataset: string;
  experiment: string;
  /** The config's hash within a sweep; null where the experiment has one config. */
  configHash: string | null;
  /** `k=5, ρ=0.5` for a config of a sweep; '' otherwise. */
  label: string;
  /** Its finished training runs, oldest first (the runs the Inspector reads). */
  runIds: number[];
  /** The dataset's newest finished baseline run, which the Inspector compares against; null: none (it evaluates the pretrained classifier). */
  baselineRunId: number | null;
  /** When its newest run finished (ms since the epoch). */
  finishedAt: number | null;
}

export interface InspectorRequest {
  dataset: string;
  experiment: string;
  /** One config of a sweep (listInspectable's configHash); required where the experiment has several. */
  configHash?: string;
}

/**
 * Settings remembered per data folder (not per browser), in the link's own words: `app` (the last
 * view), and per view the settings that outlive a screen (Curves' smoothing and axes, Compare's metric).
 */
export const PREFERENCE_SCOPES = ['app', 'curves', 'compare'] as const;
export type PreferenceScope = (typeof PREFERENCE_SCOPES)[number];
export type Preferences = Partial<Record<PreferenceScope, Record<string, string>>>;
/** Bounds on what a client may store there. */
export const MAX_PREFERENCE_KEYS = 32;
export const MAX_PREFERENCE_CHARS = 2000;

/** Method name → [params, result]. */
export interface ApiMethods {
  listDatasets: [Record<string, never>, DatasetSummary[]];
  /** Adds every dataset a datasets.toml (or a folder's datasets.toml) names; returns the added ones. */
  addDataset: [AddDatasetRequest, DatasetSummary[]];
  getDatasetReport: [{ key: string }, DatasetReport];
  computeBaseline: [{ key: string }, BaselineSummary];
  listRuns: [RunFilter, RunSummary[]];
  getRun: [{ id: number }, RunDetail];
  launchExperiment: [LaunchRequest, { runIds: number[] }];
  cancelRun: [{ id: number }, RunSummary];
  resumeRun: [{ id: number }, RunSummary];
  /** Queues a new run with the same config, experiment and seed. */
  rerun: [{ id: number }, { runIds: number[] }];
  deleteRun: [{ id: number }, { deleted: number }];
  getCurves: [{ runIds: number[] }, RunCurves[]];
  exportSeries: [{ runId: number; tag: string; format: SeriesFormat }, ExportedFile];
  /** Per dataset: its baseline and the groups of finished runs that can be compared (experiments and configs). */
  listComparisonGroups: [{ dataset?: string }, CompareDataset[]];
  /** Finished runs (test and val metrics, config, seed) for the Compare view to summarize. */
  getComparisonRuns: [{ runIds: number[] }, CompareRun[]];
  /** Experiments with finished training runs, newest first. */
  listInspectable: [Record<string, never>, InspectableExperiment[]];
  /** An experiment's Inspector data, against the dataset's newest finished baseline. */
  getInspector: [InspectorRequest, InspectorData];
  /** The queue's mode and, in distributed mode, the live workers. */
  getQueueInfo: [Record<string, never>, QueueInfo];
  /** Saves where runs train from the next start on: a Redis URL of distributed workers, or null for this machine. */
  setQueueSetting: [{ redis: string | null }, QueueInfo];
  /** Replaces a run's notes (normalizeNotes); returns them as stored. */
  setRunNotes: [{ id: number; notes: string }, { id: number; notes: string }];
  /** Adds and removes tags on every run given, all or nothing; returns each run's tags after. */
  tagRuns: [{ ids: number[]; add?: string[]; remove?: string[] }, { id: number; tags: string[] }[]];
  /** Deletes every run given (none may be running; queued ones are cancelled first), checking all before deleting any. */
  deleteRuns: [{ ids: number[] }, { deleted: number[] }];
  /** Queues a copy of each run (its config, experiment and seed), in the order given. */
  rerunRuns: [{ ids: number[] }, { runIds: number[] }];
  /** Removes a dataset from the app and its registry (the data folder's datasets.toml); its runs stay. */
  removeDataset: [{ key: string }, { removed: boolean }];
  /** The view settings remembered in the data folder (preferences.json). */
  getPreferences: [Record<string, never>, Preferences];
  /** Replaces one scope's remembered settings; returns them all. */
  setPreferences: [{ scope: PreferenceScope; values: Record<string, string> }, Preferences];
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M][0];
export type ApiResult<M extends ApiMethod> = ApiMethods[M][1];

/** Listed once so that main can refuse unknown names and the client can check its coverage. */
export const API_METHODS: readonly ApiMethod[] = [
  'listDatasets',
  'addDataset',
  'getDatasetReport',
  'computeBaseline',
  'listRuns',
  'getRun',
  'launchExperiment',
  'cancelRun',
  'resumeRun',
  'rerun',
  'deleteRun',
  'getCurves',
  'exportSeries',
  'listComparisonGroups',
  'getComparisonRuns',
  'listInspectable',
  'getInspector',
  'getQueueInfo',
  'setQueueSetting',
  'setRunNotes',
  'tagRuns',
  'deleteRuns',
  'rerunRuns',
  'removeDataset',
  'getPreferences',
  'setPreferences',
];

export function isApiMethod(name: string): name is ApiMethod {
  return (API_METHODS as readonly string[]).includes(name);
}

/** Pushed to every open window / SSE stream. */
export type ApiEvent =
  | ({ type: 'progress'; runId: number; status: RunStatus } & RunProgress)
  | { type: 'status'; runId: number; status: RunStatus; error: string | null }
  | ({ type: 'loading'; runId: number } & DatasetLoading)
  /** An epoch's records were written: curves of this run have new points. */
  | { type: 'epoch'; runId: number; epoch: number }
  | { type: 'runs-changed' }
  | { type: 'datasets-changed' };

/** What a failed call returns: the message is meant for the user; `fields` for a rejected config. */
export interface ApiErrorBody {
  error: string;
  fields?: FieldError[];
}

/** The typed API as a set of async functions: what handlers implement and what the renderer calls. */
export type Api = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>> };

/** The error the client raises from an ApiErrorBody. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Header carrying the served mode's token (SSE passes it as `?token=`). */
export const TOKEN_HEADER = 'x-alphanet-token';
/** The served page's meta tag holding the token, for a page opened by the cookie alone (no token in its URL). */
export const TOKEN_META = 'alphanet-token';

/** TensorBoard's scalar CSV, as its "download CSV" writes it. */
export function seriesToCsv(points: readonly ScalarPoint[]): string {
  return ['Wall time,Step,Value', ...points.map((p) => `${p.wallTime},${p.step},${p.value}`)].join('\n') + '\n';
}

/** TensorBoard's scalar JSON: `[[wall_time, step, value], …]`. */
export function seriesToJson(points: readonly ScalarPoint[]): string {
  return JSON.stringify(points.map((p) => [p.wallTime, p.step, p.value]));
}

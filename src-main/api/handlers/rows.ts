/** The one set of mappers from store rows to the API contract's shapes; every handler area uses these. */
import type {
  BaselineSummary,
  DatagrpResult,
  DatasetLoading,
  DatasetSummary,
  RunCurves,
  RunDetail,
  RunLog,
  RunProgress,
  RunSummary,
  ScalarPoint,
  SplitAccuracies,
} from '../../../src-shared/api.ts';
import type { EvalMetrics } from '../../../src-shared/result.ts';
import { datasetConfigFile, type DatasetRecord, type RunRow, type StoredCurves } from '../../store/run-store.ts';

export function splitAccuracies(m: EvalMetrics | null): SplitAccuracies | null {
  return m ? { ...m.per_split } : null;
}

export function datasetSummary(rec: DatasetRecord): DatasetSummary {
  const splits = rec.splits;
  return {
    key: rec.key,
    properName: rec.displayName,
    configFile: datasetConfigFile(rec),
    nClasses: rec.report?.n_classes ?? (splits ? splits.many.length + splits.medium.length + splits.few.length : null),
    usable: rec.report?.usable ?? null,
  };
}

/** What the queue's events (not stored) say of a running run. */
export interface LiveState {
  progress: RunProgress | null;
  loading: DatasetLoading | null;
}

export function runSummary(
  run: RunRow,
  label: { values: RunSummary['swept']; label: string },
  live: LiveState,
): RunSummary {
  return {
    id: run.id,
    dataset: run.dataset,
    experiment: run.experiment,
    kind: run.kind,
    configHash: run.configHash,
    swept: label.values,
    label: label.label,
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
    progress: run.status === 'running' ? live.progress : null,
    loading: run.status === 'running' ? live.loading : null,
    worker: run.worker,
    config: run.config,
    notes: run.notes,
    tags: run.tags,
  };
}

/** Every evaluated datagrp's final results: val, test, then what else a baseline evaluated. */
function datagrpResults(run: RunRow): DatagrpResult[] {
  const t = run.config.training;
  const all = new Map<string, EvalMetrics>();
  if (t.val_datagrp && run.val) all.set(t.val_datagrp, run.val);
  if (run.test) all.set(t.test_datagrp, run.test);
  for (const [name, m] of Object.entries(run.evals ?? {})) if (!all.has(name)) all.set(name, m);
  const role = (name: string): DatagrpResult['role'] =>
    name === t.test_datagrp ? 'test' : name === t.val_datagrp ? 'val' : 'other';
  return [...all].map(([datagrp, m]) => ({
    datagrp,
    role: role(datagrp),
    accuracy: { ...m.per_split },
    top5: m.top5,
    f1: m.f1,
  }));
}

export function runDetail(run: RunRow, summary: RunSummary, datasetFingerprint: string | null, log: RunLog): RunDetail {
  return {
    ...summary,
    backend: run.backend,
    appVersion: run.appVersion,
    val: splitAccuracies(run.val),
    selection: run.selection,
    datasetFingerprint,
    trainedFingerprint: run.trainedFingerprint,
    results: datagrpResults(run),
    log,
  };
}

export function baselineSummary(run: RunRow): BaselineSummary {
  const evals: Record<string, EvalMetrics> = { ...(run.evals ?? {}) };
  const t = run.config.training;
  if (run.test && !evals[t.test_datagrp]) evals[t.test_datagrp] = run.test;
  if (run.val && t.val_datagrp && !evals[t.val_datagrp]) evals[t.val_datagrp] = run.val;
  const datagrps: BaselineSummary['datagrps'] = {};
  for (const [name, m] of Object.entries(evals)) datagrps[name] = { ...m.per_split, top5: m.top5, f1: m.f1 };
  return { dataset: run.dataset, datagrps };
}

export function runCurves(runId: number, stored: StoredCurves): RunCurves {
  const tags: Record<string, ScalarPoint[]> = {};
  for (const [tag, s] of Object.entries(stored)) {
    tags[tag] = s.steps.map((step, i) => ({ step, wallTime: s.wallTimes[i], value: s.values[i] }));
  }
  return { runId, tags };
}

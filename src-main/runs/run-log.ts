/**
 * The lines a run prints as it goes, one wording wherever it runs: the CLI prints them, and the
 * recorders (this process's, a sweep's, the distributed coordinator's) keep them in the run's log.
 */
import type { EpochRecord, EvalMetrics, RunResult } from '../../src-shared/result.ts';
import type { RunStore } from '../store/run-store.ts';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** `epoch 3/25: loss 0.8123, val acc 41.0% (few 12.5%), lr 0.001, 1.23s`. */
export function epochLine(rec: EpochRecord, epochs: number): string {
  const val = rec.val ? `, val acc ${pct(rec.val.accuracy)} (few ${pct(rec.val.per_split.few)})` : '';
  return `epoch ${rec.epoch}/${epochs}: loss ${rec.mean_loss.toFixed(4)}${val}, lr ${rec.lr.toPrecision(3)}, ${rec.wall_time.toFixed(2)}s`;
}

function splitsText(name: string, m: EvalMetrics): string {
  const s = m.per_split;
  return `${name} acc ${pct(m.accuracy)} (many ${pct(s.many)}, medium ${pct(s.medium)}, few ${pct(s.few)})`;
}

/** The kept epoch and the final results: `kept epoch 12 (best-val); val acc …; test acc … (many …)`. */
export function resultLine(result: RunResult): string {
  const kept = result.best_epoch === null ? 'evaluated' : `kept epoch ${result.best_epoch} (${result.selection})`;
  const val = result.val ? `; ${splitsText('val', result.val)}` : '';
  return `${kept}${val}; ${splitsText('test', result.test)}`;
}

/**
 * Logs a run's start: where and on what it trains, or where a resumed run goes on from; a warning when
 * the dataset changed since the run's previous start (its epochs so far saw other data); and keeps the
 * dataset's fingerprint with the run.
 */
export function logStart(
  store: RunStore,
  runId: number,
  start: { where: string; datasetKey: string; fingerprint: string | null; warnings?: readonly string[] },
): void {
  const run = store.requireRun(runId);
  const epochs = run.config.training.train_epochs;
  const from =
    run.kind === 'baseline'
      ? 'started the baseline evaluation'
      : run.epochsDone > 0
        ? `resumed after epoch ${run.epochsDone}/${epochs}`
        : `started, ${epochs} epochs`;
  const seed = run.seed === null ? '' : `, seed ${run.seed}`;
  store.appendLog(
    runId,
    'info',
    `${from} on ${start.where}: dataset ${start.datasetKey} (fingerprint ${start.fingerprint?.slice(0, 16) ?? 'unknown'})${seed}`,
  );
  for (const warning of start.warnings ?? []) store.appendLog(runId, 'warning', warning);
  if (start.fingerprint === null) return;
  if (run.trainedFingerprint !== null && run.trainedFingerprint !== start.fingerprint)
    store.appendLog(
      runId,
      'warning',
      `the dataset changed since the run last started (fingerprint ${run.trainedFingerprint.slice(0, 16)} then)`,
    );
  store.setTrainedFingerprint(runId, start.fingerprint);
}

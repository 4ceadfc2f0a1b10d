/**
 * One run, on a worker thread: loads the dataset, trains with the engine and writes the run's records
 * through its own database connection, so the thread that serves the UI never waits on training or
 * on SQLite. Started by RunQueue (startWorker in workers.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { isDiskError } from '../errors.ts';
import { openDb } from '../store/db.ts';
import { datasetConfigOf, recordedBaselineRun, recordedTrainRun } from '../runs/record-run.ts';
import { RunStore } from '../store/run-store.ts';
import type { FromWorker, WorkerInput } from './messages.ts';
import { CancelFlag } from './cancel-flag.ts';

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');
const post = (message: FromWorker) => port.postMessage(message);
const cancel = new CancelFlag(input.cancelFlag);

const db = openDb(input.dbFile);
const store = new RunStore(db, input.ckptRoot);
const runId = input.runId;
try {
  const run = store.requireRun(runId);
  const spec = resolveDataset(run.dataset, datasetConfigOf(run) ?? undefined, input.cwd);
  // Lazy: a run needs the features only when the engine's score / class-mean caches miss.
  const ds = await loadDataset(spec, {
    lazyFeatures: true,
    onProgress: (p) => post({ type: 'loading', runId, stage: p.stage, done: p.done, total: p.total }),
  });
  cancel.check();
  if (cancel.signal.aborted) {
    store.cancelRun(runId);
    post({ type: 'cancelled', runId });
  } else if (run.kind === 'baseline') {
    await recordedBaselineRun(store, ds, { runId, backend: input.backend });
    post({ type: 'done', runId });
  } else {
    await recordedTrainRun(store, ds, run.config, {
      runId,
      seed: run.seed ?? 0,
      backend: input.backend,
      nCkpt: input.nCkpt,
      signal: cancel.signal,
      onProgress: (progress) => {
        cancel.check();
        post({ type: 'progress', progress });
      },
      onEpoch: (rec) => post({ type: 'epoch', runId, epoch: rec.epoch }),
    });
    post({ type: 'done', runId });
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (cancel.signal.aborted) {
    post({ type: 'cancelled', runId });
  } else {
    // A failure before the engine started (dataset missing, bad config) is recorded here; a run the
    // recording already ended (interrupted by a full disk, failed) keeps what it says.
    const recorded = store.getRun(runId)?.status;
    if (recorded === 'interrupted') post({ type: 'interrupted', runId, error: message });
    else {
      try {
        if (recorded !== 'failed') store.failRun(runId, message);
      } catch (writeError) {
        if (!isDiskError(writeError)) throw writeError;
      }
      post({ type: 'failed', runId, error: message });
    }
  }
} finally {
  db.close();
  port.close();
}

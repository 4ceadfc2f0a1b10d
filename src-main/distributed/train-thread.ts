/**
 * One distributed run on a worker thread of `alphanet worker`: resolves the dataset in the worker's own
 * datasets.toml, refuses other data than the coordinator's, then trains with the engine exactly as a
 * local run does and posts what the coordinator records. The thread keeps the worker's event loop free,
 * so BullMQ renews the job's lock while training runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveDataset } from '../data/config.ts';
import { loadDataset } from '../data/dataset.ts';
import {
  checkpointText,
  listCheckpoints,
  OWN_CKPT_INTERVAL_S,
  stringifyExact,
  writeCheckpointText,
} from '../engine/checkpoint.ts';
import { baselineRun, trainRun } from '../engine/run.ts';
import { initBackend } from '../engine/backend.ts';
import { etaTracker } from '../runs/record-run.ts';
import { int32ToBase64 } from './jobs.ts';
import type { FromTrainThread, TrainThreadInput } from './thread-messages.ts';
import { CancelFlag } from '../queue/cancel-flag.ts';

const input = workerData as TrainThreadInput;
const port = parentPort;
if (!port) throw new Error('train-thread.ts runs only as a worker thread');
const post = (message: FromTrainThread) => port.postMessage(message);
const cancel = new CancelFlag(input.cancelFlag);

const job = input.job;
try {
  const spec = resolveDataset(job.dataset, input.configFile, input.cwd);
  const ds = await loadDataset(spec, {
    lazyFeatures: true,
    cacheDir: input.cacheRoot,
    onProgress: (p) =>
      post({ type: 'progress', progress: { type: 'loading', stage: p.stage, done: p.done, total: p.total } }),
  });
  if (ds.contentFingerprint !== job.contentFingerprint) {
    post({
      type: 'refused',
      error:
        `dataset '${job.dataset}' on this worker (${spec.configFile ?? 'built in'}) is not the coordinator's copy: ` +
        `content fingerprint ${ds.contentFingerprint.slice(0, 12)}… ≠ ${job.contentFingerprint.slice(0, 12)}… (other files, sizes or bytes)`,
    });
  } else {
    const backend = await initBackend(input.backend);
    const t = job.config.training;
    const classTotals: Record<string, number[]> = {};
    for (const name of [t.val_datagrp, t.test_datagrp]) {
      const grp = name === null ? undefined : ds.datagrps[name];
      if (name !== null && grp) {
        const counts = new Array<number>(ds.nClasses).fill(0);
        for (const label of grp.labels) counts[label]++;
        classTotals[name] = counts;
      }
    }
    post({ type: 'started', backend, classTotals });
    const outcome =
      job.kind === 'baseline'
        ? await baselineRun(ds, { backend, cacheRoot: input.cacheRoot })
        : await (async () => {
            const eta = etaTracker(t.train_epochs);
            let sentCheckpoint = job.checkpoint?.epoch ?? 0;
            if (job.checkpoint) writeCheckpointText(input.ckptDir, job.checkpoint, job.nCkpt);
            return trainRun(ds, job.config, {
              seed: job.seed,
              backend,
              ckptDir: input.ckptDir,
              nCkpt: job.nCkpt,
              loadFromCkpt: true,
              ckptIntervalSeconds: OWN_CKPT_INTERVAL_S,
              signal: cancel.signal,
              cacheRoot: input.cacheRoot,
              onBatch: (p) => {
                cancel.check();
                post({
                  type: 'progress',
                  progress: { type: 'batch', ...p, etaSeconds: eta(p.epoch, p.batch, p.nBatches) },
                });
              },
              onEpoch: (rec) => {
                // The newest checkpoint, when the engine wrote one since the last epoch sent.
                const newest = listCheckpoints(input.ckptDir).at(-1);
                const checkpoint = newest && newest.epoch > sentCheckpoint ? checkpointText(newest) : null;
                if (checkpoint) sentCheckpoint = checkpoint.epoch;
                post({ type: 'epoch', epoch: rec.epoch, record: stringifyExact(rec), checkpoint });
              },
            });
          })();
    const testName = outcome.result.config.training.test_datagrp;
    const testGrp = ds.datagrps[testName];
    post({
      type: 'finished',
      result: stringifyExact(outcome.result),
      predictions: testGrp
        ? { datagrp: testName, labels: int32ToBase64(testGrp.labels), top5: int32ToBase64(outcome.testTop5) }
        : null,
    });
  }
} catch (error) {
  post(
    cancel.signal.aborted
      ? { type: 'cancelled' }
      : { type: 'failed', error: error instanceof Error ? error.message : String(error) },
  );
} finally {
  port.close();
}

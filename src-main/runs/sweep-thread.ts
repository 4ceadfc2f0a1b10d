/**
 * A training thread of a concurrent sweep (sweep-threads.ts): trains the runs it is sent, one at a
 * time, from the dataset and shared scores it was started with, and posts what the main thread records.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../engine/backend.ts';
import { trainRun } from '../engine/run.ts';
import { datasetOf, type FromSweepThread, type SweepThreadInput, type ToSweepThread } from './sweep-threads.ts';

/** Batch progress goes out at most this often: it only feeds the run's heartbeat. */
const BATCH_POST_MS = 500;

const input = workerData as SweepThreadInput;
const port = parentPort;
if (!port) throw new Error('sweep-thread.ts runs only as a worker thread');
const post = (message: FromSweepThread) => port.postMessage(message);
const ds = datasetOf(input.shared);
const ready = initBackend(input.backend);

port.on('message', (m: ToSweepThread) => void train(m));

async function train({ config, opts }: ToSweepThread): Promise<void> {
  let posted = 0;
  try {
    const backend = await ready;
    const outcome = await trainRun(ds, config, {
      ...opts,
      backend,
      // One core per run: the other core trains another run of the sweep.
      networkThreads: 1,
      onBatch: (progress) => {
        if (performance.now() - posted < BATCH_POST_MS) return;
        posted = performance.now();
        post({ type: 'batch', progress });
      },
      onEpoch: (rec) => post({ type: 'epoch', rec }),
      onPhase: (progress) => post({ type: 'phase', progress }),
      // The main thread records the run, and its log with it.
      onWarning: (message) => post({ type: 'warning', message }),
    });
    post({ type: 'done', outcome });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = (e as { code?: unknown }).code;
    post({
      type: 'failed',
      error: { message: e.message, name: e.name, ...(typeof code === 'string' ? { code } : {}) },
    });
  }
}

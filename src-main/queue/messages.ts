import type { BackendName } from '../engine/backend.ts';
import type { RunBatchProgress } from '../runs/record-run.ts';

/** What a run worker is started with. */
export interface WorkerInput {
  dbFile: string;
  ckptRoot: string;
  runId: number;
  /** Where relative dataset paths resolve (the queue owner's working directory). */
  cwd: string;
  backend?: BackendName;
  nCkpt?: number;
  /**
   * Int32[1], set to 1 by the queue to cancel. Training keeps the worker's event loop busy, so a
   * posted message would only arrive after the run; the flag is read at every batch instead.
   */
  cancelFlag: SharedArrayBuffer;
}

/** Worker → main thread. The worker writes the run's records itself; these only inform. */
export type FromWorker =
  | { type: 'progress'; progress: RunBatchProgress }
  | { type: 'epoch'; runId: number; epoch: number }
  | { type: 'loading'; runId: number; stage: string; done: number; total: number }
  | { type: 'done'; runId: number }
  | { type: 'cancelled'; runId: number }
  | { type: 'failed'; runId: number; error: string }
  /** Stopped by a full or read-only disk: resumable once there is space. */
  | { type: 'interrupted'; runId: number; error: string };

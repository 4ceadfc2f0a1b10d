import type { BackendName } from '../engine/backend.ts';
import type { CheckpointText, RunJobData, RunJobProgress } from './jobs.ts';

/** What a distributed run's training thread is started with. */
export interface TrainThreadInput {
  job: RunJobData;
  /** The worker's datasets.toml (undefined: the usual lookup from cwd). */
  configFile: string | undefined;
  cwd: string;
  /** The worker's own caches (converted features, scores, neighbours). */
  cacheRoot: string | undefined;
  /** A folder of this worker for the run's checkpoints while it trains here. */
  ckptDir: string;
  backend?: BackendName;
  /** Int32[1], set to 1 to cancel (read at every batch, as the local queue does). */
  cancelFlag: SharedArrayBuffer;
}

/** Training thread → the worker's main thread (which forwards to BullMQ). */
export type FromTrainThread =
  | { type: 'progress'; progress: RunJobProgress }
  | { type: 'started'; backend: string; classTotals: Record<string, number[]> }
  /** `checkpoint`: the newest one, when the engine wrote one since the last epoch message. */
  | { type: 'epoch'; epoch: number; record: string; checkpoint: CheckpointText | null }
  | { type: 'finished'; result: string; predictions: { datagrp: string; labels: string; top5: string } | null }
  /** Other data than the coordinator's: retrying elsewhere would meet the same question, so the job fails at once. */
  | { type: 'refused'; error: string }
  | { type: 'cancelled' }
  | { type: 'failed'; error: string };

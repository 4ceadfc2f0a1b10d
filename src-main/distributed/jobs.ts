/**
 * What travels through BullMQ between a coordinator (the workbench that owns the SQLite store) and
 * `alphanet worker` processes. Two kinds of queue:
 * - `alphanet-runs`: one job per run, taken by any worker; retried (from the newest checkpoint the
 *   coordinator holds) when the worker fails or dies.
 * - `alphanet-results-<coordinator>`: what workers send back (a run started, each epoch's record and
 *   checkpoint, the final result), consumed in order by that coordinator alone, which writes its
 *   store. Messages wait in Redis while the coordinator is down, so nothing is lost across restarts.
 */
import type { RunConfig } from '../../src-shared/config.ts';
import type { RunKind } from '../../src-shared/result.ts';
import type { CheckpointText } from '../engine/checkpoint.ts';

export type { CheckpointText };

export const RUNS_QUEUE = 'alphanet-runs';

export function resultsQueueName(coordinator: string): string {
  return `alphanet-results-${coordinator}`;
}

/** A run's job id: its coordinator, its id there, and how many times it has been queued (a resume queues it anew). */
export function runJobId(coordinator: string, runId: number, generation: number): string {
  return `${coordinator}-${runId}-${generation}`;
}

/** Attempts of a run job: a failure or a worker's death hands it to another worker until this many have failed. */
export const RUN_ATTEMPTS = 3;

export interface RunJobData {
  coordinator: string;
  runId: number;
  kind: RunKind;
  /** The dataset's key; each worker resolves it in its own datasets.toml. */
  dataset: string;
  /** The coordinator's content fingerprint of the dataset: a worker with other data refuses the run. */
  contentFingerprint: string;
  config: RunConfig;
  seed: number;
  nCkpt: number;
  /** The newest checkpoint the coordinator holds: where a retried (or resumed) run continues. */
  checkpoint: CheckpointText | null;
}

/** Live progress (job.updateProgress): lossy by design, the records go through the results queue. */
export type RunJobProgress =
  | { type: 'loading'; stage: string; done: number; total: number }
  | { type: 'batch'; epoch: number; batch: number; nBatches: number; loss: number; etaSeconds: number | null };

/**
 * Worker → coordinator, through the results queue. Records and results are `stringifyExact` text, so
 * NaN (an epoch without val, say) arrives as NaN and the store holds what a local run would.
 */
export type ResultMessage =
  | {
      type: 'started';
      runId: number;
      jobId: string;
      worker: string;
      backend: string;
      /** Class sizes of the val and test datagrps (the store keeps per-class results as exact counts). */
      classTotals: Record<string, number[]>;
    }
  | { type: 'epoch'; runId: number; jobId: string; epoch: number; record: string; checkpoint: CheckpointText | null }
  | {
      type: 'finished';
      runId: number;
      jobId: string;
      result: string;
      /** Test labels and top-5 classes as base64 of their Int32 bytes. */
      predictions: { datagrp: string; labels: string; top5: string } | null;
    };

/** Workers announce themselves (src-shared WorkerInfo) under this prefix; the key expires unless renewed, so a dead worker disappears. */
export const WORKER_KEY_PREFIX = 'alphanet:workers:';
/** A worker renews its announcement this often; it expires after three missed renewals. */
export const ANNOUNCE_MS = 5000;

export function int32ToBase64(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function int32FromBase64(text: string): Int32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * Training threads for the concurrent runs of a sweep. The main thread loads the dataset and moves its
 * pretrained scores and class means into shared memory once (shareScores); every thread gets the
 * dataset without its features plus those shared arrays, so N runs hold one copy of the scores (at
 * ImageNet-LT scale 0.7 GB) instead of N. A thread trains one run at a time with the engine, on one
 * core (no first-layer helper: the other core trains another run), and posts its epochs and outcome;
 * the main thread records them exactly as a sequential run (recordedTrainRun with `train`).
 */
import type { Worker } from 'node:worker_threads';
import type { RunConfig } from '../../src-shared/config.ts';
import type { Datagrp, LoadedDataset } from '../../src-shared/dataset.ts';
import type { PhaseProgress } from '../../src-shared/progress.ts';
import type { EpochRecord } from '../../src-shared/result.ts';
import type { BackendName } from '../engine/backend.ts';
import type { BatchProgress, RunOutcome, TrainOptions } from '../engine/run.ts';
import { adoptScores, shareScores, type CacheRoot, type SharedScores } from '../engine/scores.ts';
import { UserError } from '../errors.ts';
import { startWorker } from '../workers.ts';

/** A dataset as a training thread receives it: everything but the features, and the shared scores. */
export interface SharedDataset {
  ds: Omit<LoadedDataset, 'datagrps'> & { datagrps: Record<string, Omit<Datagrp, 'feats'>> };
  scores: SharedScores;
}

/** What a thread is started with. */
export interface SweepThreadInput {
  shared: SharedDataset;
  backend: BackendName;
}

/** The TrainOptions a thread honours (the rest are callbacks, relayed as messages). */
export type ThreadTrainOptions = Pick<
  TrainOptions,
  'seed' | 'ckptDir' | 'nCkpt' | 'ckptIntervalSeconds' | 'loadFromCkpt' | 'cacheRoot'
>;

export type ToSweepThread = { type: 'train'; config: RunConfig; opts: ThreadTrainOptions };

export type FromSweepThread =
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; rec: EpochRecord }
  | { type: 'phase'; progress: PhaseProgress }
  | { type: 'warning'; message: string }
  | { type: 'done'; outcome: RunOutcome }
  | { type: 'failed'; error: { message: string; name: string; code?: string } };

/**
 * The scores of the datagrps `configs` train, validate and test on (and the train datagrp's class
 * means), computed or read once into shared memory, with the dataset as threads receive it.
 */
export async function shareDataset(
  ds: LoadedDataset,
  configs: readonly RunConfig[],
  cacheRoot: CacheRoot,
  onPhase?: (p: PhaseProgress) => void,
): Promise<SharedDataset> {
  const scores: SharedScores = {};
  for (const trains of new Set(configs.map((c) => c.training.train_datagrp))) {
    const grps = configs
      .filter((c) => c.training.train_datagrp === trains)
      .flatMap(({ training: t }) => [
        t.train_datagrp,
        t.test_datagrp,
        ...(t.val_datagrp === null ? [] : [t.val_datagrp]),
      ]);
    Object.assign(scores, await shareScores(ds, grps, trains, cacheRoot, onPhase));
  }
  const datagrps = Object.fromEntries(
    Object.entries(ds.datagrps).map(([name, g]) => [name, { labels: g.labels, n: g.n, files: g.files }]),
  );
  return { ds: { ...ds, datagrps }, scores };
}

/** The thread's dataset: `shared`'s arrays in place; asking for features is an error naming why. */
export function datasetOf(shared: SharedDataset): LoadedDataset {
  const datagrps: Record<string, Datagrp> = {};
  for (const [name, g] of Object.entries(shared.ds.datagrps)) {
    datagrps[name] = Object.defineProperty({ ...g }, 'feats', {
      get(): never {
        throw new UserError(
          `dataset '${shared.ds.spec.key}': the features of '${name}' are not loaded on a sweep's training thread, which trains from the shared pretrained scores`,
        );
      },
      enumerable: false,
    }) as Datagrp;
  }
  const ds: LoadedDataset = { ...shared.ds, datagrps };
  adoptScores(ds, shared.scores);
  return ds;
}

/** One training thread: `train` has trainRun's signature, so recordedTrainRun records its runs. */
export class SweepThread {
  private readonly worker: Worker;
  private busy = false;
  /** Set once the thread has exited: it trains nothing more. */
  private exitCode: number | null = null;

  constructor(
    private readonly ds: LoadedDataset,
    shared: SharedDataset,
    backend: BackendName,
  ) {
    const input: SweepThreadInput = { shared, backend };
    this.worker = startWorker('sweep-thread', input);
    this.worker.once('exit', (code) => (this.exitCode = code));
  }

  readonly train = (ds: LoadedDataset, config: RunConfig, opts: TrainOptions): Promise<RunOutcome> => {
    if (ds !== this.ds) throw new Error('SweepThread.train: the thread was started for another dataset');
    if (this.busy) throw new Error('SweepThread.train: the thread is already training a run');
    if (this.exitCode !== null) return Promise.reject(new Error(`a sweep's training thread exited (${this.exitCode})`));
    const { seed, ckptDir, nCkpt, ckptIntervalSeconds, loadFromCkpt, cacheRoot } = opts;
    const message: ToSweepThread = {
      type: 'train',
      config,
      opts: { seed, ckptDir, nCkpt, ckptIntervalSeconds, loadFromCkpt, cacheRoot },
    };
    this.busy = true;
    return new Promise<RunOutcome>((resolve, reject) => {
      // A callback that fails (an epoch that cannot be recorded) fails the run once the thread is done
      // with it, as it would fail trainRun on this thread; the thread stays free for the next run.
      let failure: { error: unknown } | null = null;
      const guard = (call: () => void | Promise<void>) => {
        try {
          void Promise.resolve(call()).catch((error: unknown) => (failure ??= { error }));
        } catch (error) {
          failure ??= { error };
        }
      };
      const onExit = (code: number) => finish(() => reject(new Error(`a sweep's training thread exited (${code})`)));
      const onError = (error: Error) => finish(() => reject(error));
      const onMessage = (m: FromSweepThread) => {
        if (m.type === 'batch') guard(() => opts.onBatch?.(m.progress));
        else if (m.type === 'epoch') guard(() => opts.onEpoch?.(m.rec));
        else if (m.type === 'phase') guard(() => opts.onPhase?.(m.progress));
        else if (m.type === 'warning') guard(() => (opts.onWarning ?? console.warn)(m.message));
        else if (failure) finish(() => reject(failure?.error));
        else if (m.type === 'done') finish(() => resolve(m.outcome));
        else finish(() => reject(Object.assign(new Error(m.error.message), m.error)));
      };
      const finish = (settle: () => void) => {
        this.busy = false;
        this.worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        settle();
      };
      this.worker.on('message', onMessage).once('error', onError).once('exit', onExit);
      this.worker.postMessage(message);
    });
  };

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

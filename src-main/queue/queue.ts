/**
 * The run queue: runs wait in the database (status `queued`), so the queue survives a crash; each
 * runs on its own worker thread, at most `concurrency` at once, never on the thread that serves the
 * UI. Progress, epochs and status changes come out as typed events.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { QueueInfo } from '../../src-shared/api.ts';
import type { RunConfig } from '../../src-shared/config.ts';
import type { RunKind } from '../../src-shared/result.ts';
import type { BackendName } from '../engine/backend.ts';
import { isDiskError } from '../errors.ts';
import { openDb, type Db } from '../store/db.ts';
import { DATASET_CONFIG_KEY, type RunBatchProgress } from '../runs/record-run.ts';
import type { RunStatus } from '../../src-shared/api.ts';
import { RunStore, type NewRun } from '../store/run-store.ts';
import type { FromWorker, WorkerInput } from './messages.ts';
import { raiseCancelFlag } from './cancel-flag.ts';
import { startWorker } from '../workers.ts';

export interface QueueEvents {
  progress: [progress: RunBatchProgress];
  epoch: [event: { runId: number; epoch: number }];
  loading: [event: { runId: number; stage: string; done: number; total: number }];
  status: [event: { runId: number; status: RunStatus; error?: string }];
  /** Nothing running and nothing queued. */
  idle: [];
}

export interface QueueOptions {
  dbFile: string;
  /** Runs at once (default 1: training already uses every core it can). */
  concurrency?: number;
  /** Default: `checkpoints/` beside the database. */
  ckptRoot?: string;
  /** Where relative dataset paths resolve (default: process.cwd()). */
  cwd?: string;
  backend?: BackendName;
  nCkpt?: number;
}

export interface Job {
  kind?: RunKind;
  config: RunConfig;
  seed: number;
  experiment?: string;
  /** The datasets TOML that defines `config.dataset` (default: the usual lookup from `cwd`). */
  datasetConfig?: string;
}

/** The store's row of a job queued on any queue (status `queued`). */
export function queuedRun(job: Job, backend: string | null): NewRun {
  return {
    kind: job.kind ?? 'train',
    config: job.config,
    seed: job.kind === 'baseline' ? null : job.seed,
    experiment: job.experiment,
    backend,
    extra: job.datasetConfig ? { [DATASET_CONFIG_KEY]: path.resolve(job.datasetConfig) } : null,
  };
}

/**
 * What the API and the CLI use of a run queue: this machine's (RunQueue) or the distributed one
 * (distributed/coordinator.ts), with the same events.
 */
export interface RunQueueApi extends EventEmitter<QueueEvents> {
  readonly store: RunStore;
  start(): void;
  setConcurrency(n: number): void;
  enqueue(job: Job): number;
  resume(runId: number): void;
  cancel(runId: number): void;
  active(): number[];
  whenIdle(): Promise<void>;
  /** Where runs train: this machine, or distributed workers (listed live). */
  info(): Promise<Omit<QueueInfo, 'setting'>>;
  close(): Promise<void>;
}

/**
 * How often a started queue looks again for runs whose owner process died (a CLI run killed while
 * the app serves): they become `interrupted` and the UI hears of it, instead of showing them
 * `running` until another process opens the database.
 */
export const ORPHAN_CHECK_MS = 15_000;

/** How long a cancelled worker may take to stop at a batch boundary before it is terminated. */
const CANCEL_GRACE_MS = 30_000;

export class RunQueue extends EventEmitter<QueueEvents> implements RunQueueApi {
  readonly store: RunStore;
  private readonly db: Db;
  private readonly workers = new Map<number, { worker: Worker; cancelFlag: Int32Array }>();
  private concurrency: number;
  private started = false;
  private closed = false;
  private orphanTimer: NodeJS.Timeout | null = null;

  /**
   * Opens the queue's database and runs start-up recovery: runs left `running` by a dead process
   * become `interrupted`. Call `start()` to begin working through the queued runs.
   */
  constructor(private readonly opts: QueueOptions) {
    super();
    this.db = openDb(opts.dbFile);
    this.store = new RunStore(this.db, opts.ckptRoot);
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.store.recoverInterrupted();
  }

  /** Starts working: runs queued now (also those queued before a crash) and later. */
  start(): void {
    this.started = true;
    this.orphanTimer ??= setInterval(() => this.recheckOrphans(), ORPHAN_CHECK_MS).unref();
    this.pump();
  }

  /** Marks runs of dead processes `interrupted` and announces them; returns their ids. */
  recheckOrphans(): number[] {
    if (this.closed) return [];
    let marked: number[];
    try {
      marked = this.store.recoverInterrupted();
    } catch {
      // A full or read-only disk: the next check tries again; nothing is lost meanwhile.
      return [];
    }
    for (const runId of marked) this.emit('status', { runId, status: 'interrupted' });
    return marked;
  }

  setConcurrency(n: number): void {
    this.concurrency = Math.max(1, Math.floor(n));
    this.pump();
  }

  /** Queues a new run; returns its id. */
  enqueue(job: Job): number {
    const runId = this.store.createRun(queuedRun(job, this.opts.backend ?? null));
    this.emit('status', { runId, status: 'queued' });
    this.pump();
    return runId;
  }

  /** Queues an interrupted or cancelled run again; it continues from its newest checkpoint. */
  resume(runId: number): void {
    this.store.requeue(runId);
    this.emit('status', { runId, status: 'queued' });
    this.pump();
  }

  /** Stops a running run at the next batch (it becomes `cancelled`, checkpoints kept) or drops a queued one. */
  cancel(runId: number): void {
    const entry = this.workers.get(runId);
    if (entry) {
      raiseCancelFlag(entry.cancelFlag);
      // A worker that does not reach a batch boundary in time (e.g. still loading data) is stopped the hard way.
      setTimeout(() => {
        if (this.workers.get(runId) === entry) void entry.worker.terminate();
      }, CANCEL_GRACE_MS).unref();
      return;
    }
    if (this.store.getRun(runId)?.status === 'queued') {
      this.store.cancelRun(runId);
      this.emit('status', { runId, status: 'cancelled' });
    }
  }

  /** Ids of the runs executing now. */
  active(): number[] {
    return [...this.workers.keys()];
  }

  /** Resolves when nothing is running or queued. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.once('idle', resolve));
  }

  async info(): Promise<Omit<QueueInfo, 'setting'>> {
    return { mode: 'local', redis: null, workers: [] };
  }

  /** Stops every worker (their runs become `interrupted`, resumable) and closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.orphanTimer) clearInterval(this.orphanTimer);
    const running = [...this.workers.entries()];
    this.workers.clear();
    await Promise.all(running.map(([, entry]) => entry.worker.terminate()));
    for (const [runId] of running) this.markGone(runId, 'interrupted', 'the workbench closed while it ran');
    this.db.close();
  }

  private isIdle(): boolean {
    return this.workers.size === 0 && this.store.listRuns({ status: 'queued', distributed: false }).length === 0;
  }

  private pump(): void {
    if (this.closed || !this.started) return;
    if (this.workers.size < this.concurrency) {
      for (const run of this.store.listRuns({ status: 'queued', distributed: false })) {
        if (this.workers.size >= this.concurrency) break;
        if (!this.workers.has(run.id)) this.launch(run.id);
      }
    }
    if (this.isIdle()) this.emit('idle');
  }

  private launch(runId: number): void {
    const input: WorkerInput = {
      dbFile: path.resolve(this.opts.dbFile),
      ckptRoot: this.store.ckptRoot,
      runId,
      cwd: this.opts.cwd ?? process.cwd(),
      backend: this.opts.backend,
      nCkpt: this.opts.nCkpt,
      cancelFlag: new SharedArrayBuffer(4),
    };
    const worker = startWorker('queue-worker', input);
    const entry = { worker, cancelFlag: new Int32Array(input.cancelFlag) };
    this.workers.set(runId, entry);
    let reported = false;
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'progress':
          this.emit('progress', message.progress);
          break;
        case 'epoch':
          this.emit('epoch', { runId, epoch: message.epoch });
          break;
        case 'loading':
          this.emit('loading', { runId, stage: message.stage, done: message.done, total: message.total });
          break;
        case 'done':
          reported = true;
          this.emit('status', { runId, status: 'done' });
          break;
        case 'cancelled':
          reported = true;
          this.emit('status', { runId, status: 'cancelled' });
          break;
        case 'failed':
        case 'interrupted':
          reported = true;
          this.emit('status', { runId, status: message.type, error: message.error });
          break;
      }
    });
    this.emit('status', { runId, status: 'running' });
    worker.on('error', (error) => {
      if (this.workers.get(runId) !== entry) return;
      reported = true;
      this.markGone(runId, 'failed', `the run's worker crashed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.workers.get(runId) !== entry) return;
      this.workers.delete(runId);
      // A worker that died without a word (terminated after a cancel, out of memory) leaves its run
      // in a state that must not look alive.
      if (!reported)
        this.markGone(runId, code === 1 ? 'cancelled' : 'failed', `the run's worker exited with code ${code}`);
      this.pump();
    });
  }

  private markGone(runId: number, status: 'failed' | 'cancelled' | 'interrupted', error: string): void {
    const run = this.store.getRun(runId);
    if (!run || (run.status !== 'running' && run.status !== 'queued')) return;
    try {
      if (status === 'cancelled') this.store.cancelRun(runId);
      else if (status === 'failed') this.store.failRun(runId, error);
      else this.store.markInterrupted(runId, error);
    } catch (writeError) {
      // A full or read-only disk: the run keeps its dead owner, and the orphan check marks it
      // interrupted once the database can be written; serving goes on.
      if (!isDiskError(writeError)) throw writeError;
      status = 'interrupted';
    }
    this.emit('status', { runId, status, error });
  }
}

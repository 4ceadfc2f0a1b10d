/**
 * The distributed run queue: the coordinator side. Runs wait in the coordinator's database as in the
 * local queue, and travel to `alphanet worker` processes as BullMQ jobs; what the workers send back
 * (through this coordinator's results queue) is written to the store exactly as a local run writes
 * it, by this process alone. Every write is idempotent, so a message delivered twice (a worker that
 * died after sending, a coordinator restarted mid-message) records nothing twice.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue, QueueEvents, QueueEventsProducer, Worker } from 'bullmq';
import type { QueueInfo, WorkerInfo } from '../../src-shared/api.ts';
import type { EpochRecord, RunResult } from '../../src-shared/result.ts';
import { resolveDataset } from '../data/config.ts';
import { datasetIdentity, type DatasetIdentity } from '../data/dataset.ts';
import { latestCheckpointText, parseExact, writeCheckpointText } from '../engine/checkpoint.ts';
import {
  queuedRun,
  type Job as QueuedJob,
  type QueueEvents as RunQueueEvents,
  type QueueOptions,
  type RunQueueApi,
} from '../queue/queue.ts';
import { openDb, type Db } from '../store/db.ts';
import { datasetConfigOf, recordDataset } from '../runs/record-run.ts';
import { epochLine, logStart, resultLine } from '../runs/run-log.ts';
import { RunStore, type RunRow } from '../store/run-store.ts';
import { RunEventLogger } from '../tb/run-logger.ts';
import {
  int32FromBase64,
  resultsQueueName,
  RUN_ATTEMPTS,
  runJobId,
  RUNS_QUEUE,
  WORKER_KEY_PREFIX,
  type ResultMessage,
  type RunJobData,
  type RunJobProgress,
} from './jobs.ts';
import { quietErrors, redactRedisUrl, RedisConnections } from './redis.ts';
import { CANCEL_EVENT } from './worker.ts';

export interface DistributedQueueOptions extends QueueOptions {
  redisUrl: string;
  /** How often the queue's state in Redis is compared with the store (missed events, lost jobs). */
  reconcileMs?: number;
  log?(line: string): void;
}

/** A coordinator's name on the queues: its host and database, so two workbenches can share one Redis. */
export function coordinatorId(dbFile: string): string {
  return createHash('sha256')
    .update(`${os.hostname()}\0${path.resolve(dbFile)}`)
    .digest('hex')
    .slice(0, 16);
}

const ACTIVE_STATUSES = ['queued', 'running'] as const;
/** How long a dataset's facts (fingerprints, splits) are reused for the runs of one launch or sweep. */
const FACTS_TTL_MS = 10_000;

export class DistributedRunQueue extends EventEmitter<RunQueueEvents> implements RunQueueApi {
  readonly store: RunStore;
  readonly coordinator: string;
  readonly redis: string;
  private readonly db: Db;
  private readonly connections: RedisConnections;
  private readonly connection;
  private readonly runs: Queue<RunJobData>;
  private readonly producer: QueueEventsProducer;
  private results: Worker<ResultMessage> | null = null;
  private events: QueueEvents | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly facts = new Map<string, { at: number; facts: Promise<DatasetIdentity> }>();
  /** Submissions in flight, so a reconcile pass does not add the same job twice. */
  private readonly submitting = new Map<number, Promise<void>>();
  private readonly log: (line: string) => void;
  /** TensorBoard event files of runs that asked for them (`tb_logs`), written here as a local run writes them. */
  private readonly tbLoggers = new Map<number, RunEventLogger>();
  private closed = false;

  constructor(private readonly opts: DistributedQueueOptions) {
    super();
    this.db = openDb(opts.dbFile);
    this.store = new RunStore(this.db, opts.ckptRoot);
    // Runs of this machine's queue left by a dead process; distributed runs belong to their workers.
    this.store.recoverInterrupted();
    this.coordinator = coordinatorId(opts.dbFile);
    this.redis = redactRedisUrl(opts.redisUrl);
    this.log = opts.log ?? (() => {});
    this.connections = new RedisConnections(opts.redisUrl, quietErrors(this.log));
    this.connection = this.connections.connect();
    this.runs = new Queue<RunJobData>(RUNS_QUEUE, { connection: this.connection });
    this.producer = new QueueEventsProducer(RUNS_QUEUE, { connection: this.connection });
    this.runs.on('error', quietErrors(this.log));
  }

  /** Starts taking the workers' results (also those that arrived while no coordinator ran) and submitting runs. */
  start(): void {
    if (this.results || this.closed) return;
    this.results = new Worker<ResultMessage>(resultsQueueName(this.coordinator), (job) => this.record(job.data), {
      connection: this.connections.connect(),
      // One at a time: results are written in the order the workers sent them.
      concurrency: 1,
    });
    this.results.on('error', quietErrors(this.log));
    this.events = new QueueEvents(RUNS_QUEUE, { connection: this.connections.connect() });
    this.events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data as RunJobProgress));
    this.events.on('failed', ({ jobId }) => void this.checkJob(jobId));
    this.events.on('error', quietErrors(this.log));
    this.timer = setInterval(() => void this.reconcile(), this.opts.reconcileMs ?? 5000);
    void this.reconcile();
  }

  setConcurrency(): void {
    // Workers choose their own concurrency (`alphanet worker --concurrency N`).
  }

  enqueue(job: QueuedJob): number {
    const runId = this.store.createRun(queuedRun(job, null));
    this.store.setJob(runId, runJobId(this.coordinator, runId, 1));
    this.notify('status', { runId, status: 'queued' });
    this.submit(runId);
    return runId;
  }

  /** Queues an interrupted or cancelled run again, as a new job that starts from its newest checkpoint. */
  resume(runId: number): void {
    const run = this.store.requeue(runId);
    this.store.setJob(runId, runJobId(this.coordinator, runId, generationOf(run.jobId) + 1));
    this.notify('status', { runId, status: 'queued' });
    this.submit(runId);
  }

  /** Drops a waiting run's job; a training one is told to stop at its next batch. Checkpoints stay (resumable). */
  cancel(runId: number): void {
    const run = this.store.getRun(runId);
    if (!run || !isActive(run) || run.jobId === null) return;
    const jobId = run.jobId;
    this.store.cancelRun(runId);
    this.notify('status', { runId, status: 'cancelled' });
    this.maybeIdle();
    void (async () => {
      const state = await this.runs.getJobState(jobId);
      if (state === 'active') await this.producer.publishEvent({ eventName: CANCEL_EVENT, jobId });
      else await this.runs.remove(jobId);
    })().catch((error: Error) => this.log(`run ${runId}: cancel: ${error.message}`));
  }

  /** Runs training on some worker now. */
  active(): number[] {
    return this.store.listRuns({ status: 'running', distributed: true }).map((r) => r.id);
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.once('idle', resolve));
  }

  async info(): Promise<Omit<QueueInfo, 'setting'>> {
    return { mode: 'distributed', redis: this.redis, workers: await this.workers() };
  }

  /** Live workers, as they announce themselves. */
  async workers(): Promise<WorkerInfo[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.connection.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.connection.mget(keys);
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as WorkerInfo)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Stops coordinating; the runs stay with the workers and their results wait in Redis for the next
   * start (nothing becomes interrupted: a coordinator restart loses nothing).
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled(this.submitting.values());
    await this.results?.close();
    for (const tb of this.tbLoggers.values()) tb.close();
    await this.events?.close();
    await this.producer.close();
    await this.runs.close();
    await this.connections.close();
    this.db.close();
  }

  /** Emits to the listeners; one that throws must not fail the recording of a worker's result. */
  private notify<E extends keyof RunQueueEvents>(event: E, ...args: RunQueueEvents[E]): void {
    try {
      // Node's typing cannot follow a generic event name to its arguments.
      (this.emit as (event: E, ...args: RunQueueEvents[E]) => boolean)(event, ...args);
    } catch (error) {
      this.log(`a listener of '${String(event)}' failed: ${(error as Error).message}`);
    }
  }

  private isIdle(): boolean {
    return this.store.listRuns({ status: [...ACTIVE_STATUSES], distributed: true }).length === 0;
  }

  private maybeIdle(): void {
    if (this.isIdle()) this.notify('idle');
  }

  private factsOf(run: RunRow): Promise<DatasetIdentity> {
    const configFile = datasetConfigOf(run) ?? undefined;
    const key = `${run.dataset}\0${configFile ?? ''}`;
    const cached = this.facts.get(key);
    if (cached && Date.now() - cached.at < FACTS_TTL_MS) return cached.facts;
    const facts = datasetIdentity(resolveDataset(run.dataset, configFile, this.opts.cwd ?? process.cwd()));
    this.facts.set(key, { at: Date.now(), facts });
    facts.catch(() => this.facts.delete(key));
    return facts;
  }

  /** Adds the run's job (a no-op when Redis has it already: job ids are the run's). */
  private submit(runId: number): void {
    if (this.submitting.has(runId)) return;
    const work = (async () => {
      const run = this.store.requireRun(runId);
      if (run.status !== 'queued' || run.jobId === null) return;
      let facts: DatasetIdentity;
      try {
        facts = await this.factsOf(run);
      } catch (error) {
        this.fail(runId, `the coordinator cannot read dataset '${run.dataset}': ${(error as Error).message}`);
        return;
      }
      recordDataset(this.store, facts);
      const data: RunJobData = {
        coordinator: this.coordinator,
        runId,
        kind: run.kind,
        dataset: run.dataset,
        contentFingerprint: facts.contentFingerprint,
        config: run.config,
        seed: run.seed ?? 0,
        nCkpt: this.opts.nCkpt ?? 2,
        checkpoint: run.ckptDir ? latestCheckpointText(run.ckptDir) : null,
      };
      await this.runs.add('run', data, {
        jobId: run.jobId,
        attempts: RUN_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        // Kept a while: a completed job tells reconcile() that the run's result is on its way.
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    })()
      .catch((error: Error) => this.log(`run ${runId}: not queued yet (${error.message}); retrying`))
      .finally(() => this.submitting.delete(runId));
    this.submitting.set(runId, work);
  }

  private fail(runId: number, error: string): void {
    this.store.failRun(runId, error);
    this.notify('status', { runId, status: 'failed', error });
    this.maybeIdle();
  }

  /** The run a message is about, if it is still this job's and not settled. */
  private current(runId: number, jobId: string): RunRow | null {
    const run = this.store.getRun(runId);
    return run && run.jobId === jobId && isActive(run) ? run : null;
  }

  private async record(message: ResultMessage): Promise<void> {
    const run = this.current(message.runId, message.jobId);
    if (!run) return;
    const runId = run.id;
    switch (message.type) {
      case 'started':
        for (const [datagrp, totals] of Object.entries(message.classTotals))
          this.store.setClassTotals(runId, datagrp, totals);
        this.store.markRunningOn(runId, message.worker, message.backend);
        // The dataset as the coordinator read it when it sent the run (the worker checked its contents match).
        logStart(this.store, runId, {
          where: `worker ${message.worker} (backend ${message.backend})`,
          datasetKey: run.dataset,
          fingerprint: this.store.getDataset(run.dataset)?.fingerprint ?? null,
        });
        this.notify('status', { runId, status: 'running' });
        return;
      case 'epoch': {
        const rec = parseExact<EpochRecord>(message.record);
        // A repeat (a retried worker redoing epochs) replaces the store's rows with identical ones; TensorBoard appends, so it is skipped there.
        const tb = rec.epoch > run.epochsDone ? this.tbOf(run) : null;
        this.store.recordEpoch(runId, rec);
        this.store.appendLog(runId, 'info', epochLine(rec, run.config.training.train_epochs));
        tb?.epoch(rec);
        if (message.checkpoint && run.ckptDir) {
          writeCheckpointText(run.ckptDir, message.checkpoint, this.opts.nCkpt ?? 2);
          // A retried job continues from here, wherever it runs next.
          const job = await Job.fromId<RunJobData>(this.runs, message.jobId);
          if (job && (job.data.checkpoint?.epoch ?? 0) < message.epoch)
            await job.updateData({ ...job.data, checkpoint: message.checkpoint });
        }
        this.notify('epoch', { runId, epoch: message.epoch });
        return;
      }
      case 'finished': {
        const p = message.predictions;
        const result = parseExact<RunResult>(message.result);
        this.store.finishRun(runId, {
          result,
          predictions: p && { datagrp: p.datagrp, labels: int32FromBase64(p.labels), top5: int32FromBase64(p.top5) },
        });
        this.store.appendLog(runId, 'info', resultLine(result));
        // As for a local run: the selected network is in the store, the checkpoints are not needed.
        this.store.dropCheckpoints(runId);
        const tb = this.tbOf(run);
        tb?.test(result.test, result.best_epoch ?? run.config.training.train_epochs);
        tb?.close();
        this.tbLoggers.delete(runId);
        this.notify('status', { runId, status: 'done' });
        this.maybeIdle();
        return;
      }
    }
  }

  private tbOf(run: RunRow): RunEventLogger | null {
    const dir = run.config.training.tb_logs;
    if (dir === null) return null;
    let tb = this.tbLoggers.get(run.id);
    if (!tb) this.tbLoggers.set(run.id, (tb = new RunEventLogger(dir, this.store.iterationsRecorded(run.id))));
    return tb;
  }

  private runOfJob(jobId: string): number | null {
    const prefix = `${this.coordinator}-`;
    if (!jobId.startsWith(prefix)) return null;
    const runId = Number(jobId.slice(prefix.length).split('-')[0]);
    return Number.isInteger(runId) ? runId : null;
  }

  private onProgress(jobId: string, data: RunJobProgress): void {
    const runId = this.runOfJob(jobId);
    if (runId === null || typeof data !== 'object' || data === null) return;
    if (data.type === 'loading')
      this.notify('loading', { runId, stage: data.stage, done: data.done, total: data.total });
    else
      this.notify('progress', {
        runId,
        epoch: data.epoch,
        batch: data.batch,
        nBatches: data.nBatches,
        loss: data.loss,
        etaSeconds: data.etaSeconds,
      });
  }

  /** A job that failed for good fails its run, with the last error. */
  private async checkJob(jobId: string): Promise<void> {
    const runId = this.runOfJob(jobId);
    if (runId === null) return;
    const run = this.current(runId, jobId);
    if (!run) return;
    const job = await Job.fromId<RunJobData>(this.runs, jobId);
    if (job && (await job.getState()) === 'failed') this.fail(runId, job.failedReason || 'failed on the workers');
  }

  /** Compares the store's unsettled runs with Redis: submits jobs Redis lost, fails runs whose job failed. */
  private async reconcile(): Promise<void> {
    if (this.closed) return;
    try {
      for (const run of this.store.listRuns({ status: [...ACTIVE_STATUSES], distributed: true })) {
        if (run.jobId === null) continue;
        const state = await this.runs.getJobState(run.jobId);
        if (state === 'failed') await this.checkJob(run.jobId);
        else if (state === 'unknown' && run.status === 'queued') this.submit(run.id);
        else if (state === 'unknown' && run.status === 'running') {
          // Redis lost the job of a training run (restarted without persistence): queue it again from its checkpoint.
          this.store.markInterrupted(run.id, 'its job disappeared from Redis');
          this.resume(run.id);
        }
      }
      this.maybeIdle();
    } catch (error) {
      this.log(`redis: ${(error as Error).message}`);
    }
  }
}

function isActive(run: RunRow): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(run.status);
}

function generationOf(jobId: string | null): number {
  const n = jobId === null ? 0 : Number(jobId.split('-').pop());
  return Number.isInteger(n) ? n : 0;
}

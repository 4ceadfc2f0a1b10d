/**
 * `alphanet worker`: takes runs from the BullMQ queue, trains each on a worker thread with this
 * machine's data and caches, and sends progress, every epoch's record and checkpoint, and the result
 * back to the run's coordinator. It never writes a database: the coordinator is the one writer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker as Thread } from 'node:worker_threads';
import {
  Queue,
  QueueEvents,
  UnrecoverableError,
  WaitingError,
  Worker,
  type Job,
  type QueueEventsListener,
} from 'bullmq';
import type { WorkerInfo } from '../../src-shared/api.ts';
import { readDatasetsToml, defaultConfigFiles } from '../data/config.ts';
import { initBackend, type BackendName } from '../engine/backend.ts';
import {
  ANNOUNCE_MS,
  resultsQueueName,
  RUNS_QUEUE,
  WORKER_KEY_PREFIX,
  type ResultMessage,
  type RunJobData,
  type RunJobProgress,
} from './jobs.ts';
import { quietErrors, RedisConnections } from './redis.ts';
import type { FromTrainThread, TrainThreadInput } from './thread-messages.ts';
import { raiseCancelFlag } from '../queue/cancel-flag.ts';
import { startWorker } from '../workers.ts';

export interface DistributedWorkerOptions {
  redisUrl: string;
  /** Shown in the coordinator's Runs and Workers views (default: host-pid). */
  name?: string;
  /** Runs trained at once. */
  concurrency?: number;
  /** This worker's datasets.toml (default: the usual lookup from cwd). */
  configFile?: string;
  cwd?: string;
  /** Converted features, scores and neighbours (default: the app's cache folder). */
  cacheRoot?: string;
  /** Where runs keep their checkpoints while they train here. */
  workDir: string;
  backend?: BackendName;
  /** How long a job's lock lasts without renewal: a worker silent for longer is taken for dead. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died. */
  stalledIntervalMs?: number;
  log?(line: string): void;
}

export interface DistributedWorker {
  name: string;
  /**
   * Stops taking runs; runs training here are stopped and handed back to the queue at once (another
   * worker continues them from the coordinator's newest checkpoint).
   */
  close(): Promise<void>;
}

/** Batch progress updates per run per second at most (each is a Redis write and an event). */
const PROGRESS_INTERVAL_MS = 250;
/** The custom BullMQ event with which a coordinator cancels a run that is training. */
export const CANCEL_EVENT = 'alphanet-cancel';

interface CancelListener extends QueueEventsListener {
  [CANCEL_EVENT]: (args: { jobId: string }) => void;
}

function datasetKeys(configFile: string | undefined, cwd: string): string[] {
  const files = configFile !== undefined ? [configFile] : defaultConfigFiles(cwd).filter((f) => fs.existsSync(f));
  const keys = new Set(['demo']);
  for (const file of files) {
    try {
      for (const spec of readDatasetsToml(file, cwd).specs) keys.add(spec.key);
    } catch {
      // An unreadable config is reported by the run that needs it, with the file named.
    }
  }
  return [...keys].sort();
}

export async function startDistributedWorker(opts: DistributedWorkerOptions): Promise<DistributedWorker> {
  const name = opts.name ?? `${os.hostname()}-${process.pid}`;
  // What the training threads will pick (they start the same backend), to announce it.
  const backend = await initBackend(opts.backend);
  const cwd = opts.cwd ?? process.cwd();
  const log = opts.log ?? (() => {});
  const connections = new RedisConnections(opts.redisUrl, quietErrors(log));
  const connection = connections.connect();
  const resultQueues = new Map<string, Queue>();
  const resultsOf = (coordinator: string): Queue => {
    let queue = resultQueues.get(coordinator);
    if (!queue) resultQueues.set(coordinator, (queue = new Queue(resultsQueueName(coordinator), { connection })));
    return queue;
  };
  /** Threads of the runs training here, by job id. */
  const threads = new Map<string, { thread: Thread; cancelFlag: Int32Array; runId: number }>();
  let closing = false;

  const processor = async (job: Job<RunJobData>, token?: string): Promise<void> => {
    const data = job.data;
    const jobId = job.id ?? '';
    const results = resultsOf(data.coordinator);
    // Results go out one after another, so the coordinator records them in the order they happened.
    let sending: Promise<unknown> = Promise.resolve();
    const send = (message: ResultMessage, id: string) => {
      sending = sending.then(() =>
        results.add(message.type, message, { jobId: id, removeOnComplete: true, removeOnFail: 100 }),
      );
    };
    const ckptDir = path.join(opts.workDir, 'runs', jobId);
    fs.rmSync(ckptDir, { recursive: true, force: true });
    const input: TrainThreadInput = {
      job: data,
      configFile: opts.configFile,
      cwd,
      cacheRoot: opts.cacheRoot,
      ckptDir,
      backend,
      cancelFlag: new SharedArrayBuffer(4),
    };
    const thread = startWorker('train-thread', input);
    const entry = { thread, cancelFlag: new Int32Array(input.cancelFlag), runId: data.runId };
    threads.set(jobId, entry);
    log(
      `run ${data.runId} (${data.dataset}, seed ${data.seed}${data.checkpoint ? `, from epoch ${data.checkpoint.epoch}` : ''}): started`,
    );
    let lastProgress = 0;
    try {
      const outcome = await new Promise<FromTrainThread>((resolve, reject) => {
        thread.on('message', (message: FromTrainThread) => {
          switch (message.type) {
            case 'progress': {
              const now = Date.now();
              if (message.progress.type === 'batch' && now - lastProgress < PROGRESS_INTERVAL_MS) return;
              lastProgress = now;
              job.updateProgress(message.progress satisfies RunJobProgress).catch(() => {});
              return;
            }
            case 'started':
              send(
                {
                  type: 'started',
                  runId: data.runId,
                  jobId,
                  worker: name,
                  backend: message.backend,
                  classTotals: message.classTotals,
                },
                `${jobId}-started-${job.attemptsStarted}`,
              );
              return;
            case 'epoch':
              send(
                {
                  type: 'epoch',
                  runId: data.runId,
                  jobId,
                  epoch: message.epoch,
                  record: message.record,
                  checkpoint: message.checkpoint,
                },
                `${jobId}-epoch-${message.epoch}`,
              );
              return;
            case 'finished':
              send(
                {
                  type: 'finished',
                  runId: data.runId,
                  jobId,
                  result: message.result,
                  predictions: message.predictions,
                },
                `${jobId}-finished`,
              );
              resolve(message);
              return;
            default:
              resolve(message);
          }
        });
        thread.on('error', reject);
        thread.on('exit', (code) => reject(new Error(`the training thread exited (code ${code}) without a result`)));
      });
      await sending;
      switch (outcome.type) {
        case 'finished':
          log(`run ${data.runId}: done`);
          return;
        case 'refused':
          throw new UnrecoverableError(`worker ${name}: ${outcome.error}`);
        case 'cancelled':
          if (closing && token !== undefined) {
            // Handed back, not failed: another worker continues from the newest checkpoint.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          throw new UnrecoverableError('cancelled');
        case 'failed':
          throw new Error(`worker ${name}: ${outcome.error}`);
      }
    } catch (error) {
      await sending.catch(() => {});
      if (!(error instanceof WaitingError)) log(`run ${data.runId}: ${(error as Error).message}`);
      throw error;
    } finally {
      threads.delete(jobId);
      await thread.terminate();
      fs.rmSync(ckptDir, { recursive: true, force: true });
    }
  };

  const worker = new Worker<RunJobData>(RUNS_QUEUE, processor, {
    connection,
    concurrency: Math.max(1, opts.concurrency ?? 1),
    name,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    // A run whose worker dies is handed on; after a few deaths in a row it is failed.
    maxStalledCount: 2,
  });
  worker.on('error', quietErrors(log));

  const cancel = (jobId: string) => {
    const entry = threads.get(jobId);
    if (entry) raiseCancelFlag(entry.cancelFlag);
  };
  const events = new QueueEvents(RUNS_QUEUE, { connection: connections.connect() });
  events.on<CancelListener>(CANCEL_EVENT, (args: { jobId: string }) => cancel(args.jobId));

  const announcement = (): WorkerInfo => ({
    name,
    host: os.hostname(),
    pid: process.pid,
    backend,
    cores: os.availableParallelism(),
    concurrency: Math.max(1, opts.concurrency ?? 1),
    datasets: datasetKeys(opts.configFile, cwd),
    active: [...threads.values()].map((t) => t.runId),
    startedAt,
  });
  const startedAt = Date.now();
  const announce = () =>
    connection
      .set(`${WORKER_KEY_PREFIX}${name}`, JSON.stringify(announcement()), 'PX', 3 * ANNOUNCE_MS)
      .catch(() => {});
  await announce();
  const timer = setInterval(announce, ANNOUNCE_MS);

  return {
    name,
    async close() {
      closing = true;
      clearInterval(timer);
      for (const jobId of threads.keys()) cancel(jobId);
      await worker.close();
      await connection.del(`${WORKER_KEY_PREFIX}${name}`).catch(() => {});
      await events.close();
      await Promise.all([...resultQueues.values()].map((q) => q.close()));
      await connections.close();
    },
  };
}

/**
 * Distributed runs against a real redis-server and real `alphanet worker` processes: every run is
 * recorded exactly once and ends bit-identical to the same seed trained locally, whatever dies.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { demoConfigFile, resolveDataset } from '../data/config.ts';
import { loadDataset } from '../data/dataset.ts';
import { trainRun } from '../engine/run.ts';
import { makeTlsFiles, redisAvailable, startRedis, type RedisServer } from '../../test/support/redis-server.ts';
import { startWorkerProcess, type WorkerProcess } from '../../test/support/workers.ts';
import { main } from '../cli/main.ts';
import { openDb } from '../store/db.ts';
import { RunStore } from '../store/run-store.ts';
import { Queue } from 'bullmq';
import { DistributedRunQueue } from './coordinator.ts';
import { RUNS_QUEUE } from './jobs.ts';
import { RedisConnections } from './redis.ts';
import { startDistributedWorker, type DistributedWorker } from './worker.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const LOCK_MS = 2000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `alphanet-${prefix}-`));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function workerProcess(redis: RedisServer, name: string): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(redis.url, name, ['--lock-ms', String(LOCK_MS)]);
  cleanups.push(worker.stop);
  return worker;
}

/** A copy of the demo dataset in its own folder (another machine's copy), optionally changed. */
function demoCopy(key: string, change?: (dir: string) => void): string {
  const dir = tmpDir(`data-${key}`);
  fs.cpSync(path.dirname(demoConfigFile()), dir, { recursive: true });
  const toml = path.join(dir, 'datasets.toml');
  fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace('[demo]', `[${key}]`));
  change?.(dir);
  return toml;
}

function coordinator(redis: RedisServer, dbFile: string): DistributedRunQueue {
  const queue = new DistributedRunQueue({ dbFile, redisUrl: redis.url, reconcileMs: 500 });
  queue.start();
  return queue;
}

async function inProcessWorker(redis: RedisServer, name: string, configFile?: string): Promise<DistributedWorker> {
  const worker = await startDistributedWorker({
    redisUrl: redis.url,
    name,
    configFile,
    workDir: tmpDir(name),
    cacheRoot: tmpDir(`${name}-cache`),
    lockDurationMs: LOCK_MS,
    stalledIntervalMs: LOCK_MS,
  });
  cleanups.push(() => worker.close());
  return worker;
}

function config(epochs: number, extra: (c: RunConfig) => void = () => {}): RunConfig {
  const c = defaultRunConfig('demo');
  c.training.train_epochs = epochs;
  c.training.min_epochs = Math.min(5, epochs);
  extra(c);
  return c;
}

let demo: LoadedDataset;
/** What the same config and seed give when trained here, in this process. */
async function local(c: RunConfig, seed: number) {
  return (await trainRun(demo, c, { seed, cacheRoot: null })).result;
}

/** The run in the store is done, recorded once, and identical to a local run of the same seed. */
async function expectIdenticalToLocal(
  queue: DistributedRunQueue,
  runId: number,
  c: RunConfig,
  seed: number,
): Promise<void> {
  const run = queue.store.requireRun(runId);
  expect(run.status, run.error ?? '').toBe('done');
  const mine = queue.store.exportRun(runId);
  const ref = await local(c, seed);
  expect(mine.epochs.map((e) => e.epoch)).toEqual(ref.epochs.map((e) => e.epoch));
  expect(mine.epochs.map((e) => e.mean_loss)).toEqual(ref.epochs.map((e) => e.mean_loss));
  expect(mine.best_epoch).toBe(ref.best_epoch);
  expect(mine.test.per_split).toEqual(ref.test.per_split);
  expect(queue.store.getNetwork(runId)?.params).toEqual(ref.network?.params);
}

const enabled = redisAvailable();

describe.skipIf(!enabled)('distributed runs on BullMQ', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    demo = await loadDataset(resolveDataset('demo'), { cacheDir: null });
    redis = await startRedis({ persist: true, password: 's3cret pass' });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('8 runs on 3 worker processes: each recorded once, identical to the same seeds run locally', async () => {
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => workerProcess(redis, name)));
    const c = config(6);
    const ids = Array.from({ length: 8 }, (_, i) => queue.enqueue({ config: c, seed: 100 + i, experiment: 'spread' }));
    await queue.whenIdle();
    for (const [i, id] of ids.entries()) await expectIdenticalToLocal(queue, id, c, 100 + i);
    const runs = queue.store.listRuns({ experiment: 'spread' });
    expect(runs).toHaveLength(8);
    for (const run of runs) expect(run.epochsDone).toBe(6);
    // The coordinator keeps each run's log as a local run's: where it started, its epochs, its results.
    for (const run of runs) {
      const texts = queue.store.getRunLog(run.id).lines.map((l) => l.text);
      expect(texts[0]).toMatch(new RegExp(`^started, 6 epochs on worker ${run.worker} .*: dataset demo`));
      expect(texts.filter((t) => t.startsWith('epoch '))).toHaveLength(6);
      expect(texts.at(-1)).toMatch(/^kept epoch \d+/);
      expect(run.trainedFingerprint).not.toBeNull();
    }
    // Finished runs keep no checkpoints (the selected network is in the store).
    for (const run of runs) expect(fs.existsSync(run.ckptDir as string)).toBe(false);
    const used = new Set(runs.map((r) => r.worker));
    expect(used.size, workers.map((w) => w.output()).join('\n')).toBeGreaterThan(1);
    for (const name of used) expect(['w1', 'w2', 'w3']).toContain(name);
    const info = await queue.info();
    expect(info.mode).toBe('distributed');
    expect(info.redis).not.toContain('s3cret');
    expect(info.workers.map((w) => w.name)).toEqual(['w1', 'w2', 'w3']);
    expect(info.workers[0].datasets).toContain('demo');
  }, 240_000);

  test('a worker killed with kill -9 mid-run: another worker continues from the checkpoint, identical result', async () => {
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    const workers = new Map<string, WorkerProcess>();
    for (const name of ['k1', 'k2']) workers.set(name, await workerProcess(redis, name));
    const c = config(120);
    const runId = queue.enqueue({ config: c, seed: 7 });
    await new Promise<void>((resolve) => {
      const onEpoch = (e: { runId: number; epoch: number }) => {
        if (e.runId === runId && e.epoch >= 3) {
          queue.off('epoch', onEpoch);
          resolve();
        }
      };
      queue.on('epoch', onEpoch);
    });
    const first = queue.store.requireRun(runId).worker;
    expect(first).not.toBeNull();
    workers.get(first as string)?.child.kill('SIGKILL');
    await queue.whenIdle();
    const run = queue.store.requireRun(runId);
    expect(run.worker).not.toBe(first);
    // It continued from a checkpoint the coordinator held, not from scratch.
    expect(workers.get(run.worker as string)?.output()).toMatch(
      new RegExp(`run ${runId} \\(demo, seed 7, from epoch \\d+\\): started`),
    );
    await expectIdenticalToLocal(queue, runId, c, 7);
  }, 240_000);

  test('cancelling a run on a worker stops it there (checkpoints kept); resuming it continues to the identical end', async () => {
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    await inProcessWorker(redis, 'cancellable');
    const c = config(200);
    const runId = queue.enqueue({ config: c, seed: 9 });
    const queuedOnly = queue.enqueue({ config: c, seed: 10 });
    await new Promise<void>((resolve) => queue.on('epoch', (e) => e.runId === runId && e.epoch >= 3 && resolve()));
    queue.cancel(queuedOnly);
    queue.cancel(runId);
    expect(queue.store.requireRun(runId).status).toBe('cancelled');
    expect(queue.store.requireRun(queuedOnly).status).toBe('cancelled');
    // The worker stops at its next batch: its job fails as cancelled, the waiting one is gone.
    const connections = new RedisConnections(redis.url, () => {});
    const jobs = new Queue(RUNS_QUEUE, { connection: connections.connect() });
    cleanups.push(async () => {
      await jobs.close();
      await connections.close();
    });
    const jobId = queue.store.requireRun(runId).jobId as string;
    await expect.poll(() => jobs.getJobState(jobId), { timeout: 15_000 }).toBe('failed');
    expect((await jobs.getJob(jobId))?.failedReason).toBe('cancelled');
    expect(await jobs.getJobState(queue.store.requireRun(queuedOnly).jobId as string)).toBe('unknown');
    expect(queue.store.requireRun(runId).epochsDone).toBeLessThan(200);
    queue.resume(runId);
    await queue.whenIdle();
    await expectIdenticalToLocal(queue, runId, c, 9);
    expect(queue.store.requireRun(queuedOnly).status).toBe('cancelled');
  }, 240_000);

  test('a worker whose copy of the dataset differs refuses the run, with the reason', async () => {
    const mine = demoCopy('shared');
    // The same files with val and test exchanged: the same key, other data.
    const theirs = demoCopy('shared', (dir) => {
      const f = (name: string) => path.join(dir, 'features', name);
      fs.renameSync(f('val.pkl'), f('tmp.pkl'));
      fs.renameSync(f('test.pkl'), f('val.pkl'));
      fs.renameSync(f('tmp.pkl'), f('test.pkl'));
    });
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    await inProcessWorker(redis, 'other-data', theirs);
    const runId = queue.enqueue({ config: config(3, (x) => (x.dataset = 'shared')), seed: 1, datasetConfig: mine });
    await queue.whenIdle();
    const run = queue.store.requireRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/worker other-data: dataset 'shared' on this worker .* is not the coordinator's copy/);
    expect(run.epochsDone).toBe(0);
  }, 120_000);

  test('the same data in another folder is the same dataset', async () => {
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    await inProcessWorker(redis, 'copy', demoCopy('demo'));
    const c = config(4);
    const runId = queue.enqueue({ config: c, seed: 3 });
    await queue.whenIdle();
    await expectIdenticalToLocal(queue, runId, c, 3);
  }, 120_000);

  test('the coordinator restarted mid-sweep: the results that arrived meanwhile are recorded, nothing is lost', async () => {
    const dbFile = path.join(tmpDir('coord'), 'workbench.sqlite');
    let queue = coordinator(redis, dbFile);
    await inProcessWorker(redis, 'steady');
    const c = config(8);
    const ids = [11, 12, 13, 14].map((seed) => queue.enqueue({ config: c, seed, experiment: 'restart' }));
    await new Promise<void>((resolve) => queue.on('status', (e) => e.status === 'done' && resolve()));
    await queue.close();
    // The worker goes on training while no coordinator runs; its results wait in Redis.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    queue = coordinator(redis, dbFile);
    cleanups.push(() => queue.close());
    await queue.whenIdle();
    for (const [i, id] of ids.entries()) await expectIdenticalToLocal(queue, id, c, 11 + i);
    expect(queue.store.listRuns({ experiment: 'restart' })).toHaveLength(4);
  }, 240_000);

  test('Redis restarted mid-run: workers and coordinator reconnect and the run finishes identical', async () => {
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    await inProcessWorker(redis, 'reconnecting');
    const c = config(80);
    const runId = queue.enqueue({ config: c, seed: 21 });
    await new Promise<void>((resolve) => queue.on('epoch', (e) => e.runId === runId && e.epoch >= 2 && resolve()));
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.restart();
    await queue.whenIdle();
    await expectIdenticalToLocal(queue, runId, c, 21);
  }, 240_000);

  test('a run that fails on three attempts is marked failed with the last error', async () => {
    const queue = coordinator(redis, path.join(tmpDir('coord'), 'workbench.sqlite'));
    cleanups.push(() => queue.close());
    // The coordinator knows 'elsewhere'; the worker's config does not.
    await inProcessWorker(redis, 'lacking', demoCopy('other'));
    const runId = queue.enqueue({
      config: config(3, (x) => (x.dataset = 'elsewhere')),
      seed: 1,
      datasetConfig: demoCopy('elsewhere'),
    });
    await queue.whenIdle();
    const run = queue.store.requireRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/worker lacking: no dataset 'elsewhere'/);
  }, 120_000);

  test('alphanet train --queue: a worker trains it, the terminal shows its epochs and the table, the store has the run', async () => {
    await inProcessWorker(redis, 'cli-worker');
    const dbFile = path.join(tmpDir('cli'), 'workbench.sqlite');
    let out = '';
    let err = '';
    const io = {
      out: (t: string) => (out += `${t}\n`),
      err: (t: string) => (err += `${t}\n`),
      isTTY: false,
      cwd: ROOT,
    };
    const code = await main(
      [
        'train',
        '--dataset',
        'demo',
        '--queue',
        redis.url,
        '--db',
        dbFile,
        '--seed',
        '5',
        '--training:train-epochs',
        '6',
        '--training:min-epochs',
        '2',
      ],
      io,
    );
    expect(code, err).toBe(0);
    expect(out).toMatch(/queued as run 1 on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    expect(out).toContain('run 1: training on worker cli-worker');
    for (let e = 1; e <= 6; e++) expect(out).toContain(`epoch ${e}/6: loss`);
    expect(out).toMatch(/Baseline .*\nAlphaNet /);
    const db = openDb(dbFile);
    try {
      const run = new RunStore(db).requireRun(1);
      expect([run.status, run.worker, run.epochsDone]).toEqual(['done', 'cli-worker', 6]);
    } finally {
      db.close();
    }
    expect(out + err).not.toContain('s3cret');
    let listed = '';
    expect(await main(['runs', '--db', dbFile], { ...io, out: (t: string) => (listed += `${t}\n`) })).toBe(0);
    expect(listed).toMatch(/^id +dataset +experiment +config +status +worker +seed/);
    expect(listed).toMatch(/\n +1 +demo +.* – +done +cli-worker +5 /);
  }, 120_000);

  test('alphanet sweep --queue: the runs of the sweep train on the workers, a line each, then the table per config', async () => {
    await inProcessWorker(redis, 'sweeper-1');
    await inProcessWorker(redis, 'sweeper-2');
    const dbFile = path.join(tmpDir('sweep'), 'workbench.sqlite');
    let out = '';
    let err = '';
    const io = {
      out: (t: string) => (out += `${t}\n`),
      err: (t: string) => (err += `${t}\n`),
      isTTY: false,
      cwd: ROOT,
    };
    const argv = [
      'sweep',
      '--dataset',
      'demo',
      '--grid',
      'training:n-neighbors=3,5',
      '--reps',
      '2',
      '--name',
      'k sweep',
    ];
    const code = await main(
      [...argv, '--training:train-epochs', '4', '--training:min-epochs', '2', '--queue', redis.url, '--db', dbFile],
      io,
    );
    expect(code, err).toBe(0);
    expect(out).toMatch(/queued 4 runs on redis:\/\/:\*\*\*@/);
    expect(out.match(/^\[\d\/4\] k=[35], seed [12]: few .* \(run \d+ on sweeper-[12], /gm)).toHaveLength(4);
    expect(out).toMatch(/k sweep: k=3 .*\n.*k sweep: k=5 /);
    const db = openDb(dbFile);
    try {
      const runs = new RunStore(db).listRuns({ experiment: 'k sweep' });
      expect(runs.map((r) => [r.status, r.epochsDone])).toEqual(Array(4).fill(['done', 4]));
    } finally {
      db.close();
    }
  }, 180_000);

  test('alphanet worker refuses a URL that is not Redis, naming the flag', async () => {
    const io = { out: () => {}, err: (t: string) => (errText += t), isTTY: false, cwd: ROOT };
    let errText = '';
    expect(await main(['worker', '--redis', 'http://host:6379'], io)).toBe(2);
    expect(errText).toMatch(/--redis: .*scheme must be redis:\/\/ or rediss:\/\//);
  });
});

describe.skipIf(!enabled)('distributed runs over TLS', () => {
  test('rediss://: a worker and `alphanet train --queue` trust a private CA through NODE_EXTRA_CA_CERTS', async () => {
    const tls = makeTlsFiles(tmpDir('tls'));
    if (!tls) {
      if (process.env.ALPHANET_REDIS_REQUIRED === '1')
        throw new Error("openssl is needed to make the TLS test's certificates");
      console.warn('skipping the TLS test: no openssl');
      return;
    }
    const redis = await startRedis({ password: 'tls pass', tls });
    cleanups.push(() => redis.stop());
    expect(redis.url).toMatch(/^rediss:\/\//);
    const env = { NODE_EXTRA_CA_CERTS: tls.ca };
    const worker = await startWorkerProcess(redis.url, 'tls-worker', ['--lock-ms', String(LOCK_MS)], env);
    cleanups.push(worker.stop);
    const dataDir = tmpDir('tls-coordinator');
    const args = [
      'train',
      '--dataset',
      'demo',
      '--queue',
      redis.url,
      '--seed',
      '4',
      '--training:train-epochs',
      '3',
      '--training:min-epochs',
      '1',
    ];
    const train = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'alphanet.mjs'), ...args], {
        cwd: dataDir,
        env: { ...process.env, ALPHANET_DATA_DIR: dataDir, ...env },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(train.code, train.out).toBe(0);
    expect(train.out).toContain('run 1: training on worker tls-worker');
    expect(train.out).toMatch(/AlphaNet +\d/);
  }, 180_000);
});

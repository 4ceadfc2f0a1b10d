import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import type { RunBatchProgress } from '../runs/record-run.ts';
import { openDb } from '../store/db.ts';
import { RunStore } from '../store/run-store.ts';
import { RunQueue } from './queue.ts';

const TOML = path.resolve(import.meta.dirname, '../../test/fixtures/tinylt/datasets.toml');

function config(epochs: number, batch = 64) {
  const c = defaultRunConfig('tinylt_synth');
  c.training.n_neighbors = 3;
  c.training.train_epochs = epochs;
  c.training.min_epochs = 1;
  c.training.train_batch_size = batch;
  return c;
}

let dir: string;
let queue: RunQueue | null = null;
let savedDataDir: string | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-queue-'));
  savedDataDir = process.env.ALPHANET_DATA_DIR;
  // The workers' caches (features, neighbours) go here, not into the user's app folder.
  process.env.ALPHANET_DATA_DIR = path.join(dir, 'app');
});

afterEach(async () => {
  await queue?.close();
  queue = null;
  if (savedDataDir === undefined) delete process.env.ALPHANET_DATA_DIR;
  else process.env.ALPHANET_DATA_DIR = savedDataDir;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('RunQueue', () => {
  it('runs queued jobs on worker threads, one at a time by default, with progress and recorded epochs', async () => {
    queue = new RunQueue({ dbFile: path.join(dir, 'q.sqlite'), backend: 'cpu' });
    const progress: RunBatchProgress[] = [];
    const statuses: string[] = [];
    queue.on('progress', (p) => progress.push(p));
    queue.on('status', (s) => statuses.push(`${s.runId}:${s.status}`));
    let maxActive = 0;
    queue.on('epoch', () => (maxActive = Math.max(maxActive, queue?.active().length ?? 0)));
    const a = queue.enqueue({ config: config(3), seed: 1, datasetConfig: TOML, experiment: 'Q' });
    const b = queue.enqueue({ config: config(2), seed: 2, datasetConfig: TOML, experiment: 'Q' });
    queue.start();
    await queue.whenIdle();
    expect(queue.store.requireRun(a)).toMatchObject({ status: 'done', epochsDone: 3 });
    expect(queue.store.requireRun(b)).toMatchObject({ status: 'done', epochsDone: 2 });
    expect(maxActive).toBe(1);
    expect(statuses).toEqual([`${a}:queued`, `${b}:queued`, `${a}:running`, `${a}:done`, `${b}:running`, `${b}:done`]);
    const last = progress.filter((p) => p.runId === a).at(-1);
    expect(last).toMatchObject({ epoch: 3 });
    expect(last?.batch).toBe(last?.nBatches);
    expect(progress.some((p) => p.etaSeconds !== null)).toBe(true);
    expect(queue.store.getExperimentMatrix('Q').runs).toHaveLength(2);
  });

  it('cancels a running run (checkpoints kept) and resumes it to the end', async () => {
    queue = new RunQueue({ dbFile: path.join(dir, 'q.sqlite'), backend: 'cpu' });
    const id = queue.enqueue({ config: config(60, 8), seed: 3, datasetConfig: TOML });
    const q = queue;
    q.on('epoch', (e) => {
      if (e.runId === id && e.epoch === 2) q.cancel(id);
    });
    q.start();
    await q.whenIdle();
    const cancelled = q.store.requireRun(id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.epochsDone).toBeLessThan(60);
    expect(fs.readdirSync(cancelled.ckptDir as string).length).toBeGreaterThan(0);
    q.resume(id);
    await q.whenIdle();
    expect(q.store.requireRun(id)).toMatchObject({ status: 'done', epochsDone: 60 });
  });

  it('leaves runs interrupted when closed mid-run, and a new queue on the database resumes them and runs what was queued', async () => {
    const dbFile = path.join(dir, 'q.sqlite');
    const first = new RunQueue({ dbFile, backend: 'cpu' });
    const running = first.enqueue({ config: config(60, 8), seed: 4, datasetConfig: TOML });
    const waiting = first.enqueue({ config: config(2), seed: 5, datasetConfig: TOML });
    const reachedEpoch2 = new Promise<string>((resolve) => {
      first.on('epoch', (e) => e.epoch === 2 && resolve('epoch 2'));
      first.on(
        'status',
        (e) => e.status !== 'running' && e.status !== 'queued' && resolve(`${e.status}: ${e.error ?? ''}`),
      );
    });
    first.start();
    expect(await reachedEpoch2).toBe('epoch 2');
    await first.close();

    queue = new RunQueue({ dbFile, backend: 'cpu' });
    expect(queue.store.requireRun(running).status).toBe('interrupted');
    expect(queue.store.requireRun(waiting).status).toBe('queued');
    queue.resume(running);
    queue.start();
    await queue.whenIdle();
    expect(queue.store.requireRun(running)).toMatchObject({ status: 'done', epochsDone: 60 });
    expect(queue.store.requireRun(waiting)).toMatchObject({ status: 'done', epochsDone: 2 });
  });

  it('leaves runs queued for distributed workers to their coordinator', async () => {
    queue = new RunQueue({ dbFile: path.join(dir, 'q.sqlite'), backend: 'cpu' });
    const remote = queue.store.createRun({ kind: 'train', config: config(1), seed: 1 });
    queue.store.setJob(remote, 'elsewhere-1-1');
    const local = queue.enqueue({ config: config(1), seed: 2, datasetConfig: TOML });
    queue.start();
    await queue.whenIdle();
    expect(queue.store.requireRun(local).status).toBe('done');
    expect(queue.store.requireRun(remote).status).toBe('queued');
  });

  it('records a run whose dataset cannot be found as failed, with the reason', async () => {
    queue = new RunQueue({ dbFile: path.join(dir, 'q.sqlite'), backend: 'cpu' });
    const bad = defaultRunConfig('no_such_dataset');
    const id = queue.enqueue({ config: bad, seed: 1, datasetConfig: TOML });
    queue.start();
    await queue.whenIdle();
    const run = queue.store.requireRun(id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/no_such_dataset/);
  });

  it('re-checks while serving: a run of a process that died since start becomes interrupted, and is announced', () => {
    const dbFile = path.join(dir, 'q.sqlite');
    queue = new RunQueue({ dbFile, backend: 'cpu' });
    queue.start();
    const statuses: string[] = [];
    queue.on('status', (s) => statuses.push(`${s.runId}:${s.status}`));
    // Another process (a CLI run) records a running run, then is killed -9.
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(child.stdout);
    const cli = new RunStore(openDb(dbFile));
    const id = cli.createRun({ kind: 'train', config: config(2), seed: 1, status: 'running' });
    // Created running, it is owned at once: a check now leaves it alone.
    expect(queue.recheckOrphans()).toEqual([]);
    cli.markRunning(id, deadPid);
    cli.db.close();
    expect(queue.recheckOrphans()).toEqual([id]);
    expect(statuses).toEqual([`${id}:interrupted`]);
    expect(queue.store.requireRun(id).status).toBe('interrupted');
  });
});

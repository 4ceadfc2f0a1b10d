/**
 * Throughput of distributed runs against the embedded queue, measured in one process run: the same N
 * runs (a seed sweep) (1) on the embedded queue (this machine, one run at a time, as the app does by
 * default), then (2) through BullMQ on a private redis-server to W = 1 and 2 `alphanet worker`
 * processes on this machine. Prints runs per minute, the ratio to (1), the coordinator's CPU time per
 * run (this process, where the coordinator lives; the workers are other processes) and the size of
 * what one epoch sends back (its record and its checkpoint), from which docs/distributed.md sizes Redis.
 *
 * Run: `node bin/run-ts.mjs bench/distributed.ts [--runs N] [--epochs E] [--imagenet]`. `--imagenet`
 * uses the ImageNet-LT-shaped dataset of bench/scale.ts (generated once into bench/.data/, 1.5 GB);
 * its caches are built before timing (about a minute) and shared by every worker (warm runs, as in a sweep).
 * The demo dataset by default. Needs redis-server (Debian: apt-get install redis-server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultRunConfig, type RunConfig } from '../src-shared/config.ts';
import { resolveDataset } from '../src-main/data/config.ts';
import { loadDataset } from '../src-main/data/dataset.ts';
import { DistributedRunQueue } from '../src-main/distributed/coordinator.ts';
import { initBackend } from '../src-main/engine/backend.ts';
import { listCheckpoints } from '../src-main/engine/checkpoint.ts';
import { datagrpScores } from '../src-main/engine/scores.ts';
import { RunQueue, type Job, type RunQueueApi } from '../src-main/queue/queue.ts';
import { startRedis } from '../test/support/redis-server.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/support/workers.ts';
import { ensureScaleDataset } from './scale-data.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const imagenet = process.argv.includes('--imagenet');
const N = arg('runs', imagenet ? 4 : 8);
const EPOCHS = arg('epochs', imagenet ? 10 : 25);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-bench-dist-'));
process.env.ALPHANET_DATA_DIR = tmp;
// The embedded queue's runs use the app cache (ALPHANET_DATA_DIR/cache); the workers are pointed at it.
const cacheDir = path.join(tmp, 'cache');
let dataset = 'demo';
let datasetConfig: string | undefined;
if (imagenet) {
  const scale = await ensureScaleDataset(path.join(ROOT, 'bench', '.data', 'imagenet-lt-shaped'), (l) =>
    console.log(l),
  );
  dataset = scale.key;
  datasetConfig = scale.toml;
}
// Caches first, so every setting below times warm runs.
const backend = await initBackend();
const ds = await loadDataset(resolveDataset(dataset, datasetConfig), { cacheDir, lazyFeatures: true });
for (const g of ['train', 'val', 'test']) await datagrpScores(ds, g, cacheDir, { alsoMeans: g === 'train' });

function config(): RunConfig {
  const c = defaultRunConfig(dataset);
  c.training.sampler_args = [{}, { r: '0.5' }];
  c.training.train_epochs = EPOCHS;
  c.training.min_epochs = Math.min(5, EPOCHS);
  return c;
}
const jobs: Job[] = Array.from({ length: N }, (_, i) => ({
  config: config(),
  seed: i + 1,
  datasetConfig,
  experiment: 'bench',
}));

interface Measured {
  label: string;
  seconds: number;
  cpuPerRun: number;
}

async function measure(label: string, queue: RunQueueApi): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ids = jobs.map((job) => queue.enqueue(job));
  queue.start();
  await queue.whenIdle();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const id of ids) {
    const run = queue.store.requireRun(id);
    if (run.status !== 'done') throw new Error(`${label}: run ${id} ${run.status}: ${run.error}`);
  }
  const m = { label, seconds, cpuPerRun: (cpu.user + cpu.system) / 1e6 / N };
  console.log(
    `  ${label.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s  ${((60 * N) / seconds).toFixed(1).padStart(6)} runs/min`,
  );
  return m;
}

console.log(
  `${N} runs of ${EPOCHS} epochs on '${dataset}' (${ds.nClasses} classes, d = ${ds.dim}), backend ${backend}, ${os.availableParallelism()} cores`,
);
const results: Measured[] = [];
const embedded = new RunQueue({ dbFile: path.join(tmp, 'embedded.sqlite'), ckptRoot: path.join(tmp, 'ckpt-embedded') });
results.push(await measure('embedded queue (this machine)', embedded));
await embedded.close();

const redis = await startRedis();
const sizes = { record: 0, checkpoint: 0 };
for (const W of [1, 2]) {
  const workers: WorkerProcess[] = [];
  for (let w = 0; w < W; w++) {
    workers.push(
      await startWorkerProcess(redis.url, `bench-${W}-${w}`, [
        '--cache-dir',
        cacheDir,
        ...(datasetConfig ? ['--config', datasetConfig] : []),
      ]),
    );
  }
  const dbFile = path.join(tmp, `distributed-${W}.sqlite`);
  const queue = new DistributedRunQueue({ dbFile, redisUrl: redis.url, ckptRoot: path.join(tmp, `ckpt-${W}`) });
  // The largest checkpoint that arrived (a finished run deletes its checkpoints).
  queue.on('epoch', ({ runId }) => {
    const newest = listCheckpoints(queue.store.requireRun(runId).ckptDir ?? '').at(-1);
    if (newest) sizes.checkpoint = Math.max(sizes.checkpoint, fs.statSync(newest.file).size);
  });
  results.push(await measure(`${W} worker process${W > 1 ? 'es' : ''} over BullMQ`, queue));
  const first = queue.store.listRuns({ experiment: 'bench' })[0];
  sizes.record = Buffer.byteLength(JSON.stringify(queue.store.getEpochs(first.id).at(-1)));
  await queue.close();
  await Promise.all(workers.map((w) => w.stop()));
}
await redis.stop();

const base = results[0];
console.log('\nsetting                              runs/min   × embedded   coordinator CPU per run');
for (const r of results) {
  console.log(
    `${r.label.padEnd(36)} ${((60 * N) / r.seconds).toFixed(1).padStart(8)} ${(base.seconds / r.seconds).toFixed(2).padStart(11)}×   ${(1000 * r.cpuPerRun).toFixed(0).padStart(8)} ms`,
  );
}
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
console.log(
  `\nper epoch a worker sends a record of ${kb(sizes.record)}; at most every 5 s a checkpoint, the largest ${kb(sizes.checkpoint)} (it holds the history, so it grows with the epoch)`,
);
fs.rmSync(tmp, { recursive: true, force: true });

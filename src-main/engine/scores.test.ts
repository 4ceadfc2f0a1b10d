import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import type { RunResult } from '../../src-shared/result.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { initBackend } from './backend.ts';
import { closeScorePool, computeScores, rawScores, scorePoolState } from './score-pool.ts';
import { datagrpMeans, datagrpScores } from './scores.ts';
import { ClassMeanAccumulator, classMeans } from './neighbors.ts';
import { baselineRun, trainRun } from './run.ts';
import { Rng } from '../../src-shared/rng.ts';

const TINYLT = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt', 'datasets.toml');
let dir = '';
beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-scores-'));
});
afterAll(async () => {
  await closeScorePool();
  fs.rmSync(dir, { recursive: true, force: true });
});

const load = (cacheDir: string): Promise<LoadedDataset> =>
  loadDataset(resolveDataset('tinylt_synth', TINYLT), { cacheDir, lazyFeatures: true });

/** `ds` with every datagrp's features made unreadable: proves a path never touches them. */
function withoutFeatures(ds: LoadedDataset): LoadedDataset {
  const datagrps = Object.fromEntries(
    Object.entries(ds.datagrps).map(([name, g]) => [
      name,
      Object.defineProperty({ labels: g.labels, n: g.n, files: g.files }, 'feats', {
        get: () => {
          throw new Error(`features of '${name}' read`);
        },
      }) as LoadedDataset['datagrps'][string],
    ]),
  );
  return { ...ds, datagrps };
}

const stable = (r: RunResult) => ({ ...r, epochs: r.epochs.map((e) => ({ ...e, wall_time: 0 })) });

describe('pretrained scores and class means', () => {
  it('are computed once, cached on disk, and a warm run needs no features and gives the same result', async () => {
    const cache = path.join(dir, 'cache');
    const cold = await load(cache);
    const config = defaultRunConfig('tinylt_synth');
    config.training.n_neighbors = 3;
    config.training.train_epochs = 4;
    config.training.min_epochs = 2;
    const first = await trainRun(cold, config, { seed: 4, backend: 'wasm', cacheRoot: cache });
    const train = cold.datagrps.train;
    expect(await datagrpScores(cold, 'train', cache)).toEqual(
      rawScores(train.feats, train.n, cold.dim, cold.classifier.weight, cold.nClasses),
    );
    expect(datagrpMeans(cold, 'train', cache)).toEqual(classMeans(train, cold.dim, cold.nClasses));
    // A second process: loads labels only, and neither it nor the engine reads a feature.
    const warm = withoutFeatures(await load(cache));
    fs.rmSync(path.join(cache, 'nns'), { recursive: true, force: true });
    const second = await trainRun(warm, config, { seed: 4, backend: 'wasm', cacheRoot: cache });
    expect(stable(second.result)).toEqual(stable(first.result));
    expect((await baselineRun(warm, { backend: 'wasm', cacheRoot: cache })).result.test).toEqual(
      (await baselineRun(cold, { backend: 'wasm', cacheRoot: null })).result.test,
    );
    expect(() => warm.datagrps.train.feats).toThrow(/features of 'train' read/);
    // A lone run reads the test scores into the memory of its train scores, once done with them.
    const lone = withoutFeatures(await load(cache));
    const trainScores = await datagrpScores(lone, 'train', cache);
    const third = await trainRun(lone, config, {
      seed: 4,
      backend: 'wasm',
      cacheRoot: cache,
      lone: true,
    });
    expect(stable(third.result)).toEqual(stable(first.result));
    const testScores = await datagrpScores(lone, 'test', cache);
    expect(testScores.buffer).toBe(trainScores.buffer);
    expect(testScores).toEqual(await datagrpScores(cold, 'test', cache));
    // A lone run whose train scores are only on disk reads the rows its batches take, not the whole file.
    const fresh = withoutFeatures(await load(cache));
    const trainFile = (fs.readdirSync(cache, { recursive: true }) as string[]).find((f) =>
      f.endsWith('scores-train.bin'),
    );
    const fileBytes = fs.statSync(path.join(cache, trainFile as string)).size;
    const reads = vi.spyOn(fs, 'readSync');
    const opened = vi.spyOn(fs, 'openSync');
    try {
      const fourth = await trainRun(fresh, config, { seed: 4, backend: 'wasm', cacheRoot: cache, lone: true });
      expect(stable(fourth.result)).toEqual(stable(first.result));
      const trainFds = opened.mock.results
        .filter((_, i) => String(opened.mock.calls[i][0]).endsWith('scores-train.bin'))
        .map((r) => r.value as number);
      expect(trainFds).toHaveLength(1);
      const bytes = reads.mock.calls
        .filter((call) => call[0] === trainFds[0])
        .reduce((sum, call) => sum + ((call as unknown[])[3] as number), 0);
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThan(fileBytes);
    } finally {
      reads.mockRestore();
      opened.mockRestore();
    }
  });

  it('are recomputed when the cached entry is damaged', async () => {
    const cache = path.join(dir, 'damaged');
    const ds = await load(cache);
    const want = await datagrpScores(ds, 'val', cache);
    const bins: string[] = [];
    const walk = (d: string) =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : bins.push(path.join(d, e.name))));
    walk(path.join(cache, 'scores'));
    const file = bins.find((f) => f.endsWith('scores-val.bin'));
    expect(file).toBeDefined();
    fs.truncateSync(file as string, 8);
    const again = await load(cache);
    expect(await datagrpScores(again, 'val', cache)).toEqual(want);
    expect(fs.statSync(file as string).size).toBe(want.byteLength);
  });

  it('come out the same from the worker pool (one wasm instance per worker) as in this thread', async () => {
    const rng = Rng.fromSeed(3);
    const n = 5000;
    const d = 48;
    const C = 37;
    const feats = Float32Array.from({ length: n * d }, () => rng.nextFloat() - 0.5);
    const weight = Float32Array.from({ length: C * d }, () => rng.nextFloat() - 0.5);
    const pooled = await computeScores(feats, n, d, weight, C, { threads: 2, minFlops: 0 });
    expect(scorePoolState()).toEqual({ workers: 2, broken: false });
    const want = rawScores(feats, n, d, weight, C);
    expect(pooled).toEqual(want);
    // A streamed source (fresh blocks, as a lazily loaded datagrp gives) with class means on the same pass.
    const labels = Int32Array.from({ length: n }, (_, i) => i % 7);
    for (const threads of [2, 1]) {
      const acc = new ClassMeanAccumulator(labels, d, 7);
      const blocks: number[] = [];
      const streamed = await computeScores(
        (start, count) => feats.slice(start * d, (start + count) * d),
        n,
        d,
        weight,
        C,
        {
          threads,
          minFlops: 0,
          onRows: (start, block) => (blocks.push(start), acc.add(start, block)),
        },
      );
      expect(streamed).toEqual(want);
      expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
      expect(acc.means()).toEqual(classMeans({ feats, labels, n }, d, 7));
    }
    // An array that is one block is copied to the worker, never moved out of the caller's hands.
    const small = feats.slice(0, 100 * d);
    expect(await computeScores(small, 100, d, weight, C, { threads: 2, minFlops: 0 })).toEqual(
      want.subarray(0, 100 * C),
    );
    expect(small.length).toBe(100 * d);
  });
});

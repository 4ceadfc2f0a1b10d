import { once } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import { demoConfigFile } from '../data/config.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { initBackend } from '../engine/backend.ts';
import { datagrpScores } from '../engine/scores.ts';
import { startWorker } from '../workers.ts';
import { shareDataset, type SweepThreadInput } from './sweep-threads.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe("a sweep's shared scores", () => {
  it('are one copy in shared memory: what a thread writes into the scores it trains from, this thread reads', async () => {
    const ds = await loadDataset(resolveDataset('demo', demoConfigFile()), { cacheDir: null });
    const config = defaultRunConfig('demo');
    // Read into ordinary memory first (as the sweep's baseline run does): sharing moves them.
    const before = await datagrpScores(ds, 'train', null);
    expect(before.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const shared = await shareDataset(ds, [config], null);
    const t = config.training;
    expect(Object.keys(shared.scores).sort()).toEqual(
      [
        `means-${t.train_datagrp}`,
        `scores-${t.test_datagrp}`,
        `scores-${t.train_datagrp}`,
        `scores-${t.val_datagrp}`,
      ].sort(),
    );
    for (const array of Object.values(shared.scores)) expect(array.buffer).toBeInstanceOf(SharedArrayBuffer);
    const train = shared.scores[`scores-${t.train_datagrp}`];
    expect(train).toEqual(before);
    // This thread's runs read the shared copy too.
    expect(await datagrpScores(ds, t.train_datagrp, null)).toBe(train);

    const input: SweepThreadInput & { datagrp: string; marker: number } = {
      shared,
      backend: 'wasm',
      datagrp: t.train_datagrp,
      marker: 12345,
    };
    const worker = startWorker(new URL('../../test/support/shared-scores-worker.ts', import.meta.url), input);
    const [seen] = (await once(worker, 'message')) as [{ shared: boolean; featsError: string }];
    await worker.terminate();
    expect(seen.shared).toBe(true);
    expect(train[0]).toBe(12345);
    expect(seen.featsError).toMatch(/features of 'train' are not loaded on a sweep's training thread/);
  });
});

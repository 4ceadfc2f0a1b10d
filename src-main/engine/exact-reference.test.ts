/**
 * The reformulated computation (pretrained scores, O(F·k) per sample) against the straightforward one
 * (features × weights for every batch and every evaluation), on the tinylt fixture and the bundled demo
 * dataset, over seeds and settings: the same logits up to float rounding and the same accuracies.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { demoConfigFile } from '../data/config.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { initBackend } from './backend.ts';
import { exactLogits, fastLogits } from './model.ts';
import { networkAlphas, problemFor } from './network.ts';
import { trainRun } from './run.ts';
import { datagrpScores } from './scores.ts';

const TINYLT = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tinylt', 'datasets.toml');
const datasets: Record<string, LoadedDataset> = {};
beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  datasets.tinylt_synth = await loadDataset(resolveDataset('tinylt_synth', TINYLT), { cacheDir: null });
  datasets.demo = await loadDataset(resolveDataset('demo', demoConfigFile()), { cacheDir: null });
});

const settings: { seed: number; tweak: (c: RunConfig) => void }[] = [
  { seed: 0, tweak: () => {} },
  { seed: 1, tweak: (c) => ((c.training.pred_scale = 100), (c.alphanet.hact = 'tanh')) },
  {
    seed: 2,
    tweak: (c) => (
      (c.training.sampler_args = [{}, { r: '1' }]),
      (c.training.nn_dist = 'cosine'),
      (c.training.n_neighbors = 2)
    ),
  },
];

describe.each(['tinylt_synth', 'demo'])('%s: reformulated vs straightforward', (key) => {
  it.each(settings)(
    'seed $seed: same accuracies every epoch and at the end, logits within 1e-4 relative',
    async ({ seed, tweak }) => {
      const ds = datasets[key];
      const config = defaultRunConfig(key);
      config.training.n_neighbors = 3;
      config.training.train_epochs = 4;
      config.training.min_epochs = 2;
      tweak(config);
      const opts = { seed, backend: 'wasm' as const, cacheRoot: null };
      const fast = await trainRun(ds, config, opts);
      const exact = await trainRun(ds, config, { ...opts, exactReference: true });
      fast.result.epochs.forEach((e, i) => {
        const x = exact.result.epochs[i];
        expect(x.val).toEqual(e.val);
        x.batch_losses.forEach((l, b) =>
          expect(Math.abs(l - e.batch_losses[b])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(e.batch_losses[b]))),
        );
      });
      expect(exact.result.best_epoch).toBe(fast.result.best_epoch);
      expect(exact.result.test).toEqual(fast.result.test);
      expect(exact.testTop5).toEqual(fast.testTop5);

      const net = fast.result.network;
      if (!net) throw new Error('no network');
      const problem = problemFor(ds, net);
      const tilde = networkAlphas(problem, net);
      const test = ds.datagrps.test;
      const scale = config.training.pred_scale;
      const want = await exactLogits(problem, tilde, test.feats, test.n, scale);
      const scores = await datagrpScores(ds, 'test', null);
      const got = new Float64Array(ds.nClasses);
      let worst = 0;
      // Relative to the sample's largest logit: float32 rounding scales with the terms summed, and a
      // logit near 0 can be the difference of large ones.
      for (let i = 0; i < test.n; i++) {
        fastLogits(problem, tilde, scores, i, scale, got);
        const row = want.subarray(i * ds.nClasses, (i + 1) * ds.nClasses);
        const size = Math.max(1, ...Array.from(row, Math.abs));
        for (let c = 0; c < ds.nClasses; c++) worst = Math.max(worst, Math.abs(got[c] - row[c]) / size);
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
    },
  );
});

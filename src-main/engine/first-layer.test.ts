import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../src-shared/config.ts';
import type { LoadedDataset } from '../../src-shared/dataset.ts';
import { Rng } from '../../src-shared/rng.ts';
import { demoConfigFile } from '../data/config.ts';
import { loadDataset, resolveDataset } from '../data/dataset.ts';
import { initBackend } from './backend.ts';
import { slabRows, SLABS } from './first-layer.ts';
import { AlphaTrainer, initNetwork, type AlphaProblem, type NetworkSpec } from './model.ts';
import { initOptimizerState, optimizerStep, parseOptimizer } from './optim.ts';
import { computeName } from './native-kernels.ts';
import { trainRun } from './run.ts';
import { KERNELS, withKernels } from '../../test/support/native.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A problem the size of a small real one: 24 few classes, k = 3, d = 256 (input width 1,024). */
function problem(): { problem: AlphaProblem; spec: NetworkSpec } {
  const rng = Rng.fromSeed(3, 'first-layer');
  const C = 60;
  const d = 256;
  const k = 3;
  const few = Array.from({ length: 24 }, (_, i) => i);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5);
  const sources = rand(few.length * (k + 1) * d);
  return {
    problem: {
      nClasses: C,
      dim: d,
      k,
      few,
      neighbors: few.map((i) => [30 + (i % 30), 31 + (i % 29), 32 + (i % 28)]),
      weight: rand(C * d),
      bias: rand(C),
      sources,
    },
    spec: { inDim: (k + 1) * d, hdims: [32, 16], outDim: k, act: 'relu' },
  };
}

describe.each(KERNELS)('the first layer on one thread or two (native kernels: %s)', (native) => {
  it('splits W1 into fixed row slabs', () => {
    expect(SLABS).toBe(2);
    expect(slabRows(32)).toEqual([
      [0, 16],
      [16, 32],
    ]);
    expect(slabRows(7)).toEqual([
      [0, 3],
      [3, 7],
    ]);
    expect(slabRows(1)).toEqual([[0, 1]]);
  });

  // AdamW and Rprop update W1 slab by slab, the helper its own rows; NAdam (a scalar state per tensor) as a whole.
  it.each([
    ['AdamW', { lr: '0.01', weight_decay: '0.05' }],
    ['Rprop', { lr: '0.01' }],
    ['NAdam', { lr: '0.01' }],
  ])(
    'trains with %s bit-identically with the helper thread computing half of every product and update',
    (name, optimParams) =>
      withKernels(native, async () => {
        const { problem: p, spec } = problem();
        const optim = parseOptimizer(name, optimParams);
        const rng = Rng.fromSeed(4, 'batches');
        const batches = Array.from({ length: 6 }, () => ({
          scores: Float32Array.from({ length: 32 * p.nClasses }, () => rng.nextFloat() * 4 - 2),
          labels: Int32Array.from({ length: 32 }, () => Math.floor(rng.nextFloat() * p.nClasses)),
        }));
        // The reference: whole gradients, then the optimiser over every parameter (no slabs, no helper).
        const reference = () => {
          const trainer = new AlphaTrainer(p, spec, 1);
          try {
            const params = initNetwork(spec, Rng.fromSeed(1, 'init'));
            const state = initOptimizerState(optim, params);
            const losses = batches.map((batch) => {
              const { loss, grads } = trainer.step(params, batch);
              optimizerStep(optim, state, params, grads, 0.01);
              return loss;
            });
            return { losses, params, alphas: trainer.alphas(params), helperSlabs: trainer.helperSlabs, state };
          } finally {
            trainer.dispose();
          }
        };
        const train = async (helper: boolean) => {
          const trainer = new AlphaTrainer(p, spec, 1);
          try {
            const params = initNetwork(spec, Rng.fromSeed(1, 'init'));
            const state = initOptimizerState(optim, params);
            trainer.attach(params, state, optim);
            if (helper) expect(await trainer.useHelperThread('wasm')).toBe(true);
            const losses = batches.map((batch) => trainer.train(params, batch, optim, state, 0.01));
            return { losses, params, alphas: trainer.alphas(params), helperSlabs: trainer.helperSlabs, state };
          } finally {
            trainer.dispose();
          }
        };
        const ref = reference();
        const one = await train(false);
        const two = await train(true);
        expect(one.helperSlabs).toBe(0);
        // Forward and gradient (or gradient and update) of every step, and the final alphas: 2 per step + 1.
        expect(two.helperSlabs).toBe(2 * batches.length + 1);
        for (const run of [one, two]) {
          expect(run.losses).toEqual(ref.losses);
          expect(run.params).toEqual(ref.params);
          expect(run.alphas).toEqual(ref.alphas);
          expect(run.state).toEqual(ref.state);
        }
      }),
    60_000,
  );
});

describe.each(KERNELS)('trainRun on one thread or two (native kernels: %s)', (native) => {
  it(
    'gives the same result for the same seed',
    () =>
      withKernels(native, async () => {
        const ds: LoadedDataset = await loadDataset(resolveDataset('demo', demoConfigFile()), { cacheDir: null });
        const config = defaultRunConfig('demo');
        config.training.train_epochs = 3;
        config.training.min_epochs = 1;
        const run = (networkThreads: 1 | 2) =>
          trainRun(ds, config, { seed: 7, backend: 'wasm', cacheRoot: null, networkThreads });
        const one = await run(1);
        const two = await run(2);
        expect(two.result.network).toEqual(one.result.network);
        expect(two.result.epochs.map((e) => [e.batch_losses, e.val])).toEqual(
          one.result.epochs.map((e) => [e.batch_losses, e.val]),
        );
        expect(two.result.test).toEqual(one.result.test);
        expect(one.result.backend).toBe(native ? computeName('wasm') : 'wasm');
      }),
    120_000,
  );
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import type { RunResult } from '../../src-shared/result.ts';
import { initBackend } from './backend.ts';
import { listCheckpoints } from './checkpoint.ts';
import { buildProblem } from './model.ts';
import { computeNeighbors } from './neighbors.ts';
import { baselineRun, debugCheck, RunAbortedError, trainRun } from './run.ts';
import { datagrpScores } from './scores.ts';
import { computeName } from './native-kernels.ts';
import { makeSyntheticDataset } from './synthetic.ts';

const ds = makeSyntheticDataset({
  nClasses: 24,
  dim: 16,
  maxPerClass: 300,
  minPerClass: 5,
  valPerClass: 10,
  testPerClass: 20,
  seed: 2,
});

function config(over: (c: RunConfig) => void = () => {}): RunConfig {
  const c = defaultRunConfig(ds.spec.key);
  c.training.n_neighbors = 3;
  c.training.train_epochs = 6;
  c.training.min_epochs = 2;
  c.training.sampler_args = [{}, { r: '0.5' }];
  over(c);
  return c;
}

/** A result without its wall times, for bit-identity checks. */
function stable(r: RunResult): unknown {
  return { ...r, epochs: r.epochs.map((e) => ({ ...e, wall_time: 0 })) };
}

const base = { backend: 'wasm' as const, cacheRoot: null };

describe('trainRun (wasm)', () => {
  it('lets go of the train scores after the epochs when asked (a lone run), with the same result', async () => {
    const twin = () =>
      makeSyntheticDataset({
        nClasses: 24,
        dim: 16,
        maxPerClass: 300,
        minPerClass: 5,
        valPerClass: 10,
        testPerClass: 20,
        seed: 2,
      });
    const [shared, lone] = [twin(), twin()];
    await initBackend('wasm');
    const sharedScores = await datagrpScores(shared, 'train', null);
    const loneScores = await datagrpScores(lone, 'train', null);
    const kept = await trainRun(shared, config(), { ...base, seed: 11 });
    const released = await trainRun(lone, config(), { ...base, seed: 11, lone: true });
    expect(stable(released.result)).toEqual(stable(kept.result));
    expect(await datagrpScores(shared, 'train', null)).toBe(sharedScores);
    // No longer in memory: asking again computes a new array (of the same numbers).
    const again = await datagrpScores(lone, 'train', null);
    expect(again).not.toBe(loneScores);
    expect(again).toEqual(loneScores);
  });

  it('is bit-identical when repeated with a seed, differs with another, and beats the baseline on few classes', async () => {
    const a = await trainRun(ds, config(), { ...base, seed: 11 });
    const b = await trainRun(ds, config(), { ...base, seed: 11 });
    const c = await trainRun(ds, config(), { ...base, seed: 12 });
    expect(stable(b.result)).toEqual(stable(a.result));
    expect(b.testTop5).toEqual(a.testTop5);
    expect(c.result.epochs[0].batch_losses).not.toEqual(a.result.epochs[0].batch_losses);
    const baseline = await baselineRun(ds, { backend: 'wasm' });
    expect(a.result.test.per_split.few).toBeGreaterThan(baseline.result.test.per_split.few);
    expect(a.result.backend).toBe(computeName('wasm'));
    expect(a.testTop5.length).toBe(ds.datagrps.test.n * 5);
    expect(a.result.epochs).toHaveLength(6);
    const rec = a.result.epochs[0];
    expect(rec.alpha_mean[0]).toBe(1);
    expect(rec.alpha_mean).toHaveLength(4);
    // AllFewSampler + int(0.5·F) class-balanced base samples.
    const F = ds.splits.few.reduce((n, cls) => n + ds.datagrps.train.labels.filter((y) => y === cls).length, 0);
    expect(rec.n_train_per_split.few).toBe(F);
    expect(rec.n_train_per_split.many + rec.n_train_per_split.medium).toBe(Math.trunc(0.5 * F));
    expect(rec.batch_losses).toHaveLength(Math.ceil((F + Math.trunc(0.5 * F)) / 64));
    for (const alpha of Object.values(a.result.alphas)) {
      expect(alpha.alpha[0]).toBe(1);
      expect(alpha.alpha.slice(1).reduce((s, x) => s + Math.abs(x), 0)).toBeCloseTo(1, 5);
    }
    expect(a.result.network?.params).toHaveLength(8);
  });

  it('selects by the selection rule: best-val picks the best eligible epoch, min-epochs always min_epochs', async () => {
    const best = await trainRun(ds, config(), { ...base, seed: 3 });
    const vals = best.result.epochs.map((e) => e.val?.accuracy ?? -1);
    const eligible = vals.slice(1);
    const top = Math.max(...eligible);
    expect(best.result.best_epoch).toBe(2 + eligible.indexOf(top));
    expect(best.result.val?.accuracy).toBe(top);
    const orig = await trainRun(
      ds,
      config((c) => (c.training.selection = 'min-epochs')),
      { ...base, seed: 3 },
    );
    expect(orig.result.best_epoch).toBe(2);
    expect(orig.result.selection).toBe('min-epochs');
    const noVal = await trainRun(
      ds,
      config((c) => (c.training.val_datagrp = null)),
      { ...base, seed: 3 },
    );
    expect(noVal.result.best_epoch).toBe(6);
    expect(noVal.result.val).toBeNull();
    expect(noVal.result.epochs[0].val).toBeNull();
  });

  it('resumes from a checkpoint to the identical end, keeps the newest n, and stops on abort', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-ckpt-'));
    try {
      const whole = await trainRun(ds, config(), { ...base, seed: 5 });
      const controller = new AbortController();
      await expect(
        trainRun(ds, config(), {
          ...base,
          seed: 5,
          ckptDir: dir,
          nCkpt: 2,
          signal: controller.signal,
          onEpoch: (rec) => {
            if (rec.epoch === 3) controller.abort();
          },
        }),
      ).rejects.toBeInstanceOf(RunAbortedError);
      expect(listCheckpoints(dir).map((c) => c.epoch)).toEqual([2, 3]);
      const epochsSeen: number[] = [];
      const resumed = await trainRun(ds, config(), {
        ...base,
        seed: 5,
        ckptDir: dir,
        onEpoch: (r) => void epochsSeen.push(r.epoch),
      });
      expect(epochsSeen).toEqual([4, 5, 6]);
      expect(stable(resumed.result)).toEqual(stable(whole.result));
      expect(resumed.testTop5).toEqual(whole.testTop5);
      const seed5 = fs.readdirSync(dir);
      // Another run in the same folder neither resumes from these checkpoints nor deletes them, even
      // when told to start over (which removes its own only).
      const other = await trainRun(ds, config(), { ...base, seed: 6, ckptDir: dir, nCkpt: 1 });
      expect(other.result.epochs).toHaveLength(6);
      const fresh = await trainRun(ds, config(), { ...base, seed: 6, ckptDir: dir, loadFromCkpt: false });
      expect(fresh.result.epochs).toHaveLength(6);
      expect(seed5.every((name) => fs.existsSync(path.join(dir, name)))).toBe(true);
      expect(listCheckpoints(dir).map((c) => c.epoch)).toEqual([5, 5, 6, 6]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a checkpoint interval writes epoch 1 and then only when the interval has passed; a resume redoes the rest identically', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-ckpt-'));
    try {
      const whole = await trainRun(ds, config(), { ...base, seed: 5 });
      const controller = new AbortController();
      const stopAt4 = (rec: { epoch: number }) => void (rec.epoch === 4 && controller.abort());
      const hourly = { ...base, seed: 5, ckptDir: dir, ckptIntervalSeconds: 3600 };
      await expect(
        trainRun(ds, config(), { ...hourly, signal: controller.signal, onEpoch: stopAt4 }),
      ).rejects.toBeInstanceOf(RunAbortedError);
      expect(listCheckpoints(dir).map((c) => c.epoch)).toEqual([1]);
      const epochsSeen: number[] = [];
      const resumed = await trainRun(ds, config(), { ...hourly, onEpoch: (r) => void epochsSeen.push(r.epoch) });
      expect(epochsSeen).toEqual([2, 3, 4, 5, 6]);
      expect(stable(resumed.result)).toEqual(stable(whole.result));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes bit-identically with optimisers whose state holds scalars or is set at the first step (NAdam, ASGD, Rprop)', async () => {
    for (const optim of ['NAdam', 'ASGD', 'Rprop'] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alphanet-ckpt-'));
      try {
        const cfg = () => config((c) => ((c.training.optim_cls = optim), (c.training.optim_params = { lr: '0.01' })));
        const whole = await trainRun(ds, cfg(), { ...base, seed: 9 });
        const controller = new AbortController();
        const stopAt3 = (rec: { epoch: number }) => void (rec.epoch === 3 && controller.abort());
        await expect(
          trainRun(ds, cfg(), { ...base, seed: 9, ckptDir: dir, signal: controller.signal, onEpoch: stopAt3 }),
        ).rejects.toBeInstanceOf(RunAbortedError);
        const resumed = await trainRun(ds, cfg(), { ...base, seed: 9, ckptDir: dir });
        expect({ optim, result: stable(resumed.result) }).toEqual({ optim, result: stable(whole.result) });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('debug mode passes on a sound run and its check catches logits that disagree with the features', async () => {
    const run = await trainRun(ds, config(), { ...base, seed: 4, debug: true });
    expect(run.result.epochs).toHaveLength(6);
    const table = computeNeighbors(ds, 3, 'euclidean', null);
    const problem = buildProblem(ds.classifier, ds.nClasses, ds.dim, table);
    const tilde = new Float32Array(problem.few.length * 3).fill(0.2);
    await expect(debugCheck(ds, problem, tilde, 'val', 1, null)).resolves.toBeUndefined();
    // A classifier that is not the one the pretrained scores came from.
    const skewed = { ...problem, weight: problem.weight.map((w, i) => (i % 7 === 0 ? w + 0.5 : w)) };
    await expect(debugCheck(ds, skewed, tilde, 'val', 1, null)).rejects.toThrow(
      /debug: logit of class \d+ for val row 0/,
    );
    await expect(debugCheck(ds, problem, tilde.fill(Number.NaN), 'val', 1, null)).rejects.toThrow(/not finite/);
  });

  it('evaluates identically through the exact reference path (X·Ŵᵀ + b)', async () => {
    const fast = await trainRun(ds, config(), { ...base, seed: 8 });
    const exact = await trainRun(ds, config(), { ...base, seed: 8, exactReference: true });
    expect(stable(exact.result)).toEqual(stable(fast.result));
    expect(exact.testTop5).toEqual(fast.testTop5);
  });

  it('refuses bad configs with clear errors', async () => {
    await expect(
      trainRun(
        ds,
        config((c) => (c.training.min_epochs = 9)),
        { ...base, seed: 1 },
      ),
    ).rejects.toThrow(/min_epochs/);
    await expect(
      trainRun(
        ds,
        config((c) => (c.training.n_neighbors = 99)),
        { ...base, seed: 1 },
      ),
    ).rejects.toThrow(/base classes/);
    await expect(
      trainRun(
        ds,
        config((c) => (c.training.sampler_args = [{}, { r: 'abc' }])),
        { ...base, seed: 1 },
      ),
    ).rejects.toThrow(/sampler_args\.1\.r: r: 'abc'/);
    await expect(
      trainRun(
        ds,
        config((c) => (c.training.test_datagrp = 'nope')),
        { ...base, seed: 1 },
      ),
    ).rejects.toThrow(/no datagrp 'nope'/);
  });

  it('baseline evaluates every datagrp with the pretrained classifier', async () => {
    const { result, testTop5 } = await baselineRun(ds, { backend: 'wasm' });
    expect(Object.keys(result.evals ?? {})).toEqual(['train', 'val', 'test']);
    expect(result.kind).toBe('baseline');
    expect(result.best_epoch).toBeNull();
    expect(testTop5.length).toBe(ds.datagrps.test.n * 5);
    expect(result.test.top5).toBeGreaterThanOrEqual(result.test.accuracy);
  });
});

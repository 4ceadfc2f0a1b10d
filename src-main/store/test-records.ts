/**
 * Deterministic, realistic-shaped run records for the store's tests, the concurrency child and the
 * benchmark (the store must be exercised at sizes the engine would take hours to produce).
 */
import { defaultRunConfig, type RunConfig } from '../../src-shared/config.ts';
import type { EpochRecord, EvalResult, RunResult } from '../../src-shared/result.ts';
import { Rng } from '../../src-shared/rng.ts';
import type { RunStore } from './run-store.ts';

/** Uniform draws in [0, 1) from the project's seeded generator: the same seed gives the same sequence. */
function rng(seed: number): () => number {
  const rng = Rng.fromSeed(seed);
  return () => rng.nextFloat();
}

export interface SyntheticShape {
  nClasses: number;
  epochs: number;
  batches: number;
  k: number;
  valPerClass: number;
  testPerClass: number;
}

export const SMALL_SHAPE: SyntheticShape = {
  nClasses: 30,
  epochs: 4,
  batches: 3,
  k: 3,
  valPerClass: 10,
  testPerClass: 20,
};

export function syntheticConfig(dataset: string, shape: SyntheticShape): RunConfig {
  const config = defaultRunConfig(dataset);
  config.training.train_epochs = shape.epochs;
  config.training.min_epochs = 1;
  config.training.n_neighbors = shape.k;
  return config;
}

function evalResult(next: () => number, shape: SyntheticShape, perClass: number): EvalResult {
  const totals = new Array<number>(shape.nClasses).fill(perClass);
  const correct = totals.map((t) => Math.floor(next() * (t + 1)));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const accuracy = sum(correct) / sum(totals);
  return {
    accuracy,
    top5: Math.min(1, accuracy + 0.2),
    f1: accuracy * 0.9,
    per_split: { many: next(), medium: next(), few: next(), overall: accuracy },
    per_class: correct.map((c, i) => c / totals[i]),
    per_class_total: totals,
  };
}

export function syntheticEpoch(seed: number, epoch: number, shape: SyntheticShape): EpochRecord {
  const next = rng(seed * 1000 + epoch);
  const alphas = (base: number) => [1, ...Array.from({ length: shape.k }, () => base + next() * 0.1)];
  const batchLosses = Array.from({ length: shape.batches }, () => 2 / epoch + next() * 0.1);
  const val = evalResult(next, shape, shape.valPerClass);
  return {
    epoch,
    lr: 0.001,
    mean_loss: batchLosses.reduce((a, b) => a + b, 0) / batchLosses.length,
    batch_losses: batchLosses,
    alpha_mean: alphas(0),
    alpha_min: alphas(-0.5),
    alpha_max: alphas(0.5),
    n_train_per_split: { many: 18, medium: 33, few: 103 },
    val: { accuracy: val.accuracy, top5: val.top5, f1: val.f1, per_split: val.per_split },
    val_per_class: val.per_class,
    wall_time: 1_700_000_000 + epoch,
  };
}

export function syntheticResult(dataset: string, seed: number, shape: SyntheticShape): RunResult {
  const next = rng(seed);
  const epochs = Array.from({ length: shape.epochs }, (_, i) => syntheticEpoch(seed, i + 1, shape));
  const best = epochs[epochs.length - 1];
  const valTotals = new Array<number>(shape.nClasses).fill(shape.valPerClass);
  const alphas: RunResult['alphas'] = {};
  for (let c = 0; c < shape.nClasses; c += 3) {
    alphas[String(c)] = {
      neighbors: Array.from({ length: shape.k }, (_, i) => (c + i + 1) % shape.nClasses),
      alpha: [1, ...Array.from({ length: shape.k }, () => next() - 0.5)],
    };
  }
  const val = {
    ...(best.val as NonNullable<EpochRecord['val']>),
    per_class: best.val_per_class ?? [],
    per_class_total: valTotals,
  };
  const test = evalResult(next, shape, shape.testPerClass);
  const few = Object.keys(alphas).map(Number);
  return {
    kind: 'train',
    dataset,
    config: syntheticConfig(dataset, shape),
    seed,
    backend: 'cpu',
    app_version: '0.0.0-test',
    selection: 'best-val',
    epochs,
    best_epoch: best.epoch,
    val,
    test,
    alphas,
    evals: { val, test },
    network: {
      format: 'alphanet-network',
      version: 1,
      dim: 4,
      n_neighbors: shape.k,
      nn_dist: 'euclidean',
      hdims: [2],
      hact: 'leaky_relu',
      few,
      neighbors: few.map((c) => alphas[String(c)].neighbors),
      // Float32-exact values, as the engine's are.
      params: [Array.from({ length: 2 * (shape.k + 1) * 4 }, (_, i) => i / 8), [0.5, -0.25]],
    },
  };
}

/** Records a finished result as one run, as a completed training or baseline leaves it; returns the run's id. */
export function recordFinished(store: RunStore, result: RunResult, experiment?: string): number {
  const id = store.createRun({
    kind: result.kind,
    config: result.config,
    seed: Number.isFinite(result.seed) ? result.seed : null,
    experiment,
  });
  store.finishRun(id, { result });
  return id;
}
